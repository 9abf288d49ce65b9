"""The decision rule on hand-computed fixtures (pure: rows in memory, no storage layer)."""

from __future__ import annotations

import csv
import dataclasses
import json
import math
import os
import random
import subprocess
import sys
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


def _reference_win_share(
    best: CellStats, other: CellStats, objective: str, samples: int = BOOTSTRAP_SAMPLES
) -> float:
    """The bootstrap by its plain definition: `random.choices` and `_summarise` per resample."""
    rng = random.Random(f"{best.task_type}\x00{best.model}\x00{other.model}\x00{objective}")
    wins = 0
    for _ in range(samples):
        a = _summarise("", "", rng.choices(best.runs_detail, k=best.runs), best.success_score)
        b = _summarise("", "", rng.choices(other.runs_detail, k=other.runs), other.success_score)
        ka, kb = _rank_key(a, objective), _rank_key(b, objective)
        if ka is not None and (kb is None or ka < kb):
            wins += 1
    return wins / samples


def _within_resampling_noise(share: float, reference: float, reference_samples: int) -> bool:
    """The two shares estimate one probability from independent resamples: they differ by
    at most 4.5 standard deviations of that difference (a false alarm ~1 in 150,000)."""
    n, r = BOOTSTRAP_SAMPLES, reference_samples
    pooled = (share * n + reference * r) / (n + r)
    variance = max(pooled * (1 - pooled), 1 / n) * (1 / n + 1 / r)
    return abs(share - reference) <= 4.5 * math.sqrt(variance)


def _known_cells(seed: int, runs: int, lead: float) -> tuple[CellStats, CellStats]:
    """Two cells of `runs` runs, `b`'s scores `lead` above `a`'s on average (costs vary)."""
    gen = random.Random(seed)
    rows = [
        row(
            "x",
            model,
            str(min(5, max(0, round(gen.gauss(3 + shift, 1.2))))),
            gen.choice([f"{gen.uniform(0.001, 0.05):.4f}", "0"]) if seed % 3 else "0.01",
            gen.choice(["", f"{gen.uniform(0.2, 3):.3f}"]),
        )
        for model, shift in (("a", 0.0), ("b", lead))
        for _ in range(runs)
    ]
    best, other = compute_stats(rows, success_score=4)
    return best, other


@pytest.mark.parametrize(
    ("seed", "runs", "lead"), [(1, 6, 0.0), (2, 10, 0.5), (3, 12, 1.0), (4, 20, 0.3), (5, 8, 2.0)]
)
def test_vectorised_bootstrap_agrees_with_the_reference_within_its_noise(
    seed: int, runs: int, lead: float
) -> None:
    # not draw for draw (numpy's integers, not random's uniforms): the same share in
    # distribution, so the two agree to the noise of their resamples, on close leads
    # (shares near a half, where that noise is largest) and clear ones alike
    best, other = _known_cells(seed, runs, lead)
    for objective in OBJECTIVES:
        for first, second in ((best, other), (other, best)):
            reference = _reference_win_share(first, second, objective, samples=3000)
            share = _win_share(first, second, objective)
            assert _within_resampling_noise(share, reference, 3000), (objective, share, reference)


def test_vectorised_bootstrap_on_large_cells_agrees_with_the_reference() -> None:
    # cells larger than one chunk of draws, so the chunks must continue one stream (a chunk
    # redrawing the first one's resamples would still agree: the seed test catches that)
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
        reference = _reference_win_share(best, other, objective, samples=400)
        assert _within_resampling_noise(_win_share(best, other, objective), reference, 400)


def test_the_same_cells_give_the_same_share_in_every_process() -> None:
    # "same CSV, same recommendation": the seed comes from the cell names, never from
    # hash() (salted per process) or the clock; a fresh interpreter with another hash
    # seed draws the very same resamples
    best, other = _known_cells(2, 10, 0.5)
    shares = [_win_share(best, other, objective) for objective in OBJECTIVES]
    assert shares == [_win_share(best, other, objective) for objective in OBJECTIVES]
    code = (
        "import json, sys\n"
        "sys.path.insert(0, sys.argv[1])\n"
        "from test_routing import _known_cells\n"
        "from modelduel.core.routing import OBJECTIVES, _win_share\n"
        "best, other = _known_cells(2, 10, 0.5)\n"
        "print(json.dumps([_win_share(best, other, o) for o in OBJECTIVES]))\n"
    )
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    out = subprocess.run(
        [sys.executable, "-c", code, str(Path(__file__).parent)],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    assert json.loads(out.stdout) == shares
    # and another pair of cells draws other resamples (the seed depends on the names)
    renamed = [dataclasses.replace(c, model=c.model + "2") for c in (best, other)]
    assert [_win_share(*renamed, o) for o in OBJECTIVES] != shares
