"""The routing statistics as rich text (report_stats), at a fixed width."""

from __future__ import annotations

import io
import json
import subprocess
import sys

import numpy as np
from rich.console import Console, RenderableType

from modelduel.core.power import Separation, separations
from modelduel.core.preference import ModelStrength, TaskPreference, preference_table
from modelduel.core.routing import choose_routes, compute_stats
from modelduel.report_stats import (
    preference_tables,
    route_stats_report,
    separation_lines,
    stats_report,
)

CODING = TaskPreference(
    "coding",
    (
        ModelStrength("anthropic/claude-opus-4-7", 0.6931, 0.1, 1.25, 6, 4.5, 6, 0),
        ModelStrength("openai/gpt-5.5", -0.6931, -1.25, -0.1, 6, 1.5, 6, 0),
    ),
    duels=6,
    connected=True,
    prior_games=1.0,
    samples=1000,
    by_rank=4,
    by_score=2,
)
SPLIT = TaskPreference(
    "json",
    (
        ModelStrength("a", 0.5, 0.5, 0.5, 1, 1.0, 1, 0),
        ModelStrength("c", 0.0, 0.0, 0.0, 1, 0.5, 1, 1),
        ModelStrength("d", -1e-12, 0.0, 0.0, 1, 0.5, 1, 1),
        ModelStrength("b", -0.5, -0.5, -0.5, 1, 0.0, 1, 0),
    ),
    duels=2,
    connected=False,
    prior_games=1.0,
    samples=1000,
    by_score=2,
)
SEPS = {
    "coding": Separation(
        "coding", "anthropic/claude-opus-4-7", "openai/gpt-5.5", "quality", False, 1.0,
        "score", 0.288, (3, 3), 17, 14,
        "not separated (p = 0.29): ~14 more runs per model (~17 each) would separate them "
        "at the observed spread",
    ),
    "json": Separation(
        "json", "a", None, "quality", False, None, "", None, (2, 0), None, None,
        "the only eligible model: nothing to separate it from",
    ),
}  # fmt: skip


def text(renderable: RenderableType, width: int = 100) -> str:
    console = Console(record=True, width=width, color_system=None, file=io.StringIO())
    console.print(renderable)
    return "\n".join(line.rstrip() for line in console.export_text().splitlines())


def test_the_full_report_text() -> None:
    # json: one duel per model is too thin to show a strength (MIN_DUELS).
    assert text(stats_report({"coding": CODING, "json": SPLIT}, SEPS)) == (
        "coding · Bradley–Terry · 6 duels, 6 comparisons: 4 by rank, 2 by score\n"
        "┏━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━┳━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━┳━━━━━━━┓\n"
        "┃ model                     ┃ strength ┃         95% CI ┃ comparisons ┃ duels ┃\n"
        "┡━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━╇━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━╇━━━━━━━┩\n"
        "│ anthropic/claude-opus-4-7 │    +0.69 │ [+0.10, +1.25] │           6 │     6 │\n"
        "│ openai/gpt-5.5            │    -0.69 │ [-1.25, -0.10] │           6 │     6 │\n"
        "└───────────────────────────┴──────────┴────────────────┴─────────────┴───────┘\n"
        "json · Bradley–Terry · 2 duels, 2 comparisons, all from score differences (no rank yet)\n"
        "┏━━━━━━━┳━━━━━━━━━━┳━━━━━━━━┳━━━━━━━━━━━━━┳━━━━━━━┳━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━┓\n"
        "┃ model ┃ strength ┃ 95% CI ┃ comparisons ┃ duels ┃ part ┃ note                   ┃\n"
        "┡━━━━━━━╇━━━━━━━━━━╇━━━━━━━━╇━━━━━━━━━━━━━╇━━━━━━━╇━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━┩\n"
        "│ a     │        — │      — │           1 │     1 │    1 │ too few duels (1 of 3) │\n"
        "│ c     │        — │      — │           1 │     1 │    2 │ too few duels (1 of 3) │\n"
        "│ d     │        — │      — │           1 │     1 │    2 │ too few duels (1 of 3) │\n"
        "│ b     │        — │      — │           1 │     1 │    1 │ too few duels (1 of 3) │\n"
        "└───────┴──────────┴────────┴─────────────┴───────┴──────┴────────────────────────┘\n"
        "2 parts, never compared across\n"
        "strength: log Bradley–Terry strength, 0 = the task type's geometric mean, +0.69 = twice"
        " as strong;\n"
        "95% CI: bootstrap over whole duels; comparisons: pairs of runs of two models in one duel,"
        " decided by\n"
        "rank when either is ranked (an unranked run is below a ranked one), else by score"
        " (ties half)\n"
        "\n"
        "How sure each route is (Welch t-test, 95 %; runs at 80 % power)\n"
        "coding  anthropic/claude-opus-4-7 vs openai/gpt-5.5: not separated (p = 0.29): ~14 more"
        " runs per\n"
        "model (~17 each) would separate them at the observed spread\n"
        "json    a: the only eligible model: nothing to separate it from"
    )


def test_no_zero_width_note_when_every_interval_has_width() -> None:
    out = text(preference_tables({"coding": CODING}))
    assert "95% CI: bootstrap over whole duels" in out
    assert "zero-width" not in out and "part" not in out


def test_without_a_bootstrap_the_interval_is_a_dash() -> None:
    plain = TaskPreference(
        "coding",
        (ModelStrength("m", 0.0, None, None, 1, 0.5, 1, 0),),
        duels=1,
        connected=True,
        prior_games=1.0,
        samples=0,
    )
    plain = TaskPreference(
        "coding",
        (ModelStrength("m", 0.0, None, None, 3, 1.5, 3, 0),),
        duels=3,
        connected=True,
        prior_games=1.0,
        samples=0,
    )
    assert "│ m     │    +0.00 │      — │           3 │     3 │" in text(
        preference_tables({"coding": plain})
    )


def test_nothing_to_compare_says_so() -> None:
    assert text(stats_report({}, {}), width=200) == (
        "Bradley–Terry: no duel has two ranked or scored runs of different models yet (runs "
        "without a duel_id, e.g. hand-written rows, cannot be paired)"
    )
    assert text(separation_lines({})) == ""


def test_from_csv_rows_to_text() -> None:
    rows = []
    for k, (a, b) in enumerate([(5, 4), (4, 3), (3, 2)]):
        for model, score in (("claude", a), ("gpt", b)):
            rows.append(
                {
                    "duel_id": f"d{k}",
                    "task_type": "coding",
                    "model": model,
                    "score": str(score),
                    "rank": "",
                    "cost_usd": "0.01",
                    "time_to_first_useful_s": "1",
                }
            )
    prefs = preference_table(rows, rng=np.random.default_rng(0), samples=100)
    stats = compute_stats(rows)
    out = text(stats_report(prefs, separations(stats, choose_routes(stats, "quality"))))
    assert "coding · Bradley–Terry · 3 duels, 3 comparisons, all from score differences" in out
    assert "claude vs gpt: not separated (p = 0.29): ~14 more runs per model (~17 each)" in out


def test_the_module_does_not_import_textual() -> None:
    code = "import modelduel.report_stats, sys, json; print(json.dumps(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    modules = json.loads(out.stdout.splitlines()[-1])
    assert not any(m == "textual" or m.startswith(("textual.", "modelduel.tui")) for m in modules)


def test_separated_verdicts_are_green_and_open_ones_yellow() -> None:
    done = Separation(
        "x", "a", "b", "quality", True, 1.0, "score", 0.01, (3, 3), None, 0, "separated"
    )
    lines = separation_lines({"coding": SEPS["coding"], "x": done})
    styles = {lines.plain[s.start : s.end]: s.style for s in lines.spans}
    assert styles["separated"] == "green"
    assert styles[SEPS["coding"].note] == "yellow"


def test_route_stats_report_is_reproducible_from_what_route_has() -> None:
    rows = []
    for k, (claude, gpt) in enumerate([(5, 3), (4, 4), (3, 4), (5, 2), (2, 3), (4, 3)]):
        for model, score in (("claude", claude), ("gpt", gpt)):
            rows.append(
                {
                    "duel_id": f"d{k}",
                    "task_type": "coding",
                    "model": model,
                    "score": str(score),
                    "rank": "1" if model == "claude" and k < 2 else "",
                    "cost_usd": "0.01",
                    "time_to_first_useful_s": "1",
                }
            )
    stats = compute_stats(rows)
    routes = choose_routes(stats)
    first = text(route_stats_report(rows, stats, routes))
    assert first == text(route_stats_report(rows, stats, routes))
    # claude ranked best in two duels, gpt not placed there: those two are decided by rank
    assert "coding · Bradley–Terry · 6 duels, 6 comparisons: 2 by rank, 4 by score" in first
    assert "claude vs gpt: " in first
    generator = np.random.default_rng(99)
    route_stats_report(rows, stats, routes, rng=generator)
    # the generator given is really the one used
    assert generator.bit_generator.state != np.random.default_rng(99).bit_generator.state


def test_one_comparison_is_singular() -> None:
    from types import SimpleNamespace

    from modelduel.report_stats import _sources

    assert _sources(SimpleNamespace(by_rank=1, by_score=0)) == "1 comparison, all from rank"  # type: ignore[arg-type]
    assert (
        _sources(SimpleNamespace(by_rank=2, by_score=1)) == "3 comparisons: 2 by rank, 1 by score"
    )  # type: ignore[arg-type]
