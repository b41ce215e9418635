"""An expected-prevalence table of the user's own, in the format of data/expected_prevalence.csv: one row per
condition (CMD: common mental disorders, compared with the depression register; SMI: psychosis, compared with
the SMI register), sex and age range, with the share of people expected to have the condition. Loaded with the
extracts, it is used instead of the shipped table (APMS 2014) for that build."""

from .base import Column, ExtractSpec
from .patients_age_sex import SEX

#: What a supplied expected-prevalence table's rows must be: column, offending rows (SQL), value shown, message.
EXPECTED_RATE_RULES = (
    ("CONDITION", "condition NOT IN ('CMD', 'SMI')", "condition",
     "'{}' is not a condition this tool compares with a register: CMD (common mental disorders, with the "
     "depression register) or SMI (psychosis, with the SMI register)."),
    ("SEX", "sex NOT IN ('MALE', 'FEMALE')", "sex", "'{}' is not MALE or FEMALE."),
    ("EXPECTED_RATE", "expected_rate > 1", "expected_rate",
     "{} is more than 1; the expected rate is a share between 0 and 1 (9.1% is 0.091)."),
    ("AGE_TO", "age_to < age_from", "age_to", "the range ends at {} before it starts; AGE_TO must be at least AGE_FROM."),
)


def use_supplied(con, supplied: list[str], report) -> None:
    """When the extracts include an expected-prevalence table, check it and use it instead of the shipped one
    (APMS 2014). Registered lists come in five-year bands and each band takes the rate of the range it falls in,
    so no two ranges of a condition and sex may share an age or split one band."""
    if not supplied:
        return
    con.execute("DELETE FROM expected_prevalence WHERE source_file IS NULL")
    for file in supplied:
        report.warning(file, None, None, "its expected rates are used instead of the shipped table "
                       "(data/expected_prevalence.csv, APMS 2014 and 2007).")
    for column, where, shown, message in EXPECTED_RATE_RULES:
        for file, row, value in con.execute(f"SELECT source_file, source_row, {shown} FROM expected_prevalence "
                                            f"WHERE {where} ORDER BY 1, 2").fetchall():
            report.error(file, row, column, message.format(value))
    for file, row, start, end, other_file, other_row, other_start, other_end, band in con.execute("""
            SELECT b.source_file, b.source_row, b.age_from, b.age_to, a.source_file, a.source_row, a.age_from,
                   a.age_to, band
            FROM expected_prevalence a JOIN expected_prevalence b
              ON a.condition = b.condition AND a.sex = b.sex AND (a.source_file, a.source_row) < (b.source_file, b.source_row)
            CROSS JOIN range(0, 100, 5) AS bands(band)
            WHERE a.age_from <= band + 4 AND band <= a.age_to AND b.age_from <= band + 4 AND band <= b.age_to
            QUALIFY row_number() OVER (PARTITION BY a.source_file, a.source_row, b.source_file, b.source_row
                                       ORDER BY band) = 1
            ORDER BY 1, 2""").fetchall():
        shared = "share ages" if start <= other_end and other_start <= end else f"split the band {band}-{band + 4}"
        report.error(file, row, "AGE_FROM", f"ages {start}-{end} and ages {other_start}-{other_end} ({other_file} "
                     f"row {other_row}) {shared}; lists come in five-year bands (0-4, 5-9, ...) and each band "
                     "must fall in one range of a condition and sex, or its patients would be counted twice.")
    # A gap between the ranges of a condition and sex: the ages in it would be expected to have no cases, which
    # understates the expected count and inflates recorded-vs-expected. The ages a table covers are its
    # declaration of whom the condition applies to (said in a warning).
    for file, row, condition, sex, gap_from, gap_to in con.execute("""
            SELECT source_file, source_row, condition, sex, previous_to + 1, age_from - 1 FROM (
                SELECT *, lag(age_to) OVER (PARTITION BY condition, sex ORDER BY age_from) AS previous_to
                FROM expected_prevalence WHERE age_to >= age_from)
            WHERE age_from > previous_to + 1 ORDER BY 1, 2""").fetchall():
        report.error(file, row, "AGE_FROM", f"the {condition} rates for {sex.lower()}s have no range for ages "
                     f"{gap_from}-{gap_to}; give a rate for them (0 if none is expected) so the ages covered run "
                     "without a gap.")
    for condition, sex, first, last, file in con.execute("""
            SELECT condition, sex, min(age_from), max(age_to), min(source_file) FROM expected_prevalence
            GROUP BY ALL ORDER BY 1, 2 DESC""").fetchall():
        report.warning(file, None, "AGE_FROM", f"{condition} rates for {sex.lower()}s cover ages {first}-{last}; "
                       "patients outside them count as not expected to have it.")
    given = {c for (c,) in con.execute("SELECT DISTINCT condition FROM expected_prevalence").fetchall()}
    for condition, indicator in (("CMD", "recorded depression as % of expected"),
                                 ("SMI", "recorded SMI as % of expected")):
        if condition not in given:
            report.warning(supplied[0], None, "CONDITION", f"no rates for {condition}: the indicator "
                           f"'{indicator}' is left out of the profile.")


SPEC = ExtractSpec(
    kind="expected_prevalence",
    user_format=True,
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
    after_folder=use_supplied,
)
