"""An expected-prevalence table of the user's own, in the format of data/expected_prevalence.csv: one row per
condition (CMD: common mental disorders, compared with the depression register; SMI: psychosis, compared with
the SMI register), sex and age range, with the share of people expected to have the condition. Loaded with the
extracts, it is used instead of the shipped table (APMS 2014) for that build."""

from .base import Column, ExtractSpec
from .patients_age_sex import SEX

SPEC = ExtractSpec(
    kind="expected_prevalence",
    title="an expected-prevalence table (CONDITION, SEX, AGE_FROM, AGE_TO, EXPECTED_RATE)",
    table="expected_prevalence",
    columns=(
        Column("condition", ("CONDITION",), label="condition (CMD or SMI)", canonical="upper({})"),
        Column("sex", ("SEX", "GENDER"), label="sex (MALE or FEMALE)", canonical=SEX),
        Column("age_from", ("AGE_FROM", "AGE_LOWER", "MIN_AGE"), "count", label="first age of the range"),
        Column("age_to", ("AGE_TO", "AGE_UPPER", "MAX_AGE"), "count", label="last age of the range"),
        Column("expected_rate", ("EXPECTED_RATE", "EXPECTED_PREVALENCE", "RATE"), "number",
               label="expected rate (a share between 0 and 1: 9.1% is 0.091)"),
        Column("source", ("SOURCE",), required=False, label="source"),
    ),
    key=("condition", "sex", "age_from"),
    needs_period=False,
    select_sql="""
        SELECT upper(condition) AS condition, upper(sex) AS sex, {age_from} AS age_from, {age_to} AS age_to,
               {expected_rate} AS expected_rate, source, ? AS source_file, _row AS source_row
        FROM raw
    """,
)
