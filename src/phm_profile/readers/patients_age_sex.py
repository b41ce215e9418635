"""Patients registered at a GP practice by sex and five-year age band (NHS England, monthly,
gp-reg-pat-prac-quin-age.csv): PUBLICATION, EXTRACT_DATE, TYPE, CCG_CODE / SUB_ICB_LOCATION_CODE, ONS code,
ORG_CODE, POSTCODE, SEX, AGE_GROUP_5, NUMBER_OF_PATIENTS."""

from .base import Column, ExtractSpec

SPEC = ExtractSpec(
    kind="patients_age_sex",
    title="patients registered at a GP practice by sex and age (gp-reg-pat-prac-quin-age)",
    table="patients_age_sex",
    columns=(
        Column("extract_date", ("EXTRACT_DATE",), "date", label="extract date"),
        Column("org_type", ("TYPE", "ORG_TYPE"), required=False),
        Column("practice_code", ("ORG_CODE", "PRACTICE_CODE"), "code", code="practice", label="practice code"),
        Column("sex", ("SEX", "GENDER"), label="sex"),
        Column("age_band", ("AGE_GROUP_5", "AGE_BAND", "AGE_GROUP"), label="age band"),
        Column("patients", ("NUMBER_OF_PATIENTS", "PATIENTS", "NUMBER_OF_PATIENTS_REGISTERED"), "count",
               label="number of patients"),
    ),
    key=("extract_date", "practice_code", "sex", "age_band"),
    needs_period=False,
    select_sql="""
        SELECT {period} AS period, {date} AS extract_date, practice_code,
               CASE upper(sex) WHEN 'M' THEN 'MALE' WHEN 'F' THEN 'FEMALE' ELSE upper(sex) END AS sex,
               replace(upper(age_band), '-', '_') AS age_band, {patients} AS patients,
               ? AS source_file, _row AS source_row
        FROM raw
        WHERE coalesce(upper(org_type), 'GP') = 'GP' AND upper(sex) NOT IN ('ALL', 'PERSONS')
          AND upper(age_band) <> 'ALL'
    """,
)
