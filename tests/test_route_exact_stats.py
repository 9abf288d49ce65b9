"""The fast variance, spread and t quantile behind `route`'s verdicts are the old exact ones.

`welch.variance` / `welch.stdev` replace `statistics.variance` / `statistics.stdev` (exact
fractions, slow on 200k rows) and must return the very same float; `t_quantile` finds its
root by Newton's method and then replays the old bisection, so it must return the very same
float as the bisection did; `runs_per_model` must give the same whole number.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from modelduel.core import power, welch
from modelduel.core.welch import t_cdf, t_quantile

finite = st.floats(allow_nan=False, allow_infinity=False, min_value=-1e12, max_value=1e12)
rubric = st.sampled_from([0.0, 0.5, 1.0, 2.0, 2.5, 3.0, 4.0, 4.5, 5.0])
values = st.lists(st.one_of(finite, rubric), min_size=2, max_size=60)


def _old_t_quantile(q: float, df: float) -> float:
    """The bisection `t_quantile` was (early-stopping form of 200 halvings)."""
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


def _old_runs_per_model(lead: float, sd_a: float, sd_b: float) -> int | None:
    if lead == 0:
        return None
    spread = sd_a**2 + sd_b**2
    if spread == 0:
        return 2
    z = statistics.NormalDist().inv_cdf(0.975) + statistics.NormalDist().inv_cdf(0.8)
    n = max(2, math.ceil(z * z * spread / (lead * lead)))
    while True:
        df = (n - 1) * spread**2 / (sd_a**4 + sd_b**4)
        factor = _old_t_quantile(0.975, df) + _old_t_quantile(0.8, df)
        if n >= factor * factor * spread / (lead * lead):
            return n
        n += 1


def _outcome(f: Callable[..., object], *args: object) -> object:
    """What f returns, or the type of what it raises (NaN as a string, to compare equal)."""
    try:
        got = f(*args)
    except Exception as e:  # the same error is part of "the same"
        return type(e)
    if isinstance(got, float) and math.isnan(got):
        return "nan"
    return (type(got), got)


@settings(max_examples=300, deadline=None)
@given(values)
def test_variance_is_statistics_variance_to_the_bit(xs: list[float]) -> None:
    assert welch.variance(xs) == statistics.variance(xs)


@settings(max_examples=300, deadline=None)
@given(values)
def test_stdev_is_statistics_stdev_to_the_bit(xs: list[float]) -> None:
    assert welch.stdev(xs) == statistics.stdev(xs)


@pytest.mark.parametrize(
    "xs",
    [
        [1.0, 1.0],
        [1e300, -1e300, 3.0],
        [5e-324, 0.0, 1e-310],
        [1e16, 1.0, -1e16, 3.5],
        [0.1, 0.2, 0.3, 0.4] * 250,
        [1.0, 2.0, math.inf],
        [1.0, math.nan],
        [1, 2, 4],
    ],
)
def test_edge_cases_match_statistics(xs: list[float]) -> None:
    assert _outcome(welch.variance, xs) == _outcome(statistics.variance, xs)
    assert _outcome(welch.stdev, xs) == _outcome(statistics.stdev, xs)


def test_too_few_values_raise_as_statistics_does() -> None:
    with pytest.raises(statistics.StatisticsError):
        welch.variance([1.0])
    with pytest.raises(statistics.StatisticsError):
        welch.stdev([])


@settings(max_examples=300, deadline=None)
@given(
    st.floats(min_value=1e-4, max_value=1 - 1e-4),
    st.one_of(st.floats(min_value=0.3, max_value=50.0), st.floats(min_value=50.0, max_value=1e7)),
)
def test_t_quantile_is_the_old_bisection_to_the_bit(q: float, df: float) -> None:
    assert t_quantile(q, df) == _old_t_quantile(q, df)


@settings(max_examples=1000, deadline=None)
@given(
    st.sampled_from([0.975, 0.8, 0.9, 0.95, 0.995, 0.6, 0.2, 0.025]),
    st.one_of(st.floats(min_value=1.0, max_value=50.0), st.floats(min_value=50.0, max_value=1e7)),
)
def test_the_bracket_holds_the_bisection_quantile(q: float, df: float) -> None:
    bracket = welch.t_quantile_bracket(q, df)
    assert bracket is not None  # these are the quantiles `runs_per_model` asks for
    low, high = bracket
    assert low <= _old_t_quantile(q, df) <= high
    assert high - low <= 3e-6 * abs(high)


@pytest.mark.parametrize("q", [1e-9, 1e-6, 0.025, 0.5, 0.8, 0.975, 1 - 1e-6, 1 - 1e-9])
@pytest.mark.parametrize("df", [0.05, 0.5, 1.0, 1.7, 3.0, 30.0, 1e4, 1e9, 1e15])
def test_t_quantile_far_tails_and_odd_df(q: float, df: float) -> None:
    """Where Newton may not find the root (or the root is past +-1e3) it falls back."""
    assert t_quantile(q, df) == _old_t_quantile(q, df)


@settings(max_examples=200, deadline=None)
@given(
    st.floats(min_value=1e-3, max_value=5.0),
    st.floats(min_value=0.0, max_value=3.0),
    st.floats(min_value=0.0, max_value=3.0),
)
def test_runs_per_model_is_the_old_count(lead: float, sd_a: float, sd_b: float) -> None:
    if (sd_a**2 + sd_b**2) / (lead * lead) > 1e4:
        return  # the old count walks ~n steps of ~120 t_cdf calls: too slow to compare here
    want = _outcome(_old_runs_per_model, lead, sd_a, sd_b)
    assert _outcome(power.runs_per_model, lead, sd_a, sd_b) == want
