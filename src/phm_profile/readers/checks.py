"""Check a staged extract value by value, in SQL, and append its typed rows when it passes.

Every check names the file, the row (as a person counts rows in the file, header = row 1) and the column.
"""

from __future__ import annotations

import re
from pathlib import Path

import duckdb

from .base import (
    CODE_FORMATS,
    MAX_EXAMPLES,
    SUPPRESSION_MARKERS,
    Column,
    ExtractSpec,
    Report,
    match_headers,
    quote_ident,
    stage_file,
)

DATE_FORMATS = ("%d%b%Y", "%Y-%m-%d", "%d/%m/%Y", "%Y%m%d", "%d-%b-%Y", "%Y-%m-%d %H:%M:%S")
PERIOD_PATTERN = r"20[0-9]{2}-[0-9]{2}"

_MARKERS_SQL = "(" + ", ".join("'" + m.replace("'", "''") + "'" for m in SUPPRESSION_MARKERS) + ")"


def period_from_name(name: str) -> str | None:
    """The financial year a file name states: 'MAPPING_NHS_GEOGRAPHIES_2019_2020' or 'PREVALENCE_1920' ->
    '2019-20'. None when the name states none."""
    stem = Path(name).stem
    m = re.search(r"(20\d\d)[_\- ]?(20\d\d)", stem)
    if m and int(m.group(2)) == int(m.group(1)) + 1:
        return f"{m.group(1)}-{m.group(2)[2:]}"
    m = re.search(r"(20\d\d)[_\-](\d\d)(?!\d)", stem)
    if m and int(m.group(2)) == (int(m.group(1)) + 1) % 100:
        return f"{m.group(1)}-{m.group(2)}"
    m = re.search(r"(?<!\d)(\d\d)(\d\d)(?!\d)", stem)
    if m and int(m.group(2)) == (int(m.group(1)) + 1) % 100:
        return f"20{m.group(1)}-{m.group(2)}"
    return None


def financial_year_sql(date_expr: str, containing: bool = False) -> str:
    """SQL for a date's financial year. An event (``containing``) falls in the April-March year that holds
    it; an extract date belongs to the year whose end (31 March) lies nearest, so list sizes published in
    April 2020 describe 2019-20."""
    first_month = 4 if containing else 10
    start = f"(CASE WHEN month({date_expr}) >= {first_month} THEN year({date_expr}) ELSE year({date_expr}) - 1 END)"
    return f"({start}::VARCHAR || '-' || right(({start} + 1)::VARCHAR, 2))"


def parse_date_sql(expr: str) -> str:
    formats = "[" + ", ".join(f"'{f}'" for f in DATE_FORMATS) + "]"
    return f"try_strptime({expr}, {formats})::DATE"


def _examples(con, sql: str, params=()) -> tuple[list[tuple], int]:
    rows = con.execute(f"SELECT * FROM ({sql}) ORDER BY 1 LIMIT {MAX_EXAMPLES}", list(params)).fetchall()
    if not rows:
        return [], 0
    total = con.execute(f"SELECT count(*) FROM ({sql})", list(params)).fetchall()[0][0]
    return rows, total


def _report_rows(report, file, header, rows, total, severity, make_message):
    for row in rows:
        getattr(report, severity)(file, row[0], header, make_message(*row[1:]))
    if total > len(rows):
        getattr(report, severity)(
            file, None, header, f"... and {total - len(rows):,} more rows with the same problem."
        )


def _check_column(con, report: Report, file: str, col: Column, header: str) -> None:
    c = quote_ident(col.name)
    if col.kind == "code":
        pattern, words = CODE_FORMATS[col.code]
        rows, total = _examples(con, f"SELECT _row FROM raw WHERE {c} IS NULL OR {c} = ''")
        _report_rows(report, file, header, rows, total, "error",
                     lambda: f"the {col.description} is blank; every row needs one.")
        rows, total = _examples(
            con, f"SELECT _row, {c} FROM raw WHERE {c} <> '' AND NOT regexp_full_match({c}, ?)", [pattern]
        )
        _report_rows(report, file, header, rows, total, "error",
                     lambda v: f"'{v}' is not {words}.")
    elif col.kind in ("count", "number"):
        cast = "BIGINT" if col.kind == "count" else "DOUBLE"
        value = f"replace({c}, ',', '')"
        # A blank in an optional column is simply not given; in a required one it is a missing value.
        marked = f"({c} IN {_MARKERS_SQL} AND {c} <> '')" if not col.required else f"({c} IS NULL OR {c} IN {_MARKERS_SQL})"
        suppressed = con.execute(f"SELECT count(*), min(_row) FROM raw WHERE {marked}").fetchall()[0]
        if suppressed[0]:
            report.warning(file, suppressed[1], header,
                           f"{suppressed[0]:,} values are suppressed or blank (such as '*' or 'c'); they are "
                           "treated as missing, not as zero.")
        not_number = (
            f"SELECT _row, {c} FROM raw WHERE {c} IS NOT NULL AND {c} NOT IN {_MARKERS_SQL} "
            f"AND try_cast({value} AS {cast}) IS NULL"
        )
        if col.kind == "count":
            not_number += f" AND NOT (try_cast({value} AS DOUBLE) IS NOT NULL AND try_cast({value} AS DOUBLE) = round(try_cast({value} AS DOUBLE)))"
        rows, total = _examples(con, not_number)
        what = "a whole number" if col.kind == "count" else "a number"
        _report_rows(report, file, header, rows, total, "error",
                     lambda v: f"'{v}' is not {what}; the {col.description} must be {what}.")
        rows, total = _examples(con, f"SELECT _row, {c} FROM raw WHERE try_cast({value} AS DOUBLE) < 0")
        _report_rows(report, file, header, rows, total, "error",
                     lambda v: f"{v} is negative; the {col.description} cannot be negative.")
    elif col.kind == "date":
        rows, total = _examples(
            con, f"SELECT _row, {c} FROM raw WHERE {c} IS NOT NULL AND {c} <> '' AND {parse_date_sql(c)} IS NULL"
        )
        _report_rows(report, file, header, rows, total, "error",
                     lambda v: f"'{v}' is not a date this tool can read (such as 01APR2020 or 2020-04-01).")
    elif col.kind == "period":
        rows, total = _examples(
            con, f"SELECT _row, {c} FROM raw WHERE {c} IS NULL OR NOT regexp_full_match({c}, ?)", [PERIOD_PATTERN]
        )
        _report_rows(report, file, header, rows, total, "error",
                     lambda v: f"'{v}' is not a financial year written like 2023-24.")


def _check_duplicates(con, report: Report, file: str, spec: ExtractSpec, found: dict[str, str]) -> None:
    if not spec.key:
        return
    key = ", ".join(quote_ident(k) for k in spec.key)
    sql = (
        f"SELECT _row, first_row, {key} FROM (SELECT _row, min(_row) OVER (PARTITION BY {key}) AS first_row, "
        f"{key} FROM raw) WHERE _row > first_row"
    )
    rows, total = _examples(con, sql)
    headers = " / ".join(found.get(k, k) for k in spec.key)
    for row in rows:
        values = ", ".join(str(v) for v in row[2:])
        report.error(file, row[0], headers, f"{values} appears twice (first at row {row[1]}); each "
                     f"{' and '.join(k.replace('_', ' ') for k in spec.key)} may appear only once.")
    if total > len(rows):
        report.error(file, None, headers, f"... and {total - len(rows):,} more duplicate rows.")


def stage_and_check(
    con: duckdb.DuckDBPyConnection, spec: ExtractSpec, path: Path, report: Report, headers: list[str]
) -> bool:
    """Stage ``path`` as view ``raw`` with canonical VARCHAR columns and check every value.

    Returns True when the file has no errors (warnings allowed)."""
    file = path.name
    before = len(report.errors)
    found, missing = match_headers(spec, headers)
    for col in missing:
        report.error(file, 1, col.aliases[0],
                     f"the column {col.aliases[0]} ({col.description}) is missing. This file looks like "
                     f"{spec.title}, which needs it. The headers found were: {', '.join(map(str, headers))}.")
    if missing:
        return False
    first_row = stage_file(con, path, headers)
    selects = [f"(rowid + {int(first_row)})::BIGINT AS _row"]
    for col in spec.columns:
        if col.name in found:
            value = f"trim(CAST({quote_ident(found[col.name])} AS VARCHAR))"
            if col.kind == "code":
                value = f"upper({value})"
            selects.append(f"{value} AS {quote_ident(col.name)}")
        else:
            selects.append(f"NULL::VARCHAR AS {quote_ident(col.name)}")
    con.execute(f"CREATE OR REPLACE TEMP VIEW raw_all AS SELECT {', '.join(selects)} FROM raw_file")
    keep = "TRUE"
    if spec.skip_where:
        skipped = con.execute(f"SELECT count(*), min(_row) FROM raw_all WHERE {spec.skip_where}").fetchall()[0]
        if skipped[0]:
            report.warning(file, skipped[1], None, f"{skipped[0]:,} rows left out: {spec.skip_reason}")
            keep = f"NOT ({spec.skip_where})"
    con.execute(f"CREATE OR REPLACE TEMP VIEW raw AS SELECT * FROM raw_all WHERE {keep}")
    if con.execute("SELECT count(*) FROM raw").fetchall()[0][0] == 0:
        report.error(file, 2, None, "the file has headers but no data rows.")
        return False
    for col in spec.columns:
        if col.name in found:
            _check_column(con, report, file, col, found[col.name])
    _check_duplicates(con, report, file, spec, found)
    return len(report.errors) == before


def numeric_sql(name: str, kind: str = "count") -> str:
    """SQL turning a checked VARCHAR column into a number, markers into NULL."""
    c = quote_ident(name)
    cast = "BIGINT" if kind == "count" else "DOUBLE"
    inner = f"replace({c}, ',', '')"
    if kind == "count":
        inner = f"round(try_cast({inner} AS DOUBLE))"
    return f"(CASE WHEN {c} IS NULL OR {c} IN {_MARKERS_SQL} THEN NULL ELSE try_cast({inner} AS {cast}) END)"
