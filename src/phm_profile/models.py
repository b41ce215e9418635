"""Run the SQL models: one table per ``.sql`` file under sql/models, in the order of their file names
(staging -> intermediate -> marts). Parameters are always bound, never pasted into SQL."""

from __future__ import annotations

import duckdb

from .config import SQL_DIR

MODEL_DIR = SQL_DIR / "models"


def model_files():
    return sorted(MODEL_DIR.glob("*.sql"))


def run_all(con: duckdb.DuckDBPyConnection) -> None:
    from .profile import build_pcn_profile

    for path in model_files():
        con.execute(path.read_text())
    build_pcn_profile(con)


def table_names(con: duckdb.DuckDBPyConnection) -> list[str]:
    return [r[0] for r in con.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main' AND table_type = 'BASE TABLE' "
        "ORDER BY table_name").fetchall()]
