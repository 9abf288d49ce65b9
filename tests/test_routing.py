"""The decision rule on hand-computed fixtures (pure: rows in memory, no storage layer)."""

from __future__ import annotations

import csv
import math
import random
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from modelduel.core.routing import (
    BOOTSTRAP_SAMPLES,
    CONFIDENCE_LEVEL,
    MIN_RUNS_FOR_CONFIDENCE,
    OBJECTIVES,
    CellStats,
    _rank_key,
    _summarise,
    _win_share,
    choose_routes,
    compute_stats,
    dedupe_runs,
    iso_week,
    parse_number,
    row_problems,
)

FIXTURES = Path(__file__).parent / "fixtures"
GPT, CLAUDE, GEMINI = "gpt-5.5", "claude-opus-4-7", "gemini-3.1-pro-preview"
LOCAL, GEMMA = "ollama/qwen3-coder", "lmstudio/gemma-3"


def load(name: str) -> list[dict[str, str]]:
    with (FIXTURES / name).open(encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def row(task_type: str, model: str, score: str, cost: str = "0.01", ttfu: str = "1.0") -> dict:
    return {
        "task_id": "t",
        "task_type": task_type,
        "model": model,
        "score": score,
        "time_to_first_useful_s": ttfu,
        "cost_usd": cost,
    }


def cell(stats: list[CellStats], task_type: str, model: str) -> CellStats:
    return next(c for c in stats if c.task_type == task_type and c.model == model)


@pytest.fixture
def brief() -> list[dict[str, str]]:
    return load("route_brief.csv")


# ---------------------------------------------------------------- stats


def test_brief_fixture_has_30_scored_runs(brief: list[dict[str, str]]) -> None:
    stats = compute_stats(brief)
    assert len(brief) == 30
    assert sum(c.runs for c in stats) == 30
    assert len(stats) == 7 * 3
    assert [(c.task_type, c.model) for c in stats] == sorted((c.task_type, c.model) for c in stats)


def test_stats_hand_computed(brief: list[dict[str, str]]) -> None:
    stats = compute_stats(brief)
    # agentic gemini: scores 5, 0; both runs paid 0.01 + 0.05; one success.
    g = cell(stats, "agentic_terminal_work", GEMINI)
    assert (g.runs, g.avg_score, g.success_runs) == (2, 2.5, 1)
    assert g.total_cost_usd == pytest.approx(0.06)
    assert g.cost_per_success == pytest.approx(0.06)  # the failed run's spend counts
    assert g.quality_per_cost == pytest.approx(2.5 / 0.06)
    assert g.median_ttfu_s == pytest.approx(1.5)
    assert g.scores == [0.0, 5.0]
    # long-context gemini: 5, 4 at 0.08 each.
    lc = cell(stats, "long_context_synthesis", GEMINI)
    assert (lc.avg_score, lc.success_runs) == (4.5, 2)
    assert lc.cost_per_success == pytest.approx(0.08)
    assert lc.quality_per_cost == pytest.approx(56.25)
    assert lc.median_ttfu_s == pytest.approx(0.6)
    # long-context claude: 5, 3 -> one success carries both runs' cost.
    lcc = cell(stats, "long_context_synthesis", CLAUDE)
    assert lcc.cost_per_success == pytest.approx(0.5)
    assert lcc.quality_per_cost == pytest.approx(8.0)
    # A cell without any success has no cost per success and no quality per cost.
    t = cell(stats, "coding_tests", CLAUDE)
    assert (t.success_runs, t.cost_per_success, t.quality_per_cost) == (0, None, None)
    assert t.total_cost_usd == pytest.approx(0.04)
    # An empty ttfu is left out of the median (no value at all -> None).
    j = cell(stats, "strict_json_extraction", GEMINI)
    assert j.median_ttfu_s is None


def test_success_score_threshold(brief: list[dict[str, str]]) -> None:
    stats = compute_stats(brief, success_score=5)
    g = cell(stats, "research_summary", GPT)  # scores 4, 5
    assert g.success_runs == 1
    assert g.cost_per_success == pytest.approx(0.06)
    assert g.success_score == 5


def test_unscored_rows_left_out() -> None:
    rows = load("route_local.csv")
    stats = compute_stats(rows)
    assert not any(c.task_type == "strict_json_extraction" for c in stats)
    assert sum(c.runs for c in stats) == 6


def test_averaging_is_pooled_over_runs_not_a_mean_of_task_means() -> None:
    # Task A run three times (5, 5, 5), task B once (1): the cell's mean is 16/4 = 4,
    # not (5 + 1) / 2 = 3; and quality per cost is avg / cost-per-success, not a mean of
    # per-run ratios.
    rows = [row("x", "m", "5", "0.01") for _ in range(3)] + [row("x", "m", "1", "0.05")]
    (c,) = compute_stats(rows)
    assert c.avg_score == 4.0
    assert c.cost_per_success == pytest.approx(0.08 / 3)
    assert c.quality_per_cost == pytest.approx(4.0 / (0.08 / 3))


def test_unknown_cost_is_not_zero() -> None:
    rows = [row("x", "priced", "4", "0.02"), row("x", "unpriced", "5", "")]
    stats = compute_stats(rows)
    u = cell(stats, "x", "unpriced")
    assert u.unpriced_runs == 1
    assert u.cost_per_success is None and u.quality_per_cost is None
    routes = choose_routes(stats)
    assert routes["x"].model == "priced"  # an unknown price never wins as "free"
    assert choose_routes(stats, "quality")["x"].model == "unpriced"


def test_bad_number_raises_value_error() -> None:
    with pytest.raises(ValueError, match="column 'score'"):
        compute_stats([row("x", "m", "abc")])


# ---------------------------------------------------------------- routes


EXPECTED = {
    "quality-per-cost": {
        "agentic_terminal_work": CLAUDE,  # 80 vs gpt 50 vs gemini 41.7 (failed spend counts)
        "coding_bug_fix": GPT,  # 125 vs claude 100; gemini no success
        "coding_refactor": CLAUDE,  # tie at 200 with gpt; higher avg score (5 > 4)
        "long_context_synthesis": GEMINI,  # 56.25 vs gpt 20
        "research_summary": GPT,  # 150 vs claude 125
        "strict_json_extraction": GPT,  # 500 vs claude 250
    },
    "cost": {
        "agentic_terminal_work": CLAUDE,  # 0.05 vs gemini 0.06
        "coding_bug_fix": GPT,
        "coding_refactor": GPT,  # 0.02 vs 0.025
        "long_context_synthesis": GEMINI,
        "research_summary": GPT,
        "strict_json_extraction": GPT,
    },
    "quality": {
        "agentic_terminal_work": CLAUDE,  # 4 = 4 with gpt; lower cost per success
        "coding_bug_fix": GPT,  # 5 = 5 with claude; 0.04 < 0.05
        "coding_refactor": CLAUDE,
        "coding_tests": CLAUDE,  # quality needs no success: 3 > 2 > 1
        "long_context_synthesis": GEMINI,
        "research_summary": CLAUDE,
        "strict_json_extraction": GPT,
    },
    "latency": {
        "agentic_terminal_work": CLAUDE,
        "coding_bug_fix": CLAUDE,
        "coding_refactor": CLAUDE,
        "coding_tests": CLAUDE,
        "long_context_synthesis": GEMINI,  # median 0.6 vs claude 1.0
        "research_summary": CLAUDE,
        "strict_json_extraction": CLAUDE,
    },
}


@pytest.mark.parametrize("objective", list(EXPECTED))
def test_routes_per_objective(brief: list[dict[str, str]], objective: str) -> None:
    routes = choose_routes(compute_stats(brief), objective)  # type: ignore[arg-type]
    assert {t: r.model for t, r in routes.items()} == EXPECTED[objective]
    assert all(r.objective == objective for r in routes.values())


def test_margins_and_runner_ups(brief: list[dict[str, str]]) -> None:
    routes = choose_routes(compute_stats(brief))
    bug = routes["coding_bug_fix"]
    assert (bug.runner_up, bug.margin_unit) == (CLAUDE, "score per $")
    assert bug.margin == pytest.approx(25.0)
    agentic = routes["agentic_terminal_work"]
    assert agentic.runner_up == GPT
    assert agentic.margin == pytest.approx(30.0)
    lc = choose_routes(compute_stats(brief), "latency")["long_context_synthesis"]
    assert (lc.runner_up, lc.margin_unit) == (CLAUDE, "s median ttfu")
    assert lc.margin == pytest.approx(0.4)
    cost = choose_routes(compute_stats(brief), "cost")["research_summary"]
    # claude and gemini tie at 0.04 per success for second place: higher avg (5) wins.
    assert cost.runner_up == CLAUDE
    assert cost.margin == pytest.approx(0.01)


def test_tie_goes_to_higher_avg_score(brief: list[dict[str, str]]) -> None:
    r = choose_routes(compute_stats(brief))["coding_refactor"]
    assert (r.model, r.runner_up) == (CLAUDE, GPT)
    assert r.margin == 0
    assert "higher avg score wins" in r.reason


def test_no_success_means_no_route(brief: list[dict[str, str]]) -> None:
    stats = compute_stats(brief)
    assert "coding_tests" not in choose_routes(stats)
    assert "coding_tests" not in choose_routes(stats, "cost")
    # gemini never succeeded on coding_bug_fix: it is not even a runner-up.
    assert choose_routes(stats)["coding_bug_fix"].runner_up == CLAUDE


def test_zero_cost_ranks_above_any_positive_cost(brief: list[dict[str, str]]) -> None:
    stats = compute_stats(brief + load("route_local.csv"))
    routes = choose_routes(stats)
    bug = routes["coding_bug_fix"]
    # The local model averages 3.33 (below gpt's 5) yet ranks first because it is free.
    assert cell(stats, "coding_bug_fix", LOCAL).avg_score == pytest.approx(10 / 3)
    assert cell(stats, "coding_bug_fix", LOCAL).quality_per_cost == math.inf
    assert (bug.model, bug.runner_up, bug.margin) == (LOCAL, GPT, math.inf)
    # Only model with a success on coding_tests.
    tests = routes["coding_tests"]
    assert (tests.model, tests.runner_up, tests.margin) == (LOCAL, None, None)
    # Two free models: the tie on infinity goes to the higher avg score.
    research = routes["research_summary"]
    assert (research.model, research.runner_up) == (GEMMA, LOCAL)
    assert research.margin == pytest.approx(1.0)
    assert research.margin_unit == "avg score (both free)"
    # The cost objective agrees: $0 per success is cheapest.
    assert choose_routes(stats, "cost")["coding_bug_fix"].model == LOCAL


def test_failed_runs_spend_decides_a_route() -> None:
    # Without counting the failed run's $0.09, "cheap" would be 4 / 0.01 = 400 per $
    # and win; counted, it is 2 / 0.10 = 20 per $, below "steady" at 4 / 0.04 = 100.
    rows = [
        row("x", "cheap", "4", "0.01"),
        row("x", "cheap", "0", "0.09"),
        row("x", "steady", "4", "0.04"),
        row("x", "steady", "4", "0.04"),
    ]
    routes = choose_routes(compute_stats(rows))
    assert routes["x"].model == "steady"
    assert routes["x"].margin == pytest.approx(100 - 20)


def test_float_ties_are_ties() -> None:
    # 0.1 + 0.2 != 0.3 in binary floating point; the figures still tie.
    rows = [
        row("x", "a", "3", "0.1"),
        row("x", "a", "3", "0.2"),
        row("x", "b", "3", "0.3"),
        row("x", "b", "3", "0"),
    ]
    stats = compute_stats(rows, success_score=3)
    routes = choose_routes(stats, "cost")
    assert routes["x"].margin == pytest.approx(0)
    assert (routes["x"].model, routes["x"].runner_up) == ("a", "b")  # then by name


def test_confidence_needs_runs_and_a_stable_lead() -> None:
    n = MIN_RUNS_FOR_CONFIDENCE
    clear = [row("x", "good", "5", "0.01") for _ in range(n + 2)]
    clear += [row("x", "poor", s, "0.01") for s in ["4", "1", "4", "0", "1"][: n + 2]]
    r = choose_routes(compute_stats(clear), "quality")["x"]
    assert r.confident and r.win_share is not None and r.win_share >= 0.95
    close = [row("y", "a", s, "0.01") for s in ["5", "3", "4"]]
    close += [row("y", "b", s, "0.01") for s in ["4", "4", "3"]]
    r2 = choose_routes(compute_stats(close), "quality")["y"]
    assert not r2.confident
    # three runs each: the bootstrap decided, not the too-few-runs rule
    assert "resamples" in r2.reason
    assert r2.win_share is not None and r2.win_share < CONFIDENCE_LEVEL
    few = [row("z", "a", "5"), row("z", "b", "1")]
    r3 = choose_routes(compute_stats(few), "quality")["z"]
    assert not r3.confident  # one run each cannot show spread
    assert r3.win_share == 1.0


def test_unknown_objective() -> None:
    with pytest.raises(ValueError, match="unknown objective"):
        choose_routes([], "speed")  # type: ignore[arg-type]


# ---------------------------------------------------------------- helpers


def test_dedupe_runs_prefers_scored_then_later() -> None:
    a = {"run_id": "r1", "score": "", "model": "first"}
    b = {"run_id": "r1", "score": "4", "model": "scored"}
    c = {"run_id": "r1", "score": "", "model": "late-unscored"}
    d = {"run_id": "", "score": "3", "model": "no-id"}
    rows, dropped = dedupe_runs([a, b, c, d, dict(d)])
    assert dropped == 2
    assert [r["model"] for r in rows] == ["scored", "no-id", "no-id"]
    e = {"run_id": "r2", "score": "3", "model": "old"}
    f = {"run_id": "r2", "score": "5", "model": "new"}
    assert dedupe_runs([e, f])[0] == [f]


def test_iso_week() -> None:
    assert iso_week("") == "undated"
    assert iso_week(None) == "undated"
    assert iso_week("2026-03-02T10:00:00Z") == "2026-W10"
    # Sunday 23:30 in New York is Monday in UTC: the next ISO week.
    assert iso_week("2026-03-08T23:30:00-04:00") == "2026-W11"
    assert iso_week("2027-01-01") == "2026-W53"
    with pytest.raises(ValueError):
        iso_week("last tuesday")


def test_parse_number_and_row_problems() -> None:
    assert parse_number(" 4 ") == 4.0
    assert parse_number("") is None
    for bad in ("abc", "nan", "inf"):
        with pytest.raises(ValueError):
            parse_number(bad)
    assert row_problems(row("x", "m", "4")) == []
    assert row_problems(row("x", "m", "abc")) == ["column 'score': 'abc' is not a number"]
    assert row_problems(row("x", "m", "7")) == ["column 'score': '7' is outside the 0-5 rubric"]
    assert row_problems(row("x", "m", "4", cost="$0.10")) == [
        "column 'cost_usd': '$0.10' is not a number"
    ]
    assert row_problems(row("x", "", "4", ttfu="-1")) == [
        "column 'model': empty",
        "column 'time_to_first_useful_s': '-1' is negative",
    ]
    bad_time = {**row("x", "m", "4"), "timestamp": "soon"}
    assert row_problems(bad_time) == []
    assert row_problems(bad_time, check_timestamp=True) == [
        "column 'timestamp': 'soon' is not an ISO date-time"
    ]


# ---------------------------------------------------------------- properties

_rows = st.lists(
    st.builds(
        row,
        st.sampled_from(["coding", "json", "research"]),
        st.sampled_from(["a", "b", "c", "free"]),
        st.sampled_from(["", "0", "1", "2", "3", "4", "4.5", "5"]),
        st.sampled_from(["0", "0.1", "0.2", "0.3", "0.015", ""]),
        st.sampled_from(["", "0.4", "1.5", "3"]),
    ),
    max_size=30,
)


@settings(max_examples=60, deadline=None)
@given(rows=_rows, data=st.data())
def test_shuffling_rows_never_changes_stats_or_routes(
    rows: list[dict], data: st.DataObject
) -> None:
    shuffled = data.draw(st.permutations(rows))
    stats, again = compute_stats(rows), compute_stats(shuffled)
    assert stats == again
    for objective in ("quality-per-cost", "cost", "quality", "latency"):
        assert choose_routes(stats, objective) == choose_routes(again, objective)  # type: ignore[arg-type]


def test_shuffling_the_brief_fixture(brief: list[dict[str, str]]) -> None:
    reversed_rows = list(reversed(brief))
    assert compute_stats(brief) == compute_stats(reversed_rows)
    assert choose_routes(compute_stats(brief)) == choose_routes(compute_stats(reversed_rows))


# ---------------------------------------------------------------- the vectorised bootstrap


def _reference_win_share(best: CellStats, other: CellStats, objective: str) -> float:
    """The bootstrap as first written: one `_summarise` (which sorts) per resample."""
    rng = random.Random(f"{best.task_type}\x00{best.model}\x00{other.model}\x00{objective}")
    wins = 0
    for _ in range(BOOTSTRAP_SAMPLES):
        a = _summarise("", "", rng.choices(best.runs_detail, k=best.runs), best.success_score)
        b = _summarise("", "", rng.choices(other.runs_detail, k=other.runs), other.success_score)
        ka, kb = _rank_key(a, objective), _rank_key(b, objective)
        if ka is not None and (kb is None or ka < kb):
            wins += 1
    return wins / BOOTSTRAP_SAMPLES


_many_rows = st.lists(
    st.builds(
        row,
        st.just("x"),
        st.sampled_from(["a", "b"]),
        st.sampled_from(["0", "1", "2", "3", "4", "4.5", "5"]),
        st.sampled_from(["0", "0.01", "0.0123", "0.2", "0.3", "0.015", ""]),
        st.sampled_from(["", "0.4", "0.75", "1.5", "3", "2.25"]),
    ),
    min_size=2,
    max_size=40,
)


@settings(max_examples=40, deadline=None)
@given(rows=_many_rows, objective=st.sampled_from(OBJECTIVES), swap=st.booleans())
def test_vectorised_bootstrap_draws_the_same_resamples_as_the_reference(
    rows: list[dict], objective: str, swap: bool
) -> None:
    stats = compute_stats(rows, success_score=4)
    if len(stats) < 2:
        return
    best, other = (stats[1], stats[0]) if swap else (stats[0], stats[1])
    assert _win_share(best, other, objective) == _reference_win_share(best, other, objective)


def test_vectorised_bootstrap_on_large_cells_matches_the_reference() -> None:
    # cells larger than one chunk of draws, so chunking must continue the same stream
    gen = random.Random(7)
    rows = [
        row(
            "x",
            m,
            str(gen.randint(0, 5)),
            f"{gen.uniform(0.001, 0.05):.4f}",
            f"{gen.uniform(0.2, 3):.3f}",
        )
        for m in ("a", "b")
        for _ in range(700)
    ]
    best, other = compute_stats(rows)
    for objective in OBJECTIVES:
        assert _win_share(best, other, objective) == _reference_win_share(best, other, objective)
