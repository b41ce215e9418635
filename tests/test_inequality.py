"""Inequality statistics against OHID's reference vectors (PHEindicatormethods 2.1.0): every phe_sii call of
testSII.R's calculation tests on testdata_SII.xlsx (the SII, RII and intercept exactly, the simulated limits within
the R tests' tolerance of 0.05), and testQuantiles.R's phe_quantile cases on testdata_Quantiles.xlsx (exactly)."""

import numpy as np
import pandas as pd
import pytest
from conftest import REFERENCE, needs_reference

from phm_profile import stats

#: Each call of phe_sii in testSII.R's calculation tests: (what, first and last row (R's 1-based rows), arguments,
#: the rows holding the expected results, and the expected columns by the name sii() gives them).
ONE_LEVEL = {"sii": "sii", "rii": "rii", "sii_lower_95_0cl": "sii_lowercl_1", "sii_upper_95_0cl": "sii_uppercl_1",
             "rii_lower_95_0cl": "rii_lowercl_1", "rii_upper_95_0cl": "rii_uppercl_1"}
AT_99 = {k.replace("95_0", "99_0"): v for k, v in ONE_LEVEL.items()}
NO_RII = {k: v for k, v in ONE_LEVEL.items() if not k.startswith("rii")}
AT_95_98 = {**ONE_LEVEL, "sii_lower_98_0cl": "sii_lowercl_2", "sii_upper_98_0cl": "sii_uppercl_2",
            "rii_lower_98_0cl": "rii_lowercl_2", "rii_upper_98_0cl": "rii_uppercl_2", "intercept": "Intercept"}
CASES = [
    ("normal, se", (1, 20), dict(value_type=0, se=True), (1, 11), ONE_LEVEL),
    ("normal, limits", (1, 20), dict(value_type=0, cls=True), (1, 11), ONE_LEVEL),
    ("normal, intercept", (1, 20), dict(value_type=0, cls=True), (246, 256), {**ONE_LEVEL, "intercept": "Intercept"}),
    ("normal, 99% (decimal)", (21, 40), dict(value_type=0, cls=True, confidence=0.99), (21, 31), AT_99),
    ("normal, 99% (percent)", (21, 40), dict(value_type=0, se=True, confidence=99), (21, 31), AT_99),
    ("normal, 95% and 99%", (226, 245), dict(value_type=0, se=True, confidence=(95, 99)), (226, 236),
     {**ONE_LEVEL, "sii_lower_99_0cl": "sii_lowercl_2", "sii_upper_99_0cl": "sii_uppercl_2",
      "rii_lower_99_0cl": "rii_lowercl_2", "rii_upper_99_0cl": "rii_uppercl_2"}),
    ("normal, 100,000 repetitions", (41, 60), dict(value_type=0, se=True, repetitions=100_000), (41, 51), ONE_LEVEL),
    ("normal, quintiles", (61, 70), dict(value_type=0, se=True), (61, 66), {"sii": "sii"}),
    ("rate, se", (71, 90), dict(value_type=1, se=True), (71, 81), ONE_LEVEL),
    ("rate, limits", (71, 90), dict(value_type=1, cls=True), (71, 81), ONE_LEVEL),
    ("rate, intercept", (71, 90), dict(value_type=1, cls=True), (266, 276), {**ONE_LEVEL, "intercept": "Intercept"}),
    ("proportion, se", (91, 110), dict(value_type=2, se=True), (91, 101), ONE_LEVEL),
    ("proportion, limits", (91, 110), dict(value_type=2, cls=True), (91, 101), ONE_LEVEL),
    ("proportion, count", (91, 110), dict(value_type=2, cls=True, count=True), (91, 101), ONE_LEVEL),
    ("proportion as a rate, intercept", (91, 110), dict(value_type=1, cls=True), (286, 296),
     {**ONE_LEVEL, "intercept": "Intercept"}),
    ("proportion x 100", (111, 130), dict(value_type=2, cls=True, multiplier=100), (111, 121), ONE_LEVEL),
    ("proportion x 100, no RII", (111, 130), dict(value_type=2, cls=True, multiplier=100, rii=False), (111, 121),
     NO_RII),
    ("proportion x -100", (131, 150), dict(value_type=2, cls=True, multiplier=-100), (131, 141), ONE_LEVEL),
    ("proportion x -100, no RII", (131, 150), dict(value_type=2, cls=True, multiplier=-100, rii=False), (131, 141),
     NO_RII),
    # transform = TRUE: the regression on the log (rates) or logit (proportions) scale
    ("rate, log transform", (306, 325), dict(value_type=1, cls=True, transform=True), (306, 316),
     {**ONE_LEVEL, "intercept": "Intercept"}),
    ("rate, log transform, multiplier -1", (386, 405), dict(value_type=1, cls=True, transform=True, multiplier=-1),
     (386, 396), {**ONE_LEVEL, "intercept": "Intercept"}),
    ("rate, log transform, 98%", (406, 425), dict(value_type=1, cls=True, transform=True, confidence=98), (406, 416),
     {**{k.replace("95_0", "98_0"): v for k, v in ONE_LEVEL.items()}, "intercept": "Intercept"}),
    ("rate, log transform, 95% and 98%", (366, 385), dict(value_type=1, cls=True, transform=True,
                                                          confidence=(95, 98)), (366, 376), {**AT_95_98}),
    ("rate, log transform, no RII", (426, 445), dict(value_type=1, cls=True, transform=True, rii=False), (426, 436),
     NO_RII),
    ("proportion, logit transform", (326, 345), dict(value_type=2, cls=True, transform=True), (326, 336),
     {**ONE_LEVEL, "intercept": "Intercept"}),
    ("proportion, logit transform, multiplier -1", (346, 365), dict(value_type=2, cls=True, transform=True,
                                                                    multiplier=-1), (346, 356),
     {**ONE_LEVEL, "intercept": "Intercept"}),
    ("proportion, logit transform, 98%", (466, 485), dict(value_type=2, cls=True, transform=True, confidence=98),
     (466, 476), {**{k.replace("95_0", "98_0"): v for k, v in ONE_LEVEL.items()}, "intercept": "Intercept"}),
    ("proportion, logit transform, 95% and 98%", (486, 505), dict(value_type=2, cls=True, transform=True,
                                                                  confidence=(95, 98)), (486, 496), {**AT_95_98}),
]


@pytest.fixture(scope="module")
def sii_data():
    return pd.read_excel(REFERENCE / "testdata_SII.xlsx", sheet_name="testdata_SII", engine="openpyxl")


@needs_reference
@pytest.mark.parametrize("what, rows, arguments, expected_rows, columns", CASES, ids=[c[0] for c in CASES])
def test_sii_matches_the_reference(sii_data, what, rows, arguments, expected_rows, columns):
    data = sii_data.iloc[rows[0] - 1:rows[1]]
    arguments = dict(arguments)
    se, cls, count = arguments.pop("se", False), arguments.pop("cls", False), arguments.pop("count", False)
    arguments.setdefault("rii", True)
    arguments.setdefault("repetitions", 10_000)  # testSII.R's no_reps
    got, expected = [], []
    for (_, group), expected_row in zip(data.groupby(["Area", "Grouping1", "Grouping2"], sort=False), expected_rows):
        got.append(stats.sii(group.Quantile, group.Population, None if count else group.Value,
                             x=group.Count if count else None,
                             se=group.StandardError if se else None, lower_cl=group.LowerCL if cls else None,
                             upper_cl=group.UpperCL if cls else None, seed=5, **arguments))
        expected.append(sii_data.iloc[expected_row - 1])
    for name, column in columns.items():
        ours = np.array([g[name] for g in got])
        theirs = np.array([e[column] for e in expected], dtype=float)
        if name in ("sii", "rii", "intercept"):  # the regression itself: exactly
            assert ours == pytest.approx(theirs, rel=1e-9), (what, name)
        else:  # simulated: testthat's tolerance, the mean relative difference of the column (all.equal)
            assert np.abs(ours - theirs).sum() / np.abs(theirs).sum() < 0.05, (what, name, ours, theirs)


def test_sii_by_hand():
    """Five equal quintiles rising by 1 each: the slope over the relative rank 0..1 is 5 (a quintile is 0.2 wide)."""
    got = stats.sii([1, 2, 3, 4, 5], [100] * 5, [10, 11, 12, 13, 14], se=[1e-9] * 5, repetitions=1000, seed=1)
    assert got["sii"] == pytest.approx(5) and got["intercept"] == pytest.approx(9.5)
    assert got["sii_lower_95_0cl"] == pytest.approx(5, abs=1e-6)


def test_sii_refuses_what_phe_sii_refuses():
    with pytest.raises(ValueError, match="between 5 and 100"):
        stats.sii([1, 2, 3], [1, 1, 1], [1, 2, 3], se=[1, 1, 1])
    with pytest.raises(ValueError, match="population"):
        stats.sii([1, 2, 3, 4, 5], [1, 0, 1, 1, 1], [1, 2, 3, 4, 5], se=[1] * 5)


@pytest.fixture(scope="module")
def quantile_data():
    frame = pd.read_excel(REFERENCE / "testdata_Quantiles.xlsx", sheet_name="testdata_Quantiles", engine="openpyxl",
                          keep_default_na=False, na_values=[""])
    frame = frame[frame.Test.str.startswith("Good")].copy()  # as LoadTestdata.R
    frame["invert"] = frame.Polarity.map(lambda p: p is True or p == "RAG - Low is good")
    return frame


@needs_reference
@pytest.mark.parametrize("group_set, groups, n, polarity", [
    ("IndSexReg", ["IndSexRef", "ParentCode"], 10, True),  # within-region deciles, polarity from the field
    ("IndSex", ["IndSexRef"], 7, True),  # septiles within each indicator
    ("None", [], 4, False),  # quartiles of one ungrouped set, highest values in quartile 1 (invert's default)
])
def test_quantiles_match_the_reference(quantile_data, group_set, groups, n, polarity):
    data = quantile_data[quantile_data.GroupSet == group_set]
    assert len(data) > 20
    parts = data.groupby(groups, sort=False) if groups else [("all", data)]
    for _, part in parts:
        invert = bool(part.invert.iloc[0]) if polarity else True
        got = stats.quantiles(part.Value, n, invert=invert)
        assert got == pytest.approx(part.QuantileInGrp.to_numpy(dtype=float), nan_ok=True), part.AreaCode.tolist()


def test_quantiles_by_hand():
    """Ten areas in quintiles, highest first (IMD scores: quintile 1 the most deprived); too few areas: none."""
    assert stats.quantiles([10, 9, 8, 7, 6, 5, 4, 3, 2, 1], 5).tolist() == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]
    assert stats.quantiles([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 5, invert=False).tolist() == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]
    assert np.isnan(stats.quantiles([1, 2, 3], 5)).all()
    assert stats.quantiles([5, np.nan, 5, 4, 3, 2, 1], 5)[[0, 2]].tolist() == [1, 1]  # ties share the lower rank
