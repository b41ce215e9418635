"""Run the SQL models: one table (or view) per ``.sql`` file under sql/models, in the order of their file names
(statistics -> staging -> intermediate -> marts). Parameters are always bound, never pasted into SQL."""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd

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
    z = {f"z_{name}": [stats.z_value(confidence)] for name, confidence in CONFIDENCE.items()}
    events = np.arange(10, dtype=float)
    limits = {"events": events}
    for name, confidence in CONFIDENCE.items():
        limits[f"lower_{name}"] = stats.exact_poisson_lower(events, confidence)
        limits[f"upper_{name}"] = stats.exact_poisson_upper(events, confidence)
    for table, columns in (("confidence_z", z), ("exact_poisson_limits", limits)):
        con.register("statistics_frame", pd.DataFrame(columns))
        con.execute(f"CREATE OR REPLACE TABLE {table} AS SELECT * FROM statistics_frame")
        con.unregister("statistics_frame")


def run_all(con: duckdb.DuckDBPyConnection) -> None:
    write_statistics_tables(con)
    for path in model_files():
        con.execute(path.read_text())


def table_names(con: duckdb.DuckDBPyConnection) -> list[str]:
    return [r[0] for r in con.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main' AND table_type = 'BASE TABLE' "
        "ORDER BY table_name").fetchall()]
