"""Your own areas (issue 27): area files checked by file, row and column; an area's figures summed from its
practices as a PCN's are; with suppression on, no choice of areas gives a practice's hidden count back."""

import shutil
import subprocess

import numpy as np
import pandas as pd
import pytest
from conftest import ROOT
from streamlit.testing.v1 import AppTest

from phm_profile import areas, database, queries, stats, store, suppression

PRACTICES = {"A81001", "A81002", "A81003"}
PCNS = {"U12345", "U23456"}


def con_of(db):
    return database.connection(database.database_key(db))


def read(text: str, name: str = "areas/mine.csv") -> areas.AreaSet:
    return areas.read_area_set(text.encode(), name, PRACTICES, PCNS)


def test_an_area_file_names_each_row_that_does_not_fit_and_keeps_the_rest():
    read_set = read("area_name,code\n"
                    "North,U12345\n"          # row 2: a PCN
                    "North,a81001\n"          # row 3: a practice, lower case
                    "South,A81002\n"
                    "South,A8100\u0417\n"     # row 5: a Cyrillic look-alike of 3
                    "South,Z99999\n"          # row 6: no such code
                    ",A81003\n"               # row 7: no area name
                    "East,\n"                 # row 8: no code
                    "North,U12345\n"          # row 9: given twice
                    "West,A81002\n")          # row 10: a practice in two areas
    assert read_set.name == "mine" and read_set.areas == ["North", "South", "West"]
    assert read_set.pairs() == (("North", "U12345"), ("North", "A81001"), ("South", "A81002"), ("West", "A81002"))
    said = [str(n) for n in read_set.notes]
    assert any(s.startswith("areas/mine.csv, row 5, column code:") and "CYRILLIC CAPITAL LETTER ZE" in s for s in said)
    assert any(s.startswith("areas/mine.csv, row 6, column code: no practice or PCN") for s in said)
    assert any(s.startswith("areas/mine.csv, row 7, column area_name: empty") for s in said)
    assert any(s.startswith("areas/mine.csv, row 8, column code: empty") for s in said)
    assert any(s.startswith("areas/mine.csv, row 9, column code: U12345 is in 'North' already") for s in said)
    assert any("the area 'East' has no practice or PCN" in s for s in said)
    assert any("practice A81002 is in 2 areas" in s for s in said)  # overlapping areas: a warning, kept


@pytest.mark.parametrize("content, said", [
    ("name,practice\nNorth,A81001\n", "row 1: no column area_name or code"),
    ("area_name,code\nNorth,Z1\n", "no area is left"),
    ("", "not a CSV file"),
])
def test_a_file_that_is_no_area_file_is_refused_with_the_reason(content, said):
    with pytest.raises(areas.AreaFileError) as refused:
        read(content)
    assert said in str(refused.value) and str(refused.value).startswith("areas/mine.csv")


def test_an_area_of_two_pcns_is_the_two_pooled_on_every_indicator(demo_db):
    """Hand-worked: the area's register and list are the sums of the two PCNs', its value their ratio and its
    interval Wilson's on the sums; its ICB comparison uses the ICB's own value."""
    con = con_of(demo_db)
    profile = queries.area_profile(con, (("Both", "U90001"), ("Both", "U90002")), "2023-24", False)
    pcns = con.execute("SELECT indicator, sum(numerator) AS x, sum(denominator) AS n, any_value(icb_value) AS icb "
                       "FROM pcn_profile WHERE period = '2023-24' AND pcn_code IN ('U90001', 'U90002') "
                       "GROUP BY indicator").df().set_index("indicator")
    both = profile.set_index("indicator")
    assert len(both) >= 20
    for indicator, row in both.iterrows():
        assert row.numerator == pcns.loc[indicator, "x"], indicator
        assert row.icb_code == "QZB" and row.icb_value == pytest.approx(pcns.loc[indicator, "icb"])
        if row.kind == "proportion":
            x, n = pcns.loc[indicator, "x"], pcns.loc[indicator, "n"]
            assert row.value == pytest.approx(x / n * 100)
            assert row.lower_95 == pytest.approx(stats.wilson_lower(x, n, 0.95) * 100)
            assert row.vs_icb == stats.compare([row.lower_95], [row.upper_95], [row.icb_value])[0]


def test_a_one_practice_area_is_the_practices_qof_row(demo_db):
    con = con_of(demo_db)
    code, register, size = con.execute("SELECT practice_code, register, denominator FROM practice_prevalence "
                                       "WHERE period = '2023-24' AND group_code = 'DEP' ORDER BY practice_code "
                                       "DESC LIMIT 1").fetchone()
    row = queries.area_profile(con, (("One", code),), "2023-24", False).set_index("indicator").loc["prev_dep"]
    assert (row.numerator, row.denominator, row.practices) == (register, size, 1)
    assert row.value == pytest.approx(register / size * 100)


def _hidden_and_shown(con, indicator="prev_dem"):
    """A PCN of the demo with a practice whose count is hidden (1-7) and the practices shown beside it."""
    released = queries.practices_in_pcn(con, "U90001", "2023-24", indicator, True)
    hidden = released[released.vs_pcn == "suppressed"].practice_code.tolist()
    shown = released[released.vs_pcn != "suppressed"].practice_code.tolist()
    assert hidden and len(shown) >= 4
    return released, hidden, shown


def _count(con, codes, indicator="prev_dem"):
    frame = queries.area_profile(con, tuple(("A", c) for c in codes), "2023-24", True)
    return frame.set_index("indicator").loc[indicator]


def test_differencing_two_areas_never_gives_a_hidden_count_back(demo_db):
    """A vs A + p and A + p vs A + q, with p a practice whose count is 1-7 (hidden): the areas' released counts
    differ by p's released count (none: p is left out), never by its true count."""
    con = con_of(demo_db)
    released, hidden, shown = _hidden_and_shown(con)
    exact = queries.practices_in_pcn(con, "U90001", "2023-24", "prev_dem", False).set_index("practice_code")
    p = hidden[0]
    assert suppression.is_small([exact.loc[p, "numerator"]])[0] or p in hidden  # hidden by rule 1-7 or as secondary
    a = shown[:3]
    with_p, without_p = _count(con, a + [p]), _count(con, a)
    assert with_p.numerator - without_p.numerator == 0 and with_p.left_out == without_p.left_out + 1
    q = shown[3]
    with_q = _count(con, a + [q])
    assert with_q.numerator - with_p.numerator == released.set_index("practice_code").loc[q, "numerator"]


def test_least_squares_over_many_overlapping_areas_gives_only_released_counts(demo_db):
    """40 overlapping areas of one PCN's practices: every area's released count is the sum of its practices'
    released counts (a hidden one as 0), so the least-squares solution an attacker works out is the released
    counts, and 0 for a hidden practice, whatever its true count."""
    con = con_of(demo_db)
    released, hidden, shown = _hidden_and_shown(con)
    codes = released.practice_code.tolist()
    r = released.set_index("practice_code").numerator.reindex(codes).fillna(0).to_numpy()
    rng = np.random.default_rng(27)
    membership = rng.random((40, len(codes))) < 0.5
    membership[np.arange(len(codes)), np.arange(len(codes))] = True  # full rank: each practice alone once
    y = np.array([_count(con, [c for c, m in zip(codes, row) if m]).numerator for row in membership])
    assert np.allclose(y, membership.astype(float) @ r)
    solved, *_ = np.linalg.lstsq(membership.astype(float), y, rcond=None)
    exact = queries.practices_in_pcn(con, "U90001", "2023-24", "prev_dem", False).set_index("practice_code")
    for code in hidden:
        i = codes.index(code)
        assert solved[i] == pytest.approx(0, abs=1e-6) and exact.loc[code, "numerator"] > 0


def test_shipped_area_sets_load_with_the_data_and_bad_ones_are_named(demo_copy, tmp_path):
    folder = demo_copy / areas.AREAS_FOLDER
    (folder / "localities.csv").write_text("area_name,code\nLocality A,U90001\nLocality A,NOPE1\n")
    (folder / "broken.csv").write_text("name,practice\nX,Z00001\n")
    try:
        store.build(demo_copy, tmp_path / "a.duckdb")
    except store.BuildFailed as failed:
        report = failed.report
    else:
        pytest.fail("a file that is no area file is refused")
    assert any(e.file == "areas/broken.csv" and "no column area_name or code" in e.message for e in report.errors)
    (folder / "broken.csv").unlink()
    result = store.build(demo_copy, tmp_path / "b.duckdb")
    assert any(w.file == "areas/localities.csv" and w.row == 3 and w.column == "code" for w in result.report.warnings)
    sets = queries.area_sets(con_of(tmp_path / "b.duckdb"))
    assert set(sets.set_name) == {"neighbourhoods", "localities"}
    assert sets[sets.set_name == "localities"].code.tolist() == ["U90001"]


def test_the_areas_page_shows_the_demo_neighbourhoods(demo_db, monkeypatch):
    monkeypatch.setattr("phm_profile.ui.database_path", lambda: demo_db)
    at = AppTest.from_file(str(ROOT / "pages" / "8_Your_areas.py"), default_timeout=120)
    at.query_params.update({"period": "2023-24", "icb": "QZB", "areas": "neighbourhoods",
                            "area": "Demo split neighbourhood (synthetic)"})
    at.run()
    assert not at.exception
    table = next(d.value for d in at.dataframe if "Indicator" in d.value.columns)
    con = con_of(demo_db)
    sets = queries.area_sets(con)
    pairs = tuple(sets[sets.area_name == "Demo split neighbourhood (synthetic)"][["area_name", "code"]]
                  .itertuples(index=False, name=None))
    expected = queries.area_profile(con, pairs, "2023-24", True)
    assert table["Value"].tolist()[1] == f"{expected.value.iloc[1]:,.2f}"
    said = " ".join(m.value for m in at.markdown)
    assert "compared with ICB QZB" in said


@pytest.mark.parametrize("suppress", [True, False])
def test_export_area_profile_writes_the_shipped_areas_in_the_pcn_profiles_layout(demo_db, tmp_path, suppress):
    from phm_profile.cli import main
    from phm_profile.profile import PROFILE_COLUMNS

    out = tmp_path / "areas.csv"
    assert main(["export", "area_profile", "--db", str(demo_db), "--out", str(out),
                 *(["--suppress"] if suppress else [])]) == 0
    frame = pd.read_csv(out)
    assert list(frame.columns) == ["area_code", "area_name", *PROFILE_COLUMNS[2:]]
    con = con_of(demo_db)
    sets = queries.area_sets(con)
    assert frame.area_code.nunique() == sets.area_name.nunique() and frame.period.nunique() == len(queries.periods(con))
    split = sets[sets.area_name == "Demo split neighbourhood (synthetic)"]
    app = queries.area_profile(con, tuple(split[["area_name", "code"]].itertuples(index=False, name=None)),
                               "2023-24", suppress).set_index("indicator")
    row = frame[(frame.area_name == "Demo split neighbourhood (synthetic)") & (frame.period == "2023-24")
                & (frame.indicator == "prev_mh")].iloc[0]
    assert row.area_code == "neighbourhoods:5"
    assert (row.numerator, row.value) == pytest.approx((app.loc["prev_mh", "numerator"], app.loc["prev_mh", "value"]))
    if suppress:
        assert not suppression.is_small(frame.numerator).any()


def test_saved_areas_reopen_from_the_link_in_this_browser_and_not_in_another(demo_db, tmp_path):
    """Load an area file in Chromium: it is saved for this browser (its cookie) and the link carries its short id;
    a new tab of the same browser reopens the same areas from the link; another browser is told plainly that the
    areas are kept in the browser that saved them."""
    import re

    from browser import chromium, streamlit_server, wait_for_app

    file = tmp_path / "my neighbourhoods.csv"
    file.write_text("area_name,code\nEast side,U90001\nEast side,U90002\nWest side,Z00040\n")
    user_dir = tmp_path / "user"
    with streamlit_server(demo_db, PHM_USER_DIR=str(user_dir)) as url, chromium() as browser:
        mine = browser.new_context(viewport={"width": 1400, "height": 1600})
        page = mine.new_page()
        page.goto(f"{url}/Your_areas?period=2023-24&icb=QZB")
        wait_for_app(page)
        page.get_by_role("button", name="Load a file or make areas").click()
        page.locator('[data-testid="stDialog"] [data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(file))
        page.get_by_text("my neighbourhoods: 2 areas, 3 rows.").wait_for(timeout=30_000)
        wait_for_app(page)
        page.get_by_role("button", name="Use these areas").click()
        page.wait_for_url(re.compile(r"areas=s[0-9a-f]{8}"), timeout=30_000)
        wait_for_app(page)
        page.get_by_text("East side: ", exact=False).first.wait_for(timeout=30_000)
        link = page.url
        assert len(list((user_dir / "areas").glob("*/s*.csv"))) == 1  # kept in the user folder, under the browser
        again = mine.new_page()  # a new tab of the same browser
        again.goto(link)
        wait_for_app(again)
        again.get_by_text("East side: ", exact=False).first.wait_for(timeout=30_000)
        assert again.get_by_text("kept in the browser that saved them").count() == 0
        other = browser.new_context().new_page()  # another browser
        other.goto(link)
        wait_for_app(other)
        other.get_by_text("kept in the browser that saved them", exact=False).wait_for(timeout=30_000)
        assert other.get_by_text("East side: ", exact=False).count() == 0


def test_an_areas_workforce_sums_whole_pcns_and_shares_a_split_one_by_list():
    """Hand-worked: area A is the whole of PCN U1 (list 30,000) and a third of U2's list (20,000 of 60,000): its
    entitlement is U1's 3 + U2's 6 / 3 = 5 WTE, its need 1.2 + 2.4 / 3 = 2.0, its MHPs in post 2 + 3 / 3 = 3; U3
    made no return: its MHPs are not known, not 0, and said."""
    from phm_profile import mhp

    members = pd.DataFrame({"area_name": ["A", "A", "A", "B"], "practice_code": ["P1", "P2", "P3", "P4"],
                            "pcn_code": ["U1", "U1", "U2", "U3"], "list_size": [10_000.0, 20_000.0, 20_000.0, 8_000.0]})
    pcns = pd.DataFrame({"pcn_code": ["U1", "U2", "U3"], "pcn_name": ["One", "Two", "Three"],
                         "list_size": [30_000.0, 60_000.0, 8_000.0], "entitlement_wte": [3.0, 6.0, 3.0],
                         "need_wte": [1.2, 2.4, 0.5], "mhp_fte": [2.0, 3.0, float("nan")],
                         "status": [mhp.RETURN, mhp.RETURN, mhp.NO_RETURN]})
    out = areas.workforce(members, pcns).set_index("area_name")
    assert out.loc["A", ["entitlement_wte", "need_wte", "mhp_fte"]].tolist() == pytest.approx([5.0, 2.0, 3.0])
    assert out.loc["A", "split"] == "Two (U2, 33% of its list)" and out.loc["A", "not_known"] == ""
    assert pd.isna(out.loc["B", "mhp_fte"]) and out.loc["B", "not_known"] == "U3"
    assert out.loc["B", "entitlement_wte"] == 3.0 and out.loc["B", "split"] == ""


def test_the_areas_map_draws_each_area_from_its_practices_lsoas(demo_db):
    con = con_of(demo_db)
    sets = queries.area_sets(con)
    pairs = tuple(sets[["area_name", "code"]].itertuples(index=False, name=None))
    geojson, frame = queries.area_map(con, pairs, "2023-24", "prev_mh", True)
    drawn = {f["properties"]["pcn_code"] for f in geojson["features"]}
    assert drawn == set(frame.pcn_code) == {f"A{i}" for i in range(1, sets.area_name.nunique() + 1)}
    assert set(frame.pcn_name) == set(sets.area_name)  # the names ride as text (escaped by the chart), not keys
    # each LSOA is drawn for the area of the practice registering most of its patients
    members = queries.area_members(con, pairs, "2023-24", True)
    split = set(members[members.area_name == "Demo split neighbourhood (synthetic)"].practice_code)
    lsoas = con.execute("SELECT count(*) FROM pcn_lsoa_assignment WHERE period = '2023-24' AND practice_code IN "
                        "(SELECT unnest(?))", [sorted(split)]).fetchone()[0]
    assert lsoas > 0


def test_an_areas_trend_is_its_practices_of_each_year_and_its_funnel_is_around_the_areas(demo_db):
    con = con_of(demo_db)
    pairs = (("Both", "U90001"), ("Both", "U90002"), ("Other", "U90004"))
    trend = queries.area_trends(con, pairs, ("prev_mh",), False)
    both = trend[trend.area_name == "Both"].set_index("period")
    assert list(both.index) == sorted(queries.periods(con))
    pooled = con.execute("SELECT period, sum(numerator) FROM pcn_profile WHERE indicator = 'prev_mh' AND pcn_code IN "
                         "('U90001', 'U90002') GROUP BY period").fetchall()
    assert {p: x for p, x in pooled} == both.numerator.to_dict()
    rows, limits = queries.area_funnel(queries.area_profile(con, pairs, "2023-24", True).query(
        "indicator == 'prev_mh'"), True)
    assert set(rows.funnel) <= set(stats.FUNNEL_LABELS) and len(limits)
    baseline = limits[limits.line == "baseline"].y.iloc[0]
    assert baseline == pytest.approx(round(rows.numerator.sum() / rows.denominator.sum() * 100, 2), abs=0.01)


def test_an_areas_one_page_pdf_prints_its_name_and_figures(demo_db):
    from phm_profile import exports

    con = con_of(demo_db)
    pairs = (("East side", "U90001"), ("East side", "U90002"))
    own = queries.area_profile(con, pairs, "2023-24", True)
    england = queries.england_range(con, "2023-24", True)
    pdf = exports.area_profile_pdf("East side", "mine", "2023-24", own, england, True, demo=True)
    assert pdf.startswith(b"%PDF")
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True).stdout.decode()
        smi = own.set_index("indicator").loc["prev_mh"]
        assert "East side" in text and f"{smi.value:.2f}" in text


def test_an_areas_name_is_text_on_the_map(demo_db):
    from phm_profile import charts

    con = con_of(demo_db)
    hostile = '<a href="https://example.invalid">Click</a>'
    geojson, frame = queries.area_map(con, ((hostile, "U90001"),), "2023-24", "prev_mh", True)
    spec = str(charts.pcn_map(geojson, frame, "SMI", None).to_plotly_json())
    assert "<a href" not in spec and "&lt;a href" in spec


def test_the_compare_view_draws_the_league_funnel_and_grid_of_the_areas(demo_db, monkeypatch):
    from test_app import chart_traces

    monkeypatch.setattr("phm_profile.ui.database_path", lambda: demo_db)
    at = AppTest.from_file(str(ROOT / "pages" / "8_Your_areas.py"), default_timeout=120)
    at.query_params.update({"period": "2023-24", "icb": "QZB", "areas": "neighbourhoods",
                            "areas_view": "Compare areas", "indicator": "prev_mh"})
    at.run()
    assert not at.exception
    traces = chart_traces(at)
    heat = next(t for t in traces if t.get("type") == "heatmap")
    assert len(heat["y"]) == queries.area_sets(con_of(demo_db)).area_name.nunique()
    assert any(t.get("name", "").startswith("High") or t.get("name") == "Not significant" for t in traces)
