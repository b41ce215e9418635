"""English Indices of Deprivation by LSOA, any edition: IMD 2019 on 2011 LSOAs (File 7 as CSV, File 1 as XLSX, or
a lookup carrying the decile: LSOA_CODE, IMD_OVERALL) and IMD 2025 on 2021 LSOAs (File 1 with its Notes sheet
first and its last header cut short as published, Files 5 and 7, or a derived table such as lsoa21cd, IMD_score,
IMD_rank, IMD_decile). Each file's edition is read from its headers and name (``edition_of``); when a folder holds
several files of one edition, the one with scores (else the most LSOAs) is used (``one_file_per_edition``)."""

from __future__ import annotations

import re

from .base import Column, ExtractSpec, Report, normalise_header

#: England's LSOAs: 32,844 of 2011 (which IMD 2019 ranks, 1 = most deprived), 33,755 of 2021 (IMD 2025).
LSOAS = {2011: 32_844, 2021: 33_755}
LSOAS_2011 = LSOAS[2011]

#: The LSOAs each edition of the index was published on (MHCLG; SOURCES.md): an edition not listed is taken to be
#: on the LSOAs its headers name.
LSOA_EDITION = {2019: 2011, 2025: 2021}


def edition_of(headers: dict[str, str], name: str, report: Report) -> tuple[int, int]:
    """(index edition, LSOA edition) of a file: the LSOAs from its LSOA column's header ('LSOA code (2021)',
    lsoa21cd), the index from its name or folder (IoD2025, imd2019, IMD25); each from the other where only one
    is written; IMD 2019 on 2011 LSOAs, said, where neither is."""
    from ..geo import lsoa_edition

    lsoas = lsoa_edition(headers.get("lsoa_code", ""), "")
    index = None
    # the file's own name first, then its folders, innermost first: IoD2025, imd2019, IMD25 (not PERIOD_2025)
    for part in reversed(name.split("/")):
        text = normalise_header(part)
        found = (re.search(r"(?<![A-Z])(?:IMD|IOD)_?(20[1-9]\d)(?!\d)", text)
                 or re.search(r"(?<![A-Z])(?:IMD|IOD)_?(1[5-9]|[2-9]\d)(?!\d)", text))
        if found:
            year = int(found.group(1))
            index = year if year > 2000 else 2000 + year
            break
    if index in LSOA_EDITION and lsoas is not None and LSOA_EDITION[index] != lsoas:
        report.warning(name, 1, headers.get("lsoa_code"), f"the name says IMD {index}, which is on {LSOA_EDITION[index]} "
                       f"LSOAs, but the LSOA column is of {lsoas} LSOAs; the column is believed: it is taken as the "
                       f"index published on {lsoas} LSOAs.")
        index = None
    if index is None and lsoas is not None:
        index = max((e for e, l in LSOA_EDITION.items() if l == lsoas), default=None)
    if lsoas is None and index is not None:
        lsoas = LSOA_EDITION.get(index, 2021 if index > 2019 else 2011)
    if index is None or lsoas is None:
        report.warning(name, 1, headers.get("lsoa_code"), "neither the headers nor the name say which edition of "
                       "the index this is; it is taken as IMD 2019 on 2011 LSOAs (put imd2025 in the name to "
                       "say otherwise).")
        return 2019, 2011
    return index, lsoas


def _check_ranks(con, file: str, report: Report) -> None:
    """A rank above the number of England's LSOAs of the file's own LSOA edition."""
    rows = con.execute("SELECT source_row, imd_rank, lsoa_edition FROM typed WHERE imd_rank > "
                       "CASE lsoa_edition WHEN 2011 THEN ? ELSE ? END ORDER BY source_row LIMIT 1",
                       [LSOAS[2011], LSOAS[2021]]).fetchall()
    if rows:
        row, rank, lsoas = rows[0]
        report.error(file, row, "IMD rank", f"the rank {rank:,} is above the number of England's {lsoas} LSOAs "
                     f"({LSOAS[lsoas]:,}); ranks run from 1 (most deprived) to {LSOAS[lsoas]:,}.")


def one_file_per_edition(con, files: list[str], report: Report) -> None:
    """Of several files of one edition (File 1 and File 7, or a derived table beside them), the one with scores
    among those covering (nearly: 90%) the most LSOAs is used, else the one with the most LSOAs; the others are
    left out, said; deciles that disagree are said too."""
    editions = con.execute("""
        SELECT edition, source_file, lsoas, scores FROM (
            SELECT edition, source_file, count(*) AS lsoas, count(imd_score) AS scores FROM imd GROUP BY ALL)
        ORDER BY edition, lsoas >= 0.9 * max(lsoas) OVER (PARTITION BY edition) DESC, scores DESC, lsoas DESC,
                 source_file""").fetchall()
    kept: dict[int, tuple[str, int]] = {}
    for edition, file, lsoas, scores in editions:
        if edition not in kept:
            kept[edition] = file, scores, lsoas
            continue
        used, used_scores, used_lsoas = kept[edition]
        differ, example = con.execute("""
            SELECT count(*), min(a.lsoa_code) FROM imd a JOIN imd b USING (edition, lsoa_code)
            WHERE a.source_file = ? AND b.source_file = ? AND a.imd_decile <> b.imd_decile""",
                                      [used, file]).fetchall()[0]
        con.execute("DELETE FROM imd WHERE source_file = ?", [file])
        why = ("it has scores" if used_scores and not scores else "it has the most LSOAs" if used_lsoas > lsoas
               else "they hold as many LSOAs; the first by name")
        report.warning(file, None, None, f"{used} and this file both give IMD {edition}; {used} is used ({why}) "
                       "and this file is left out." + (f" Their deciles differ for {differ:,} LSOAs (such as "
                                                       f"{example})." if differ else ""))


SPEC = ExtractSpec(
    kind="imd",
    title="the Index of Multiple Deprivation by LSOA",
    table="imd",
    columns=(
        Column("lsoa_code", ("LSOA_CODE_2011", "LSOA_CODE_2021", "LSOA_CODE", "LSOA11CD", "LSOA21CD",
                             "LSOA_CODE_2011_"), "code", code="lsoa", label="LSOA code"),
        Column("lsoa_name", ("LSOA_NAME_2011", "LSOA_NAME_2021", "LSOA_NAME", "LSOA11NM", "LSOA21NM"), required=False),
        Column("lad_code", ("LOCAL_AUTHORITY_DISTRICT_CODE_2019", "LOCAL_AUTHORITY_DISTRICT_CODE_2024", "LAD_CODE",
                            "LAD19CD", "LAD24CD"), required=False),
        Column("lad_name", ("LOCAL_AUTHORITY_DISTRICT_NAME_2019", "LOCAL_AUTHORITY_DISTRICT_NAME_2024", "LAD_NAME",
                            "LAD19NM", "LAD24NM"), required=False),
        Column("imd_score", ("INDEX_OF_MULTIPLE_DEPRIVATION_IMD_SCORE", "IMD_SCORE", "IMD19_SCORE", "IMD25_SCORE"),
               "number", required=False, label="IMD score", minimum=0, maximum=100),
        Column("imd_rank", ("INDEX_OF_MULTIPLE_DEPRIVATION_IMD_RANK_WHERE_1_IS_MOST_DEPRIVED",
                            "INDEX_OF_MULTIPLE_DEPRIVATION_IMD_RANK", "IMD_RANK", "IMD19_RANK", "IMD25_RANK"), "count",
               required=False, label="IMD rank", minimum=1, maximum=max(LSOAS.values())),
        Column("imd_decile", ("INDEX_OF_MULTIPLE_DEPRIVATION_IMD_DECILE_WHERE_1_IS_MOST_DEPRIVED_10%_OF_LSOAS",
                              # IoD2025 File 1 as published: the header is cut short.
                              "INDEX_OF_MULTIPLE_DEPRIVATION_IMD_DECILE_WHERE_1_IS_MOST_DEPRIVED_10%_OF_LSOA",
                              "INDEX_OF_MULTIPLE_DEPRIVATION_IMD_DECILE", "IMD_DECILE", "IMD_OVERALL",
                              "IMD19_DECILE", "IMD25_DECILE"), "count", label="IMD decile", minimum=1, maximum=10),
    ),
    key=("lsoa_code",),
    skip_where="lsoa_code LIKE 'W%'",
    skip_reason="Welsh LSOAs; the English index covers England only.",
    needs_period=False,
    from_headers=edition_of,
    check_typed=_check_ranks,
    after_folder=one_file_per_edition,
    select_sql="""
        SELECT ?::INTEGER AS edition, ?::INTEGER AS lsoa_edition, lsoa_code, lsoa_name, lad_code, lad_name,
               {imd_score} AS imd_score, {imd_rank} AS imd_rank, {imd_decile} AS imd_decile, ? AS source_file,
               _row AS source_row
        FROM raw
    """,
)
