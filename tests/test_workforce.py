"""ARRS entitlement, cost split, need and pool allocation, worked by hand."""

import numpy as np
import pandas as pd
import pytest

from phm_profile import workforce as w
from phm_profile.money import Money


@pytest.mark.parametrize("year, small, large", [
    ("2020-21", 0, 0), ("2021-22", 1, 2), ("2022-23", 2, 4), ("2023-24", 3, 6), ("2024-25", 3, 6),
])
def test_entitlement_either_side_of_100000_patients(year, small, large):
    assert w.entitlement(99_999, year) == small
    assert w.entitlement(100_000, year) == large


def test_one_adult_and_one_cyp_role_doubled_for_large_pcns():
    assert w.roles_entitled(99_999, "2022-23") == {"adult": 1, "cyp": 1}
    assert w.roles_entitled(100_000, "2022-23") == {"adult": 2, "cyp": 2}
    assert w.roles_entitled(100_000, "2020-21") == {"adult": 0, "cyp": 0}


@pytest.mark.parametrize("band", w.BANDS)
def test_cost_split_of_one_wte_at_each_band(band):
    money = Money()
    cost, cap = money.employment_cost("2023-24", band).value, money.annual_cap("2023-24", band).value
    split = w.cost_split(1.0, cost, cap)
    # The PCN pays half of salary + on-costs and claims it back up to half the cap; the provider pays the rest.
    assert split.employment_cost == pytest.approx(cost)
    assert split.pcn_contribution == pytest.approx(cost / 2)
    assert split.arrs_reimbursement == pytest.approx(min(cost, cap) / 2)
    assert split.net_pcn_cost == pytest.approx(max(cost - cap, 0) / 2)
    assert split.provider_share == pytest.approx(cost / 2)
    # A post costing 2,000 more than the cap: the PCN carries half the excess itself.
    dear = w.cost_split(1.0, cap + 2_000, cap)
    assert dear.net_pcn_cost == pytest.approx(1_000) and dear.provider_share == pytest.approx(cap / 2 + 1_000)


def test_written_agreement_reimburses_further_mhps_in_full():
    # 2.5 WTE at 60,000 with a 62,340 cap, the first 1.0 at 50%, the further 1.5 at 100% (2026/27 rule).
    split = w.cost_split(2.5, 60_000, 62_340, full_wte=1.5)
    assert split.pcn_contribution == pytest.approx(30_000 + 90_000)
    assert split.provider_share == pytest.approx(30_000)
    assert split.arrs_reimbursement == pytest.approx(30_000 + 90_000) and split.net_pcn_cost == 0


def test_capacity_per_wte_by_hand():
    # The default: about 1,290 appointments a WTE a year (Lord et al. 2024, FACTS.md), 4 per patient.
    assert w.patients_per_wte(w.Assumptions()) == pytest.approx(1_290 / 4)
    assert w.patients_per_wte(w.Assumptions(appointments_per_wte=1_000, contacts_per_patient=0)) == 1_000


def inputs(**changes):
    row = dict(pcn_code="U1", list_size=50_000, smi_register=500, depression_register=5_000, expected_cmd=7_000,
               cmht_rejected=100, tt_long_waits=200, under_18=10_000, imd_score=20.0, england_imd_score=20.0)
    row.update(changes)
    return pd.DataFrame([row])


def test_need_by_hand():
    a = w.Assumptions()
    got = w.need(inputs(), a).iloc[0]
    adult = 0.20 * 500 + 0.03 * 5_000 + 0.01 * 2_000 + 0.75 * 100 + 0.25 * 200
    assert got.adult_demand == pytest.approx(adult)
    assert got.cyp_demand == pytest.approx(0.01 * 10_000)
    assert got.need_wte == pytest.approx((adult + 100) / w.patients_per_wte(a))


@pytest.mark.parametrize("field, change, direction", [
    ("smi_share", 0.1, +1), ("depression_share", 0.01, +1), ("unrecorded_cmd_share", 0.01, +1),
    ("rejected_referral_share", 0.1, +1), ("long_wait_share", 0.1, +1), ("cyp_share", 0.01, +1),
    ("deprivation_uplift", 0.5, +1), ("appointments_per_wte", 300, -1),
    ("contacts_per_patient", 1, +1),
])
def test_suggestion_moves_the_expected_way_with_each_assumption(field, change, direction):
    deprived = inputs(imd_score=30.0)  # more deprived than England, so the uplift has something to act on
    base = w.Assumptions()
    moved = base.replace(**{field: getattr(base, field) + change})
    before = w.need(deprived, base).need_wte.iloc[0]
    after = w.need(deprived, moved).need_wte.iloc[0]
    assert np.sign(after - before) == direction


def test_allocation_sums_to_the_pool_exactly_by_largest_remainder():
    got = w.allocate(10, [1, 1, 1])
    assert got.tolist() == [4, 3, 3]  # 3.33 each: the one spare post goes to the first on a tie
    tenth = w.allocate(10, [1, 1, 1], step=0.1)
    assert tenth.sum() == pytest.approx(10)
    assert tenth.tolist() == pytest.approx([3.4, 3.3, 3.3])
    assert w.allocate(7, [5, 3, 2]).tolist() == [4, 2, 1]  # quotas 3.5, 2.1, 1.4: remainders .5 > .4 > .1


def test_allocation_respects_floors():
    got = w.allocate(10, [8, 1, 1], floors=[0, 2, 2])
    assert got.tolist() == [6, 2, 2]
    assert got.sum() == 10
    with pytest.raises(ValueError, match="floors add up to 12"):
        w.allocate(10, [1, 1], floors=[6, 6])


def test_needier_pcn_of_equal_size_gets_more_and_unchanged_inputs_give_the_same_answer():
    two = pd.concat([inputs(pcn_code="A"), inputs(pcn_code="B", smi_register=2_000)], ignore_index=True)
    table = w.allocation_table(two, "2023-24", pool=10)
    assert table.allocated_wte.sum() == 10
    a, b = table.allocated_wte
    assert b > a
    again = w.allocation_table(two, "2023-24", pool=10)
    pd.testing.assert_frame_equal(table, again)
    # Default pool: the sum of entitlements (3 WTE each below 100,000 patients in 2023-24).
    assert w.allocation_table(two, "2023-24", pool=None).allocated_wte.sum() == 6


def test_workforce_plan_by_year_and_role():
    money = Money()
    plan = w.workforce_plan(inputs().iloc[0], ["2021-22", "2023-24", "2026-27"], {"adult": 0.5},
                            {"adult": "7", "cyp": "5"}, money, weighted_population=60_000)
    assert list(plan.year) == ["2021-22", "2021-22", "2023-24", "2023-24", "2026-27", "2026-27"]
    first = plan.iloc[0]
    assert first.entitlement_wte == 0.5 and first.suggested_wte == 0.5  # 1 WTE in 2021-22, two roles
    assert first.rule == "entitlement (the guide's WTE)"
    cost, cap = money.employment_cost("2021-22", "7").value, money.annual_cap("2021-22", "7").value
    assert first.arrs_reimbursement == pytest.approx(0.5 * min(cost, cap) / 2)
    assert first.money == "assumption (derived)"  # no 2021/22 pay table or cap was gathered
    later = plan[(plan.year == "2023-24") & (plan.role == w.ROLE_NAMES["adult"])].iloc[0]
    # Caps on numbers removed in 2023/24: need, rounded up, not capped by the guide's 1.5 WTE.
    assert later.suggested_wte == max(w.round_up(later.need_wte), 0.5)
    assert later.posts == int(np.ceil(later.suggested_wte))
    ahead = plan[plan.year == "2026-27"]
    envelope = money.per_head("2026-27").value * 60_000
    assert ahead.arrs_envelope.iloc[0] == pytest.approx(envelope)
    assert ahead.envelope_share.sum() == pytest.approx(ahead.arrs_reimbursement.sum() / envelope)
    assert (ahead.rule == "the PCN's ARRS envelope").all()


def test_plan_year_totals_and_summary_and_staffing_file():
    plan = w.workforce_plan(inputs().iloc[0], ["2022-23", "2023-24"], {"adult": 0.5}, {"adult": "7", "cyp": "5"})
    rows, totals = w.plan_year(plan, "2023-24")
    assert len(rows) == 2
    assert totals.entitlement_wte == 3.0  # 3 WTE from 2023-24 below 100,000 patients
    assert totals.suggested_wte == pytest.approx(rows.suggested_wte.iloc[0] + rows.suggested_wte.iloc[1])
    assert totals.posts == rows.posts.sum()
    assert totals.employment_cost == pytest.approx(totals.provider_share + totals.pcn_contribution)
    sentences = w.plan_summary(totals, "2023-24", w.year_rule("2023-24"))
    assert sentences[0].startswith("In 2023-24 the limit is no cap on numbers")
    assert f"Need ({totals.need_wte:.1f} WTE)" in sentences[0] and "entitlement (3.0 WTE)" in sentences[0]
    assert f"in {int(totals.posts)} posts cost £{totals.employment_cost:,.0f}" in sentences[1]
    staffing = w.read_current_staffing(b"pcn_code,role,wte\nU1,adult,1.0\nU1,adult,0.4\nU2,cyp,1\n", "staff.csv")
    assert w.staffing_wte(staffing, "U1", "adult") == pytest.approx(1.4)
    assert w.staffing_wte(staffing, "U1", "cyp") == 0.0
    assert w.staffing_wte(None, "U1", "adult") == 0.0
    assert w.icb_entitlement(pd.DataFrame({"list_size": [99_999, 100_000]}), "2023-24") == 9.0


def test_allocation_totals_add_up_every_pcn():
    table = w.allocation_table(pd.concat([inputs(pcn_code="U1"), inputs(pcn_code="U2", list_size=120_000)]),
                               "2023-24", None, current={"U1": 1.5})
    totals = w.allocation_totals(table)
    assert totals.allocated_wte == 3.0 + 6.0  # the pool defaults to the sum of entitlements
    assert totals.current_wte == 1.5
    assert totals.need_wte == pytest.approx(table.need_wte.sum())
