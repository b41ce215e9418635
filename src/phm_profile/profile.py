"""Reading the built PCN profile (queries with bound parameters only)."""

from __future__ import annotations

import sys
from pathlib import Path

import duckdb
import pandas as pd

PROFILE_COLUMNS = [
    "pcn_code", "pcn_name", "icb_code", "period", "indicator", "numerator", "denominator", "value",
    "lower_95", "upper_95", "lower_998", "upper_998", "icb_value", "england_value", "vs_icb", "vs_england",
]


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
