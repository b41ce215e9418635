"""The words around the figures: headline tiles, summary sentences and captions, from the frames queries.py
returns. Labels, units and decimals come from the indicator definitions (data/indicators.csv)."""

from __future__ import annotations

import pandas as pd

#: The PCN profile's headline tiles, in order (each labelled by its indicator's short label).
HEADLINE = ("list_size", "prev_mh", "prev_dep", "prev_dem", "prev_ld", "imd_score")

#: The mental-health registers the summary compares with England.
SUMMARY_REGISTERS = ("prev_mh", "prev_dep", "prev_dem", "prev_ld")


def number(value, decimals: int = 2, missing: str = "not available") -> str:
    """A figure as written on screen: thousands separated, to ``decimals`` places; ``missing`` if there is none
    ("–" in a table cell)."""
    return missing if pd.isna(value) else f"{value:,.{int(decimals)}f}"


def overview_headline(table: pd.DataFrame) -> dict:
    """The ICB overview's headline figures from queries.indicator_across_pcns: PCNs, the ICB's and England's
    value (None without PCNs; ``*_shown`` written to the indicator's decimals) and how many PCNs are higher than
    England at 95%."""
    first = table.iloc[0] if len(table) else None
    out = {"pcns": len(table), "icb_value": None if first is None else first.icb_value,
           "england_value": None if first is None else first.england_value,
           "higher": int((table.vs_england == "higher").sum()) if len(table) else 0}
    if first is not None:
        decimals = first.decimals if "decimals" in table else 2
        out |= {"short_label": first.get("short_label", first.get("label", "")),
                "icb_shown": number(first.icb_value, decimals), "england_shown": number(first.england_value, decimals)}
    return out


def headline(profile: pd.DataFrame, indicators: tuple[str, ...] = HEADLINE) -> pd.DataFrame:
    """The headline indicators' rows, each with ``short`` (the tile's label), ``shown`` (the value as
    written on the tile), ``comparison`` and ``icb_comparison`` (England's and the ICB's value and how the PCN
    compares at 95%; none for counts) and ``help`` (the full label with the ICB and England values)."""
    rows = profile.set_index("indicator").reindex(list(indicators)).dropna(subset=["value"]).reset_index()
    rows["short"] = rows.short_label
    count = rows.kind == "count"
    rows["shown"] = [number(v, d) for v, d in zip(rows.value, rows.decimals)]
    rows["help"] = [f"{label}. ICB {number(i, d)}; England {number(e, d)}."
                    for label, i, e, d in zip(rows.label, rows.icb_value, rows.england_value, rows.decimals)]
    for column, name in (("comparison", "England"), ("icb_comparison", "ICB")):
        benchmark = "england" if name == "England" else "icb"
        rows[column] = pd.Series([  # object: None stays None (a tile with no comparison), not "nan"
            None if pd.isna(e) or c  # England's (or the ICB's) list size says nothing about a PCN's
            else f"{name} {number(e, d)}: {vs}" if vs in ("higher", "lower", "similar") else f"{name} {number(e, d)}"
            for e, vs, c, d in zip(rows[f"{benchmark}_value"], rows[f"vs_{benchmark}"], count, rows.decimals)
        ], index=rows.index, dtype=object)
    return rows


def summary_sentences(profile: pd.DataFrame) -> list[str]:
    """A plain-English summary built from the figures: where the PCN differs from England."""
    rows = profile.set_index("indicator")
    out = []
    if "list_size" in rows.index and pd.notna(rows.loc["list_size", "value"]):
        out.append(f"{rows.loc['list_size', 'pcn_name']} has {rows.loc['list_size', 'value']:,.0f} registered patients.")
    for ind in SUMMARY_REGISTERS:
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


def deprivation_caption(method: str | None, scored: bool, index: str | None = None) -> str:
    """How a year's deprivation was found (queries.deprivation_method), in a sentence for under its chart."""
    if method is None:
        return ""
    index = index or "IMD"
    measure = f" Index: {index}." + ("" if scored else f" The {index} file loaded has ranks and deciles but no scores.")
    if method == "practice location":
        return ("Approximate (practice-location proxy): no registrations by LSOA are loaded for this year, so each "
                "practice's patients are placed in the LSOA of the practice itself (from its location)." + measure)
    return "From where the practices' registered patients live (registrations by LSOA)." + measure


#: What each way of drawing PCN areas means, for the caption under a map.
MAP_METHODS = {
    "registered patients by LSOA": "Each LSOA is drawn in the PCN registering most of its patients.",
    "nearest practice": "No registrations by LSOA are loaded for this year: each LSOA is drawn in the PCN of the "
                        "practice nearest to it (from the practices' locations), an approximation of where the "
                        "PCN's patients live.",
}
NO_MAP = ("No map: it needs LSOA boundaries (GeoJSON or GeoParquet) with either registrations by LSOA "
          "(gp-reg-pat-prac-lsoa-all) or the practices' locations (practice code, latitude, longitude).")


def map_caption(method: str | None) -> str:
    """How the map's PCN areas were drawn (queries.map_method), or why there is no map."""
    return NO_MAP if method is None else MAP_METHODS[method]


def definitions(frame: pd.DataFrame) -> dict[str, list[str]]:
    """Each domain's indicator definitions (queries.indicator_definitions) as plain-text paragraphs, in order."""
    out: dict[str, list[str]] = {}
    for r in frame.itertuples():
        parts = [f"{r.label} ({r.indicator}; {r.unit}; {r.polarity}).", f"Numerator: {r.numerator_definition}."]
        if isinstance(r.denominator_definition, str) and r.denominator_definition:
            parts.append(f"Denominator: {r.denominator_definition}.")
        parts += [f"Method: {r.method}.", f"Source: {r.source}."]
        out.setdefault(r.domain, []).append(" ".join(parts))
    return out


def spine_table(profile: pd.DataFrame, england_range: pd.DataFrame) -> pd.DataFrame:
    """The spine chart's value table, as Fingertips shows it: each indicator (its short label, which carries the
    unit) with its count, value and 95% interval, the ICB and England values and England's lowest, 25th
    percentile, 75th percentile and highest PCN, each to the indicator's decimals, and the comparison with England
    read through its polarity. Narrow enough for a 1440 px screen without sideways scrolling."""
    from .stats import judgement

    def cell(value, decimals):
        return number(value, decimals, missing="–")

    data = profile.merge(england_range, on="indicator", how="left")
    rows = []
    for r in data.itertuples():
        rows.append({
            "Indicator": r.short_label,
            "Count": cell(r.numerator, 0) if r.kind != "score" else "–",
            "Value": cell(r.value, r.decimals),
            "95% interval": "–" if pd.isna(r.lower_95) else f"{cell(r.lower_95, r.decimals)} to {cell(r.upper_95, r.decimals)}",
            **{name: cell(getattr(r, column), r.decimals) for name, column in (
                ("ICB", "icb_value"), *((("Similar", "similar_value"),) if "similar_value" in data else ()),
                ("England", "england_value"), ("Lowest", "lo"), ("25th", "q25"),
                ("75th", "q75"), ("Highest", "hi"))},
            **({"Recent trend": f"{TREND_WORDS.get(r.trend, '')} {r.judged}".strip() if isinstance(r.judged, str)
                else "–"} if "judged" in data else {}),
            "vs England": "suppressed" if pd.isna(r.value) and r.kind != "count"
            else judgement(r.vs_england, r.polarity) if isinstance(r.vs_england, str) else "–",
        })
    return pd.DataFrame(rows)


def inequality_sentences(sii: pd.DataFrame, label: str) -> list[str]:
    """The slope index of inequality of each area in words: the gap from the least to the most deprived end,
    in percentage points, with its 95% interval; or why there is none."""
    out = []
    label = label.removesuffix(" (%)")
    for row in sii.itertuples():
        where = "the ICB's practices" if row.area == "ICB" else "England's practices"
        if pd.isna(row.sii):
            out.append(f"{row.area}: no slope index of inequality (a quintile has no figure, or it is suppressed).")
            continue
        gap = -row.sii  # the SII runs from the most deprived end (rank 0) to the least deprived (rank 1)
        direction = "higher" if gap > 0 else "lower"
        interval = f"{number(-row.upper_95)} to {number(-row.lower_95)}"
        significant = ""
        if row.lower_95 <= 0 <= row.upper_95:
            significant = " The interval includes no difference."
        out.append(f"{row.area}: {label} is {number(abs(gap))} percentage points {direction} at the most deprived end "
                   f"of {where} than at the least deprived end (slope index of inequality, 95% interval of the gap "
                   f"{interval}).{significant}")
    return out


#: The arrows of Fingertips' recent-trend markers, beside their words in tables.
TREND_WORDS = {"increasing": "↑", "decreasing": "↓", "no significant change": "→"}


def trend_sentences(trends: pd.DataFrame, labels: dict[str, str]) -> list[str]:
    """Each indicator's recent trend in words (Fingertips' test: the most recent five yearly points, 99.8%), with
    why it could not be tested where it could not, and the series break named where there is one."""
    out = []
    for r in trends.itertuples():
        name = labels.get(r.indicator, r.indicator)
        span = f"{r.first} to {r.last}" if r.points > 1 else r.last
        if isinstance(r.break_from, str) and r.break_from:
            why = (f"the register counts new diagnoses from {r.break_from} (a change of QOF definition), so the "
                   f"years before are not comparable and the trend is tested from {r.break_from} on")
            out.append(f"{name}: {r.judged.lower() if r.points >= 5 else 'not tested yet'}: {why} "
                       f"({r.points} point{'s' if r.points != 1 else ''} so far).")
        elif r.trend == "could not be calculated":
            reason = (f"{r.points} yearly point{'s' if r.points != 1 else ''} loaded ({span}); the test needs five"
                      if r.points < 5 else "a point lacks its count or interval (or is suppressed)")
            out.append(f"{name}: could not be calculated: {reason}.")
        else:
            out.append(f"{name}: {TREND_WORDS[r.trend]} {r.judged.lower()} over {span} (five points, 99.8%).")
    return out


def impact_sentences(did: pd.DataFrame, label: str, unit: str) -> list[str]:
    """The pooled difference in differences in words, with what it can and cannot show."""
    pooled = did[did.pcn_code == "All that started"]
    if pooled.empty:
        return ["No PCN here has an MHP start date with 12 months of records before and after it (and comparison "
                "PCNs over the same months): nothing to compare yet."]
    r = pooled.iloc[0]
    if pd.isna(r.estimate):
        return ["The counts are too small to show (suppressed): no estimate."]
    significant = not (r.lower <= 0 <= r.upper)
    direction = "fell" if r.estimate < 0 else "rose"
    return [
        f"In the 12 months after their MHPs started, {label} in {'these ' if r.start != '1 PCN' else 'this '}"
        f"{r.start} {direction} by "
        f"{number(abs(r.estimate))} {unit} more than in PCNs without an MHP over the same months "
        f"(difference in differences {number(r.estimate)}, 95% interval {number(r.lower)} to {number(r.upper)})"
        + ("." if significant else "; the interval includes no change."),
        f"Before: {number(r.before)}, after: {number(r.after)}; comparison PCNs {number(r.comparison_before)} and "
        f"{number(r.comparison_after)}.",
    ]


#: What a before-and-after comparison of routine data can and cannot show (on the page under every estimate).
IMPACT_LIMITS = ("Not a trial: PCNs chose when to recruit, and anything else that changed for them at the same time "
                 "(a new service, a coding change) is counted as the MHPs' effect; the comparison PCNs take out "
                 "what changed everywhere. The interval counts chance in the referral counts only. Small numbers are "
                 "suppressed when suppression is on. MH A&E attendances are published by year only, so they have "
                 "no monthly series here.")


def roi_sentences(result: dict, pcns: int) -> list[str]:
    """The return on investment as arithmetic, line by line (impact.return_on_investment)."""
    said = [f"Cost of the MHP posts in the 12 months after each start ({pcns} PCNs): £{number(result['cost'], 0)} "
            "(each post's WTE x the employment cost per WTE of its band and year, from the published Agenda for "
            "Change pay and on-costs; a post without a band costed at band 7, an assumption).",
            f"CMHT referrals not made in those months: {number(-result['change'], 0)} (difference in differences x "
            f"patient-months / 1,000; 95% interval {number(-result['change_upper'], 0)} to "
            f"{number(-result['change_lower'], 0)})."]
    if result["value"] is None:
        said.append("Type the cost of a CMHT referral and assessment above to put a value on them.")
    else:
        net = result["net"]
        said.append(f"Valued at your unit cost: £{number(result['value'], 0)}; less the posts' cost: "
                    f"{'a saving' if net >= 0 else 'a net cost'} of £{number(abs(net), 0)}. Other effects (GP "
                    "appointments freed, waits, patients' outcomes) are not valued here.")
    return said


def impact_table(did: pd.DataFrame) -> pd.DataFrame:
    """Each PCN's difference in differences as a board reads it: values to 2 decimals, the interval in one
    column, the events after as a whole number."""
    return pd.DataFrame({
        "PCN": did.pcn_code, "MHP start": did.start, "Before": [number(v, 2, "–") for v in did.before],
        "After": [number(v, 2, "–") for v in did.after],
        "Comparison before": [number(v, 2, "–") for v in did.comparison_before],
        "Comparison after": [number(v, 2, "–") for v in did.comparison_after],
        "Difference in differences": [number(v, 2, "–") for v in did.estimate],
        "95% interval": ["–" if pd.isna(lo) else f"{number(lo, 2)} to {number(hi, 2)}"
                         for lo, hi in zip(did.lower, did.upper)],
        "Events after": [number(v, 0, "–") for v in did.events_after]})


def in_post_notes(status: pd.DataFrame) -> list[str]:
    """Each PCN's staffing in words, for the map's hover: 'Below entitlement, 1.0 WTE in post'."""
    return [state if wte != wte else f"{state}, {number(wte, 1)} WTE in post"
            for state, wte in zip(status.status, status.in_post_wte)]


def pooled_note(frame: pd.DataFrame, group: str, suppress: bool) -> str | None:
    """What the pooled value of a league or funnel leaves out with suppression on (release.pooled: a PCN whose count
    is suppressed is left out of both sums); None when nothing is."""
    if not suppress or frame.empty:
        return None
    left_out = int((frame.numerator.isna() | frame.denominator.isna()).sum())
    if not left_out:
        return None
    whose = "the ICB's" if group == "ICB" else "these PCNs'"
    return (f"Small-number suppression is on: {whose} pooled value is worked from the counts as shown, and "
            f"{left_out} PCN{' is' if left_out == 1 else 's are'} left out of it (a count of 1-7, suppressed).")


def profile_pooled_note(profile: pd.DataFrame, suppress: bool) -> str | None:
    """The same for a PCN's profile: how many PCNs the ICB and England values leave out (the most of any
    indicator)."""
    if not suppress or "icb_left_out" not in profile or profile.empty:
        return None
    icb, england = int(profile.icb_left_out.fillna(0).max()), int(profile.england_left_out.fillna(0).max())
    if not (icb or england):
        return None
    return (f"Small-number suppression is on: the ICB and England values are pooled from the PCNs' counts as shown; "
            f"a PCN whose count is suppressed is left out (for some indicators, up to {icb} of the ICB's PCNs and "
            f"{england} of England's).")


def practice_flag(closed, not_gp_practice, setting) -> str:
    """What ODS says of a practice that bears on its figures: closed, or a setting other than a GP practice
    (prescribing setting 4); "not known" without an ODS file."""
    if pd.isna(closed) and pd.isna(not_gp_practice):
        return "not known (no ODS practice file loaded)"
    flags = (["closed"] if pd.notna(closed) and bool(closed) else []) + (
        [f"not a GP practice (ODS setting {setting})"] if pd.notna(not_gp_practice) and bool(not_gp_practice) else [])
    return "; ".join(flags) or "open GP practice"


def practice_table(practices: pd.DataFrame) -> pd.DataFrame:
    """The practices inside a PCN as the table shows and exports them (queries.practices_in_pcn): each practice's
    count, denominator, value and 95% interval (numbers, to the indicator's decimals, so a heading sorts them),
    how it compares with its PCN, ICB and England (their values are said above the table: practice_sentences) (through the indicator's polarity: "suppressed" where
    its count is hidden), and ODS's flags."""
    from .stats import judgement

    if practices.empty:
        return pd.DataFrame(columns=["Practice code", "Practice", "Count", "Value"])
    decimals = int(practices.decimals.iloc[0])
    counted = practices.kind.iloc[0] == "count"
    out = pd.DataFrame({"Practice code": practices.practice_code, "Practice": practices.practice_name,
                        "Count": practices.numerator.round(0)})
    if not counted:
        out["Denominator"] = practices.denominator.round(0)
    out["Value"] = practices.value.round(decimals)
    if not counted:
        out["95% lower"] = practices.lower_95.round(decimals)
        out["95% upper"] = practices.upper_95.round(decimals)
        for name, column in (("PCN", "vs_pcn"), ("ICB", "vs_icb"), ("England", "vs_england")):
            out[f"vs {name}"] = [judgement(c, p) if isinstance(c, str) else "not compared"
                                 for c, p in zip(practices[column], practices.polarity)]
    out["ODS"] = [practice_flag(c, g, k) for c, g, k in
                  zip(practices.closed, practices.not_gp_practice, practices.setting)]
    return out.reset_index(drop=True)


def practice_csv(practices: pd.DataFrame, table: pd.DataFrame, period: str) -> pd.DataFrame:
    """The practices table as its CSV: the year, the PCN and the indicator named on every row, with the PCN's,
    ICB's and England's values the sentences give."""
    if practices.empty:
        return table
    decimals = int(practices.decimals.iloc[0])
    return table.assign(**{"PCN code": practices.pcn_code.to_numpy(), "Year": period,
                           "Indicator": practices.label.to_numpy(),
                           "PCN value": practices.pcn_value.round(decimals).to_numpy(),
                           "ICB value": practices.icb_value.round(decimals).to_numpy(),
                           "England value": practices.england_value.round(decimals).to_numpy()})


def practice_sentences(practices: pd.DataFrame, pcn_name: str) -> list[str]:
    """Which of a PCN's practices drive the indicator, in words: those significantly above and below the PCN at
    95%, the counts hidden, and the practices ODS flags."""
    if practices.empty:
        return [f"No practice of {pcn_name} has data for this indicator this year."]
    label = str(practices.short_label.iloc[0])
    first, decimals = practices.iloc[0], practices.decimals.iloc[0]
    out = [f"{len(practices):,} practices of {pcn_name}. {label}: PCN {number(first.pcn_value, decimals)}, ICB "
           f"{number(first.icb_value, decimals)}, England {number(first.england_value, decimals)}."]
    if practices.kind.iloc[0] != "count":
        for side in ("higher", "lower"):
            names = practices[practices.vs_pcn == side].practice_name.astype(str).tolist()
            out.append(f"{len(names):,} significantly {side} than the PCN (95%)" + (f": {', '.join(names)}." if names else "."))
    hidden = int((practices.vs_pcn == "suppressed").sum())
    if hidden:
        out.append(f"{hidden:,} practice{'s' if hidden > 1 else ''} with the count suppressed (1-7, or hidden with "
                   "one so that the PCN's total minus the others gives no small count back).")
    flagged = practices[practices.closed.fillna(False).astype(bool) | practices.not_gp_practice.fillna(False).astype(bool)]
    if len(flagged):
        out.append(f"Flagged by ODS: {', '.join(flagged.practice_name.astype(str))} (closed or not a GP practice).")
    return out


def area_table(profile: pd.DataFrame) -> pd.DataFrame:
    """One area's profile (queries.area_profile) as its table: each indicator's count, value and 95% interval,
    its ICB's and England's values and how it compares (through the polarity), and the practices left out of
    its sums because their count is hidden."""
    from .stats import judgement

    rows = []
    for r in profile.itertuples():
        d = int(r.decimals)
        rows.append({
            "Indicator": r.short_label, "Count": number(r.numerator, 0, "–"), "Value": number(r.value, d, "–"),
            "95% interval": "–" if pd.isna(r.lower_95) else f"{number(r.lower_95, d)} to {number(r.upper_95, d)}",
            "ICB": number(r.icb_value, d, "–"), "England": number(r.england_value, d, "–"),
            "vs ICB": judgement(r.vs_icb, r.polarity) if r.kind != "count" else "–",
            "vs England": judgement(r.vs_england, r.polarity) if r.kind != "count" else "–",
            "Practices left out (count hidden)": int(r.left_out),
        })
    return pd.DataFrame(rows)


def area_sentences(profile: pd.DataFrame, area: str) -> list[str]:
    """An area in words: its practices and patients, its ICB(s), and where it differs from England."""
    if profile.empty:
        return [f"{area} has no practice with data this year."]
    first = profile.iloc[0]
    size = profile[profile.indicator == "list_size"]
    patients = f", {number(size.value.iloc[0], 0)} registered patients" if len(size) and pd.notna(size.value.iloc[0]) else ""
    icbs = str(first.icbs) if isinstance(first.icbs, str) else "no ICB"
    out = [f"{area}: {int(first.practices):,} practice{'s' if first.practices != 1 else ''}{patients}; compared with "
           f"ICB {first.icb_code} (most of its patients)" + (f"; it reaches ICBs {icbs}" if "," in icbs else "") + "."]
    for side in ("higher", "lower"):
        labels = profile[(profile.vs_england == side) & (profile.kind != "count")].short_label.astype(str).tolist()
        if labels:
            out.append(f"Significantly {side} than England (95%): {', '.join(labels)}.")
    left = int(profile.left_out.max()) if len(profile) else 0
    if left:
        out.append(f"Up to {left} practice{'s' if left > 1 else ''} left out of an indicator's sums: its count is "
                   "hidden (suppression), so the area's figure is of its other practices.")
    return out


def area_workforce_table(table: pd.DataFrame) -> pd.DataFrame:
    """areas.workforce as its table: numbers to one or two decimals, "not known" PCNs and split PCNs named."""
    if table.empty:
        return pd.DataFrame(columns=["Area"])
    return pd.DataFrame({
        "Area": table.area_name, "PCNs": table.pcns, "List size": table.list_size.round(0),
        "ARRS entitlement (WTE)": table.entitlement_wte.round(1), "Need-based WTE": table.need_wte.round(2),
        "MHP FTE in post": table.mhp_fte.round(2), "In post minus need": table.gap_to_need.round(2),
        "Split PCNs (share of list)": table.split.replace("", "none"),
        "PCNs with no return (MHPs not known)": table.not_known.replace("", "none")})
