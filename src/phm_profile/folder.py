"""A folder of published files as the publisher ships them: sub-folders walked, zips and ``.gz`` files opened in
place, and every file either offered to the readers or skipped with a warning that says why.

The publisher's files come as zips (registrations, PCN Workforce, QOF), with guides, PDFs and definitions
workbooks beside the data; fetch and the publisher lay years out in folders (``qof_raw/2024_25/``). A build
reads them untouched: a zip's members are unpacked to a temporary folder for the build only and named
``the.zip/member.csv`` in every message, and a file is known by its headers (readers.load_file), never its name.
"""

from __future__ import annotations

import gzip
import os
from collections import Counter
import shutil
import zipfile
from dataclasses import dataclass
from pathlib import Path

from . import geo
from .readers import TABLE_FILES
from .readers.base import Report

#: What a build offers to the readers: tables and boundaries (``.gz`` and zip members of these too).
READABLE = TABLE_FILES + geo.BOUNDARY_SUFFIXES

#: Files that hold no data, skipped with a warning naming them (a publisher's guide, this product's notes).
DOCUMENTS = (".pdf", ".doc", ".docx", ".md", ".txt", ".html", ".htm", ".rtf", ".pptx", ".odt", ".json", ".xml")

#: The most the zips and ``.gz`` files of one folder may expand to: a larger (or a zip bomb) is refused at once.
MAX_EXPANDED_MB = 4096

#: The most files one zip may hold (the publisher's hold a handful): more is refused in a moment.
MAX_MEMBERS = 1000

#: How deep zips inside zips are opened (the publisher's QOF zip holds its CSVs; a zip of zips is a download of
#: several): deeper, or a zip that contains itself, is skipped with a warning.
MAX_NESTING = 2

#: Files a build writes or keeps beside its extracts, never data (a database built into the folder, its lock).
OWN_FILES = (".duckdb", ".wal", ".lock", ".building", ".pyc")


@dataclass(frozen=True)
class Found:
    """One file to offer to the readers: where its bytes are, and its name as every message writes it (its path
    within the folder, a zip member after its zip: ``gp_registrations/2026_07/gp-reg-pat-prac-map.zip/...``)."""

    path: Path
    name: str

    @property
    def folders(self) -> tuple[str, ...]:
        """The folders (and zip) the file sits in, innermost last: where a year may be written (qof_raw/2024_25)."""
        return tuple(Path(self.name).parts[:-1])


class Unpacker:
    """Unpacks zips and ``.gz`` files into ``workdir`` (a temporary folder of the build), within one budget."""

    def __init__(self, workdir: Path, report: Report, max_mb: int = MAX_EXPANDED_MB):
        self.workdir, self.report, self.budget, self.max_mb = Path(workdir), report, max_mb * 1_000_000, max_mb
        self.count = 0

    def _target(self, member_name: str) -> Path:
        self.count += 1
        folder = self.workdir / str(self.count)
        folder.mkdir(parents=True)
        return folder / Path(member_name).name

    def _spend(self, name: str, size: int) -> bool:
        if size > self.budget:
            self.report.error(name, None, None, f"this archive expands to more than the {self.max_mb:,} MB a build "
                              "unpacks (the folder's zips and .gz files together); unzip it and keep only the data "
                              "files.")
            return False
        self.budget -= size
        return True

    def zip(self, path: Path, name: str, depth: int = 0) -> list[Found]:
        if depth >= MAX_NESTING:
            self.report.warning(name, None, None, f"skipped: a zip inside {MAX_NESTING} zips is not opened; unzip it "
                                "and put its files in the folder.")
            return []
        try:
            with zipfile.ZipFile(path) as archive:
                members = [m for m in archive.infolist() if not m.is_dir()]
                if len(members) > MAX_MEMBERS:
                    self.report.error(name, None, None, f"this zip holds {len(members):,} files, more than the "
                                      f"{MAX_MEMBERS:,} a build opens; unzip it and keep only the data files.")
                    return []
                if not self._spend(name, sum(m.file_size for m in members)):
                    return []
                found = []
                names = Counter(m.filename for m in members)
                for member in members:
                    inner = f"{name}/{member.filename}"
                    base = Path(member.filename).name
                    if base.startswith(".") or "__MACOSX" in Path(member.filename).parts:
                        continue
                    if names[member.filename] > 1:
                        self.report.error(name, None, None, f"this zip holds {member.filename} twice; it cannot be "
                                          "read faithfully (which copy is meant?).")
                        return []
                    if not offered(inner, self.report):
                        continue
                    target = self._target(base)
                    with archive.open(member) as src, open(target, "wb") as dst:
                        shutil.copyfileobj(src, dst, 1 << 20)
                    found.extend(self.unpacked(target, inner, depth + 1))
                return found
        except (zipfile.BadZipFile, OSError, EOFError, zipfile.LargeZipFile) as exc:
            self.report.error(name, None, None, f"this zip cannot be read (it may be cut short or damaged: {exc}); "
                              "download it again.")
            return []
        except RuntimeError as exc:  # an encrypted member
            self.report.error(name, None, None, f"this zip cannot be read ({exc}); save its files unencrypted.")
            return []

    def gz(self, path: Path, name: str) -> list[Found]:
        inner = name[: -len(".gz")]
        if not offered(inner, self.report, name):
            return []
        target = self._target(Path(inner).name)
        try:
            with gzip.open(path) as src, open(target, "wb") as dst:
                while chunk := src.read(1 << 20):
                    if not self._spend(name, len(chunk)):
                        return []
                    dst.write(chunk)
        except (OSError, EOFError) as exc:
            self.report.error(name, None, None, f"this .gz file cannot be read (it may be cut short or damaged: "
                              f"{exc}); download it again.")
            return []
        return [Found(target, name)]  # named as the user has it: the .gz

    def unpacked(self, path: Path, name: str, depth: int = 0) -> list[Found]:
        """``path`` as the readers take it: itself, or the members of the zip or ``.gz`` it is (``depth``: the
        zips it is inside)."""
        suffix = Path(name).suffix.lower()
        if suffix == ".zip":
            return self.zip(path, name, depth)
        if suffix == ".gz":
            return self.gz(path, name)
        return [Found(path, name)]


def offered(name: str, report: Report, shown: str | None = None) -> bool:
    """Whether a file of this name goes to the readers; a file that does not is skipped with a warning saying why.
    Files a build writes itself are passed over silently."""
    suffix = Path(name).suffix.lower()
    if suffix == ".gz":
        suffix = Path(name[: -len(".gz")]).suffix.lower()
    if suffix in READABLE or Path(name).suffix.lower() == ".zip":
        return True
    if suffix in OWN_FILES:
        return False
    shown = shown or name
    if suffix in DOCUMENTS:
        report.warning(shown, None, None, "skipped: a document (a guide, notes or metadata), not an extract.")
    else:
        report.warning(shown, None, None, "skipped: only CSV, XLSX, Parquet, GeoJSON and GeoParquet files are read "
                       "(in a folder, a .zip or a .gz); save a .xls or .txt as CSV to have it read.")
    return False


def walk(data_dir: Path, report: Report, skip: tuple[str, ...] = ()) -> list[tuple[Path, str]]:
    """Every regular file under ``data_dir`` with its path within it, sub-folders included (hidden files and
    folders, and the top-level folders named in ``skip``, left out), in a stable order. A link to a file is read;
    a link to a folder is not followed (it could lead back to the folder, or anywhere), a folder that cannot be
    read and anything not a regular file (a pipe, a device) are skipped, each with a warning."""
    data_dir = Path(data_dir)
    out = []

    def unreadable(error: OSError) -> None:
        where = Path(error.filename).relative_to(data_dir).as_posix() if error.filename else str(data_dir)
        report.warning(where, None, None, f"skipped: this folder cannot be read ({error.strerror}).")

    for root, dirs, files in os.walk(data_dir, onerror=unreadable):
        rel = Path(root).relative_to(data_dir)
        for d in sorted(dirs):
            if (Path(root) / d).is_symlink() and not d.startswith("."):
                report.warning((rel / d).as_posix(), None, None, "skipped: a link to a folder is not followed; "
                               "put the folder itself here.")
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and not (rel == Path(".") and d in skip)
                         and not (Path(root) / d).is_symlink())
        for f in sorted(files):
            path = Path(root) / f
            if f.startswith("."):
                continue
            if not path.is_file():  # a pipe, a socket, a device, or a link to nothing
                report.warning((rel / f).as_posix(), None, None, "skipped: not a regular file.")
                continue
            out.append((path, (rel / f).as_posix()))
    return out


def gather(data_dir: Path, workdir: Path, report: Report, skip: tuple[str, ...] = ()) -> list[Found]:
    """The files of ``data_dir`` to offer to the readers, zips and ``.gz`` files unpacked into ``workdir``."""
    unpacker = Unpacker(workdir, report)
    found = []
    for path, name in walk(data_dir, report, skip):
        if offered(name, report):
            found.extend(unpacker.unpacked(path, name))
    return found
