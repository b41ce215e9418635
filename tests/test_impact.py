"""MHP impact (issue 18): the staffing file, the monthly series, difference in differences by hand and on the demo's
built-in effect (demo.MHP_EFFECT), no effect found where none was built, suppression of small monthly counts, and
the page."""

import numpy as np
import pandas as pd
import pytest
from conftest import ROOT, open_view
from test_app import chart_traces
from streamlit.testing.v1 import AppTest

from phm_profile import database, demo, impact, mhp, store, text, workforce


def staffing_of(text: str) -> pd.DataFrame:
    return workforce.read_staffing(text.encode(), "staff.csv")


def test_difference_in_differences_on_a_small_series_by_hand():
    """PCN A starts in January 2022 with 1,000 patients and 10 CMHT referrals a month before, 8 after; PCN B (no MHP)
    has 2,000 patients and 20 a month throughout. Per 1,000 a month: A 10 -> 8, B 10 -> 10: the estimate is -2."""
    months = pd.date_range("2021-01-01", "2023-01-01", freq="MS")
    rows = []
    for month in months:
        after = month > pd.Timestamp("2022-01-01")
        rows.append({"pcn_code": "A", "month": month, "patients": 1000.0, "cmht_referrals": 8.0 if after else 10.0})
        rows.append({"pcn_code": "B", "month": month, "patients": 2000.0, "cmht_referrals": 20.0})
    series = pd.DataFrame(rows).assign(cmht_rejected=0.0, tt_with_wait=0.0, tt_long_wait=0.0, mhp_contacts=0.0)
    staffing = staffing_of("pcn_code,role,wte,start_date\nA,adult,1,2022-01-15\n")
    did = impact.difference_in_differences(series, staffing, "cmht_referrals", suppress=False).set_index("pcn_code")
    row = did.loc["A"]
    assert (row.before, row.after, row.comparison_before, row.comparison_after) == pytest.approx((10, 8, 10, 10))
    assert row.estimate == pytest.approx(-2) and row.exposure_after == 12 * 1000
    # variance: 1000^2 x (120 / 12,000^2 + 96 / 12,000^2 + 2 x 240 / 24,000^2)
    half = 1.959964 * np.sqrt(1e6 * (120 / 12_000 ** 2 + 96 / 12_000 ** 2 + 2 * 240 / 24_000 ** 2))
    assert (row.lower, row.upper) == pytest.approx((-2 - half, -2 + half), rel=1e-5)
    assert did.loc["All that started"].estimate == pytest.approx(-2)
    # a start without 12 months of records on both sides is not estimated
    late = staffing_of("pcn_code,role,wte,start_date\nA,adult,1,2022-06-01\n")
    assert impact.difference_in_differences(series, late, "cmht_referrals", suppress=False).empty


@pytest.fixture(scope="module")
def demo_series(demo_db):
    con = database.connection(str(demo_db))
    return impact.monthly(con, False), impact.staffing(con)


def test_the_demos_built_in_effect_is_recovered_within_its_interval(demo_series):
    series, staffing = demo_series
    assert len(impact.starts(staffing)) == 14  # every third of the demo's 40 PCNs
    referrals = impact.difference_in_differences(series, staffing, "cmht_referrals", suppress=False)
    pooled = referrals.set_index("pcn_code").loc["All that started"]
    built = demo.MHP_EFFECT["cmht_referrals"] * pooled.before  # 15% fewer, per 1,000 a month
    assert pooled.lower <= built <= pooled.upper and pooled.upper < 0
    rejected = impact.difference_in_differences(series, staffing, "cmht_rejected", suppress=False)
    pooled = rejected.set_index("pcn_code").loc["All that started"]
    assert pooled.lower <= 100 * demo.MHP_EFFECT["cmht_rejected"] <= pooled.upper and pooled.upper < 0
    # no effect was built on Talking Therapies waits: none found
    waits = impact.difference_in_differences(series, staffing, "tt_long_wait", suppress=False)
    pooled = waits.set_index("pcn_code").loc["All that started"]
    assert pooled.lower <= 0 <= pooled.upper


def test_no_effect_is_found_where_none_was_built(tmp_path, monkeypatch):
    monkeypatch.setattr(demo, "MHP_EFFECT", {"cmht_referrals": 0.0, "cmht_rejected": 0.0})
    demo.write_demo(tmp_path / "demo", "icb", seed=2024)
    store.build(tmp_path / "demo", tmp_path / "null.duckdb")
    con = database.connection(str(tmp_path / "null.duckdb"))
    series, staffing = impact.monthly(con, False), impact.staffing(con)
    for measure in ("cmht_referrals", "cmht_rejected"):
        pooled = impact.difference_in_differences(series, staffing, measure, suppress=False).set_index(
            "pcn_code").loc["All that started"]
        assert pooled.lower <= 0 <= pooled.upper, measure


def test_small_monthly_counts_are_suppressed(demo_series):
    """One PCN's months: rejected CMHT referrals run to a few a month; with suppression on, no count of 1-7 is
    shown and each value comes from the counts as shown (rounded to 5)."""
    series, staffing = demo_series
    one = staffing[staffing.pcn_code == "U90013"]
    shown = impact.event_series(series, one, "cmht_rejected", suppress=True)
    exact = impact.event_series(series, one, "cmht_rejected", suppress=False)
    assert ((exact.events >= 1) & (exact.events <= 7)).any()  # there are small counts to hide
    assert not ((shown.events >= 1) & (shown.events <= 7)).any()
    assert (shown.events.dropna() % 5 == 0).all()
    kept = shown.dropna(subset=["events", "exposure"])
    assert kept.value.tolist() == pytest.approx((100 * kept.events / kept.exposure).tolist())


@pytest.mark.parametrize("text, said", [
    ("pcn_code,role,wte\nU1,nurse,1\n", "staff.csv, row 2, column role: 'nurse' is not adult or cyp."),
    ("pcn_code,role,wte,start_date\nU1,adult,1,31/02/2022\n", "row 2, column start_date: '31/02/2022' is not a date"),
    ("pcn_code,role,wte,band\nU1,adult,1,9\n", "row 2, column band: '9' is not an AfC band"),
    ("pcn_code,role,wte,start_date,end_date\nU1,adult,1,2022-05-01,2022-01-01\n", "row 2, column end_date: it is before"),
    ("pcn_code,role\nU1,adult\n", "row 1: the column wte is missing"),
    ("pcn_code,role,wte\nU1,adult,-1\n", "row 2, column wte: '-1' is not a WTE"),
])
def test_a_bad_staffing_file_is_named_by_row_and_column(text, said):
    with pytest.raises(workforce.StaffingFileError, match=None) as caught:
        staffing_of(text)
    assert said in str(caught.value)


def test_a_bad_staffing_file_in_the_folder_stops_the_build_and_changes_nothing(demo_copy, demo_db, tmp_path):
    import shutil

    db = tmp_path / "kept.duckdb"
    shutil.copy(demo_db, db)
    before = db.read_bytes()
    (demo_copy / "staffing" / "mhp_staffing.csv").write_text("pcn_code,role,wte,start_date\nU90001,adult,x,2022-01-01\n")
    with pytest.raises(store.BuildFailed) as failed:
        store.build(demo_copy, db)
    assert "staffing/mhp_staffing.csv, row 2, column wte: 'x' is not a WTE" in str(failed.value)
    assert db.read_bytes() == before


def test_the_mhp_impact_page(demo_db, monkeypatch):
    monkeypatch.setattr("phm_profile.ui.database_path", lambda: demo_db)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.query_params.update({"period": "2023-24", "icb": "QZB", "pcn": "U90001"})
    at.run()
    at.switch_page("pages/6_MHP_impact.py").run()
    assert not at.exception
    status = next(d.value for d in at.dataframe if "status" in d.value.columns)
    assert set(status.status) <= {"No MHP", "Below entitlement", "At or above entitlement", impact.NO_RETURN}
    # Not in the demo's staffing file, and no return in the latest PCN Workforce edition: not known, not "No MHP"
    assert (status.set_index("pcn_code").loc["U90002", "status"]) == impact.NO_RETURN
    assert (status.status == "No MHP").sum() > 0
    at = open_view(at, "Before and after")
    assert not at.exception and at.get("plotly_chart")
    assert any("difference in differences" in m.value for m in at.markdown)
    assert any("Not a trial" in c.value for c in at.caption)
    at.radio(key="impact_whose").set_value("Demo PCN 0001 (synthetic) only").run()  # U90001 started in July 2021
    assert any("in this 1 PCN" in m.value for m in at.markdown)
    own = next(t for t in chart_traces(at) if t["name"] == "PCNs with MHPs")
    con = database.connection(str(demo_db))
    series = impact.event_series(impact.monthly(con, True), impact.staffing(con), "cmht_referrals", ["U90001"], True)
    assert own["y"] == pytest.approx(series[series.group == "PCNs with MHPs"].value.tolist())
    at = open_view(at, "Return on investment")
    at.number_input(key="roi_unit_cost").set_value(250.0).run()
    said = " ".join(m.value for m in at.markdown)
    assert "CMHT referrals not made" in said and "Valued at your unit cost" in said


def test_staffing_loaded_or_edited_in_its_dialog_is_what_the_impact_page_uses(demo_db, monkeypatch):
    """The staffing opens in a dialog (ui.staffing); what "Use this staffing" keeps, for this database and session,
    is said on the page and used by every view; going back to the file restores the file's."""
    monkeypatch.setattr("phm_profile.ui.database_path", lambda: demo_db)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.query_params.update({"period": "2023-24", "icb": "QZB", "pcn": "U90001"})
    at.run()
    at.switch_page("pages/6_MHP_impact.py").run()
    con = database.connection(str(demo_db))
    census = mhp.staffing_edition(con, "2023-24")
    used = mhp.compose_staffing(impact.staffing(con), mhp.staffing(con, census), census, "2023-24")
    listed = impact.staffing(con).pcn_code.nunique()  # the file's PCNs; the March 2024 edition for every other
    assert used.source == (f"the staffing file loaded with the data for its {listed} PCNs, NHS England, Primary Care "
                           "Network Workforce, March 2024 for every other PCN")
    assert any(c.value == text.markdown(f"Staffing from {used.source}: {len(used.frame)} posts "
                                        "(used on every MHP page).") for c in at.caption)
    at.button(key="staffing_edit").click().run()
    assert not at.exception
    assert any(c.value.startswith(f"From {text.markdown(used.source)}: {len(used.frame)} posts.")
               for c in at.caption)
    mine = staffing_of("pcn_code,role,band,wte,start_date\nU90002,adult,5,1.0,2022-04-01\n")
    at.session_state["_staffing"] = {database.database_key(demo_db): (mine, "mine.csv")}  # as "Use" keeps it
    at.run()
    assert any(c.value == text.markdown("Staffing from mine.csv: 1 post (used on every MHP page).") for c in at.caption)
    status = next(d.value for d in at.dataframe if "status" in d.value.columns).set_index("pcn_code")
    assert status.loc["U90002", "status"] != "No MHP" and status.loc["U90001", "status"] == "No MHP"
    # the same staffing on the other MHP pages: allocation's current WTE, the workforce plan's current staff
    at.switch_page("pages/5_MHP_allocation.py").run()
    assert any(c.value == text.markdown("No floors; current staffing from mine.csv.") for c in at.caption)
    at.switch_page("pages/4_Workforce_plan.py").query_params["pcn"] = "U90002"
    at.run()
    assert at.number_input(key="current_adult_U90002").value == 1.0
    assert any(c.value.startswith("Current WTE from mine.csv") for c in at.caption)
