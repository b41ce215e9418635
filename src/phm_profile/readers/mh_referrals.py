"""Record-level mental-health referrals and contacts, one row each (a local extract from the provider's
system, pseudonymised): REFERRAL_ID, PRACTICE_CODE, REFERRAL_DATE, SERVICE (TALKING_THERAPIES, CMHT, MHP), OUTCOME (ACCEPTED, REJECTED, ATTENDED), WAIT_DAYS. The build aggregates it into practice-level
service-usage measures; no record is stored."""

from .base import Column, ExtractSpec

SERVICES = ("TALKING_THERAPIES", "CMHT", "MHP")

#: Practice-level measures from the records (rates per 1,000 patients or proportions; the svc_ rows of data/indicators.csv).
AGGREGATE_SQL = """
    WITH r AS (
        SELECT practice_code, {date} AS referral_date, service, outcome, {wait_days} AS wait_days FROM raw
    ), counted AS (
        -- Count by the file's own spellings first (few groups), then read them case-blind.
        SELECT practice_code,
               -- the financial year that holds the referral (April to March)
               year(referral_date) - (month(referral_date) < 4)::INTEGER AS year_start,
               service, outcome, wait_days > 42 AS long_wait, wait_days IS NOT NULL AS has_wait, count(*) AS n
        FROM r GROUP BY ALL
    ), grouped AS (
        SELECT practice_code, year_start,
               sum(n) FILTER (WHERE upper(service) = 'TALKING_THERAPIES') AS tt_referrals,
               sum(n) FILTER (WHERE upper(service) = 'TALKING_THERAPIES' AND long_wait) AS tt_long_wait,
               sum(n) FILTER (WHERE upper(service) = 'TALKING_THERAPIES' AND has_wait) AS tt_with_wait,
               sum(n) FILTER (WHERE upper(service) = 'CMHT') AS cmht_referrals,
               sum(n) FILTER (WHERE upper(service) = 'CMHT' AND upper(outcome) = 'REJECTED') AS cmht_rejected,
               sum(n) FILTER (WHERE upper(service) = 'MHP') AS mhp
        FROM counted GROUP BY practice_code, year_start
    ), agg AS (
        SELECT practice_code, year_start::VARCHAR || '-' || right((year_start + 1)::VARCHAR, 2) AS period,
               coalesce(tt_referrals, 0)::BIGINT AS tt_referrals, coalesce(tt_long_wait, 0)::BIGINT AS tt_long_wait,
               coalesce(tt_with_wait, 0)::BIGINT AS tt_with_wait,
               coalesce(cmht_referrals, 0)::BIGINT AS cmht_referrals,
               coalesce(cmht_rejected, 0)::BIGINT AS cmht_rejected, coalesce(mhp, 0)::BIGINT AS mhp
        FROM grouped
    ), long AS (
        SELECT practice_code, period, 'tt_referrals' AS measure, tt_referrals AS numerator,
               NULL::BIGINT AS denominator FROM agg
        UNION ALL SELECT practice_code, period, 'tt_wait_over_6_weeks', tt_long_wait, tt_with_wait FROM agg
        UNION ALL SELECT practice_code, period, 'cmht_referrals', cmht_referrals, NULL FROM agg
        UNION ALL SELECT practice_code, period, 'cmht_referrals_rejected', cmht_rejected, cmht_referrals FROM agg
        UNION ALL SELECT practice_code, period, 'mhp_contacts', mhp, NULL FROM agg
    )
    SELECT 'practice' AS org_type, practice_code AS org_code, period, measure, numerator, denominator,
           ? AS source_file, NULL::BIGINT AS source_row
    FROM long
"""

#: The same records counted by practice and calendar month (table service_month), for before-and-after series.
MONTHLY_SQL = """
    WITH r AS (SELECT practice_code, {date} AS referral_date, service, outcome, {wait_days} AS wait_days FROM raw)
    SELECT practice_code, date_trunc('month', referral_date)::DATE AS month,
           count(*) FILTER (WHERE upper(service) = 'CMHT') AS cmht_referrals,
           count(*) FILTER (WHERE upper(service) = 'CMHT' AND upper(outcome) = 'REJECTED') AS cmht_rejected,
           count(*) FILTER (WHERE upper(service) = 'TALKING_THERAPIES' AND wait_days IS NOT NULL) AS tt_with_wait,
           count(*) FILTER (WHERE upper(service) = 'TALKING_THERAPIES' AND wait_days > 42) AS tt_long_wait,
           count(*) FILTER (WHERE upper(service) = 'MHP') AS mhp_contacts, ? AS source_file
    FROM r WHERE referral_date IS NOT NULL GROUP BY ALL
"""


def count_by_month(con, file: str, report) -> None:
    """The hook: the kept records counted by practice and month into service_month."""
    from . import _typed_sql

    con.execute(f"INSERT INTO service_month BY NAME {_typed_sql(SPEC, MONTHLY_SQL)}", [file])


SPEC = ExtractSpec(
    kind="mh_referrals",
    user_format=True,
    title="record-level mental-health referrals",
    table="service_usage",
    columns=(
        Column("referral_id", ("REFERRAL_ID", "CONTACT_ID", "RECORD_ID"), label="referral identifier"),
        Column("practice_code", ("PRACTICE_CODE", "GP_PRACTICE_CODE"), "code", code="practice",
               label="practice code"),
        Column("referral_date", ("REFERRAL_DATE", "CONTACT_DATE"), "date", label="referral date"),
        Column("service", ("SERVICE", "SERVICE_TYPE"), label="service"),
        Column("outcome", ("OUTCOME", "REFERRAL_OUTCOME"), required=False, label="outcome"),
        Column("wait_days", ("WAIT_DAYS", "DAYS_WAITED"), "count", required=False, label="wait in days"),
    ),
    key=("referral_id",),
    needs_period=False,
    select_sql=AGGREGATE_SQL,
    event_date="referral_date",
    hook=count_by_month,
)
