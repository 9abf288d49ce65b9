"""Welch's two-sample t-test, with the Student t distribution it needs (no SciPy).

The t CDF comes from the regularised incomplete beta function (a continued fraction, as in
Numerical Recipes); `t_quantile` inverts it by bisection, and `t_quantile_bracket` finds, in
a few Newton steps, an interval that surely holds what the bisection returns (for callers
that only compare the quantile with a bound, as `core.power` does). `variance` and `stdev`
are `statistics.variance` / `statistics.stdev` (exact, correctly rounded) on whole numbers
instead of fractions. `core.power` builds on these.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass

_MIN_RUNS = 2  # a spread needs two runs


def _exact_mean_square(xs: Sequence[float]) -> tuple[int, int] | None:
    """The sample variance of xs as a reduced fraction (numerator, denominator), exactly.

    Each float is an integer times a power of two; on a common power 2^-k the integers I
    give sum(x) = S1 / 2^k and sum(x^2) = S2 / 4^k, and the variance is
    (n S2 - S1^2) / (n (n - 1) 4^k): Python's integers do that without rounding, in a
    fraction of the time `statistics`' Fractions take (~2.5 us a value). None when xs is
    not all floats or not all finite (`statistics` then decides what to return or raise).
    """
    n = len(xs)
    if n < _MIN_RUNS:
        return None
    try:
        ratios = [x.as_integer_ratio() for x in xs if type(x) is float]
    except (OverflowError, ValueError):  # inf, nan
        return None
    if len(ratios) != n:
        return None
    shift = max(d for _, d in ratios).bit_length() - 1  # denominators are powers of two
    ints = [p << (shift - d.bit_length() + 1) for p, d in ratios]
    s1 = sum(ints)
    s2 = sum(i * i for i in ints)
    numerator = n * s2 - s1 * s1
    denominator = (n * (n - 1)) << (2 * shift)
    common = math.gcd(numerator, denominator)
    return numerator // common, denominator // common


def variance(xs: Sequence[float]) -> float:
    """`statistics.variance(xs)`, the same float (correctly rounded), faster for floats."""
    exact = _exact_mean_square(xs)
    if exact is None:
        return statistics.variance(xs)
    return exact[0] / exact[1]  # int / int is correctly rounded, as Fraction -> float is


def stdev(xs: Sequence[float]) -> float:
    """`statistics.stdev(xs)`, the same float (correctly rounded), faster for floats."""
    exact = _exact_mean_square(xs)
    if exact is None:
        return statistics.stdev(xs)
    return _float_sqrt_of_frac(*exact)


def _float_sqrt_of_frac(n: int, m: int) -> float:
    """sqrt(n / m) correctly rounded: CPython 3.11's `statistics._float_sqrt_of_frac`.

    Round-to-odd on 2 * 53 + 3 bits, then one rounding (https://bugs.python.org/msg407078);
    given the same reduced fraction it does the same integer steps as `statistics.stdev`.
    """
    q = (n.bit_length() - m.bit_length() - _SQRT_BIT_WIDTH) // 2
    if q >= 0:
        numerator = _isqrt_of_frac_rto(n, m << 2 * q) << q
        denominator = 1
    else:
        numerator = _isqrt_of_frac_rto(n << -2 * q, m)
        denominator = 1 << -q
    return numerator / denominator


_SQRT_BIT_WIDTH = 2 * 53 + 3


def _isqrt_of_frac_rto(n: int, m: int) -> int:
    """sqrt(n / m) rounded to an integer by round-to-odd."""
    a = math.isqrt(n // m)
    return a | (a * a * m != n)


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


_BRACKET = 1e-6
"""Half-width of `t_quantile_bracket`'s interval, relative to the quantile."""

_BRACKET_MAX_DF = 1e7
"""Beyond this df, t_cdf's rounding noise (~df * 1e-16 of the tail) grows towards the bracket."""


def _t_pdf(t: float, df: float) -> float:
    log_norm = math.lgamma((df + 1) / 2) - math.lgamma(df / 2) - 0.5 * math.log(df * math.pi)
    return math.exp(log_norm - (df + 1) / 2 * math.log1p(t * t / df))


def t_quantile_bracket(q: float, df: float) -> tuple[float, float] | None:
    """An interval [low, high] that holds `t_quantile(q, df)`, found in ~6 `t_cdf` calls.

    Newton's method on `t_cdf` from the Cornish-Fisher start finds the quantile t to <<1e-7;
    then low = t - 1e-6 |t| and high = t + 1e-6 |t| are checked: t_cdf(low) < q < t_cdf(high).
    The bisection of `t_quantile` sets its lower end to every midpoint below `low` and its
    upper end to every one above `high` (t_cdf rises, and its rounding noise, ~1e-11 of a
    quantile at df 1e7, is far smaller than the 1e-6 gap), so it ends inside [low, high].
    A caller that only compares the quantile with a bound can then decide from the two
    ends, and needs the bisection's ~60 calls only when the bound falls in between.

    Returns:
        (low, high), or None where no such interval is certain: df outside [1, 1e7], a
        quantile within 1e-3 of 0 (the bisection may stop before its ends are adjacent)
        or beyond +-1e3 (its starting interval), or Newton's method not converging.
    """
    if not 0.0 < q < 1.0 or not 1.0 <= df <= _BRACKET_MAX_DF:
        return None
    z = statistics.NormalDist().inv_cdf(q)
    t = z + (z**3 + z) / (4 * df) + (5 * z**5 + 16 * z**3 + 3 * z) / (96 * df * df)
    for _ in range(30):
        density = _t_pdf(t, df)
        if not density > 0:
            return None
        step = (t_cdf(t, df) - q) / density
        t -= step
        if not math.isfinite(t):
            return None
        if abs(step) <= 1e-7 * abs(t):  # then off by ~step^2: far inside the bracket
            break
    else:
        return None
    low, high = t - _BRACKET * abs(t), t + _BRACKET * abs(t)
    if abs(t) < 1e-3 or low <= -1e3 or high >= 1e3:
        return None
    if not (t_cdf(low, df) < q < t_cdf(high, df)):
        return None
    return low, high


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
    var_a, var_b = variance(a), variance(b)
    lead = statistics.fmean(a) - statistics.fmean(b)
    part_a, part_b = var_a / len(a), var_b / len(b)
    se = math.sqrt(part_a + part_b)
    if se == 0:
        t = 0.0 if lead == 0 else math.copysign(math.inf, lead)
        return WelchTest(lead, 0.0, math.inf, t, 1.0 if lead == 0 else 0.0)
    df = (part_a + part_b) ** 2 / (part_a**2 / (len(a) - 1) + part_b**2 / (len(b) - 1))
    t = lead / se
    return WelchTest(lead, se, df, t, 2.0 * (1.0 - t_cdf(abs(t), df)))
