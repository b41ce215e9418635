"""Read-only connections to a built database, one DuckDB instance per file identity: a rebuild swapped in at the
same path is read at once, never the file it replaced. No Streamlit here: the app, the command line, exports and
tests all read through queries.py with a connection from this module."""

from __future__ import annotations

import threading
from pathlib import Path

import duckdb

class Instances:
    """DuckDB instances, one per file identity: name -> (identity, connection). An instance on a file since replaced
    is retired, and closed once two newer ones have followed, by when no page can still be reading it."""

    def __init__(self) -> None:
        self._open: dict[str, tuple[str, duckdb.DuckDBPyConnection]] = {}
        self._retired: list[duckdb.DuckDBPyConnection] = []
        self._lock = threading.Lock()

    def cursor(self, name: str, identity: str, opener) -> duckdb.DuckDBPyConnection:
        """A cursor on the instance of ``name`` at ``identity``, opened with ``opener()`` when new."""
        with self._lock:
            current = self._open.get(name)
            if current is None or current[0] != identity:
                con = opener()
                if current is not None:
                    self._retired.append(current[1])
                    while len(self._retired) > 2:
                        self._retired.pop(0).close()
                self._open[name] = current = (identity, con)
            return current[1].cursor()


_INSTANCES = Instances()


def database_key(path: Path | str) -> str:
    """The database's path with the identity of the file there now (inode, modification time, size). Every
    cached view takes this key, so a rebuild (a new file swapped in at the same path, by an upload or the command
    line) is shown at once, never the figures cached for the file it replaced."""
    path = Path(path)
    stat = path.stat()
    return f"{path}#{stat.st_ino}-{stat.st_mtime_ns}-{stat.st_size}"


class DatabaseUnreadable(Exception):
    """The file at a database's path cannot be shown: not a DuckDB file, cut short, or not one this tool built
    (replaced or damaged while the app runs, say). The message names the file and what to do."""


#: Tables every built database has, which the sidebar and every page read first: a file without them is not a
#: profile (another DuckDB file put in its place).
REQUIRED_TABLES = ("sources", "practice_pcn", "pcn_icb", "pcn_profile")
#: DuckDB's file header: three 4 KiB blocks before the data blocks (a file shorter than its header and blocks
#: was cut short: it would open, then fail on the first query that reads the missing end).
HEADER_BYTES = 3 * 4096


def connection(db: str | Path) -> duckdb.DuckDBPyConnection:
    """A cursor on the database ``db`` (a key from database_key, or a path) as it is now. Each file identity
    gets a DuckDB instance of its own with the file attached read-only: ``duckdb.connect(path)`` would hand back
    an instance still open on the file a rebuild replaced. Raises DatabaseUnreadable when the file there now is
    not a whole database this tool built; once a good file is back, it is read again."""
    path, _, identity = str(db).partition("#")
    identity = identity or database_key(path).partition("#")[2]
    cursor = _INSTANCES.cursor(path, identity, lambda: _open(Path(path)))
    cursor.execute("USE profile")
    return cursor


def _open(path: Path) -> duckdb.DuckDBPyConnection:
    """A DuckDB instance with the file at ``path`` attached read-only as ``profile``, checked whole and built by
    this tool (DatabaseUnreadable otherwise, saying why)."""
    con = duckdb.connect()
    try:
        con.execute("ATTACH ? AS profile (READ_ONLY)", [str(path)])
        # used blocks, not total: the free blocks at a file's end are cut off at a checkpoint (a valid file).
        blocks, block_size = con.execute("SELECT used_blocks, block_size FROM pragma_database_size() "
                                         "WHERE database_name = 'profile'").fetchall()[0]
        tables = {name for (name,) in con.execute("SELECT table_name FROM information_schema.tables "
                                                  "WHERE table_catalog = 'profile'").fetchall()}
    except duckdb.Error as exc:
        con.close()
        raise _unreadable(path, "it is not a DuckDB database, or is damaged "
                          f"({str(exc).splitlines()[0] if str(exc) else type(exc).__name__})") from exc
    if path.stat().st_size < HEADER_BYTES + blocks * block_size:
        con.close()
        raise _unreadable(path, "it is cut short (shorter than the database it holds)")
    missing = [t for t in REQUIRED_TABLES if t not in tables]
    if missing:
        con.close()
        raise _unreadable(path, f"it is not a database this tool built (it has no table {', '.join(missing)})")
    return con


def _unreadable(path: Path, why: str) -> DatabaseUnreadable:
    return DatabaseUnreadable(
        f"The database {path.name} cannot be read: {why}. It may have been replaced or damaged while the app was "
        f"running. Rebuild it with: python -m phm_profile build --data FOLDER --db {path} (or restore the file); "
        "it is shown again as soon as it can be read.")
