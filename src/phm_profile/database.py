"""Read-only connections to a built database, one DuckDB instance per file identity: a rebuild swapped in at the
same path is read at once, never the file it replaced. No Streamlit here: the app, the command line, exports and
tests all read through queries.py with a connection from this module."""

from __future__ import annotations

import threading
from pathlib import Path

import duckdb

#: Open databases: path -> (file identity, connection), and connections to files since replaced (closed once
#: two newer builds have followed, by when no page can still be reading them).
_OPEN: dict[str, tuple[str, duckdb.DuckDBPyConnection]] = {}
_RETIRED: list[duckdb.DuckDBPyConnection] = []
_LOCK = threading.Lock()


def database_key(path: Path | str) -> str:
    """The database's path with the identity of the file there now (inode, modification time, size). Every
    cached view takes this key, so a rebuild (a new file swapped in at the same path, by an upload or the command
    line) is shown at once, never the figures cached for the file it replaced."""
    path = Path(path)
    stat = path.stat()
    return f"{path}#{stat.st_ino}-{stat.st_mtime_ns}-{stat.st_size}"


def connection(db: str | Path) -> duckdb.DuckDBPyConnection:
    """A cursor on the database ``db`` (a key from database_key, or a path) as it is now. Each file identity
    gets a DuckDB instance of its own with the file attached read-only: ``duckdb.connect(path)`` would hand back
    an instance still open on the file a rebuild replaced."""
    path, _, identity = str(db).partition("#")
    identity = identity or database_key(path).partition("#")[2]
    with _LOCK:
        current = _OPEN.get(path)
        if current is None or current[0] != identity:
            con = duckdb.connect()
            con.execute("ATTACH ? AS profile (READ_ONLY)", [path])
            if current is not None:
                _RETIRED.append(current[1])
                while len(_RETIRED) > 2:
                    _RETIRED.pop(0).close()
            _OPEN[path] = current = (identity, con)
        cursor = current[1].cursor()
    cursor.execute("USE profile")
    return cursor
