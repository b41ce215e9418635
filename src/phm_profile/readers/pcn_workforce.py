"""NHS England's Primary Care Network Workforce, individual-level CSV (monthly; the zip PCNWFIndividualCSV.MMYYYY.zip
holds it beside a definitions workbook and a PDF guide): one row per PCN, person and role. Data_source is
``NWRS Staff`` (staff the PCN employs; UNIQUE_IDENTIFIER is one person, so a headcount can be made) or ``NWRS
contracted services`` (staff contracted from another organisation, such as the mental-health trust's MHPs: FTE, no
identifier). FTE 1.0 is 37.5 hours a week. Each row is dated by CENSUS_YEAR and CENSUS_MONTH (an edition).

Mental Health Practitioners are the roles the publisher tags: STAFF_ROLE ending "(Mental Health Practitioners)",
DETAILED_STAFF_ROLE ending "(Mental Health Practitioner - Adult)" or "(... - Children and Young People)". The same
roles without the tag (social prescribing link workers, mental health and wellbeing practitioners outside the
scheme) are other staff: kept, with the stem of their role, so they can be shown apart. Early editions (2021-22)
have no tagged role at all: the publisher did not count MHPs yet (marts/pcn_mhp_in_post.sql says so).

An identifier written as a number with decimals (``145743.0``, as a spreadsheet saves it) is the same person as
``145743``. Every row is kept (the whole team of a PCN can be shown); rows that do not fit are named: a negative FTE is left out,
a PCN code in no mapping is kept under its code (store's after-folder step says which)."""

from __future__ import annotations

from .base import Column, ExtractSpec

#: How the publisher tags an MHP role, and its two kinds (lower case; matched case-blind).
MHP_TAG = "(mental health practitioners)"
MHP_DETAIL = "(mental health practitioner"
ADULT_TAG = "- adult)"
CYP_TAG = "- children and young people)"

#: The staff role without the MHP tag: "Social Prescribing Link Workers (Mental Health Practitioners)" ->
#: "Social Prescribing Link Workers", so the tagged and untagged forms of a role are found as one.
ROLE_STEM = r"trim(regexp_replace(staff_role, '\s*\(mental health practitioners\)\s*$', '', 'i'))"

SELECT_SQL = f"""
    SELECT make_date({{census_year}}::INTEGER, {{census_month}}::INTEGER, 1) AS census,
           CAST({{census_year}} - ({{census_month}} < 4)::INTEGER AS VARCHAR) || '-'
             || right(CAST({{census_year}} - ({{census_month}} < 4)::INTEGER + 1 AS VARCHAR), 2) AS period,
           data_source,
           CASE WHEN lower(data_source) LIKE '%contracted%' THEN 'contracted'
                WHEN lower(data_source) LIKE '%staff%' THEN 'employed' END AS employment,
           pcn_code, pcn_name, sub_icb_code, icb_code, icb_name, region_code,
           staff_group, staff_role, detailed_role, {ROLE_STEM} AS role_stem,
           (lower(staff_role) LIKE '%{MHP_TAG}%' OR lower(detailed_role) LIKE '%{MHP_DETAIL} -%') AS is_mhp,
           CASE WHEN NOT (lower(staff_role) LIKE '%{MHP_TAG}%' OR lower(detailed_role) LIKE '%{MHP_DETAIL} -%')
                THEN NULL
                WHEN lower(detailed_role) LIKE '%{CYP_TAG}%' THEN 'cyp'
                WHEN lower(detailed_role) LIKE '%{ADULT_TAG}%' THEN 'adult'
                ELSE 'unknown' END AS mhp_role,
           {{fte}} AS fte, regexp_replace(nullif(nullif(trim(person_id), ''), 'NULL'), '\.0+$', '') AS person_id,
           ? AS source_file, _row AS source_row
    FROM raw
"""


def check_typed(con, file: str, report) -> None:
    """Rows that do not fit, said with their first row and counted: a negative FTE (left out), an MHP role that
    is neither adult nor CYP, a data source that is neither employed staff nor contracted services (both kept)."""
    negative = con.execute("SELECT count(*), min(source_row) FROM typed WHERE fte < 0").fetchall()[0]
    if negative[0]:
        report.warning(file, negative[1], "FTE", f"{negative[0]:,} row{'s' if negative[0] > 1 else ''} with a "
                       "negative FTE left out (no post is less than none); the rest of the file is used.")
        con.execute("DELETE FROM typed WHERE fte < 0")
    unknown = con.execute("SELECT count(*), min(source_row), any_value(detailed_role) FROM typed "
                          "WHERE mhp_role = 'unknown'").fetchall()[0]
    if unknown[0]:
        report.warning(file, unknown[1], "DETAILED_STAFF_ROLE", f"{unknown[0]:,} Mental Health Practitioner "
                       f"row(s) say neither adult nor children and young people (such as '{unknown[2]}'): counted "
                       "in the MHP FTE, in neither role.")
    source = con.execute("SELECT count(*), min(source_row), any_value(data_source) FROM typed "
                         "WHERE employment IS NULL").fetchall()[0]
    if source[0]:
        report.warning(file, source[1], "Data_source", f"{source[0]:,} row(s) are from a data source that is "
                       f"neither NWRS Staff nor NWRS contracted services (such as '{source[2]}'): counted in the "
                       "totals, as neither employed nor contracted.")


def check_folder(con, files: list[str], report) -> None:
    """Across the folder: one file per edition (two files of one census month are refused: which is meant is not
    for the tool to guess), and the PCN codes in no loaded practice-to-PCN mapping, kept under their codes and
    named."""
    if not files:
        return
    for census, names in con.execute("""
            SELECT census, list(DISTINCT source_file ORDER BY source_file) FROM pcn_workforce
            GROUP BY census HAVING count(DISTINCT source_file) > 1 ORDER BY census""").fetchall():
        report.error(names[1], None, "CENSUS_MONTH", f"this file and {names[0]} are both the PCN Workforce of "
                     f"{census:%B %Y}; keep one of them (loading both would count its staff twice).")
    if not con.execute("SELECT count(*) FROM practice_mapping").fetchall()[0][0]:
        return
    for file, row, codes, pcns, rows in con.execute("""
            SELECT source_file, min(source_row), list(DISTINCT pcn_code ORDER BY pcn_code)[:5],
                   count(DISTINCT pcn_code), count(*)
            FROM pcn_workforce
            WHERE pcn_code NOT IN (SELECT pcn_code FROM practice_mapping WHERE pcn_code IS NOT NULL)
            GROUP BY source_file ORDER BY source_file""").fetchall():
        report.warning(file, row, "PCN_CODE", f"{pcns:,} PCN code(s) in {rows:,} rows are in no practice-to-PCN "
                       f"mapping loaded (such as {', '.join(codes)}): their staff are kept under their codes (in the "
                       "export and the England totals), but no list size or need is known for them.")


SPEC = ExtractSpec(
    kind="pcn_workforce",
    title="NHS England's PCN Workforce (individual-level CSV)",
    table="pcn_workforce",
    columns=(
        Column("data_source", ("DATA_SOURCE",), label="data source"),
        Column("census_year", ("CENSUS_YEAR",), "count", label="census year", minimum=2015, maximum=2100),
        Column("census_month", ("CENSUS_MONTH",), "count", label="census month", minimum=1, maximum=12),
        Column("pcn_code", ("PCN_CODE",), "code", code="pcn", label="PCN code"),
        Column("pcn_name", ("PCN_NAME",), required=False),
        Column("sub_icb_code", ("SUB_ICB_CODE", "SUB_ICB_LOCATION_CODE", "CCG_CODE"), required=False),
        Column("icb_code", ("ICB_CODE", "STP_CODE"), required=False),
        Column("icb_name", ("ICB_NAME", "STP_NAME"), required=False),
        Column("region_code", ("COMM_REGION_CODE", "REGION_CODE"), required=False),
        Column("staff_group", ("STAFF_GROUP",), label="staff group"),
        Column("staff_role", ("STAFF_ROLE",), label="staff role"),
        Column("detailed_role", ("DETAILED_STAFF_ROLE",), label="detailed staff role"),
        Column("fte", ("FTE",), "number", label="FTE", signed=True),
        Column("person_id", ("UNIQUE_IDENTIFIER",), required=False, label="unique identifier"),
    ),
    needs_period=False,
    select_sql=SELECT_SQL,
    check_typed=check_typed,
    after_folder=check_folder,
)
