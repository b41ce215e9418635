"""The workforce plan and MHP allocation pages through AppTest: what they show is the module's numbers,
and moving an assumption moves them."""

import io

import pandas as pd
import pytest
from conftest import ROOT, open_view, tiles
from streamlit.testing.v1 import AppTest

from phm_profile import exports, money, views, workforce


@pytest.fixture
def app(demo_db, monkeypatch):
    monkeypatch.setattr("phm_profile.ui.database_path", lambda: demo_db)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.session_state["_suppress"] = False  # these tests compare exact figures; tests/test_privacy.py turns it on
    at.query_params.update({"period": "2023-24", "icb": "QZA", "pcn": "U90003"})
    return at


def allocation(at):
    """The allocation table as shown (readable headers) with the module's column names back (its view opened)."""
    if not any("Allocated (WTE)" in d.value for d in at.dataframe):
        open_view(at, "Table")
    shown = next(d.value for d in at.dataframe if "Allocated (WTE)" in d.value)
    return shown.rename(columns={label: c for c, (label, _) in workforce.ALLOCATION_COLUMNS.items()})


def metric(at, label):
    return next(m.value for m in tiles(at) if m.label == label)


def test_workforce_plan_shows_the_module_plan_and_follows_each_control(app, demo_db):
    """The tiles and table are the module's plan for this financial year, and each control moves what it should:
    an assumption the need, current staff and the band the money, the pay point and uplift the cost, the weighted
    population the envelope share, the written agreement who pays."""
    at = app.run()
    at.switch_page("pages/4_Workforce_plan.py").run()
    assert not at.exception
    row = views.workforce_inputs(str(demo_db), "QZA", "2023-24", False).set_index("pcn_code").loc["U90003"]
    history, ahead = money.plan_years()
    years, year = history + ahead, ahead[0]
    assert at.selectbox(key="plan_year").value == year  # this financial year, from the clock

    def expected(current={"adult": 0, "cyp": 0}, bands={"adult": "7", "cyp": "7"}, a=workforce.Assumptions(),
                 point="middle", uplift=money.DEFAULT_UPLIFT, weighted=None, agreement=False):
        plan = workforce.workforce_plan(row, years, current, bands, money.Money(uplift), a, point,
                                        weighted or row.list_size, agreement)
        return workforce.plan_year(plan, year)[1]

    def tiles_match(totals):
        assert metric(at, "Suggested") == f"{totals.suggested_wte:.1f} WTE"
        for label, column in (("Gross employment cost", "employment_cost"), ("Provider share", "provider_share"),
                              ("PCN contribution", "pcn_contribution"), ("ARRS reimbursement", "arrs_reimbursement"),
                              ("Net cost to the PCN", "net_pcn_cost")):
            assert metric(at, label) == f"£{totals[column]:,.0f}", label

    totals = expected()
    tiles_match(totals)
    assert metric(at, "Guide's entitlement") == f"{workforce.entitlement(row.list_size, year):.1f} WTE"
    low, central, high = workforce.need_range(row)
    assert metric(at, "Need") == f"{central:.1f} WTE"

    at.number_input(key="assume_smi_share").set_value(60.0).run()  # shown in %
    moved = workforce.Assumptions(smi_share=0.6)
    assert metric(at, "Need") == f"{workforce.need_range(row, moved)[1]:.1f} WTE"
    before = metric(at, "Gross employment cost")
    at.selectbox(key="band_adult").select("8a").run()
    tiles_match(expected(bands={"adult": "8a", "cyp": "7"}, a=moved))
    assert metric(at, "Gross employment cost") != before
    at.number_input(key="current_adult_U90003").set_value(4.0).run()
    assert metric(at, "Current") == "4.0 WTE"
    tiles_match(expected({"adult": 4.0, "cyp": 0}, {"adult": "8a", "cyp": "7"}, moved))
    at.selectbox(key="pay_point").select("top").run()
    tiles_match(expected({"adult": 4.0, "cyp": 0}, {"adult": "8a", "cyp": "7"}, moved, "top"))
    at.number_input(key="uplift").set_value(5.0).run()
    tiles_match(expected({"adult": 4.0, "cyp": 0}, {"adult": "8a", "cyp": "7"}, moved, "top", 0.05))
    at.toggle(key="written_agreement").set_value(True).run()
    totals = expected({"adult": 4.0, "cyp": 0}, {"adult": "8a", "cyp": "7"}, moved, "top", 0.05, agreement=True)
    tiles_match(totals)
    assert totals.provider_share < totals.pcn_contribution  # further MHPs paid by the PCN, reimbursed in full
    at.number_input(key="weighted_population").set_value(80_000.0).run()
    assert any("of the PCN's ARRS envelope of £" in m.value for m in at.markdown)
    assert not at.exception


def test_plan_exports_open(demo_db):
    row = views.workforce_inputs(str(demo_db), "QZA", "2023-24", False).set_index("pcn_code").loc["U90003"]
    cash = money.Money()
    plan = workforce.workforce_plan(row, ["2025-26", "2026-27"], {"adult": 1}, {"adult": "6", "cyp": "7"}, cash)
    figures = workforce.money_inputs(cash, ["2024-25", "2026-27"], ["6", "7"])
    book = pd.read_excel(io.BytesIO(exports.plan_xlsx(plan, workforce.Assumptions(), row, figures)), sheet_name=None, header=exports.XLSX_HEADER_ROW,
                         dtype={"AfC band": str, "band": str})
    assert set(book) == {"Plan", "Assumptions", "Inputs", "Money"}
    assert list(book["Plan"].columns[:4]) == ["Year", "Limit that year", "Role", "AfC band"]
    assert book["Plan"]["Gross cost (£)"].sum() == pytest.approx(plan.employment_cost.round(0).sum(), abs=2)
    assert book["Plan"]["Source of the money"].str.contains("FACTS.md").all()
    assert set(book["Money"].status) == {"published", "assumption (derived)"}
    assert book["Assumptions"].set_index("assumption").value["smi_share"] == 0.2
    page = exports.plan_html("Plan", "QZA", plan, workforce.Assumptions(), ["A summary."])
    assert "A summary." in page and "£" in page and "smi share" in page and "entitlement_wte" not in page


def test_allocation_page_shares_the_pool_exactly_and_follows_what_ifs(app, demo_db):
    at = app.run()
    at.switch_page("pages/5_MHP_allocation.py").run()
    assert not at.exception
    inputs = views.workforce_inputs(str(demo_db), "QZA", "2023-24", False)
    entitled = sum(workforce.entitlement(n, "2023-24") for n in inputs.list_size)
    assert metric(at, "Allocated") == f"{entitled:.1f} WTE"
    at.number_input(key="alloc_pool").set_value(40.0).run()
    table = allocation(at)
    assert table.allocated_wte.sum() == 40
    expected = workforce.allocation_table(inputs, "2023-24", 40.0).set_index("pcn_code").allocated_wte
    assert table.set_index("pcn_code").allocated_wte.to_dict() == expected.to_dict()
    at.number_input(key="assume_cyp_share").set_value(5.0).run()  # shown in %
    moved = workforce.allocation_table(inputs, "2023-24", 40.0, workforce.Assumptions(cyp_share=0.05))
    table = allocation(at)
    assert table.set_index("pcn_code").allocated_wte.to_dict() == moved.set_index("pcn_code").allocated_wte.to_dict()
    at.radio(key="alloc_step").set_value(0.1).run()
    assert allocation(at).allocated_wte.sum() == pytest.approx(40)
    # The what-if is in the link, and the weighting is written out with the selected PCN's numbers.
    assert at.query_params["pool"] in ("40", ["40"]) and at.query_params["step"] in ("0.1", ["0.1"])
    at = open_view(at, "Chart")  # the weighting, written out under the chart
    assert any("need-weighted population =" in c.value and "U90003" not in c.value for c in at.caption)


def test_a_shared_allocation_link_reopens_the_same_what_if(app, demo_db):
    app.query_params.update({"pool": "30", "step": "0.1", "floors": "U90003:4,bad:x,U9:1"})
    at = app.run()
    at.switch_page("pages/5_MHP_allocation.py").run()
    assert not at.exception
    table = allocation(at).set_index("pcn_code")
    assert table.allocated_wte.sum() == pytest.approx(30) and table.loc["U90003", "floor_wte"] == 4
    assert table.loc["U90003", "allocated_wte"] >= 4
    inputs = views.workforce_inputs(str(demo_db), "QZA", "2023-24", False)
    shared = workforce.allocation_table(inputs, "2023-24", 30.0, floors={"U90003": 4}, step=0.1)
    xlsx = exports.allocation_xlsx(workforce.allocation_view(shared), workforce.Assumptions(), 30.0, 0.1)
    book = pd.read_excel(io.BytesIO(xlsx), sheet_name=None, header=exports.XLSX_HEADER_ROW)
    assert set(book) == {"Allocation", "Assumptions", "Method"}
    assert book["Allocation"]["Allocated (WTE)"].sum() == pytest.approx(30)
    assert book["Assumptions"].set_index("assumption").loc["appointments_per_wte", "meaning and source"].count("Lord")


def test_money_figures_of_ones_own_replace_the_published_ones_in_the_plan(app, demo_db):
    """The money table opens in a dialog (ui.money_edits); the figures used there are kept for the session, said on
    the page, used by the plan (workforce.with_overrides marks them), and dropped by going back to the published."""
    at = app.run()
    at.switch_page("pages/4_Workforce_plan.py").run()
    history, ahead = money.plan_years()
    year = ahead[0]
    before = metric(at, "Gross employment cost")
    at.button(key="money_edit").click().run()  # the dialog: the table of every year and band
    assert not at.exception
    assert any(c.value.startswith("Published figures are used as published") for c in at.caption)
    at.session_state["_money_overrides"] = {(year, "7", "cost"): 100_000.0}  # as "Use these figures" keeps them
    at.run()
    assert any(c.value.startswith("1 of your own figures in use") for c in at.caption)
    row = views.workforce_inputs(str(demo_db), "QZA", "2023-24", False).set_index("pcn_code").loc["U90003"]
    plan = workforce.workforce_plan(row, history + ahead, {"adult": 0, "cyp": 0}, {"adult": "7", "cyp": "7"},
                                    money.Money(), workforce.Assumptions(), "middle", row.list_size, False,
                                    {(year, "7", "cost"): 100_000.0})
    totals = workforce.plan_year(plan, year)[1]
    assert metric(at, "Gross employment cost") == f"£{totals.employment_cost:,.0f}" != before


def test_with_overrides_puts_ones_own_figures_in_place_and_marks_them():
    shipped = pd.DataFrame({"year": ["2025-26", "2025-26"], "band": ["5", "7"], "cost_per_wte": [40_000.0, 60_000.0],
                            "cap_per_wte": [39_000.0, 58_000.0], "status": ["published"] * 2, "source": ["s", "t"]})
    shown = workforce.with_overrides(shipped, {("2025-26", "7", "cap"): 61_000.0, ("2030-31", "5", "cost"): 1.0})
    assert shown.cap_per_wte.tolist() == [39_000.0, 61_000.0] and shown.cost_per_wte.tolist() == [40_000.0, 60_000.0]
    assert shown.status.tolist() == ["published", "your figure"]
    assert workforce.money_overrides(shipped, shown) == {("2025-26", "7", "cap"): 61_000.0}  # the round trip
    assert shipped.status.tolist() == ["published", "published"]  # the shipped table untouched


def test_floors_and_current_staffing_set_in_their_dialog_move_the_allocation(app, demo_db):
    """The floors and current WTE open in a dialog (ui.floors_and_current); what "Use these figures" keeps (floors
    in the link, changed current WTE for the session) is said on the page and shared as allocation_table does."""
    at = app.run()
    at.switch_page("pages/5_MHP_allocation.py").run()
    # the data's staffing file for its PCNs, the PCN Workforce edition of the year for every other PCN
    said = next(c.value for c in at.caption if c.value.startswith("No floors; current staffing from "))
    assert said.startswith("No floors; current staffing from the staffing file loaded with the data for its ")
    assert said.endswith("NHS England, Primary Care Network Workforce, March 2024 for every other PCN.")
    at.button(key="alloc_edit").click().run()
    assert not at.exception
    assert any(c.value.startswith("A floor is the WTE a PCN gets at least") for c in at.caption)
    at.query_params["floors"] = "U90003:4"  # as "Use these figures" keeps them
    at.session_state["_alloc_current"] = {"U90003": 2.5}
    at.run()
    assert any(c.value == "Floors set for 1 PCN; current staffing as you set it." for c in at.caption)
    table = allocation(at).set_index("pcn_code")
    assert table.loc["U90003", "floor_wte"] == 4 and table.loc["U90003", "current_wte"] == 2.5
    inputs = views.workforce_inputs(str(demo_db), "QZA", "2023-24", False)
    pool = float(at.number_input(key="alloc_pool").value)
    posted = workforce_posted(demo_db)
    expected = workforce.allocation_table(inputs, "2023-24", pool, floors={"U90003": 4.0},
                                          current={c: 2.5 if c == "U90003" else float(posted.get(c, 0.0))
                                                   for c in inputs.pcn_code})
    assert table.allocated_wte.to_dict() == expected.set_index("pcn_code").allocated_wte.to_dict()


def workforce_posted(demo_db):
    from phm_profile import impact

    return impact.in_post_at_year_end(views.impact_staffing(str(demo_db)), "2023-24")


def test_current_staffing_comes_from_the_staffing_file_kept_with_the_data(demo_db, monkeypatch):
    """Without a file loaded on the page, the current WTE of each role is what the data's staffing file has in post
    on 31 March of the year (as on the MHP allocation and MHP impact pages), for the PCN shown."""
    from phm_profile import impact

    monkeypatch.setattr("phm_profile.ui.database_path", lambda: demo_db)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.session_state["_suppress"] = False
    at.query_params.update({"period": "2023-24", "icb": "QZB", "pcn": "U90001"})
    at.run()
    at.switch_page("pages/4_Workforce_plan.py").run()
    kept = impact.in_post_at_year_end(views.impact_staffing(str(demo_db)), "2023-24", by_role=True)
    expected = {role: float(kept.get(("U90001", role), 0.0)) for role in workforce.ROLES}
    assert sum(expected.values()) > 0  # the demo's U90001 has MHPs
    assert {role: at.number_input(key=f"current_{role}_U90001").value for role in workforce.ROLES} == expected
    assert metric(at, "Current") == f"{sum(expected.values()):.1f} WTE"
    assert any(c.value.startswith("Current WTE from the staffing file loaded with the data") for c in at.caption)
