"""The DuckDB store: build a new database from a folder of extracts and swap it in only when all is well.

A build writes ``.<name>.building`` beside the target, loads and checks every extract, runs the cross-file
checks and the SQL models, and only then replaces the target with ``os.replace`` (atomic on one file
system). A failed build deletes its own file and leaves the previous database exactly as it was.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import duckdb
from filelock import FileLock, Timeout

from . import geo, models
from .config import SQL_DIR
from .readers import EXTRACTS, TABLE_FILES, LoadedFile, Report, load_file
from .readers.base import MAX_EXAMPLES

Progress = Callable[[str], None]

#: Rows per row group in a built database. DuckDB scans a table on one thread per row group; at its default
#: (122,880 rows) every table the models build (10 to 150 thousand rows) would be read on one thread, and the
#: models ran about a quarter slower on two cores (benchmarks/profile.py).
ROW_GROUP_ROWS = 32_768


class BuildFailed(Exception):
    def __init__(self, report: Report):
        self.report = report
        super().__init__(f"{len(report.errors)} problem(s) stop the build:\n{report.text()}")


@dataclass
class BuildResult:
    db_path: Path | None
    report: Report
    files: list[LoadedFile] = field(default_factory=list)
    table_rows: dict[str, int] = field(default_factory=dict)


def discover(data_dir: Path) -> list[Path]:
    """Every file in ``data_dir`` (not its sub-folders) that may hold an extract or boundaries."""
    data_dir = Path(data_dir)
    if not data_dir.is_dir():
        raise FileNotFoundError(f"{data_dir} is not a folder")
    suffixes = TABLE_FILES + geo.BOUNDARY_SUFFIXES
    return sorted(p for p in data_dir.iterdir() if p.is_file() and p.suffix.lower() in suffixes
                  and not p.name.startswith("."))


def load_folder(
    con: duckdb.DuckDBPyConnection, data_dir: Path, report: Report, progress: Progress = lambda _: None
) -> list[LoadedFile]:
    """Load every extract in ``data_dir`` into the tables of ``con`` and run the cross-file checks."""
    con.execute((SQL_DIR / "sources.sql").read_text())
    models.load_seeds(con)
    loaded = []
    if not Path(data_dir).is_dir():
        report.error(str(data_dir), None, None, "this is not a folder; give the folder that holds the extracts.")
        return loaded
    files = discover(data_dir)
    for other in sorted(p for p in Path(data_dir).iterdir() if p.is_file() and not p.name.startswith(".")
                        and p.suffix.lower() not in TABLE_FILES + geo.BOUNDARY_SUFFIXES + (".md", ".json")):
        report.warning(other.name, None, None, "this file was not read: only CSV, XLSX, Parquet, GeoJSON and "
                       "GeoParquet files are (unzip a .zip, save a .xls or .txt as CSV).")
    if not files:
        report.error(str(data_dir), None, None, "the folder holds no CSV, XLSX, Parquet or GeoJSON files.")
    for i, path in enumerate(files, 1):
        progress(f"[{i}/{len(files)}] reading {path.name}")
        try:
            if geo.is_boundary_file(path):
                result = geo.load_boundaries(con, path, report)
            else:
                result = load_file(con, path, report)
        except Exception as exc:  # never a traceback: the file is named, the build fails, nothing changes
            if isinstance(exc, MemoryError):
                raise
            report.error(path.name, None, None, "an unexpected problem stopped this file being read "
                         f"({type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}); nothing was "
                         "changed. Please report it with the file.")
            result = None
        if result is not None:
            loaded.append(result)
    seen: dict[str, str] = {}
    for f in loaded:  # the same bytes under two names
        if f.checksum in seen:
            report.error(f.path.name, None, None, f"is the same file as {seen[f.checksum]} (identical content); keep "
                         "one of them (loading both would count it twice).")
        seen.setdefault(f.checksum, f.path.name)
    models.run_staging(con)
    for spec in EXTRACTS:
        if spec.after_folder is not None:
            spec.after_folder(con, [f.path.name for f in loaded if f.kind == spec.kind], report)
    if not report.errors:
        progress("checking the extracts against each other")
        cross_check(con, report)
        geo.locate_practices(con, report)
    return loaded


def _first_examples(con, sql, params=()):
    return con.execute(f"SELECT * FROM ({sql}) ORDER BY 1, 2 LIMIT 5", list(params)).fetchall(), \
        con.execute(f"SELECT count(*) FROM ({sql})", list(params)).fetchall()[0][0]


def cross_check(con: duckdb.DuckDBPyConnection, report: Report) -> None:
    """Checks that need more than one extract: registers against lists, codes against the mapping."""
    tables = {t: con.execute(f"SELECT count(*) FROM {t}").fetchall()[0][0]
              for t in ("practice_mapping", "qof_prevalence", "qof_list_size", "patients_age_sex",
                        "patients_lsoa", "imd", "service_usage")}
    if not tables["practice_mapping"]:
        report.error("(all files)", None, None, "no practice-to-PCN mapping was found (a QOF "
                     "MAPPING_NHS_GEOGRAPHIES file or the ePCN list); PCN profiles cannot be built without it.")
        return

    # The same extract for the same period in two files; two kinds of mapping for one year are resolved by
    # precedence (sql/intermediate/practice_pcn.sql), said here.
    for file, other, period in con.execute("""
            SELECT a.source_file, min(b.source_file), any_value(a.period)
            FROM practice_mapping a JOIN practice_mapping b USING (period, practice_code)
            WHERE a.source_file > b.source_file AND a.mapping_source = b.mapping_source
            GROUP BY a.source_file""").fetchall():
        report.error(file, None, None, f"holds the same data as {other} for {period}; keep one of them.")
    for period, files in con.execute("""
            SELECT period, list(DISTINCT source_file || ' (' || mapping_source || ')'
                                ORDER BY source_file || ' (' || mapping_source || ')')
            FROM practice_mapping GROUP BY period HAVING count(DISTINCT mapping_source) > 1""").fetchall():
        report.warning(files[0].split(" (")[0], None, None, f"{' and '.join(files)} both map practices to PCNs for "
                       f"{period}; one is used, in this order: the QOF mapping, the registrations' practice map, "
                       "ePCN.")
    # Two files of one kind holding the same keys (the same extract under two names, or two files of one
    # month): summing both would double the figures.
    for table, key, what in (("qof_prevalence", "period, practice_code, group_code", "any_value(a.period)"),
                             ("qof_list_size", "period, practice_code, list_type", "any_value(a.period)"),
                             ("patients_age_sex", "extract_date, practice_code, sex, age_band",
                              "strftime(any_value(a.extract_date), '%d %b %Y')"),
                             ("patients_lsoa", "extract_date, practice_code, lsoa_code",
                              "strftime(any_value(a.extract_date), '%d %b %Y')"),
                             ("service_usage", "org_type, org_code, period, measure", "any_value(a.period)"),
                             ("imd", "lsoa_code", "'the same LSOAs'"),
                             ("practice_location", "practice_code", "'the same practices'"),
                             ("practices", "practice_code", "'the same practices'"),
                             ("context_measures", "source, level, org_code, measure, period_start, breakdown, "
                              "imd_decile", "'the same areas and months'")):
        if con.execute(f"SELECT count(DISTINCT source_file) FROM {table}").fetchall()[0][0] < 2:
            continue  # one file: its own repeats were found when it was read
        rows = con.execute(f"""
            SELECT a.source_file, min(b.source_file), {what}
            FROM {table} a JOIN {table} b ON ({' AND '.join(f'a.{k} IS NOT DISTINCT FROM b.{k}' for k in key.split(', '))})
            WHERE a.source_file > b.source_file GROUP BY a.source_file""").fetchall()
        for file, other, period in rows:
            report.error(file, None, None, f"holds the same data as {other} for {period}; keep one of them "
                         "(loading both would count it twice).")

    # The same figures under two years' names (a file saved again as another year): every row alike but the period.
    for table, columns in (("qof_prevalence", "practice_code, group_code, register, list_size"),
                           ("qof_list_size", "practice_code, list_type, list_size"),
                           ("patients_age_sex", "practice_code, sex, age_band, patients"),
                           ("patients_lsoa", "practice_code, lsoa_code, patients")):
        for file, other in con.execute(f"""
                WITH prints AS (SELECT source_file, count(*) AS n, bit_xor(hash({columns})) AS print FROM {table}
                                GROUP BY source_file)
                SELECT a.source_file, min(b.source_file) FROM prints a JOIN prints b USING (n, print)
                WHERE a.source_file > b.source_file AND a.n > 20 GROUP BY a.source_file""").fetchall():
            report.error(file, None, None, f"holds exactly the same figures as {other}, under another year; keep the "
                         "file of the right year only.")

    # One practice's list of one type written differently on two register rows, or in the list-size file.
    rows, total = _first_examples(con, """
        SELECT p.source_file, min(p.source_row), p.practice_code, p.list_type,
               list(DISTINCT p.list_size ORDER BY p.list_size) AS sizes, any_value(l.list_size) AS listed
        FROM qof_prevalence p LEFT JOIN qof_list_size l
          ON l.period = p.period AND l.practice_code = p.practice_code AND l.list_type = p.list_type
        WHERE p.list_size IS NOT NULL GROUP BY p.source_file, p.period, p.practice_code, p.list_type
        HAVING count(DISTINCT p.list_size) > 1 OR bool_or(l.list_size IS NOT NULL AND l.list_size <> p.list_size)""")
    for file, row, practice, list_type, sizes, listed in rows:
        also = f" and {listed:,} in the list-size file" if listed is not None else ""
        report.warning(file, row, "PRACTICE_LIST_SIZE", f"practice {practice}'s {list_type} list is written as "
                       f"{', '.join(f'{s:,}' for s in sizes)}{also}; each register uses the list on its own row.")
    if total > len(rows):
        report.warning(rows[0][0], None, "PRACTICE_LIST_SIZE", f"... and {total - len(rows):,} more practices whose "
                       "list of one type is written differently.")

    # A register larger than the list it is a share of: published so for some special practices (e.g. a
    # learning-disability home whose list is almost all on the register) and counted in England's figures, so
    # kept in every sum and reported.
    rows, total = _first_examples(con, """
        SELECT source_file, source_row, register, denominator, group_code, list_type
        FROM qof_register_denominator WHERE register > denominator""")
    for file, row, register, size, group, list_type in rows:
        report.warning(file, row, "REGISTER", f"the {group} register ({register:,}) is larger than the "
                       f"practice's {list_type} list ({size:,}); kept as published (it counts in every sum), "
                       "but check the practice.")
    if total > len(rows):
        report.warning(rows[0][0], None, "REGISTER", f"... and {total - len(rows):,} more registers above "
                       "their list size, kept as published.")

    # A register that is 0 for every practice in a file: a blanked or broken extract, not a real year.
    for file, group in con.execute("""
            SELECT source_file, group_code FROM qof_prevalence GROUP BY ALL
            HAVING count(register) > 0 AND max(register) = 0 ORDER BY 1, 2""").fetchall():
        report.warning(file, None, "REGISTER", f"the {group} register is 0 for every practice in the file; check "
                       "that the extract is complete (its prevalence shows as 0%).")

    # Registers the product does not know: kept (a new register) unless a practice has one in place of a known
    # register that nearly every other practice in the file has (a typo such as MHH for MH would take the practice
    # out of that register's figures without a word).
    rows, total = _first_examples(con, """
        WITH practices AS (SELECT source_file, count(DISTINCT practice_code) AS n FROM qof_prevalence GROUP BY ALL),
        common AS (
            SELECT q.source_file, q.group_code FROM qof_prevalence q JOIN practices USING (source_file)
            WHERE q.group_code IN (SELECT group_code FROM qof_registers)
            GROUP BY q.source_file, q.group_code, practices.n HAVING count(DISTINCT q.practice_code) >= 0.9 * practices.n
        )
        SELECT u.source_file, u.source_row, u.group_code, u.practice_code,
               list(c.group_code ORDER BY c.group_code) AS lacking
        FROM qof_prevalence u JOIN common c USING (source_file)
        WHERE u.group_code NOT IN (SELECT group_code FROM qof_registers)
          AND NOT EXISTS (SELECT 1 FROM qof_prevalence k WHERE k.source_file = u.source_file
                          AND k.practice_code = u.practice_code AND k.group_code = c.group_code)
        GROUP BY ALL""")
    for file, row, group, practice, lacking in rows:
        report.error(file, row, "GROUP_CODE", f"register code {group[:20]} is not a QOF register this tool knows, and "
                     f"practice {practice} has no {', '.join(lacking)} row, which nearly every other practice has: a "
                     "mistyped code? Correct it so the practice counts in that register.")
    if total > len(rows):
        report.error(rows[0][0], None, "GROUP_CODE", f"... and {total - len(rows):,} more unknown register codes in "
                     "place of known ones.")
    typos = {(r[0], r[2]) for r in rows}
    for file, row, group in con.execute("""
            SELECT min(source_file), min(source_row), group_code FROM qof_prevalence
            WHERE group_code NOT IN (SELECT group_code FROM qof_registers) GROUP BY group_code""").fetchall():
        if (file, group) not in typos:
            report.warning(file, row, "GROUP_CODE", f"register code {group[:20]} is not a QOF register this tool "
                           "knows; it is kept but not described.")

    # Practice codes that are not in the mapping for that period.
    for table in ("qof_prevalence", "qof_list_size", "patients_age_sex", "patients_lsoa"):
        for file, row, n, example in con.execute(f"""
                SELECT source_file, min(source_row), count(DISTINCT practice_code), min(practice_code)
                FROM {table} t
                WHERE t.period IN (SELECT period FROM practice_mapping)
                  AND NOT EXISTS (SELECT 1 FROM practice_mapping m
                                  WHERE m.period = t.period AND m.practice_code = t.practice_code)
                GROUP BY source_file""").fetchall():
            report.warning(file, row, "PRACTICE_CODE", f"{n:,} practice codes (such as {example}) are not in the "
                           "practice-to-PCN mapping for the same year; their patients count towards England "
                           "figures only.")
    for table in ("qof_prevalence", "patients_age_sex", "patients_lsoa", "service_usage"):
        for file, period in con.execute(f"""
                SELECT min(source_file), period FROM {table}
                WHERE period NOT IN (SELECT period FROM practice_mapping) GROUP BY period""").fetchall():
            report.warning(file, None, None, f"no practice-to-PCN mapping was loaded for {period}; the nearest "
                           "year's mapping is used for it.")

    # The ODS practice list (epraccur) has no date of its own: said, with what its content implies; and the
    # practices in the data it lists as closed or not GP practices (prescribing setting other than 4) flagged.
    for file, latest in con.execute("""
            SELECT source_file, max(greatest(open_date, close_date, join_date)) FROM practices
            GROUP BY source_file""").fetchall():
        report.warning(file, None, None, "this ODS practice list carries no date in its name or rows; its latest "
                       f"open, close or join date is {latest:%d %b %Y}, so it describes practices as at about then.")
    for what, where in (("closed (status C) or dormant (D)", "o.status IN ('C', 'D')"),
                        ("not GP practices by their prescribing setting (not 4)", "o.setting <> '4'")):
        for file, n, examples in con.execute(f"""
                SELECT min(o.source_file), count(DISTINCT m.practice_code),
                       list(DISTINCT m.practice_code ORDER BY m.practice_code)[1:5]
                FROM practice_mapping m JOIN practices o USING (practice_code) WHERE {where}
                HAVING count(*) > 0""").fetchall():
            report.warning(file, None, "Status Code" if "status" in where else "Prescribing Setting",
                           f"{n:,} practices in the mapping (such as {', '.join(examples)}) are {what} in the ODS "
                           "list; their figures are kept as published.")

    # LSOA codes that are not in the IMD (2011 codes): most often 2021 codes against IMD 2019.
    if tables["imd"] and tables["patients_lsoa"]:
        for file, unknown, total_rows, example, row in con.execute("""
                SELECT p.source_file, count(*) FILTER (WHERE i.lsoa_code IS NULL), count(*),
                       min(p.lsoa_code) FILTER (WHERE i.lsoa_code IS NULL),
                       min(p.source_row) FILTER (WHERE i.lsoa_code IS NULL)
                FROM patients_lsoa p LEFT JOIN imd i USING (lsoa_code)
                WHERE p.lsoa_code NOT LIKE 'NO%' AND p.lsoa_code NOT LIKE 'W%' GROUP BY p.source_file""").fetchall():
            if unknown and unknown > total_rows / 2:
                report.error(file, row, "LSOA_CODE", f"{unknown:,} of {total_rows:,} LSOA codes (such as {example}) "
                             "are not in the IMD 2019 file. IMD 2019 uses 2011 LSOA codes; this file probably uses "
                             "2021 codes. Use the registrations file with 2011 LSOAs (or a 2021-to-2011 lookup).")
            elif unknown:
                report.warning(file, row, "LSOA_CODE", f"{unknown:,} rows have LSOA codes (such as {example}) that "
                               "are not in the IMD file; those patients have no deprivation score.")

    # Service-usage codes by organisation type, and measures the catalogue does not describe.
    for file, row, org_type in con.execute("""
            SELECT min(source_file), min(source_row), org_type FROM service_usage
            WHERE org_type NOT IN ('practice', 'pcn', 'sub_icb', 'icb', 'england') GROUP BY org_type""").fetchall():
        report.error(file, row, "ORG_TYPE", f"'{org_type}' is not an organisation type this tool knows "
                     "(practice, pcn, sub_icb, icb or england).")
    for file, row, measure in con.execute("""
            SELECT min(source_file), min(source_row), measure FROM service_usage
            WHERE measure NOT IN (SELECT measure FROM service_measures) GROUP BY measure""").fetchall():
        report.warning(file, row, "MEASURE", f"measure '{measure}' is not one of the svc_ indicators of data/indicators.csv; it is "
                       "kept but shown without a description.")
    rows, total = _first_examples(con, """
        SELECT source_file, source_row, numerator, denominator FROM service_usage
        WHERE denominator IS NOT NULL AND numerator > denominator""")
    for file, row, numerator, denominator in rows:
        report.error(file, row, "NUMERATOR", f"the numerator ({numerator:,}) is larger than the denominator "
                     f"({denominator:,}); a proportion cannot exceed 100%.")


#: The publisher's organisation levels in a registrations file, and the practice_pcn column each sums by.
PUBLISHED_LEVELS = {"PCN": "pcn_code", "SUB_ICB_LOCATION_CODE": "sub_icb_code", "ICB": "icb_code",
                    "COMM REGION": "region_code"}


def check_built_models(con: duckdb.DuckDBPyConnection, report: Report) -> None:
    """Checks that need the models: the months and years each period's populations come from, and the
    publisher's own totals in a registrations file against the sums of its practice rows."""
    for dataset, what in (("patients_age_sex", "registrations by age and sex"),
                          ("patients_lsoa", "registrations by LSOA")):
        for period, source_period, extract_date, file in con.execute("""
                SELECT s.period, s.source_period, s.extract_date, min(p.source_file)
                FROM population_source s JOIN {0} p ON p.period = s.source_period AND p.extract_date = s.extract_date
                WHERE s.dataset = ? AND s.period <> s.source_period GROUP BY ALL ORDER BY 1""".format(dataset),
                [dataset]).fetchall():
            report.warning(file, None, "EXTRACT_DATE", f"there are no {what} for {period}; the nearest year's, "
                           f"{extract_date:%d %b %Y} ({source_period}), is used for it.")
        for period, used, others, file in con.execute("""
                SELECT x.period, x.extract_date, list_filter(x.dates_in_data, lambda d: d <> x.extract_date),
                       min(p.source_file)
                FROM extract_dates x JOIN {0} p ON p.period = x.period AND p.extract_date = x.extract_date
                WHERE x.dataset = ? AND len(x.dates_in_data) > 1 GROUP BY ALL ORDER BY 1""".format(dataset),
                [dataset]).fetchall():
            report.warning(file, None, "EXTRACT_DATE", f"{what} for {period}: the extract of {used:%d %b %Y} is "
                           f"used (the month nearest the year's end, 31 March); {', '.join(f'{d:%d %b %Y}' for d in others)} "
                           "left out.")
    for period, located, practices in con.execute("""
            SELECT m.period, count(d.practice_code), count(*) FROM practice_pcn m
            LEFT JOIN practice_deprivation d USING (period, practice_code)
            WHERE m.period IN (SELECT period FROM practice_deprivation WHERE method = 'practice location')
            GROUP BY m.period ORDER BY 1""").fetchall():
        report.warning("(deprivation)", None, None, f"no registrations by LSOA for {period}: deprivation is that of "
                       f"each practice's own LSOA (from its location), weighted by its patients; {located:,} of "
                       f"{practices:,} practices placed, {practices - located:,} without a location or LSOA left out.")
    split = con.execute("""
        SELECT period, pcn_code, icbs,
               CASE WHEN list_sum(icb_patients) > 0 THEN list_transform(icb_patients, lambda n: format('{:,} patients', n::BIGINT))
                    ELSE list_transform(icb_practices, lambda n: n || ' practices') END,
               row_number() OVER (PARTITION BY period ORDER BY pcn_code),
               count(*) OVER (PARTITION BY period)
        FROM pcn_icb WHERE len(icbs) > 1 ORDER BY 1, 2""").fetchall()
    for period, pcn, icbs, patients, n, total in split:
        if n > MAX_EXAMPLES:
            if n == total:
                report.warning("(mapping)", None, None, f"... and {total - MAX_EXAMPLES:,} more PCNs with practices "
                               f"in two ICBs in {period}, each shown under the ICB holding most of its list.")
            continue
        report.warning("(mapping)", None, None, f"PCN {pcn} has practices in {len(icbs)} ICBs in {period} "
                       f"({', '.join(f'{i}: {n}' for i, n in zip(icbs, patients))}); it is shown under "
                       f"{icbs[0]}, which holds most of its list. Each practice counts in its own ICB's figures.")
    for level, column in PUBLISHED_LEVELS.items():
        sql = f"""
            WITH published AS (
                SELECT r.period, r.extract_date, r.org_code, sum(r.patients) AS patients, min(r.source_file) AS file,
                       min(r.source_row) AS source_row
                FROM published_registrations r
                JOIN extract_dates x ON x.dataset = 'patients_age_sex' AND x.period = r.period
                     AND x.extract_date = r.extract_date
                WHERE r.org_type = ? AND r.sex NOT IN ('ALL', 'PERSONS') AND r.age_band <> 'ALL'
                  AND r.org_code <> 'U'
                GROUP BY ALL
            ), summed AS (
                SELECT p.period, m.{column} AS org_code, sum(p.patients) AS patients
                FROM patients_age_sex p
                JOIN extract_dates x ON x.dataset = 'patients_age_sex' AND x.period = p.period
                     AND x.extract_date = p.extract_date
                JOIN practice_pcn m ON m.period = p.period AND m.practice_code = p.practice_code
                GROUP BY ALL
            )
            SELECT p.file, p.source_row, p.org_code, p.extract_date, p.patients, coalesce(s.patients, 0)
            FROM published p LEFT JOIN summed s USING (period, org_code)
            WHERE p.patients IS DISTINCT FROM s.patients"""
        rows, total = _first_examples(con, sql, [level])
        for file, row, code, extract_date, published, summed in rows:
            report.warning(file, row, "NUMBER_OF_PATIENTS", f"the publisher's total for {level} {code} on "
                           f"{extract_date:%d %b %Y} ({published:,}) differs from the sum of its practices "
                           f"({summed:,}) under the practice-to-PCN mapping used; the practice rows are used.")
        if total > len(rows):
            report.warning(rows[0][0], None, "NUMBER_OF_PATIENTS", f"... and {total - len(rows):,} more {level} "
                           "totals that differ from the sum of their practices.")


def _record_sources(con, loaded: list[LoadedFile], report: Report) -> None:
    now = datetime.now().replace(microsecond=0)
    for f in loaded:
        warnings = sum(1 for i in report.warnings if i.file == f.path.name)
        con.execute("INSERT INTO sources VALUES (?, ?, ?, ?, ?, ?, ?)",
                    [f.path.name, f.kind, f.checksum, ", ".join(f.periods), f.rows, now, warnings])
    for i in report.issues:
        con.execute("INSERT INTO build_issues VALUES (?, ?, ?, ?, ?)",
                    [i.severity, i.file, i.row, i.column, i.message])


def validate(data_dir: Path, progress: Progress = lambda _: None) -> Report:
    """Check every extract in ``data_dir`` without building anything."""
    report = Report()
    con = duckdb.connect()
    try:
        load_folder(con, data_dir, report, progress)
    finally:
        con.close()
    return report


#: How long a command-line build waits for another build of the same database to finish.
WAIT_FOR_OTHER_BUILD_SECONDS = 600


def build(data_dir: Path, db_path: Path, progress: Progress = lambda _: None,
          wait: float = WAIT_FOR_OTHER_BUILD_SECONDS) -> BuildResult:
    """Build a new database from ``data_dir`` and swap it in at ``db_path``; raise BuildFailed (leaving any
    existing ``db_path`` untouched) when an extract has errors.

    Builds of one database are serialised by a lock file beside it (``.<name>.lock``): a second build waits up
    to ``wait`` seconds (0: refused at once, as an upload is) and is then refused with a plain message. Each
    build writes a file of its own (``.<name>.<pid>.<random>.building``); holding the lock, a build removes
    what a killed build left behind."""
    db_path = Path(db_path)
    report = Report()
    try:
        db_path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        report.error(str(db_path), None, None, f"the database cannot be written there ({exc.strerror}).")
        raise BuildFailed(report) from None
    lock = FileLock(db_path.parent / f".{db_path.name}.lock")
    try:
        if wait:
            try:
                lock.acquire(timeout=0)
            except Timeout:
                progress(f"waiting for another build of {db_path.name} to finish")
                lock.acquire(timeout=wait)
        else:
            lock.acquire(timeout=0)
    except Timeout:
        report.error(db_path.name, None, None, "another build of this database is running; nothing was changed. "
                     "Try again when it has finished.")
        raise BuildFailed(report) from None
    try:
        for stale in db_path.parent.glob(f".{db_path.name}.*building*"):
            stale.unlink(missing_ok=True)  # left by a killed build: no other build of this database is running
        tmp = db_path.parent / f".{db_path.name}.{os.getpid()}.{uuid.uuid4().hex[:8]}.building"
        return _build_locked(data_dir, db_path, tmp, report, progress)
    finally:
        lock.release()


def _build_locked(data_dir: Path, db_path: Path, tmp: Path, report: Report, progress: Progress) -> BuildResult:
    con = open_for_build(tmp)
    try:
        loaded = load_folder(con, data_dir, report, progress)
        if report.errors:
            raise BuildFailed(report)
        progress("building the PCN profile")
        models.run_all(con)
        for failure in models.test(con):
            report.error("(build)", None, None, failure.message() + " Please report it with the files used.")
        if report.errors:
            raise BuildFailed(report)
        check_built_models(con, report)
        _record_sources(con, loaded, report)
        table_rows = {t: con.execute(f"SELECT count(*) FROM {t}").fetchall()[0][0] for t in models.table_names(con)}
        con.execute("CHECKPOINT")
        con.close()
        os.replace(tmp, db_path)
        return BuildResult(db_path, report, loaded, table_rows)
    except BaseException as exc:
        con.close()
        for stale in (tmp, Path(f"{tmp}.wal")):
            stale.unlink(missing_ok=True)
        if isinstance(exc, Exception) and not isinstance(exc, BuildFailed):
            # Never a traceback: an unexpected failure is a failed build, the previous database untouched.
            report.error("(build)", None, None, "an unexpected problem stopped the build "
                         f"({type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}); nothing was "
                         "changed. Please report it with the files used.")
            raise BuildFailed(report) from exc
        raise


def open_for_build(path: Path) -> duckdb.DuckDBPyConnection:
    """A connection writing the database at ``path`` as a build does: with its row groups (ROW_GROUP_ROWS), and
    without DuckDB's automatic checkpoints. A national extract is staged as gigabytes of text and dropped once
    checked: compressing it in a checkpoint every 16 MB written costs more than it saves. A build checkpoints
    once, at the end."""
    con = duckdb.connect()
    con.execute(f"ATTACH ? AS build (ROW_GROUP_SIZE {ROW_GROUP_ROWS})", [str(path)])
    con.execute("USE build")
    con.execute("SET checkpoint_threshold = '1TB'")
    return con


def connect(db_path: Path) -> duckdb.DuckDBPyConnection:
    """A read-only connection to a built database."""
    return duckdb.connect(str(db_path), read_only=True)
