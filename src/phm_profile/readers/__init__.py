"""Readers for the published extracts. A file is recognised by its headers, never by its name."""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import duckdb

from . import (
    companions,
    context_measures,
    expected_prevalence,
    imd,
    mapping,
    mh_referrals,
    patients_age_sex,
    patients_lsoa,
    pcn_workforce,
    practice_location,
    practices,
    qof_list_size,
    qof_prevalence,
    service_usage,
)
from .base import (
    CODE_FORMATS,
    ExtractSpec,
    Issue,
    Report,
    UnreadableFile,
    match_headers,
    read_headers,
    read_through,
    sha256,
    text_encoding,
)
from .checks import date_column, financial_year_sql, numeric_sql, period_from_name, stage_and_check

EXTRACTS: tuple[ExtractSpec, ...] = (
    mapping.SPEC,
    qof_prevalence.SPEC,
    qof_list_size.SPEC,
    patients_age_sex.SPEC,
    patients_lsoa.SPEC,
    imd.SPEC,
    service_usage.SPEC,
    mh_referrals.SPEC,
    expected_prevalence.SPEC,
    practice_location.SPEC,
    practices.SPEC,
    pcn_workforce.SPEC,
    *context_measures.SPECS,
)

TABLE_FILES = (".csv", ".xlsx", ".xlsm", ".parquet")

__all__ = ["EXTRACTS", "Issue", "Report", "LoadedFile", "identify", "is_staffing", "load_file"]

#: The columns that make a CSV the product's own MHP staffing file (workforce.read_staffing). No published
#: extract has them (NHS England's PCN workforce files say PCN_CODE, STAFF_ROLE and FTE).
STAFFING_COLUMNS = ("pcn_code", "role", "wte")


@dataclass
class LoadedFile:
    path: Path
    kind: str
    rows: int
    periods: list[str]
    checksum: str
    name: str = ""  #: as messages name it, when not the file's own name (staffing/mhp_staffing.csv)

    @property
    def file_name(self) -> str:
        return self.name or self.path.name


def is_staffing(path: Path) -> bool:
    """Whether ``path`` is the MHP staffing file: a CSV whose headers include pcn_code, role and wte (any case). It
    is known by its headers wherever it is (the top of the folder, staffing/, an upload), never taken for an
    extract it does not match."""
    if path.suffix.lower() != ".csv":
        return False
    try:
        headers = read_headers(path)[0]
    except (UnreadableFile, OSError, StopIteration):
        return False
    return set(STAFFING_COLUMNS) <= {str(h).strip().lstrip("\ufeff").lower() for h in headers}


def identify(headers: list[str]) -> ExtractSpec | None:
    """The extract whose required columns all appear in ``headers``; the most specific when several do."""
    best, best_score = None, 0
    for spec in EXTRACTS:
        found, missing = match_headers(spec, headers)
        if not missing and len(found) > best_score:
            best, best_score = spec, len(found)
    return best


def _looks_like(spec: ExtractSpec, headers: list[str]) -> bool:
    """Whether a file that lacks some of ``spec``'s required columns is still that extract, broken (refused by
    file, row and column), rather than another table that shares a column name (skipped): at least two of the
    extract's required columns and at least half of them are there."""
    found, _ = match_headers(spec, headers)
    required = [c for c in spec.columns if c.required]
    have = sum(1 for c in required if c.name in found)
    return have >= 2 and 2 * have >= len(required)


def _closest(headers: list[str]) -> ExtractSpec:
    """The extract a file most looks like, to say which columns it lacks."""
    return max(EXTRACTS, key=lambda s: len(match_headers(s, headers)[0]) / len(s.columns))


def _typed_sql(spec: ExtractSpec, template: str) -> str:
    event = bool(spec.event_date)
    dated = any(c.name == "extract_date" for c in spec.columns)
    date = date_column(spec.event_date) if event else date_column("extract_date") if dated else "NULL::DATE"
    values = {c.name: numeric_sql(c.name, c.kind) for c in spec.columns if c.kind in ("count", "number")}
    dates = {f"date_{c.name}": date_column(c.name) for c in spec.columns if c.kind == "date"}
    return template.format(**values, **dates, date=date, period=financial_year_sql(date, containing=event))


def _headerless(header_rows: list[list[str]]) -> list[tuple[ExtractSpec, list[str]]]:
    """An extract published without a header row, recognised by its number of fields and a practice code as its
    first value (epraccur's first row is a practice)."""
    found = []
    for spec in EXTRACTS:
        for row in header_rows:
            if (spec.headerless and len(row) == len(spec.headerless)
                    and re.fullmatch(CODE_FORMATS["practice"][0], str(row[0]).strip().upper())):
                found.append((spec, list(spec.headerless)))
    return found


def _check_year_in_name(con, file: str, report: Report) -> None:
    """A monthly extract whose name gives a year none of its extract dates has (a file renamed by hand, or
    the wrong month saved under a name): warned, the dates in the rows are used."""
    named = {int(y) for y in re.findall(r"(?<!\d)(20\d\d)(?!\d)", Path(file).stem)}
    if not named:
        return
    date = date_column("extract_date")
    dates = [d for (d,) in con.execute(f"SELECT DISTINCT {date} FROM raw WHERE {date} IS NOT NULL ORDER BY 1").fetchall()]
    if dates and not named & {d.year for d in dates}:
        report.warning(file, None, "EXTRACT_DATE", f"its name says {', '.join(map(str, sorted(named)))} but its extract "
                       f"dates are {', '.join(f'{d:%d %b %Y}' for d in dates[:3])}; the dates in the file are used.")


def _period_from_content(con, spec: ExtractSpec, file: str, report: Report) -> str | None:
    """The financial year of a file whose name gives none, from the latest date in its ``spec.dated_by``
    column (an extract date belongs to the year whose end lies nearest)."""
    date = date_column(spec.dated_by)
    latest, period = con.execute(f"SELECT max({date}), {financial_year_sql('max(' + date + ')')} FROM raw").fetchall()[0]
    column = spec.column(spec.dated_by)
    if latest is None:
        report.error(file, None, None, f"this is {spec.title}, but neither its name nor its {column.description} "
                     "dates say which financial year it covers; include it in the name, e.g. ..._2023_2024.xlsx.")
        return None
    report.warning(file, None, None, f"its name gives no financial year: it is taken as {period}, from its latest "
                   f"{column.description} ({latest:%d %b %Y}). Put the year in the name (e.g. ..._2023_2024) to "
                   "say otherwise.")
    return period


def load_file(
    con: duckdb.DuckDBPyConnection, path: Path, report: Report, period: str | None = None, name: str | None = None,
    folders: tuple[str, ...] = (),
) -> LoadedFile | None:
    """Read, check and append one extract to its table in ``con``. None when the file is not loaded: with errors
    in ``report`` when it cannot be read faithfully, with a warning when it is no extract (skipped); nothing is
    appended then. ``name`` is the file as messages name it (its path in the folder); ``folders`` the folders it
    sits in, which may give its year (qof_raw/2024_25/) when its own name does not."""
    path = Path(path)
    file = name or path.name
    try:
        header_rows = read_headers(path)
    except UnreadableFile as exc:
        report.error(file, None, None, str(exc) + ".")
        return None
    candidates = [(identify(h), h) for h in header_rows] + _headerless(header_rows)
    spec, headers = next(((s, h) for s, h in candidates if s is not None), (None, header_rows[0]))
    if spec is None:
        companion = companions.known(file, header_rows)
        if companion is not None:
            report.warning(file, None, None, f"skipped: {companion}")
            return None
        if not any(str(h).strip() for h in headers) and len(header_rows) == 1:
            report.error(file, 1, None, "the first row has no column headers.")
            return None
        spec = _closest(headers)
        if not match_headers(spec, headers)[0] or not _looks_like(spec, headers):
            separated = [re.split(r"[;\t|]", str(h)) for h in headers] if len(headers) == 1 else []
            if separated and len(separated[0]) > 1 and identify([s.strip() for s in separated[0]]) is not None:
                report.error(file, 1, None, "this looks like an extract, but its columns are separated by ';', tab "
                             "or '|': save the file as comma-separated CSV.")
                return None
            report.warning(file, None, None, "skipped: this is not one of the extracts this tool reads (its "
                           f"column headers are not those of any of them). The headers found were: "
                           f"{', '.join(map(str, headers))[:200]}.")
            return None
        stage_and_check(con, spec, path, report, headers, file)  # reports the columns it lacks
        return None
    # A file whose rows carry their own extract date is dated by them; otherwise by its name, else (for an
    # extract with a date column to go by, such as ePCN) by its content, with a warning.
    dated_rows = "extract_date" in match_headers(spec, headers)[0]
    if spec.needs_period and not dated_rows:
        period = period or period_from_name(file) or next(
            (p for p in map(period_from_name, reversed(folders)) if p), None)
        if period is None and not (spec.dated_by and spec.dated_by in match_headers(spec, headers)[0]):
            report.error(file, None, None, f"this is {spec.title}, but its name does not say which financial "
                         "year it covers; include it in the name, e.g. ..._2023_2024.csv or ..._2324.csv.")
            return None
    with ThreadPoolExecutor(1) as pool:  # the checksum is read while DuckDB reads and checks the file
        checksum = pool.submit(read_through, path)
        try:
            if not stage_and_check(con, spec, path, report, headers, file):
                return None
        except UnreadableFile as exc:
            report.error(file, None, None, str(exc) + ".")
            return None
    checksum, nul_line = checksum.result()
    if nul_line is not None and path.suffix.lower() == ".csv" and not text_encoding(path).startswith("utf-16"):
        report.error(file, nul_line, None, "this is not a plain-text CSV file: this line holds a NUL (zero) byte, as "
                     "binary files and damaged exports do; save it again as CSV (UTF-8).")
        return None
    if spec.needs_period and not dated_rows and period is None:
        period = _period_from_content(con, spec, file, report)
        if period is None:
            return None
    if spec.hook is not None:
        spec.hook(con, file, report)
    if dated_rows:
        _check_year_in_name(con, file, report)
    select = _typed_sql(spec, spec.select_sql)
    params = [period, file] if spec.needs_period else [file]
    if spec.from_headers is not None:
        params = [*spec.from_headers(match_headers(spec, headers)[0], file, report), *params]
    con.execute(f"CREATE OR REPLACE TEMP TABLE typed AS {select}", params)
    rows = con.execute("SELECT count(*) FROM raw").fetchall()[0][0]
    has_period = "period" in con.sql("SELECT * FROM typed LIMIT 0").columns
    periods = (
        [r[0] for r in con.execute("SELECT DISTINCT period FROM typed ORDER BY 1").fetchall()]
        if has_period else []
    )
    if spec.check_typed is not None:
        spec.check_typed(con, file, report)
    con.execute(f"INSERT INTO {spec.table} BY NAME SELECT * FROM typed")
    con.execute("DROP TABLE typed")
    con.execute("DROP VIEW raw")
    con.execute("DROP TABLE IF EXISTS raw_kept")
    con.execute("DROP VIEW raw_all")
    con.execute("DROP TABLE raw_file")
    return LoadedFile(path, spec.kind, rows, periods, checksum, name=file if file != path.name else "")
