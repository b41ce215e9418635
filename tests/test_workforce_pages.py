"""The workforce plan and MHP allocation pages through AppTest: what they show is the module's numbers,
and moving an assumption moves them."""

import io

import pandas as pd
import pytest
from conftest import ROOT
from streamlit.testing.v1 import AppTest

from phm_profile import exports, views, workforce


@pytest.fixture
def app(demo_db, monkeypatch):
    monkeypatch.setattr("phm_profile.views.database_path", lambda: demo_db)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.session_state["_suppress"] = False  # these tests compare exact figures; tests/test_privacy.py turns it on
    at.query_params.update({"period": "2023-24", "icb": "QZA", "pcn": "U90003"})
    return at


def allocation(at):
    return next(d.value for d in at.dataframe if "allocated_wte" in d.value)


def metric(at, label):
    return next(m.value for m in at.metric if m.label == label)


def test_workforce_plan_shows_the_module_plan_and_follows_assumptions(app, demo_db):
    at = app.run()
    at.switch_page("pages/4_Workforce_plan.py").run()
    assert not at.exception
    row = views.workforce_inputs(str(demo_db), "QZA", "2023-24", False).set_index("pcn_code").loc["U90003"]
    rates = workforce.reimbursement_table()
    years = sorted(set(rates.year) | {"2023-24"})
    bands = {"adult": "7", "cyp": "7"}
    plan = workforce.workforce_plan(row, years, {"adult": 0, "cyp": 0}, bands, rates)
    now = plan[plan.year == "2023-24"]
    assert metric(at, "Need") == f"{now.need_wte.sum():.1f} WTE"
    assert metric(at, "ARRS entitlement") == f"{workforce.entitlement(row.list_size, '2023-24'):.1f} WTE"
    assert metric(at, "Suggested") == f"{now.suggested_wte.sum():.1f} WTE"
    shown = at.dataframe[0].value
    assert shown.provider_share.sum() == pytest.approx(plan.provider_share.sum())

    at.number_input(key="assume_smi_share").set_value(0.6).run()
    moved = workforce.Assumptions(smi_share=0.6)
    plan = workforce.workforce_plan(row, years, {"adult": 0, "cyp": 0}, bands, rates, moved)
    now = plan[plan.year == "2023-24"]
    assert metric(at, "Need") == f"{now.need_wte.sum():.1f} WTE"

    at.number_input(key="current_adult").set_value(2.0).run()
    at.selectbox(key="band_adult").select("8a").run()
    plan = workforce.workforce_plan(row, years, {"adult": 2.0, "cyp": 0}, {"adult": "8a", "cyp": "7"}, rates, moved)
    now = plan[plan.year == "2023-24"]
    assert metric(at, "Current") == "2.0 WTE"
    assert at.dataframe[0].value.employment_cost.sum() == pytest.approx(plan.employment_cost.sum())


def test_plan_exports_open(demo_db):
    row = views.workforce_inputs(str(demo_db), "QZA", "2023-24", False).set_index("pcn_code").loc["U90003"]
    rates = workforce.reimbursement_table()
    plan = workforce.workforce_plan(row, ["2023-24"], {"adult": 1}, {"adult": "6", "cyp": "7"}, rates)
    book = pd.read_excel(io.BytesIO(exports.plan_xlsx(plan, workforce.Assumptions(), row, rates)), sheet_name=None,
                         dtype={"band": str})
    assert set(book) == {"Plan", "Assumptions", "Inputs", "Rates"}
    pd.testing.assert_frame_equal(book["Plan"], plan, check_dtype=False)
    assert book["Assumptions"].set_index("assumption").value["smi_share"] == 0.2
    page = exports.plan_html("Plan", "QZA", plan, workforce.Assumptions(), ["A summary."])
    assert "A summary." in page and "£" in page and "smi share" in page


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
    at.number_input(key="assume_cyp_share").set_value(0.05).run()
    moved = workforce.allocation_table(inputs, "2023-24", 40.0, workforce.Assumptions(cyp_share=0.05))
    table = allocation(at)
    assert table.set_index("pcn_code").allocated_wte.to_dict() == moved.set_index("pcn_code").allocated_wte.to_dict()
    at.radio(key="alloc_step").set_value(0.1).run()
    assert allocation(at).allocated_wte.sum() == pytest.approx(40)
