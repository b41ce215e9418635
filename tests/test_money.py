"""The money of the workforce plan: published figures used as published (FACTS.md), everything else derived
and flagged, worked by hand; the plan's years from a frozen clock."""

from datetime import date

import pytest

from phm_profile import money as m


def test_this_year_and_the_years_ahead_come_from_the_clock():
    assert m.current_year(date(2026, 11, 29)) == "2026-27"
    assert m.current_year(date(2027, 3, 31)) == "2026-27" and m.current_year(date(2027, 4, 1)) == "2027-28"
    history, ahead = m.plan_years(date(2026, 11, 29))
    assert history == ["2021-22", "2022-23", "2023-24", "2024-25", "2025-26"]
    assert ahead == ["2026-27", "2027-28", "2028-29", "2029-30"]


def test_one_wte_at_band_7_middle_point_in_2025_26_by_hand():
    # FACTS.md: pay 50,273; employer NI 15% above 5,000 from 6 Apr 2025; employer pension 14.38%.
    cost = m.Money().employment_cost("2025-26", "7", "middle")
    assert cost.value == pytest.approx(50_273 + 0.15 * (50_273 - 5_000) + 0.1438 * 50_273)
    assert cost.value == pytest.approx(64_293.21, abs=0.01) and cost.published


def test_the_published_caps_are_used_as_published():
    money = m.Money()
    assert money.cap_on("5", date(2023, 6, 30)).value == 38_187
    assert money.cap_on("4", date(2023, 7, 1)).value == 33_396
    assert money.cap_on("5", date(2023, 7, 1)).value == 40_159
    assert money.cap_on("7", date(2023, 7, 1)).value == 62_340 and money.cap_on("8a", date(2023, 7, 1)).value == 62_340
    assert money.cap_on("5", date(2024, 9, 30)).value == 40_159  # in force until the 1 Oct 2024 uplift
    assert money.cap_on("5", date(2024, 10, 1)).value == 42_437 and money.cap_on("7", date(2024, 10, 1)).value == 65_838
    assert all(money.cap_on(b, date(2024, 10, 1)).published for b in ("5", "7", "8a"))
    # The 2025/26 pay points as published.
    assert [money.pay("2025-26", "7", p).value for p in m.POINTS] == [47_810, 50_273, 54_710]


def test_the_2023_24_cap_is_weighted_by_the_days_before_and_after_1_july():
    cap = m.Money().annual_cap("2023-24", "5")
    # 1 Apr to 30 Jun 2023: 91 days at 38,187; 1 Jul 2023 to 31 Mar 2024: 275 days at 40,159 (2024 is a leap year).
    assert cap.value == pytest.approx((91 * 38_187 + 275 * 40_159) / 366)
    assert cap.published and "38,187 from 01 Apr 2023" in cap.source and "40,159 from 01 Jul 2023" in cap.source


def test_figures_not_published_are_derived_and_said_to_be():
    money = m.Money(uplift=0.03)
    band6 = money.cap_on("6", date(2024, 5, 1))
    assert not band6.published and "no band 6 cap was found" in band6.source
    assert band6.value == pytest.approx(money.employment_cost("2024-25", "6", "middle").value)
    later = money.cap_on("5", date(2025, 5, 1))  # no cap published from 2025/26: grown with the published pay
    assert not later.published and later.value == pytest.approx(42_437 * 33_487 / 32_324)
    pay = money.pay("2027-28", "7", "middle")
    assert not pay.published and pay.value == pytest.approx(50_273 * 1.03 ** 2) and "3.0% a year" in pay.source
    band4 = money.pay("2023-24", "4")
    assert not band4.published and "band 4 pay points were not found" in band4.source


def test_the_envelope_per_weighted_head():
    money = m.Money(uplift=0.02)
    assert money.per_head("2023-24") is None  # no envelope before 2024/25
    assert money.per_head("2024-25").value == 22.894 and money.per_head("2025-26").value == 26.631
    derived = money.per_head("2026-27")  # 2025/26 a head x the pool's growth to 1,754m (provisional)
    assert not derived.published and derived.value == pytest.approx(26.631 * 1_754 / 1_700)
    assert money.per_head("2027-28").value == pytest.approx(derived.value * 1.02)
    # A PCN of 62,000 weighted patients in 2025/26.
    assert 62_000 * money.per_head("2025-26").value == pytest.approx(1_651_122)


def test_every_figure_of_the_plan_names_its_source_or_says_it_is_an_assumption():
    from phm_profile import workforce

    money = m.Money()
    table = workforce.money_inputs(money, ["2024-25", "2026-27"], ["5", "7"])
    assert set(table.status) == {"published", "assumption (derived)"}
    assert table.source.str.contains("FACTS.md").all()
    inputs = __import__("pandas").Series({"list_size": 50_000, "smi_register": 500, "depression_register": 5_000,
                                          "expected_cmd": 7_000, "cmht_rejected": 0, "tt_long_waits": 0,
                                          "under_18": 10_000, "imd_score": 20.0, "england_imd_score": 20.0})
    plan = workforce.workforce_plan(inputs, ["2025-26", "2026-27"], {}, {"adult": "7", "cyp": "7"}, money)
    assert list(plan.envelope_money) == ["published", "published", "assumption (derived)", "assumption (derived)"]
    assert plan.money_source.str.contains("GBP a head").all()
    _, totals = workforce.plan_year(plan, "2026-27")
    assert "GBP a head, assumption (derived))" in workforce.plan_summary(
        totals, "2026-27", "", plan.arrs_envelope.iloc[-1], plan.envelope_money.iloc[-1])[-1]
