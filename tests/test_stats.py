"""stats reproduces OHID's reference vectors (PHEindicatormethods test data) to 1e-6 relative."""

import duckdb
import numpy as np
import pandas as pd
import pytest
from conftest import REFERENCE, needs_reference

from phm_profile import models, stats

pytestmark = needs_reference
REL = 1e-6


def close(actual, expected):
    np.testing.assert_allclose(np.asarray(actual, float), np.asarray(expected, float), rtol=REL, equal_nan=True)


def conf(label):
    return 0.998 if str(label).startswith("99.8") else 0.95


def test_byars_and_wilson_vectors():
    frame = pd.read_excel(REFERENCE / "testdata_Byars_Wilson.xlsx", sheet_name="testdata_B_W")
    for row in frame.itertuples():
        c = conf(row.confidence)
        if row.method == "Byars":
            close(stats.byars_lower(row.x, c), row.lowercl)
            close(stats.byars_upper(row.x, c), row.uppercl)
        else:
            close(stats.wilson_lower(row.x, row.n, c), row.lowercl)
            close(stats.wilson_upper(row.x, row.n, c), row.uppercl)
    assert set(frame.method) == {"Byars", "Wilson"}


def test_proportion_vectors_95_and_998():
    frame = pd.read_excel(REFERENCE / "testdata_Proportion.xlsx", sheet_name="testdata_Prop")
    for multiplier, part in frame.groupby("multiplier"):
        value, lo95, hi95 = stats.proportion(part.Numerator, part.Denominator, 0.95, multiplier)
        _, lo998, hi998 = stats.proportion(part.Numerator, part.Denominator, 0.998, multiplier)
        close(value, part.value)
        close(lo95, part.lower95_0cl), close(hi95, part.upper95_0cl)
        close(lo998, part.lower99_8cl), close(hi998, part.upper99_8cl)


def test_proportion_missing_inputs_give_missing_outputs():
    frame = pd.read_excel(REFERENCE / "testdata_Proportion.xlsx", sheet_name="testdata_Prop_g")
    for (confidence, multiplier), part in frame.groupby(["confidence", "multiplier"]):
        value, lower, upper = stats.proportion(part.Numerator, part.Denominator, conf(confidence), multiplier)
        close(value, part.value), close(lower, part.lowercl), close(upper, part.uppercl)
    assert frame.value.isna().sum() >= 3


def test_rate_vectors_exact_below_10_byars_from_10():
    frame = pd.read_excel(REFERENCE / "testdata_Rate.xlsx", sheet_name="testdata_Rate")
    for multiplier, part in frame.groupby("multiplier"):
        value, lo95, hi95 = stats.rate(part.Numerator, part.Denominator, 0.95, multiplier)
        _, lo998, hi998 = stats.rate(part.Numerator, part.Denominator, 0.998, multiplier)
        close(value, part.value)
        close(lo95, part.lower95_0cl), close(hi95, part.upper95_0cl)
        close(lo998, part.lower99_8cl), close(hi998, part.upper99_8cl)
    assert set(frame.method.dropna()) == {"Exact", "Byars"}


def test_rate_missing_inputs_give_missing_outputs():
    frame = pd.read_excel(REFERENCE / "testdata_Rate.xlsx", sheet_name="testdata_Rate_g")
    for (confidence, multiplier), part in frame.groupby(["confidence", "multiplier"]):
        value, lower, upper = stats.rate(part.Numerator, part.Denominator, conf(confidence), multiplier)
        close(value, part.value), close(lower, part.lowercl), close(upper, part.uppercl)


def sql_indicator(kind, numerator, denominator, multiplier, confidence):
    """Value and limits from the SQL macros the profile is built with (sql/macros/intervals.sql)."""
    con = duckdb.connect()
    models.write_statistics_tables(con)
    con.execute((models.SQL_DIR / "macros/intervals.sql").read_text())
    inputs = pd.DataFrame({"row": range(len(numerator)), "x": np.asarray(numerator, float),
                           "n": np.asarray(denominator, float)})
    level = "95" if confidence == 0.95 else "998"
    con.register("inputs", inputs)
    return con.execute(f"""
        SELECT indicator_value($kind, x, n, $m), lower_limit($kind, x, n, $m, z_{level}, e.lower_{level}),
               upper_limit($kind, x, n, $m, z_{level}, e.upper_{level})
        FROM inputs CROSS JOIN confidence_z LEFT JOIN exact_poisson_limits e ON e.events = inputs.x
        ORDER BY row""", {"kind": kind, "m": multiplier}).df().T.values


@pytest.mark.parametrize("workbook, sheet, kind", [("testdata_Proportion.xlsx", "testdata_Prop", "proportion"),
                                                    ("testdata_Rate.xlsx", "testdata_Rate", "rate")])
def test_sql_macros_reproduce_the_vectors(workbook, sheet, kind):
    frame = pd.read_excel(REFERENCE / workbook, sheet_name=sheet)
    for multiplier, part in frame.groupby("multiplier"):
        value, lo95, hi95 = sql_indicator(kind, part.Numerator, part.Denominator, multiplier, 0.95)
        _, lo998, hi998 = sql_indicator(kind, part.Numerator, part.Denominator, multiplier, 0.998)
        close(value, part.value)
        close(lo95, part.lower95_0cl), close(hi95, part.upper95_0cl)
        close(lo998, part.lower99_8cl), close(hi998, part.upper99_8cl)


@pytest.mark.parametrize("workbook, sheet, kind", [("testdata_Proportion.xlsx", "testdata_Prop_g", "proportion"),
                                                    ("testdata_Rate.xlsx", "testdata_Rate_g", "rate")])
def test_sql_macros_give_missing_outputs_for_missing_inputs(workbook, sheet, kind):
    frame = pd.read_excel(REFERENCE / workbook, sheet_name=sheet)
    for (confidence, multiplier), part in frame.groupby(["confidence", "multiplier"]):
        value, lower, upper = sql_indicator(kind, part.Numerator, part.Denominator, multiplier, conf(confidence))
        close(value, part.value), close(lower, part.lowercl), close(upper, part.uppercl)


def test_sql_comparison_labels_match_stats():
    con = duckdb.connect()
    con.execute((models.SQL_DIR / "macros/intervals.sql").read_text())
    cases = [(1.0, 2.0, 0.5), (1.0, 2.0, 1.5), (1.0, 2.0, 2.5), (None, 2.0, 1.0), (1.0, 2.0, None), (1.0, 2.0, 1.0)]
    got = [con.execute("SELECT compare_with(?::DOUBLE, ?::DOUBLE, ?::DOUBLE)", list(c)).fetchone()[0] for c in cases]
    nan = np.nan
    expected = [stats.compare([nan if v is None else v for v in c[:1]], [c[1]], [nan if c[2] is None else c[2]])[0]
                for c in cases]
    assert got == expected == ["higher", "similar", "lower", "not compared", "not compared", "similar"]


@pytest.mark.parametrize("x, n, message", [
    (-1, 10, "greater than or equal to zero"),
    (5, 0, "denominators must be greater than zero"),
    (11, 10, "less than or equal to denominator"),
])
def test_proportion_error_cases(x, n, message):
    with pytest.raises(ValueError, match=message):
        stats.proportion(x, n)


def test_rate_allows_numerator_above_denominator_but_not_negative():
    value, _, _ = stats.rate(250, 220, 0.95, 100_000)
    close(value, 113636.363636)
    with pytest.raises(ValueError):
        stats.rate(-3, 100)


def test_funnel_significance_of_every_area():
    inputs = pd.read_csv(REFERENCE / "testdata_funnel_prop_inputs.csv", encoding="utf-8-sig")
    labels = stats.funnel_significance_proportion(inputs.numerator, inputs.denominator, 100)
    assert list(labels) == list(inputs.significance)
    assert set(inputs.significance) == set(stats.FUNNEL_LABELS)


@pytest.mark.parametrize("outputs, max_denominator", [
    ("testdata_funnel_prop_outputs.csv", None),
    ("testdata_funnel_prop_outputs_with_axis_variation.csv", 31000),
])
def test_funnel_limits_for_proportions(outputs, max_denominator):
    inputs = pd.read_csv(REFERENCE / "testdata_funnel_prop_inputs.csv", encoding="utf-8-sig")
    if max_denominator:
        inputs = inputs[inputs.denominator < max_denominator]
    expected = pd.read_csv(REFERENCE / outputs, encoding="utf-8-sig")
    limits = stats.funnel_limits_proportion(inputs.numerator, inputs.denominator, multiplier=100)
    close(limits["population"], expected.Population)
    close(limits["lower_2s"], expected.Lower2s0025limit)
    close(limits["upper_2s"], expected.Upper2s0025limit)
    close(limits["lower_3s"], expected.Lower3s0001limit)
    close(limits["upper_3s"], expected.Upper3s0001limit)
    close(limits["baseline"], expected.Baseline)


@pytest.mark.parametrize("lower, upper, benchmark, label", [
    (10.0, 12.0, 9.0, "higher"), (10.0, 12.0, 11.0, "similar"), (10.0, 12.0, 12.5, "lower"),
    (np.nan, 12.0, 11.0, "not compared"), (10.0, 12.0, np.nan, "not compared"),
])
def test_comparison_labels(lower, upper, benchmark, label):
    assert stats.compare([lower], [upper], [benchmark])[0] == label


def read_reference(name):
    frame = pd.read_csv(REFERENCE / name, encoding="utf-8-sig")
    frame.columns = [c.strip() for c in frame.columns]
    return frame


@pytest.mark.parametrize("ratio_type", ["count", "isr"])
def test_funnel_limits_for_ratios(ratio_type):
    inputs = read_reference("testdata_funnel_ratio_inputs.csv")
    expected = read_reference("testdata_funnel_ratio_outputs.csv")
    limits = stats.funnel_limits_ratio(inputs.obs, inputs.expected, ratio_type)
    close(limits["observed_events"], expected.Observed_events)
    for limit in ("lower_2s", "upper_2s", "lower_3s", "upper_3s"):
        close(limits[f"{limit}_exp_events"], expected[f"{limit}_exp_events"])
        close(limits[limit], expected[f"{limit}_{ratio_type}"])


def test_funnel_significance_of_every_ratio():
    inputs = read_reference("testdata_funnel_ratio_inputs.csv")
    labels = stats.funnel_significance_ratio(inputs.obs, inputs.expected)
    assert list(labels) == list(inputs.significance)
    assert set(inputs.significance) == set(stats.FUNNEL_LABELS)


def test_funnel_limits_for_dsrs():
    inputs = read_reference("testdata_funnel_rate_input_funnels.csv")
    expected = read_reference("testdata_funnel_rate_outputs.csv")
    limits = stats.funnel_limits_rate(inputs.ev, inputs.rate, multiplier=100_000, rate_type="dsr", years_of_data=3)
    close(limits["events"], expected.Events)
    for limit in ("lower_2s", "upper_2s", "lower_3s", "upper_3s"):
        close(limits[f"{limit}_population_1_year"], expected[f"{limit}_population_1_year"])
        close(limits[limit], expected[f"{limit}_limit"])
    close(limits["baseline"], expected.baseline)


@pytest.mark.parametrize("rate, multiplier, rate_type, column", [
    ("rate_dsr", 100_000, "dsr", "dsr_per_100000_with_0"),
    ("rate_crude_per_100000", 100_000, "crude", "crude_per_100000_with_0"),
    ("rate_crude_per_100", 100, "crude", "crude_per_100_with_0"),
])
def test_funnel_significance_of_every_rate(rate, multiplier, rate_type, column):
    inputs = read_reference("testdata_funnel_rate_dsr_inputs.csv")
    labels = stats.funnel_significance_rate(inputs["count"], inputs["pop"], inputs[rate], multiplier, rate_type)
    assert list(labels) == list(inputs[column])


def test_funnel_significance_rejects_negative_counts_and_empty_denominators():
    with pytest.raises(ValueError, match="numerators must be greater than or equal to zero"):
        stats.funnel_significance_ratio([65, -80, 30], [100, 100, 200])
    with pytest.raises(ValueError, match="denominators must be greater than zero"):
        stats.funnel_significance_rate([65, 80, 30], [100, 100, 0], [1, 1, 1], 100)


@pytest.mark.parametrize("kind", ["rate", "ratio"])
def test_funnel_lines_reach_past_the_largest_area_on_the_reference_curves(kind):
    """The drawn lines are PHEindicatormethods' limits over a longer axis: each point lies on the curve the
    reference function gives for the areas' own data (same pooled value), and the upper lines pass the largest."""
    x = np.array([12.0, 30, 55, 80, 140, 260])
    n = np.array([900.0, 2_000, 4_100, 6_000, 10_500, 19_000]) if kind == "rate" else np.array([10.0, 28, 60, 70, 150, 250])
    lines = stats.funnel_lines(kind, x, n, 1000 if kind == "rate" else 100)
    for line in ("upper_2s", "upper_3s", "lower_2s", "lower_3s"):
        assert lines[line][0].max() >= n.max()
    if kind == "rate":  # on the curve: rate = events / population at the limit, around the same pooled rate
        assert lines["baseline"][1][0] == pytest.approx(1000 * x.sum() / n.sum())
        reference = stats.funnel_limits_rate(x, denominator=n, multiplier=1000)
        shared = np.isin(lines["upper_3s"][1] * lines["upper_3s"][0] / 1000, reference["events"])
        assert shared.any()
    else:
        reference = stats.funnel_limits_ratio(x, n, "isr")
        pairs = dict(zip(reference["upper_3s_exp_events"].round(6), reference["upper_3s"].round(6)))
        drawn = dict(zip(lines["upper_3s"][0].round(6), lines["upper_3s"][1].round(6)))
        common = set(pairs) & set(drawn)
        assert common and all(pairs[k] == drawn[k] for k in common)


def test_proportion_trend_matches_r_prop_trend_test():
    """R's own example (?prop.trend.test): smokers 83, 90, 129, 70 of 86, 93, 136, 82 patients: X-squared 8.2249."""
    slope, statistic = stats.proportion_trend([83, 90, 129, 70], [86, 93, 136, 82])
    assert statistic == pytest.approx(8.2249, abs=5e-5) and slope < 0


def test_proportion_trend_by_hand():
    """Five years of 100, 120, 140, 160, 180 cases among 1,000: p = 700 / 5,000 = 0.14, weights 1,000 / (0.14 x
    0.86), the slope 0.02 a year; chi-squared = slope^2 x sum w (t - 3)^2 = 0.0004 x 10 x 1,000 / 0.1204 = 33.2,
    above 9.55 (99.8%). At 10,000 patients each, 100 to 140 cases (p 0.012): 8.43, not significant."""
    slope, statistic = stats.proportion_trend([100, 120, 140, 160, 180], [1_000] * 5)
    assert slope == pytest.approx(0.02)
    assert statistic == pytest.approx(0.0004 * 10 * 1_000 / (0.14 * 0.86))
    assert stats.recent_trend("proportion", [100, 120, 140, 160, 180], [1_000] * 5) == "increasing"
    assert stats.recent_trend("proportion", [180, 160, 140, 120, 100], [1_000] * 5) == "decreasing"
    assert stats.proportion_trend([100, 110, 120, 130, 140], [10_000] * 5)[1] == pytest.approx(
        1e-6 * 10 * 10_000 / (0.012 * 0.988))
    assert stats.recent_trend("proportion", [100, 110, 120, 130, 140], [10_000] * 5) == "no significant change"
    # only the last five points count; fewer than five, or a missing count, cannot be tested
    assert stats.recent_trend("proportion", [900, 100, 120, 140, 160, 180], [1_000] * 6) == "increasing"
    assert stats.recent_trend("proportion", [100, 120, 140, 160], [1_000] * 4) == "could not be calculated"
    assert stats.recent_trend("proportion", [100, np.nan, 140, 160, 180], [1_000] * 5) == "could not be calculated"


def test_value_trend_by_hand():
    """Rates 10, 11, 12, 13, 14 each with a 95% interval of +-1.96 (se 1): slope 1, chi-squared 1 x 10 = 10 > 9.55;
    with se 2, chi-squared 2.5: no significant change."""
    values = np.array([10, 11, 12, 13, 14], dtype=float)
    assert stats.value_trend(values, values - 1.959964, values + 1.959964) == pytest.approx((1, 10), rel=1e-5)
    assert stats.recent_trend("rate", value=values, lower=values - 1.959964, upper=values + 1.959964) == "increasing"
    assert stats.recent_trend("rate", value=values, lower=values - 3.92, upper=values + 3.92) == "no significant change"


def test_difference_in_differences_by_hand():
    """Rates per 1,000 patient-months: PCNs with MHPs 100 referrals in 10,000 patient-months before (10) and 80
    after (8); comparison 200 in 20,000 both times (10). Estimate -2; variance 1,000^2 x (100 / 10,000^2 + 80 /
    10,000^2 + 2 x 200 / 20,000^2) = 2.8; 95% interval -2 +- 1.96 x 1.673."""
    got = stats.difference_in_differences((100, 10_000), (80, 10_000), (200, 20_000), (200, 20_000), "rate", 1000)
    assert got["estimate"] == pytest.approx(-2) and got["values"] == pytest.approx([10, 8, 10, 10])
    half = stats.z_value(0.95) * np.sqrt(2.8)
    assert (got["lower"], got["upper"]) == pytest.approx((-2 - half, -2 + half))
    # a proportion: 30 of 100 rejected before, 20 of 100 after; comparison 30% both times (of 1,000)
    got = stats.difference_in_differences((30, 100), (20, 100), (300, 1000), (300, 1000), "proportion", 100)
    variance = 100 ** 2 * (0.3 * 0.7 / 100 + 0.2 * 0.8 / 100 + 2 * 0.3 * 0.7 / 1000)
    assert got["estimate"] == pytest.approx(-10)
    assert got["upper"] - got["estimate"] == pytest.approx(stats.z_value(0.95) * np.sqrt(variance))
