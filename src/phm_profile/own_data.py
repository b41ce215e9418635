"""A user's own extracts, uploaded in the app: checked and built into their own database, which replaces the
previous one only when everything passed (store.build). Nothing leaves the machine."""

from __future__ import annotations

import os
import re
import secrets
import tempfile
import time
from pathlib import Path

from . import store
from .config import DATA_DIR

#: Where uploaded extracts are built, one database per browser session (PHM_USER_DIR overrides it): on a
#: shared server one user's upload is never shown to another, and a copied link carries the view, not the data.
USER_DIR = Path(os.environ.get("PHM_USER_DIR", DATA_DIR / "user"))
#: An uploaded database not rebuilt for this long is removed at the next upload (its session has long ended).
KEEP_HOURS = 24
#: Streamlit's upload limit (.streamlit/config.toml, server.maxUploadSize, in MB). Larger national files are
#: built with the command line (`python -m phm_profile build`).
MAX_UPLOAD_MB = 200


def safe_name(name: str) -> str:
    """A file name without any folder part or unusual characters (the name still says what the file is)."""
    base = Path(str(name).replace("\\", "/")).name
    cleaned = re.sub(r"[^A-Za-z0-9 ._()\-]", "_", base).strip(" .")
    return cleaned or "upload"


def session_database(session_state) -> Path:
    """The database of this browser session's uploads: a random name kept in the session's state."""
    token = session_state.setdefault("_upload_token", secrets.token_hex(12))
    return USER_DIR / f"{token}.duckdb"


def remove_old_uploads(keep_hours: float = KEEP_HOURS) -> None:
    """Remove the uploaded databases of sessions that have long ended."""
    if not USER_DIR.is_dir():
        return
    cutoff = time.time() - keep_hours * 3600
    for path in USER_DIR.glob("*.duckdb"):
        if path.stat().st_mtime < cutoff:
            path.unlink(missing_ok=True)


def build_from_uploads(files: list[tuple[str, bytes]], db_path: Path) -> store.BuildResult:
    """Build ``db_path`` from uploaded (name, content) pairs. Raises store.BuildFailed, with every problem
    naming its file, row and column, when anything does not pass; ``db_path`` is then left as it was."""
    with tempfile.TemporaryDirectory(prefix="phm-upload-") as folder:
        for name, content in files:
            target = Path(folder) / safe_name(name)
            stem, n = target.stem, 1
            while target.exists():
                n += 1
                target = target.with_name(f"{stem} ({n}){target.suffix}")
            target.write_bytes(content)
        return store.build(Path(folder), Path(db_path), wait=0)  # a second upload is refused, not queued


# -- Your own areas, kept per browser ------------------------------------------------------------------------

#: The cookie that names this browser to the server (a random id, nothing else): the area sets it saved are kept
#: in the user folder under it, so a reload, a new tab or another replica finds them, and another browser does not.
BROWSER_COOKIE = "phm_browser"
_BROWSER_ID = re.compile(r"[0-9a-f]{24}")
#: A saved area set's id, as the link carries it (?areas=s1a2b3c4d): short, and no list of codes in the URL.
SAVED_SET_ID = re.compile(r"s[0-9a-f]{8}")


def browser_id(cookie) -> tuple[str, bool]:
    """This browser's id from its cookie (anything but 24 hex digits is ignored), or a new one: (id, new)."""
    if isinstance(cookie, str) and _BROWSER_ID.fullmatch(cookie):
        return cookie, False
    return secrets.token_hex(12), True


def _areas_dir(browser: str) -> Path:
    if not _BROWSER_ID.fullmatch(browser):
        raise ValueError("not a browser id")
    return USER_DIR / "areas" / browser


def save_area_set(browser: str, name: str, content: bytes) -> str:
    """Keep an area set (its CSV) for this browser; returns its id. Written whole, then renamed: a reader never
    sees half a file."""
    folder = _areas_dir(browser)
    folder.mkdir(parents=True, exist_ok=True)
    set_id = "s" + secrets.token_hex(4)
    body = f"# {safe_name(name)}\n".encode() + content
    partial = folder / f".{set_id}.partial"
    partial.write_bytes(body)
    partial.replace(folder / f"{set_id}.csv")
    return set_id


def saved_area_sets(browser: str) -> dict[str, tuple[str, bytes]]:
    """The area sets this browser saved: id -> (name, CSV content), oldest first."""
    folder = _areas_dir(browser)
    if not folder.is_dir():
        return {}
    out = {}
    for path in sorted(folder.glob("s*.csv"), key=lambda p: p.stat().st_mtime):
        if not SAVED_SET_ID.fullmatch(path.stem):
            continue
        first, _, rest = path.read_bytes().partition(b"\n")
        out[path.stem] = (first.decode("utf-8", "replace").removeprefix("# ").strip() or path.stem, rest)
    return out
