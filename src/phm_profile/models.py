"""The SQL models, laid out as dbt lays them out: seeds (data/*.csv), macros, then staging, intermediate and marts
models under sql/, one relation per file named after it, run in the order of MODELS; schema tests from
sql/schema.yml run at the end of a build. Parameters are always bound, never pasted into SQL."""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import numpy as np
import pandas as pd
import yaml

from . import stats
from .config import DATA_DIR, SQL_DIR

#: Tables kept as data files in data/ (policy and catalogue: indicator definitions, QOF registers, expected
#: prevalence), loaded into every build before the extracts.
SEEDS = ("indicators", "qof_registers", "expected_prevalence")

#: Every model in the order it runs. Staging models read only the extracts and seeds (they run before the
#: cross-file checks, which use them); intermediate models join and roll up; marts are what the app reads.
STAGING = (
    "staging/service_measures", "staging/qof_register_denominator", "staging/practice_list_size",
    "staging/practice_prevalence", "staging/extract_dates",
)
MODELS = (
    "intermediate/practice_pcn", "intermediate/population_source", "intermediate/practice_population",
    "intermediate/area_population", "intermediate/area_list_size", "intermediate/pcn_icb",
    "intermediate/area_prevalence", "intermediate/patients_lsoa_edition", "intermediate/practice_lsoa_patients", "intermediate/practice_location_patients",
    "intermediate/practice_deprivation_editions", "intermediate/deprivation_edition",
    "intermediate/practice_deprivation", "intermediate/area_deprivation", "intermediate/pcn_lsoa_assignment",
    "intermediate/area_service_usage", "intermediate/area_expected", "intermediate/area_indicator",
    "intermediate/area_indicator_values",
    "intermediate/workforce_pcn_match",
    "marts/pcn_population", "marts/pcn_list_size", "marts/pcn_prevalence", "marts/pcn_deprivation",
    "marts/pcn_service_usage", "marts/pcn_profile", "marts/practice_profile", "marts/pcn_need_inputs", "marts/pcn_service_month",
    "marts/deprivation_methods", "marts/workforce_editions",
    "marts/pcn_mhp_in_post", "marts/pcn_mhp_today",
)
MACROS = ("macros/intervals", "macros/areas")

#: The confidence levels of every interval in the profile.
CONFIDENCE = {"95": 0.95, "998": 0.998}


def load_seeds(con: duckdb.DuckDBPyConnection) -> None:
    """The seed tables. ``indicators`` keeps the file's row order as ``sort_order`` (the order pages show them);
    ``expected_prevalence`` has the columns of a loaded extract too, as a table of the user's own loaded with the
    extracts replaces the shipped one (readers.expected_prevalence.use_supplied)."""
    for table in SEEDS:
        extra = {"indicators": ", row_number() OVER () AS sort_order",
                 "expected_prevalence": ", NULL::VARCHAR AS source_file, NULL::BIGINT AS source_row"}.get(table, "")
        con.execute(f"CREATE TABLE {table} AS SELECT *{extra} FROM read_csv(?, header = true)",
                    [str(DATA_DIR / f"{table}.csv")])


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


def _run(con: duckdb.DuckDBPyConnection, names: tuple[str, ...]) -> None:
    for name in names:
        con.execute((SQL_DIR / f"{name}.sql").read_text())


def run_staging(con: duckdb.DuckDBPyConnection) -> None:
    """Macros and staging models, over the loaded extracts and seeds."""
    _run(con, MACROS + STAGING)


def run_all(con: duckdb.DuckDBPyConnection) -> None:
    """The intermediate models and marts (after run_staging)."""
    write_statistics_tables(con)
    _run(con, MODELS)


@dataclass(frozen=True)
class TestFailure:
    table: str
    test: str
    rows: int
    example: str

    def message(self) -> str:
        return f"model test failed: {self.table} {self.test} ({self.rows:,} rows, such as {self.example})."


def schema_tests() -> dict:
    return yaml.safe_load((SQL_DIR / "schema.yml").read_text())


def _test_queries(table: str, spec: dict):
    """(name, SQL selecting the failing rows) for each test of ``table``; names are checked identifiers."""
    if "unique" in spec:
        key = ", ".join(spec["unique"])
        yield f"unique ({key})", f"SELECT {key}, count(*) AS n FROM {table} GROUP BY ALL HAVING count(*) > 1"
    for column in spec.get("not_null", []):
        yield f"not_null ({column})", f"SELECT * FROM {table} WHERE {column} IS NULL"
    for column, values in spec.get("accepted_values", {}).items():
        listed = ", ".join("'" + str(v).replace("'", "''") + "'" for v in values)
        yield f"accepted_values ({column})", f"SELECT {column} FROM {table} WHERE {column} NOT IN ({listed})"
    for column, target in spec.get("relationships", {}).items():
        other, other_column = target.split(".")
        yield (f"relationships ({column} -> {target})",
               f"SELECT {column} FROM {table} WHERE {column} IS NOT NULL AND {column} NOT IN "
               f"(SELECT {other_column} FROM {other})")


def test(con: duckdb.DuckDBPyConnection, tables: tuple[str, ...] | None = None) -> list[TestFailure]:
    """Run the schema tests of sql/schema.yml (of ``tables``, default all) on a built database; the failures
    (none when all is well)."""
    failures = []
    for table, spec in schema_tests().items():
        if tables is not None and table not in tables:
            continue
        for name, sql in _test_queries(table, spec):
            rows = con.execute(f"SELECT count(*) FROM ({sql})").fetchall()[0][0]
            if rows:
                example = con.execute(f"SELECT * FROM ({sql}) LIMIT 1").fetchall()[0]
                failures.append(TestFailure(table, name, rows, ", ".join(map(str, example))))
    return failures


def table_names(con: duckdb.DuckDBPyConnection) -> list[str]:
    return [r[0] for r in con.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main' AND table_type = 'BASE TABLE' "
        "ORDER BY table_name").fetchall()]
