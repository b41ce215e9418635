"""Every chart of the app, built from the demo's figures as the pages build them, checked for what a board would
notice: a title naming the unit on every numeric axis, and a legend entry for every colour used."""

import re

import pandas as pd
import pytest

from phm_profile import charts, database, money, queries, workforce

UNIT = re.compile(r"%|per 1,000|WTE|patients|score|rank|cases|years|£|\(")


def figures(db) -> dict:
    con = database.connection(str(db))
    period, icb, pcn = "2023-24", "QZB", "U90001"
    profile = queries.pcn_profile(con, pcn, period, True)
    across = queries.indicator_across_pcns(con, icb, period, "prev_mh", True)
    rate = queries.indicator_across_pcns(con, icb, period, "svc_cmht_referrals", True)
    inputs = queries.workforce_inputs(con, icb, period, True)
    plan = workforce.workforce_plan(inputs.set_index("pcn_code").loc[pcn], [money.current_year()], {},
                                    {"adult": "7", "cyp": "7"}, None, workforce.Assumptions())
    table = workforce.allocation_table(inputs, period, 30.0, workforce.Assumptions())
    pairs = queries.two_indicators(con, icb, period, "imd_score", "prev_mh", True)
    return {
        "spine": charts.spine_chart(profile, queries.england_range(con, period, True)),
        "league": charts.league_chart(across, pcn),
        "funnel": charts.funnel_plot(across, queries.funnel_limits(con, icb, period, "prev_mh", True), pcn, "SMI (%)"),
        "funnel_rate": charts.funnel_plot(rate, queries.funnel_limits(con, icb, period, "svc_cmht_referrals", True), pcn,
                                          "CMHT referrals per 1,000"),
        "scatter": charts.scatter_chart(pairs, "IMD 2019 score", "SMI prevalence (%)", pcn),
        "usage": charts.interval_chart(queries.service_usage(profile)),
        "trends": charts.trend_chart(queries.trends(con, pcn, ("prev_mh", "prev_dep", "prev_dem", "prev_ld"), True)),
        "pyramid": charts.age_pyramid(queries.age_pyramid(con, pcn, period, True)),
        "quintiles": charts.quintile_chart(queries.imd_quintiles(con, pcn, icb, period, True)),
        "ltc": charts.ltc_rank_chart(queries.ltc_ranks(con, pcn, period, True)),
        "plan": charts.plan_chart(plan),
        "allocation": charts.allocation_chart(table, pcn),
        "inequality": charts.inequality_chart(queries.inequality(con, icb, period, "prev_mh", True)[0],
                                              "SMI prevalence (%)"),
        "grid": charts.overview_grid(queries.overview_grid(con, period, icb, True), "England", "prev_mh", True),
    }


@pytest.fixture(scope="module")
def drawn(demo_db):
    return figures(demo_db)


def _numeric(values) -> bool:
    values = [v for v in (values if values is not None else []) if v is not None]
    return bool(values) and all(isinstance(v, (int, float)) for v in values)


def _list(values):
    return list(values) if values is not None and not isinstance(values, str) else []


@pytest.mark.parametrize("name", ["spine", "league", "funnel", "funnel_rate", "scatter", "usage", "trends",
                                  "pyramid", "quintiles", "ltc", "plan", "allocation"])
def test_every_numeric_axis_is_titled_with_its_unit(drawn, name):
    fig = drawn[name]
    numeric = set()
    for trace in fig.data:
        for dim in ("x", "y"):
            if _numeric(_list(getattr(trace, dim, None))):
                numeric.add((dim, getattr(trace, f"{dim}axis", None) or dim))
    assert numeric, name
    for dim, ref in numeric:
        axis = fig.layout[f"{dim}axis{ref[1:]}"]
        if axis.visible is False:
            continue
        title = axis.title.text or ""
        assert UNIT.search(title), (name, dim, ref, title)


@pytest.mark.parametrize("name", ["spine", "league", "funnel", "funnel_rate", "scatter", "usage", "trends",
                                  "pyramid", "quintiles", "ltc", "plan", "allocation"])
def test_every_colour_used_has_a_legend_entry(drawn, name):
    fig = drawn[name]
    legend, used = set(), set()
    for trace in fig.data:
        marker = getattr(trace, "marker", None)
        colours = marker.color if marker is not None else None
        line = getattr(trace, "line", None)
        own = [c for c in ([colours] if isinstance(colours, str) else _list(colours)) if isinstance(c, str)]
        if not own and line is not None and isinstance(line.color, str):
            own = [line.color]
        if trace.showlegend is False or not trace.name:
            used |= set(own)
        else:
            legend |= set(own)
            used |= set(own)
    assert not used - legend, (name, used - legend)


def test_a_pcn_without_a_value_is_named_on_the_map_not_left_blank():
    square = lambda x: {"type": "Polygon", "coordinates": [[[x, 52], [x + 0.1, 52], [x + 0.1, 52.1], [x, 52.1], [x, 52]]]}  # noqa: E731
    geojson = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"pcn_code": code}, "geometry": square(i / 10)}
        for i, code in enumerate(("U00001", "U00002"))]}
    frame = pd.DataFrame({"pcn_code": ["U00001", "U00002"], "pcn_name": ["A", "B"], "value": [1.2, None],
                          "vs_icb": ["higher", "suppressed"], "short_label": ["SMI prevalence (%)"] * 2})
    fig = charts.pcn_map(geojson, frame, "SMI", None)
    assert list(fig.data[0].locations) == ["U00001"] and fig.data[0].colorbar.title.text == "SMI prevalence (%)"
    assert list(fig.data[1].locations) == ["U00002"] and fig.data[1].name.startswith("Suppressed")


def test_a_series_whose_definition_changed_is_not_joined_across_the_change():
    frame = pd.DataFrame({"period": ["2021-22", "2022-23", "2023-24", "2021-22", "2022-23", "2023-24"],
                          "indicator": ["prev_dep"] * 3 + ["prev_mh"] * 3,
                          "short_label": ["Depression (%)"] * 3 + ["SMI prevalence (%)"] * 3, "unit": ["%"] * 6,
                          "trend_break": ["2023-24"] * 3 + [None] * 3, "value": [12.0, 13.0, 14.0, 1.0, 1.1, 1.2],
                          "lower_95": [11.5, 12.5, 13.5, 0.9, 1.0, 1.1], "upper_95": [12.5, 13.5, 14.5, 1.1, 1.2, 1.3],
                          "icb_value": [11.0, 12.0, 13.0, 1.0, 1.0, 1.0], "england_value": [12.0, 12.5, 13.0, 0.9, 0.9, 0.9]})
    fig = charts.trend_chart(frame)
    pcn = [list(t.x) for t in fig.data if t.name == "PCN (95% interval)"]
    assert pcn == [["2021-22", "2022-23"], ["2023-24"], ["2021-22", "2022-23", "2023-24"]]
    assert sum(1 for t in fig.data if t.showlegend is not False and t.name == "England") == 1  # one legend entry


def test_the_age_pyramid_ticks_are_round_numbers():
    frame = pd.DataFrame({"age_band": ["0_4", "5_9"] * 2, "sex": ["MALE"] * 2 + ["FEMALE"] * 2,
                          "patients": [4_960, 3_100, 4_700, 2_900]})
    ticks = charts.age_pyramid(frame).layout.xaxis.ticktext
    assert list(ticks) == ["5,000", "2,500", "0", "2,500", "5,000"]
