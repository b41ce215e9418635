"""MHP impact: which PCNs have their practitioners (a staffing file with start dates, workforce.read_staffing), and
what changed after they started, from the referral records counted by practice and month (table service_month):
each PCN's 12 months before its first MHP started against the 12 months after, set against the PCNs without an MHP
over the same calendar months (difference in differences, stats.difference_in_differences). Functions of a DuckDB
connection and frames, as queries.py; suppression applied here when asked."""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import numpy as np
import pandas as pd

from . import stats, suppression, workforce
from .release import releasable


@dataclass(frozen=True)
class Measure:
    label: str
    kind: str  # "rate" (events per patient-month) or "proportion" (events of trials)
    events: str
    exposure: str
    multiplier: float
    unit: str
    short: str  # the chart's axis title


#: What the monthly records can show. MH A&E attendances are published by year only (the ECDS measure): no
#: monthly series.
MEASURES = {
    "cmht_referrals": Measure("CMHT referrals per 1,000 patients a month", "rate", "cmht_referrals", "patients",
                              1000, "per 1,000 a month", "CMHT referrals per 1,000 a month"),
    "cmht_rejected": Measure("CMHT referrals rejected (%)", "proportion", "cmht_rejected", "cmht_referrals", 100,
                             "%", "CMHT rejected (%)"),
    "tt_long_wait": Measure("Talking Therapies waits over 6 weeks (%)", "proportion", "tt_long_wait",
                            "tt_with_wait", 100, "%", "TT waits over 6 weeks (%)"),
    "mhp_contacts": Measure("MHP contacts per 1,000 patients a month", "rate", "mhp_contacts", "patients", 1000,
                            "per 1,000 a month", "MHP contacts per 1,000 a month"),
}
WINDOW = 12  # months before and after; the start month itself is a changeover month, left out
COUNTS = ("patients", "cmht_referrals", "cmht_rejected", "tt_with_wait", "tt_long_wait", "mhp_contacts")


def _has(con: duckdb.DuckDBPyConnection, table: str) -> bool:
    return bool(con.execute("SELECT count(*) FROM information_schema.tables WHERE table_name = ? "
                            "AND table_catalog = current_database()", [table]).fetchall()[0][0])


@releasable
def monthly(con: duckdb.DuckDBPyConnection, suppress: bool) -> pd.DataFrame:
    """Each PCN's referral counts by calendar month with its registered patients (marts/pcn_service_month.sql):
    the exposure of a month is its patients. With suppression on, each month's counts as released (release.py);
    a month whose count is suppressed is left out of the windows and series worked from it."""
    if not _has(con, "pcn_service_month"):  # a database built before the monthly counts were kept: no series
        return pd.DataFrame(columns=["pcn_code", "icb_code", "month", *COUNTS])
    return con.execute("SELECT * FROM pcn_service_month ORDER BY pcn_code, month").df()


def staffing(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """The staffing file the build kept (the folder's staffing/mhp_staffing.csv; the demo has one), as
    workforce.read_staffing gives it; empty without one."""
    if not _has(con, "mhp_staffing"):  # a database built before staffing was kept: none
        return pd.DataFrame({"pcn_code": pd.Series(dtype=str), "role": pd.Series(dtype=str),
                             "band": pd.Series(dtype=str), "wte": pd.Series(dtype=float),
                             "start_date": pd.Series(dtype="datetime64[us]"),
                             "end_date": pd.Series(dtype="datetime64[us]")})
    frame = con.execute("SELECT pcn_code, role, band, wte, start_date, end_date FROM mhp_staffing").df()
    for column in ("start_date", "end_date"):
        frame[column] = pd.to_datetime(frame[column])
    return frame


def starts(staffing: pd.DataFrame) -> dict[str, pd.Timestamp]:
    """Each PCN's first MHP start month. A PCN with a post of unknown start (no start date: in post, since when not
    known) has none: its first MHP may be that one."""
    undated = _undated(staffing)
    dated = staffing.dropna(subset=["start_date"])
    first = dated[~dated.pcn_code.isin(undated)].groupby("pcn_code").start_date.min()
    return {code: pd.Timestamp(day).to_period("M").to_timestamp() for code, day in first.items()}


def windows(staffing: pd.DataFrame) -> dict[str, pd.Timestamp]:
    """Each PCN whose first start is a window, not a date (staffing from the PCN Workforce: mhp.staffing), with the
    census month the window opens (its MHP started after it, by the start month): the months between are left out
    as changeover, and the before window ends at it."""
    if "window_from" not in staffing:
        return {}
    first = starts(staffing)
    rows = staffing.dropna(subset=["start_date", "window_from"])
    rows = rows[np.array([pd.Timestamp(d).to_period("M").to_timestamp() == first.get(c) for c, d in
                          zip(rows.pcn_code, rows.start_date)], dtype=bool)]
    opened = rows.groupby("pcn_code").window_from.min()
    return {code: pd.Timestamp(day).to_period("M").to_timestamp() for code, day in opened.items()}


def start_words(start: pd.Timestamp, opened: pd.Timestamp | None) -> str:
    """'Jul 2025', or for a window 'between Mar 2025 and Sep 2025 (a window)'."""
    if opened is None:
        return start.strftime("%b %Y")
    return f"between {opened:%b %Y} and {start:%b %Y} (a window)"


def in_post_at_year_end(staffing: pd.DataFrame, period: str, by_role: bool = False) -> pd.Series:
    """Each PCN's MHP WTE in post on 31 March at the end of ``period`` (both roles; by (pcn_code, role) if
    ``by_role``). A post from the PCN Workforce (``as_at``: its census) counts as in post: it is what the edition
    used for the year says (mhp.staffing_edition)."""
    end = pd.Timestamp(f"{int(period[:4]) + 1}-03-31")
    published = staffing.as_at.notna() if "as_at" in staffing else pd.Series(False, index=staffing.index)
    dated = workforce.in_post(staffing[~published], on=end)
    rows = pd.concat([dated, staffing[published][["pcn_code", "role", "wte"]]]) if published.any() else dated
    return rows.groupby(["pcn_code", "role"] if by_role else "pcn_code").wte.sum()


NO_RETURN = "No return (not known)"


def status(inputs: pd.DataFrame, staffing: pd.DataFrame, period: str, assumptions=None,
           unknown: set[str] = frozenset()) -> pd.DataFrame:
    """Each PCN of ``inputs`` (queries.workforce_inputs) with its MHP WTE in post at the end of ``period`` (31
    March), its first start, the guide's entitlement, that WTE as a share of it (%) and the modelled need, and a
    status: no MHP, below entitlement, or at or above it; NO_RETURN (WTE not known) for the PCNs in ``unknown``
    (no row in the PCN Workforce edition the staffing is from)."""
    posted = in_post_at_year_end(staffing, period)
    first = starts(staffing)
    need = workforce.need(inputs, assumptions or workforce.Assumptions()).set_index("pcn_code")
    rows = []
    for row in inputs.itertuples():
        wte = float(posted.get(row.pcn_code, 0.0))
        entitled = workforce.entitlement(row.list_size or 0, period)
        known = row.pcn_code not in unknown
        rows.append({"pcn_code": row.pcn_code, "pcn_name": row.pcn_name, "in_post_wte": wte if known else np.nan,
                     "first_start": first[row.pcn_code].strftime("%b %Y") if row.pcn_code in first else "–",
                     "entitlement_wte": entitled, "need_wte": float(need.loc[row.pcn_code, "need_wte"]),
                     "share_of_entitlement": 100 * wte / entitled if entitled > 0 and known else np.nan,
                     "status": NO_RETURN if not known else "No MHP" if wte == 0
                     else "Below entitlement" if wte < entitled - 1e-9 else "At or above entitlement"})
    return pd.DataFrame(rows)


def _window_totals(series: pd.DataFrame, start: pd.Timestamp, measure: Measure,
                   opened: pd.Timestamp | None = None) -> dict[str, tuple[float, float]]:
    """Events and exposure summed over the 12 months before and after ``start``, with the number of months whose
    counts are both shown (a month with a suppressed count is left out of both: its window is then short). A start
    known only as a window (``opened``: the census month before it) has its before months end at ``opened``."""
    series = series.dropna(subset=[measure.events, measure.exposure])
    first = opened if opened is not None else start
    before = series[(series.month >= first - pd.DateOffset(months=WINDOW)) & (series.month < first)]
    after = series[(series.month > start) & (series.month <= start + pd.DateOffset(months=WINDOW))]
    return {"before": (before[measure.events].sum(), before[measure.exposure].sum(), before.month.nunique()),
            "after": (after[measure.events].sum(), after[measure.exposure].sum(), after.month.nunique())}


def _undated(staffing: pd.DataFrame) -> set[str]:
    """PCNs with an MHP in post whose start is not known (a post without a start date): never a comparison PCN."""
    return set(staffing.pcn_code[staffing.start_date.isna()])


def _comparison(series: pd.DataFrame, first: dict, start: pd.Timestamp, measure: Measure,
                undated: set[str] = frozenset(), seen: dict | None = None) -> pd.DataFrame:
    """The PCNs with no MHP by the end of the after window (none yet, or none at all), summed by month (a PCN's
    month whose count of the measure is suppressed left out of both its events and its exposure); a PCN with an
    MHP of unknown start, or whose MHPs are not known (``undated``), is none of them, nor one ``seen`` with an MHP
    (its first edition with one, in any PCN Workforce edition) by the end."""
    series = series.dropna(subset=[measure.events, measure.exposure])
    end = start + pd.DateOffset(months=WINDOW)
    seen = seen or {}
    without = [c for c in series.pcn_code.unique()
               if c not in undated and (c not in first or first[c] > end) and not (c in seen and seen[c] <= end)]
    return series[series.pcn_code.isin(without)].groupby("month", as_index=False)[list(COUNTS)].sum()


def _protected(total: tuple[float, float], suppress: bool) -> tuple[float, float]:
    if not suppress:
        return total
    events, exposure = suppression.round_count([total[0], total[1]])
    return events, exposure


def difference_in_differences(series: pd.DataFrame, staffing: pd.DataFrame, measure_key: str,
                              pcn_codes: list[str] | None = None, suppress: bool = True,
                              unknown: set[str] = frozenset(), seen: dict | None = None) -> pd.DataFrame:
    """For each PCN with an MHP start date (of ``pcn_codes``, if given) whose 12 months before and after are in the
    records, and for all of them pooled ("All that started": their windows stacked), the measure before and after
    and in the comparison PCNs over the same months, and the difference in differences with its 95% interval.
    With suppression on, from window totals rounded to 5; a total of 1-7 gives no estimate. ``unknown`` (PCNs
    whose MHPs are not known) and ``seen`` (each PCN's first MHP in any edition) keep PCNs out of the comparison."""
    measure = MEASURES[measure_key]
    first, opened = starts(staffing), windows(staffing)
    rows, pooled = [], {k: [0.0, 0.0] for k in ("before", "after", "comparison_before", "comparison_after")}
    for code, start in sorted(first.items()):
        if (pcn_codes is not None and code not in pcn_codes) or code not in set(series.pcn_code):
            continue
        own = _window_totals(series[series.pcn_code == code], start, measure, opened.get(code))
        if own["before"][2] < WINDOW or own["after"][2] < WINDOW:  # both full windows in the records
            continue
        comparison = _window_totals(_comparison(series, first, start, measure, _undated(staffing) | set(unknown),
                                                seen).assign(
            pcn_code="comparison"), start, measure, opened.get(code))
        groups = {"before": own["before"][:2], "after": own["after"][:2],
                  "comparison_before": comparison["before"][:2], "comparison_after": comparison["after"][:2]}
        for name, (events, exposure) in groups.items():
            pooled[name][0] += events
            pooled[name][1] += exposure
        rows.append(_row(code, start_words(start, opened.get(code)), groups, measure, suppress))
    if rows:
        rows.append(_row("All that started", f"{len(rows)} PCN{'s' if len(rows) > 1 else ''}",
                         {k: tuple(v) for k, v in pooled.items()},
                         measure, suppress))
    return pd.DataFrame(rows, columns=["pcn_code", "start", "before", "after", "comparison_before",
                                       "comparison_after", "estimate", "lower", "upper", "events_after",
                                       "exposure_after"])


def _row(code: str, start: str, groups: dict, measure: Measure, suppress: bool) -> dict:
    shown = {name: _protected(total, suppress) for name, total in groups.items()}
    if any(np.isnan(v) for total in shown.values() for v in total):
        return {"pcn_code": code, "start": start, "estimate": np.nan, "lower": np.nan, "upper": np.nan,
                "events_after": np.nan, "exposure_after": np.nan, **dict.fromkeys(groups, np.nan)}
    result = stats.difference_in_differences(shown["before"], shown["after"], shown["comparison_before"],
                                             shown["comparison_after"], measure.kind, measure.multiplier)
    return {"pcn_code": code, "start": start, **dict(zip(groups, result["values"])), "estimate": result["estimate"],
            "lower": result["lower"], "upper": result["upper"], "events_after": shown["after"][0],
            "exposure_after": shown["after"][1]}


def event_series(series: pd.DataFrame, staffing: pd.DataFrame, measure_key: str, pcn_codes: list[str] | None = None,
                 suppress: bool = True, unknown: set[str] = frozenset(), seen: dict | None = None) -> pd.DataFrame:
    """The measure by month from the start (-12 to 12, 0 the start month), pooled over the PCNs that started
    (of ``pcn_codes``) and over the comparison PCNs in the same calendar months; with suppression on, from
    counts rounded to 5, a month with a count of 1-7 left out. A start known only as a window (windows) has its
    changeover months (from the census the window opens to the start) left out, and its before months counted back
    from the window's opening, as _window_totals does."""
    measure = MEASURES[measure_key]
    first, opened = starts(staffing), windows(staffing)
    parts = []
    for code, start in first.items():
        if (pcn_codes is not None and code not in pcn_codes) or code not in set(series.pcn_code):
            continue
        before_end = opened.get(code, start)
        for group, frame in (("PCNs with MHPs", series[series.pcn_code == code]),
                             ("Comparison PCNs (no MHP yet)",
                              _comparison(series, first, start, measure, _undated(staffing) | set(unknown), seen))):
            frame = frame.dropna(subset=[measure.events, measure.exposure])  # a suppressed month: left out
            months = frame.month.dt.year * 12 + frame.month.dt.month
            after = months - (start.year * 12 + start.month)
            before = months - (before_end.year * 12 + before_end.month)
            offset = after.where(after >= 0, before.where(before < 0))  # changeover months: NaN
            keep = offset.notna() & (offset.abs() <= WINDOW)
            parts.append(pd.DataFrame({"group": group, "month_from_start": offset[keep].astype(int),
                                       "events": frame[measure.events][keep],
                                       "exposure": frame[measure.exposure][keep]}))
    if not parts:
        return pd.DataFrame(columns=["group", "month_from_start", "events", "exposure", "value"])
    out = pd.concat(parts).groupby(["group", "month_from_start"], as_index=False)[["events", "exposure"]].sum()
    if suppress:
        out["events"], out["exposure"] = suppression.round_count(out.events), suppression.round_count(out.exposure)
    out["value"] = out.events / out.exposure.where(out.exposure > 0) * measure.multiplier
    return out


def post_cost(staffing: pd.DataFrame, pcn_codes: list[str], money) -> float:
    """What the posts of ``pcn_codes`` cost in the 12 months after each PCN's first start (the after window): each
    post's WTE x the employment cost per WTE of its band in that financial year (money.Money: the published
    Agenda for Change figures and on-costs) x the share of the window it was in post. A post without a band is
    costed at band 7 (an assumption, said on the page)."""
    from .money import year_name

    first = starts(staffing)
    total = 0.0
    for row in staffing[staffing.pcn_code.isin(pcn_codes)].itertuples():
        if row.pcn_code not in first:
            continue
        window_start = first[row.pcn_code] + pd.DateOffset(months=1)
        window_end = window_start + pd.DateOffset(months=WINDOW)
        on = max(window_start, row.start_date) if pd.notna(row.start_date) else window_start
        off = min(window_end, row.end_date + pd.Timedelta(days=1)) if pd.notna(row.end_date) else window_end
        share = max(0.0, (off - on).days / (window_end - window_start).days)
        middle = window_start + pd.DateOffset(months=WINDOW // 2)
        year = year_name(middle.year - (middle.month < 4))
        total += row.wte * money.employment_cost(year, row.band or "7").value * share
    return total


#: The most a unit cost typed for the return on investment may be (£): a CMHT referral and assessment costs hundreds
#: of pounds (National Cost Collection), so a million is a typing slip, and 1e308 would be shown as "£inf".
MAX_UNIT_COST = 1_000_000.0


def return_on_investment(did: pd.DataFrame, measure_key: str, cost: float, unit_cost: float | None) -> dict:
    """The arithmetic: the activity changed in the 12 months after = the pooled estimate x the patient-months (or
    referrals) after / the multiplier, with its interval; its value = minus that x the unit cost the user gives
    (none without one; ValueError for one that is not a number of pounds from 0 to MAX_UNIT_COST); against the
    cost of the posts over the same months."""
    if unit_cost is not None and not 0 <= unit_cost <= MAX_UNIT_COST:  # NaN fails both comparisons
        raise ValueError(f"the unit cost is too large, or not a number of pounds: give one from £0 to "
                         f"£{MAX_UNIT_COST:,.0f}.")
    measure = MEASURES[measure_key]
    pooled = did[did.pcn_code == "All that started"]
    if pooled.empty or pd.isna(pooled.estimate.iloc[0]):
        return {}
    row = pooled.iloc[0]
    scale = row.exposure_after / measure.multiplier
    change = row.estimate * scale
    value = None if not unit_cost else -change * unit_cost
    return {"change": change, "change_lower": row.lower * scale, "change_upper": row.upper * scale,
            "value": value, "cost": cost, "net": None if value is None else value - cost}
