"""Welch's two-sample t-test, with the Student t distribution it needs (no SciPy).

The t CDF comes from the regularised incomplete beta function (a continued fraction, as in
Numerical Recipes); `t_quantile` inverts it by bisection. `core.power` builds on these.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass

_MIN_RUNS = 2  # a spread needs two runs


@dataclass(frozen=True)
class WelchTest:
    """A two-sided Welch t-test of mean(a) - mean(b).

    Attributes:
        lead: mean(a) - mean(b).
        se: its standard error, sqrt(var_a/n_a + var_b/n_b).
        df: Welch–Satterthwaite degrees of freedom (inf when both spreads are 0).
        t: lead / se (+-inf when se is 0 and the lead is not).
        p_value: two-sided p-value.
    """

    lead: float
    se: float
    df: float
    t: float
    p_value: float


def _beta_continued_fraction(a: float, b: float, x: float) -> float:
    # Lentz's method for the incomplete beta continued fraction (Numerical Recipes 6.4).
    tiny = 1e-300
    c, d = 1.0, 1.0 - (a + b) * x / (a + 1.0)
    d = 1.0 / (d if abs(d) > tiny else tiny)
    h = d
    for m in range(1, 500):
        for numerator in (
            m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m)),
            -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1)),
        ):
            d = 1.0 + numerator * d
            d = 1.0 / (d if abs(d) > tiny else tiny)
            c = 1.0 + numerator / c
            c = c if abs(c) > tiny else tiny
            h *= d * c
        if abs(d * c - 1.0) < 1e-15:
            break
    return h


def _incomplete_beta(a: float, b: float, x: float) -> float:
    """The regularised incomplete beta function I_x(a, b)."""
    if x <= 0.0:
        return 0.0
    if x >= 1.0:
        return 1.0
    log_front = (
        math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + b * math.log1p(-x)
    )
    front = math.exp(log_front)
    if x < (a + 1.0) / (a + b + 2.0):
        return front * _beta_continued_fraction(a, b, x) / a
    return 1.0 - front * _beta_continued_fraction(b, a, 1.0 - x) / b


def t_cdf(t: float, df: float) -> float:
    """P(T <= t) for Student's t with `df` degrees of freedom (df = inf: the normal).

    Uses P(|T| > |t|) = I_{df/(df+t^2)}(df/2, 1/2).
    """
    if math.isinf(df):
        return statistics.NormalDist().cdf(t)
    if math.isinf(t):
        return 1.0 if t > 0 else 0.0
    tail = 0.5 * _incomplete_beta(df / 2.0, 0.5, df / (df + t * t))
    return 1.0 - tail if t > 0 else tail


def t_quantile(q: float, df: float) -> float:
    """The q-quantile of Student's t (by bisection on `t_cdf`; df = inf: the normal).

    The bisection stops once the midpoint is one of its ends: low and high are then
    adjacent floats and no further step changes either, so the answer is the one 200
    steps would give, in about 60 calls of `t_cdf` instead of 200.
    """
    if not 0.0 < q < 1.0:
        raise ValueError(f"q must be in (0, 1), not {q}")
    if math.isinf(df):
        return statistics.NormalDist().inv_cdf(q)
    low, high = -1e3, 1e3
    for _ in range(200):
        mid = (low + high) / 2
        if mid in (low, high):
            break
        if t_cdf(mid, df) < q:
            low = mid
        else:
            high = mid
    return (low + high) / 2


def welch_test(a: Sequence[float], b: Sequence[float]) -> WelchTest:
    """Welch's two-sample t-test of mean(a) - mean(b), two-sided.

    Args:
        a, b: per-run values, at least 2 each (a spread needs two runs).

    Returns:
        The test. Both spreads 0: se 0, df inf, t +-inf (p 0) for a nonzero lead, and
        t 0 (p 1) for equal means.

    Raises:
        ValueError: fewer than 2 values in a or b.
    """
    if len(a) < _MIN_RUNS or len(b) < _MIN_RUNS:
        raise ValueError("a Welch test needs at least 2 values per sample")
    var_a, var_b = statistics.variance(a), statistics.variance(b)
    lead = statistics.fmean(a) - statistics.fmean(b)
    part_a, part_b = var_a / len(a), var_b / len(b)
    se = math.sqrt(part_a + part_b)
    if se == 0:
        t = 0.0 if lead == 0 else math.copysign(math.inf, lead)
        return WelchTest(lead, 0.0, math.inf, t, 1.0 if lead == 0 else 0.0)
    df = (part_a + part_b) ** 2 / (part_a**2 / (len(a) - 1) + part_b**2 / (len(b) - 1))
    t = lead / se
    return WelchTest(lead, se, df, t, 2.0 * (1.0 - t_cdf(abs(t), df)))
