"""Machinery shared by every extract reader.

A published file is read as text into a DuckDB staging table (every column VARCHAR, one row per data row,
``rowid`` in file order), its headers are matched to canonical names through aliases, every value is checked
in SQL, and only then is a typed copy appended to the extract's table. Problems come back as ``Issue``s that
name the file, the row and the column in words a non-programmer understands.
"""

from __future__ import annotations

import codecs
import hashlib
import re
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import duckdb
import pandas as pd

#: How publishers mark a suppressed or missing value. Treated as missing, counted, never as zero.
SUPPRESSION_MARKERS = ("*", "c", "C", "..", "-", "", "x", "X", ":", "NA", "N/A")

#: How many examples of one problem are listed before the rest are summarised.
MAX_EXAMPLES = 5

CODE_FORMATS = {
    "practice": (r"[A-Z][0-9]{5}", "a GP practice code (a letter then five digits, such as A81001)"),
    "pcn": (r"U[0-9]{5}", "a PCN code (U then five digits, such as U12345)"),
    # The 36 ICBs of 1 April 2026 include six with five-character ODS codes (letter-digit-letter-digit-letter).
    "icb": (r"Q[A-Z0-9]{2}|[A-Z][0-9][A-Z][0-9][A-Z]",
            "an ICB code (Q then two letters or digits, such as QHM, or five such as D7T5G)"),
    "sub_icb": (r"[0-9]{2}[A-Z0-9]|[A-Z0-9]{5}", "a sub-ICB location code (such as 00L, 15N or X2C4Y)"),
    "region": (r"Y[0-9]{2}", "an NHS England region code (Y then two digits, such as Y56)"),
    "lsoa": (r"[EW]0[01][0-9]{6}", "an LSOA code (E01 then six digits, such as E01000001)"),
    # The by-LSOA registration file marks patients with no recorded LSOA as NO2011 / NO2021.
    "lsoa_or_none": (r"[EW]0[01][0-9]{6}|NO20(11|21)", "an LSOA code (E01 then six digits) or NO2011"),
    # ODS lists of prescribing organisations (epraccur) hold other organisations' codes beside practices'.
    "ods": (r"[A-Z0-9]{3,8}", "an ODS organisation code (3 to 8 letters and digits, such as A81001)"),
    # The QOF mapping puts practices outside any PCN under the code U.
    "pcn_or_none": (r"U([0-9]{5})?", "a PCN code (U then five digits, such as U12345), or U for no PCN"),
}


@dataclass(frozen=True)
class Issue:
    severity: str  # "error" or "warning"
    file: str
    row: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        where = [self.file]
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column:
            where.append(f"column {self.column}")
        return f"{', '.join(where)}: {self.message}"


@dataclass
class Report:
    issues: list[Issue] = field(default_factory=list)

    def error(self, file, row, column, message):
        self.issues.append(Issue("error", file, row, column, message))

    def warning(self, file, row, column, message):
        self.issues.append(Issue("warning", file, row, column, message))

    @property
    def errors(self) -> list[Issue]:
        return [i for i in self.issues if i.severity == "error"]

    @property
    def warnings(self) -> list[Issue]:
        return [i for i in self.issues if i.severity == "warning"]

    def text(self) -> str:
        lines = [f"ERROR   {i}" for i in self.errors] + [f"WARNING {i}" for i in self.warnings]
        return "\n".join(lines)


@dataclass(frozen=True)
class Column:
    """One canonical column: its name, the published headers it may appear under, its type and format."""

    name: str
    aliases: tuple[str, ...]
    kind: str = "text"  # text | code | count | number | date
    required: bool = True
    code: str | None = None  # key of CODE_FORMATS
    label: str = ""  # what the value is, in words, for messages
    signed: bool = False  # a number that may be below zero (a longitude)
    minimum: float | None = None  # the range a number must fall in (an IMD decile: 1 to 10)
    maximum: float | None = None
    range_severity: str = "error"  # "warning" where the publisher's own values stray (geocoded locations)
    #: SQL turning the staged text ``{}`` into its one spelling before any check ("m" and "M" are one sex;
    #: "0-4" and "0_4" one age band), so the same key written two ways is found as a duplicate.
    canonical: str = ""

    @property
    def description(self) -> str:
        return self.label or self.name.replace("_", " ")


@dataclass(frozen=True)
class ExtractSpec:
    """What one published extract looks like and how it becomes a typed table."""

    kind: str
    title: str
    table: str
    columns: tuple[Column, ...]
    key: tuple[str, ...] = ()
    #: SQL that turns the checked staging table ``raw`` (canonical VARCHAR columns) into the typed rows
    #: of ``table``; ``$period`` is bound. Written in the extract's module.
    select_sql: str = ""
    #: False when the rows carry their own period (a date or period column) or none applies (IMD).
    needs_period: bool = True
    #: Rows the extract legitimately holds but the product does not use, left out with a warning.
    skip_where: str = ""
    skip_reason: str = ""
    #: An extract-specific step run after the file is checked, before its typed rows are appended:
    #: ``hook(con, file, report)`` with the staged views ``raw_all`` (every row) and ``raw`` (the rows kept).
    hook: Callable[..., None] | None = None
    #: An extract-specific check of the typed rows (temp table ``typed``) before they are appended:
    #: ``check_typed(con, file, report)``.
    check_typed: Callable[..., None] | None = None
    #: A format this product defines (the tidy service usage, expected prevalence, local referral records): held
    #: to it, a code of another shape refused. A published extract's codes of an unexpected shape are warnings.
    user_format: bool = False
    #: Values a file's headers and name give to every row (the edition of an index): ``from_headers(found,
    #: name, report)`` with the canonical column -> the file's header; a list bound before the file's name.
    from_headers: Callable[..., object] | None = None
    #: An extract-specific step once every file of the folder is loaded: ``after_folder(con, files, report)`` with
    #: the names of the files of this kind.
    after_folder: Callable[..., None] | None = None
    #: A date column that dates each row (a record-level extract): every row belongs to the financial year holding
    #: its date.
    event_date: str = ""
    #: A date column whose latest value dates the file when its name gives no financial year (e.g. ePCN).
    dated_by: str = ""
    #: The published column names of an extract published without a header row (ODS epraccur.csv): a file whose
    #: first row has this many fields and whose first value is a code of the first column's format is read so.
    headerless: tuple[str, ...] = ()

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)


def normalise_header(header: str) -> str:
    """'LSOA code (2011)' -> 'LSOA_CODE_2011'; '\\ufeffPRACTICE_CODE' -> 'PRACTICE_CODE'."""
    text = str(header).replace("\ufeff", "").strip().upper()
    return re.sub(r"[^A-Z0-9%]+", "_", text).strip("_")


def colliding_headers(spec: ExtractSpec, headers: list[str]) -> list[tuple[Column, list[str]]]:
    """Columns of ``spec`` that two of the file's headers could both be (REGISTER twice, or REGISTER and
    register, or REGISTER and REGISTER_COUNT): which one holds the figures is not for the tool to guess."""
    out = []
    for col in spec.columns:
        hits = [h for h in headers if normalise_header(h) in col.aliases]
        if len(hits) > 1:
            out.append((col, hits))
    return out


def match_headers(spec: ExtractSpec, headers: list[str]) -> tuple[dict[str, str], list[Column]]:
    """Map canonical column -> the file's header; list the required columns that are missing."""
    by_norm = {normalise_header(h): h for h in headers}
    found, missing = {}, []
    for col in spec.columns:
        hit = next((by_norm[a] for a in col.aliases if a in by_norm), None)
        if hit is not None:
            found[col.name] = hit
        elif col.required:
            missing.append(col)
    return found, missing


def sha256(path: Path) -> str:
    return read_through(path)[0]


def read_through(path: Path) -> tuple[str, int | None]:
    """One pass over a file's bytes: its sha256, and the line of its first NUL (zero) byte, if any (a text file
    holding one is damaged or binary; DuckDB would keep it invisibly in a value). Runs beside DuckDB's read."""
    digest, line, nul_line = hashlib.sha256(), 1, None
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 22), b""):
            digest.update(block)
            if nul_line is None:
                at = block.find(b"\x00")
                if at >= 0:
                    nul_line = line + block.count(b"\n", 0, at)
                else:
                    line += block.count(b"\n")
    return digest.hexdigest(), nul_line


def quote_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


# ---------------------------------------------------------------------------------------------------------
# Reading a file into a VARCHAR staging table
# ---------------------------------------------------------------------------------------------------------

class UnreadableFile(Exception):
    """The file cannot be read at all (empty, damaged, not a table)."""


def text_encoding(path: Path) -> str:
    """'utf-8-sig', 'utf-8', 'utf-16' (with its byte-order mark) or 'cp1252' (the encodings NHS and MHCLG files and
    Excel's "Unicode text" come in), judged from the start of
    the file: a national extract is hundreds of MB and DuckDB checks the UTF-8 of the rest as it reads
    (stage_file then falls back to cp1252). Raises UnreadableFile for an empty or binary file."""
    with open(path, "rb") as fh:
        start = fh.read(1 << 20)
        if start.startswith((b"\xff\xfe", b"\xfe\xff")):  # "Unicode text" as Excel saves it
            if not start[2:].strip(b"\x00 \r\n\t"):
                raise UnreadableFile("the file is empty")
            return "utf-16"
        if start.startswith(b"\xef\xbb\xbf"):
            if not start[3:].strip():
                raise UnreadableFile("the file is empty")
            return "utf-8-sig"
        if b"\x00" in start[: 1 << 16]:
            line = start[: start.index(b"\x00")].count(b"\n") + 1
            raise UnreadableFile(f"this is not a plain-text CSV file: line {line} holds a NUL (zero) byte, as binary "
                                 "files and damaged exports do; save it again as CSV (UTF-8)")
        chunk = start
        while not chunk.strip():  # blank so far: is anything but white space further on?
            chunk = fh.read(1 << 23)
            if not chunk:
                raise UnreadableFile("the file is empty")
    try:
        codecs.getincrementaldecoder("utf-8")().decode(start)  # a character cut at the end is not an error
    except UnicodeDecodeError:
        return "cp1252"
    return "utf-8"


def read_headers(path: Path) -> list[list[str]]:
    """The candidate header rows of a file (one per XLSX sheet), without reading the data."""
    suffix = path.suffix.lower()
    if suffix == ".parquet":
        return [duckdb.sql("SELECT * FROM read_parquet(?) LIMIT 0", params=[str(path)]).columns]
    if suffix in (".xlsx", ".xlsm"):
        return [list(frame.columns) for frame in _xlsx_sheets(path, nrows=0).values()]
    encoding = text_encoding(path)
    with open(path, encoding=encoding, errors="replace", newline="") as fh:
        first = fh.readline()
    if not first.strip():
        raise UnreadableFile("the first line is empty; it should hold the column headers")
    import csv

    return [next(csv.reader([first]))]


#: The most a workbook may expand to (its XML, uncompressed): a larger one is refused in a moment instead of
#: after minutes and gigabytes of memory. The largest published workbook read (IMD File 1) expands to ~20 MB.
MAX_WORKBOOK_MB = 400


def _xlsx_sheets(path: Path, nrows=None) -> dict[str, pd.DataFrame]:
    """Every sheet as text, read with calamine (a Rust reader, about five times faster than openpyxl on the
    IMD and ePCN workbooks: benchmarks/real.py)."""
    try:
        with zipfile.ZipFile(path) as book:
            expanded = sum(member.file_size for member in book.infolist())
    except (zipfile.BadZipFile, OSError) as exc:
        raise UnreadableFile(f"this is not a readable Excel workbook (it may be truncated or damaged): {exc}") from exc
    if expanded > MAX_WORKBOOK_MB * 1e6:
        raise UnreadableFile(f"this workbook expands to {expanded / 1e6:,.0f} MB, more than the {MAX_WORKBOOK_MB} MB "
                             "this tool reads from a workbook; save its sheet as CSV and load that instead")
    try:
        return pd.read_excel(path, sheet_name=None, dtype=str, nrows=nrows, engine="calamine")
    except Exception as exc:  # calamine, zipfile and pandas raise many kinds; all mean 'unreadable'
        if isinstance(exc, MemoryError):
            raise
        raise UnreadableFile(
            f"this is not a readable Excel workbook (it may be truncated or damaged): {exc}"
        ) from exc


def stage_file(con: duckdb.DuckDBPyConnection, path: Path, sheet_headers: list[str] | None = None,
               headerless: bool = False) -> int:
    """Load a file as all-VARCHAR table ``raw_file``, every value trimmed once here (replacing any earlier
    one). Returns the first data row's number as a person counts rows in the file (2 below a header row, 1 in
    a Parquet file)."""
    suffix = path.suffix.lower()
    con.execute("DROP TABLE IF EXISTS raw_file")
    if suffix == ".parquet":
        rel = con.sql("SELECT * FROM read_parquet(?)", params=[str(path)])
        # A time-zone-aware timestamp (01 Oct 2024 00:00 Europe/London) is read on England's wall clock: cast to
        # text in UTC it would be the day before, in another month or financial year.
        casts = ", ".join(
            (f"trim(CAST(timezone('Europe/London', {quote_ident(c)}) AS VARCHAR)) AS {quote_ident(c)}"
             if str(t).upper().startswith("TIMESTAMP WITH TIME ZONE") else
             f"trim(CAST({quote_ident(c)} AS VARCHAR)) AS {quote_ident(c)}")
            for c, t in zip(rel.columns, rel.types))
        con.execute(f"CREATE TEMP TABLE raw_file AS SELECT {casts} FROM read_parquet(?)", [str(path)])
        return 1
    if suffix in (".xlsx", ".xlsm"):
        sheets = _xlsx_sheets(path)
        same = [name for name, f in sheets.items() if sheet_headers is not None and list(f.columns) == sheet_headers]
        if len(same) > 1:
            raise UnreadableFile(f"the sheets {', '.join(same)} have the same columns, so this tool cannot tell which "
                                 "holds the extract; keep one of them (or save it as CSV)")
        frame = next(
            (f for f in sheets.values() if sheet_headers is None or list(f.columns) == sheet_headers),
            next(iter(sheets.values())),
        )
        frame = frame.astype(object).where(frame.notna(), None)
        con.register("raw_frame", frame)
        con.execute("CREATE TEMP TABLE raw_file AS SELECT trim(CAST(COLUMNS(*) AS VARCHAR)) FROM raw_frame")
        con.unregister("raw_frame")
        return 2
    encoding = text_encoding(path)
    names = sheet_headers if headerless else None
    try:
        _read_csv(con, path, encoding, names)
        not_utf8 = encoding.startswith("utf-8") and con.execute(
            "SELECT count(*) FROM reject_errors WHERE error_type IN ('INVALID ENCODING', 'INVALID UNICODE')"
        ).fetchall()[0][0]
    except duckdb.Error as exc:
        if not (encoding.startswith("utf-8") and "unicode" in str(exc).lower()):
            raise UnreadableFile(f"this is not a readable CSV file: {str(exc).splitlines()[0]}") from exc
        not_utf8 = True
    if not_utf8:  # not UTF-8 after all, further on than the start of the file
        con.execute("DROP TABLE IF EXISTS raw_file")
        rejected_rows(con)  # forget the first reading's rejects
        try:
            _read_csv(con, path, "cp1252", names)
        except duckdb.Error as exc2:
            raise UnreadableFile(f"this is not a readable CSV file: {str(exc2).splitlines()[0]}") from exc2
    return 1 if headerless else 2


def _read_csv(con: duckdb.DuckDBPyConnection, path: Path, encoding: str, names: list[str] | None = None) -> None:
    """Read a CSV as text into ``raw_file``. Rows with fewer or more fields than the header are not padded or
    cut: DuckDB keeps them aside (reject_errors) and ``rejected_rows`` names them. A file in another encoding,
    or mixing Windows and Unix line ends (which DuckDB cannot read), is rewritten as UTF-8 with one kind of line
    end in a temporary file first."""
    source = path
    if not encoding.startswith("utf-8") or _mixed_line_ends(path):
        tmp = tempfile.NamedTemporaryFile(suffix=".csv", delete=False)
        text = path.read_bytes().decode(encoding, errors="replace")
        tmp.write(text.replace("\r\n", "\n").replace("\r", "\n").encode("utf-8"))
        tmp.close()
        source = Path(tmp.name)
    try:
        header = "header = false, names = ?" if names else "header = true"
        con.execute(
            f"CREATE TEMP TABLE raw_file AS SELECT trim(COLUMNS(*)) FROM read_csv(?, {header}, all_varchar = true, "
            "delim = ',', quote = '\"', escape = '\"', null_padding = false, store_rejects = true, "
            "rejects_scan = 'reject_scans', rejects_table = 'reject_errors', sample_size = -1, "
            "normalize_names = false)",
            [str(source), list(names)] if names else [str(source)],
        )
    finally:
        if source is not path:
            source.unlink(missing_ok=True)


def _mixed_line_ends(path: Path) -> bool:
    """Whether the start of a file mixes Windows (CR LF) and Unix (LF) line ends."""
    with open(path, "rb") as fh:
        start = fh.read(1 << 20)
    windows = start.count(b"\r\n")
    return 0 < windows < start.count(b"\n")


def rejected_rows(con: duckdb.DuckDBPyConnection) -> list[tuple[int, str]]:
    """The rows the last CSV read kept aside, as (row number as a person counts it, what is wrong)."""
    try:
        rows = con.execute("SELECT line, error_type, column_idx FROM reject_errors ORDER BY line").fetchall()
    except duckdb.Error:  # no CSV read in this connection yet
        return []
    con.execute("DELETE FROM reject_errors")
    con.execute("DELETE FROM reject_scans")
    words = {"MISSING COLUMNS": "has fewer fields than the header", "TOO MANY COLUMNS": "has more fields than the header",
             "UNQUOTED VALUE": "has a quote in an unquoted value", "INVALID ENCODING": "is not valid text",
             "INVALID UNICODE": "is not valid text"}
    return [(int(line), words.get(kind, kind.lower())) for line, kind, _ in rows]
