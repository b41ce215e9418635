"""Practice -> PCN -> sub-ICB -> ICB -> region: NHS Digital's QOF geography mapping
(MAPPING_NHS_GEOGRAPHIES_YYYY_YYYY, three header generations: CCG/STP, SUB_ICB_LOC/ICB, SUB_ICB/ICB) and the
ePCN workbook's core partner sheet (Partner Organisation Code, PCN Code, ...; the other sheets are passed over).
ePCN also lists memberships that have ended, with an end date: they are left out, so each practice keeps the
PCN it belongs to now. The registrations' practice map (gp-reg-pat-prac-map) is a mapping too, its rows dated by
EXTRACT_DATE (several months in one file); the models pick one month per financial year (sql/staging/extract_dates.sql).
A file whose name gives no financial year (ePCN.xlsx as published) is dated by its latest membership start,
with a warning. When several mappings cover one year, the models use one (MAPPING_PRECEDENCE in
sql/intermediate/practice_pcn.sql: the QOF mapping, the registrations' map, then ePCN) and the build says so."""

from .base import Column, ExtractSpec

def check_typed(con, file: str, report) -> None:
    """Practices in no PCN (code U) and a mapping without ICB codes (ePCN): kept, said."""
    unallocated = con.execute("SELECT count(DISTINCT practice_code), min(source_row) FROM typed "
                              "WHERE pcn_code IS NULL").fetchall()[0]
    if unallocated[0]:
        report.warning(file, unallocated[1], "PCN code",
                       f"{unallocated[0]:,} practices are in no PCN (code U); they count towards ICB and "
                       "England figures but no PCN's.")
    if not con.execute("SELECT count(icb_code) FROM typed").fetchall()[0][0]:
        report.warning(file, None, None, "this mapping gives no ICB codes (the ePCN core partner sheet has "
                       "none), so its PCNs have no ICB figures or ICB comparison; for those, load the QOF "
                       "mapping file (MAPPING_NHS_GEOGRAPHIES) for the same year instead.")


def one_file_per_mapping(con, files: list[str], report) -> None:
    """Two files of one mapping for one year and month that map every practice alike (the publisher's CSV and a
    Parquet copy of it, or the QOF zip's mapping beside a download of it) are one: the first by name is used, the
    others left out, said. Two that map practices otherwise are refused (which is meant is not for the tool to
    guess): rules.CROSS_FILE names them."""
    groups = con.execute("""
        SELECT period, mapping_source, extract_date, list(DISTINCT source_file ORDER BY source_file) AS files
        FROM practice_mapping GROUP BY ALL HAVING count(DISTINCT source_file) > 1 ORDER BY period""").fetchall()
    for period, source, extract_date, (used, *others) in groups:
        for other in others:
            differ = con.execute("""
                WITH a AS (SELECT practice_code, pcn_code, sub_icb_code, icb_code FROM practice_mapping
                           WHERE source_file = ? AND period = ? AND extract_date IS NOT DISTINCT FROM ?),
                     b AS (SELECT practice_code, pcn_code, sub_icb_code, icb_code FROM practice_mapping
                           WHERE source_file = ? AND period = ? AND extract_date IS NOT DISTINCT FROM ?)
                SELECT (SELECT count(*) FROM (SELECT * FROM a EXCEPT ALL SELECT * FROM b))
                     + (SELECT count(*) FROM (SELECT * FROM b EXCEPT ALL SELECT * FROM a))""",
                                 [used, period, extract_date, other, period, extract_date]).fetchall()[0][0]
            if differ:
                continue  # refused by rules.CROSS_FILE ("holds the same data as ...; keep one of them")
            con.execute("DELETE FROM practice_mapping WHERE source_file = ? AND period = ? AND "
                        "extract_date IS NOT DISTINCT FROM ?", [other, period, extract_date])
            report.warning(other, None, None, f"{used} and this file are both the {source} for {period} and map "
                           f"every practice alike; {used} is used and this file is left out.")


SPEC = ExtractSpec(
    kind="practice_mapping",
    title="a practice-to-PCN mapping (QOF MAPPING_NHS_GEOGRAPHIES or ePCN)",
    table="practice_mapping",
    columns=(
        Column("practice_code", ("PRACTICE_CODE", "PARTNER_ORGANISATION_CODE", "PRACTICE_ODS_CODE"), "code",
               code="practice", label="practice code"),
        Column("practice_name", ("PRACTICE_NAME", "PARTNER_NAME"), required=False),
        Column("pcn_code", ("PCN_ODS_CODE", "PCN_CODE"), "code", code="pcn_or_none", label="PCN code"),
        Column("pcn_name", ("PCN_NAME",), required=False),
        Column("sub_icb_code", ("SUB_ICB_ODS_CODE", "SUB_ICB_LOC_ODS_CODE", "CCG_ODS_CODE",
                                "PRACTICE_PARENT_SUB_ICB_LOC_CODE", "SUB_ICB_LOCATION_CODE"), "code",
               required=False, code="sub_icb", label="sub-ICB location code"),
        Column("sub_icb_ons_code", ("SUB_ICB_ONS_CODE", "SUB_ICB_LOC_ONS_CODE", "CCG_ONS_CODE",
                                    "ONS_SUB_ICB_LOCATION_CODE"), required=False),
        Column("sub_icb_name", ("SUB_ICB_NAME", "SUB_ICB_LOC_NAME", "CCG_NAME",
                                "PRACTICE_PARENT_SUB_ICB_LOC_NAME"), required=False),
        Column("icb_code", ("ICB_ODS_CODE", "STP_ODS_CODE", "ICB_CODE"), "code", required=False, code="icb",
               label="ICB code"),
        Column("icb_name", ("ICB_NAME", "STP_NAME"), required=False),
        Column("region_code", ("REGION_ODS_CODE", "REGION_CODE", "COMM_REGION_CODE"), "code", required=False,
               code="region", label="region code"),
        Column("region_name", ("REGION_NAME", "COMM_REGION_NAME"), required=False),
        Column("relationship_start", ("PRACTICE_TO_PCN_RELATIONSHIP_START_DATE", "RELATIONSHIP_START_DATE"),
               "date", required=False, label="start of the practice's membership of the PCN"),
        Column("relationship_end", ("PRACTICE_TO_PCN_RELATIONSHIP_END_DATE", "RELATIONSHIP_END_DATE"), "date",
               required=False, label="end of the practice's membership of the PCN"),
        # The registrations' practice map (gp-reg-pat-prac-map) dates its rows, several months to a file.
        Column("extract_date", ("EXTRACT_DATE",), "date", required=False, label="extract date"),
    ),
    key=("extract_date", "practice_code"),
    dated_by="relationship_start",
    skip_where="relationship_end IS NOT NULL AND relationship_end <> ''",
    skip_reason="they are memberships of a PCN that have ended (an end date is given); each practice keeps the "
                "PCN it belongs to now.",
    select_sql="""
        SELECT coalesce({period}, ?) AS period, practice_code, practice_name,
               CASE WHEN pcn_code = 'U' THEN NULL ELSE pcn_code END AS pcn_code, pcn_name,
               sub_icb_code, upper(sub_icb_ons_code) AS sub_icb_ons_code, sub_icb_name, icb_code, icb_name, region_code, region_name, {date} AS extract_date,
               CASE WHEN {date} IS NOT NULL THEN 'registrations map'
                    WHEN relationship_start IS NOT NULL OR relationship_end IS NOT NULL THEN 'ePCN'
                    ELSE 'QOF mapping' END AS mapping_source,
               ? AS source_file, _row AS source_row
        FROM raw
    """,
    check_typed=check_typed,
    after_folder=one_file_per_mapping,
)
