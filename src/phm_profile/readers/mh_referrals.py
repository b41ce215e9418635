"""Record-level mental-health referrals and contacts, one row each (a local extract from the provider's
system, pseudonymised): REFERRAL_ID, PRACTICE_CODE, REFERRAL_DATE, SERVICE (TALKING_THERAPIES, CMHT, MHP), OUTCOME (ACCEPTED, REJECTED, ATTENDED), WAIT_DAYS. The build aggregates it into practice-level
service-usage measures; no record is stored."""

from .base import Column, ExtractSpec

SERVICES = ("TALKING_THERAPIES", "CMHT", "MHP")

SPEC = ExtractSpec(
    kind="mh_referrals",
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
)

#: Practice-level measures from the records (rates per 1,000 patients or proportions; see data/measures.csv).
AGGREGATE_SQL = """
    WITH r AS (
        SELECT practice_code, {period} AS period, upper(service) AS service, upper(outcome) AS outcome,
               {wait_days} AS wait_days
        FROM raw
    ), agg AS (
        SELECT practice_code, period,
               count(*) FILTER (WHERE service = 'TALKING_THERAPIES') AS tt_referrals,
               count(*) FILTER (WHERE service = 'TALKING_THERAPIES' AND wait_days > 42) AS tt_long_wait,
               count(wait_days) FILTER (WHERE service = 'TALKING_THERAPIES') AS tt_with_wait,
               count(*) FILTER (WHERE service = 'CMHT') AS cmht_referrals,
               count(*) FILTER (WHERE service = 'CMHT' AND outcome = 'REJECTED') AS cmht_rejected,
               count(*) FILTER (WHERE service = 'MHP') AS mhp
        FROM r GROUP BY practice_code, period
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
