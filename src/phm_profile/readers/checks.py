"""Check a staged extract value by value, in SQL, and append its typed rows when it passes.

Every check names the file, the row (as a person counts rows in the file, header = row 1) and the column.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import duckdb

from .base import (
    CODE_FORMATS,
    MAX_EXAMPLES,
    SUPPRESSION_MARKERS,
    Column,
    ExtractSpec,
    Report,
    colliding_headers,
    match_headers,
    quote_ident,
    rejected_rows,
    stage_file,
)

DATE_FORMATS = ("%d%b%Y", "%Y-%m-%d", "%d/%m/%Y", "%Y%m%d", "%d-%b-%Y", "%Y-%m-%d %H:%M:%S", "%B %Y")
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
    """SQL reading a date in any of DATE_FORMATS; ISO dates take the fast path. A two-digit year (01APR24,
    01/04/24), which the formats read as the year 24, is read as 2024 (as 19xx from 70 on). Each parse is written
    once, inside a one-element list_transform: DuckDB would evaluate a repeated strptime for every row."""
    formats = "[" + ", ".join(f"'{f}'" for f in DATE_FORMATS) + "]"
    other = (f"list_transform([try_strptime({expr}, {formats})::DATE], lambda d: CASE "
             "WHEN year(d) < 70 THEN (d + INTERVAL 2000 YEAR)::DATE WHEN year(d) < 100 THEN (d + INTERVAL 1900 YEAR)::DATE "
             "ELSE d END)[1]")
    return f"CASE WHEN {expr} LIKE '____-__-__%' THEN try_cast({expr} AS DATE) ELSE {other} END"


@dataclass
class _Check:
    """One rule over the staged rows: ``where`` selects the offending rows, ``shows`` the values quoted."""

    header: str
    severity: str
    where: str
    message: Callable[..., str]
    shows: tuple[str, ...] = ()
    summary: bool = False  # one message for all rows (with the first row), not one per example


def describe_characters(value: str) -> str:
    """The characters of a value that are not plain printable ASCII, named (a Cyrillic look-alike, a zero-width
    space), for a message."""
    odd = sorted({ch for ch in str(value) if not " " <= ch <= "~"}, key=str(value).index)
    return ", ".join(f"{unicodedata.name(ch, 'an unnamed character')} (U+{ord(ch):04X})" for ch in odd)


def _finite(value) -> bool:
    try:
        return abs(float(str(value).replace(",", ""))) < float("inf")
    except ValueError:
        return False


def _identity_checks(col: Column, header: str) -> list[_Check]:
    """A code or key must be plain printable ASCII: a look-alike letter or an invisible character would make it
    another code that matches nothing, and the row would vanish from the figures."""
    c = quote_ident(col.name)
    return [_Check(header, "error", f"(strlen({c}) <> length({c}) OR regexp_matches({c}, '[\\x00-\\x1f\\x7f]'))",
                   lambda v: f"'{v}' contains {describe_characters(v)}, which a code cannot hold (a look-alike "
                   "letter or an invisible character, often pasted in); type the code again.", (c,))]


def _column_checks(col: Column, header: str, key: bool = False, strict: bool = True) -> list[_Check]:
    """The checks of one column. Codes are checked against their format (whose message names any look-alike or
    invisible character); text that is part of a key of several columns (a register code, a sex, an age band)
    must be plain printable ASCII. A NUL byte anywhere in a CSV is found when it is read (base.stage_file)."""
    identity = _identity_checks(col, header) if key and col.kind != "code" else []
    return identity + _value_checks(col, header, strict)


def _value_checks(col: Column, header: str, strict: bool = True) -> list[_Check]:
    """The checks of one column's values. ``strict``: a code of an unexpected shape is an error (a file a user
    makes), else a warning (a published extract)."""
    c = quote_ident(col.name)
    if col.kind == "code":
        pattern, words = CODE_FORMATS[col.code]
        pattern = pattern.replace("'", "''")
        return [
            _Check(header, "error", f"{c} IS NULL OR {c} = ''",
                   lambda: f"the {col.description} is blank; every row needs one."),
            # A look-alike letter or an invisible character: not what the publisher published (pasted in).
            _Check(header, "error", f"{c} <> '' AND NOT regexp_full_match({c}, '{pattern}') AND "
                                    f"(strlen({c}) <> length({c}) OR NOT regexp_full_match({c}, '[\x21-\x7e]+'))",
                   lambda v: f"'{v}' is not {words}. It contains {describe_characters(v) or 'a space or a control character'},"
                             " a look-alike letter or an invisible character, often pasted in; type the code again.",
                   (c,)),
            # Plain letters and digits of a shape the product does not expect: a file a user makes is held to its
            # documented format; in a published extract it is the publisher's (new code shapes appear: the ICBs
            # of 2026), kept as published, counted and said.
            _Check(header, "error" if strict else "warning",
                   f"{c} <> '' AND NOT regexp_full_match({c}, '{pattern}') AND strlen({c}) = length({c}) AND "
                   f"regexp_full_match({c}, '[\x21-\x7e]+')",
                   (lambda v: f"'{v}' is not {words}.") if strict else
                   (lambda n: f"{n:,} {'row' if n == 1 else 'rows'}: the {col.description} is of a shape this "
                              f"tool does not expect (not {words}); kept as published."), () if not strict else (c,),
                   summary=not strict),
        ]
    if col.kind in ("count", "number"):
        # A blank in an optional column is simply not given; in a required one it is a missing value.
        marked = (f"({c} IN {_MARKERS_SQL} AND {c} <> '')" if not col.required
                  else f"({c} IS NULL OR {c} IN {_MARKERS_SQL})")
        # No suppression marker reads as a number, so a value read as a number was given. Each rule tests
        # the staged number first: the text is looked at only for the few values that are not numbers.
        as_double = number_column(col.name)
        given = f"{c} IS NOT NULL AND {c} NOT IN {_MARKERS_SQL}"
        what = "a whole number" if col.kind == "count" else "a number"
        checks = []
        if col.kind == "count":
            # Some publications carry estimated list sizes with decimals (QOF 2019-20 for a few practices):
            # they are rounded, and said so.
            checks.append(_Check(header, "warning", f"{as_double} <> round({as_double})",
                                 lambda n: f"{n:,} values are not whole numbers (estimates); they are rounded to "
                                 "the nearest whole number.", summary=True))
        negative = [] if col.signed else [
            _Check(header, "error", f"{as_double} < 0",
                   lambda v: f"{v} is negative; the {col.description} cannot be negative.", (c,))]
        # Values that read as numbers but would change the figures silently.
        too_large = f" OR abs({as_double}) >= 1e15" if col.kind == "count" else ""
        negative += [
            _Check(header, "error", f"NOT isfinite({as_double}){too_large}",
                   lambda v: f"{v} is too large to be a count of people." if _finite(v) else
                   f"'{v}' is not a finite number; the {col.description} must be {what}.", (c,)),
            _Check(header, "error", f"contains({c}, ',') AND NOT regexp_full_match(" + c +
                                    ", '-?[0-9]{1,3}(,[0-9]{3})+(\\.[0-9]+)?') AND " + f"{as_double} IS NOT NULL",
                   lambda v: f"'{v}' has its thousands separators in the wrong places; write the number without "
                   "commas (4563) or with one every three digits (4,563).", (c,)),
        ]
        if col.minimum is not None or col.maximum is not None:
            low = -1e308 if col.minimum is None else col.minimum
            high = 1e308 if col.maximum is None else col.maximum
            within = (f"from {col.minimum:g} to {col.maximum:g}" if col.minimum is not None and col.maximum is not None
                      else f"at least {col.minimum:g}" if col.minimum is not None else f"at most {col.maximum:g}")
            kept = " (kept as published; it matches nothing that uses it)" if col.range_severity == "warning" else ""
            negative.append(_Check(header, col.range_severity, f"NOT isinf({as_double}) AND NOT isnan({as_double}) "
                                                                f"AND ({as_double} < {low} OR {as_double} > {high})",
                                   lambda v: f"{v} is out of range; the {col.description} runs {within}{kept}.",
                                   (c,)))
        return checks + [
            _Check(header, "warning", f"{as_double} IS NULL AND {marked}",
                   lambda n: f"{n:,} values are suppressed or blank (such as '*' or 'c'); they are treated "
                   "as missing, not as zero.", summary=True),
            _Check(header, "error", f"{as_double} IS NULL AND {given}",
                   lambda v: f"'{v}' is not {what}; the {col.description} must be {what}.", (c,)),
        ] + negative
    if col.kind == "date":
        d = date_column(col.name)
        return [_Check(header, "error", f"{d} IS NULL AND {c} IS NOT NULL AND {c} <> ''",
                       lambda v: f"'{v}' is not a date this tool can read (such as 01APR2020 or 2020-04-01).",
                       (c,)),
                _Check(header, "error", f"year({d}) < 1948 OR year({d}) > 2100",
                       lambda v: f"'{v}' is not a plausible date (before the NHS, or after 2100).", (c,))]
    if col.kind == "period":
        return [_Check(header, "error", f"{c} IS NULL OR NOT regexp_full_match({c}, '{PERIOD_PATTERN}')",
                       lambda v: f"'{v}' is not a financial year written like 2023-24.", (c,))]
    return []


def _run_checks(con, report: Report, file: str, checks: list[_Check], key: str | None) -> int:
    """Count every rule's offending rows in one scan; fetch examples only for rules that found some. The same
    scan counts the rows whose ``key`` (SQL) hashes like an earlier row's: candidate duplicates (returned)."""
    aggregates = [f"count(*) FILTER (WHERE {ch.where})" for ch in checks]
    aggregates.append(f"count(*) - count(DISTINCT hash({key}))" if key else "0")
    found = con.execute(f"SELECT {', '.join(aggregates)} FROM raw").fetchall()[0]
    for i, ch in enumerate(checks):
        total = found[i]
        if not total:
            continue
        add = getattr(report, ch.severity)
        if ch.summary:
            first = con.execute(f"SELECT min(_row) FROM raw WHERE {ch.where}").fetchall()[0][0]
            add(file, first, ch.header, ch.message(total))
            continue
        shows = "".join(", " + s for s in ch.shows)
        rows = con.execute(
            f"SELECT _row{shows} FROM raw WHERE {ch.where} ORDER BY _row LIMIT {MAX_EXAMPLES}"
        ).fetchall()
        for row in rows:
            add(file, row[0], ch.header, ch.message(*row[1:]))
        if total > len(rows):
            add(file, None, ch.header, f"... and {total - len(rows):,} more rows with the same problem.")
    return found[-1]


#: The widest range of whole-number identifiers proved distinct with a bitmap (one bit per value: 32 MB).
BITMAP_RANGE = 1 << 28


def _distinct_whole_numbers(con, column: str) -> bool:
    """True when every row's ``column`` is a whole number and no two rows share one (record extracts number
    their records), proved with one bit per possible value in two streaming passes instead of a hash table of
    every value. False says nothing: the duplicate search then runs as usual."""
    value = f"try_cast({column} AS BIGINT)"
    low, high, rows, other = con.execute(
        f"SELECT min({value}), max({value}), count(*), count(*) FILTER (WHERE {value} IS NULL) FROM raw"
    ).fetchall()[0]
    if other or low is None or high - low >= BITMAP_RANGE:
        return False
    bits = con.execute(f"SELECT bit_count(bitstring_agg({value}, ?::BIGINT, ?::BIGINT)) FROM raw",
                       [low, high]).fetchall()[0][0]
    return bits == rows


def _check_duplicates(con, report: Report, file: str, spec: ExtractSpec, found: dict[str, str]) -> None:
    """Report rows whose key repeats an earlier row's (run when the hash count in _run_checks found some)."""
    key = ", ".join(quote_ident(k) for k in spec.key)
    sql = (
        f"SELECT _row, first_row, {key} FROM (SELECT _row, min(_row) OVER (PARTITION BY {key}) AS first_row, "
        f"{key} FROM raw) WHERE _row > first_row"
    )
    rows = con.execute(f"SELECT * FROM ({sql}) ORDER BY 1 LIMIT {MAX_EXAMPLES}").fetchall()
    total = con.execute(f"SELECT count(*) FROM ({sql})").fetchall()[0][0]
    headers = " / ".join(found[k] for k in spec.key if k in found)
    for row in rows:
        values = ", ".join(str(v) for v in row[2:] if v is not None)
        report.error(file, row[0], headers, f"{values} appears twice (first at row {row[1]}); each "
                     f"{' and '.join(k.replace('_', ' ') for k in spec.key)} may appear only once.")
    if total > len(rows):
        report.error(file, None, headers, f"... and {total - len(rows):,} more duplicate rows.")


def stage_and_check(
    con: duckdb.DuckDBPyConnection, spec: ExtractSpec, path: Path, report: Report, headers: list[str],
    name: str | None = None,
) -> bool:
    """Stage ``path`` as view ``raw`` with canonical VARCHAR columns and check every value (messages name the file
    ``name``, its path in the folder, else its own name).

    Returns True when the file has no errors (warnings allowed)."""
    file = name or path.name
    before = len(report.errors)
    found, missing = match_headers(spec, headers)
    for col in missing:
        report.error(file, 1, col.aliases[0],
                     f"the column {col.aliases[0]} ({col.description}) is missing. This file looks like "
                     f"{spec.title}, which needs it. The headers found were: {', '.join(map(str, headers))}.")
    for col, hits in colliding_headers(spec, headers):
        report.error(file, 1, hits[1], f"the columns {' and '.join(repr(h) for h in hits)} could both be the "
                     f"{col.description}; keep one of them so it is clear which holds the figures.")
    if missing or len(report.errors) > before:
        return False
    first_row = stage_file(con, path, headers, headerless=tuple(headers) == spec.headerless)
    # The staged columns in the file's order: DuckDB trims a header's spaces, so a header is found by position.
    staged = [r[0] for r in con.execute("DESCRIBE raw_file").fetchall()]
    at = dict(zip(headers, staged)) if len(staged) == len(headers) else {h: h for h in headers}
    rejected = rejected_rows(con)
    for row, problem in rejected[:MAX_EXAMPLES]:
        report.error(file, row, None, f"this row {problem} ({len(headers)} columns); each row must have one value "
                     "for each column (a comma inside a value needs quotes).")
    if len(rejected) > MAX_EXAMPLES:
        report.error(file, None, None, f"... and {len(rejected) - MAX_EXAMPLES:,} more rows with too few or too "
                     "many fields.")
    if rejected:
        return False
    selects = [f"(rowid + {int(first_row)})::BIGINT AS _row"]
    for col in spec.columns:
        if col.name in found:
            value = quote_ident(at.get(found[col.name], found[col.name]))  # VARCHAR, trimmed as staged
            if col.kind == "code":
                value = f"upper({value})"
            elif col.canonical:
                value = col.canonical.format(value)
            selects.append(f"{value} AS {quote_ident(col.name)}")
        else:
            selects.append(f"NULL::VARCHAR AS {quote_ident(col.name)}")
        # Numbers and dates are read once per scan, for every check and the typed select.
        if col.kind in ("count", "number"):
            staged_name = quote_ident(at.get(found[col.name], found[col.name])) if col.name in found else None
            # DuckDB reads 1_000 as 1000: an underscore is not a digit separator in published figures
            number = (f"CASE WHEN contains({staged_name}, '_') THEN NULL "
                      f"ELSE try_cast(replace({staged_name}, ',', '') AS DOUBLE) END") if col.name in found \
                else "NULL::DOUBLE"
            selects.append(f"{number} AS {number_column(col.name)}")
        if col.kind == "date":
            date = parse_date_sql(quote_ident(at.get(found[col.name], found[col.name]))) if col.name in found \
                else "NULL::DATE"
            selects.append(f"{date} AS {date_column(col.name)}")
    con.execute(f"CREATE OR REPLACE TEMP VIEW raw_all AS SELECT {', '.join(selects)} FROM raw_file")
    keep = "TRUE"
    if spec.skip_where:
        skipped = con.execute(f"SELECT count(*), min(_row) FROM raw_all WHERE {spec.skip_where}").fetchall()[0]
        if skipped[0]:
            report.warning(file, skipped[1], None, f"{skipped[0]:,} rows left out: {spec.skip_reason}")
            keep = f"NOT ({spec.skip_where})"
    con.execute("DROP TABLE IF EXISTS raw_kept")
    if keep == "TRUE":
        con.execute("CREATE OR REPLACE TEMP VIEW raw AS SELECT * FROM raw_all")
    else:  # the rows kept, once: every check then scans them without testing the skip rule again
        con.execute(f"CREATE TEMP TABLE raw_kept AS SELECT * FROM raw_all WHERE {keep}")
        con.execute("CREATE OR REPLACE TEMP VIEW raw AS SELECT * FROM raw_kept")
    if con.execute("SELECT count(*) FROM raw").fetchall()[0][0] == 0:
        report.error(file, 2, None, "the file has headers but no data rows.")
        return False
    checks = [ch for col in spec.columns if col.name in found
              for ch in _column_checks(col, found[col.name], key=col.name in spec.key and len(spec.key) > 1,
                                       strict=spec.user_format)]
    # A required number column in which no row has a value: most often a workbook whose formulas were never
    # calculated and saved (no cached values), which would otherwise load as all missing.
    numbers = [col for col in spec.columns if col.name in found and col.required and col.kind in ("count", "number")]
    given = con.execute(f"SELECT {', '.join(f'count({number_column(c.name)})' for c in numbers)} FROM raw"
                        ).fetchall()[0] if numbers else ()
    for col, count in zip(numbers, given):
        if not count:
            report.error(file, first_row, found[col.name], f"no row has a value in the column {found[col.name]} "
                             f"({col.description}). If it is computed by formulas in a workbook, open and save it in "
                             "Excel so their values are stored, or save the sheet as CSV.")
    key = ", ".join(quote_ident(k) for k in spec.key) if spec.key else None
    if key and len(spec.key) == 1 and _distinct_whole_numbers(con, key):
        key = None  # no value can repeat
    if _run_checks(con, report, file, checks, key):  # a 64-bit hash finds candidates; the exact query confirms
        _check_duplicates(con, report, file, spec, found)
    return len(report.errors) == before


def numeric_sql(name: str, kind: str = "count") -> str:
    """SQL turning a checked column into a number: its staged number, a count rounded (no suppression marker
    reads as a number, so markers are NULL)."""
    number = number_column(name)
    return f"try_cast(round({number}) AS BIGINT)" if kind == "count" else number


def date_column(name: str) -> str:
    """The staged column holding a date column's value as a DATE (NULL when not a date)."""
    return quote_ident(f"_date_{name}")


def number_column(name: str) -> str:
    """The staged column holding a count or number column's value as a DOUBLE (NULL when not a number)."""
    return quote_ident(f"_number_{name}")
