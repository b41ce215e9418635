"""The words around the figures (wording.py): hand-worked frames, no database."""

import pandas as pd

from phm_profile import wording


def _profile():
    return pd.DataFrame({
        "indicator": ["list_size", "prev_mh", "imd_score", "svc_cmht_referrals_rejected"],
        "label": ["Registered patients (list size)", "SMI prevalence (%)", "IMD 2019 score, population-weighted",
                  "GP referrals to community mental health teams rejected (%)"],
        "short_label": ["Registered patients", "SMI prevalence (%)", "IMD 2019 score", "CMHT referrals rejected (%)"],
        "kind": ["count", "proportion", "score", "proportion"], "unit": ["people", "%", "score", "%"],
        "decimals": [0, 2, 1, 2], "polarity": ["no judgement"] * 3 + ["higher is worse"],
        "domain": ["Population", "Mental health registers", "Deprivation", "Service usage"],
        "pcn_name": ["Test PCN"] * 4,
        "numerator": [12_345.0, 150.0, 40.66, 30.0], "denominator": [None, 12_345.0, None, 100.0],
        "value": [12_345.0, 1.216, 40.66, 30.0], "lower_95": [None, 1.03, None, 21.9],
        "upper_95": [None, 1.43, None, 39.6], "icb_value": [500_000.0, 1.0, 38.0, 20.0],
        "england_value": [60_000_000.0, 0.99, 41.04, 25.0],
        "vs_icb": ["not compared", "higher", "not compared", "higher"],
        "vs_england": ["not compared", "higher", "not compared", "similar"],
    })


def test_tiles_use_each_indicators_short_label_and_decimals():
    tiles = wording.headline(_profile(), ("list_size", "prev_mh", "imd_score")).set_index("indicator")
    assert tiles.loc["list_size", "shown"] == "12,345" and tiles.loc["list_size", "comparison"] is None
    assert tiles.loc["prev_mh", "short"] == "SMI prevalence (%)" and tiles.loc["prev_mh", "shown"] == "1.22"
    assert tiles.loc["prev_mh", "comparison"] == "England 0.99: higher"
    assert tiles.loc["prev_mh", "icb_comparison"] == "ICB 1.00: higher"
    assert tiles.loc["list_size", "icb_comparison"] is None
    assert tiles.loc["imd_score", "shown"] == "40.7" and tiles.loc["imd_score", "comparison"] == "England 41.0"


def test_the_spine_table_reads_each_comparison_through_its_polarity():
    england = pd.DataFrame({"indicator": ["prev_mh", "svc_cmht_referrals_rejected"], "lo": [0.2, 5.0],
                            "q25": [0.8, 15.0], "q75": [1.1, 28.0], "hi": [2.5, 60.0]})
    table = wording.spine_table(_profile(), england).set_index("Indicator")
    smi = table.loc["SMI prevalence (%)"]
    assert (smi.Count, smi.Value, smi["95% interval"], smi.Lowest) == ("150", "1.22", "1.03 to 1.43", "0.20")
    assert smi["vs England"] == "higher"  # no judgement: higher, not worse
    assert table.loc["IMD 2019 score", "Count"] == "–"  # a score is not a count
    assert table.loc["CMHT referrals rejected (%)", "vs England"] == "similar"
    worse = _profile().assign(vs_england=["not compared", "higher", "not compared", "higher"])
    assert wording.spine_table(worse, england).iloc[3]["vs England"] == "worse"


def test_captions_say_how_a_year_was_worked_out():
    assert wording.map_caption(None).startswith("No map")
    assert "nearest" in wording.map_caption("nearest practice")
    assert wording.deprivation_caption("practice location", False).startswith("Approximate")
    assert wording.deprivation_caption("registrations by LSOA", True).startswith("From where")
    assert wording.deprivation_caption(None, True) == ""
