"""Reading the built PCN profile (queries with bound parameters only)."""

from __future__ import annotations

import sys
from pathlib import Path

import duckdb
import pandas as pd

from . import exports, queries, release, wording

PROFILE_COLUMNS = [
    "pcn_code", "pcn_name", "icb_code", "period", "indicator", "numerator", "denominator", "value",
    "lower_95", "upper_95", "lower_998", "upper_998", "icb_value", "england_value", "vs_icb", "vs_england",
]


def pcn_profile(con: duckdb.DuckDBPyConnection, pcn_code: str, period: str | None, suppress: bool) -> pd.DataFrame:
    """One PCN's profile for ``period`` (default: its latest), as the app shows it (queries.pcn_profile)."""
    if period is None:
        period = con.execute("SELECT max(period) FROM pcn_profile WHERE pcn_code = ?", [pcn_code]).fetchall()[0][0]
    return queries.pcn_profile(con, pcn_code, period, suppress)


def _number(value: float, whole: bool = False) -> str:
    return wording.number(value, 0 if whole else 2, missing="")


def readable(frame: pd.DataFrame) -> str:
    """The profile as a text table, one block per domain: counts as whole numbers, values and intervals to two
    decimals, blanks where a figure does not apply."""
    blocks = []
    for domain, part in frame.groupby("domain", sort=False):
        kind = part.kind.to_numpy()
        whole_numerator, whole_denominator, whole_value = kind != "score", kind != "ratio", kind == "count"
        width = part.label.str.len().max()
        table = pd.DataFrame({
            "indicator".ljust(width): part.label.str.ljust(width).to_numpy(),
            "numerator": [_number(v, w) for v, w in zip(part.numerator, whole_numerator)],
            "denominator": [_number(v, w) for v, w in zip(part.denominator, whole_denominator)],
            "value": [_number(v, w) for v, w in zip(part.value, whole_value)],
            "95% interval": [f"{_number(lo)} to {_number(hi)}" if pd.notna(lo) else ""
                             for lo, hi in zip(part.lower_95, part.upper_95)],
            "ICB": [_number(v, w) for v, w in zip(part.icb_value, whole_value)],
            "England": [_number(v, w) for v, w in zip(part.england_value, whole_value)],
            "vs ICB": part.vs_icb.to_numpy(),
            "vs England": part.vs_england.to_numpy(),
        })
        blocks.append(f"{domain}\n{table.to_string(index=False)}")
    return "\n\n".join(blocks)


def cmd_profile(args) -> int:
    con = duckdb.connect(args.db, read_only=True)
    frame = pcn_profile(con, args.pcn.upper(), args.period, args.suppress)
    if frame.empty:
        print(f"No profile for PCN {args.pcn} {args.period or ''}".strip() + ".", file=sys.stderr)
        return 1
    head = frame.iloc[0]
    print(f"{head.pcn_name} ({head.pcn_code}), ICB {head.icb_code}, {head.period}: values with 95% intervals, "
          "compared with the ICB and England\n")
    print(readable(frame))
    return 0


def cmd_export(args) -> int:
    con = duckdb.connect(args.db, read_only=True)
    if args.suppress:  # the released figures (release.py), never the exact ones rounded here
        con = release.cursor(con)
    if args.table == "mhp_in_post":  # staff FTE, not patient counts: the same with suppression on or off
        from . import mhp

        frame = mhp.export_frame(con)
    elif args.table == "area_profile":
        frame = area_profile_frame(con, args.suppress)
    else:
        frame = con.execute(f"SELECT p.{', p.'.join(PROFILE_COLUMNS)} FROM pcn_profile p JOIN indicators i "
                            "USING (indicator) ORDER BY pcn_code, period, indicator").df()
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_bytes(exports.csv_bytes(frame))
    print(f"Wrote {len(frame):,} rows to {args.out}.")
    return 0


def area_profile_frame(con: duckdb.DuckDBPyConnection, suppress: bool) -> pd.DataFrame:
    """The shipped areas' profile (areas/*.csv of the data folder) in every year, in the layout of the PCN
    profile's export with area_code ("SET:n", the n-th area of the set) and area_name in place of pcn_code and
    pcn_name (queries.area_profile: from the released practice counts with ``suppress``)."""
    sets = queries.area_sets(con)
    columns = ["area_code", "area_name", *PROFILE_COLUMNS[2:]]
    parts = []
    for set_name, rows in sets.groupby("set_name", sort=False):
        codes = {name: f"{set_name}:{i}" for i, name in enumerate(dict.fromkeys(rows.area_name), 1)}
        pairs = tuple(rows[["area_name", "code"]].itertuples(index=False, name=None))
        for period in queries.periods(con):
            frame = queries.area_profile(con, pairs, period, suppress)
            parts.append(frame.assign(area_code=frame.area_name.map(codes), period=period)[columns])
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=columns)
