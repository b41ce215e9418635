"""The DuckDB store: build a new database from a folder of extracts and swap it in only when all is well.

A build writes ``.<name>.building`` beside the target, loads and checks every extract, runs the cross-file
checks and the SQL models, and only then replaces the target with ``os.replace`` (atomic on one file
system). A failed build deletes its own file and leaves the previous database exactly as it was.
"""

from __future__ import annotations

import os
import tempfile
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import duckdb
from filelock import FileLock, Timeout

from . import areas, folder, geo, models, release
from .config import SQL_DIR
from .readers import EXTRACTS, LoadedFile, Report, is_staffing, load_file, rules
from .readers.base import sha256

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

    def file_summary(self) -> list[str]:
        """What the build did with each file, for the end of its report: each file used and for what, then each
        skipped or left out and why (from the warnings that said so)."""
        titles = {spec.kind: spec.title for spec in EXTRACTS} | {
            "lsoa_boundaries": "LSOA boundaries", STAFFING_KIND: "the MHPs in post (staffing file)",
            AREAS_KIND: "a set of your own areas"}
        lines = ["Files used:"] + [
            f"  {f.file_name}: {titles.get(f.kind, f.kind)}" + (f" ({', '.join(f.periods)})" if f.periods else "")
            for f in self.files]
        left = [w for w in self.report.warnings if w.message.startswith("skipped:") or "is left out" in w.message]
        if left:
            lines += ["Files not used:"] + [f"  {w.file}: {w.message.removeprefix('skipped: ')}" for w in left]
        return lines

    @property
    def staffing(self) -> str | None:
        """The MHP staffing file the build read, as its messages name it (None without one)."""
        return next((f.file_name for f in self.files if f.kind == STAFFING_KIND), None)


def load_folder(
    con: duckdb.DuckDBPyConnection, data_dir: Path, report: Report, progress: Progress = lambda _: None
) -> list[LoadedFile]:
    """Load every extract under ``data_dir`` (sub-folders, zips and .gz files included: folder.gather) into the
    tables of ``con`` and run the cross-file checks. A file that is no extract is skipped with a warning."""
    con.execute((SQL_DIR / "sources.sql").read_text())
    models.load_seeds(con)
    loaded = []
    if not Path(data_dir).is_dir():
        report.error(str(data_dir), None, None, "this is not a folder; give the folder that holds the extracts.")
        return loaded
    with tempfile.TemporaryDirectory(prefix="phm-unpacked-") as workdir:
        files = folder.gather(Path(data_dir), Path(workdir), report, skip=(STAFFING_FOLDER, areas.AREAS_FOLDER))
        staffing = [f for f in files if is_staffing(f.path)] + [
            folder.Found(p, p.relative_to(data_dir).as_posix()) for p in staffing_folder(Path(data_dir))]
        files = [f for f in files if f not in staffing]
        if not files and not report.errors:
            report.error(str(data_dir), None, None, "the folder holds no CSV, XLSX, Parquet or GeoJSON files "
                         "(in it, its sub-folders or its zips).")
        for i, found in enumerate(files, 1):
            progress(f"[{i}/{len(files)}] reading {found.name}")
            try:
                if geo.is_boundary_file(found.path):
                    result = geo.load_boundaries(con, found.path, report, found.name)
                else:
                    result = load_file(con, found.path, report, name=found.name, folders=found.folders)
            except Exception as exc:  # never a traceback: the file is named, the build fails, nothing changes
                if isinstance(exc, MemoryError):
                    raise
                report.error(found.name, None, None, "an unexpected problem stopped this file being read "
                             f"({type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}); nothing "
                             "was changed. Please report it with the file.")
                result = None
            if result is not None:
                loaded.append(result)
        seen: dict[str, str] = {}
        for f in loaded:  # the same bytes under two names
            if f.checksum in seen:
                report.error(f.file_name, None, None, f"is the same file as {seen[f.checksum]} (identical content); "
                             "keep one of them (loading both would count it twice).")
            seen.setdefault(f.checksum, f.file_name)
        kept = _load_staffing(con, staffing, report)
    if kept is not None:
        loaded.append(kept)
    loaded.extend(_load_area_sets(con, Path(data_dir), report))
    if not loaded and not report.errors:
        report.error(str(data_dir), None, None, "no file in the folder is an extract this tool reads (see the "
                     "warnings for each file skipped and why).")
    models.run_staging(con)
    for spec in EXTRACTS:
        if spec.after_folder is not None:
            spec.after_folder(con, [f.file_name for f in loaded if f.kind == spec.kind], report)
    if not report.errors:
        progress("checking the extracts against each other")
        rules.run(con, rules.CROSS_FILE, report)
        geo.locate_practices(con, report)
    return loaded


#: The MHPs in post with their start dates (workforce.read_staffing), kept with the extracts when the folder has
#: them: the MHP impact page starts from them (a user can load or edit another file on the page). The file is
#: known by its columns (readers.is_staffing) at the top of the folder (where an upload puts it), or is any CSV
#: in the folder's staffing/ (as the demo has it: staffing/mhp_staffing.csv).
STAFFING_FOLDER = "staffing"
STAFFING_KIND = "mhp_staffing"


def staffing_folder(data_dir: Path) -> list[Path]:
    """The CSV files of the folder's staffing/ sub-folder (each read as a staffing file)."""
    folder = Path(data_dir) / STAFFING_FOLDER
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.is_file() and p.suffix.lower() == ".csv" and not p.name.startswith("."))


AREAS_KIND = "area_set"


def _load_area_sets(con, data_dir: Path, report: Report) -> list[LoadedFile]:
    """The area sets shipped with the data (areas/*.csv, one set per file: areas.read_area_set), checked against
    the loaded mappings' practices and PCNs and kept as the table area_sets; a row that does not fit is left out
    with a warning naming its row and column, a file that is no area file is an error."""
    con.execute("CREATE TABLE IF NOT EXISTS area_sets (set_name VARCHAR, area_name VARCHAR, code VARCHAR, "
                "kind VARCHAR, source_file VARCHAR)")
    where = data_dir / areas.AREAS_FOLDER
    paths = sorted(p for p in where.iterdir() if p.is_file() and p.suffix.lower() == ".csv"
                   and not p.name.startswith(".")) if where.is_dir() else []
    if not paths:
        return []
    practices = {r[0] for r in con.execute("SELECT DISTINCT practice_code FROM practice_mapping "
                                           "WHERE practice_code IS NOT NULL").fetchall()}
    pcns = set(pcn_codes(con))
    loaded, names = [], set()
    for path in paths:
        name = path.relative_to(data_dir).as_posix()
        try:
            read = areas.read_area_set(path.read_bytes(), name, practices, pcns)
        except areas.AreaFileError as exc:
            report.error(name, None, None, f"{str(exc).removeprefix(name).lstrip(':, ')}; nothing of it is kept.")
            continue
        if read.name.casefold() in names:
            report.error(name, None, None, f"a second set named {read.name!r} (sets are named after their files).")
            continue
        names.add(read.name.casefold())
        for issue in read.notes:
            report.warning(issue.file, issue.row, issue.column, issue.message)
        con.register("area_frame", read.members.assign(set_name=read.name, source_file=name))
        con.execute("INSERT INTO area_sets SELECT set_name, area_name, code, kind, source_file FROM area_frame")
        con.unregister("area_frame")
        loaded.append(LoadedFile(path, AREAS_KIND, len(read.members), [], sha256(path), name=name))
    return loaded


def pcn_codes(con: duckdb.DuckDBPyConnection) -> dict[str, list[str]]:
    """Every PCN code of the loaded practice-to-PCN mappings with the years it is a PCN in: what a staffing file's
    codes are checked against (a code of none is refused; one of earlier years only is kept, and said)."""
    return dict(con.execute("SELECT pcn_code, list(DISTINCT period ORDER BY period) FROM practice_mapping "
                            "WHERE pcn_code IS NOT NULL AND period IS NOT NULL GROUP BY pcn_code").fetchall())


def _load_staffing(con, paths: list[folder.Found], report: Report) -> LoadedFile | None:
    """The one staffing file among ``paths``, checked (its PCN codes against the loaded mappings) and kept as the
    table mhp_staffing; None when there is none or it fails (its problems in ``report``). Two files are refused:
    they would be two versions of who is in post."""
    from . import workforce

    con.execute("CREATE TABLE mhp_staffing (pcn_code VARCHAR, role VARCHAR, band VARCHAR, wte DOUBLE, "
                "start_date DATE, end_date DATE)")
    names = [f.name for f in paths]
    if len(paths) > 1:
        for name in names:
            report.error(name, None, None, f"only one staffing file is read, and the folder has {len(paths)} "
                         f"({', '.join(names)}); keep one, or put their posts in one file.")
        return None
    if not paths:
        return None
    path, name = paths[0].path, names[0]
    try:
        staffing, notes = workforce.staffing_and_notes(path.read_bytes(), name, pcn_codes(con) or None)
    except workforce.StaffingFileError as exc:
        report.issues.extend(exc.problems)
        return None
    except Exception as exc:  # never a traceback: the file is named, the build fails, nothing changes
        if isinstance(exc, MemoryError):
            raise
        report.error(name, None, None, "an unexpected problem stopped this staffing file being read "
                     f"({type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}); nothing was changed. "
                     "Please report it with the file.")
        return None
    report.issues.extend(notes)
    con.register("staffing_frame", staffing)
    con.execute("INSERT INTO mhp_staffing SELECT pcn_code, role, band, wte, start_date::DATE, end_date::DATE "
                "FROM staffing_frame")
    con.unregister("staffing_frame")
    return LoadedFile(path, STAFFING_KIND, len(staffing), [], sha256(path), name=name)


def _record_sources(con, loaded: list[LoadedFile], report: Report) -> None:
    now = datetime.now().replace(microsecond=0)
    for f in loaded:
        warnings = sum(1 for i in report.warnings if i.file == f.file_name)
        con.execute("INSERT INTO sources VALUES (?, ?, ?, ?, ?, ?, ?)",
                    [f.file_name, f.kind, f.checksum, ", ".join(f.periods), f.rows, now, warnings])
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
        rules.run(con, rules.BUILT, report)
        _record_sources(con, loaded, report)
        progress("releasing the figures shown with suppression on")
        release.write(con)
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
