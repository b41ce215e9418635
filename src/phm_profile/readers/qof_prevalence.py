"""QOF prevalence by practice (NHS England / NHS Digital, PREVALENCE_YYYY.csv): one row per practice and
register with the register count and the patient list type its denominator uses (TOTAL, 18OV, ...)."""

from .base import Column, ExtractSpec

#: The practice code column of the QOF raw data files.
PRACTICE_CODE = Column("practice_code", ("PRACTICE_CODE", "PRAC_CODE", "ORG_CODE"), "code", code="practice",
                       label="practice code")

SPEC = ExtractSpec(
    kind="qof_prevalence",
    title="QOF prevalence by practice (PREVALENCE_YYYY)",
    table="qof_prevalence",
    columns=(
        PRACTICE_CODE,
        Column("group_code", ("GROUP_CODE", "INDICATOR_GROUP_CODE", "REGISTER_CODE"), label="register code",
               canonical="upper({})"),
        Column("register", ("REGISTER", "REGISTER_COUNT", "REGISTER_SIZE"), "count", label="register count"),
        Column("list_type", ("PATIENT_LIST_TYPE", "LIST_TYPE"), required=False, label="patient list type",
               canonical="upper({})"),
        Column("list_size", ("PRACTICE_LIST_SIZE", "LIST_SIZE", "PATIENT_LIST_SIZE"), "count", required=False,
               label="list size"),
    ),
    key=("practice_code", "group_code"),
    select_sql="""
        SELECT ? AS period, practice_code, upper(group_code) AS group_code,
               {register} AS register, upper(list_type) AS list_type, {list_size} AS list_size,
               ? AS source_file, _row AS source_row
        FROM raw
    """,
)
