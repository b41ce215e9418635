"""Get the publishers' files for one financial year: ``python -m phm_profile fetch --year 2023-24 --out DIR``.

What to download comes from a manifest (``data/publications.csv``): for each dataset and period, the publication
page, and either the file's URL or a pattern for the link to find on that page (publishers put a hash in their
file paths, so the link is found by its name). Downloads resume where a broken one stopped, show a progress bar,
and are recorded with their URL, size and sha256 in ``DIR/fetched.json`` (not a table, so the build passes
it over); zips are unpacked (only the tables inside,
never a path outside DIR), and nothing downloaded is ever run. When a dataset cannot be fetched (offline, a moved
link) the command says which, and what to download by hand from which page. The URLs come from public code and
could not be checked from where this was written: a user who finds one moved edits the manifest.
"""

from __future__ import annotations

import csv
import json
import re
import sys
import zipfile
from dataclasses import dataclass
from datetime import datetime
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlparse

import requests
from tqdm import tqdm

from .config import DATA_DIR
from .readers.base import sha256

MANIFEST = DATA_DIR / "publications.csv"
MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
          "november", "december")
#: What is kept from a downloaded zip: the tables and boundaries the build reads.
KEPT_SUFFIXES = (".csv", ".xlsx", ".parquet", ".geojson", ".geoparquet")
TIMEOUT_SECONDS = 30


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


class FetchFailed(Exception):
    """One dataset could not be fetched; the message says what to download by hand, from where."""


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


def download(session: requests.Session, url: str, out_dir: Path, progress: bool = True) -> Path:
    """Download ``url`` into ``out_dir`` under its own file name, resuming a ``.part`` left by a broken
    download; the finished file replaces any earlier one only when complete."""
    name = Path(urlparse(url).path).name or "download"
    target = out_dir / name
    part = out_dir / f"{name}.part"
    have = part.stat().st_size if part.exists() else 0
    headers = {"Range": f"bytes={have}-"} if have else {}
    with session.get(url, stream=True, timeout=TIMEOUT_SECONDS, headers=headers) as response:
        if response.status_code == 416:  # the part is already whole
            part.replace(target)
            return target
        response.raise_for_status()
        resumed = have and response.status_code == 206
        if not resumed:
            have = 0
        total = int(response.headers.get("Content-Length", 0)) + have or None
        with open(part, "ab" if resumed else "wb") as fh, tqdm(
                total=total, initial=have, unit="B", unit_scale=True, desc=name, disable=not progress,
                file=sys.stderr, leave=False) as bar:
            for block in response.iter_content(1 << 16):
                fh.write(block)
                bar.update(len(block))
    part.replace(target)
    return target


def unpack(archive: Path, out_dir: Path) -> list[Path]:
    """The tables inside a zip, written into ``out_dir`` by their base names (a member's folders and any
    '..' are dropped, so nothing lands outside it). Nothing from the archive is run."""
    written = []
    with zipfile.ZipFile(archive) as zf:
        for member in zf.infolist():
            name = Path(member.filename.replace("\\", "/")).name
            if member.is_dir() or not name or name.startswith(".") or not name.lower().endswith(KEPT_SUFFIXES):
                continue
            target = out_dir / name
            with zf.open(member) as src, open(target, "wb") as dst:
                for block in iter(lambda: src.read(1 << 20), b""):
                    dst.write(block)
            written.append(target)
    return written


def fetch_one(session: requests.Session, publication: Publication, period: str, out_dir: Path,
              progress: bool = True) -> list[Fetched]:
    """Download one dataset for ``period`` (finding its link on the publication page when the manifest gives
    a pattern); raise FetchFailed saying what to download by hand."""
    try:
        if publication.file_url:
            urls = [fill(publication.file_url, period)]
        else:
            page_url = fill(publication.page_url, period)
            page = session.get(page_url, timeout=TIMEOUT_SECONDS)
            page.raise_for_status()
            urls = find_links(page_url, page.text, fill(publication.link_pattern, period))
            if not urls:
                raise _by_hand(publication, period, f"no link matching '{fill(publication.link_pattern, period)}' "
                               "was found on its publication page")
        fetched = []
        for url in urls:
            path = download(session, url, out_dir, progress)
            fetched.append(Fetched(publication.dataset, url, path, path.stat().st_size, sha256(path)))
            if path.suffix.lower() == ".zip":
                try:
                    for inner in unpack(path, out_dir):
                        fetched.append(Fetched(publication.dataset, f"{url}#{inner.name}", inner,
                                               inner.stat().st_size, sha256(inner)))
                except zipfile.BadZipFile as exc:
                    raise _by_hand(publication, period, f"{path.name} is not a readable zip ({exc})") from exc
                path.unlink()
        return fetched
    except requests.RequestException as exc:
        reason = type(exc).__name__ if isinstance(exc, requests.ConnectionError) else str(exc).splitlines()[0]
        raise _by_hand(publication, period, f"could not be downloaded ({reason})") from exc


def fetch(period: str, out_dir: Path, what: set[str] | None = None, manifest: Path = MANIFEST,
          progress: bool = True) -> tuple[list[Fetched], list[str]]:
    """Fetch every dataset of ``period`` into ``out_dir``; returns what was fetched and, for each dataset that
    could not be, what to do by hand. ``out_dir/fetched.csv`` records each file's URL, size and sha256."""
    if not re.fullmatch(r"20\d\d-\d\d", period) or int(period[5:]) != (int(period[:4]) + 1) % 100:
        raise ValueError(f"'{period}' is not a financial year written like 2023-24")
    out_dir.mkdir(parents=True, exist_ok=True)
    rows = publications_for(read_manifest(manifest), period, what)
    unknown = (what or set()) - {p.dataset for p in read_manifest(manifest)}
    failures = [f"{name}: not a dataset in {manifest.name}" for name in sorted(unknown)]
    fetched: list[Fetched] = []
    with requests.Session() as session:
        session.headers["User-Agent"] = "phm-profile fetch (https://github.com/; open-source NHS analytics)"
        for publication in rows:
            try:
                fetched += fetch_one(session, publication, period, out_dir, progress)
            except FetchFailed as failed:
                failures.append(str(failed))
    record = out_dir / "fetched.json"
    history = json.loads(record.read_text()) if record.exists() else []
    now = datetime.now().isoformat(timespec="seconds")
    history += [{"dataset": f.dataset, "period": period, "url": f.url, "file": f.path.name, "bytes": f.size,
                 "sha256": f.sha256, "fetched_at": now} for f in fetched]
    record.write_text(json.dumps(history, indent=1))
    return fetched, failures
