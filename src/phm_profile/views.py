"""What the pages show: read-only queries over the built database, parameters always bound, cached."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd
import streamlit as st

from . import stats
from .config import DEFAULT_DB


def database_path() -> Path:
    return DEFAULT_DB


@st.cache_resource
def _connection(path: str, mtime: float) -> duckdb.DuckDBPyConnection:
    return duckdb.connect(path, read_only=True)


def query(sql: str, params: list | None = None, db: Path | None = None) -> pd.DataFrame:
    path = Path(db or database_path())
    con = _connection(str(path), path.stat().st_mtime).cursor()
    return con.execute(sql, params or []).df()


@st.cache_data(show_spinner=False)
def periods(db: str) -> list[str]:
    return query("SELECT DISTINCT period FROM pcn_profile ORDER BY period DESC", db=Path(db)).period.tolist()


@st.cache_data(show_spinner=False)
def icbs(db: str, period: str) -> pd.DataFrame:
    return query("SELECT DISTINCT icb_code, icb_name FROM practice_pcn WHERE period = ? AND icb_code IS NOT NULL "
                 "ORDER BY icb_code", [period], Path(db))


@st.cache_data(show_spinner=False)
def pcns(db: str, period: str, icb_code: str) -> pd.DataFrame:
    return query("SELECT pcn_code, any_value(pcn_name) AS pcn_name FROM practice_pcn WHERE period = ? AND icb_code = ? "
                 "AND pcn_code IS NOT NULL GROUP BY pcn_code ORDER BY pcn_code", [period, icb_code], Path(db))


@st.cache_data(show_spinner=False)
def pcn_profile(db: str, pcn_code: str, period: str) -> pd.DataFrame:
    """The PCN's profile with indicator labels, in display order."""
    return query("""
        SELECT p.*, i.label, i.kind, i.unit, i.domain, i.sort_order
        FROM pcn_profile p JOIN indicators i USING (indicator)
        WHERE p.pcn_code = ? AND p.period = ? ORDER BY i.sort_order, i.label""", [pcn_code, period], Path(db))


@st.cache_data(show_spinner=False)
def indicator_across_pcns(db: str, icb_code: str, period: str, indicator: str) -> pd.DataFrame:
    """One indicator for every PCN of an ICB (league table, funnel plot), with each PCN's funnel label
    against the ICB's pooled value."""
    frame = query("""
        SELECT p.pcn_code, p.pcn_name, p.numerator, p.denominator, p.value, p.lower_95, p.upper_95,
               p.icb_value, p.england_value, p.vs_icb, p.vs_england, i.label, i.kind
        FROM pcn_profile p JOIN indicators i USING (indicator)
        WHERE p.icb_code = ? AND p.period = ? AND p.indicator = ? ORDER BY p.value DESC""",
                  [icb_code, period, indicator], Path(db))
    if not frame.empty and frame.kind.iloc[0] == "proportion":
        ok = frame.numerator.notna() & frame.denominator.notna()
        frame.loc[ok, "funnel"] = stats.funnel_significance_proportion(frame.numerator[ok], frame.denominator[ok])
    return frame


@st.cache_data(show_spinner=False)
def indicator_choices(db: str) -> pd.DataFrame:
    return query("SELECT indicator, label, kind FROM indicators ORDER BY sort_order, label", db=Path(db))


@st.cache_data(show_spinner=False)
def sources(db: str) -> pd.DataFrame:
    return query("SELECT file_name, kind, period, row_count, warnings, loaded_at, checksum_sha256 FROM sources "
                 "ORDER BY kind, file_name", db=Path(db))


@st.cache_data(show_spinner=False)
def build_warnings(db: str) -> pd.DataFrame:
    return query("SELECT severity, file, row, \"column\", message FROM build_issues ORDER BY file, row", db=Path(db))


@st.cache_data(show_spinner=False)
def is_demo(db: str) -> bool:
    """Synthetic demo data: every practice code starts with Z and every ICB with QZ."""
    return bool(query("SELECT count(*) > 0 AND bool_and(icb_code LIKE 'QZ%') AS demo FROM practice_pcn "
                      "WHERE icb_code IS NOT NULL", db=Path(db)).demo.iloc[0])


@st.cache_data(show_spinner=False)
def funnel_limits(db: str, icb_code: str, period: str, indicator: str) -> pd.DataFrame:
    frame = indicator_across_pcns(db, icb_code, period, indicator)
    frame = frame[frame.numerator.notna() & frame.denominator.notna()]
    return pd.DataFrame(stats.funnel_limits_proportion(frame.numerator, frame.denominator))


@st.cache_data(show_spinner=False)
def england_range(db: str, period: str) -> pd.DataFrame:
    """Lowest and highest PCN value of each indicator in England (the spine chart's bar)."""
    return query("SELECT indicator, min(value) AS lo, max(value) AS hi FROM pcn_profile WHERE period = ? "
                 "GROUP BY indicator", [period], Path(db))


def headline(profile: pd.DataFrame, indicators: list[str]) -> pd.DataFrame:
    return profile.set_index("indicator").reindex(indicators).dropna(subset=["value"]).reset_index()


def summary_sentences(profile: pd.DataFrame) -> list[str]:
    """A plain-English summary built from the figures: where the PCN differs from England."""
    rows = profile.set_index("indicator")
    out = []
    if "list_size" in rows.index:
        out.append(f"{rows.loc['list_size', 'pcn_name']} has {rows.loc['list_size', 'value']:,.0f} registered patients.")
    for ind in ("prev_mh", "prev_dep", "prev_dem", "prev_ld"):
        if ind in rows.index and rows.loc[ind, "vs_england"] in ("higher", "lower"):
            r = rows.loc[ind]
            out.append(f"{r.label.replace(' (%)', '')} is {r.value:.2f}%, {r.vs_england} than England ({r.england_value:.2f}%).")
    prev = profile[profile.indicator.str.startswith("prev_")].sort_values("value", ascending=False)
    if len(prev):
        mh = prev.reset_index(drop=True)
        rank = mh.index[mh.domain == "Mental health registers"]
        if len(rank):
            out.append(f"The highest-ranked mental-health register is {mh.loc[rank[0], 'label'].replace(' prevalence (%)', '')}, "
                       f"number {rank[0] + 1} of {len(mh)} long-term-condition registers by prevalence.")
    return out
