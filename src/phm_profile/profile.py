"""Reading the built PCN profile (queries with bound parameters only)."""

from __future__ import annotations

import sys
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from . import stats

PROFILE_COLUMNS = [
    "pcn_code", "pcn_name", "icb_code", "period", "indicator", "numerator", "denominator", "value",
    "lower_95", "upper_95", "lower_998", "upper_998", "icb_value", "england_value", "vs_icb", "vs_england",
]


def indicator_values(kind: str, numerator, denominator, multiplier: float, confidence: float):
    """Value and interval of an indicator of one kind, by the OHID method for that kind."""
    x = np.asarray(numerator, dtype=float)
    n = np.asarray(denominator, dtype=float)
    nan = np.full(len(x), np.nan)
    with np.errstate(invalid="ignore", divide="ignore"):
        if kind == "proportion":
            ok = (n > 0) & (x >= 0) & (x <= n)
            x, n = np.where(ok, x, np.nan), np.where(ok, n, np.nan)
            return (x / n * multiplier, stats.wilson_lower(x, n, confidence) * multiplier,
                    stats.wilson_upper(x, n, confidence) * multiplier)
        if kind in ("rate", "ratio"):
            ok = (n > 0) & (x >= 0)
            x, n = np.where(ok, x, np.nan), np.where(ok, n, np.nan)
            lower, upper = stats.count_interval(x, confidence)
            return x / n * multiplier, lower / n * multiplier, upper / n * multiplier
    return x, nan, nan


def _floats(array) -> np.ndarray:
    """A fetched numeric column as floats, NULL (a masked value) as NaN."""
    return np.ma.filled(np.ma.asarray(array, dtype=float), np.nan)


def build_pcn_profile(con: duckdb.DuckDBPyConnection) -> None:
    """pcn_profile: one row per PCN, period and indicator with its 95% and 99.8% intervals, the ICB and England
    values, and the Fingertips comparison with each (95%). Only numbers travel between DuckDB and numpy."""
    con.execute("""
        CREATE OR REPLACE TEMP TABLE indicator_rows AS
        SELECT row_number() OVER () AS row_id, a.*, i.kind, i.multiplier
        FROM area_indicator a JOIN indicators i USING (indicator) WHERE a.area_code IS NOT NULL""")
    columns = {name: [] for name in ("row_id", "value", "lower_95", "upper_95", "lower_998", "upper_998")}
    for kind, multiplier in con.execute("SELECT DISTINCT kind, multiplier FROM indicator_rows").fetchall():
        part = con.execute("SELECT row_id, numerator, denominator FROM indicator_rows WHERE kind = ? AND multiplier = ?",
                           [kind, multiplier]).fetchnumpy()
        x, n = _floats(part["numerator"]), _floats(part["denominator"])
        value, lower95, upper95 = indicator_values(kind, x, n, multiplier, 0.95)
        _, lower998, upper998 = indicator_values(kind, x, n, multiplier, 0.998)
        for name, array in zip(columns, (part["row_id"], value, lower95, upper95, lower998, upper998)):
            columns[name].append(np.asarray(array))
    values = pd.DataFrame({name: np.concatenate(arrays) for name, arrays in columns.items()})
    con.register("indicator_numbers", values)
    con.execute("""
        CREATE OR REPLACE TEMP TABLE indicator_values AS
        SELECT r.level, r.area_code, r.period, r.indicator, r.numerator, r.denominator, v.* EXCLUDE (row_id)
        FROM indicator_rows r JOIN indicator_numbers v USING (row_id)""")
    con.unregister("indicator_numbers")
    con.execute("""
        CREATE OR REPLACE TEMP TABLE pcn_values AS
        SELECT row_number() OVER (ORDER BY p.area_code, p.period, p.indicator) AS row_id,
               p.area_code AS pcn_code, m.pcn_name, m.icb_code, p.period, p.indicator, p.numerator, p.denominator,
               p.value, p.lower_95, p.upper_95, p.lower_998, p.upper_998, i.value AS icb_value,
               e.value AS england_value
        FROM indicator_values p
        JOIN (SELECT period, pcn_code, any_value(pcn_name) AS pcn_name, any_value(icb_code) AS icb_code
              FROM practice_pcn WHERE pcn_code IS NOT NULL GROUP BY ALL) m
          ON m.period = p.period AND m.pcn_code = p.area_code
        LEFT JOIN indicator_values i ON i.level = 'icb' AND i.area_code = m.icb_code AND i.period = p.period
             AND i.indicator = p.indicator
        LEFT JOIN indicator_values e ON e.level = 'england' AND e.period = p.period AND e.indicator = p.indicator
        WHERE p.level = 'pcn'""")
    numbers = con.execute("SELECT row_id, lower_95, upper_95, icb_value, england_value FROM pcn_values").fetchnumpy()
    numbers = {name: _floats(array) if name != "row_id" else array for name, array in numbers.items()}
    labels = pd.DataFrame({
        "row_id": numbers["row_id"],
        "vs_icb": stats.compare(numbers["lower_95"], numbers["upper_95"], numbers["icb_value"]),
        "vs_england": stats.compare(numbers["lower_95"], numbers["upper_95"], numbers["england_value"]),
    })
    con.register("comparison_labels", labels)
    con.execute(f"""
        CREATE OR REPLACE TABLE pcn_profile AS
        SELECT {', '.join(PROFILE_COLUMNS)}
        FROM pcn_values JOIN comparison_labels USING (row_id)
        ORDER BY pcn_code, period, indicator""")
    con.unregister("comparison_labels")
    for table in ("pcn_values", "indicator_values", "indicator_rows"):
        con.execute(f"DROP TABLE {table}")


def pcn_profile(con: duckdb.DuckDBPyConnection, pcn_code: str, period: str | None = None) -> pd.DataFrame:
    if period is None:
        period = con.execute("SELECT max(period) FROM pcn_profile WHERE pcn_code = ?", [pcn_code]).fetchall()[0][0]
    return con.execute(
        f"SELECT {', '.join(PROFILE_COLUMNS)} FROM pcn_profile WHERE pcn_code = ? AND period = ? ORDER BY indicator",
        [pcn_code, period]).df()


def cmd_profile(args) -> int:
    con = duckdb.connect(args.db, read_only=True)
    frame = pcn_profile(con, args.pcn.upper(), args.period)
    if frame.empty:
        print(f"No profile for PCN {args.pcn} {args.period or ''}".strip() + ".", file=sys.stderr)
        return 1
    head = frame.iloc[0]
    print(f"{head.pcn_name} ({head.pcn_code}), ICB {head.icb_code}, {head.period}")
    view = frame[["indicator", "numerator", "denominator", "value", "lower_95", "upper_95", "icb_value",
                  "england_value", "vs_england"]]
    with pd.option_context("display.max_rows", None, "display.width", 160, "display.float_format", "{:,.2f}".format):
        print(view.to_string(index=False))
    return 0


def cmd_export(args) -> int:
    con = duckdb.connect(args.db, read_only=True)
    frame = con.execute(f"SELECT {', '.join(PROFILE_COLUMNS)} FROM pcn_profile ORDER BY pcn_code, period, indicator").df()
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    frame.to_csv(args.out, index=False)
    print(f"Wrote {len(frame):,} rows to {args.out}.")
    return 0
