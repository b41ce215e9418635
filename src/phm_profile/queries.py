"""The query layer: what the pages, the command line and the exports read from a built database. Functions of a
DuckDB connection (database.connection) returning frames, parameters always bound, no Streamlit. With
small-number suppression on (the ``suppress`` flag every query of counts takes), a query runs on the released
relations only (release.py: the counts as released, every figure recomputed from them), never on the exact
tables (views.py caches these for the app; wording.py turns their frames into sentences)."""

from __future__ import annotations

import json

import duckdb
import numpy as np
import pandas as pd

from . import stats, suppression
from .release import releasable
from .config import DEMO_ICB_PREFIX


def _frame(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> pd.DataFrame:
    return con.execute(sql, params or []).df()


def _shown(frame: pd.DataFrame, suppress: bool, **secondary) -> pd.DataFrame:
    return suppression.protect(frame, **secondary) if suppress else frame


def periods(con: duckdb.DuckDBPyConnection) -> list[str]:
    """The profile's years: those with QOF registers (a year with only registrations, such as the months after
    the latest QOF year, lends its population to the nearest QOF year instead)."""
    return _frame(con, "SELECT DISTINCT period FROM pcn_profile WHERE indicator LIKE 'prev_%' ORDER BY period DESC").period.tolist()


def icbs(con: duckdb.DuckDBPyConnection, period: str) -> pd.DataFrame:
    return _frame(con, "SELECT DISTINCT icb_code, icb_name FROM practice_pcn WHERE period = ? AND icb_code IS NOT NULL "
                 "ORDER BY icb_code", [period])


def pcns(con: duckdb.DuckDBPyConnection, period: str, icb_code: str) -> pd.DataFrame:
    return _frame(con, "SELECT pcn_code, any_value(pcn_name) AS pcn_name FROM practice_pcn JOIN pcn_icb USING (period, pcn_code) "
                 "WHERE period = ? AND pcn_icb.icb_code = ? "
                 "AND pcn_code IS NOT NULL GROUP BY pcn_code ORDER BY pcn_code", [period, icb_code])


def find_areas(con: duckdb.DuckDBPyConnection, period: str, text: str, limit: int = 25) -> pd.DataFrame:
    """PCNs of ``period`` found by ``text``: in a PCN's name or equal to its code, in a member practice's name or
    equal to its code, or a postcode district (the part before the space) or full postcode of a member practice
    (from the ODS practice list, where one is loaded). One row per PCN and way found: pcn_code, pcn_name,
    icb_code, found_by. Fewer than two characters find nothing."""
    text = " ".join(str(text).upper().split())
    if len(text) < 2:
        return pd.DataFrame(columns=["pcn_code", "pcn_name", "icb_code", "found_by"])
    return _frame(con, """
        WITH members AS (
            SELECT m.pcn_code, m.pcn_name, i.icb_code, m.practice_code, m.practice_name
            FROM practice_pcn m JOIN pcn_icb i USING (period, pcn_code)
            WHERE m.period = ? AND m.pcn_code IS NOT NULL
        ), found AS (
            SELECT DISTINCT pcn_code, pcn_name, icb_code, 'PCN' AS found_by, 0 AS rank FROM members
            WHERE upper(pcn_code) = ? OR contains(upper(pcn_name), ?)
            UNION
            SELECT pcn_code, pcn_name, icb_code, 'practice ' || practice_code || coalesce(' ' || practice_name, ''), 1
            FROM members WHERE upper(practice_code) = ? OR contains(upper(practice_name), ?)
            UNION
            SELECT m.pcn_code, m.pcn_name, m.icb_code, 'postcode ' || upper(o.postcode) || ' (practice '
                   || m.practice_code || ')', 2
            FROM members m JOIN practices o USING (practice_code)
            WHERE split_part(upper(trim(o.postcode)), ' ', 1) = ?
               OR replace(upper(o.postcode), ' ', '') = replace(?, ' ', '')
        )
        SELECT pcn_code, any_value(pcn_name) AS pcn_name, any_value(icb_code) AS icb_code,
               string_agg(found_by, '; ' ORDER BY rank, found_by) AS found_by
        FROM found GROUP BY pcn_code ORDER BY min(rank), any_value(pcn_name) LIMIT ?""",
                  [period, text, text, text, text, text, text, limit])


@releasable
def pcn_profile(con: duckdb.DuckDBPyConnection, pcn_code: str, period: str, suppress: bool) -> pd.DataFrame:
    """The PCN's profile with indicator labels, in display order."""
    return _shown(_frame(con, """
        SELECT p.*, i.label, i.short_label, i.kind, i.unit, i.domain, i.sort_order, i.multiplier, i.decimals, i.polarity
        FROM pcn_profile p JOIN indicators i USING (indicator)
        WHERE p.pcn_code = ? AND p.period = ? ORDER BY i.sort_order""", [pcn_code, period]).pipe(
        _index_named, con, period), suppress)


def _index_named(frame: pd.DataFrame, con: duckdb.DuckDBPyConnection, period: str) -> pd.DataFrame:
    """The deprivation indicators' labels with the index their year uses ("IMD 2025 score, population-weighted"):
    data/indicators.csv writes "IMD", whichever edition."""
    rows = frame.indicator.isin(DEPRIVATION_INDICATORS)
    if rows.any():
        name = deprivation_index(con, period)
        for column in ("label", "short_label"):
            frame.loc[rows, column] = frame.loc[rows, column].str.replace("IMD", name, n=1, regex=False)
    return frame


def _funnel_labelled(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` (one indicator, one row per area: PCN, practice or your own area) with each area's ``funnel``
    label against the areas with counts pooled (stats.funnel_significance); unchanged for a kind with no funnel."""
    ok = frame.numerator.notna() & frame.denominator.notna() & (frame.denominator > 0)
    if ok.any() and frame.kind.iloc[0] in stats.FUNNEL_KINDS and frame.numerator[ok].sum() > 0:
        frame.loc[ok, "funnel"] = stats.funnel_significance(frame.kind.iloc[0], frame.numerator[ok],
                                                            frame.denominator[ok], float(frame.multiplier.iloc[0]))
    return frame


def _funnel_lines(frame: pd.DataFrame, rounded: bool) -> pd.DataFrame:
    """The control lines of a funnel around the labelled areas of ``frame`` pooled (_funnel_labelled), one row per
    point (line, x, y); to two decimals when ``rounded`` (suppression on); none without a labelled area."""
    frame = frame[frame.funnel.notna()] if "funnel" in frame else frame.iloc[:0]
    if frame.empty:
        return pd.DataFrame(columns=["line", "x", "y"])
    lines = stats.funnel_lines(frame.kind.iloc[0], frame.numerator, frame.denominator, float(frame.multiplier.iloc[0]))
    out = pd.concat([pd.DataFrame({"line": line, "x": x, "y": y}) for line, (x, y) in lines.items()],
                    ignore_index=True)
    return out.round({"x": suppression.DECIMALS, "y": suppression.DECIMALS}) if rounded else out


@releasable
def indicator_across_pcns(con: duckdb.DuckDBPyConnection, icb_code: str, period: str, indicator: str, suppress: bool,
                          pcn_codes: tuple[str, ...] | None = None) -> pd.DataFrame:
    """One indicator for every PCN of an ICB (league table, funnel plot), with each PCN's funnel label
    against the ICB's pooled value. Given ``pcn_codes`` (a PCN and its similar PCNs), those PCNs instead, wherever
    they are: ``icb_value`` then holds the group's pooled value and ``vs_icb`` each PCN's comparison with it, so
    the league and funnel draw the group as they draw the ICB."""
    where, params = ("p.pcn_code IN (SELECT unnest(?))", [list(pcn_codes)]) if pcn_codes else ("p.icb_code = ?", [icb_code])
    frame = _frame(con, f"""
        SELECT p.pcn_code, p.pcn_name, p.indicator, p.numerator, p.denominator, p.value, p.lower_95, p.upper_95,
               p.icb_value, p.england_value, p.vs_icb, p.vs_england, i.label, i.short_label, i.kind, i.unit,
               i.multiplier, i.decimals, i.polarity, i.denominator_definition
        FROM pcn_profile p JOIN indicators i USING (indicator)
        WHERE {where} AND p.period = ? AND p.indicator = ? ORDER BY p.value DESC, p.pcn_code""", [*params, period, indicator]
                   ).pipe(_index_named, con, period)
    ok = frame.numerator.notna() & frame.denominator.notna() & (frame.denominator > 0)
    if pcn_codes and len(frame):
        pooled = _pooled(frame[ok], suppress)
        frame["icb_value"] = pooled
        frame["vs_icb"] = stats.compare(frame.lower_95, frame.upper_95, np.full(len(frame), pooled))
    return _shown(_funnel_labelled(frame), suppress)


@releasable
def practices_in_pcn(con: duckdb.DuckDBPyConnection, pcn_code: str, period: str, indicator: str,
                     suppress: bool) -> pd.DataFrame:
    """One indicator for each practice of a PCN (marts/practice_profile): its value, interval, count and list,
    against its PCN, ICB and England, with its funnel label against the PCN's practices pooled, highest value
    first. With suppression on, from the released relation: a practice's count of 1-7 hidden, and the next
    smallest with it where the PCN's total would give it back (release.released_practices)."""
    frame = _frame(con, """
        SELECT x.practice_code, x.practice_name, x.pcn_code, x.indicator, x.numerator, x.denominator, x.value,
               x.lower_95, x.upper_95, x.pcn_value, x.icb_value, x.england_value, x.vs_pcn, x.vs_icb, x.vs_england,
               x.closed, x.not_gp_practice, x.setting, i.label, i.short_label, i.kind, i.unit, i.multiplier,
               i.decimals, i.polarity, i.denominator_definition
        FROM practice_profile x JOIN indicators i USING (indicator)
        WHERE x.pcn_code = ? AND x.period = ? AND x.indicator = ?
        ORDER BY x.value DESC NULLS LAST, x.practice_code""", [pcn_code, period, indicator]).pipe(_index_named, con, period)
    return _funnel_labelled(frame)


@releasable
def practice_funnel_limits(con: duckdb.DuckDBPyConnection, pcn_code: str, period: str, indicator: str,
                           suppress: bool) -> pd.DataFrame:
    """The funnel's control lines for a PCN's practices (as funnel_limits for an ICB's PCNs) around their pooled
    value: from the released counts with suppression on (a hidden practice left out), to two decimals."""
    return _funnel_lines(practices_in_pcn(con, pcn_code, period, indicator, suppress), suppress)


def area_sets(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """The area sets shipped with the data (areas/*.csv): set_name, area_name, code, kind, in the file's order."""
    if not con.execute("SELECT count(*) FROM information_schema.tables WHERE table_name = 'area_sets'").fetchone()[0]:
        return pd.DataFrame(columns=["set_name", "area_name", "code", "kind"])
    return _frame(con, "SELECT set_name, area_name, code, kind FROM area_sets")


def area_codes(con: duckdb.DuckDBPyConnection) -> tuple[set[str], set[str]]:
    """The practice and PCN codes of the loaded mappings (any year): what an area file's codes are checked against."""
    practices = {r[0] for r in con.execute("SELECT DISTINCT practice_code FROM practice_pcn").fetchall()}
    pcns = {r[0] for r in con.execute("SELECT DISTINCT pcn_code FROM practice_pcn WHERE pcn_code IS NOT NULL").fetchall()}
    return practices, pcns


_AREA_PRACTICES = """
    WITH members AS (SELECT unnest(?::VARCHAR[]) AS area_name, unnest(?::VARCHAR[]) AS code),
    inside AS (  -- a PCN's code stands for its practices of the year
        SELECT DISTINCT m.area_name, p.practice_code
        FROM members m JOIN practice_pcn p ON p.period = ? AND (p.practice_code = m.code OR p.pcn_code = m.code)
    )"""


def _pairs(areas) -> list[list[str]]:
    names, codes = zip(*areas) if areas else ((), ())
    return [list(names), list(codes)]


@releasable
def area_members(con: duckdb.DuckDBPyConnection, areas: tuple[tuple[str, str], ...], period: str,
                 suppress: bool) -> pd.DataFrame:
    """The practices of each area in ``period`` (``areas``: (area_name, code) pairs, a PCN's code standing for
    its practices): code, name, PCN, ICB and list size (released with suppression on)."""
    return _frame(con, _AREA_PRACTICES + """
        SELECT a.area_name, x.practice_code, x.practice_name, x.pcn_code, x.icb_code, x.numerator AS list_size
        FROM inside a JOIN practice_profile x ON x.practice_code = a.practice_code AND x.period = ?
             AND x.indicator = 'list_size'
        ORDER BY a.area_name, x.pcn_code, x.practice_code""", [*_pairs(areas), period, period])


@releasable
def area_profile(con: duckdb.DuckDBPyConnection, areas: tuple[tuple[str, str], ...], period: str,
                 suppress: bool) -> pd.DataFrame:
    """Every indicator with practice data for each area (``areas``: (area_name, code) pairs, bound as
    parameters), summed from its practices' counts (practice_profile, as a PCN's practices): value and 95% and
    99.8% intervals from the sums (Wilson for a proportion), compared with the area's ICB (the ICB of most of
    its patients; ``icbs`` names every ICB it reaches) and England. With suppression on, from the released
    practice counts: a practice whose count is hidden is left out of the area's sums (``left_out`` counts them),
    so every area figure is a sum of released numbers."""
    rows = _frame(con, _AREA_PRACTICES + """
        SELECT a.area_name, x.practice_code, x.icb_code, x.indicator, x.numerator, x.denominator
        FROM inside a JOIN practice_profile x ON x.practice_code = a.practice_code AND x.period = ?""",
                  [*_pairs(areas), period, period])
    indicators = _frame(con, "SELECT indicator, label, short_label, domain, kind, unit, multiplier, decimals, "
                             "polarity, denominator_definition, sort_order FROM indicators")
    rows = rows.merge(indicators[["indicator", "kind"]], on="indicator")
    shown = rows.numerator.notna() & (rows.denominator.notna() | (rows.kind == "count"))
    rows = rows.assign(x=rows.numerator.where(shown), n=rows.denominator.where(shown), left_out=~shown)
    out = rows.groupby(["area_name", "indicator"], sort=False).agg(
        numerator=("x", "sum"), denominator=("n", "sum"), practices=("practice_code", "nunique"),
        left_out=("left_out", "sum"), counted=("x", "count")).reset_index()
    out.loc[out.counted == 0, ["numerator", "denominator"]] = np.nan
    lists = rows[(rows.indicator == "list_size") & shown].groupby(["area_name", "icb_code"]).x.sum().reset_index()
    main = lists.sort_values(["area_name", "x", "icb_code"], ascending=[True, False, True]).drop_duplicates("area_name")
    reach = lists.groupby("area_name").icb_code.agg(lambda c: ", ".join(sorted(c))).rename("icbs")
    out = (out.merge(main[["area_name", "icb_code"]], on="area_name", how="left")
              .merge(reach.reset_index(), on="area_name", how="left")
              .merge(indicators, on="indicator"))
    benchmarks = _frame(con, """
        SELECT DISTINCT p.icb_code, p.indicator, p.icb_value, p.england_value FROM pcn_profile p
        WHERE p.period = ?""", [period])
    out = out.merge(benchmarks, on=["icb_code", "indicator"], how="left")
    england = benchmarks.drop_duplicates("indicator").set_index("indicator").england_value
    out["england_value"] = out.indicator.map(england)
    for column in ("value", "lower_95", "upper_95", "lower_998", "upper_998"):
        out[column] = np.nan
    out["denominator"] = out.denominator.where(out.kind != "count")
    out.loc[out.kind == "count", "value"] = out.numerator
    suppression.values_from_counts(out)
    for column, benchmark in (("vs_icb", "icb_value"), ("vs_england", "england_value")):
        out[column] = np.where(out.kind == "count", "not compared",
                               stats.compare(out.lower_95, out.upper_95, out[benchmark]))
    if suppress:
        columns = ["value", "lower_95", "upper_95", "lower_998", "upper_998", "icb_value", "england_value"]
        out[columns] = out[columns].round(suppression.DECIMALS)
    return out.sort_values(["area_name", "sort_order"]).drop(columns=["counted"]).reset_index(drop=True)


def practice_indicator_choices(con: duckdb.DuckDBPyConnection, period: str) -> pd.DataFrame:
    """The indicators with practice data in ``period`` (lists and registers), in the profile's order."""
    return _frame(con, """
        SELECT indicator, label, kind FROM indicators
        WHERE indicator IN (SELECT DISTINCT indicator FROM practice_profile WHERE period = ? AND value IS NOT NULL)
        ORDER BY sort_order""", [period])


def _pooled(frame: pd.DataFrame, suppress: bool) -> float:
    """A group's value: its counts summed (a proportion, rate or ratio of the sums, never a mean of rates); with
    suppression on, the frame's counts are the released ones (release.pooled: an area with a suppressed count is
    left out of both sums) and the value is given to two decimals."""
    if frame.empty or frame.kind.iloc[0] not in stats.FUNNEL_KINDS:
        return np.nan
    from .release import pooled

    value, _ = pooled(frame.numerator, frame.denominator, float(frame.multiplier.iloc[0]))
    return round(value, suppression.DECIMALS) if suppress and np.isfinite(value) else value


def indicator_choices(con: duckdb.DuckDBPyConnection, period: str | None = None) -> pd.DataFrame:
    """Every indicator defined; given a period, only those with a value for some PCN in it (an indicator with no
    data that year, such as CVDPP after 2019-20, is not offered)."""
    if period is None:
        return _frame(con, "SELECT indicator, label, kind FROM indicators ORDER BY sort_order")
    return _frame(con, """
        SELECT indicator, label, kind FROM indicators
        WHERE indicator IN (SELECT indicator FROM pcn_profile WHERE period = ? AND value IS NOT NULL)
        ORDER BY sort_order""", [period])


def indicator_definitions(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Every indicator's definition (data/indicators.csv as the build seeded it), in display order."""
    return _frame(con, """
        SELECT indicator, label, domain, kind, unit, polarity, numerator_definition, denominator_definition, method,
               source
        FROM indicators ORDER BY sort_order""")


def indicator_labels(con: duckdb.DuckDBPyConnection, short: bool = False) -> dict[str, str]:
    """Each indicator's label (``short``: its short label, for an axis or a tile)."""
    column = "short_label" if short else "label"
    return dict(con.execute(f"SELECT indicator, {column} FROM indicators").fetchall())


@releasable
def sources(con: duckdb.DuckDBPyConnection, suppress: bool) -> pd.DataFrame:
    """The files loaded: with suppression on, their rows counted as released (a file of records counts them)."""
    return _frame(con, "SELECT file_name, kind, period, row_count, warnings, loaded_at, checksum_sha256 FROM sources "
                 "ORDER BY kind, file_name")


def build_warnings(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    return _frame(con, "SELECT severity, file, row, \"column\", message FROM build_issues ORDER BY file, row")


def expected_rates(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """The expected-prevalence table the build used (the shipped APMS table or one loaded with the extracts),
    each rate said to be a published figure or an assumption."""
    return _frame(con, """
        SELECT condition, sex, age_from, age_to, 100 * expected_rate AS expected_percent,
               CASE published WHEN 'yes' THEN 'published' WHEN 'no' THEN 'assumption' ELSE 'supplied' END AS status,
               source, coalesce(source_file, 'data/expected_prevalence.csv (shipped)') AS file
        FROM expected_prevalence ORDER BY condition, sex DESC, age_from""")


def is_demo(con: duckdb.DuckDBPyConnection) -> bool:
    """Synthetic demo data: every practice code starts with Z and every ICB with QZ."""
    return bool(_frame(con, "SELECT count(*) > 0 AND bool_and(starts_with(icb_code, ?)) AS demo FROM practice_pcn "
                      "WHERE icb_code IS NOT NULL", [DEMO_ICB_PREFIX]).demo.iloc[0])


@releasable
def funnel_limits(con: duckdb.DuckDBPyConnection, icb_code: str, period: str, indicator: str, suppress: bool,
                  pcn_codes: tuple[str, ...] | None = None) -> pd.DataFrame:
    """The funnel's control lines around the ICB's pooled value, one row per point: ``line`` (lower_2s,
    upper_2s, lower_3s, upper_3s: 95% and 99.8% limits; baseline), ``x`` (patients, or expected cases for a
    ratio) and ``y`` (in the indicator's units). Proportions by Wilson-based limits, rates and
    recorded-vs-expected ratios by exact Poisson limits, as PHEindicatormethods. With suppression on, around the
    value pooled from the released counts (the areas with a suppressed count left out) and to two decimals."""
    return _funnel_lines(indicator_across_pcns(con, icb_code, period, indicator, suppress, pcn_codes=pcn_codes),
                         suppress)


@releasable
def england_range(con: duckdb.DuckDBPyConnection, period: str, suppress: bool) -> pd.DataFrame:
    """Lowest, 25th percentile, 75th percentile and highest PCN value of each indicator in England (the spine
    chart's bars and value table). With suppression on, over the PCNs whose counts are shown (a tiny PCN's extreme
    rate would give its suppressed count back) and to two decimals."""
    small = (f"AND NOT (numerator >= 1 AND numerator < {suppression.SMALLEST_SHOWN}) "
             f"AND NOT (kind = 'proportion' AND denominator - numerator >= 1 "
             f"AND denominator - numerator < {suppression.SMALLEST_SHOWN})" if suppress else "")
    frame = _frame(con, f"""
        SELECT indicator, min(value) AS lo, quantile_cont(value, 0.25) AS q25, quantile_cont(value, 0.75) AS q75,
               max(value) AS hi
        FROM pcn_profile JOIN indicators USING (indicator) WHERE period = ? {small} GROUP BY indicator""", [period])
    return frame.round(dict.fromkeys(("lo", "q25", "q75", "hi"), suppression.DECIMALS)) if suppress else frame


@releasable
def pcn_map(con: duckdb.DuckDBPyConnection, icb_code: str, period: str, indicator: str, suppress: bool) -> tuple[dict, pd.DataFrame]:
    """PCN shapes of an ICB (LSOA polygons dissolved by the PCN most of their patients are registered with)
    as GeoJSON, and the indicator for each PCN. The latest boundaries up to ``period`` are used when that
    year has no practice-by-LSOA extract."""
    from . import geo  # geopandas: imported only where a map is drawn

    years = [r[0] for r in con.execute(
        "SELECT period FROM pcn_lsoa_assignment GROUP BY period ORDER BY period = ? DESC, period <= ? DESC, period DESC",
        [period, period]).fetchall()]
    frame = indicator_across_pcns(con, icb_code, period, indicator, suppress)
    if not years:
        return {"type": "FeatureCollection", "features": []}, frame
    shapes = geo.pcn_boundaries(con, years[0])
    shapes = shapes[shapes.pcn_code.isin(frame.pcn_code)]
    return json.loads(shapes.to_json()), frame


@releasable
def area_trends(con: duckdb.DuckDBPyConnection, areas: tuple[tuple[str, str], ...], indicators: tuple[str, ...],
                suppress: bool) -> pd.DataFrame:
    """Each area's value, interval, ICB and England values of ``indicators`` in every year of the profile (as
    ``trends`` gives a PCN's), summed from its practices of each year (a PCN's code stands for its practices of
    that year), with the year a series breaks (``trend_break``)."""
    breaks = _frame(con, "SELECT indicator, trend_break FROM indicators")
    parts = [area_profile(con, areas, period, suppress).assign(period=period) for period in reversed(periods(con))]
    frame = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=["indicator", "period"])
    frame = frame[frame.indicator.isin(indicators)].merge(breaks, on="indicator", how="left")
    return frame.sort_values(["area_name", "sort_order" if "sort_order" in frame else "indicator", "period"])


def area_funnel(rows: pd.DataFrame, released: bool) -> tuple[pd.DataFrame, pd.DataFrame]:
    """One indicator's rows of area_profile with each area's funnel label, and the funnel's control lines, around
    the areas' pooled value (as funnel_limits for an ICB's PCNs; to two decimals when the rows are ``released``);
    none for a count or without counts."""
    rows = _funnel_labelled(rows[rows.numerator.notna() & rows.denominator.notna() & (rows.denominator > 0)].copy())
    return rows, _funnel_lines(rows, released)


@releasable
def area_map(con: duckdb.DuckDBPyConnection, areas: tuple[tuple[str, str], ...], period: str, indicator: str,
             suppress: bool) -> tuple[dict, pd.DataFrame]:
    """Your own areas' shapes (geo.area_boundaries: the LSOAs whose patients are mostly registered with an area's
    practices) as GeoJSON, and the indicator for each area (area_profile), keyed A1, A2 ... in the set's order
    as the PCN map is by PCN code (pcn_name holds the area's name). The latest boundaries up to ``period`` when that year has no practice-by-LSOA extract."""
    from . import geo

    frame = area_profile(con, areas, period, suppress)
    from .areas import keys as area_keys

    keys = area_keys(name for name, _ in areas)  # the map's hover writes the key as it is; the name is escaped
    frame = frame[frame.indicator == indicator].assign(pcn_code=lambda f: f.area_name.map(keys),
                                                       pcn_name=lambda f: f.area_name)
    years = [r[0] for r in con.execute(
        "SELECT period FROM pcn_lsoa_assignment GROUP BY period ORDER BY period = ? DESC, period <= ? DESC, period DESC",
        [period, period]).fetchall()]
    if not years:
        return {"type": "FeatureCollection", "features": []}, frame
    members = area_members(con, areas, years[0], suppress)
    shapes = geo.area_boundaries(con, years[0], list(zip(members.area_name.map(keys), members.practice_code)))
    return json.loads(shapes.to_json()), frame


def period_sources(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """For each year of the profile: which registrations extract gives its populations (and from which year),
    and how deprivation and the map's PCN areas were found."""
    return _frame(con, """
        WITH periods AS (SELECT DISTINCT period FROM pcn_profile WHERE indicator LIKE 'prev_%'),
        population AS (
            SELECT period, strftime(extract_date, '%d %b %Y') || CASE WHEN source_period <> period
                   THEN ' (nearest year, ' || source_period || ')' ELSE '' END AS extract_used
            FROM population_source WHERE dataset = 'patients_age_sex'
        ), deprivation AS (
            SELECT d.period, string_agg(DISTINCT d.method, ', ') AS method,
                   'IMD ' || max(d.edition) || CASE WHEN bool_or(d.scored) THEN ' score' WHEN bool_or(d.ranked)
                        THEN ' rank (no scores in the file)' ELSE ' decile only' END
                   || ' (' || any_value(d.rule) || ')' AS measure
            FROM deprivation_methods d GROUP BY d.period
        ), maps AS (SELECT period, any_value(method) AS method FROM pcn_lsoa_assignment GROUP BY period)
        SELECT p.period AS "Year", coalesce(pop.extract_used, 'none loaded') AS "Registrations by age and sex used",
               coalesce(d.method, 'none') AS "Deprivation by", coalesce(d.measure, '') AS "Deprivation measure",
               coalesce(m.method, 'no map') AS "Map areas by"
        FROM periods p LEFT JOIN population pop USING (period) LEFT JOIN deprivation d USING (period)
        LEFT JOIN maps m USING (period)
        ORDER BY 1 DESC""")


@releasable
def context_measures(con: duckdb.DuckDBPyConnection, icb_code: str, pcn_code: str | None, period: str, suppress: bool) -> pd.DataFrame:
    """Published service measures (MHSDS, NHS Talking Therapies) for the ICB and, given a PCN, the sub-ICB
    locations of its practices: the latest period of each measure, with England's value for the same period.
    Context only: the level is named in every row."""
    frame = _frame(con, """
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
        ORDER BY 1, 2, 3""", [icb_code, period, pcn_code])
    return frame  # with suppression on, the released view's counts (1-7 hidden, others rounded to 5)


def talking_therapies_by_deprivation(con: duckdb.DuckDBPyConnection, icb_code: str) -> pd.DataFrame:
    """NHS Talking Therapies recovery (%) by IMD decile of where patients live (1 = most deprived), for the ICB
    and England, in the latest year the ICB has: the publisher's percentages, as published."""
    return _frame(con, """
        WITH latest AS (
            SELECT max(period_end) AS period_end FROM context_measures
            WHERE breakdown = 'IMD decile' AND level = 'icb' AND org_code = ? AND measure = 'recovery percentage'
        )
        SELECT CASE level WHEN 'icb' THEN 'ICB ' || org_code ELSE 'England' END AS area, imd_decile, value AS recovery,
               strftime(period_start, '%b %Y') || ' to ' || strftime(c.period_end, '%b %Y') AS period
        FROM context_measures c JOIN latest USING (period_end)
        WHERE breakdown = 'IMD decile' AND measure = 'recovery percentage' AND value IS NOT NULL
          AND (level = 'england' OR (level = 'icb' AND org_code = ?))
        ORDER BY level DESC, imd_decile""", [icb_code, icb_code])


def deprivation_method(con: duckdb.DuckDBPyConnection, period: str) -> tuple[str | None, bool, str | None]:
    """How the deprivation of ``period`` was found (marts/deprivation_methods.sql, or None), whether the index
    file had scores, and the index used ("IMD 2025"; wording.deprivation_caption says it in a sentence)."""
    method, scored = con.execute(
        "SELECT string_agg(DISTINCT method, ' and '), coalesce(bool_or(scored), false) "
        "FROM deprivation_methods WHERE period = ?", [period]).fetchall()[0]
    return method, bool(scored), None if method is None else deprivation_index(con, period)


def deprivation_index(con: duckdb.DuckDBPyConnection, period: str) -> str:
    """The index of deprivation ``period`` uses ("IMD 2019", "IMD 2025": sql/intermediate/deprivation_edition.sql),
    or "IMD" when the year has none, for titles and captions."""
    rows = con.execute("SELECT edition FROM deprivation_edition WHERE period = ?", [period]).fetchall()
    return f"IMD {rows[0][0]}" if rows else "IMD"


#: The deprivation indicators: their values are of one edition of the index; a trend or comparison across years
#: keeps only the years of the edition the latest year uses (scores of two editions are never mixed).
DEPRIVATION_INDICATORS = ("imd_score", "imd_rank", "imd_q1_share")
ONE_EDITION = f"""(p.indicator NOT IN {DEPRIVATION_INDICATORS} OR (SELECT edition FROM deprivation_edition e
                    WHERE e.period = p.period) IS NOT DISTINCT FROM (SELECT edition FROM deprivation_edition e
                    WHERE e.period = {{latest}}))"""


def map_method(con: duckdb.DuckDBPyConnection, period: str) -> str | None:
    """How the map's PCN areas were drawn for ``period`` (the latest year with areas up to it), or None without a
    map (wording.map_caption says it in a sentence)."""
    rows = con.execute("SELECT any_value(method) FROM pcn_lsoa_assignment GROUP BY period "
                       "ORDER BY period = ? DESC, period <= ? DESC, period DESC LIMIT 1", [period, period]).fetchall()
    return rows[0][0] if rows else None


@releasable
def age_pyramid(con: duckdb.DuckDBPyConnection, pcn_code: str, period: str, suppress: bool) -> pd.DataFrame:
    """Registered patients by sex and five-year age band, in age order."""
    return _shown(_frame(con, """
        SELECT sex, age_band, patients, age_from FROM pcn_population WHERE pcn_code = ? AND period = ? AND sex IN ('MALE', 'FEMALE')
        ORDER BY age_from, sex""", [pcn_code, period]), suppress, groups=["sex"], parts="patients")


@releasable
def imd_quintiles(con: duckdb.DuckDBPyConnection, pcn_code: str, icb_code: str, period: str, suppress: bool) -> pd.DataFrame:
    """Share of registered patients living in each national IMD quintile (1 = most deprived), for the PCN,
    its ICB and England."""
    frame = _frame(con, """
        SELECT level, q1_patients, q2_patients, q3_patients, q4_patients, q5_patients, patients
        FROM area_deprivation
        WHERE period = ? AND ((level = 'pcn' AND area_code = ?) OR (level = 'icb' AND area_code = ?)
                              OR level = 'england')""", [period, pcn_code, icb_code])
    rows = []
    for r in frame.itertuples():
        for q in range(1, 6):
            count = getattr(r, f"q{q}_patients")
            if pd.isna(count) and not suppress:
                count = 0  # exact: no patient in that quintile; released: suppressed, and said so
            rows.append({"area": {"pcn": "PCN", "icb": "ICB", "england": "England"}[r.level], "quintile": q,
                         "patients": count,
                         "share": 100 * count / r.patients if r.patients and pd.notna(count) else None})
    shown = pd.DataFrame(rows, columns=["area", "quintile", "patients", "share"])
    if suppress:  # shares of the released counts: to two decimals
        shown["share"] = pd.to_numeric(shown.share, errors="coerce").round(suppression.DECIMALS)
    return shown


@releasable
def ltc_ranks(con: duckdb.DuckDBPyConnection, pcn_code: str, period: str, suppress: bool) -> pd.DataFrame:
    """Every QOF register of the PCN ranked by prevalence, mental-health registers flagged."""
    return _shown(_frame(con, """
        SELECT p.ltc_rank, r.register_name, p.group_code, r.mental_health, p.register, p.denominator,
               100 * p.prevalence AS prevalence, 100 * p.england_prevalence AS england_prevalence
        FROM pcn_prevalence p JOIN qof_registers r USING (group_code)
        WHERE p.pcn_code = ? AND p.period = ? ORDER BY p.ltc_rank, r.register_name""",
                  [pcn_code, period]), suppress)


@releasable
def trends(con: duckdb.DuckDBPyConnection, pcn_code: str, indicators: tuple[str, ...], suppress: bool) -> pd.DataFrame:
    """The PCN's value, interval, ICB and England values of ``indicators`` in every period, with the year each
    series breaks (``trend_break``: its definition changed; none if it never did)."""
    marks = ", ".join("?" for _ in indicators)
    return _frame(con, f"""
        SELECT p.period, p.indicator, i.label, i.short_label, i.kind, i.unit, i.multiplier, i.decimals, i.trend_break,
               p.numerator, p.denominator, p.value, p.lower_95, p.upper_95, p.icb_value, p.england_value
        FROM pcn_profile p JOIN indicators i USING (indicator)
        WHERE p.pcn_code = ? AND p.indicator IN ({marks})
          AND {ONE_EDITION.format(latest="(SELECT max(period) FROM pcn_profile WHERE pcn_code = p.pcn_code AND indicator = p.indicator)")}
        ORDER BY i.sort_order, p.indicator, p.period""",
                 [pcn_code, *indicators]).pipe(_shown, suppress)


@releasable
def two_indicators(con: duckdb.DuckDBPyConnection, icb_code: str, period: str, x: str, y: str, suppress: bool) -> pd.DataFrame:
    """Each PCN of the ICB with the values of two indicators (scatter); a value from a suppressed count is
    left out."""
    rows = _frame(con, """
        SELECT p.pcn_code, p.pcn_name, p.indicator, i.kind, p.numerator, p.denominator, p.value
        FROM pcn_profile p JOIN indicators i USING (indicator)
        WHERE p.icb_code = ? AND p.period = ? AND p.indicator IN (?, ?)""", [icb_code, period, x, y])
    rows = _shown(rows, suppress)
    pairs = rows[rows.indicator == x][["pcn_code", "pcn_name", "value"]].rename(columns={"value": "x"}).merge(
        rows[rows.indicator == y][["pcn_code", "value"]].rename(columns={"value": "y"}), on="pcn_code")
    return pairs.dropna(subset=["x", "y"]).sort_values("pcn_code").reset_index(drop=True)


@releasable
def workforce_inputs(con: duckdb.DuckDBPyConnection, icb_code: str, period: str, suppress: bool) -> pd.DataFrame:
    """What the need model reads for every PCN of an ICB (marts/pcn_need_inputs.sql). With suppression on, the
    counts as shown (1-7 hidden, others rounded to 5): a need worked from exact registers could give a suppressed
    one back under extreme assumptions."""
    return _shown(_frame(con, """
        SELECT * EXCLUDE (icb_code, period) FROM pcn_need_inputs WHERE icb_code = ? AND period = ? ORDER BY pcn_code""",
                         [icb_code, period]), suppress)


def service_usage(profile: pd.DataFrame) -> pd.DataFrame:
    """The service-usage rows of a PCN's profile."""
    return profile[profile.domain == "Service usage"]


#: The SII's simulation: PHEindicatormethods' default repetitions, with a fixed seed so that a figure on screen
#: does not move between reruns.
SII_REPETITIONS = 100_000
SII_SEED = 2019


@releasable
def inequality(con: duckdb.DuckDBPyConnection, icb_code: str, period: str, indicator: str,
               suppress: bool) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A QOF register's prevalence by practice deprivation quintile (the practices' population-weighted IMD
    scores, or ranks where the IMD file has no scores, put in quintiles with phe_quantile's method: quintile 1 the most deprived), within the ICB and within
    England, with Wilson 95% intervals; and the slope index of inequality of each (phe_sii on proportions: the
    change from the most to the least deprived end, in percentage points, with 95% limits by simulation).
    Registers only: the service measures are not published by practice. Returns (quintiles, sii)."""
    if suppress:  # the quintiles' counts as released at build (release.py), summed from the practices exactly
        frame = _frame(con, """
            SELECT area, quintile, practices, numerator, denominator FROM inequality_quintiles
            WHERE period = ? AND indicator = ? AND area_code IN (?, 'ENGLAND')
            ORDER BY area = 'England', quintile""", [period, indicator, icb_code])
    else:
        practices = inequality_practices(con, period, indicator)
        frame = pd.concat([quintile_counts(practices[practices.icb_code == icb_code].assign(area="ICB"), ["area"]),
                           quintile_counts(practices.assign(area="England"), ["area"])], ignore_index=True)
    frame = frame.assign(kind="proportion", multiplier=100.0)
    frame["value"] = 100 * frame.numerator / frame.denominator
    frame["lower_95"] = 100 * stats.wilson_lower(frame.numerator, frame.denominator)
    frame["upper_95"] = 100 * stats.wilson_upper(frame.numerator, frame.denominator)
    shown = _shown(frame, suppress, groups=["area"], parts="numerator")
    sii = _sii(shown)
    return shown.drop(columns=["kind", "multiplier"]), sii.round(suppression.DECIMALS) if suppress else sii


def inequality_practices(con: duckdb.DuckDBPyConnection, period: str | None = None,
                         indicator: str | None = None) -> pd.DataFrame:
    """Each practice's QOF registers (of ``period`` and ``indicator``, or all) with its ICB and its patients'
    population-weighted IMD score and rank: what the inequality view puts in quintiles."""
    return _frame(con, INEQUALITY_PRACTICES, [period, period, indicator, indicator])


INEQUALITY_PRACTICES = """
    SELECT p.period, 'prev_' || lower(p.group_code) AS indicator, p.practice_code, m.icb_code,
           p.register AS numerator, p.denominator,
           d.weighted_score / nullif(d.scored_patients, 0) AS imd_score,
           d.weighted_rank / nullif(d.ranked_patients, 0) AS imd_rank
    FROM practice_prevalence p
    JOIN practice_pcn m USING (period, practice_code)
    JOIN practice_deprivation d USING (period, practice_code)
    WHERE (?::VARCHAR IS NULL OR p.period = ?) AND (?::VARCHAR IS NULL OR 'prev_' || lower(p.group_code) = ?)
      AND p.denominator > 0 AND (d.scored_patients > 0 OR d.ranked_patients > 0)"""


def quintile_counts(practices: pd.DataFrame | duckdb.DuckDBPyRelation, keys: list[str]) -> pd.DataFrame:
    """The practices of each group of ``keys`` in deprivation quintiles (stats.quantiles, phe_quantile's method:
    quintile 1 the most deprived; by score, highest the most deprived, or by rank where the IMD file has no scores
    for the period and register), each quintile's practices, register and list summed. Vectorised over the groups:
    the build puts every ICB and England of every year and register in quintiles at once (release.py)."""
    keyed = ", ".join(f'"{k}"' for k in keys)
    sql = f"""
            WITH ordered AS (
                SELECT *, CASE WHEN bool_and(imd_score IS NOT NULL) OVER (PARTITION BY period, indicator)
                               THEN -imd_score ELSE imd_rank END AS "order"
                FROM practices_frame
            ), ranked AS (
                SELECT *, rank() OVER (PARTITION BY {keyed} ORDER BY "order") AS r,
                       count(*) OVER (PARTITION BY {keyed}) AS n
                FROM ordered WHERE "order" IS NOT NULL
            ), placed AS (
                SELECT *, greatest(floor(6 - ceil(((n + 1) - r) / (n / 5))), 1)::INTEGER AS quintile
                FROM ranked WHERE n >= 5
            )
            SELECT {keyed}, quintile, count(*)::BIGINT AS practices, sum(numerator)::BIGINT AS numerator,
                   sum(denominator)::BIGINT AS denominator
            FROM placed GROUP BY ALL ORDER BY {keyed}, quintile"""
    if isinstance(practices, duckdb.DuckDBPyRelation):  # the build's own tables, never copied out (release.py)
        return practices.query("practices_frame", sql).df()
    with duckdb.connect() as local:  # in memory: window functions rank every group at once
        local.register("practices_frame", practices)
        return local.execute(sql).df()


def _sii(quintiles: pd.DataFrame) -> pd.DataFrame:
    """Each area's SII from its quintiles as shown (from the rounded counts when suppression is on); none where a
    quintile is missing or suppressed."""
    rows = []
    for area, part in quintiles.groupby("area", sort=False):
        complete = len(part) == 5 and part[["value", "lower_95", "upper_95"]].notna().all().all()
        if not complete:
            rows.append({"area": area, "sii": None, "lower_95": None, "upper_95": None})
            continue
        result = stats.sii(part.quintile, part.denominator, part.value / 100, value_type=2,
                           lower_cl=part.lower_95 / 100, upper_cl=part.upper_95 / 100, multiplier=100,
                           repetitions=SII_REPETITIONS, seed=SII_SEED)
        rows.append({"area": area, "sii": result["sii"], "lower_95": result["sii_lower_95_0cl"],
                     "upper_95": result["sii_upper_95_0cl"]})
    return pd.DataFrame(rows, columns=["area", "sii", "lower_95", "upper_95"])


@releasable
def overview_grid(con: duckdb.DuckDBPyConnection, period: str, icb_code: str | None, suppress: bool) -> pd.DataFrame:
    """Every indicator for every PCN of the ICB (or of England, ``icb_code`` None), one row per PCN and indicator,
    with its interval and its comparison with the ICB and with England: the overview grid ("tartan rug") and its
    export. Indicators in display order; only those with a value this year."""
    frame = _frame(con, """
        SELECT p.pcn_code, p.pcn_name, p.icb_code, p.indicator, i.short_label, i.label, i.kind, i.unit, i.decimals,
               i.polarity, i.multiplier, i.sort_order, p.numerator, p.denominator, p.value, p.lower_95, p.upper_95,
               p.icb_value, p.england_value, p.vs_icb, p.vs_england
        FROM pcn_profile p JOIN indicators i USING (indicator)
        WHERE p.period = ? AND (? IS NULL OR p.icb_code = ?)
          AND p.indicator IN (SELECT indicator FROM pcn_profile WHERE period = ? AND value IS NOT NULL)
        ORDER BY i.sort_order, p.pcn_code""", [period, icb_code, icb_code, period])
    return _shown(frame, suppress)


#: The drivers of mental-health need that similar PCNs are matched on (issue 17): deprivation (population-weighted
#: IMD score of the year's edition, or rank where the file has no scores), age (65 and over, under 18), size, and the share of
#: patients in England's most deprived fifth of LSOAs.
SIMILARITY_DRIVERS = {"imd": "IMD (score, or rank)", "age_65_plus": "Aged 65+ (%)",
                      "under_18_share": "Aged under 18 (%)", "list_size": "Registered patients",
                      "imd_q1_share": "Most deprived quintile (%)"}
SIMILAR_COUNT = 10


@releasable
def similar_pcns(con: duckdb.DuckDBPyConnection, period: str, pcn_code: str, suppress: bool,
                 count: int = SIMILAR_COUNT) -> pd.DataFrame:
    """The ``count`` PCNs in England nearest to ``pcn_code`` on the drivers of mental-health need
    (SIMILARITY_DRIVERS), as CIPFA's and ONS's nearest-neighbour models do it: each driver standardised across
    England's PCNs (z-scores, equal weights), the Euclidean distance between PCNs. PCNs without every driver are
    not matched. Nearest first, with each driver's value; the PCN itself not among them."""
    drivers = _frame(con, """
        SELECT p.pcn_code, any_value(p.pcn_name) AS pcn_name, any_value(p.icb_code) AS icb_code,
               coalesce(max(p.value) FILTER (WHERE p.indicator = 'imd_score'),
                        -max(p.value) FILTER (WHERE p.indicator = 'imd_rank')) AS imd,
               max(p.value) FILTER (WHERE p.indicator = 'age_65_plus') AS age_65_plus,
               100 * any_value(n.under_18) / nullif(any_value(n.list_size), 0) AS under_18_share,
               max(p.value) FILTER (WHERE p.indicator = 'list_size') AS list_size,
               max(p.value) FILTER (WHERE p.indicator = 'imd_q1_share') AS imd_q1_share
        FROM pcn_profile p LEFT JOIN pcn_need_inputs n USING (period, pcn_code)
        WHERE p.period = ? GROUP BY p.pcn_code""", [period])
    usable = [d for d in SIMILARITY_DRIVERS if drivers[d].notna().any()]
    drivers = drivers.dropna(subset=usable).reset_index(drop=True)
    if pcn_code not in set(drivers.pcn_code) or len(drivers) < 2:
        return drivers.iloc[:0].assign(distance=pd.Series(dtype=float))
    values = drivers[usable].astype(float)
    spread = values.std(ddof=0).replace(0, 1)
    z = (values - values.mean()) / spread
    here = z[drivers.pcn_code == pcn_code].iloc[0]
    drivers["distance"] = np.sqrt(((z - here) ** 2).sum(axis=1))
    out = drivers[drivers.pcn_code != pcn_code].nsmallest(count, "distance")
    out["imd"] = out.imd.abs()  # a rank was negated so that both run the same way
    if suppress:  # drivers from the released counts; what is sent to the browser to two decimals
        out = out.round(dict.fromkeys(["imd", "age_65_plus", "under_18_share", "imd_q1_share", "distance"],
                                      suppression.DECIMALS))
    return out.reset_index(drop=True)


@releasable
def similar_values(con: duckdb.DuckDBPyConnection, period: str, pcn_codes: tuple[str, ...],
                   suppress: bool) -> pd.DataFrame:
    """Each indicator's pooled value over a group of PCNs (the similar PCNs), their counts summed (as shown, when
    suppression is on); none for scores and counts (a sum of scores means nothing)."""
    rows = _frame(con, """
        SELECT p.indicator, i.kind, i.multiplier, p.numerator, p.denominator
        FROM pcn_profile p JOIN indicators i USING (indicator)
        WHERE p.period = ? AND p.pcn_code IN (SELECT unnest(?)) AND p.numerator IS NOT NULL
          AND p.denominator IS NOT NULL""", [period, list(pcn_codes)])
    pooled = [(indicator, _pooled(part, suppress)) for indicator, part in rows.groupby("indicator", sort=False)]
    return pd.DataFrame(pooled, columns=["indicator", "similar_value"])


@releasable
def recent_trends(con: duckdb.DuckDBPyConnection, pcn_code: str, period: str, suppress: bool) -> pd.DataFrame:
    """Each indicator's recent trend for the PCN as of ``period``, as Fingertips' trend markers
    (stats.recent_trend: the most recent five yearly points up to that year, at 99.8%), read through the indicator's polarity; from the counts as shown when
    suppression is on. Where the indicator's series breaks (``trend_break`` in data/indicators.csv: the year its
    definition changed), only the points from the break on are tested. Columns: indicator, trend, judged, points,
    first, last, break_from."""
    series = _frame(con, f"""
        SELECT p.period, p.indicator, i.kind, i.multiplier, i.polarity, i.trend_break, p.numerator, p.denominator,
               p.value, p.lower_95, p.upper_95
        FROM pcn_profile p JOIN indicators i USING (indicator)
        WHERE p.pcn_code = ? AND p.period <= ? AND {ONE_EDITION.format(latest="?")}
        ORDER BY i.sort_order, p.period""", [pcn_code, period, period]).pipe(
        _shown, suppress)
    rows = []
    for indicator, part in series.groupby("indicator", sort=False):
        first = part.trend_break.iloc[0]
        broken = isinstance(first, str) and first and (part.period < first).any() and (part.period >= first).any()
        if broken:
            part = part[part.period >= first]
        part = part.tail(stats.TREND_POINTS)
        kind = part.kind.iloc[0]
        trend = (stats.recent_trend(kind, part.numerator, part.denominator) if kind == "proportion"
                 else stats.recent_trend(kind, value=part.value, lower=part.lower_95, upper=part.upper_95)
                 if kind in ("rate", "ratio") else "could not be calculated")
        rows.append({"indicator": indicator, "trend": trend, "judged": _trend_judged(trend, part.polarity.iloc[0]),
                     "points": len(part), "first": part.period.iloc[0], "last": part.period.iloc[-1],
                     "break_from": first if broken else None})
    return pd.DataFrame(rows, columns=["indicator", "trend", "judged", "points", "first", "last", "break_from"])


def _trend_judged(trend: str, polarity: str) -> str:
    """Fingertips' words: 'Increasing and getting better', 'Decreasing', 'No significant change', ..."""
    if trend in ("increasing", "decreasing") and polarity != "no judgement":
        better = (trend == "increasing") == (polarity == "higher is better")
        return f"{trend.capitalize()} and getting {'better' if better else 'worse'}"
    return trend.capitalize()
