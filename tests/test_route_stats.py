"""Issue 14 in `modelduel route`, `run` and the TUI report: Bradley–Terry and how sure a route is.

The statistics are checked against values worked out by hand in the comments; the report
against the awkward cases (no rank, ties, one model, an undefeated model, scores only).
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import math
import random
from pathlib import Path

import numpy as np
import pytest
from rich.console import Console, RenderableType

from modelduel import cli
from modelduel.commands.route import add_route_parser, run_route
from modelduel.core import duel_bootstrap
from modelduel.core.bradley_terry import fit_strengths
from modelduel.core.comparisons import comparisons
from modelduel.core.power import repeat_hint_lines, repeat_hints, runs_per_model, separations
from modelduel.core.preference import preference_table
from modelduel.core.routing import choose_routes, compute_stats
from modelduel.report import render_report
from modelduel.report_json import preference_json
from modelduel.report_stats import route_stats_report

HEADER = [
    "task_id", "task_type", "model", "score", "time_to_first_useful_s", "wall_time_s",
    "input_tokens", "output_tokens", "cost_usd", "manual_corrections", "notes", "run_id",
    "duel_id", "rank",
]  # fmt: skip


def run(
    duel: str, model: str, score: str = "", rank: str = "", task: str = "code", cost: str = "0.01"
) -> dict[str, str]:
    row = dict.fromkeys(HEADER, "")
    row.update(
        task_id=f"t-{task}", task_type=task, model=model, score=score, rank=rank,
        time_to_first_useful_s="1", wall_time_s="2", input_tokens="10", output_tokens="10",
        cost_usd=cost, manual_corrections="0", run_id=f"{duel}-{model}-{len(score)}{rank}",
        duel_id=duel,
    )  # fmt: skip
    return row


def text(renderable: RenderableType | list[RenderableType], width: int = 200) -> str:
    console = Console(record=True, width=width, color_system=None, file=io.StringIO())
    for r in renderable if isinstance(renderable, list) else [renderable]:
        console.print(r)
    return "\n".join(line.rstrip() for line in console.export_text().splitlines())


def report_of(rows: list[dict[str, str]]) -> str:
    stats = compute_stats(rows)
    return text(route_stats_report(rows, stats, choose_routes(stats)))


# ------------------------------------------------------------------ statistics by hand


def sigmoid(x: float) -> float:
    return 1 / (1 + math.exp(-x))


def test_bradley_terry_with_the_prior_solves_the_hand_derived_equation() -> None:
    # A beats B in 3 duels of 3, prior 1 game each against the reference (half won). By
    # symmetry s_A = x = -s_B, and A's likelihood equation is
    #   3 + 1/2 = 3 sigma(2x) + sigma(x)
    # (wins + prior half-win = expected wins vs B + expected wins vs the reference).
    # The left side is 3.5; at x = 1: 3 * 0.8808 + 0.7311 = 3.3735 < 3.5, at x = 1.5:
    # 3 * 0.9526 + 0.8176 = 3.6753 > 3.5, so x is in (1, 1.5) and finite, not inf.
    rows = [r for k in range(3) for r in (run(f"d{k}", "A", "5"), run(f"d{k}", "B", "2"))]
    top = preference_table(rows)["code"].models[0]
    x = top.strength
    assert top.model == "A" and 1 < x < 1.5
    assert 3 * sigmoid(2 * x) + sigmoid(x) == pytest.approx(3.5, abs=1e-9)


def test_a_tie_is_half_a_win_not_a_win() -> None:
    # A: one win, one tie over B -> 1.5 of 2: s_A - s_B = ln(1.5 / 0.5) = ln 3 (prior 0).
    # Counting the tie as a win for A would make A undefeated (no finite MLE); as a loss,
    # 1 of 2: a difference of 0.
    rows = [run("w", "A", "5"), run("w", "B", "3"), run("t", "A", "4"), run("t", "B", "4")]
    got = {m.model: m for m in preference_table(rows, prior_games=0)["code"].models}
    assert got["A"].strength - got["B"].strength == pytest.approx(math.log(3), abs=1e-8)
    assert (got["A"].wins, got["B"].wins, got["A"].games) == (1.5, 0.5, 2)


def test_the_vectorised_fit_matches_the_reference_comparisons() -> None:
    # preference_table builds its comparisons with whole-array numpy steps; `comparisons`
    # is the plain loop the module docstring describes. Same wins, games and duels.
    rng = random.Random(5)
    rows = []
    for d in range(60):
        task = ("code", "json")[d % 2]
        for model in rng.sample(["a", "b", "c", "d"], rng.randint(1, 4)) + ["a"] * (d % 3 == 0):
            ranked = d % 4 == 0 and rng.random() < 0.8
            score = str(rng.randint(0, 5)) if rng.random() < 0.9 else ""
            rows.append(run(f"d{d}", model, score, str(rng.randint(1, 3)) if ranked else "", task))
    for task, table in preference_table(rows, prior_games=0.5).items():
        mine = [c for c in comparisons(rows) if c.task_type == task]
        models = sorted({c.first for c in mine} | {c.second for c in mine})
        index = {m: i for i, m in enumerate(models)}
        wins = np.zeros((len(models), len(models)))
        for c in mine:
            wins[index[c.first], index[c.second]] += c.first_wins
            wins[index[c.second], index[c.first]] += 1 - c.first_wins
        expected = dict(zip(models, fit_strengths(wins, 0.5), strict=True))
        for m in table.models:
            assert m.strength == pytest.approx(expected[m.model], abs=1e-9)
            assert m.wins == pytest.approx(wins[index[m.model]].sum())
            assert m.games == round(wins[index[m.model]].sum() + wins[:, index[m.model]].sum())
            assert m.duels == len({c.duel_id for c in mine if m.model in (c.first, c.second)})
        assert table.by_rank == sum(c.source == "rank" for c in mine)
        assert table.by_score == sum(c.source == "score" for c in mine)


@pytest.mark.parametrize("path", ["multinomial", "drawn one by one", "drawn in blocks"])
def test_bootstrap_quantiles_of_two_opposite_duels(
    path: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Two duels: A wins d1, B wins d2. A resample of 2 duels is (d1, d1) with chance 1/4:
    # A 2-0, strength +x; (d1, d2) or (d2, d1), 1/2: 1-1, strength 0; (d2, d2), 1/4: -x.
    # So the 2.5 % and 97.5 % points are -x and +x exactly (1000 draws: fewer than 25 of
    # a 1/4 outcome has probability ~1e-150), where x solves 2.5 = 2 sigma(2x) + sigma(x)
    # (A's equation at 2-0 with the prior). Resampling *runs* (4 of them) instead would
    # often draw a duel with one run, or the same run twice, and give other quantiles.
    # Both ways of counting a resample's duels (`duel_bootstrap._bootstrap`) give them.
    duels_per_pattern = 0 if path == "multinomial" else 10**9
    monkeypatch.setattr(duel_bootstrap, "_DUELS_PER_PATTERN", duels_per_pattern)
    if path == "drawn in blocks":
        monkeypatch.setattr(duel_bootstrap, "_BLOCK_DRAWS", 7)  # 3 resamples a block, 1 last
    rows = [run("d1", "A", "5"), run("d1", "B", "1"), run("d2", "A", "1"), run("d2", "B", "5")]
    table = preference_table(rows, rng=np.random.default_rng(0), samples=1000)["code"]
    a = next(m for m in table.models if m.model == "A")
    assert a.strength == pytest.approx(0.0, abs=1e-12)
    assert a.low is not None and a.high is not None
    x = a.high
    assert 2 * sigmoid(2 * x) + sigmoid(x) == pytest.approx(2.5, abs=1e-9)
    assert a.low == pytest.approx(-x, abs=1e-9)


def test_bootstrap_of_distinct_duels_matches_resampling_duels_one_by_one() -> None:
    # The bootstrap draws how many duels of each distinct outcome a resample holds (a
    # multinomial); drawing n duels with replacement one by one has the same distribution.
    # Five duels, A wins 3, B wins 2: the 2.5 / 97.5 % points of A's strength, from 4000
    # resamples each way, agree to the discreteness of the outcomes.
    rows = []
    for k, winner in enumerate("AAABB"):
        loser = "B" if winner == "A" else "A"
        rows += [run(f"d{k}", winner, "5"), run(f"d{k}", loser, "2")]
    table = preference_table(rows, rng=np.random.default_rng(1), samples=4000)["code"]
    a = next(m for m in table.models if m.model == "A")
    rng = np.random.default_rng(2)
    picks = rng.integers(0, 5, size=(4000, 5))
    a_wins = (picks < 3).sum(axis=1).astype(float)
    wins = np.zeros((4000, 2, 2))
    wins[:, 0, 1], wins[:, 1, 0] = a_wins, 5 - a_wins
    one_by_one = np.percentile(fit_strengths(wins, 1.0)[:, 0], [2.5, 97.5])
    assert (a.low, a.high) == pytest.approx(tuple(one_by_one), abs=1e-9)


def test_runs_per_model_against_the_closed_form() -> None:
    # The normal closed form n = (z_0.975 + z_0.8)^2 (sd_a^2 + sd_b^2) / lead^2; the t
    # version is at least that and approaches it as n grows: lead 0.1, sd 1 and 1:
    # (1.959964 + 0.841621)^2 * 2 / 0.01 = 1569.8 -> 1570; t at df ~3140 adds ~1 run.
    closed = (1.959964 + 0.841621) ** 2 * 2 / 0.01
    got = runs_per_model(0.1, 1.0, 1.0)
    assert got is not None and math.ceil(closed) <= got <= math.ceil(closed) + 2
    # and unequal spreads: sd 1 and 2, lead 1: (2.8016)^2 * 5 = 39.24 -> 40; t: 41 or 42.
    got = runs_per_model(1.0, 1.0, 2.0)
    assert got is not None and 40 <= got <= 42


def test_repeat_hints_turn_runs_per_model_into_a_repeat() -> None:
    # A 5,4,3 vs B 4,3,2: ~17 runs per model (test_power); with 3 tasks of that type in the
    # suite, --repeat 6 gives each model 18 >= 17 runs. A suite without the type: no hint.
    rows = []
    for k, (a, b) in enumerate([(5, 4), (4, 3), (3, 2)]):
        rows += [run(f"d{k}", "A", str(a)), run(f"d{k}", "B", str(b))]
    stats = compute_stats(rows)
    seps = separations(stats, choose_routes(stats, "quality"))
    (hint,) = repeat_hints(seps, {"code": 3})
    assert (hint.repeat, hint.tasks, hint.separation.runs_per_model) == (6, 3, 17)
    assert repeat_hints(seps, {"json": 3}) == []
    assert repeat_hints(seps, {"code": 3}, current_repeat=6) == []  # already asked for


# ------------------------------------------------------------------ the report's cases


def test_scores_only_no_rank_data() -> None:
    rows = []
    for k in range(4):
        rows += [run(f"d{k}", "A", "5"), run(f"d{k}", "B", "3" if k else "5")]
    out = report_of(rows)
    assert "code · Bradley–Terry · 4 duels, 4 comparisons, all from score differences" in out
    assert "(no rank yet)" in out


def test_rank_and_score_are_counted_apart() -> None:
    rows = []
    for k in range(4):
        rank_a, rank_b = ("1", "2") if k < 3 else ("", "")
        rows += [run(f"d{k}", "A", "3", rank_a), run(f"d{k}", "B", "4", rank_b)]
    out = report_of(rows)
    assert "4 comparisons: 3 by rank, 1 by score" in out
    # the rank outranks the score: A leads on the person's preference though B scored higher
    assert out.index("│ A ") < out.index("│ B ")


def test_ties_everywhere_give_equal_strengths() -> None:
    rows = []
    for k in range(4):
        rows += [run(f"d{k}", "A", rank="1"), run(f"d{k}", "B", rank="1")]
    out = report_of(rows)
    assert "│ A     │    +0.00 │ [+0.00, +0.00] │           4 │     4 │" in out
    assert "│ B     │    +0.00 │ [+0.00, +0.00] │           4 │     4 │" in out
    assert "undefeated" not in out


def test_one_model_only_says_there_is_nothing_to_compare() -> None:
    rows = [run(f"d{k}", "A", "4") for k in range(3)]
    out = report_of(rows)
    assert "code · Bradley–Terry: only one model (A): nothing to compare" in out
    assert "strength" not in out


def test_an_undefeated_model_is_held_finite_and_says_so() -> None:
    rows = []
    for k in range(5):
        rows += [run(f"d{k}", "A", rank="1"), run(f"d{k}", "B", rank="2")]
    out = report_of(rows)
    assert "undefeated: held finite by the prior (1 virtual game)" in out
    assert "never won: held finite by the prior" in out
    assert "inf" not in out.replace("infinite", "")
    payload = preference_json(preference_table(rows, rng=np.random.default_rng(0)))
    a = payload["code"]["models"][0]
    assert a["model"] == "A" and math.isfinite(a["strength"]) and a["strength"] > 0
    # without the prior the fit diverges: no number is shown, the note says why
    no_prior = preference_json(preference_table(rows, prior_games=0))
    assert no_prior["code"]["models"][0]["strength"] is None
    assert (
        no_prior["code"]["models"][0]["note"] == "undefeated: no finite strength (the fit diverges)"
    )


def test_thin_data_says_so_instead_of_a_number() -> None:
    rows = [run("d0", "A", "5"), run("d0", "B", "3"), run("d1", "A", "4"), run("d1", "B", "4")]
    out = report_of(rows)
    assert "too few duels (2 of 3)" in out
    table = [line for line in out.splitlines() if line.startswith("│")]
    assert table == [
        "│ A     │        — │      — │           2 │     2 │ too few duels (2 of 3) │",
        "│ B     │        — │      — │           2 │     2 │ too few duels (2 of 3) │",
    ]
    payload = preference_json(preference_table(rows))
    assert all(m["strength"] is None for m in payload["code"]["models"])


# ------------------------------------------------------------------ route, run, TUI


def write_csv(path: Path, rows: list[dict[str, str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, HEADER)
        writer.writeheader()
        writer.writerows(rows)
    return path


def parse(*argv: str | Path) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="modelduel")
    add_route_parser(parser.add_subparsers(dest="command"))
    return parser.parse_args(["route", *map(str, argv)])


def mixed_rows() -> list[dict[str, str]]:
    # code: A clearly better (separated); json: A 5,4,3 vs B 4,3,2 (not separated, ~14
    # more runs each at quality; the default objective has equal costs, so quality-per-cost
    # ranks the same way).
    rows = []
    for k, a in enumerate("5545"):
        rows += [run(f"c{k}", "A", a, "1"), run(f"c{k}", "B", "4", "2", cost="0.02")]
    for k, (a, b) in enumerate([(5, 4), (4, 3), (3, 2)]):
        rows += [run(f"j{k}", "A", str(a), task="json"), run(f"j{k}", "B", str(b), task="json")]
    return rows


def test_route_report_shows_the_tables_and_the_verdicts(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_csv(tmp_path / "runs.csv", mixed_rows())
    assert run_route(parse(path)) == 0
    out = capsys.readouterr().out
    assert "code · Bradley–Terry · 4 duels, 4 comparisons, all from rank" in out
    assert "json · Bradley–Terry · 3 duels, 3 comparisons, all from score differences" in out
    code_line = next(line for line in out.splitlines() if line.startswith("code "))
    json_line = next(line for line in out.splitlines() if line.startswith("json "))
    assert "separated at 95%: p = " in code_line and "not separated" not in code_line
    assert "not separated (p = " in json_line and "more runs per model (~" in json_line
    assert "would separate them at the observed spread" in json_line
    assert "within noise" not in out


def test_route_json_has_the_tables_and_the_verdicts(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_csv(tmp_path / "runs.csv", mixed_rows())
    assert run_route(parse(path, "--json")) == 0
    out = json.loads(capsys.readouterr().out)
    code = out["preference"]["code"]
    assert (code["duels"], code["comparisons_by_rank"], code["comparisons_by_score"]) == (4, 4, 0)
    assert code["bootstrap_samples"] == 1000
    a = code["models"][0]
    assert a["model"] == "A" and a["comparisons"] == 4 and a["low"] <= a["strength"] <= a["high"]
    assert out["separation"]["code"]["separated"] is True
    json_sep = out["separation"]["json"]
    assert json_sep["separated"] is False and json_sep["runs"] == [3, 3]
    assert json_sep["more_runs_per_model"] == json_sep["runs_per_model"] - 3 > 0


def test_a_bad_rank_is_one_line_naming_file_duel_and_column(tmp_path: Path) -> None:
    rows = mixed_rows()
    rows[0]["rank"] = "first"
    path = write_csv(tmp_path / "runs.csv", rows)
    with pytest.raises(Exception, match=r"runs\.csv: duel c0: column 'rank': 'first'"):
        run_route(parse(path))


def test_the_same_report_with_rows_in_the_shared_renderables() -> None:
    # The TUI's ctrl+r passes the rows to render_report; the report then carries the
    # verdicts and the tables. A bad rank there is one line, not a crash.
    rows = mixed_rows()
    stats = compute_stats(rows)
    routes = choose_routes(stats)
    args = {"objective": "quality-per-cost", "success_score": 4.0}
    out = text(render_report(stats, routes, **args, rows=rows))
    assert "Bradley–Terry" in out and "separated at 95%" in out
    rows[0]["rank"] = "0"
    out = text(render_report(stats, routes, **args, rows=rows))
    assert (
        "Bradley–Terry: not computed: duel c0: column 'rank': '0' must be 1 (best) or more" in out
    )
    assert "separated at 95%" not in out and "within noise" in out  # the old rule's words


SUITE_TASK = """id = "{id}"
type = "json"
title = "a task"
prompt = "Say hi."
criteria = ["says hi", "is short", "is polite"]
output_format = "One line."
"""


def test_run_prints_the_repeat_that_would_separate_a_route(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Every run of the suite is in the CSV already (nothing to do), and its scores leave the
    # json route not separated: N runs per model over 1 task -> --repeat N.
    suite = tmp_path / "suite"
    suite.mkdir()
    (suite / "t.toml").write_text(SUITE_TASK.format(id="t-json"), encoding="utf-8")
    specs = ["openai/gpt-5.5", "anthropic/claude-opus-4-7"]
    rows = []
    for k, (a, b) in enumerate([(5, 4), (4, 3), (3, 2)]):
        rows += [run(f"j{k}", specs[0], str(a), task="json"),
                 run(f"j{k}", specs[1], str(b), task="json")]  # fmt: skip
    csv_path = write_csv(tmp_path / "r.csv", rows)
    argv = ["run", str(suite), "--csv", str(csv_path), "--demo", "-m", specs[0], "-m", specs[1]]
    with pytest.raises(SystemExit) as exit_status:
        cli.main([*argv, "--repeat", "3"])
    code = exit_status.value.code
    err = capsys.readouterr().err
    assert code == 0 and "nothing to do" in err
    assert (
        "not separated yet: json: openai/gpt-5.5 vs anthropic/claude-opus-4-7 not separated" in err
    )
    # the brief's objective (quality-per-cost) sets the number: its delta-method figure
    stats = compute_stats(rows)
    (hint,) = repeat_hints(separations(stats, choose_routes(stats)), {"json": 1})
    n = hint.repeat
    assert n == hint.separation.runs_per_model > 3
    assert (
        f"`modelduel run {suite} --csv {csv_path} --repeat {n}` gives each model ~{n} runs" in err
    )
    assert repeat_hint_lines(rows, {"json": 1}, n, "x") == []  # --repeat n asks for them


async def test_the_tui_report_shows_the_tables_and_the_verdicts(tmp_path: Path) -> None:
    from tests.test_tui_report import SPECS, make_app, screen_text

    rows = mixed_rows()
    for row in rows:
        row["model"] = SPECS[0] if row["model"] == "A" else SPECS[1]
    app = make_app(write_csv(tmp_path / "results.csv", rows))
    async with app.run_test(size=(220, 90)) as pilot:
        await pilot.press("ctrl+r")
        await pilot.pause()
        assert type(app.screen).__name__ == "ReportScreen"
        shown = screen_text(app)
        assert "code · Bradley–Terry · 4 duels, 4 comparisons, all from rank" in shown
        assert "separated at 95%: p = " in shown
        assert "more runs per model (~" in shown


def test_distinct_duel_outcomes_match_numpy_unique() -> None:
    # The bootstrap groups duels by their win matrix through one integer key per row; it
    # must group exactly as np.unique over whole rows does, wide rows (many models) too.
    from modelduel.core.duel_bootstrap import _distinct

    rng = np.random.default_rng(3)
    for cells in (4, 25, 100):
        rows = rng.integers(0, 5, size=(300, cells)) / 2  # half wins: multiples of 0.5
        rows[::7] = rows[0]  # some repeats
        patterns, counts = _distinct(rows)
        expected, expected_counts = np.unique(rows, axis=0, return_counts=True)
        order = np.lexsort(patterns.T[::-1])
        assert np.array_equal(patterns[order], expected)
        assert np.array_equal(counts[order], expected_counts)
