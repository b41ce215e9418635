"""Mental-health service usage in the product's tidy format (see README): one row per organisation, period
and measure: ORG_TYPE (practice, pcn, sub_icb, icb), ORG_CODE, PERIOD (2023-24), MEASURE, NUMERATOR and an
optional DENOMINATOR (for proportions such as rejected referrals)."""

from .base import Column, ExtractSpec

SPEC = ExtractSpec(
    kind="service_usage",
    user_format=True,
    title="mental-health service usage (tidy format)",
    table="service_usage",
    columns=(
        Column("org_type", ("ORG_TYPE", "ORGANISATION_TYPE", "LEVEL"), label="organisation type",
               canonical="lower({})"),
        Column("org_code", ("ORG_CODE", "ORGANISATION_CODE"), label="organisation code", canonical="upper({})"),
        Column("period", ("PERIOD", "REPORTING_PERIOD", "FINANCIAL_YEAR"), "period", label="period"),
        Column("measure", ("MEASURE", "MEASURE_ID", "MEASURE_NAME"), label="measure", canonical="lower({})"),
        Column("numerator", ("NUMERATOR", "MEASURE_VALUE", "VALUE"), "count", label="numerator"),
        Column("denominator", ("DENOMINATOR",), "count", required=False, label="denominator"),
    ),
    key=("org_type", "org_code", "period", "measure"),
    needs_period=False,
    select_sql="""
        SELECT lower(org_type) AS org_type, upper(org_code) AS org_code, period, lower(measure) AS measure,
               {numerator} AS numerator, {denominator} AS denominator, ? AS source_file, _row AS source_row
        FROM raw
    """,
)
