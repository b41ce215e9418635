"""Published mental-health service measures for ICBs and sub-ICB locations, shown as context beside a PCN's
profile (the level is always named: none of them is a PCN figure). Three layouts, one table
(``context_measures``):

- MHSDS four-week-wait measures (NHS England, Mental Health Services Monthly Statistics, e.g.
  MHSDS_Data_4WW_SepPerf_2024.csv): England and "ICB of GP Practice or Residence" rows are kept; provider rows
  are left out with a warning.
- NHS Talking Therapies annual measures in tidy long form (reporting_period, org_type, org_code, variable_type,
  measure_name, measure_statistic, value; as bennettoxford/nhstt stores the annual reports): England and ICB
  totals, and their breakdown by IMD decile (the publisher numbers deciles 01 least to 10 most deprived; stored
  as IMD deciles, 1 = most deprived), are kept; other organisation types and breakdowns are left out with a
  warning.
- NHS Talking Therapies monthly key measures by sub-ICB location (sicbl22_code, date, name, value; the
  humaniverse/healthyr derivation of the publisher's time series, ONS sub-ICB codes), and the publisher's own
  monthly activity and performance file (GROUP_TYPE, ORG_CODE1, MEASURE_ID, MEASURE_NAME,
  MEASURE_VALUE_SUPPRESSED, REPORTING_PERIOD_START/END) and quarterly file (ICB, SubICB, GroupType, VariableType,
  MEASURE_ID, MEASURE_VALUE_SUPPRESSED): England, ICB and sub-ICB totals (ODS codes)."""

from .base import Column, ExtractSpec

_NUMBER = ("MEASURE_VALUE", "VALUE", "MEASURE_VALUE_SUPPRESSED")
#: What the layouts share: the organisation level as written (England, ICB, SubICB, Sub-ICB, ...), the level it
#: is stored as, a unit read from the measure's name, and the columns of rows that are not a breakdown.
GROUP = "replace(replace(upper(group_type), '-', ''), ' ', '')"
SHARED = {
    "group": GROUP,
    "level": f"CASE {GROUP} WHEN 'ENGLAND' THEN 'england' WHEN 'ICB' THEN 'icb' ELSE 'sub_icb' END",
    "unit": "CASE WHEN measure_name ILIKE 'percentage%' OR measure_name ILIKE '%(%)%' THEN '%' "
            "WHEN measure_name ILIKE '%mean%' OR measure_name ILIKE '%median%' THEN 'value' ELSE 'count' END",
    "no_breakdown": "NULL AS breakdown, NULL::INTEGER AS imd_decile, {value} AS value, ? AS source_file, "
                    "_row AS source_row",
}


def _shared(select_sql: str) -> str:
    """A layout's SELECT with the shared parts filled in (the {value} and {date_...} slots stay for the reader)."""
    return select_sql.replace("{no_breakdown}", SHARED["no_breakdown"]).replace("{level}", SHARED["level"]) \
        .replace("{unit}", SHARED["unit"]).replace("{group}", SHARED["group"])

MHSDS = ExtractSpec(
    kind="mhsds_measures",
    title="MHSDS measures by ICB (REPORTING_PERIOD_START, BREAKDOWN, PRIMARY_LEVEL, MEASURE_ID, MEASURE_VALUE)",
    table="context_measures",
    columns=(
        Column("period_start", ("REPORTING_PERIOD_START",), "date", label="reporting period start"),
        Column("period_end", ("REPORTING_PERIOD_END",), "date", label="reporting period end"),
        Column("breakdown", ("BREAKDOWN",), label="breakdown"),
        Column("org_code", ("PRIMARY_LEVEL",), label="organisation code"),
        Column("org_name", ("PRIMARY_LEVEL_DESCRIPTION",), required=False),
        Column("secondary", ("SECONDARY_LEVEL",), required=False),
        Column("measure", ("MEASURE_ID",), label="measure"),
        Column("measure_name", ("MEASURE_NAME",), required=False),
        Column("value", _NUMBER, "number", label="measure value"),
    ),
    key=("breakdown", "org_code", "secondary", "measure", "period_start"),
    needs_period=False,
    skip_where="NOT (upper(breakdown) = 'ENGLAND' OR upper(breakdown) LIKE 'ICB%') "
               "OR coalesce(upper(secondary), 'NONE') <> 'NONE'",
    skip_reason="they are provider or other breakdowns; England and ICB rows are shown as context.",
    select_sql=_shared("""
        SELECT 'MHSDS' AS source, CASE WHEN upper(breakdown) = 'ENGLAND' THEN 'england' ELSE 'icb' END AS level,
               CASE WHEN upper(breakdown) = 'ENGLAND' THEN 'ENGLAND' ELSE org_code END AS org_code, org_name,
               {date_period_start} AS period_start, {date_period_end} AS period_end, measure,
               coalesce(measure_name, measure) AS measure_name,
               CASE WHEN measure_name ILIKE 'proportion%' THEN '%' WHEN measure_name ILIKE '%time (days)%' THEN 'days'
                    ELSE 'count' END AS unit,
               {no_breakdown}
        FROM raw
    """),
)

TALKING_THERAPIES_ANNUAL = ExtractSpec(
    kind="talking_therapies_annual",
    title="NHS Talking Therapies annual measures (reporting_period, org_type, org_code, variable_type, "
          "measure_name, measure_statistic, value)",
    table="context_measures",
    columns=(
        Column("reporting_period", ("REPORTING_PERIOD",), label="reporting period"),
        Column("period_start", ("START_DATE",), "date", label="start date"),
        Column("period_end", ("END_DATE",), "date", label="end date"),
        Column("org_type", ("ORG_TYPE",), label="organisation type"),
        Column("org_code", ("ORG_CODE",), label="organisation code"),
        Column("org_name", ("ORG_NAME",), required=False),
        Column("variable_type", ("VARIABLE_TYPE",), label="breakdown"),
        Column("variable_a", ("VARIABLE_A",), required=False),
        Column("measure", ("MEASURE_NAME",), label="measure"),
        Column("statistic", ("MEASURE_STATISTIC",), label="statistic"),
        Column("value", _NUMBER, "number", label="value"),
    ),
    key=("reporting_period", "org_type", "org_code", "variable_type", "variable_a", "measure", "statistic"),
    needs_period=False,
    skip_where="upper(org_type) NOT IN ('ICB', 'ENGLAND') OR upper(org_code) = 'UNKNOWN' "
               "OR NOT (upper(variable_type) = 'TOTAL' OR (upper(variable_type) = 'INDICES OF DEPRIVATION DECILE' "
               "AND regexp_matches(variable_a, '^(0[1-9]|10) ')))",
    skip_reason="they are providers, older organisation types (CCG, STP), unknown ICBs or breakdowns other than "
                "deprivation (age, ethnicity ...); England and ICB totals and deprivation deciles are shown as "
                "context.",
    select_sql="""
        SELECT 'NHS Talking Therapies (annual)' AS source, lower(org_type) AS level,
               CASE WHEN upper(org_type) = 'ENGLAND' THEN 'ENGLAND' ELSE upper(org_code) END AS org_code, org_name,
               {date_period_start} AS period_start, {date_period_end} AS period_end,
               measure || ' ' || statistic AS measure,
               upper(left(replace(measure, '_', ' '), 1)) || substr(replace(measure, '_', ' '), 2)
                   || CASE WHEN statistic = 'percentage' THEN ' (%)' ELSE ' (count)' END AS measure_name,
               CASE WHEN statistic = 'percentage' THEN '%' ELSE 'count' END AS unit,
               CASE WHEN upper(variable_type) = 'TOTAL' THEN NULL ELSE 'IMD decile' END AS breakdown,
               CASE WHEN upper(variable_type) = 'TOTAL' THEN NULL ELSE 11 - left(variable_a, 2)::INT END AS imd_decile,
               {value} AS value, ? AS source_file, _row AS source_row
        FROM raw
    """,
)

TALKING_THERAPIES_SUB_ICB = ExtractSpec(
    kind="talking_therapies_sub_icb",
    title="NHS Talking Therapies key measures by sub-ICB location (sicbl22_code, date, name, value)",
    table="context_measures",
    columns=(
        Column("org_code", ("SICBL22_CODE", "SICBL_CODE", "SUB_ICB_ONS_CODE"), label="sub-ICB location (ONS) code"),
        Column("period_start", ("DATE", "MONTH"), "date", label="month"),
        Column("measure", ("NAME", "MEASURE"), label="measure"),
        Column("value", ("VALUE",), "number", label="value"),
    ),
    key=("org_code", "period_start", "measure"),
    needs_period=False,
    select_sql=_shared("""
        SELECT 'NHS Talking Therapies (monthly)' AS source, 'sub_icb' AS level, upper(org_code) AS org_code,
               NULL AS org_name, {date_period_start} AS period_start,
               last_day({date_period_start}) AS period_end, measure,
               replace(replace(regexp_replace(measure, '([a-z])([A-Z0-9])', '\\1 \\2', 'g'), 'Percentage_', ''),
                       'Count_', '') || CASE WHEN measure LIKE 'Percentage%' THEN ' (%)' ELSE ' (count)' END
                   AS measure_name,
               CASE WHEN measure LIKE 'Percentage%' THEN '%' ELSE 'count' END AS unit,
               {no_breakdown}
        FROM raw
    """),
)

TALKING_THERAPIES_MONTHLY = ExtractSpec(
    kind="talking_therapies_monthly",
    title="NHS Talking Therapies monthly activity and performance (GROUP_TYPE, ORG_CODE1, MEASURE_ID, "
          "MEASURE_VALUE_SUPPRESSED)",
    table="context_measures",
    columns=(
        Column("period_start", ("REPORTING_PERIOD_START",), "date", label="reporting period start"),
        Column("period_end", ("REPORTING_PERIOD_END",), "date", label="reporting period end"),
        Column("group_type", ("GROUP_TYPE",), label="organisation level"),
        Column("org_code", ("ORG_CODE1",), label="organisation code"),
        Column("org_name", ("ORG_NAME1",), required=False),
        Column("measure", ("MEASURE_ID",), label="measure"),
        Column("measure_name", ("MEASURE_NAME",), required=False),
        Column("value", ("MEASURE_VALUE_SUPPRESSED", "MEASURE_VALUE"), "number", label="measure value"),
    ),
    key=("group_type", "org_code", "measure", "period_start"),
    needs_period=False,
    skip_where=f"{GROUP} NOT IN ('ENGLAND', 'ICB', 'SUBICB')",
    skip_reason="they are providers or other levels; England, ICB and sub-ICB rows are shown as context.",
    select_sql=_shared("""
        SELECT 'NHS Talking Therapies (monthly)' AS source,
               {level} AS level,
               CASE WHEN upper(group_type) = 'ENGLAND' THEN 'ENGLAND' ELSE upper(org_code) END AS org_code, org_name,
               {date_period_start} AS period_start, {date_period_end} AS period_end, measure,
               coalesce(measure_name, measure) AS measure_name,
               {unit} AS unit, {no_breakdown}
        FROM raw
    """),
)

TALKING_THERAPIES_QUARTERLY = ExtractSpec(
    kind="talking_therapies_quarterly",
    title="NHS Talking Therapies quarterly measures by ICB and sub-ICB (REPORTING_PERIOD_START, ICB, SubICB, "
          "GroupType, VariableType, MEASURE_ID, MEASURE_VALUE_SUPPRESSED)",
    table="context_measures",
    columns=(
        Column("period_start", ("REPORTING_PERIOD_START",), "date", label="reporting period start"),
        Column("period_end", ("REPORTING_PERIOD_END",), "date", label="reporting period end"),
        Column("icb", ("ICB",), label="ICB code"),
        Column("icb_name", ("ICBNAME",), required=False),
        Column("sub_icb", ("SUBICB",), label="sub-ICB code"),
        Column("sub_icb_name", ("SUBICBNAME",), required=False),
        Column("provider", ("PROVIDER",), required=False),
        Column("group_type", ("GROUPTYPE",), label="organisation level"),
        Column("variable_type", ("VARIABLETYPE",), label="breakdown"),
        Column("variable_a", ("VARIABLEA",), required=False),
        Column("variable_b", ("VARIABLEB",), required=False),
        Column("measure", ("MEASURE_ID",), label="measure"),
        Column("measure_name", ("MEASURE_NAME",), required=False),
        Column("value", ("MEASURE_VALUE_SUPPRESSED", "MEASURE_VALUE"), "number", label="measure value"),
    ),
    key=("group_type", "icb", "sub_icb", "provider", "variable_type", "variable_a", "variable_b", "measure",
         "period_start"),
    needs_period=False,
    skip_where=f"{GROUP} NOT IN ('ENGLAND', 'ICB', 'SUBICB') OR upper(variable_type) <> 'TOTAL'",
    skip_reason="they are providers or breakdowns (age, ethnicity ...); England, ICB and sub-ICB totals are shown "
                "as context.",
    select_sql=_shared("""
        SELECT 'NHS Talking Therapies (quarterly)' AS source,
               {level} AS level,
               CASE {group} WHEN 'ENGLAND' THEN 'ENGLAND' WHEN 'ICB' THEN upper(icb) ELSE upper(sub_icb) END AS org_code,
               CASE {group} WHEN 'ICB' THEN icb_name ELSE sub_icb_name END AS org_name,
               {date_period_start} AS period_start, {date_period_end} AS period_end, measure,
               coalesce(measure_name, measure) AS measure_name,
               {unit} AS unit, {no_breakdown}
        FROM raw
    """),
)

SPECS = (MHSDS, TALKING_THERAPIES_ANNUAL, TALKING_THERAPIES_SUB_ICB, TALKING_THERAPIES_MONTHLY,
         TALKING_THERAPIES_QUARTERLY)
