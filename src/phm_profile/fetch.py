"""Get the publishers' files for one financial year: ``python -m phm_profile fetch --year 2023-24 --out DIR``.

What to download comes from a manifest (``data/publications.csv``): for each dataset and period, the publication
page, and either the file's URL or a pattern for the link to find on that page (publishers put a hash in their
file paths, so the link is found by its name). Downloads show a progress bar, resume where a broken one stopped
(only when the server proves it is still the same file) and must arrive within a deadline; each file is recorded
with its URL, size and sha256 in ``DIR/fetched.json`` (not a table, so the build passes it over). Zips are
unpacked, only the tables inside and by their base names, so never a path outside DIR, all of a zip or nothing,
within a cap on their expanded size; nothing downloaded is ever run. No file overwrites another of the same name:
a name given twice (two members of a zip, or a file named like one another dataset fetched) is refused with a
message, never saved under a second name, since the build reads every file in the folder and would count both.
When a dataset cannot be fetched (offline, a moved link, a damaged zip) the command says which, and what to
download by hand from which page, and goes on with the others. The URLs come from public code and could not be
checked from where this was written: a user who finds one moved edits the manifest.
"""

from __future__ import annotations

import csv
import hashlib
import json
import lzma
import os
import re
import sys
import tempfile
import time
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlparse

import requests
import urllib3
from tqdm import tqdm

from .config import DATA_DIR
from .readers.base import sha256

MANIFEST = DATA_DIR / "publications.csv"
MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
          "november", "december")
#: What is kept from a downloaded zip: the tables and boundaries the build reads.
KEPT_SUFFIXES = (".csv", ".xlsx", ".parquet", ".geojson", ".geoparquet")
#: The longest wait for any one answer from a server; the whole file has its own deadline (DEADLINE_SECONDS).
TIMEOUT_SECONDS = 30
#: Defaults of --deadline-minutes and --max-expanded-mb: the publishers' largest files take minutes, and expand
#: to a few hundred MB.
DEADLINE_SECONDS = 30 * 60
MAX_EXPANDED_BYTES = 2 << 30
#: A publication page is HTML, not a file: more than this is not one.
PAGE_MAX_BYTES = 20 << 20
RECORD = "fetched.json"
#: The compressions Python's zipfile unpacks, and the names of some it does not (for the message).
UNPACKABLE = {zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA}
METHOD_NAMES = {6: "Implode", 9: "Deflate64", 93: "Zstandard", 95: "XZ", 98: "PPMd", 99: "AES encryption"}
#: What a damaged member raises while it is read (bzip2 raises OSError for a bad stream).
UNREADABLE = (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, lzma.LZMAError, EOFError, NotImplementedError,
              RuntimeError, ValueError, OSError)


@dataclass(frozen=True)
class Publication:
    dataset: str
    period: str
    page_url: str
    file_url: str
    link_pattern: str
    licence: str


@dataclass
class Fetched:
    dataset: str
    url: str
    path: Path
    size: int
    sha256: str


@dataclass(frozen=True)
class Limits:
    """What one file may take: the wall-clock time to arrive, and for a zip the bytes of its tables unpacked."""
    deadline_seconds: float = DEADLINE_SECONDS
    max_expanded_bytes: int = MAX_EXPANDED_BYTES


class FetchFailed(Exception):
    """One dataset could not be fetched; the message says what to download by hand, from where."""


class Unusable(Exception):
    """One file could not be fetched or used, said for people; fetch_one adds the dataset and its page."""


def fill(template: str, period: str) -> str:
    """A manifest URL or pattern for ``period`` ('2023-24'): {start} 2023, {end} 2024, {yy} 2324,
    {start_yy} 23, {end_yy} 24, {march_end} march-2024 (the registrations' month for the year: its end)."""
    start = int(period[:4])
    end = start + 1
    return template.format(start=start, end=end, yy=f"{start % 100:02d}{end % 100:02d}", start_yy=f"{start % 100:02d}",
                           end_yy=f"{end % 100:02d}", april_end=f"april-{end}", march_end=f"march-{end}")


def read_manifest(path: Path = MANIFEST) -> list[Publication]:
    with open(path, newline="", encoding="utf-8") as fh:
        return [Publication(**{k: (v or "").strip() for k, v in row.items() if k in Publication.__annotations__})
                for row in csv.DictReader(fh)]


def publications_for(manifest: list[Publication], period: str, what: set[str] | None) -> list[Publication]:
    """The manifest rows for ``period`` (a row for '*' serves every year), for the datasets asked for."""
    rows = [p for p in manifest if p.period in (period, "*") and (not what or p.dataset in what)]
    exact = {p.dataset for p in rows if p.period == period}
    return [p for p in rows if p.period == period or p.dataset not in exact]


class _Links(HTMLParser):
    """Every <a href> of a page with its text."""

    def __init__(self):
        super().__init__()
        self.links: list[tuple[str, str]] = []
        self._href: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            self._href = dict(attrs).get("href")
            self._text = []

    def handle_data(self, data):
        if self._href is not None:
            self._text.append(data)

    def handle_endtag(self, tag):
        if tag == "a" and self._href is not None:
            self.links.append((self._href, " ".join("".join(self._text).split())))
            self._href = None


def find_links(page_url: str, html: str, pattern: str) -> list[str]:
    """The absolute URLs of the page's links whose address or text matches ``pattern`` (a regular
    expression, case-insensitive), in page order, without repeats."""
    parser = _Links()
    parser.feed(html)
    found = []
    for href, text in parser.links:
        url = urljoin(page_url, href)
        if urlparse(url).scheme in ("http", "https") and (re.search(pattern, href, re.I) or re.search(pattern, text, re.I)):
            if url not in found:
                found.append(url)
    return found


def _by_hand(publication: Publication, period: str, why: str) -> FetchFailed:
    page = fill(publication.page_url or publication.file_url, period)
    return FetchFailed(f"{publication.dataset} {period}: {why}. Download it by hand from {page} and put the file "
                       "in the output folder (or correct its row in data/publications.csv).")


def _first_line(exc: BaseException) -> str:
    """An exception in one line (every failure is one line of the command's output)."""
    return (str(exc).strip() or type(exc).__name__).splitlines()[0]


def _megabytes(n: float) -> str:
    return f"{n / (1 << 20):,.1f} MB"


def _duration(seconds: float) -> str:
    return f"{seconds:g} s" if seconds < 120 else f"{seconds / 60:g} minutes"


def _write_atomically(path: Path, text: str) -> None:
    """Write ``path`` through a temporary file beside it moved over it (os.replace): whoever reads it, or an
    interruption, sees the old text or the new, never half of one."""
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


# The record ------------------------------------------------------------------------------------------------------


class Record:
    """``fetched.json``: one entry per file fetched into the folder (dataset, period, URL, size, sha256), a new
    fetch of a file replacing its entry, so that it describes the files there. Rewritten atomically after every
    file, so neither a failed dataset nor an interruption loses the others' entries. It also says whose each name
    is, so that no file overwrites another's (``clash``)."""

    def __init__(self, out_dir: Path, period: str):
        self.path = out_dir / RECORD
        self.period = period
        self.problem: str | None = None  # an unreadable record, kept aside
        self.entries = self._read()
        self.added: list[Fetched] = []
        self._now: dict[str, tuple[str, str]] = {}  # name.lower() -> (name, dataset), for this run's files

    def _read(self) -> list[dict]:
        """The entries, or none when the file is absent; one that cannot be read is moved aside, not lost."""
        if not self.path.exists():
            return []
        try:
            entries = json.loads(self.path.read_text(encoding="utf-8"))
            if not isinstance(entries, list) or not all(isinstance(e, dict) and isinstance(e.get("file"), str)
                                                        for e in entries):
                raise ValueError("not a list of records")
            return entries
        except ValueError as exc:  # also bad JSON, bad UTF-8
            aside = self.path.with_name(f"{RECORD}.unreadable")
            os.replace(self.path, aside)
            self.problem = (f"{RECORD} in {self.path.parent} could not be read ({_first_line(exc)}): it was kept as "
                            f"{aside.name}, and a new record started.")
            return []

    def clash(self, name: str, dataset: str) -> str | None:
        """Why ``name`` may not be written for ``dataset``, if it may not: a file of that name (in any case, as
        Windows and macOS compare them) was written earlier in this run, or is recorded for another dataset."""
        if name.lower() in self._now:
            earlier, owner = self._now[name.lower()]
            return f"would overwrite {earlier}, fetched for {owner}"
        for entry in self.entries:
            if entry["file"].lower() == name.lower() and entry.get("dataset") != dataset:
                return f"would overwrite {entry['file']}, fetched for {entry.get('dataset')}"
        return None

    def add(self, fetched: Fetched) -> None:
        """Record a file now in place (replacing the entry of that name), and write the record."""
        name = fetched.path.name
        self._now[name.lower()] = (name, fetched.dataset)
        self.added.append(fetched)
        entry = {"dataset": fetched.dataset, "period": self.period, "url": fetched.url, "file": name,
                 "bytes": fetched.size, "sha256": fetched.sha256,
                 "fetched_at": datetime.now().isoformat(timespec="seconds")}
        self.entries = [e for e in self.entries if e["file"].lower() != name.lower()] + [entry]
        self.save()

    def save(self) -> None:
        _write_atomically(self.path, json.dumps(self.entries, indent=1))


# Downloading -----------------------------------------------------------------------------------------------------


class Deadline:
    """The wall-clock time one file must have arrived by. The requests timeout bounds each read only: a server
    sending a byte every 20 s would never trip it, and keep the command for hours."""

    def __init__(self, seconds: float):
        self.seconds = seconds
        self.at = time.monotonic() + seconds

    def check(self, what: str) -> None:
        if time.monotonic() > self.at:
            raise Unusable(f"{what} was still downloading after {_duration(self.seconds)} (--deadline-minutes); "
                           "what had arrived is kept, for the next attempt to resume")

    def timeout(self) -> tuple[float, float]:
        """The requests timeout (connect, each read): TIMEOUT_SECONDS, or what is left of the deadline if less."""
        left = max(0.1, min(TIMEOUT_SECONDS, self.at - time.monotonic()))
        return left, left


def _get(session: requests.Session, url: str, deadline: Deadline, headers: dict | None = None) -> requests.Response:
    deadline.check(url)
    return session.get(url, stream=True, timeout=deadline.timeout(), headers=headers)


def _blocks(response: requests.Response, deadline: Deadline, what: str):
    """The body as it arrives, checking the deadline after each block: read1 returns whatever one read of the
    socket brings (iter_content would wait for a whole block however long that takes)."""
    read = getattr(response.raw, "read1", response.raw.read)  # read1: urllib3 2.1 and later
    while block := read(1 << 16, decode_content=True):
        yield block
        deadline.check(what)


def _page(session: requests.Session, url: str, deadline: Deadline) -> str:
    """A publication page's HTML, read within the deadline."""
    with _get(session, url, deadline) as response:
        response.raise_for_status()
        body = bytearray()
        for block in _blocks(response, deadline, url):
            body += block
            if len(body) > PAGE_MAX_BYTES:
                raise Unusable(f"{url} is over {_megabytes(PAGE_MAX_BYTES)}: not a publication page")
        return body.decode(response.encoding or "utf-8", errors="replace")


def output_name(url: str) -> str:
    """The name a download is saved under: the last part of its URL's path, so never a path outside the folder.
    Refused (Unusable) when it would replace fetch's own record, name no file ('', '.', '..') or hide in the
    folder (a dot file): a link or URL ending in fetched.json once overwrote the record."""
    name = urlparse(url).path.replace("\\", "/").rsplit("/", 1)[-1]
    if name.lower() == RECORD:
        why = f"its name is that of fetch's own record ({RECORD})"
    elif name in ("", ".", ".."):
        why = "its address names no file"
    elif name.startswith("."):
        why = f"its name ({name}) is a hidden file's"
    else:
        return name
    raise Unusable(f"{url} was not downloaded: {why}")


def _validator(response: requests.Response) -> tuple[str, str] | None:
    """The header identifying this version of the file, for If-Range: a strong ETag, else Last-Modified (a weak
    ETag may not be used in If-Range, RFC 9110 13.1.5)."""
    etag = response.headers.get("ETag")
    if etag and not etag.startswith("W/"):
        return "ETag", etag
    if response.headers.get("Last-Modified"):
        return "Last-Modified", response.headers["Last-Modified"]
    return None


def _remember(state_file: Path, url: str, response: requests.Response, total: int | None) -> None:
    """Keep beside the part what a later attempt needs to resume it safely: the validator and the total length.
    Without a validator nothing is kept, and a broken download starts again."""
    found = _validator(response)
    if found is None:
        state_file.unlink(missing_ok=True)
    else:
        _write_atomically(state_file, json.dumps({"url": url, "header": found[0], "validator": found[1],
                                                  "total": total}))


def _resumable(part: Path, state_file: Path, url: str) -> dict | None:
    """What was remembered of the attempt that left ``part``, when it can be resumed: the same URL, a validator.
    A part without one cannot be trusted to be the start of the file the server has now."""
    try:
        state = json.loads(state_file.read_text(encoding="utf-8"))
        if isinstance(state, dict) and state.get("url") == url and state.get("validator") and part.stat().st_size:
            return state
    except (OSError, ValueError):
        pass
    return None


def _same_version(response: requests.Response, state: dict) -> bool:
    """The answer carries no validator, or the one remembered."""
    return response.headers.get(state["header"], state["validator"]) == state["validator"]


def _continues(response: requests.Response, have: int, state: dict) -> bool:
    """Whether a 206 is the rest of the very file the part began: its Content-Range starts where the part ends and
    runs to the total remembered, and it is the version remembered. A server that ignores If-Range answers 206
    for a changed file too, and the two versions would be spliced."""
    found = re.fullmatch(r"bytes (\d+)-(\d+)/(\d+)", response.headers.get("Content-Range", "").strip())
    if not found or not _same_version(response, state):
        return False
    start, end, total = map(int, found.groups())
    return start == have and end + 1 == total == state["total"]


def _already_whole(response: requests.Response, have: int, state: dict) -> bool:
    """Whether a 416 (nothing from byte ``have`` on) means the part is whole: only when it has the total length
    remembered, which the server's ``bytes */N`` confirms if given. A 416 also answers a part longer than a newer,
    shorter file, and used to pass that half file off as complete."""
    found = re.fullmatch(r"bytes \*/(\d+)", response.headers.get("Content-Range", "").strip())
    return have == state["total"] and (found is None or int(found[1]) == have) and _same_version(response, state)


def _discard(*paths: Path) -> None:
    for path in paths:
        path.unlink(missing_ok=True)


def _open_download(session: requests.Session, url: str, part: Path, state_file: Path,
                   deadline: Deadline) -> tuple[requests.Response | None, int]:
    """The answer to read, and the byte of the file it starts at: the rest of ``part`` when the server proves it is
    the same file (If-Range with the remembered validator, then the range and total checked), else the whole
    file from byte 0, the part discarded. No answer to read (None) when a 416 shows the part already whole."""
    state = _resumable(part, state_file, url)
    if state:
        have = part.stat().st_size
        response = _get(session, url, deadline, {"Accept-Encoding": "identity", "Range": f"bytes={have}-",
                                                 "If-Range": state["validator"]})
        if response.status_code == 206 and _continues(response, have, state):
            return response, have
        if response.status_code == 416 and _already_whole(response, have, state):
            response.close()
            return None, have
        if response.status_code not in (200, 206, 416):
            response.close()
            response.raise_for_status()  # the part is kept, for when the server is back
        _discard(part, state_file)
        if response.status_code == 200:  # the file changed (If-Range failed): this is the whole new one
            return response, 0
        response.close()
    _discard(part, state_file)
    response = _get(session, url, deadline, {"Accept-Encoding": "identity"})
    if response.status_code != 200:
        response.close()
        response.raise_for_status()
        raise Unusable(f"{url} was answered {response.status_code} {response.reason}, not with the file")
    return response, 0


def _total(response: requests.Response, start: int) -> int | None:
    """The file's whole length as the server gave it (a 206's Content-Range, a 200's Content-Length), if it did."""
    if response.headers.get("Content-Encoding", "identity").lower() != "identity":
        return None  # the length is the encoded body's
    if start:
        return int(response.headers["Content-Range"].rsplit("/", 1)[1])  # checked by _continues
    length = response.headers.get("Content-Length", "")
    return int(length) if length.isdigit() else None


def download(session: requests.Session, url: str, out_dir: Path, limits: Limits = Limits(),
             progress: bool = True) -> Path:
    """Download ``url`` into ``out_dir`` under ``output_name(url)`` through ``<name>.part``, which replaces any
    earlier file only when complete (as long as the server said). A broken download is resumed only when the
    server proves it is the same file, by the validator kept in ``<name>.part.json``; else it starts again. The
    whole file must arrive within the deadline (Unusable, the part kept, if not)."""
    name = output_name(url)
    part, state_file = out_dir / f"{name}.part", out_dir / f"{name}.part.json"
    deadline = Deadline(limits.deadline_seconds)
    response, start = _open_download(session, url, part, state_file, deadline)
    total = None  # no answer to read: a 416 showed the part whole
    if response is not None:
        with response:
            total = _total(response, start)
            if not start:
                _remember(state_file, url, response, total)
            with open(part, "ab" if start else "wb") as fh, tqdm(
                    total=total, initial=start, unit="B", unit_scale=True, desc=name, disable=not progress,
                    file=sys.stderr, leave=False) as bar:
                for block in _blocks(response, deadline, name):
                    fh.write(block)
                    bar.update(len(block))
    size = part.stat().st_size
    if total is not None and size != total:
        raise Unusable(f"{name} stopped after {size:,} of {total:,} bytes; run fetch again to resume it")
    target = out_dir / name
    os.replace(part, target)
    state_file.unlink(missing_ok=True)
    return target


# Unpacking -------------------------------------------------------------------------------------------------------


def _tables(zf: zipfile.ZipFile) -> list[tuple[zipfile.ZipInfo, str]]:
    """The members kept (KEPT_SUFFIXES), each with the base name it is written under (its folders and any '..'
    dropped); folders, hidden files (macOS's ._ copies) and anything else are passed over."""
    kept = []
    for member in zf.infolist():
        name = member.filename.replace("\\", "/").rsplit("/", 1)[-1]
        if not member.is_dir() and not name.startswith(".") and name.lower().endswith(KEPT_SUFFIXES):
            kept.append((member, name))
    return kept


def _check_members(archive: str, tables: list[tuple[zipfile.ZipInfo, str]], max_bytes: int,
                   clash: Callable[[str], str | None]) -> None:
    """Refuse, before anything is written, what could not be unpacked whole: two members of one name (the second
    would silently overwrite the first), a name another file already has, an encrypted member or one compressed
    in a way Python cannot undo (zipfile would raise mid-way), or more expanded bytes than allowed by the
    headers (a 2 MB zip can hold 2 GiB)."""
    names: dict[str, list[str]] = {}
    for member, name in tables:
        names.setdefault(name.lower(), []).append(member.filename)
    for member, name in tables:
        same = names[name.lower()]
        if len(same) > 1:
            count = {2: "two", 3: "three"}.get(len(same), str(len(same)))
            raise Unusable(f"{archive} holds {count} files named {name} ({', '.join(same)}); none of its files was "
                           "unpacked, so that neither overwrites the other")
        if why := clash(name):
            raise Unusable(f"{name} inside {archive} {why}; none of its files was unpacked")
        if member.flag_bits & 0x1:
            raise Unusable(f"{name} inside {archive} is encrypted (fetch has no password for it)")
        if member.compress_type not in UNPACKABLE:
            method = METHOD_NAMES.get(member.compress_type, f"method {member.compress_type}")
            raise Unusable(f"{name} inside {archive} is compressed with {method}, which Python cannot unpack "
                           "(7-Zip can)")
    declared = sum(member.file_size for member, _ in tables)
    if declared > max_bytes:
        raise Unusable(f"{archive} would expand to {_megabytes(declared)}, more than the {_megabytes(max_bytes)} "
                       "allowed (--max-expanded-mb)")


def _unpack_member(zf: zipfile.ZipFile, member: zipfile.ZipInfo, name: str, out_dir: Path,
                   allowance: int) -> tuple[Path, int, str]:
    """One member into a hidden temporary file in ``out_dir``, with its size and sha256, zipfile checking its CRC
    as the last block is read. More than ``allowance`` bytes raise OverflowError, whatever the headers said; the
    temporary file is removed on any failure."""
    fd, temp = tempfile.mkstemp(dir=out_dir, prefix=f".{name}.", suffix=".unpacking")
    digest, size = hashlib.sha256(), 0
    try:
        with os.fdopen(fd, "wb") as dst, zf.open(member) as src:
            while block := src.read(1 << 20):
                size += len(block)
                if size > allowance:
                    raise OverflowError
                digest.update(block)
                dst.write(block)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    return Path(temp), size, digest.hexdigest()


def unpack(archive: Path, out_dir: Path, max_bytes: int = MAX_EXPANDED_BYTES,
           clash: Callable[[str], str | None] = lambda name: None) -> list[tuple[Path, int, str]]:
    """The tables inside a zip, written into ``out_dir`` by their base names, with each one's size and sha256.
    All or nothing: each member is unpacked to a temporary file beside its target, its CRC checked, and only once
    all are do they replace the files there (os.replace), so a damaged member never truncates or replaces a good
    file, and a dataset's files stay one version. What cannot be unpacked whole is refused first
    (_check_members); the expanded bytes are counted again while unpacking, whatever the headers claim. Nothing
    from the archive is run. Raises Unusable saying why."""
    try:
        zf = zipfile.ZipFile(archive)
    except UNREADABLE as exc:
        raise Unusable(f"{archive.name} is not a readable zip ({_first_line(exc)})") from exc
    done: list[tuple[Path, Path, int, str]] = []
    with zf:
        tables = _tables(zf)
        _check_members(archive.name, tables, max_bytes, clash)
        try:
            left = max_bytes
            for member, name in tables:
                try:
                    temp, size, digest = _unpack_member(zf, member, name, out_dir, left)
                except OverflowError:
                    raise Unusable(f"{archive.name} expands to more than the {_megabytes(max_bytes)} allowed "
                                   "(--max-expanded-mb), more than its headers say") from None
                except UNREADABLE as exc:
                    raise Unusable(f"{name} inside {archive.name} could not be unpacked ({_first_line(exc)}); "
                                   "none of its files was") from exc
                done.append((temp, out_dir / name, size, digest))
                left -= size
            for temp, target, _, _ in done:
                os.replace(temp, target)
        finally:
            _discard(*(temp for temp, _, _, _ in done))  # left only when something failed
    return [(target, size, digest) for _, target, size, digest in done]


# A dataset, then all -----------------------------------------------------------------------------------------------


def _urls(session: requests.Session, publication: Publication, period: str, limits: Limits) -> list[str]:
    """The file's URL from the manifest, or the links matching its pattern on the publication page."""
    if publication.file_url:
        return [fill(publication.file_url, period)]
    page_url = fill(publication.page_url, period)
    pattern = fill(publication.link_pattern, period)
    urls = find_links(page_url, _page(session, page_url, Deadline(limits.deadline_seconds)), pattern)
    if not urls:
        raise Unusable(f"no link matching '{pattern}' was found on its publication page")
    return urls


def _fetch_file(session: requests.Session, url: str, dataset: str, out_dir: Path, record: Record, limits: Limits,
                progress: bool) -> None:
    """One file into ``out_dir`` (a zip: its tables, the zip itself removed), recorded once in place."""
    if why := record.clash(output_name(url), dataset):
        raise Unusable(f"{url} {why}; not downloaded")
    path = download(session, url, out_dir, limits, progress)
    if path.suffix.lower() != ".zip":
        record.add(Fetched(dataset, url, path, path.stat().st_size, sha256(path)))
        return
    try:
        archive = Fetched(dataset, url, path, path.stat().st_size, sha256(path))
        tables = unpack(path, out_dir, limits.max_expanded_bytes, lambda name: record.clash(name, dataset))
    finally:
        path.unlink(missing_ok=True)
    record.add(archive)
    for inner, size, digest in tables:
        record.add(Fetched(dataset, f"{url}#{inner.name}", inner, size, digest))


def _reason(exc: Exception) -> str:
    """Why a download failed, in a few words."""
    if isinstance(exc, requests.ConnectionError):
        return type(exc).__name__
    if isinstance(exc, urllib3.exceptions.ProtocolError):
        return "the connection broke off; run fetch again to resume"
    if isinstance(exc, (requests.Timeout, urllib3.exceptions.TimeoutError)):
        return "the server stopped answering"
    return _first_line(exc)


def fetch_one(session: requests.Session, publication: Publication, period: str, out_dir: Path, record: Record,
              limits: Limits = Limits(), progress: bool = True) -> None:
    """Download one dataset for ``period`` (finding its links on the publication page when the manifest gives a
    pattern), each file recorded once in place; raise FetchFailed saying what to download by hand."""
    try:
        for url in _urls(session, publication, period, limits):
            _fetch_file(session, url, publication.dataset, out_dir, record, limits, progress)
    except Unusable as exc:
        raise _by_hand(publication, period, str(exc)) from exc
    except (requests.RequestException, urllib3.exceptions.HTTPError) as exc:  # before OSError: requests' are too
        raise _by_hand(publication, period, f"could not be downloaded ({_reason(exc)})") from exc
    except OSError as exc:
        raise _by_hand(publication, period, f"could not be written into {out_dir} ({_first_line(exc)})") from exc


def fetch(period: str, out_dir: Path, what: set[str] | None = None, manifest: Path = MANIFEST,
          progress: bool = True, max_expanded_bytes: int = MAX_EXPANDED_BYTES,
          deadline_seconds: float = DEADLINE_SECONDS) -> tuple[list[Fetched], list[str]]:
    """Fetch every dataset of ``period`` into ``out_dir``; returns what was fetched and, for each dataset that
    could not be, one line saying what to do by hand (the others are still tried). ``out_dir/fetched.json``
    records each file's URL, size and sha256 (Record)."""
    if not re.fullmatch(r"20\d\d-\d\d", period) or int(period[5:]) != (int(period[:4]) + 1) % 100:
        raise ValueError(f"'{period}' is not a financial year written like 2023-24")
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        record = Record(out_dir, period)
    except OSError as exc:
        raise ValueError(f"{out_dir} cannot be used ({_first_line(exc)})") from exc
    limits = Limits(deadline_seconds, max_expanded_bytes)
    rows = publications_for(read_manifest(manifest), period, what)
    unknown = (what or set()) - {p.dataset for p in read_manifest(manifest)}
    failures = [f"{name}: not a dataset in {manifest.name}" for name in sorted(unknown)]
    if record.problem:
        failures.append(record.problem)
    with requests.Session() as session:
        session.headers["User-Agent"] = "phm-profile fetch (https://github.com/; open-source NHS analytics)"
        for publication in rows:
            try:
                fetch_one(session, publication, period, out_dir, record, limits, progress)
            except FetchFailed as failed:
                failures.append(str(failed))
            except Exception as exc:  # a failure not foreseen: still one line, and the other datasets tried
                failures.append(str(_by_hand(publication, period, f"failed ({type(exc).__name__}: "
                                                                  f"{_first_line(exc)})")))
    try:
        record.save()  # even when nothing was fetched, the folder has its record
    except OSError as exc:
        failures.append(f"{record.path} could not be written ({_first_line(exc)})")
    return record.added, failures
