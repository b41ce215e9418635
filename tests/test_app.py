"""Pages through streamlit.testing.v1.AppTest: the figures shown are the profile table's values."""

import base64
import re
import json

import duckdb
import numpy as np
import pandas as pd
import pytest
from conftest import ROOT, each_view, open_view, tiles
from streamlit.testing.v1 import AppTest


@pytest.fixture
def app(demo_db, monkeypatch):
    monkeypatch.setattr("phm_profile.ui.DEFAULT_DB", demo_db)
    monkeypatch.setattr("phm_profile.ui.database_path", lambda: demo_db)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.session_state["_suppress"] = False  # these tests compare exact figures; tests/test_privacy.py turns it on
    return at


def profile_value(db, pcn, period, indicator):
    con = duckdb.connect(str(db), read_only=True)
    return con.execute("SELECT value FROM pcn_profile WHERE pcn_code=? AND period=? AND indicator=?",
                       [pcn, period, indicator]).fetchall()[0][0]


def test_overview_shows_the_profile_values(app, demo_db):
    at = app.run()
    assert not at.exception
    assert any("Synthetic demo data" in w.value for w in at.warning)
    period = at.sidebar.selectbox(key="sidebar_period").value
    icb = at.sidebar.selectbox(key="sidebar_icb").value
    assert at.get("plotly_chart")  # the map opens first
    table = open_view(at, "Table").dataframe[0].value
    first = table.iloc[0]
    assert first.value == pytest.approx(profile_value(demo_db, first.pcn_code, period, "prev_mh"))
    assert at.query_params["icb"] == [icb] or at.query_params["icb"] == icb
    con = duckdb.connect(str(demo_db), read_only=True)
    pcns, higher, icb_value = con.execute(
        "SELECT count(*), count(*) FILTER (WHERE vs_england = 'higher'), any_value(icb_value) FROM pcn_profile "
        "WHERE icb_code = ? AND period = ? AND indicator = 'prev_mh'", [icb, period]).fetchall()[0]
    shown = {m.label: m.value for m in tiles(at)}
    assert shown["PCNs"] == str(pcns)
    assert shown["PCNs higher than England (95%)"] == str(higher)
    assert shown["ICB: SMI prevalence (%)"] == f"{icb_value:,.2f}"  # the indicator's short label and decimals


def test_pcn_profile_tiles_follow_the_chosen_pcn_and_period(app, demo_db):
    at = app.run()
    at.switch_page("pages/1_PCN_profile.py").run()
    assert not at.exception
    pcn = at.sidebar.selectbox(key="sidebar_pcn").value
    period = at.sidebar.selectbox(key="sidebar_period").value
    smi = next(m for m in tiles(at) if m.label.startswith("SMI prevalence"))
    assert smi.value == f"{profile_value(demo_db, pcn, period, 'prev_mh'):,.2f}"
    other = at.sidebar.selectbox(key="sidebar_pcn").options[3]
    other_code = other.rsplit("(", 1)[1].rstrip(")")
    at.sidebar.selectbox(key="sidebar_pcn").select(other_code).run()
    smi = next(m for m in tiles(at) if m.label.startswith("SMI prevalence"))
    assert smi.value == f"{profile_value(demo_db, other_code, period, 'prev_mh'):,.2f}"
    at.sidebar.selectbox(key="sidebar_period").select("2021-22").run()
    smi = next(m for m in tiles(at) if m.label.startswith("SMI prevalence"))
    assert smi.value == f"{profile_value(demo_db, other_code, '2021-22', 'prev_mh'):,.2f}"
    spec = json.loads(at.get("plotly_chart")[0].proto.spec)
    assert spec["data"]


def test_link_with_query_parameters_opens_that_view(app, demo_db):
    app.query_params["period"] = "2022-23"
    app.query_params["icb"] = "QZB"
    app.query_params["pcn"] = "U90001"
    at = app.run()
    at.switch_page("pages/1_PCN_profile.py").run()
    assert at.sidebar.selectbox(key="sidebar_pcn").value == "U90001"
    assert at.sidebar.selectbox(key="sidebar_period").value == "2022-23"
    smi = next(m for m in tiles(at) if m.label.startswith("SMI prevalence"))
    assert smi.value == f"{profile_value(demo_db, 'U90001', '2022-23', 'prev_mh'):,.2f}"
    con = duckdb.connect(str(demo_db), read_only=True)
    england, vs, icb, vs_icb = con.execute(
        "SELECT england_value, vs_england, icb_value, vs_icb FROM pcn_profile WHERE pcn_code='U90001' AND "
        "period='2022-23' AND indicator='prev_mh'").fetchall()[0]
    assert smi.notes == [f"England {england:,.2f}: {vs}", f"ICB {icb:,.2f}: {vs_icb}"]  # both comparators
    patients = next(m for m in tiles(at) if m.label == "Registered patients")
    assert patients.value == f"{profile_value(demo_db, 'U90001', '2022-23', 'list_size'):,.0f}"
    assert not patients.notes  # a count has no comparison with England (never "nan")
    england_list = con.execute("SELECT england_value FROM pcn_profile WHERE pcn_code='U90001' AND "
                               "period='2022-23' AND indicator='list_size'").fetchall()[0][0]
    assert patients.help.endswith(f"England {england_list:,.0f}.")


def test_pcn_profile_table_of_every_indicator_in_its_own_view(app, demo_db):
    at = app.run()
    at.switch_page("pages/1_PCN_profile.py").run()
    assert not at.dataframe and len(at.get("plotly_chart")) == 1  # the page opens with the spine chart alone
    open_view(at, "All indicators")
    pcn = at.sidebar.selectbox(key="sidebar_pcn").value
    period = at.sidebar.selectbox(key="sidebar_period").value
    table = at.dataframe[0].value
    con = duckdb.connect(str(demo_db), read_only=True)
    expected = con.execute("SELECT count(*) FROM pcn_profile WHERE pcn_code = ? AND period = ?", [pcn, period]).fetchall()
    assert len(table) == expected[0][0]
    smi = table[table.Indicator == "SMI prevalence (%)"].iloc[0]
    assert smi.Value == f"{profile_value(demo_db, pcn, period, 'prev_mh'):,.2f}"
    assert list(table.columns) == ["Indicator", "Count", "Value", "95% interval", "ICB", "Similar", "England", "Lowest",
                                   "25th", "75th", "Highest", "Recent trend", "vs England"]


@pytest.mark.parametrize("page", ["pages/2_Compare_PCNs.py", "pages/3_Data_and_methods.py"])
def test_other_pages_render(app, page):
    at = app.run()
    at.switch_page(page).run()
    assert not at.exception
    assert at.dataframe or at.get("plotly_chart")


def test_data_page_shows_the_expected_rates_in_use(app, demo_db):
    at = app.run()
    at.switch_page("pages/3_Data_and_methods.py").run()
    shown = next(d.value for d in at.dataframe if "expected_percent" in d.value.columns)
    used = duckdb.connect(str(demo_db), read_only=True).execute(
        "SELECT condition, sex, age_from, 100 * expected_rate FROM expected_prevalence ORDER BY ALL").fetchall()
    assert sorted(map(tuple, shown[["condition", "sex", "age_from", "expected_percent"]].values.tolist())) == used
    assert set(shown.file) == {"data/expected_prevalence.csv (shipped)"}


def test_data_page_shows_every_indicator_definition(app):
    at = app.run()
    at.switch_page("pages/3_Data_and_methods.py").run()
    definitions = pd.read_csv(ROOT / "data" / "indicators.csv")
    labels = {e.label for e in at.expander}
    for domain, rows in definitions.groupby("domain"):
        assert f"{domain} ({len(rows)})" in labels
    shown = " ".join(m.value for m in at.markdown).replace("\\", "")  # ui.plain escapes markdown
    smi = definitions.set_index("indicator").loc["smi_recorded_vs_expected"]
    assert f"Denominator: {smi.denominator_definition}." in shown and f"Source: {smi.source}." in shown


def _decoded(value):
    """Plotly writes numeric arrays as typed arrays ({'dtype': 'i8', 'bdata': base64}); read them back."""
    if isinstance(value, dict) and "bdata" in value:
        array = np.frombuffer(base64.b64decode(value["bdata"]), dtype=value["dtype"])
        if "shape" in value:
            array = array.reshape([int(n) for n in str(value["shape"]).split(",")])
        return array.tolist()
    if isinstance(value, dict):
        return {k: _decoded(v) for k, v in value.items()}
    return value


def chart_traces(at):
    return [_decoded(trace) for chart in at.get("plotly_chart") for trace in json.loads(chart.proto.spec)["data"]]


def test_pcn_profile_charts_hold_the_pcns_figures(app, demo_db):
    app.query_params["period"] = "2023-24"
    app.query_params["icb"] = "QZA"
    app.query_params["pcn"] = "U90003"
    at = app.run()
    at.switch_page("pages/1_PCN_profile.py").run()
    assert not at.exception
    con = duckdb.connect(str(demo_db), read_only=True)
    traces = chart_traces(open_view(at, "Population"))
    men = next(t for t in traces if t.get("name") == "Male")
    expected = con.execute("SELECT sum(patients) FROM pcn_population WHERE pcn_code='U90003' AND period='2023-24' "
                           "AND sex='MALE'").fetchall()[0][0]
    assert -sum(men["x"]) == expected
    q1 = next(t for t in traces if t.get("name") == "PCN" and t.get("type") == "bar")
    row = con.execute("SELECT 100.0 * q1_patients / patients FROM pcn_deprivation WHERE pcn_code='U90003' "
                      "AND period='2023-24'").fetchall()[0][0]
    assert q1["y"][0] == pytest.approx(row)
    trend = next(t for t in chart_traces(open_view(at, "Trends")) if t.get("name") == "PCN (95% interval)"
                 and t.get("hovertemplate", "").startswith("SMI prevalence (%)"))
    assert trend["x"] == ["2019-20", "2020-21", "2021-22", "2022-23", "2023-24"]
    assert trend["y"][-1] == pytest.approx(profile_value(demo_db, "U90003", "2023-24", "prev_mh"))


def test_compare_page_link_with_indicator_draws_scatter_and_map(app, demo_db):
    app.query_params["period"] = "2022-23"
    app.query_params["icb"] = "QZB"
    app.query_params["pcn"] = "U90001"
    app.query_params["indicator"] = "prev_dep"
    at = app.run()
    at.switch_page("pages/2_Compare_PCNs.py").run()
    assert not at.exception
    assert at.selectbox(key="choose_indicator").value == "prev_dep"
    traces = chart_traces(open_view(at, "Map"))
    area = next(t for t in traces if t["type"] == "choroplethmap")
    con = duckdb.connect(str(demo_db), read_only=True)
    values = dict(con.execute("SELECT pcn_code, value FROM pcn_profile WHERE icb_code='QZB' AND period='2022-23' "
                              "AND indicator='prev_dep'").fetchall())
    assert sorted(area["locations"]) == sorted(values)
    assert dict(zip(area["locations"], area["z"])) == pytest.approx(values)
    star = next(t for t in chart_traces(open_view(at, "Two indicators")) if t.get("name") == "Selected PCN")
    assert star["text"] == ["Demo PCN 0001 (synthetic)"]
    open_view(at, "Map").selectbox(key="choose_indicator").select("prev_mh").run()
    area = next(t for t in chart_traces(at) if t["type"] == "choroplethmap")
    assert dict(zip(area["locations"], area["z"]))["U90001"] == pytest.approx(
        profile_value(demo_db, "U90001", "2022-23", "prev_mh"))


@pytest.mark.parametrize("indicator, kind", [("prev_mh", "proportion"), ("svc_cmht_referrals", "rate"),
                                             ("smi_recorded_vs_expected", "ratio")])
def test_funnel_plot_for_proportions_rates_and_ratios(app, demo_db, indicator, kind):
    from phm_profile import stats

    app.query_params.update({"period": "2023-24", "icb": "QZB", "pcn": "U90001", "indicator": indicator})
    at = app.run()
    at.switch_page("pages/2_Compare_PCNs.py").run()
    assert not at.exception
    traces = chart_traces(open_view(at, "Funnel plot"))
    legend = {label.replace("(", "(p < "): label for label in stats.FUNNEL_LABELS}  # one trace per colour
    con = duckdb.connect(str(demo_db), read_only=True)
    rows = con.execute("SELECT pcn_code, numerator, denominator FROM pcn_profile WHERE icb_code='QZB' "
                       "AND period='2023-24' AND indicator=? ORDER BY pcn_code", [indicator]).df()
    x, n = rows.numerator, rows.denominator
    expected = {"proportion": lambda: stats.funnel_significance_proportion(x, n),
                "rate": lambda: stats.funnel_significance_rate(x, n, 1000 * x / n, 1000),
                "ratio": lambda: stats.funnel_significance_ratio(x, n)}[kind]()
    shown = {row[0]: legend[t["name"]] for t in traces if t.get("name") in legend for row in t["customdata"]}
    names = dict(con.execute("SELECT DISTINCT pcn_code, pcn_name FROM pcn_profile WHERE icb_code='QZB'").fetchall())
    assert shown == {names[c]: label for c, label in zip(rows.pcn_code, expected)}
    # the 99.8% upper line: at each drawn point, the limit from stats for that kind, reaching past the largest PCN
    upper = next(t for t in traces if t.get("name") == "upper_3s")
    multiplier = {"proportion": 100, "rate": 1000, "ratio": 100}[kind]
    lines = stats.funnel_lines(kind, x, n, multiplier)
    assert upper["x"] == pytest.approx(list(lines["upper_3s"][0])) and upper["y"] == pytest.approx(list(lines["upper_3s"][1]))
    assert max(upper["x"]) >= n.max()
    if kind == "proportion":
        assert upper["y"] == pytest.approx(list(stats.funnel_limits_proportion(x, n, 100)["upper_3s"]))


def test_a_first_run_builds_the_demo_and_says_so(tmp_path, monkeypatch):
    """`streamlit run app.py` on a fresh clone: no database yet. The app builds the demo instead of a traceback."""
    from phm_profile import config, ui

    monkeypatch.setattr(config, "DEMO_DB", tmp_path / "demo.duckdb")
    monkeypatch.setattr(config, "DEMO_DATA_DIR", tmp_path / "demo")
    monkeypatch.setattr(ui, "DEFAULT_DB", tmp_path / "demo.duckdb")
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=240).run()
    assert not at.exception and (tmp_path / "demo.duckdb").exists()
    assert tiles(at) and any("Synthetic demo data" in w.value for w in at.warning)


def test_a_missing_database_is_named_with_the_command_that_builds_it(tmp_path, monkeypatch):
    from phm_profile import ui

    monkeypatch.setattr(ui, "DEFAULT_DB", tmp_path / "nowhere.duckdb")
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    assert not at.exception
    assert "python -m phm_profile build --data FOLDER" in at.error[0].value


SNAKE = re.compile(r"^[a-z0-9]+(_[a-z0-9]+)+$")


@pytest.mark.parametrize("page", ["app.py", "pages/1_PCN_profile.py", "pages/2_Compare_PCNs.py",
                                  "pages/3_Data_and_methods.py", "pages/4_Workforce_plan.py", "pages/5_MHP_allocation.py",
                                  "pages/6_MHP_impact.py", "pages/7_MHPs_in_post.py"])
def test_no_snake_case_header_in_a_table_or_export(demo_db, monkeypatch, page):
    import io

    import streamlit

    from phm_profile import exports

    monkeypatch.setattr("phm_profile.ui.DEFAULT_DB", demo_db)
    monkeypatch.setattr("phm_profile.ui.database_path", lambda: demo_db)
    exported = []
    original = streamlit.download_button

    def recording(label, data, *args, **kwargs):
        data = data() if callable(data) else data  # a file made on the click
        exported.append((kwargs.get("file_name", args[0] if args else ""), data))
        return original(label, data, *args, **kwargs)

    monkeypatch.setattr(streamlit, "download_button", recording)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.query_params.update({"period": "2023-24", "icb": "QZB", "pcn": "U90001"})
    at.run()
    if page != "app.py":
        at.switch_page(page).run()
    assert not at.exception
    for view in each_view(at):
        for table in view.dataframe:  # on screen, a column is shown under its label (column config) or its name
            config = json.loads(table.proto.columns or "{}")
            shown = [config.get(str(c), {}).get("label", c) for c in table.value.columns]
            assert not [h for h in shown if SNAKE.match(str(h))], (page, shown)
    for name, data in exported:
        if str(name).endswith(".csv"):
            headers = list(pd.read_csv(io.BytesIO(data)).columns)
        elif str(name).endswith(".xlsx"):
            book = pd.read_excel(io.BytesIO(data), sheet_name=None, header=exports.XLSX_HEADER_ROW)
            headers = [c for sheet in book.values() for c in sheet.columns]
        else:
            continue
        assert not [h for h in headers if SNAKE.match(str(h))], (page, name, headers)


def test_area_search_finds_a_pcn_by_name_or_practice_and_selects_it(app, demo_db):
    con = duckdb.connect(str(demo_db), read_only=True)
    practice, pcn, icb, practice_name = con.execute(
        "SELECT m.practice_code, m.pcn_code, i.icb_code, m.practice_name FROM practice_pcn m JOIN pcn_icb i "
        "USING (period, pcn_code) WHERE m.period = '2023-24' AND i.icb_code = 'QZB' ORDER BY 1 LIMIT 1").fetchall()[0]
    app.query_params.update({"period": "2023-24", "icb": "QZA", "pcn": "U90003"})
    at = app.run()
    at.switch_page("pages/1_PCN_profile.py").run()
    at.sidebar.text_input(key="area_search").input(practice.lower()).run()  # a practice code, any case
    match = at.sidebar.selectbox(key="area_match")
    assert match.options == [f"{names(demo_db)[pcn]} ({pcn}): practice {practice} {practice_name}"]
    match.set_value(0).run()
    assert not at.exception and not [w for w in at.warning if "Session State" in w.value]
    assert at.sidebar.selectbox(key="sidebar_icb").value == icb and at.sidebar.selectbox(key="sidebar_pcn").value == pcn
    assert f"({pcn})" in at.title[0].value and at.sidebar.text_input(key="area_search").value == ""
    at.sidebar.text_input(key="area_search").input("synthetic)").run()  # a PCN name
    assert len(at.sidebar.selectbox(key="area_match").options) > 5
    for hostile in ("'; DROP TABLE pcn_profile; --", "%", "x"):  # bound, not pasted; one letter finds nothing
        at.sidebar.text_input(key="area_search").input(hostile).run()
        assert not at.exception and not [s for s in at.sidebar.selectbox if s.key == "area_match"]


def names(db):
    con = duckdb.connect(str(db), read_only=True)
    return dict(con.execute("SELECT DISTINCT pcn_code, pcn_name FROM practice_pcn WHERE pcn_code IS NOT NULL").fetchall())


def test_inequality_view_shows_prevalence_by_practice_deprivation_quintile(app, demo_db):
    app.query_params.update({"period": "2023-24", "icb": "QZB", "pcn": "U90001", "indicator": "prev_mh"})
    at = app.run()
    at.switch_page("pages/2_Compare_PCNs.py").run()
    at = open_view(at, "Inequality")
    assert not at.exception
    bars = {t["name"]: t for t in chart_traces(at)}
    icb = bars["ICB practices' quintiles"]
    assert icb["x"] == ["Q1", "Q2", "Q3", "Q4", "Q5"]
    con = duckdb.connect(str(demo_db), read_only=True)
    register, listed = con.execute(  # every practice of the ICB with a deprivation score is in one quintile
        "SELECT sum(register), sum(denominator) FROM practice_prevalence JOIN practice_pcn m USING (period, practice_code) "
        "JOIN practice_deprivation USING (period, practice_code) WHERE period = '2023-24' AND m.icb_code = 'QZB' "
        "AND group_code = 'MH'").fetchall()[0]
    assert sum(c[2] for c in icb["customdata"]) == con.execute(
        "SELECT count(*) FROM practice_pcn m JOIN practice_deprivation USING (period, practice_code) "
        "WHERE period = '2023-24' AND m.icb_code = 'QZB'").fetchall()[0][0]
    quintiles, sii = __import__("phm_profile.queries", fromlist=["x"]).inequality(con, "QZB", "2023-24", "prev_mh", False)
    icb_rows = quintiles[quintiles.area == "ICB"]
    assert icb_rows.numerator.sum() == register and icb_rows.denominator.sum() == listed
    assert icb["y"] == pytest.approx(list(100 * icb_rows.numerator / icb_rows.denominator))
    # the demo builds more SMI where deprivation is higher: the most deprived end is higher, significantly
    assert sii.set_index("area").loc["ICB", "upper_95"] < 0
    said = " ".join(m.value for m in at.markdown)
    assert "percentage points higher at the most deprived end of the ICB's practices" in said
    at.selectbox(key="choose_indicator").select("svc_cmht_referrals").run()
    assert "QOF registers" in at.info[0].value and not at.get("plotly_chart")


def test_overview_grid_colours_every_pcn_and_indicator_and_exports_them(app, demo_db):
    import io

    from phm_profile import charts, exports

    app.query_params.update({"period": "2023-24", "icb": "QZB", "pcn": "U90001"})
    at = open_view(app.run(), "All indicators")
    assert not at.exception
    con = duckdb.connect(str(demo_db), read_only=True)
    pcns, indicators = con.execute(
        "SELECT count(DISTINCT pcn_code), count(DISTINCT indicator) FILTER (WHERE value IS NOT NULL) FROM pcn_profile "
        "WHERE icb_code = 'QZB' AND period = '2023-24'").fetchall()[0]
    grid = next(t for t in chart_traces(at) if t["type"] == "heatmap")
    assert len(grid["y"]) == pcns and len(grid["x"]) == indicators
    # one cell, checked against the profile: SMI prevalence of U90001, coloured by its comparison with England
    row = grid["y"].index("Demo PCN 0001 (synthetic)")
    column = grid["x"].index("SMI prevalence (%)")
    value, lower, upper, vs = con.execute(
        "SELECT value, lower_95, upper_95, vs_england FROM pcn_profile WHERE pcn_code = 'U90001' AND "
        "period = '2023-24' AND indicator = 'prev_mh'").fetchall()[0]
    assert grid["text"][row][column] == f"{value:,.2f} ({lower:,.2f} to {upper:,.2f}): {vs.capitalize()} than England"
    assert charts.GRID_CATEGORIES[int(grid["z"][row][column])] == vs
    # sorted by an indicator, highest first
    at.selectbox(key="grid_sort").select("prev_mh").run()
    grid = next(t for t in chart_traces(at) if t["type"] == "heatmap")
    smi = dict(con.execute("SELECT pcn_name, value FROM pcn_profile WHERE icb_code = 'QZB' AND period = '2023-24' "
                           "AND indicator = 'prev_mh'").fetchall())
    assert grid["y"] == sorted(smi, key=smi.get, reverse=True)
    # England: every PCN; the export holds every cell with its interval and both comparisons
    at.radio(key="grid_scope").set_value("England").run()
    grid = next(t for t in chart_traces(at) if t["type"] == "heatmap")
    assert len(grid["y"]) == con.execute("SELECT count(DISTINCT pcn_code) FROM pcn_profile WHERE period = '2023-24'"
                                         ).fetchall()[0][0]
    from phm_profile import queries
    table = exports.grid_table(queries.overview_grid(con, "2023-24", None, False))
    assert {"Lower 95%", "Upper 95%", "Compared with ICB", "Compared with England"} <= set(table.columns)
    book = pd.read_excel(io.BytesIO(exports.grid_xlsx(queries.overview_grid(con, "2023-24", "QZB", False), "t", False)),
                         header=exports.XLSX_HEADER_ROW)
    assert len(book) == pcns * indicators


def test_similar_pcns_by_hand():
    """Four PCNs on five drivers: B differs from A only a little in list size, C only in deprivation, D in all;
    standardised distances order them B, C, D."""
    from phm_profile import queries

    con = duckdb.connect()
    con.execute("CREATE TABLE pcn_profile (pcn_code VARCHAR, pcn_name VARCHAR, icb_code VARCHAR, period VARCHAR, "
                "indicator VARCHAR, value DOUBLE)")
    con.execute("CREATE TABLE pcn_need_inputs (pcn_code VARCHAR, period VARCHAR, under_18 DOUBLE, list_size DOUBLE)")
    drivers = {"A": (30, 20, 50000, 40), "B": (30, 20, 52000, 40), "C": (45, 20, 50000, 40), "D": (10, 35, 20000, 5)}
    for code, (imd, old, size, q1) in drivers.items():
        for indicator, value in (("imd_score", imd), ("age_65_plus", old), ("list_size", size), ("imd_q1_share", q1)):
            con.execute("INSERT INTO pcn_profile VALUES (?, ?, 'Q1', '2023-24', ?, ?)", [code, f"PCN {code}", indicator, value])
        con.execute("INSERT INTO pcn_need_inputs VALUES (?, '2023-24', ?, ?)", [code, size * 0.2, size])
    near = queries.similar_pcns(con, "2023-24", "A", suppress=False, count=3)
    assert near.pcn_code.tolist() == ["B", "C", "D"]
    # B's distance: list size 2,000 apart over the standard deviation of the four list sizes (others equal)
    sizes = np.array([50000, 52000, 50000, 20000])
    assert near.distance.iloc[0] == pytest.approx(2000 / sizes.std())


def test_similar_pcns_on_the_profile_and_as_a_comparator(app, demo_db):
    from phm_profile import queries

    app.query_params.update({"period": "2023-24", "icb": "QZB", "pcn": "U90001"})
    at = app.run()
    at.switch_page("pages/1_PCN_profile.py").run()
    spine = next(t for t in chart_traces(at) if t.get("name") == "10 similar PCNs")
    at = open_view(at, "Similar PCNs")
    similar = at.dataframe[0].value
    assert len(similar) == 10 and "U90001" not in set(similar.pcn_code)
    assert list(similar.distance) == sorted(similar.distance)
    con = duckdb.connect(str(demo_db), read_only=True)
    register, patients = con.execute(
        "SELECT sum(numerator), sum(denominator) FROM pcn_profile WHERE period = '2023-24' AND indicator = 'prev_mh' "
        "AND pcn_code IN (SELECT unnest(?))", [list(similar.pcn_code)]).fetchall()[0]
    labels = queries.indicator_labels(con, short=True)
    row = [i for i, name in enumerate(spine["y"]) if name == labels["prev_mh"]][0]
    assert spine["customdata"][row] == pytest.approx(100 * register / patients)
    # Compare PCNs: the league of the PCN and its 10 similar PCNs, against their pooled value
    at.switch_page("pages/2_Compare_PCNs.py").run()
    at.radio(key="compare_group").set_value("This PCN and its 10 most similar PCNs in England").run()
    assert not at.exception
    bars = [t for t in chart_traces(at) if t["type"] == "bar"]
    assert sum(len(t["y"]) for t in bars) == 11
    assert any(t["name"].endswith("than similar PCNs") or t["name"] == "Similar to similar PCNs" for t in bars)


def test_recent_trends_on_the_spine_and_the_trends(app, demo_db):
    """Fingertips' recent trend on the demo's five years: the arrows on the spine and the words on the trends are
    stats.recent_trend of the PCN's counts; depression is tested only from its 2023-24 break."""
    from phm_profile import stats

    app.query_params.update({"period": "2023-24", "icb": "QZA", "pcn": "U90003"})
    at = app.run()
    at.switch_page("pages/1_PCN_profile.py").run()
    con = duckdb.connect(str(demo_db), read_only=True)
    arrows = next(t for t in chart_traces(at) if t.get("name") == "Recent trend (arrow)")
    labels = dict(con.execute("SELECT indicator, short_label FROM indicators").fetchall())
    for indicator in ("prev_ld", "prev_mh", "prev_can", "svc_mhp_contacts"):
        rows = con.execute("SELECT numerator, denominator, value, lower_95, upper_95, kind FROM pcn_profile "
                           "JOIN indicators USING (indicator) WHERE pcn_code = 'U90003' AND indicator = ? "
                           "ORDER BY period", [indicator]).df()
        expected = (stats.recent_trend("proportion", rows.numerator, rows.denominator) if rows.kind[0] == "proportion"
                    else stats.recent_trend("rate", value=rows.value, lower=rows.lower_95, upper=rows.upper_95))
        shown = arrows["text"][arrows["y"].index(labels[indicator])]
        assert shown == {"increasing": "↑", "decreasing": "↓", "no significant change": "→"}[expected], indicator
    assert labels["prev_dep"] not in arrows["y"]  # one point since the break: not tested
    at = open_view(at, "Trends")
    said = " ".join(m.value for m in at.markdown)
    assert "counts new diagnoses from 2023-24" in said and "(five points, 99.8%)" in said
    # as of an earlier year, only the points up to it: two years are not enough
    at.sidebar.selectbox(key="sidebar_period").select("2020-21").run()
    assert "the test needs five" in " ".join(m.value for m in at.markdown)
