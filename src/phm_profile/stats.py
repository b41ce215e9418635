"""Public-health statistics as OHID computes them for Fingertips (reference: the R package PHEindicatormethods;
its test data live in shared/data/reference/phe_indicator_methods and the tests reproduce them).

All functions take numbers or numpy arrays; missing inputs (NaN) give missing outputs, never an error.
"""

from __future__ import annotations

import numpy as np
from scipy.special import gammaincinv, ndtri

COMPARISONS = ("higher", "similar", "lower", "not compared")
FUNNEL_LABELS = ("High (0.001)", "High (0.025)", "Not significant", "Low (0.025)", "Low (0.001)")


def _z(confidence: float) -> float:
    return ndtri(1 - (1 - confidence) / 2)


def _arrays(*values):
    return [np.asarray(v, dtype=float) for v in values]


def wilson_lower(x, n, confidence: float = 0.95):
    """Wilson score interval, lower limit, as a proportion of 1 (PHEindicatormethods::wilson_lower)."""
    x, n = _arrays(x, n)
    z = _z(confidence)
    with np.errstate(invalid="ignore", divide="ignore"):
        return (2 * x + z**2 - z * np.sqrt(z**2 + 4 * x * (1 - x / n))) / (2 * (n + z**2))


def wilson_upper(x, n, confidence: float = 0.95):
    """Wilson score interval, upper limit, as a proportion of 1 (PHEindicatormethods::wilson_upper)."""
    x, n = _arrays(x, n)
    z = _z(confidence)
    with np.errstate(invalid="ignore", divide="ignore"):
        return (2 * x + z**2 + z * np.sqrt(z**2 + 4 * x * (1 - x / n))) / (2 * (n + z**2))


def byars_lower(x, confidence: float = 0.95):
    """Byar's approximation to the Poisson lower limit for a count (PHEindicatormethods::byars_lower)."""
    (x,) = _arrays(x)
    z = _z(confidence)
    with np.errstate(invalid="ignore", divide="ignore"):
        base = 1 - 1 / (9 * x) - z / (3 * np.sqrt(x))
        # Below one event at high confidence the approximation breaks down; OHID gives no value there.
        return np.where(x == 0, 0.0, np.where(base < 0, np.nan, x * base**3))


def byars_upper(x, confidence: float = 0.95):
    """Byar's approximation to the Poisson upper limit for a count (PHEindicatormethods::byars_upper)."""
    (x,) = _arrays(x)
    z = _z(confidence)
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


def funnel_axis(min_denominator: float, max_denominator: float, points: int = 100) -> np.ndarray:
    """The populations at which the limits are drawn: geometric steps from the axis minimum to a rounded
    maximum, as PHEindicatormethods does."""
    minimum = 0 if max_denominator > 2 * min_denominator else _signif_floor(min_denominator)
    maximum = _signif_ceiling(max_denominator)
    pops = [max(1, minimum)]
    for j in range(2, points + 1):
        pops.append(max(round((maximum / pops[-1]) ** (1 / (points + 1 - j)) * pops[-1]), pops[-1] + 1))
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
