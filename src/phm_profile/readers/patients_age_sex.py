"""Patients registered at a GP practice by sex and five-year age band (NHS England, monthly,
gp-reg-pat-prac-quin-age.csv): PUBLICATION, EXTRACT_DATE, TYPE / ORG_TYPE, CCG_CODE / SUB_ICB_LOCATION_CODE,
ONS code, ORG_CODE, POSTCODE, SEX, AGE_GROUP_5, NUMBER_OF_PATIENTS.

The publisher puts several organisation levels in one file (GP, PCN, SUB_ICB_LOCATION_CODE, ICB, Comm Region)
and a file may hold several months. The practice rows are used; the other levels are kept in
``published_registrations`` and checked against the sums of the practice rows (store.py). Which month stands
for which financial year is decided by the models (sql/staging/extract_dates.sql)."""

from .base import Column, ExtractSpec
from .checks import date_column, financial_year_sql, number_column

#: "M" and "MALE" are one sex (the key check sees them so).
SEX = ("CASE upper({0}) WHEN 'M' THEN 'MALE' WHEN 'F' THEN 'FEMALE' WHEN 'MALES' THEN 'MALE' "
       "WHEN 'FEMALES' THEN 'FEMALE' ELSE upper({0}) END")
OTHER_LEVELS = "upper(coalesce(org_type, 'GP')) NOT IN ('GP', 'PRACTICE')"


def keep_other_levels(con, file: str, report) -> None:
    """The publisher's own PCN, sub-ICB, ICB and region rows, for the cross-check against practice sums."""
    date = date_column("extract_date")
    con.execute(f"""
        INSERT INTO published_registrations
        SELECT {financial_year_sql(date)}, {date}, upper(org_type), upper(practice_code),
               CASE upper(sex) WHEN 'M' THEN 'MALE' WHEN 'F' THEN 'FEMALE' ELSE upper(sex) END,
               replace(upper(age_band), '-', '_'), try_cast(round({number_column('patients')}) AS BIGINT), ?, _row
        FROM raw_all WHERE {OTHER_LEVELS}""", [file])


SPEC = ExtractSpec(
    kind="patients_age_sex",
    title="patients registered at a GP practice by sex and age (gp-reg-pat-prac-quin-age)",
    table="patients_age_sex",
    columns=(
        Column("extract_date", ("EXTRACT_DATE",), "date", label="extract date"),
        Column("org_type", ("TYPE", "ORG_TYPE"), required=False),
        Column("practice_code", ("ORG_CODE", "PRACTICE_CODE"), "code", code="practice", label="practice code"),
        Column("sex", ("SEX", "GENDER"), label="sex", canonical=SEX),
        Column("age_band", ("AGE_GROUP_5", "AGE_BAND", "AGE_GROUP"), label="age band",
               canonical="replace(replace(upper({}), '-', '_'), ' ', '')"),
        Column("patients", ("NUMBER_OF_PATIENTS", "PATIENTS", "NUMBER_OF_PATIENTS_REGISTERED"), "count",
               label="number of patients"),
    ),
    key=("extract_date", "practice_code", "sex", "age_band"),
    needs_period=False,
    skip_where=OTHER_LEVELS,
    skip_reason="they are the publisher's totals for PCNs, sub-ICB locations, ICBs and regions; the practice rows "
                "are used, and these totals are checked against their sums.",
    hook=keep_other_levels,
    select_sql="""
        SELECT {period} AS period, {date} AS extract_date, practice_code,
               CASE upper(sex) WHEN 'M' THEN 'MALE' WHEN 'F' THEN 'FEMALE' ELSE upper(sex) END AS sex,
               replace(upper(age_band), '-', '_') AS age_band, {patients} AS patients,
               ? AS source_file, _row AS source_row
        FROM raw
        WHERE upper(sex) NOT IN ('ALL', 'PERSONS') AND upper(age_band) <> 'ALL'
    """,
)
