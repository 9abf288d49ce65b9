"""How sure a route is (core.power), against hand-computed values."""

from __future__ import annotations

import math

import pytest

from modelduel.core.power import (
    metric_values,
    repeat_hints,
    runs_per_model,
    separation,
    separations,
    t_cdf,
    t_quantile,
    welch_test,
)
from modelduel.core.routing import CellStats, choose_routes, compute_stats


def cells(
    scores: dict[str, list[float]],
    costs: dict[str, list[float]] | None = None,
    task: str = "code",
) -> dict[str, CellStats]:
    rows = []
    for model, values in scores.items():
        for k, score in enumerate(values):
            cost = 0.01 if costs is None else costs[model][k]
            rows.append(
                {
                    "task_type": task,
                    "model": model,
                    "score": str(score),
                    "cost_usd": str(cost),
                    "time_to_first_useful_s": "1.0",
                }
            )
    return {c.model: c for c in compute_stats(rows)}


def test_student_t_matches_the_printed_tables() -> None:
    # Two-sided 95 % critical values from any t table.
    assert t_quantile(0.975, 1) == pytest.approx(12.706, abs=1e-3)
    assert t_quantile(0.975, 2) == pytest.approx(4.303, abs=1e-3)
    assert t_quantile(0.975, 10) == pytest.approx(2.228, abs=1e-3)
    assert t_quantile(0.8, 8) == pytest.approx(0.889, abs=1e-3)
    assert t_quantile(0.975, math.inf) == pytest.approx(1.95996, abs=1e-5)
    assert t_cdf(0.0, 5) == pytest.approx(0.5)
    assert t_cdf(-2.228, 10) == pytest.approx(0.025, abs=1e-4)
    # df = 1 is the Cauchy distribution: P(T <= 1) = 1/2 + atan(1)/pi = 0.75.
    assert t_cdf(1.0, 1) == pytest.approx(0.75, abs=1e-12)
    with pytest.raises(ValueError):
        t_quantile(1.0, 3)


def test_welch_test_by_hand() -> None:
    # a = 1,2,3: mean 2, var 1; b = 4..7: mean 5.5, var 5/3.
    # se = sqrt(1/3 + 5/12) = sqrt(0.75) = 0.8660; t = -3.5 / 0.8660 = -4.0415;
    # df = 0.75^2 / ((1/3)^2/2 + (5/12)^2/3) = 0.5625 / 0.113426 = 4.9592;
    # p ~ 0.010 (t_{0.995, 5} = 4.032 is about the same t).
    test = welch_test([1, 2, 3], [4, 5, 6, 7])
    assert test.lead == pytest.approx(-3.5)
    assert test.se == pytest.approx(math.sqrt(0.75))
    assert test.df == pytest.approx(0.5625 / (1 / 18 + 25 / 432))
    assert test.t == pytest.approx(-3.5 / math.sqrt(0.75))
    assert test.p_value == pytest.approx(0.0101, abs=3e-4)
    flat = welch_test([5, 5], [4, 4])
    assert (flat.se, flat.t, flat.p_value) == (0.0, math.inf, 0.0)
    assert welch_test([4, 4], [4, 4]).p_value == 1.0
    with pytest.raises(ValueError, match="at least 2"):
        welch_test([1], [1, 2])


def test_runs_per_model_by_hand() -> None:
    # lead 1, sd 1 and 1: normal formula (1.95996 + 0.84162)^2 * (1 + 1) / 1 = 15.70 -> 16;
    # at n = 16, df = 15 * 4 / 2 = 30: (2.0423 + 0.8538)^2 * 2 = 16.77 > 16, not enough;
    # at n = 17, df = 32: (2.0369 + 0.8530)^2 * 2 = 16.70 <= 17. So 17.
    assert runs_per_model(1.0, 1.0, 1.0) == 17
    # lead 2: normal 15.70 / 4 = 3.92 -> 4; n = 4, df 6: (2.4469 + 0.9057)^2 / 2 = 5.62 > 4;
    # n = 5, df 8: (2.3060 + 0.8889)^2 / 2 = 5.10 > 5; n = 6, df 10:
    # (2.2281 + 0.8791)^2 / 2 = 4.83 <= 6. So 6 (plain iteration would swing 5 <-> 6).
    assert runs_per_model(2.0, 1.0, 1.0) == 6
    assert runs_per_model(-2.0, 1.0, 1.0) == 6  # the sign of the lead does not matter
    assert runs_per_model(0.0, 1.0, 1.0) is None  # equal means: no number of runs
    assert runs_per_model(0.5, 0.0, 0.0) == 2  # no spread: two runs show it


def test_a_clear_lead_is_separated() -> None:
    c = cells({"A": [5, 5, 5, 4], "B": [2, 2, 3, 2]})
    sep = separation(c["A"], c["B"], "quality")
    assert sep.separated and sep.more_runs == 0 and sep.runs == (4, 4)
    assert sep.p_value is not None and sep.p_value < 0.05
    assert sep.note.startswith("separated at 95%: p = ")


def test_a_small_lead_says_how_many_runs_would_separate_it() -> None:
    # A 5,4,3 vs B 4,3,2: lead 1, sd 1 each; se = sqrt(1/3 + 1/3) = 0.8165, t = 1.2247,
    # df = (2/3)^2 / (2 * (1/3)^2 / 2) = 4, p = 0.288. Not separated; 17 runs per model
    # (see test_runs_per_model_by_hand), 14 more than the 3 each has.
    c = cells({"A": [5, 4, 3], "B": [4, 3, 2]})
    sep = separation(c["A"], c["B"], "quality")
    assert not sep.separated
    assert sep.lead == pytest.approx(1.0) and sep.lead_unit == "score"
    assert sep.p_value == pytest.approx(0.288, abs=1e-3)
    assert (sep.runs_per_model, sep.more_runs) == (17, 14)
    assert sep.note == (
        "not separated (p = 0.29): ~14 more runs per model (~17 each) would separate them "
        "at the observed spread"
    )


def test_a_noise_sized_lead_is_called_equal_not_given_a_six_digit_run_count() -> None:
    # A 5,4,3.01 vs B 5,4,3: lead 0.00333, sd ~1 each: n ~ 7.85 * 2 / 0.00333^2 ~ 1.4M
    c = cells({"A": [5, 4, 3.01], "B": [5, 4, 3]})
    sep = separation(c["A"], c["B"], "quality")
    assert not sep.separated and sep.runs_per_model is not None
    assert sep.runs_per_model > 1000
    assert "treat them as equal here" in sep.note and "more runs per model" not in sep.note
    assert repeat_hints({"t": sep}, {"t": 1}) == []  # no --repeat would help


def test_equal_means_say_no_number_of_runs_would_do() -> None:
    c = cells({"A": [4, 5], "B": [5, 4]})
    sep = separation(c["A"], c["B"], "quality")
    assert not sep.separated and sep.runs_per_model is None and sep.more_runs is None
    assert "no number of runs would separate equal means" in sep.note


def test_one_run_cannot_measure_a_spread() -> None:
    c = cells({"A": [5], "B": [4, 3, 4]})
    sep = separation(c["A"], c["B"], "quality")
    assert not sep.separated and sep.runs_per_model is None
    assert sep.note == (
        "not separated: A has 1 run, too few to measure the spread; run at least 2 per model"
    )


def test_zero_spread_with_a_lead_is_separated_and_says_why() -> None:
    c = cells({"A": [5, 5, 5], "B": [4, 4, 4]})
    sep = separation(c["A"], c["B"], "quality")
    assert sep.separated and sep.p_value == 0.0
    assert sep.note.endswith("(no spread in either model's runs)")


def test_quality_per_cost_is_tested_on_the_delta_method_linearisation() -> None:
    # A: scores 4,4 (S = 4, U = 1), costs 0.01, 0.03 (C = 0.02): Q = 4 * 1 / 0.02 = 200,
    # z_r = ln 200 - (c_r - 0.02) / 0.02 = ln 200 +- 0.5. B: costs 0.02, 0.06 -> ln 100 +- 0.5.
    # Lead ln 2; each sd sqrt(0.5); se = sqrt(0.25 + 0.25) = 0.7071; t = 0.98; df 2.
    c = cells({"A": [4, 4], "B": [4, 4]}, {"A": [0.01, 0.03], "B": [0.02, 0.06]})
    values, unit = metric_values(c["A"], "quality-per-cost")
    assert unit == "log score per $"
    assert values == pytest.approx([math.log(200) + 0.5, math.log(200) - 0.5])
    sep = separation(c["A"], c["B"], "quality-per-cost")
    assert sep.lead == pytest.approx(math.log(2))
    assert not sep.separated
    assert sep.runs_per_model == runs_per_model(math.log(2), math.sqrt(0.5), math.sqrt(0.5))
    # A success-rate spread counts too: scores 4, 2 give U = 0.5, S = 3, so
    # z_r = ln(3 * 0.5 / 0.02) + (s_r - 3)/3 + (u_r - 0.5)/0.5 = ln 75 +- (1/3 + 1).
    c = cells({"A": [4, 2]}, {"A": [0.02, 0.02]})
    values, _ = metric_values(c["A"], "quality-per-cost")
    # (values come in the cell's run order: sorted by score, so the 2 first)
    assert values == pytest.approx([math.log(75) - 4 / 3, math.log(75) + 4 / 3])


def test_cost_and_latency_are_oriented_so_larger_is_better() -> None:
    # cost: K = C / U = 0.02; z_r = ln 0.02 + (c_r - 0.02)/0.02, negated.
    c = cells({"A": [4, 4]}, {"A": [0.01, 0.03]})
    values, unit = metric_values(c["A"], "cost")
    assert unit == "log $ per success"
    assert values == pytest.approx([-(math.log(0.02) - 0.5), -(math.log(0.02) + 0.5)])
    assert metric_values(c["A"], "latency") == ([-1.0, -1.0], "s")


def test_free_against_paid_is_decided_by_the_rule() -> None:
    c = cells({"local": [4, 4], "paid": [5, 5]}, {"local": [0, 0], "paid": [0.01, 0.01]})
    sep = separation(c["local"], c["paid"], "quality-per-cost")
    assert sep.separated and sep.more_runs == 0
    assert "free" in sep.note
    # two free models: the tie-break, the average score, is what gets tested
    c = cells({"a": [5, 4, 3], "b": [4, 3, 2]}, {"a": [0, 0, 0], "b": [0, 0, 0]})
    sep = separation(c["a"], c["b"], "quality-per-cost")
    assert (sep.lead_unit, sep.runs_per_model) == ("score", 17)


def test_separations_follow_the_routes() -> None:
    stats = list(cells({"A": [5, 4, 3], "B": [4, 3, 2], "C": [1, 1, 2]}).values())
    stats += list(cells({"solo": [5, 5]}, task="docs").values())
    routes = choose_routes(stats, "quality")
    seps = separations(stats, routes)
    assert list(seps) == ["code", "docs"]
    assert (seps["code"].winner, seps["code"].runner_up, seps["code"].more_runs) == ("A", "B", 14)
    assert seps["docs"].runner_up is None and not seps["docs"].separated
    assert seps["docs"].note == "the only eligible model: nothing to separate it from"
