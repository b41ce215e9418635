"""Run the SQL models: one table (or view) per ``.sql`` file under sql/models, in the order of their file names
(statistics -> staging -> intermediate -> marts). Parameters are always bound, never pasted into SQL."""

from __future__ import annotations

import duckdb
import numpy as np

from . import stats
from .config import SQL_DIR

MODEL_DIR = SQL_DIR / "models"

#: The confidence levels of every interval in the profile.
CONFIDENCE = {"95": 0.95, "998": 0.998}


def model_files():
    return sorted(MODEL_DIR.glob("*.sql"))


def write_statistics_tables(con: duckdb.DuckDBPyConnection) -> None:
    """The numbers SQL cannot compute itself, from stats.py: confidence_z (the normal quantile of each
    confidence level) and exact_poisson_limits (the exact Poisson limits of 0 to 9 events, the counts below
    which OHID uses them; counts are whole numbers, the build rounds any fraction)."""
    con.execute("CREATE OR REPLACE TABLE confidence_z (z_95 DOUBLE, z_998 DOUBLE)")
    con.execute("INSERT INTO confidence_z VALUES (?, ?)", [stats.z_value(c) for c in CONFIDENCE.values()])
    events = np.arange(10, dtype=float)
    columns = {"events": events}
    for name, confidence in CONFIDENCE.items():
        columns[f"lower_{name}"] = stats.exact_poisson_lower(events, confidence)
        columns[f"upper_{name}"] = stats.exact_poisson_upper(events, confidence)
    con.execute("CREATE OR REPLACE TABLE exact_poisson_limits (events DOUBLE, lower_95 DOUBLE, upper_95 DOUBLE, "
                "lower_998 DOUBLE, upper_998 DOUBLE)")
    con.executemany("INSERT INTO exact_poisson_limits VALUES (?, ?, ?, ?, ?)",
                    [[float(v) for v in row] for row in zip(*columns.values())])


def run_all(con: duckdb.DuckDBPyConnection) -> None:
    write_statistics_tables(con)
    for path in model_files():
        con.execute(path.read_text())


def table_names(con: duckdb.DuckDBPyConnection) -> list[str]:
    return [r[0] for r in con.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main' AND table_type = 'BASE TABLE' "
        "ORDER BY table_name").fetchall()]
