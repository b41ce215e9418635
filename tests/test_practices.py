"""The practices inside a PCN (issue 27, part 1): each practice's value, interval, count and list for an indicator,
against its PCN, ICB and England, from the same model as the PCN's figures (area_indicator_values); with
suppression on, a practice's count of 1-7 hidden and never recoverable from the PCN's total minus the others."""

import numpy as np
import pandas as pd
import pytest
from conftest import ROOT
from streamlit.testing.v1 import AppTest

from phm_profile import database, queries, release, stats, suppression, wording


def con_of(db):
    return database.connection(database.database_key(db))


def test_a_pcns_practices_add_up_to_the_pcn_on_every_indicator(demo_db):
    con = con_of(demo_db)
    differ = con.execute("""
        SELECT p.pcn_code, p.period, p.indicator FROM pcn_profile p
        JOIN practice_profile x USING (pcn_code, period, indicator)
        GROUP BY p.pcn_code, p.period, p.indicator, p.numerator, p.denominator
        HAVING p.numerator <> sum(x.numerator) OR coalesce(p.denominator, 0) <> coalesce(sum(x.denominator), 0)
    """).fetchall()
    assert differ == []
    indicators = {r[0] for r in con.execute("SELECT DISTINCT indicator FROM practice_profile").fetchall()}
    assert {"list_size", "prev_mh", "prev_dep"} <= indicators


def test_a_practices_value_is_its_register_over_its_list_with_wilsons_interval(demo_db):
    """Hand-worked from the practice's QOF row: SMI register / list x 100, Wilson's 95% interval, compared with
    its PCN's value."""
    con = con_of(demo_db)
    code, register, size = con.execute("""
        SELECT practice_code, register, denominator FROM practice_prevalence
        WHERE period = '2023-24' AND group_code = 'MH' ORDER BY practice_code LIMIT 1""").fetchone()
    pcn = con.execute("SELECT pcn_code FROM practice_pcn WHERE period = '2023-24' AND practice_code = ?",
                      [code]).fetchone()[0]
    rows = queries.practices_in_pcn(con, pcn, "2023-24", "prev_mh", False).set_index("practice_code")
    row = rows.loc[code]
    assert row.numerator == register and row.denominator == size
    assert row.value == pytest.approx(register / size * 100)
    assert row.lower_95 == pytest.approx(stats.wilson_lower(register, size, 0.95) * 100)
    assert row.upper_95 == pytest.approx(stats.wilson_upper(register, size, 0.95) * 100)
    pcn_value = con.execute("SELECT value FROM pcn_profile WHERE pcn_code = ? AND period = '2023-24' "
                            "AND indicator = 'prev_mh'", [pcn]).fetchone()[0]
    assert row.pcn_value == pytest.approx(pcn_value)
    assert row.vs_pcn == stats.compare([row.lower_95], [row.upper_95], [pcn_value])[0]
    assert list(rows.value) == sorted(rows.value, reverse=True)  # highest first


def _practices(counts, lists):
    n = len(counts)
    return pd.DataFrame({
        "practice_code": [f"P{i}" for i in range(n)], "practice_name": [f"Practice {i}" for i in range(n)],
        "pcn_code": "U1", "icb_code": "Q1", "period": "2024-25", "indicator": "prev_mh",
        "numerator": np.array(counts, dtype=float), "denominator": np.array(lists, dtype=float),
        "value": np.array(counts) / np.array(lists) * 100, "lower_95": np.nan, "upper_95": np.nan,
        "lower_998": np.nan, "upper_998": np.nan, "pcn_value": np.nan, "icb_value": np.nan, "england_value": np.nan,
        "vs_pcn": "similar", "vs_icb": "similar", "vs_england": "similar", "closed": False,
        "not_gp_practice": False, "setting": "4", "kind": "proportion", "multiplier": 100.0})


def test_a_hidden_practice_count_takes_the_next_smallest_with_it():
    """Hand-worked: registers 5, 40, 101 and 62 in one PCN (total 208, released 210). 5 is hidden (1-7); were it
    alone, 210 - (40 + 100 + 60) = 10 would put it within the rounding. So 40, the next smallest, is hidden too,
    and every shown figure comes from the released counts."""
    frame = _practices([5, 40, 101, 62], [1000, 2000, 3000, 2500])
    profile = pd.DataFrame({"pcn_code": ["U1"], "period": ["2024-25"], "indicator": ["prev_mh"], "value": [2.6],
                            "icb_value": [2.0], "england_value": [1.0]})
    out = release.released_practices(frame, profile).set_index("practice_code")
    assert out.numerator.isna().tolist() == [True, True, False, False]
    assert out.loc[["P0", "P1"], "vs_pcn"].tolist() == ["suppressed", "suppressed"]
    assert out.loc[["P0", "P1"], "value"].isna().all() and out.loc[["P0", "P1"], "lower_95"].isna().all()
    assert out.loc["P2", "numerator"] == 100 and out.loc["P3", "numerator"] == 60  # rounded to 5
    assert out.loc["P2", "value"] == pytest.approx(round(100 / 3000 * 100, 2))  # from the released count
    assert out.loc["P2", "lower_95"] == pytest.approx(round(stats.wilson_lower(100, 3000, 0.95) * 100, 2))
    assert (out.pcn_value == 2.6).all()  # the PCN's released value, not the exact one


def test_with_suppression_no_practice_count_of_1_to_7_can_be_seen_or_subtracted(demo_db):
    """Over every PCN, year and indicator of the released practices: no count of 1-7, and where a practice's
    count is hidden while its PCN's total is shown, at least one other practice of the PCN is hidden too."""
    released = release.cursor(con_of(demo_db))
    frame = released.execute("SELECT * FROM practice_profile").df()
    assert not suppression.is_small(frame.numerator).any()
    totals = released.execute("SELECT pcn_code, period, indicator, numerator AS total FROM pcn_profile").df()
    hidden = (frame.assign(hidden=frame.vs_pcn == "suppressed")
              .groupby(["pcn_code", "period", "indicator"]).hidden.sum().reset_index()
              .merge(totals, on=["pcn_code", "period", "indicator"]))
    assert not ((hidden.hidden == 1) & hidden.total.notna()).any()


def test_the_practices_view_shows_each_practice_against_its_pcn(demo_db, monkeypatch):
    monkeypatch.setattr("phm_profile.ui.database_path", lambda: demo_db)
    at = AppTest.from_file(str(ROOT / "pages" / "1_PCN_profile.py"), default_timeout=120)
    at.query_params.update({"period": "2023-24", "icb": "QZB", "pcn": "U90001", "view": "Practices",
                            "indicator": "prev_mh"})
    at.run()
    assert not at.exception
    practices = queries.practices_in_pcn(con_of(demo_db), "U90001", "2023-24", "prev_mh", True)
    table = next(d.value for d in at.dataframe if "Practice code" in d.value.columns)
    assert list(table["Practice code"]) == list(practices.practice_code)
    assert table["Value"].tolist() == pytest.approx(practices.value.round(2).tolist())
    said = " ".join(m.value for m in at.markdown)
    higher = practices[practices.vs_pcn == "higher"]
    assert f"{len(higher)} significantly higher than the PCN" in said
    assert any("control limits around the PCN's practices pooled" in c.value for c in at.caption)


def test_ods_flags_closed_and_non_gp_practices_and_says_when_it_is_not_loaded():
    assert wording.practice_flag(True, False, "4") == "closed"
    assert wording.practice_flag(False, True, "8") == "not a GP practice (ODS setting 8)"
    assert wording.practice_flag(False, False, "4") == "open GP practice"
    assert wording.practice_flag(pd.NA, pd.NA, None).startswith("not known")


def test_a_count_whose_complement_is_small_is_hidden_too():
    """Hand-worked: a care-home practice with 95 of its 100 patients aged 65+ would give back 5 under 65: its
    count is hidden, and the next smallest of the PCN with it."""
    frame = _practices([95, 300, 400], [100, 2000, 3000]).assign(indicator="age_65_plus")
    profile = pd.DataFrame({"pcn_code": ["U1"], "period": ["2024-25"], "indicator": ["age_65_plus"], "value": [15.0],
                            "icb_value": [16.0], "england_value": [18.0]})
    out = release.released_practices(frame, profile).set_index("practice_code")
    assert out.numerator.isna().tolist() == [True, True, False]
    assert out.loc["P0", "vs_pcn"] == "suppressed" and pd.isna(out.loc["P0", "value"])


def test_a_hidden_list_takes_the_next_smallest_list_with_it_on_every_row_it_is_the_denominator_of():
    """Hand-worked: a practice with a list of 4 (the real 2024-25 file has one) in a PCN of three: its list is
    hidden, and so is the next smallest list, on the list-size row and on each row that has the list as its
    denominator (aged 65+), so the PCN's list minus the others gives it back nowhere."""
    lists = [4, 4116, 9000]
    size = _practices(lists, [np.nan] * 3).assign(indicator="list_size", kind="count", denominator=np.nan)
    older = _practices([0, 600, 1500], lists).assign(indicator="age_65_plus")
    profile = pd.DataFrame({"pcn_code": ["U1", "U1"], "period": ["2024-25"] * 2,
                            "indicator": ["list_size", "age_65_plus"], "value": [13120.0, 16.0],
                            "icb_value": [1e5, 16.0], "england_value": [1e6, 18.0]})
    out = release.released_practices(pd.concat([size, older], ignore_index=True), profile)
    by = out.set_index(["indicator", "practice_code"])
    assert by.loc["list_size"].numerator.isna().tolist() == [True, True, False]
    assert by.loc["age_65_plus"].denominator.isna().tolist() == [True, True, False]
    assert (by.loc["age_65_plus"].loc[["P0", "P1"], "vs_pcn"] == "suppressed").all()
