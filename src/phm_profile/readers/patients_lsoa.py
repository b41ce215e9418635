"""Patients registered at a GP practice by LSOA of residence (NHS England, gp-reg-pat-prac-lsoa-all.csv):
PUBLICATION, EXTRACT_DATE, PRACTICE_CODE, PRACTICE_NAME, LSOA_CODE, SEX, NUMBER_OF_PATIENTS. Patients with
no recorded LSOA appear under NO2011 (or NO2021)."""

from .base import Column, ExtractSpec

SPEC = ExtractSpec(
    kind="patients_lsoa",
    title="patients registered at a GP practice by LSOA (gp-reg-pat-prac-lsoa-all)",
    table="patients_lsoa",
    columns=(
        Column("extract_date", ("EXTRACT_DATE",), "date", label="extract date"),
        Column("practice_code", ("PRACTICE_CODE", "ORG_CODE"), "code", code="practice", label="practice code"),
        Column("lsoa_code", ("LSOA_CODE", "LSOA_2011_CODE", "LSOA11CD", "LSOA_CODE_2011", "LSOA_2021_CODE",
                             "LSOA21CD"), "code", code="lsoa_or_none", label="LSOA code"),
        Column("sex", ("SEX",), required=False),
        Column("patients", ("NUMBER_OF_PATIENTS", "PATIENTS"), "count", label="number of patients"),
    ),
    key=("extract_date", "practice_code", "lsoa_code", "sex"),
    needs_period=False,
    select_sql="""
        SELECT {period} AS period, {date} AS extract_date, practice_code, lsoa_code, {patients} AS patients,
               ? AS source_file, _row AS source_row
        FROM raw
        WHERE coalesce(upper(sex), 'ALL') IN ('ALL', 'PERSONS')
    """,
)
