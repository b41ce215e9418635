"""Public-health statistics as OHID computes them for Fingertips (reference: the R package PHEindicatormethods;
its test data live in shared/data/reference/phe_indicator_methods and the tests reproduce them).

All functions take numbers or numpy arrays; missing inputs (NaN) give missing outputs, never an error.
"""

from __future__ import annotations

import numpy as np
from scipy.special import gammainc, gammaincinv, gammaln, ndtri, pdtr, pdtrc, xlogy

COMPARISONS = ("higher", "similar", "lower", "not compared")

#: Polarity of an indicator (data/indicators.csv): whether a higher value is better, worse or neither.
POLARITIES = ("higher is better", "higher is worse", "no judgement")


def judgement(comparison: str, polarity: str) -> str:
    """A comparison (higher / similar / lower, or not compared / suppressed) read through the indicator's
    polarity, as Fingertips colours it: better / similar / worse where higher is better or worse, higher / similar
    / lower where there is no judgement."""
    if polarity == "no judgement" or comparison not in ("higher", "lower"):
        return comparison
    return "better" if (comparison == "higher") == (polarity == "higher is better") else "worse"
FUNNEL_LABELS = ("High (0.001)", "High (0.025)", "Not significant", "Low (0.025)", "Low (0.001)")


def z_value(confidence: float) -> float:
    return ndtri(1 - (1 - confidence) / 2)


def _arrays(*values):
    return [np.asarray(v, dtype=float) for v in values]


def wilson_lower(x, n, confidence: float = 0.95):
    """Wilson score interval, lower limit, as a proportion of 1 (PHEindicatormethods::wilson_lower)."""
    x, n = _arrays(x, n)
    z = z_value(confidence)
    with np.errstate(invalid="ignore", divide="ignore"):
        return (2 * x + z**2 - z * np.sqrt(z**2 + 4 * x * (1 - x / n))) / (2 * (n + z**2))


def wilson_upper(x, n, confidence: float = 0.95):
    """Wilson score interval, upper limit, as a proportion of 1 (PHEindicatormethods::wilson_upper)."""
    x, n = _arrays(x, n)
    z = z_value(confidence)
    with np.errstate(invalid="ignore", divide="ignore"):
        return (2 * x + z**2 + z * np.sqrt(z**2 + 4 * x * (1 - x / n))) / (2 * (n + z**2))


def byars_lower(x, confidence: float = 0.95):
    """Byar's approximation to the Poisson lower limit for a count (PHEindicatormethods::byars_lower)."""
    (x,) = _arrays(x)
    z = z_value(confidence)
    with np.errstate(invalid="ignore", divide="ignore"):
        base = 1 - 1 / (9 * x) - z / (3 * np.sqrt(x))
        # Below one event at high confidence the approximation breaks down; OHID gives no value there.
        return np.where(x == 0, 0.0, np.where(base < 0, np.nan, x * base**3))


def byars_upper(x, confidence: float = 0.95):
    """Byar's approximation to the Poisson upper limit for a count (PHEindicatormethods::byars_upper)."""
    (x,) = _arrays(x)
    z = z_value(confidence)
    return (x + 1) * (1 - 1 / (9 * (x + 1)) + z / (3 * np.sqrt(x + 1))) ** 3


def exact_poisson_lower(x, confidence: float = 0.95):
    """Exact Poisson lower limit from the chi-squared distribution (used below 10 events):
    chi2.ppf(q, 2x) / 2, which is the inverse regularised gamma function at x."""
    (x,) = _arrays(x)
    with np.errstate(invalid="ignore"):
        return np.where(x == 0, 0.0, gammaincinv(np.where(x == 0, 1, x), (1 - confidence) / 2))


def exact_poisson_upper(x, confidence: float = 0.95):
    (x,) = _arrays(x)
    return gammaincinv(x + 1, 1 - (1 - confidence) / 2)


def _check(numerator, denominator, proportion: bool):
    x, n = _arrays(numerator, denominator)
    if np.any(x < 0):
        raise ValueError("numerators must be greater than or equal to zero")
    if np.any(n <= 0):
        raise ValueError("denominators must be greater than zero")
    if proportion and np.any(x > n):
        raise ValueError("numerators must be less than or equal to denominator for a proportion statistic")
    return x, n


def proportion(numerator, denominator, confidence: float = 0.95, multiplier: float = 1):
    """Proportion with its Wilson score interval: (value, lower, upper), each times ``multiplier``
    (PHEindicatormethods::phe_proportion)."""
    x, n = _check(numerator, denominator, proportion=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        value = x / n * multiplier
    return value, wilson_lower(x, n, confidence) * multiplier, wilson_upper(x, n, confidence) * multiplier


def count_interval(x, confidence: float = 0.95):
    """Interval for a count: exact Poisson below 10 events, Byar's from 10 (PHEindicatormethods)."""
    (x,) = _arrays(x)
    exact = x < 10
    lower = np.where(exact, exact_poisson_lower(x, confidence), byars_lower(x, confidence))
    upper = np.where(exact, exact_poisson_upper(x, confidence), byars_upper(x, confidence))
    return lower, upper


def rate(numerator, denominator, confidence: float = 0.95, multiplier: float = 100_000):
    """Crude rate per ``multiplier`` with its interval (PHEindicatormethods::phe_rate): (value, lower, upper)."""
    x, n = _check(numerator, denominator, proportion=False)
    lower, upper = count_interval(x, confidence)
    with np.errstate(invalid="ignore", divide="ignore"):
        return x / n * multiplier, lower / n * multiplier, upper / n * multiplier


def compare(lower, upper, benchmark):
    """Fingertips comparison with a benchmark: 'higher' / 'lower' when the benchmark lies below / above the
    area's interval, 'similar' when inside it, 'not compared' when anything is missing."""
    lower, upper, benchmark = _arrays(lower, upper, benchmark)
    missing = np.isnan(lower) | np.isnan(upper) | np.isnan(benchmark)
    result = np.where(benchmark < lower, "higher", np.where(benchmark > upper, "lower", "similar"))
    return np.where(missing, "not compared", result).astype(object)


# -- Funnel plots (Spiegelhalter 2005, as PHEindicatormethods) -------------------------------------------------

def funnel_limit_proportion(p: float, population, average: float, side: str, multiplier: float = 100):
    """The control limit at ``population`` around the pooled proportion ``average`` for tail probability
    ``p`` (0.975 for 2 s.d., 0.999 for 3 s.d.): PHEindicatormethods' sigma_adjustment."""
    (population,) = _arrays(population)
    z2 = ndtri(p) ** 2
    first = average * (population / z2 + 1)
    adj = np.sqrt((-8 * average * (population / z2 + 1)) ** 2
                  - 64 * (1 / z2 + 1 / population) * average
                  * (population * (average * (population / z2 + 2) - 1) + z2 * (average - 1)))
    last = 1 / z2 + 1 / population
    value = (first - adj / 8) / last if side == "low" else (first + adj / 8) / last
    return value / population * multiplier


def _signif_floor(x: float, down: float = 0.95) -> float:
    if x == 0:
        return 0
    digits = len(str(int(np.floor(x * down)))) - 1
    return np.floor(x * down / 10**digits) * 10**digits


def _signif_ceiling(x: float, up: float = 1.05) -> float:
    if x == 0:
        return 0
    digits = len(str(int(np.ceil(x * up)))) - 2
    return np.ceil(x * up / 10**digits) * 10**digits


def funnel_axis(min_denominator: float, max_denominator: float, points: int = 100, step: int = 0,
                minimum: float | None = None, maximum: float | None = None) -> np.ndarray:
    """The populations (or events) at which the limits are drawn: geometric steps from the axis minimum to
    a rounded maximum, as PHEindicatormethods does (``step`` 1 for ratios, whose steps are one wider)."""
    if minimum is None:
        minimum = 0 if max_denominator > 2 * min_denominator else _signif_floor(min_denominator)
    if maximum is None:
        maximum = _signif_ceiling(max_denominator)
    pops = [max(1, minimum)]
    for j in range(2, points + 1):
        pops.append(max(round((maximum / pops[-1]) ** (1 / (points + 1 - (j - step))) * pops[-1]), pops[-1] + 1))
    return np.array(pops, dtype=float)


def funnel_limits_proportion(numerator, denominator, multiplier: float = 100, points: int = 100) -> dict:
    """Funnel-plot control limits for proportions across the range of denominators: populations, the four
    limits (95% = 2 s.d., 0.025 each tail; 99.8% = 3 s.d., 0.001 each tail) and the pooled baseline."""
    x, n = _arrays(numerator, denominator)
    keep = ~(np.isnan(x) | np.isnan(n))
    x, n = x[keep], n[keep]
    average = x.sum() / n.sum()
    pops = funnel_axis(n.min(), n.max(), points)
    cap = 100
    return {
        "population": pops,
        "lower_2s": np.maximum(0, funnel_limit_proportion(0.975, pops, average, "low", multiplier)),
        "upper_2s": np.minimum(cap, funnel_limit_proportion(0.975, pops, average, "high", multiplier)),
        "lower_3s": np.maximum(0, funnel_limit_proportion(0.999, pops, average, "low", multiplier)),
        "upper_3s": np.minimum(cap, funnel_limit_proportion(0.999, pops, average, "high", multiplier)),
        "baseline": np.full(len(pops), average * multiplier),
    }


def funnel_significance_proportion(numerator, denominator, multiplier: float = 100):
    """Each area's place on the funnel built from all areas: 'High (0.001)', 'High (0.025)', 'Not
    significant', 'Low (0.025)' or 'Low (0.001)' (PHEindicatormethods)."""
    x, n = _check(numerator, denominator, proportion=True)
    average = np.nansum(x) / np.nansum(n)
    value = multiplier * x / n
    low3 = funnel_limit_proportion(0.999, n, average, "low", multiplier)
    low2 = funnel_limit_proportion(0.975, n, average, "low", multiplier)
    high3 = funnel_limit_proportion(0.999, n, average, "high", multiplier)
    high2 = funnel_limit_proportion(0.975, n, average, "high", multiplier)
    return np.select(
        [value < low3, value < low2, value > high3, value > high2],
        ["Low (0.001)", "Low (0.025)", "High (0.001)", "High (0.025)"],
        default="Not significant",
    ).astype(object)


# -- Funnel plots for rates and ratios (Poisson limits, as PHEindicatormethods) ----------------------------------

def _poisson_tail(mean, observed, side: str):
    """P(X >= observed) ("low") or P(X <= observed) ("high") for X ~ Poisson(mean), as OHID's funnel macro
    computes it: its series stops at the first k above the mean whose term is at most 1e-10 of the sum so
    far, and the probabilities are taken within that truncated range. Reproducing the truncation keeps the
    bisection below on exactly the published path."""
    mean, observed = np.broadcast_arrays(np.asarray(mean, float), np.asarray(observed, float))
    span = int(np.ceil(12 * np.sqrt(mean.max()) + 60))
    k = np.floor(mean)[:, None] + np.arange(1, span + 1)[None, :]
    m = mean[:, None]
    stops = np.exp(xlogy(k, m) - m - gammaln(k + 1)) <= 1e-10 * pdtr(k - 1, m)
    last = k[np.arange(len(k)), stops.argmax(axis=1)] - 1  # the last term the series adds
    kept = pdtr(last, mean)
    if side == "low":
        # P(X >= observed) is the regularised lower gamma function (exact at observed = 0 too)
        return (np.where(observed == 0, 1.0, gammainc(np.maximum(observed, 1), mean)) - pdtrc(last, mean)) / kept
    return pdtr(np.minimum(observed, last), mean) / kept


def poisson_funnel(observed, p: float, side: str):
    """The expected count at which ``observed`` events sit on the Poisson funnel limit with tail probability
    ``p`` (0.025 for 2 s.d., 0.001 for 3 s.d.). ``side`` "low" gives the smaller expectation (observed is
    then the upper limit), "high" the larger. Found by the same bisection on v = m / (1 + observed + m) as
    OHID's funnel macro, to the same tolerance."""
    (obs,) = _arrays(observed)
    obs = np.atleast_1d(obs)
    v = np.full(obs.shape, 0.5)
    dv = 0.5
    while dv > 1e-7:
        dv /= 2
        tail = _poisson_tail((1 + obs) * v / (1 - v), obs, side)
        v = np.where(tail > p, v - dv, v + dv) if side == "low" else np.where(tail < p, v - dv, v + dv)
    return (1 + obs) * v / (1 - v)


def _poisson_limits(events) -> dict:
    """Expected counts at the four limits for each number of observed events."""
    return {
        "lower_2s": poisson_funnel(events, 0.025, "high"), "upper_2s": poisson_funnel(events, 0.025, "low"),
        "lower_3s": poisson_funnel(events, 0.001, "high"), "upper_3s": poisson_funnel(events, 0.001, "low"),
    }


def funnel_limits_ratio(observed, expected, ratio_type: str = "isr", points: int = 100) -> dict:
    """Funnel limits for observed/expected ratios (phe_funnels, statistic "ratio"): for each number of
    observed events, the expected events at each limit ({limit}_exp_events) and the ratio there
    ({limit}: observed / expected - 1 for ratio_type "count", x 100 for "isr")."""
    if ratio_type not in ("count", "isr"):
        raise ValueError("ratio_type must be 'count' or 'isr'")
    o, e = _arrays(observed, expected)
    keep = ~(np.isnan(o) | np.isnan(e))
    events = funnel_axis(e[keep].min(), e[keep].max(), points, step=1)
    out = {"observed_events": events}
    for limit, exp_events in _poisson_limits(events).items():
        ratio = events / exp_events
        out[f"{limit}_exp_events"] = exp_events
        out[limit] = ratio - 1 if ratio_type == "count" else ratio * 100
    return out


def funnel_limits_rate(numerator, rate=None, denominator=None, multiplier: float = 100_000,
                       rate_type: str = "crude", years_of_data: float = 1, points: int = 100) -> dict:
    """Funnel limits for rates (phe_funnels, statistic "rate"): for each number of events, the population
    per year at each limit ({limit}_population_1_year) and the rate there ({limit}), and the baseline
    rate. A DSR's population is derived from its events and rate; a crude rate uses ``denominator`` when
    given (needed where an area has no events), else the same derivation."""
    x, r, n = _arrays(numerator, np.nan if rate is None else rate, np.nan if denominator is None else denominator)
    if rate_type == "dsr":
        with np.errstate(divide="ignore", invalid="ignore"):
            derived = np.where(x == 0, np.nan, multiplier * x / r)
    elif rate_type == "crude":
        derived = np.broadcast_to(n, x.shape) if denominator is not None else multiplier * x / r
    else:
        raise ValueError("rate_type must be 'dsr' or 'crude'")
    average = np.nansum(x) / np.nansum(derived)
    lo, hi = np.nanmin(derived), np.nanmax(derived)
    minimum = 0 if hi > 2 * lo else _signif_floor(lo / years_of_data) * years_of_data
    maximum = _signif_ceiling(hi / years_of_data) * years_of_data
    events = funnel_axis(lo, hi, points, minimum=np.floor(minimum * average), maximum=np.ceil(maximum * average))
    out = {"events": events}
    for limit, expected in _poisson_limits(events).items():
        population = expected / average
        out[f"{limit}_population_1_year"] = population / years_of_data
        out[limit] = events / population * multiplier
    out["baseline"] = np.full(len(events), average * multiplier)
    return out


def funnel_ratio_significance(observed, expected, p: float, side: str):
    """The lower ("low") or upper ("high") confidence limit of observed / expected at confidence ``p``:
    exact Poisson below 10 events, Byar's from 10 (PHEindicatormethods' funnel_ratio_significance)."""
    o, e = _arrays(observed, expected)
    z = ndtri(0.5 + p / 2)
    with np.errstate(divide="ignore", invalid="ignore"):
        if side == "low":
            exact = np.where(o == 0, 0.0, gammaincinv(np.maximum(o, 1), 0.5 - p / 2))
            byars = o * (1 - 1 / (9 * o) - z / 3 / np.sqrt(o)) ** 3
        else:
            exact = gammaincinv(o + 1, 0.5 + p / 2)
            byars = (o + 1) * (1 - 1 / (9 * (o + 1)) + z / 3 / np.sqrt(o + 1)) ** 3
        return np.where(o < 10, exact, byars) / e


def _funnel_labels(observed, expected, target):
    """Funnel label of each area from its observed and expected counts against ``target`` (1 for ratios,
    the pooled rate for rates)."""
    labels = np.select(
        [target < funnel_ratio_significance(observed, expected, 0.998, "low"),
         target < funnel_ratio_significance(observed, expected, 0.95, "low"),
         target > funnel_ratio_significance(observed, expected, 0.998, "high"),
         target > funnel_ratio_significance(observed, expected, 0.95, "high")],
        ["High (0.001)", "High (0.025)", "Low (0.001)", "Low (0.025)"], default="Not significant")
    return labels.astype(object)


def funnel_significance_ratio(observed, expected):
    """Each area's place on the funnel of observed/expected ratios (target 1)."""
    o, e = _check(observed, expected, proportion=False)
    return _funnel_labels(o, e, 1.0)


def funnel_significance_rate(numerator, denominator, rate, multiplier: float, rate_type: str = "crude"):
    """Each area's place on the funnel of rates, against the pooled rate of all areas; DSRs from fewer
    than 10 events are not labelled."""
    x, n = _check(numerator, denominator, proportion=False)
    (r,) = _arrays(rate)
    with np.errstate(divide="ignore", invalid="ignore"):
        if rate_type == "dsr":
            derived = np.where(x == 0, np.nan, x / r * multiplier)
        elif rate_type == "crude":
            derived = np.where(x == 0, n, x / r * multiplier)
        else:
            raise ValueError("rate_type must be 'dsr' or 'crude'")
    average = np.nansum(x) / np.nansum(derived)
    labels = _funnel_labels(x, derived, average)
    if rate_type == "dsr":
        labels = np.where(x < 10, "Not applicable for events less than 10 for dsrs", labels).astype(object)
    return labels


#: The indicator kinds a funnel plot can show, and the funnel's lines (95% and 99.8% limits, the baseline).
FUNNEL_KINDS = ("proportion", "rate", "ratio")
FUNNEL_LINES = ("lower_2s", "upper_2s", "lower_3s", "upper_3s", "baseline")


def funnel_significance(kind: str, numerator, denominator, multiplier: float):
    """Each area's place on the funnel of an indicator of ``kind`` built from all the areas given: proportions
    by Wilson-based limits, rates and recorded-vs-expected ratios by exact Poisson limits."""
    x, n = _arrays(numerator, denominator)
    if kind == "proportion":
        return funnel_significance_proportion(x, n)
    if kind == "rate":
        return funnel_significance_rate(x, n, multiplier * x / n, multiplier, "crude")
    return funnel_significance_ratio(x, n)


def funnel_lines(kind: str, numerator, denominator, multiplier: float) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """The funnel's control lines around the areas' pooled value: line -> (x, y), x in patients (expected cases
    for a ratio) and y in the indicator's units; FUNNEL_LINES in order."""
    x, n = _arrays(numerator, denominator)
    # The lines reach past the largest area: PHEindicatormethods spans its axis over the areas' own range, and the
    # upper limits of counts end short of it. A point at the pooled value a quarter beyond the largest denominator
    # stretches the axis without moving the pooled value (for a ratio the target is 1).
    reach = 1.25 * np.nanmax(n)
    if kind == "rate":
        x, n = np.append(x, np.nansum(x) / np.nansum(n) * reach), np.append(n, reach)
    elif kind == "ratio":
        x, n = np.append(x, reach), np.append(n, reach)
    if kind == "proportion":
        limits = funnel_limits_proportion(x, n, multiplier)
        xs = {line: limits["population"] for line in FUNNEL_LINES}
    elif kind == "rate":
        limits = funnel_limits_rate(x, denominator=n, multiplier=multiplier, rate_type="crude")
        xs = {line: limits[f"{line}_population_1_year"] for line in FUNNEL_LINES[:-1]}
    else:
        limits = funnel_limits_ratio(x, n, "isr")
        xs = {line: limits[f"{line}_exp_events"] for line in FUNNEL_LINES[:-1]}
        limits["baseline"] = np.full(len(limits["observed_events"]), 100.0)
    if "baseline" not in xs:  # a flat line across the range the limits cover
        xs["baseline"] = np.geomspace(min(v.min() for v in xs.values()), max(v.max() for v in xs.values()),
                                      len(limits["baseline"]))
    return {line: (xs[line], limits[line]) for line in FUNNEL_LINES}


# --- Inequality: quantiles and the slope index of inequality (PHEindicatormethods' phe_quantile and phe_sii) ---

def quantiles(values, n: int = 10, invert: bool = True) -> np.ndarray:
    """phe_quantile: each area's quantile (1..n) of ``values`` among the areas with a value; ``invert`` puts the
    highest values in quantile 1 (for IMD scores: quintile 1 = most deprived). Missing where fewer than ``n``
    areas have a value."""
    import pandas as pd

    v = pd.Series(np.asarray(values, dtype=float))
    areas = int(v.notna().sum())
    if areas < n:
        return np.full(len(v), np.nan)
    rank = (-v if invert else v).rank(method="min").to_numpy()
    q = np.floor((n + 1) - np.ceil(((areas + 1) - rank) / (areas / n)))
    return np.where(q == 0, 1, q)


def _relative_rank(population) -> np.ndarray:
    """FindXValues: the midpoint of each quantile's share of the population on a 0-1 scale (in quantile order)."""
    share = np.asarray(population, dtype=float) / np.sum(population)
    return np.cumsum(share) - share / 2


def sii(quantile, population, value=None, *, x=None, value_type: int = 0, se=None, lower_cl=None, upper_cl=None,
        multiplier: float = 1, repetitions: int = 100_000, confidence=0.95, rii: bool = False,
        transform: bool = False, seed: int | None = None) -> dict:
    """phe_sii: the slope index of inequality of ``value`` over the quantiles, from the population-weighted
    regression on each quantile's relative rank (0 most to 1 least, in quantile order), with confidence limits by
    simulation: each quantile's value drawn from a normal distribution around it (on the log scale for rates,
    value_type 1, or the logit scale for proportions, value_type 2) with its standard error, taken from ``se`` or
    from the 95% limits. ``transform``: the regression itself on the log or logit scale, the SII, RII, intercept
    and limits transformed back (phe_sii's transform = TRUE; limits needed, not se). Returns sii, intercept,
    (rii) and sii_lower_95_0cl ... for each confidence level."""
    order = np.argsort(np.asarray(quantile), kind="stable")
    pick = lambda column: None if column is None else np.asarray(column, dtype=float)[order]  # noqa: E731
    population, value, x, se, lower_cl, upper_cl = (pick(c) for c in (population, value, x, se, lower_cl, upper_cl))
    if len(population) < 5 or len(population) > 100:
        raise ValueError("Number of quantiles must be between 5 and 100")
    if np.any(~(population > 0)):
        raise ValueError("some groups have a zero, negative or missing population")
    if transform and (value_type == 0 or se is not None or lower_cl is None or upper_cl is None):
        raise ValueError("transform needs value_type 1 or 2 and lower_cl and upper_cl, not se")
    if value is None:
        if value_type != 2 or x is None:
            raise ValueError("sii requires a value, or x (a count) for a proportion")
        value = x / population
    forward = {0: lambda v: v, 1: np.log, 2: lambda v: np.log(v / (1 - v))}[value_type]
    back = {0: lambda v: v, 1: np.exp, 2: lambda v: np.exp(v) / (1 + np.exp(v))}[value_type]
    if se is None:
        if lower_cl is None or upper_cl is None:
            raise ValueError("sii requires lower_cl and upper_cl, or se")
        se = (forward(upper_cl) - forward(lower_cl)) / z_value(0.95) / 2  # 95%, as phe_sii
    a = population / population.sum()
    sqrt_a = np.sqrt(a)
    design = np.vstack([sqrt_a, _relative_rank(population) * sqrt_a])  # 2 x quantiles
    solve = np.linalg.solve(design @ design.T, design)  # least squares, as phe_sii's SimulationFunc
    intercept, slope = solve @ (sqrt_a * (forward(value) if transform else value))
    draws = np.random.default_rng(seed).normal(forward(value)[:, None], se[:, None],
                                               size=(len(value), repetitions))
    params = solve @ ((draws if transform else back(draws)) * sqrt_a[:, None])
    if transform:
        return _sii_transformed(intercept, slope, np.sort(params[1]), back, value_type, multiplier, repetitions,
                                confidence, rii)
    out = {"sii": multiplier * slope, "intercept": intercept}
    if rii:
        ratio = (intercept + slope) / intercept
        out["rii"] = 1 / ratio if multiplier < 0 else ratio
    sims = {"sii": np.sort(params[1] * multiplier)}
    if rii:
        ratios = (params[1] + params[0]) / params[0]
        sims["rii"] = np.sort(1 / ratios if multiplier < 0 else ratios)
    for level, name, positions in _levels(confidence, repetitions):
        for stat, values in sims.items():
            out[f"{stat}_lower_{name}cl"] = values[positions[0] - 1]
            out[f"{stat}_upper_{name}cl"] = values[positions[1] - 1]
    return out


def _levels(confidence, repetitions: int):
    """(level, its name as phe_sii writes it, the 1-based positions of its limits among sorted simulations)."""
    for level in np.atleast_1d(confidence):
        level = level / 100 if level >= 90 else level
        upper_level = level + (1 - level) / 2
        yield level, f"{level * 100:.1f}".replace(".", "_"), (round(repetitions * (1 - upper_level)),
                                                              round(repetitions * upper_level))


def _sii_transformed(intercept, slope, sims, back, value_type, multiplier, repetitions, confidence, rii) -> dict:
    """phe_sii with transform = TRUE: the fitted line's ends (x = 0 and 1) transformed back; the limits from the
    simulated slopes placed either side of the line's midpoint. As phe_sii, the limits swap where the multiplier is
    below 1 for rates and below 0 for proportions."""
    end = intercept + slope
    middle = (intercept + end) / 2
    swap = multiplier < 1 if value_type == 1 else multiplier < 0
    out = {"sii": (back(end) - back(intercept)) * multiplier, "intercept": back(intercept) * abs(multiplier)}
    if rii:
        ratio = back(end) / back(intercept)
        out["rii"] = 1 / ratio if multiplier < 0 else ratio
    for level, name, positions in _levels(confidence, repetitions):
        low, high = sims[positions[0] - 1], sims[positions[1] - 1]
        ends = {"l": (middle - low / 2, middle + low / 2), "u": (middle - high / 2, middle + high / 2)}
        first, second = ("u", "l") if swap else ("l", "u")
        out[f"sii_lower_{name}cl"] = (back(ends[first][1]) - back(ends[first][0])) * multiplier
        out[f"sii_upper_{name}cl"] = (back(ends[second][1]) - back(ends[second][0])) * multiplier
        if rii:
            ratio = {k: back(e[1]) / back(e[0]) for k, e in ends.items()}
            out[f"rii_lower_{name}cl"] = 1 / ratio[first] if swap else ratio[first]
            out[f"rii_upper_{name}cl"] = 1 / ratio[second] if swap else ratio[second]
    return out


# --- Recent trend (Fingertips' trend markers) --------------------------------------------------------------------

#: Fingertips tests the most recent five points, at 99.8% (Fingertips technical guidance, "Trend markers").
TREND_POINTS = 5
TREND_CONFIDENCE = 0.998


def proportion_trend(numerator, denominator) -> tuple[float, float]:
    """The chi-squared test for trend in proportions (Cochran-Armitage; R's prop.trend.test, Altman 1991): the
    slope of the proportions over the points 1..k by least squares weighted n / (p (1 - p)), and its chi-squared
    statistic (1 degree of freedom). Returns (slope per point, chi-squared)."""
    x, n = _arrays(numerator, denominator)
    score = np.arange(1, len(x) + 1, dtype=float)
    p = x.sum() / n.sum()
    weight = n / (p * (1 - p))
    centre = np.sum(weight * score) / weight.sum()
    spread = np.sum(weight * (score - centre) ** 2)
    slope = np.sum(weight * (score - centre) * (x / n)) / spread
    return float(slope), float(slope ** 2 * spread)


def value_trend(value, lower, upper, confidence: float = 0.95) -> tuple[float, float]:
    """Fingertips' test for indicators other than proportions: the slope of the values over the points by least
    squares weighted by 1 / se^2 (se from each value's ``confidence`` interval), with chi-squared = slope^2 times the
    weighted spread of the points. Returns (slope per point, chi-squared)."""
    y, lo, hi = _arrays(value, lower, upper)
    se = (hi - lo) / (2 * z_value(confidence))
    weight = 1 / se ** 2
    score = np.arange(1, len(y) + 1, dtype=float)
    centre = np.sum(weight * score) / weight.sum()
    spread = np.sum(weight * (score - centre) ** 2)
    slope = np.sum(weight * (score - centre) * (y - np.sum(weight * y) / weight.sum())) / spread
    return float(slope), float(slope ** 2 * spread)


def recent_trend(kind: str, numerator=None, denominator=None, value=None, lower=None, upper=None) -> str:
    """Fingertips' recent trend of a series in time order: 'increasing', 'decreasing' or 'no significant change'
    over its most recent five points at 99.8%; 'could not be calculated' with fewer than five points, or a point
    without its count (proportions) or interval (others)."""
    from scipy.stats import chi2

    if kind == "proportion":
        x, n = (np.asarray(a, dtype=float)[-TREND_POINTS:] for a in (numerator, denominator))
        if len(x) < TREND_POINTS or np.isnan(x).any() or np.isnan(n).any() or (n <= 0).any() \
                or x.sum() <= 0 or x.sum() >= n.sum():
            return "could not be calculated"
        slope, statistic = proportion_trend(x, n)
    else:
        y, lo, hi = (np.asarray(a, dtype=float)[-TREND_POINTS:] for a in (value, lower, upper))
        if len(y) < TREND_POINTS or np.isnan(y).any() or np.isnan(lo).any() or np.isnan(hi).any() or (hi <= lo).any():
            return "could not be calculated"
        slope, statistic = value_trend(y, lo, hi)
    if statistic <= chi2.ppf(TREND_CONFIDENCE, 1):
        return "no significant change"
    return "increasing" if slope > 0 else "decreasing"


# --- Difference in differences (MHP impact) -----------------------------------------------------------------------

def difference_in_differences(before, after, comparison_before, comparison_after, kind: str,
                              multiplier: float, confidence: float = 0.95) -> dict:
    """The change in the PCNs that started MHPs less the change in the comparison PCNs over the same months.
    Each argument is (events, exposure): for a rate, events over patient-months (Poisson variance events /
    exposure^2); for a proportion, events over trials (binomial variance p (1 - p) / n); times ``multiplier``.
    Returns the four values, the estimate and its interval (normal approximation, the four groups independent)."""
    values, variances = [], []
    for events, exposure in (before, after, comparison_before, comparison_after):
        events, exposure = float(events), float(exposure)
        if exposure <= 0:
            return {"estimate": np.nan, "lower": np.nan, "upper": np.nan, "values": [np.nan] * 4}
        value = events / exposure
        variance = value * (1 - value) / exposure if kind == "proportion" else events / exposure ** 2
        values.append(value * multiplier)
        variances.append(variance * multiplier ** 2)
    estimate = (values[1] - values[0]) - (values[3] - values[2])
    half = z_value(confidence) * np.sqrt(sum(variances))
    return {"estimate": estimate, "lower": estimate - half, "upper": estimate + half, "values": values}
