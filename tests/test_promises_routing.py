"""How sure a route is: promises of `Route.confident` a small change would break unseen.

Each test was written against a hand-made mutation the rest of the suite let through:
bootstrap resamples where the runner-up ties counted as wins, and a lone model always
reported as confident; and, found by the mutation run, the margin and row checks.
"""

from __future__ import annotations

import math

from modelduel.core.routing import (
    MIN_RUNS_FOR_CONFIDENCE,
    choose_routes,
    compute_stats,
    row_problems,
)


def rows(model: str, scores: list[int], cost: str = "0.01") -> list[dict[str, str]]:
    return [
        {
            "task_type": "coding",
            "model": model,
            "score": str(s),
            "cost_usd": cost,
            "time_to_first_useful_s": "1.0",
        }
        for s in scores
    ]


def test_a_resample_where_the_runner_up_ties_is_not_a_win() -> None:
    """A scores 5, 5, 5; B scores 5, 5, 4; every run costs the same. A leads, but about
    (2/3)^3 = 30 % of resamples of B draw only its 5s and tie A exactly: in those A did
    not rank strictly first, so the lead held in about 70 % of them, well under 95 %."""
    stats = compute_stats(rows("a/x", [5, 5, 5]) + rows("b/y", [5, 5, 4]))
    route = choose_routes(stats, "quality")["coding"]
    assert (route.model, route.runner_up) == ("a/x", "b/y")
    assert route.win_share is not None and 0.6 < route.win_share < 0.8
    assert not route.confident
    assert "within noise" in route.reason


def test_a_clear_lead_over_enough_runs_is_confident() -> None:
    """The control: when B can never tie A, the lead holds in every resample."""
    stats = compute_stats(rows("a/x", [5, 5, 5]) + rows("b/y", [3, 3, 2]))
    route = choose_routes(stats, "quality")["coding"]
    assert route.model == "a/x" and route.win_share == 1.0 and route.confident


def test_a_lone_model_is_confident_only_with_enough_runs() -> None:
    """Without a runner-up there is nothing to be within noise of, but a single run is
    still a single run: the route is confident from MIN_RUNS_FOR_CONFIDENCE runs on."""
    for n in range(1, MIN_RUNS_FOR_CONFIDENCE + 2):
        route = choose_routes(compute_stats(rows("a/x", [5] * n)))["coding"]
        assert route.model == "a/x" and route.runner_up is None and route.runs == n
        assert route.confident == (n >= MIN_RUNS_FOR_CONFIDENCE), n


def test_the_margin_is_how_far_ahead_the_winner_is_in_the_objectives_units() -> None:
    stats = compute_stats(rows("a/x", [5, 5, 5], cost="0.01") + rows("b/y", [5, 4, 4], cost="0.03"))
    quality = choose_routes(stats, "quality")["coding"]
    assert quality.model == "a/x" and quality.margin_unit == "avg score"
    assert quality.margin is not None and math.isclose(quality.margin, 5 - 13 / 3)
    cost = choose_routes(stats, "cost")["coding"]
    assert cost.model == "a/x" and cost.margin_unit == "$ per success"
    assert cost.margin is not None and math.isclose(cost.margin, 0.03 - 0.01)


def test_every_bad_cell_of_a_row_is_reported_not_only_the_first() -> None:
    problems = row_problems(
        {"task_type": "coding", "model": "m/x", "score": "five", "cost_usd": "-1",
         "time_to_first_useful_s": "soon"}
    )  # fmt: skip
    assert problems == [
        "column 'score': 'five' is not a number",
        "column 'time_to_first_useful_s': 'soon' is not a number",
        "column 'cost_usd': '-1' is negative",
    ]


def test_the_bootstrap_resamples_each_cell_at_its_own_size() -> None:
    """A scores 5, 5, 4 and B 4, 4, 4 (same costs): a resample of A's three runs ties B
    only when it draws the 4 three times, (1/3)^3 = 4 % of the time, so the lead holds in
    about 96 % of resamples; a resample of one run would tie a third of the time."""
    stats = compute_stats(rows("a/x", [5, 5, 4]) + rows("b/y", [4, 4, 4]))
    route = choose_routes(stats, "quality")["coding"]
    assert route.model == "a/x"
    assert route.win_share is not None and 0.93 < route.win_share < 0.99


def test_equal_latency_is_decided_by_the_higher_average_score() -> None:
    stats = compute_stats(rows("a/x", [3, 3, 3]) + rows("b/y", [5, 5, 5]))  # same ttfu
    route = choose_routes(stats, "latency")["coding"]
    assert (route.model, route.runner_up) == ("b/y", "a/x")
    assert "higher avg score wins" in route.reason
