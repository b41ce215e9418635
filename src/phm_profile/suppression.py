"""Small-number suppression (statistical disclosure control), as NHS Digital publishes patient counts:
counts of 1 to 7 are suppressed, other counts rounded to the nearest 5; a rate, proportion or interval whose
count is suppressed is hidden; and within a table, a count that could be worked out by subtraction from the
others is suppressed too (secondary suppression).

Applied to every frame a page shows or exports when suppression is on (the default)."""

from __future__ import annotations

import numpy as np
import pandas as pd

SMALLEST_SHOWN = 8
ROUND_TO = 5

#: Count columns and the figures computed from them (hidden when the count is suppressed).
COUNTS = {
    "numerator": ["value", "lower_95", "upper_95", "lower_998", "upper_998", "funnel"],
    "denominator": ["value", "lower_95", "upper_95", "lower_998", "upper_998", "funnel"],
    "patients": ["share"],
    "register": ["prevalence", "ltc_rank"],
    "list_size": [],
    "smi_register": [], "depression_register": [], "cmht_rejected": [], "tt_long_waits": [], "under_18": [],
    "q1_patients": [], "q2_patients": [], "q3_patients": [], "q4_patients": [], "q5_patients": [],
}
#: Indicator kinds whose numerator and denominator are not counts of people (e.g. an IMD score).
NOT_COUNTS = {"score"}


def is_small(values) -> np.ndarray:
    x = pd.to_numeric(pd.Series(values), errors="coerce").to_numpy(dtype=float)
    return (x >= 1) & (x < SMALLEST_SHOWN)


def release_counts(values) -> np.ndarray:
    """Counts as released: 1-7 become NaN (suppressed); others are rounded to the nearest 5 (halves up); 0 stays
    0. The one release function: every released relation (release.py) applies it to its counts."""
    x = pd.to_numeric(pd.Series(values), errors="coerce").to_numpy(dtype=float)
    rounded = np.floor(x / ROUND_TO + 0.5) * ROUND_TO
    return np.where(is_small(x), np.nan, rounded)


round_count = release_counts


def protect(frame: pd.DataFrame, groups: list[str] | None = None, parts: str | tuple[str, ...] | None = None
            ) -> pd.DataFrame:
    """A copy of ``frame`` safe to show. ``groups`` and ``parts``: rows of one group whose ``parts`` column (or
    each of several) adds up to a shown or known total (age bands of a list, quintiles of a population, a PCN's
    practices) get secondary suppression."""
    out = frame.copy()
    counted = np.ones(len(out), dtype=bool)
    if "kind" in out:
        counted = ~out["kind"].isin(NOT_COUNTS).to_numpy()
        # A count indicator (the list size) is itself a count, and so are its ICB and England values.
        is_count = (out["kind"] == "count").to_numpy()
        for column in ("value", "icb_value", "england_value"):
            if column in out:
                out[column] = np.where(is_count, round_count(out[column]), out[column])
    if groups is not None and parts is not None:
        for part in ([parts] if isinstance(parts, str) else parts):
            out = _secondary(out, groups, part)
    for column, dependents in COUNTS.items():
        if column not in out:
            continue
        small = is_small(out[column]) & counted
        for dependent in dependents:
            if dependent in out:
                numeric = pd.api.types.is_numeric_dtype(out[dependent])
                out.loc[small, dependent] = np.nan if numeric else None
        for label in ("vs_icb", "vs_england"):
            if label in out and dependents:
                out.loc[small, label] = "suppressed"
        out[column] = np.where(counted, round_count(out[column]), out[column])
    values_from_counts(out)
    for column in VALUES:
        if column in out and pd.api.types.is_float_dtype(out[column]):
            out[column] = out[column].round(DECIMALS)
    return out


#: Figures computed from counts, shown to DECIMALS places when suppression is on: an exact rate beside a
#: rounded count would give the count back (value x denominator).
VALUES = ("value", "lower_95", "upper_95", "lower_998", "upper_998", "icb_value", "england_value", "prevalence",
          "england_prevalence", "icb_prevalence", "share", "x", "y", "lo", "hi")
DECIMALS = 2


def values_from_counts(out: pd.DataFrame) -> None:
    """Rates, proportions and ratios (and their intervals) recomputed from the counts as shown (rounded to 5),
    so that no figure on screen is finer than the counts beside it; also how an area's figures are made from its
    practices' summed counts (queries.area_profile). In place."""
    from . import stats

    pairs = [("value", "numerator", "denominator"), ("prevalence", "register", "denominator")]
    for value, top, bottom in pairs:
        if not {value, top, bottom} <= set(out.columns):
            continue
        x = pd.to_numeric(out[top], errors="coerce").to_numpy(dtype=float)
        n = pd.to_numeric(out[bottom], errors="coerce").to_numpy(dtype=float)
        kind = out["kind"].to_numpy() if "kind" in out else np.full(len(out), "proportion")
        multiplier = (pd.to_numeric(out["multiplier"], errors="coerce").to_numpy(dtype=float) if "multiplier" in out
                      else np.full(len(out), 100.0))
        ok = np.isfinite(x) & np.isfinite(n) & (n > 0) & np.isin(kind, ("proportion", "rate", "ratio"))
        if not ok.any():
            continue
        with np.errstate(invalid="ignore", divide="ignore"):
            out.loc[ok, value] = x[ok] / n[ok] * multiplier[ok]
            for level, confidence in (("95", 0.95), ("998", 0.998)):
                if value != "value" or f"lower_{level}" not in out:
                    continue
                proportion = ok & (kind == "proportion") & (x <= n)
                counted = ok & ~(kind == "proportion")
                lower, upper = stats.count_interval(np.where(counted, x, 0), confidence)
                out.loc[proportion, f"lower_{level}"] = (stats.wilson_lower(x[proportion], n[proportion], confidence)
                                                         * multiplier[proportion])
                out.loc[proportion, f"upper_{level}"] = (stats.wilson_upper(x[proportion], n[proportion], confidence)
                                                         * multiplier[proportion])
                out.loc[counted, f"lower_{level}"] = lower[counted] / n[counted] * multiplier[counted]
                out.loc[counted, f"upper_{level}"] = upper[counted] / n[counted] * multiplier[counted]


def _secondary(frame: pd.DataFrame, groups: list[str], parts: str) -> pd.DataFrame:
    """Within each group, where exactly one count is suppressed, suppress the next smallest too, so that
    no suppressed count can be found by subtracting the others from the total."""
    index, frame = frame.index, frame.reset_index(drop=True)
    values = pd.to_numeric(frame[parts], errors="coerce")
    small = pd.Series(is_small(values), index=frame.index)
    keys = [frame[g] for g in groups]
    alone = small.groupby(keys, sort=False, dropna=False).transform("sum") == 1
    candidates = values.where(alone & ~small & (values > 0)).dropna()
    chosen = candidates.groupby([k[candidates.index] for k in keys], sort=False, dropna=False).idxmin()
    extra = np.zeros(len(frame), dtype=bool)
    extra[chosen.to_numpy()] = True
    frame.loc[extra, parts] = np.nan
    for dependent in COUNTS.get(parts, []):
        if dependent in frame:
            frame.loc[extra, dependent] = np.nan
    frame.index = index
    return frame
