"""How sure a route is, said one way everywhere; the judge's agreement in `route --json`;
the suite screen's runs-needed hint."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest

from modelduel.commands.route import run_route
from modelduel.core.power import separations
from modelduel.core.routing import choose_routes, compute_stats
from modelduel.storage import append_run
from modelduel.tui.app import ModelduelApp
from tests.test_route_cmd import BRIEF, LOCAL
from tests.test_route_stats import HEADER, mixed_rows, parse, run, write_csv
from tests.test_tui import settle
from tests.test_tui_checks import plan_task
from tests.test_tui_suite import status, suite_app


def judged_rows() -> list[dict[str, str]]:
    # quality, person vs judge: (2,2) (1,1) (0,1) (2,2); by hand, exact = 3/4 and the
    # quadratic-weighted kappa = 1 - (1/16) / (1/4) = 0.75 (expected disagreement: person
    # 0,1,2 at 1/4,1/4,1/2, judge at 0,1/2,1/2, weights (i-j)^2/4). correctness: the
    # person's values only, so no pairs.
    rows = []
    for k, (person, judge) in enumerate([(2, 2), (1, 1), (0, 1), (2, 2)]):
        row = run(f"d{k}", "A", "4")
        row.update(quality=str(person), correctness="1", judge_quality=str(judge))
        row.update(judge_model="openai/judge", judge_correctness="")
        rows.append(row)
    return rows


def write_judged(path: Path) -> Path:
    import csv

    header = [*HEADER, "quality", "correctness", "judge_model", "judge_quality"]
    header.append("judge_correctness")
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, header)
        writer.writeheader()
        writer.writerows(judged_rows())
    return path


def test_route_json_has_the_judge_agreement_per_part(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_judged(tmp_path / "runs.csv")
    assert run_route(parse(path, "--json")) == 0
    agreement = json.loads(capsys.readouterr().out)["judge_agreement"]
    assert list(agreement) == ["quality", "correctness", "format", "rework"]
    quality = agreement["quality"]
    assert quality["pairs"] == 4 and quality["exact_agreement"] == 0.75
    assert quality["kappa"] == pytest.approx(0.75)
    assert agreement["correctness"] == {"pairs": 0, "exact_agreement": None, "kappa": None}
    # never judged: the section is there, empty
    plain = write_csv(tmp_path / "plain.csv", mixed_rows())
    assert run_route(parse(plain, "--json")) == 0
    assert json.loads(capsys.readouterr().out)["judge_agreement"] == {}


def route_line(out: str, task_type: str) -> str:
    return next(line for line in out.splitlines() if line.startswith(f"{task_type} "))


def test_the_exports_say_how_sure_as_the_route_line_does(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = mixed_rows()  # code: separated; json: not separated
    path = write_csv(tmp_path / "runs.csv", rows)
    toml_path, yaml_path = tmp_path / "routes.toml", tmp_path / "litellm.yaml"
    assert run_route(parse(path, "--export", toml_path, "--export-litellm", yaml_path)) == 0
    out = capsys.readouterr().out
    stats = compute_stats(rows)
    seps = separations(stats, choose_routes(stats))
    details = tomllib.loads(toml_path.read_text(encoding="utf-8"))["details"]
    litellm = yaml_path.read_text(encoding="utf-8")
    for task_type, sep in seps.items():
        assert sep.note in route_line(out, task_type)  # the route line's verdict ...
        assert details[task_type]["confident"] is sep.separated  # ... is the TOML's
        assert details[task_type]["separation"] == sep.note
        assert f"# {task_type} -> {sep.winner} ({sep.note})" in litellm  # ... and LiteLLM's
    assert seps["code"].separated and not seps["json"].separated
    assert details["json"]["runs_per_model_to_separate"] == seps["json"].runs_per_model
    assert "runs_per_model_to_separate" not in details["code"]
    assert "within noise" not in litellm


def test_by_week_marks_a_route_by_the_route_lines_verdict(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # coding_bug_fix: a free model against a paid one with 3 runs and 1. The bootstrap rule
    # calls it within noise (too few runs), the route line "separated: ... is free" (the
    # rule ranks free first): the week's `~` follows the route line.
    assert run_route(parse(BRIEF, LOCAL)) == 0
    line = route_line(capsys.readouterr().out, "coding_bug_fix")
    assert "separated: ollama/qwen3-coder is free" in line
    assert run_route(parse(BRIEF, LOCAL, "--by-week")) == 0
    out = capsys.readouterr().out
    assert "route by ISO week (~ = not separated at 95%)" in " ".join(out.split())  # wrapped
    week_rows = out[out.index("route by ISO week") :].splitlines()
    cell = next(line for line in week_rows if "coding_bug_fix" in line)
    assert "ollama/qwen3-coder" in cell and "~" not in cell
    marked = [line for line in week_rows if "~ " in line or line.rstrip(" │").endswith("~")]
    assert marked  # a route that is not separated still gets its `~`


def seed_csv(path: Path, task_type: str) -> None:
    # planning: A 5,4,3 vs B 4,3,2 in three duels, not separated at 95 %
    for k, (a, b) in enumerate([(5, 4), (4, 3), (3, 2)]):
        for model, score in (("openai/gpt-5.5", a), ("anthropic/claude-opus-4-7", b)):
            row = run(f"p{k}", model, str(score), task=task_type)
            row["task_id"] = "plan-task"
            append_run(path, row)


async def test_the_suite_screen_says_how_many_runs_would_separate_a_type(
    tmp_path: Path,
) -> None:
    csv_path = tmp_path / "r.csv"
    task = plan_task(tmp_path)
    seed_csv(csv_path, task.type)
    import csv

    with csv_path.open(encoding="utf-8") as f:
        seeded = list(csv.DictReader(f))
    stats = compute_stats(seeded)
    sep = separations(stats, choose_routes(stats))[task.type]
    assert not sep.separated and sep.runs_per_model is not None
    n = sep.runs_per_model
    app: ModelduelApp = suite_app(csv_path, (task,))
    async with app.run_test(size=(400, 44)) as pilot:
        await settle(pilot, app)
        for _ in range(200):
            await pilot.pause(0.02)
            if app.suite_hints:
                break
        expected = (
            f"planning: not separated — ~{n} runs per model would separate them "
            f"(modelduel run {tmp_path} --csv {csv_path} --repeat {n})"
        )
        assert app.suite_hints == {"planning": expected}
        assert expected in status(app)
