"""What the pages show: read-only queries over the built database, parameters always bound, cached."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import streamlit as st

from . import stats, suppression
from .config import DEFAULT_DB, DEMO_ICB_PREFIX


def database_path() -> Path:
    """The database this session shows: the user's own when they have built one (Data page), else the
    default (the demo, or PHM_DB)."""
    return Path(st.session_state.get("_database", DEFAULT_DB))


def database_key(path: Path | str | None = None) -> str:
    """The database's path with the identity of the file there now (inode, modification time, size). Every
    cached view takes this key, so a rebuild (a new file swapped in at the same path, by an upload or the command
    line) is shown at once, never the figures cached for the file it replaced."""
    path = Path(path or database_path())
    stat = path.stat()
    return f"{path}#{stat.st_ino}-{stat.st_mtime_ns}-{stat.st_size}"


def _shown(frame: pd.DataFrame, suppress: bool, **secondary) -> pd.DataFrame:
    return suppression.protect(frame, **secondary) if suppress else frame


#: Open databases: path -> (file identity, connection), and connections to files since replaced (closed once
#: two newer builds have followed, by when no page can still be reading them).
_OPEN: dict[str, tuple[str, duckdb.DuckDBPyConnection]] = {}
_RETIRED: list[duckdb.DuckDBPyConnection] = []
_LOCK = threading.Lock()


def connection(db: str | Path) -> duckdb.DuckDBPyConnection:
    """A cursor on the database ``db`` (a key from database_key, or a path) as it is now. Each file identity
    gets a DuckDB instance of its own with the file attached read-only: ``duckdb.connect(path)`` would hand back
    an instance still open on the file a rebuild replaced."""
    path, _, identity = str(db).partition("#")
    identity = identity or database_key(path).partition("#")[2]
    with _LOCK:
        current = _OPEN.get(path)
        if current is None or current[0] != identity:
            con = duckdb.connect()
            con.execute("ATTACH ? AS profile (READ_ONLY)", [path])
            if current is not None:
                _RETIRED.append(current[1])
                while len(_RETIRED) > 2:
                    _RETIRED.pop(0).close()
            _OPEN[path] = current = (identity, con)
        cursor = current[1].cursor()
    cursor.execute("USE profile")
    return cursor


def query(sql: str, params: list | None = None, db: str | Path | None = None) -> pd.DataFrame:
    return connection(db or database_key()).execute(sql, params or []).df()


@st.cache_data(show_spinner=False)
def periods(db: str) -> list[str]:
    """The profile's years: those with QOF registers (a year with only registrations, such as the months after
    the latest QOF year, lends its population to the nearest QOF year instead)."""
    return query("SELECT DISTINCT period FROM pcn_profile WHERE indicator LIKE 'prev_%' ORDER BY period DESC",
                 db=db).period.tolist()


@st.cache_data(show_spinner=False)
def icbs(db: str, period: str) -> pd.DataFrame:
    return query("SELECT DISTINCT icb_code, icb_name FROM practice_pcn WHERE period = ? AND icb_code IS NOT NULL "
                 "ORDER BY icb_code", [period], db)


@st.cache_data(show_spinner=False)
def pcns(db: str, period: str, icb_code: str) -> pd.DataFrame:
    return query("SELECT pcn_code, any_value(pcn_name) AS pcn_name FROM practice_pcn JOIN pcn_icb USING (period, pcn_code) "
                 "WHERE period = ? AND pcn_icb.icb_code = ? "
                 "AND pcn_code IS NOT NULL GROUP BY pcn_code ORDER BY pcn_code", [period, icb_code], db)


@st.cache_data(show_spinner=False)
def pcn_profile(db: str, pcn_code: str, period: str, suppress: bool = True) -> pd.DataFrame:
    """The PCN's profile with indicator labels, in display order."""
    return _shown(query("""
        SELECT p.*, i.label, i.kind, i.unit, i.domain, i.sort_order, i.multiplier
        FROM pcn_profile p JOIN indicators i USING (indicator)
        WHERE p.pcn_code = ? AND p.period = ? ORDER BY i.sort_order, i.label""", [pcn_code, period], db),
        suppress)


FUNNEL_KINDS = ("proportion", "rate", "ratio")
FUNNEL_LINES = ("lower_2s", "upper_2s", "lower_3s", "upper_3s", "baseline")


@st.cache_data(show_spinner=False)
def indicator_across_pcns(db: str, icb_code: str, period: str, indicator: str, suppress: bool = True) -> pd.DataFrame:
    """One indicator for every PCN of an ICB (league table, funnel plot), with each PCN's funnel label
    against the ICB's pooled value."""
    frame = query("""
        SELECT p.pcn_code, p.pcn_name, p.numerator, p.denominator, p.value, p.lower_95, p.upper_95,
               p.icb_value, p.england_value, p.vs_icb, p.vs_england, i.label, i.kind, i.multiplier
        FROM pcn_profile p JOIN indicators i USING (indicator)
        WHERE p.icb_code = ? AND p.period = ? AND p.indicator = ? ORDER BY p.value DESC""",
                  [icb_code, period, indicator], db)
    ok = frame.numerator.notna() & frame.denominator.notna() & (frame.denominator > 0)
    if ok.any() and frame.kind.iloc[0] in FUNNEL_KINDS and frame.numerator[ok].sum() > 0:
        x, n = frame.numerator[ok], frame.denominator[ok]
        kind, multiplier = frame.kind.iloc[0], float(frame.multiplier.iloc[0])
        if kind == "proportion":
            frame.loc[ok, "funnel"] = stats.funnel_significance_proportion(x, n)
        elif kind == "rate":
            frame.loc[ok, "funnel"] = stats.funnel_significance_rate(x, n, multiplier * x / n, multiplier, "crude")
        else:
            frame.loc[ok, "funnel"] = stats.funnel_significance_ratio(x, n)
    return _shown(frame, suppress)


@st.cache_data(show_spinner=False)
def indicator_choices(db: str, period: str | None = None) -> pd.DataFrame:
    """Every indicator defined; given a period, only those with a value for some PCN in it (an indicator with no
    data that year, such as CVDPP after 2019-20, is not offered)."""
    if period is None:
        return query("SELECT indicator, label, kind FROM indicators ORDER BY sort_order, label", db=db)
    return query("""
        SELECT indicator, label, kind FROM indicators
        WHERE indicator IN (SELECT indicator FROM pcn_profile WHERE period = ? AND value IS NOT NULL)
        ORDER BY sort_order, label""", [period], db)


def indicator_labels(db: str) -> dict[str, str]:
    choices = indicator_choices(db)
    return dict(zip(choices.indicator, choices.label))


def overview_headline(table: pd.DataFrame) -> dict:
    """The ICB overview's headline figures from indicator_across_pcns: PCNs, the ICB's and England's value
    (None without PCNs) and how many PCNs are higher than England at 95%."""
    first = table.iloc[0] if len(table) else None
    return {"pcns": len(table), "icb_value": None if first is None else first.icb_value,
            "england_value": None if first is None else first.england_value,
            "higher": int((table.vs_england == "higher").sum()) if len(table) else 0}


@st.cache_data(show_spinner=False)
def sources(db: str) -> pd.DataFrame:
    return query("SELECT file_name, kind, period, row_count, warnings, loaded_at, checksum_sha256 FROM sources "
                 "ORDER BY kind, file_name", db=db)


@st.cache_data(show_spinner=False)
def build_warnings(db: str) -> pd.DataFrame:
    return query("SELECT severity, file, row, \"column\", message FROM build_issues ORDER BY file, row", db=db)


@st.cache_data(show_spinner=False)
def expected_rates(db: str) -> pd.DataFrame:
    """The expected-prevalence table the build used (the shipped APMS table or one loaded with the extracts),
    each rate said to be a published figure or an assumption."""
    return query("""
        SELECT condition, sex, age_from, age_to, 100 * expected_rate AS expected_percent,
               CASE published WHEN 'yes' THEN 'published' WHEN 'no' THEN 'assumption' ELSE 'supplied' END AS status,
               source, coalesce(source_file, 'data/expected_prevalence.csv (shipped)') AS file
        FROM expected_prevalence ORDER BY condition, sex DESC, age_from""", db=db)


@st.cache_data(show_spinner=False)
def is_demo(db: str) -> bool:
    """Synthetic demo data: every practice code starts with Z and every ICB with QZ."""
    return bool(query("SELECT count(*) > 0 AND bool_and(starts_with(icb_code, ?)) AS demo FROM practice_pcn "
                      "WHERE icb_code IS NOT NULL", [DEMO_ICB_PREFIX], db).demo.iloc[0])


@st.cache_data(show_spinner=False)
def funnel_limits(db: str, icb_code: str, period: str, indicator: str) -> pd.DataFrame:
    """The funnel's control lines around the ICB's pooled value, one row per point: ``line`` (lower_2s,
    upper_2s, lower_3s, upper_3s: 95% and 99.8% limits; baseline), ``x`` (patients, or expected cases for a
    ratio) and ``y`` (in the indicator's units). Proportions by Wilson-based limits, rates and
    recorded-vs-expected ratios by exact Poisson limits, as PHEindicatormethods."""
    frame = indicator_across_pcns(db, icb_code, period, indicator, suppress=False)
    frame = frame[frame.funnel.notna()] if "funnel" in frame else frame.iloc[:0]
    if frame.empty:
        return pd.DataFrame(columns=["line", "x", "y"])
    x, n = frame.numerator, frame.denominator
    kind, multiplier = frame.kind.iloc[0], float(frame.multiplier.iloc[0])
    if kind == "proportion":
        limits = stats.funnel_limits_proportion(x, n, multiplier)
        xs = {line: limits["population"] for line in FUNNEL_LINES}
    elif kind == "rate":
        limits = stats.funnel_limits_rate(x, denominator=n, multiplier=multiplier, rate_type="crude")
        xs = {line: limits[f"{line}_population_1_year"] for line in FUNNEL_LINES[:-1]}
    else:
        limits = stats.funnel_limits_ratio(x, n, "isr")
        xs = {line: limits[f"{line}_exp_events"] for line in FUNNEL_LINES[:-1]}
        limits["baseline"] = np.full(len(limits["observed_events"]), 100.0)
    if "baseline" not in xs:  # a flat line across the range the limits cover
        xs["baseline"] = np.geomspace(min(v.min() for v in xs.values()), max(v.max() for v in xs.values()),
                                      len(limits["baseline"]))
    return pd.concat([pd.DataFrame({"line": line, "x": xs[line], "y": limits[line]}) for line in FUNNEL_LINES],
                     ignore_index=True)


@st.cache_data(show_spinner=False)
def england_range(db: str, period: str, suppress: bool = True) -> pd.DataFrame:
    """Lowest and highest PCN value of each indicator in England (the spine chart's bar). With suppression on,
    over the PCNs whose counts are shown (a tiny PCN's extreme rate would give its suppressed count back) and to
    two decimals."""
    small = (f"AND NOT (numerator >= 1 AND numerator < {suppression.SMALLEST_SHOWN}) "
             f"AND NOT (kind = 'proportion' AND denominator - numerator >= 1 "
             f"AND denominator - numerator < {suppression.SMALLEST_SHOWN})" if suppress else "")
    frame = query(f"SELECT indicator, min(value) AS lo, max(value) AS hi FROM pcn_profile JOIN indicators "
                  f"USING (indicator) WHERE period = ? {small} GROUP BY indicator", [period], db)
    return frame.round({"lo": suppression.DECIMALS, "hi": suppression.DECIMALS}) if suppress else frame


#: The PCN profile's headline tiles, with labels short enough for a tile.
HEADLINE = {"list_size": "Registered patients", "prev_mh": "SMI prevalence (%)", "prev_dep": "Depression (%)",
            "prev_dem": "Dementia (%)", "prev_ld": "LD prevalence (%)", "imd_score": "IMD 2019 score"}


def headline(profile: pd.DataFrame, indicators: tuple[str, ...] = tuple(HEADLINE)) -> pd.DataFrame:
    """The headline indicators' rows, each with ``short`` (the tile's label), ``shown`` (the value as
    written on the tile), ``comparison`` (England's value and how the PCN compares at 95%; none for
    counts) and ``help`` (the full label with the ICB and England values)."""
    rows = profile.set_index("indicator").reindex(list(indicators)).dropna(subset=["value"]).reset_index()
    rows["short"] = rows.indicator.map(HEADLINE).fillna(rows.label)
    count = rows.kind == "count"

    def shown(value, is_count):
        return "not available" if pd.isna(value) else f"{value:,.0f}" if is_count else f"{value:,.2f}"

    rows["shown"] = [shown(v, c) for v, c in zip(rows.value, count)]
    rows["help"] = [f"{label}. ICB {shown(i, c)}; England {shown(e, c)}."
                    for label, i, e, c in zip(rows.label, rows.icb_value, rows.england_value, count)]
    rows["comparison"] = pd.Series([  # object: None stays None (a tile with no comparison), not "nan"
        None if pd.isna(e) or c  # England's list size says nothing about a PCN's
        else f"England {e:,.2f}: {vs}" if vs in ("higher", "lower", "similar") else f"England {e:,.2f}"
        for e, vs, c in zip(rows.england_value, rows.vs_england, count)
    ], index=rows.index, dtype=object)
    return rows


def summary_sentences(profile: pd.DataFrame) -> list[str]:
    """A plain-English summary built from the figures: where the PCN differs from England."""
    rows = profile.set_index("indicator")
    out = []
    if "list_size" in rows.index and pd.notna(rows.loc["list_size", "value"]):
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


@st.cache_data(show_spinner=False)
def pcn_map(db: str, icb_code: str, period: str, indicator: str, suppress: bool = True) -> tuple[dict, pd.DataFrame]:
    """PCN shapes of an ICB (LSOA polygons dissolved by the PCN most of their patients are registered with)
    as GeoJSON, and the indicator for each PCN. The latest boundaries up to ``period`` are used when that
    year has no practice-by-LSOA extract."""
    from . import geo

    con = connection(db)
    years = [r[0] for r in con.execute(
        "SELECT period FROM pcn_lsoa_assignment GROUP BY period ORDER BY period = ? DESC, period <= ? DESC, period DESC",
        [period, period]).fetchall()]
    frame = indicator_across_pcns(db, icb_code, period, indicator, suppress)
    if not years:
        return {"type": "FeatureCollection", "features": []}, frame
    shapes = geo.pcn_boundaries(con, years[0])
    shapes = shapes[shapes.pcn_code.isin(frame.pcn_code)]
    return json.loads(shapes.to_json()), frame


@st.cache_data(show_spinner=False)
def period_sources(db: str) -> pd.DataFrame:
    """For each year of the profile: which registrations extract gives its populations (and from which year),
    and how deprivation and the map's PCN areas were found."""
    return query("""
        WITH periods AS (SELECT DISTINCT period FROM pcn_profile WHERE indicator LIKE 'prev_%'),
        population AS (
            SELECT period, strftime(extract_date, '%d %b %Y') || CASE WHEN source_period <> period
                   THEN ' (nearest year, ' || source_period || ')' ELSE '' END AS extract_used
            FROM population_source WHERE dataset = 'patients_age_sex'
        ), deprivation AS (
            SELECT d.period, string_agg(DISTINCT d.method, ', ') AS method,
                   CASE WHEN bool_or(d.scored_patients > 0) THEN 'IMD score' WHEN bool_or(d.ranked_patients > 0)
                        THEN 'IMD rank (no scores in the file)' ELSE 'IMD decile only' END AS measure
            FROM practice_deprivation d GROUP BY d.period
        ), maps AS (SELECT period, any_value(method) AS method FROM pcn_lsoa_assignment GROUP BY period)
        SELECT p.period AS "Year", coalesce(pop.extract_used, 'none loaded') AS "Registrations by age and sex used",
               coalesce(d.method, 'none') AS "Deprivation by", coalesce(d.measure, '') AS "Deprivation measure",
               coalesce(m.method, 'no map') AS "Map areas by"
        FROM periods p LEFT JOIN population pop USING (period) LEFT JOIN deprivation d USING (period)
        LEFT JOIN maps m USING (period)
        ORDER BY 1 DESC""", db=db)


@st.cache_data(show_spinner=False)
def context_measures(db: str, icb_code: str, pcn_code: str | None, period: str, suppress: bool = True) -> pd.DataFrame:
    """Published service measures (MHSDS, NHS Talking Therapies) for the ICB and, given a PCN, the sub-ICB
    locations of its practices: the latest period of each measure, with England's value for the same period.
    Context only: the level is named in every row."""
    frame = query("""
        WITH areas AS (
            SELECT 'icb' AS level, ? AS org_code
            UNION SELECT DISTINCT 'sub_icb', unnest([sub_icb_ons_code, sub_icb_code]) FROM practice_pcn
            WHERE period = ? AND pcn_code = ?
        )
        SELECT CASE c.level WHEN 'icb' THEN 'ICB ' ELSE 'Sub-ICB location ' END || c.org_code AS "Level",
               c.source AS "Source", c.measure_name AS "Measure", c.unit AS "Unit",
               CASE WHEN c.period_end - c.period_start < 32 THEN strftime(c.period_start, '%b %Y')
                    ELSE strftime(c.period_start, '%b %Y') || ' to ' || strftime(c.period_end, '%b %Y') END AS "Period",
               c.value AS "Value", e.value AS "England"
        FROM context_measures c JOIN areas a USING (level, org_code)
        LEFT JOIN context_measures e ON e.level = 'england' AND e.source = c.source AND e.measure = c.measure
             AND e.period_start = c.period_start AND e.period_end = c.period_end AND e.breakdown IS NULL
        WHERE c.value IS NOT NULL AND c.breakdown IS NULL
        QUALIFY row_number() OVER (PARTITION BY c.source, c.level, c.org_code, c.measure
                                   ORDER BY c.period_end DESC, c.period_start DESC) = 1
        ORDER BY 1, 2, 3""", [icb_code, period, pcn_code], db)
    if suppress and not frame.empty:
        counts = frame["Unit"] == "count"
        for column in ("Value", "England"):
            frame.loc[counts, column] = suppression.round_count(frame.loc[counts, column])
    return frame


@st.cache_data(show_spinner=False)
def talking_therapies_by_deprivation(db: str, icb_code: str) -> pd.DataFrame:
    """NHS Talking Therapies recovery (%) by IMD decile of where patients live (1 = most deprived), for the ICB
    and England, in the latest year the ICB has: the publisher's percentages, as published."""
    return query("""
        WITH latest AS (
            SELECT max(period_end) AS period_end FROM context_measures
            WHERE breakdown = 'IMD decile' AND level = 'icb' AND org_code = ? AND measure = 'recovery percentage'
        )
        SELECT CASE level WHEN 'icb' THEN 'ICB ' || org_code ELSE 'England' END AS area, imd_decile, value AS recovery,
               strftime(period_start, '%b %Y') || ' to ' || strftime(c.period_end, '%b %Y') AS period
        FROM context_measures c JOIN latest USING (period_end)
        WHERE breakdown = 'IMD decile' AND measure = 'recovery percentage' AND value IS NOT NULL
          AND (level = 'england' OR (level = 'icb' AND org_code = ?))
        ORDER BY level DESC, imd_decile""", [icb_code, icb_code], db)


@st.cache_data(show_spinner=False)
def deprivation_method(db: str, period: str) -> str:
    """How the deprivation of ``period`` was found, in a sentence for under its chart."""
    rows = query("SELECT string_agg(DISTINCT method, ' and ') AS method, coalesce(bool_or(scored_patients > 0), false) AS scored "
                 "FROM practice_deprivation WHERE period = ?", [period], db)
    if rows.empty or rows.method[0] is None:
        return ""
    measure = "" if rows.scored[0] else " The IMD file loaded has ranks and deciles but no scores."
    if rows.method[0] == "practice location":
        return ("Approximate: no registrations by LSOA are loaded for this year, so each practice's patients are "
                "placed in the LSOA of the practice itself (from its location)." + measure)
    return "From where the practices' registered patients live (registrations by LSOA)." + measure


#: What each way of drawing PCN areas means, for the caption under a map.
MAP_METHODS = {
    "registered patients by LSOA": "Each LSOA is drawn in the PCN registering most of its patients.",
    "nearest practice": "No registrations by LSOA are loaded for this year: each LSOA is drawn in the PCN of the "
                        "practice nearest to it (from the practices' locations), an approximation of where the "
                        "PCN's patients live.",
}


@st.cache_data(show_spinner=False)
def map_method(db: str, period: str) -> str:
    """How the map's PCN areas were drawn for ``period`` (the latest year with areas up to it), or why there
    is no map."""
    rows = query("SELECT period, any_value(method) AS method FROM pcn_lsoa_assignment GROUP BY period "
                 "ORDER BY period = ? DESC, period <= ? DESC, period DESC LIMIT 1", [period, period], db)
    if rows.empty:
        return ("No map: it needs LSOA boundaries (GeoJSON or GeoParquet) with either registrations by LSOA "
                "(gp-reg-pat-prac-lsoa-all) or the practices' locations (practice code, latitude, longitude).")
    return MAP_METHODS[rows.method[0]]


@st.cache_data(show_spinner=False)
def age_pyramid(db: str, pcn_code: str, period: str, suppress: bool = True) -> pd.DataFrame:
    """Registered patients by sex and five-year age band, in age order."""
    return _shown(query("""
        SELECT sex, age_band, patients,
               CASE WHEN age_band LIKE '%+' THEN replace(age_band, '+', '')::INT
                    ELSE split_part(age_band, '_', 1)::INT END AS age_from
        FROM pcn_population WHERE pcn_code = ? AND period = ? AND sex IN ('MALE', 'FEMALE')
        ORDER BY age_from, sex""", [pcn_code, period], db), suppress, groups=["sex"], parts="patients")


@st.cache_data(show_spinner=False)
def imd_quintiles(db: str, pcn_code: str, icb_code: str, period: str, suppress: bool = True) -> pd.DataFrame:
    """Share of registered patients living in each national IMD quintile (1 = most deprived), for the PCN,
    its ICB and England."""
    frame = query("""
        SELECT level, q1_patients, q2_patients, q3_patients, q4_patients, q5_patients, patients
        FROM area_deprivation
        WHERE period = ? AND ((level = 'pcn' AND area_code = ?) OR (level = 'icb' AND area_code = ?)
                              OR level = 'england')""", [period, pcn_code, icb_code], db)
    rows = []
    for r in frame.itertuples():
        for q in range(1, 6):
            count = getattr(r, f"q{q}_patients")
            count = 0 if pd.isna(count) else count
            rows.append({"area": {"pcn": "PCN", "icb": "ICB", "england": "England"}[r.level], "quintile": q,
                         "patients": count, "share": 100 * count / r.patients if r.patients else None})
    shown = _shown(pd.DataFrame(rows, columns=["area", "quintile", "patients", "share"]), suppress,
                   groups=["area"], parts="patients")
    if suppress:  # shares of the area's total, both as rounded: an exact share would give a rounded count back
        totals = frame.set_index(frame.level.map({"pcn": "PCN", "icb": "ICB", "england": "England"})).patients
        rounded = pd.Series(suppression.round_count(totals.to_numpy()), index=totals.index)
        shown["share"] = (100 * shown.patients / shown.area.map(rounded)).round(suppression.DECIMALS)
    return shown


@st.cache_data(show_spinner=False)
def ltc_ranks(db: str, pcn_code: str, period: str, suppress: bool = True) -> pd.DataFrame:
    """Every QOF register of the PCN ranked by prevalence, mental-health registers flagged."""
    return _shown(query("""
        SELECT p.ltc_rank, r.register_name, p.group_code, r.mental_health, p.register, p.denominator,
               100 * p.prevalence AS prevalence, 100 * p.england_prevalence AS england_prevalence
        FROM pcn_prevalence p JOIN qof_registers r USING (group_code)
        WHERE p.pcn_code = ? AND p.period = ? ORDER BY p.ltc_rank, r.register_name""",
                  [pcn_code, period], db), suppress)


@st.cache_data(show_spinner=False)
def trends(db: str, pcn_code: str, indicators: tuple[str, ...], suppress: bool = True) -> pd.DataFrame:
    """The PCN's value, interval, ICB and England values of ``indicators`` in every period."""
    marks = ", ".join("?" for _ in indicators)
    return query(f"""
        SELECT p.period, p.indicator, i.label, i.kind, i.multiplier, p.numerator, p.denominator, p.value, p.lower_95,
               p.upper_95, p.icb_value, p.england_value
        FROM pcn_profile p JOIN indicators i USING (indicator)
        WHERE p.pcn_code = ? AND p.indicator IN ({marks}) ORDER BY i.sort_order, p.indicator, p.period""",
                 [pcn_code, *indicators], db).pipe(_shown, suppress)


@st.cache_data(show_spinner=False)
def two_indicators(db: str, icb_code: str, period: str, x: str, y: str, suppress: bool = True) -> pd.DataFrame:
    """Each PCN of the ICB with the values of two indicators (scatter); a value from a suppressed count is
    left out."""
    rows = query("""
        SELECT p.pcn_code, p.pcn_name, p.indicator, i.kind, p.numerator, p.denominator, p.value
        FROM pcn_profile p JOIN indicators i USING (indicator)
        WHERE p.icb_code = ? AND p.period = ? AND p.indicator IN (?, ?)""", [icb_code, period, x, y], db)
    rows = _shown(rows, suppress)
    pairs = rows[rows.indicator == x][["pcn_code", "pcn_name", "value"]].rename(columns={"value": "x"}).merge(
        rows[rows.indicator == y][["pcn_code", "value"]].rename(columns={"value": "y"}), on="pcn_code")
    return pairs.dropna(subset=["x", "y"]).sort_values("pcn_code").reset_index(drop=True)


def service_usage(profile: pd.DataFrame) -> pd.DataFrame:
    return profile[profile.domain == "Service usage"]


@st.cache_data(show_spinner=False)
def workforce_inputs(db: str, icb_code: str, period: str, suppress: bool = True) -> pd.DataFrame:
    """What the need model reads for every PCN of an ICB (workforce.NEED_INPUTS): registers, expected common
    mental disorders, service signals, under-18s (a 15-19 band counts three fifths) and deprivation. With
    suppression on, the counts as shown (1-7 hidden, others rounded to 5): a need worked from exact registers
    could give a suppressed one back under extreme assumptions."""
    return _shown(query("""
        WITH p AS (SELECT * FROM pcn_profile WHERE icb_code = ? AND period = ?),
        young AS (
            SELECT pcn_code, sum(CASE WHEN age_band = '15_19' THEN patients * 3 / 5 ELSE patients END) AS under_18
            FROM pcn_population WHERE period = ? AND age_band IN ('0_4', '5_9', '10_14', '15_19') GROUP BY pcn_code
        )
        SELECT p.pcn_code, any_value(p.pcn_name) AS pcn_name,
               max(numerator) FILTER (WHERE indicator = 'list_size') AS list_size,
               max(numerator) FILTER (WHERE indicator = 'prev_mh') AS smi_register,
               max(numerator) FILTER (WHERE indicator = 'prev_dep') AS depression_register,
               max(denominator) FILTER (WHERE indicator = 'cmd_recorded_vs_expected') AS expected_cmd,
               max(numerator) FILTER (WHERE indicator = 'svc_cmht_referrals_rejected') AS cmht_rejected,
               max(numerator) FILTER (WHERE indicator = 'svc_tt_wait_over_6_weeks') AS tt_long_waits,
               any_value(y.under_18) AS under_18,
               max(value) FILTER (WHERE indicator = 'imd_score') AS imd_score,
               max(england_value) FILTER (WHERE indicator = 'imd_score') AS england_imd_score
        FROM p LEFT JOIN young y USING (pcn_code)
        GROUP BY p.pcn_code ORDER BY p.pcn_code""", [icb_code, period, period], db), suppress)

