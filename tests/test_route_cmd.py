"""`modelduel route`: CSV files in, routes, heatmap, JSON and exports out."""

from __future__ import annotations

import argparse
import json
import math
import shutil
import tomllib
from pathlib import Path

import pytest
import yaml

from modelduel.commands.route import add_route_parser, run_route
from modelduel.core.routing import OBJECTIVES, Route
from modelduel.core.routing_export import litellm_config, yaml_dump
from modelduel.core.routing_rows import load_route_rows
from modelduel.errors import CsvError, ModelduelError
from modelduel.report import NO_SCORED_RUNS

FIXTURES = Path(__file__).parent / "fixtures"
BRIEF = FIXTURES / "route_brief.csv"
LOCAL = FIXTURES / "route_local.csv"
BOM = FIXTURES / "route_modelduel_bom.csv"
COPY = FIXTURES / "route_modelduel_copy.csv"
HEADER = (
    "task_id,task_type,model,score,time_to_first_useful_s,wall_time_s,input_tokens,"
    "output_tokens,cost_usd,manual_corrections,notes"
)
STATS_KEYS = {
    "task_type",
    "model",
    "runs",
    "avg_score",
    "success_runs",
    "cost_per_success",
    "median_ttfu_s",
    "quality_per_cost",
}


def parse(*argv: str | Path) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="modelduel")
    sub = parser.add_subparsers(dest="command")
    add_route_parser(sub)
    return parser.parse_args(["route", *map(str, argv)])


def run_json(capsys: pytest.CaptureFixture[str], *argv: str | Path) -> dict:
    assert run_route(parse(*argv, "--json")) == 0
    return json.loads(capsys.readouterr().out)


def copy(tmp_path: Path, *names: Path) -> list[Path]:
    # route reads without repairing, but the tests still work on copies of the fixtures.
    out = []
    for name in names:
        target = tmp_path / name.name
        shutil.copyfile(name, target)
        out.append(target)
    return out


def write(tmp_path: Path, text: str, name: str = "runs.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_parser_defaults_and_choices() -> None:
    args = parse("a.csv", "b.csv")
    assert args.csv_files == [Path("a.csv"), Path("b.csv")]
    assert args.objective == "quality-per-cost"
    assert args.success_score == 4.0
    assert not (args.json or args.by_week or args.skip_bad_rows)
    assert args.export is None and args.export_litellm is None
    assert set(OBJECTIVES) == {"quality", "cost", "latency", "quality-per-cost"}
    with pytest.raises(SystemExit):
        parse("a.csv", "--objective", "speed")


def test_hand_written_csv_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (brief,) = copy(tmp_path, BRIEF)
    out = run_json(capsys, brief)
    assert set(out) == {
        "routes", "stats", "preference", "separation", "judge_agreement", "simulated",
        "simulated_note",
    }  # fmt: skip
    assert out["routes"] == {
        "agentic_terminal_work": "claude-opus-4-7",
        "coding_bug_fix": "gpt-5.5",
        "coding_refactor": "claude-opus-4-7",
        "long_context_synthesis": "gemini-3.1-pro-preview",
        "research_summary": "gpt-5.5",
        "strict_json_extraction": "gpt-5.5",
    }
    assert len(out["stats"]) == 21
    assert all(set(s) == STATS_KEYS for s in out["stats"])
    g = next(
        s
        for s in out["stats"]
        if s["task_type"] == "agentic_terminal_work" and s["model"] == "gemini-3.1-pro-preview"
    )
    assert g["runs"] == 2 and g["avg_score"] == 2.5 and g["success_runs"] == 1
    assert g["cost_per_success"] == pytest.approx(0.06)
    assert g["quality_per_cost"] == pytest.approx(2.5 / 0.06)
    none = next(s for s in out["stats"] if s["task_type"] == "coding_tests")
    assert none["cost_per_success"] is None and none["quality_per_cost"] is None


def test_objectives_and_success_score(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (brief,) = copy(tmp_path, BRIEF)
    quality = run_json(capsys, brief, "--objective", "quality")
    assert quality["routes"]["coding_tests"] == "claude-opus-4-7"
    latency = run_json(capsys, brief, "--objective", "latency")
    assert latency["routes"]["long_context_synthesis"] == "gemini-3.1-pro-preview"
    strict = run_json(capsys, brief, "--success-score", "5")
    # At 5, gpt's research runs (4, 5) have one success: 4.5 / 0.06 = 75 < claude's 125.
    assert strict["routes"]["research_summary"] == "claude-opus-4-7"
    with pytest.raises(ModelduelError, match="--success-score"):
        run_route(parse(brief, "--success-score", "9"))


def test_two_files_zero_cost_in_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run_route(parse(*copy(tmp_path, BRIEF, LOCAL), "--json")) == 0
    captured = capsys.readouterr()
    out = json.loads(captured.out)
    assert out["routes"]["coding_bug_fix"] == "ollama/qwen3-coder"
    assert out["routes"]["coding_tests"] == "ollama/qwen3-coder"
    assert out["routes"]["research_summary"] == "lmstudio/gemma-3"
    free = next(s for s in out["stats"] if s["model"] == "lmstudio/gemma-3")
    assert free["quality_per_cost"] == "inf" and free["cost_per_success"] == 0
    assert "1 unscored run left out" in captured.err


def test_bom_file_and_duplicate_run_ids(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    files = copy(tmp_path, BOM, COPY)
    out = run_json(capsys, *files)
    # r4 appears in both files and r5 is scored only in the copy: each counted once.
    assert out["routes"] == {
        "coding_bug_fix": "anthropic/claude-opus-4-7",
        "research_summary": "openai/gpt-5.5",
    }
    claude = next(
        s
        for s in out["stats"]
        if s["task_type"] == "coding_bug_fix" and s["model"] == "anthropic/claude-opus-4-7"
    )
    assert claude["runs"] == 2 and claude["avg_score"] == 4.5
    assert claude["quality_per_cost"] == pytest.approx(90.0)
    gpt = next(s for s in out["stats"] if s["model"] == "openai/gpt-5.5" and s["runs"] == 2)
    assert gpt["quality_per_cost"] == pytest.approx(50.0)
    loaded = load_route_rows(files)
    assert loaded.duplicates == 2
    assert len(loaded.rows) == 6
    # The header's BOM was not glued to the first column's name.
    assert loaded.rows[0]["task_id"] == "t01"


def test_by_week(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    files = copy(tmp_path, BOM, COPY, BRIEF)
    out = run_json(capsys, *files, "--by-week")
    assert list(out["weeks"]) == ["2026-W10", "2026-W11", "undated"]
    w10, w11 = out["weeks"]["2026-W10"], out["weeks"]["2026-W11"]
    # The drift: gpt led coding_bug_fix in week 10, failed in week 11.
    assert w10["routes"]["coding_bug_fix"] == "openai/gpt-5.5"
    assert w11["routes"]["coding_bug_fix"] == "anthropic/claude-opus-4-7"
    assert len(out["weeks"]["undated"]["stats"]) == 21
    assert run_route(parse(*files, "--by-week")) == 0
    text = capsys.readouterr().out
    assert "2026-W10" in text and "by ISO week" in text and "▼" in text


def test_by_week_rejects_bad_timestamps(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        HEADER + ",timestamp\nt1,x,m,4,1,2,3,4,0.01,0,,yesterday\n",
    )
    with pytest.raises(CsvError, match=r"runs\.csv:2: column 'timestamp'"):
        run_route(parse(path, "--by-week"))
    assert run_route(parse(path, "--json")) == 0  # without --by-week it is not read


def test_rich_report(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run_route(parse(*copy(tmp_path, BRIEF, LOCAL))) == 0
    text = capsys.readouterr().out
    assert "strict_json_extraction -> gpt-5.5" in text
    assert "runner-up claude-opus-4-7" in text
    # the power verdict replaces a bare "within noise"
    assert "within noise" not in text
    assert "(1 run each; not separated: gpt-5.5 has 1 run, too few to measure the spread" in text
    assert "avg score (runs)" in text and "cost per success" in text
    assert "5.00 ×1 ★" in text
    assert "no success" in text
    assert "1 unscored run left out" in text


def test_bad_score_names_file_line_and_column(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        f"{HEADER}\nt1,x,m,4,1,2,3,4,0.01,0,\nt2,x,m,abc,1,2,3,4,0.01,0,\n",
    )
    with pytest.raises(CsvError) as exc:
        run_route(parse(path))
    assert str(exc.value).startswith(f"{path}:3: column 'score': 'abc' is not a number")


def test_bad_cost_after_a_multiline_note(tmp_path: Path) -> None:
    # A quoted note spanning lines: the bad row starts on line 5, not "row 3 + 1".
    path = write(
        tmp_path,
        f'{HEADER}\nt1,x,m,4,1,2,3,4,0.01,0,"line one\nline two"\nt2,x,m,4,1,2,3,4,$1,0,\n',
    )
    with pytest.raises(CsvError, match=r"runs\.csv:4: column 'cost_usd': '\$1' is not a number"):
        run_route(parse(path))


def test_skip_bad_rows_reports_each(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(
        tmp_path,
        f"{HEADER}\nt1,x,m,4,1,2,3,4,0.01,0,\nt2,x,m,abc,1,2,3,4,0.01,0,\n"
        "t3,x,m,4,1,2,3,4,free,0,\nt4,x,n,5,1,2,3,4,0.02,0,\n",
    )
    assert run_route(parse(path, "--skip-bad-rows", "--json")) == 0
    captured = capsys.readouterr()
    out, err = json.loads(captured.out), captured.err
    assert f"skipped {path}:3: column 'score'" in err
    assert f"skipped {path}:4: column 'cost_usd'" in err
    assert "2 bad rows skipped" in err
    assert sum(s["runs"] for s in out["stats"]) == 2


def test_malformed_row(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(
        tmp_path,
        f"{HEADER}\nt1,x,m,4,1,2,3,4,0.01,0,,surplus\nt2,x,m,4,1,2,3,4,0.01,0,\n",
    )
    with pytest.raises(CsvError, match=r"runs\.csv:2: malformed row: 12 cells"):
        run_route(parse(path))
    out = run_json(capsys, path, "--skip-bad-rows")
    assert out["stats"][0]["runs"] == 1


def test_missing_column_and_missing_file(tmp_path: Path) -> None:
    path = write(tmp_path, HEADER.replace(",score", "") + "\nt1,x,m,1,2,3,4,0.01,0,\n")
    with pytest.raises(CsvError) as exc:
        run_route(parse(path))
    assert str(path) in str(exc.value) and "score" in str(exc.value)
    with pytest.raises(CsvError, match="no such file"):
        run_route(parse(tmp_path / "nope.csv"))


def test_nothing_scored(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, f"{HEADER}\nt1,x,m,,1,2,3,4,0.01,0,\n")
    assert run_route(parse(path)) == 1
    assert "nothing to route" in capsys.readouterr().out
    assert run_route(parse(path, "--json")) == 1
    assert json.loads(capsys.readouterr().out) == {
        "routes": {},
        "stats": [],
        "preference": {},
        "separation": {},
        "judge_agreement": {},
        "simulated": False,
        "simulated_note": None,
        "no_recommendation": NO_SCORED_RUNS,
    }


def test_export_toml(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "routes.toml"
    files = copy(tmp_path, BRIEF, LOCAL)
    assert run_route(parse(*files, "--export", target)) == 0
    doc = tomllib.loads(target.read_text(encoding="utf-8"))
    assert doc["objective"] == "quality-per-cost"
    assert doc["success_score"] == 4.0
    assert doc["sources"] == [str(f) for f in files]
    assert doc["routes"]["coding_bug_fix"] == "ollama/qwen3-coder"
    bug = doc["details"]["coding_bug_fix"]
    assert bug["runner_up"] == "gpt-5.5" and bug["margin"] == math.inf
    # how sure is the route line's verdict: free beats paid by the rule, so separated
    assert bug["confident"] is True and bug["runs"] == 3
    assert bug["separation"].startswith("separated: ollama/qwen3-coder is free")
    assert "within noise" not in bug["reason"]
    assert "runner_up" not in doc["details"]["coding_tests"]
    assert f"wrote {target}" in capsys.readouterr().out


def test_export_litellm(tmp_path: Path) -> None:
    target = tmp_path / "litellm.yaml"
    assert run_route(parse(*copy(tmp_path, BOM, COPY), "--export-litellm", target)) == 0
    text = target.read_text(encoding="utf-8")
    assert text.startswith(
        "# LiteLLM router config written by `modelduel route` (objective: quality-per-cost).\n"
        '# Ask for model="<task type>" and the alias sends it to the routed model.\n'
        "# coding_bug_fix -> anthropic/claude-opus-4-7 (not separated (p = 0.72): ~72 more runs "
        "per model (~74 each) would separate them at the observed spread); "
        "runner-up openai/gpt-5.5\n"
        "# research_summary -> openai/gpt-5.5 (not separated: openai/gpt-5.5 has 1 run, too few "
        "to measure the spread; run at least 2 per model); runner-up anthropic/claude-opus-4-7\n"
        "model_list:\n"
    )
    assert "SIMULATED" not in text  # these fixtures are real runs
    assert yaml.safe_load(text) == {
        "model_list": [
            {
                "model_name": "anthropic/claude-opus-4-7",
                "litellm_params": {
                    "model": "anthropic/claude-opus-4-7",
                    "api_key": "os.environ/ANTHROPIC_API_KEY",
                },
            },
            {
                "model_name": "openai/gpt-5.5",
                "litellm_params": {
                    "model": "openai/gpt-5.5",
                    "api_key": "os.environ/OPENAI_API_KEY",
                },
            },
        ],
        "router_settings": {
            "model_group_alias": {
                "coding_bug_fix": "anthropic/claude-opus-4-7",
                "research_summary": "openai/gpt-5.5",
            }
        },
    }


def test_litellm_model_mapping() -> None:
    def route(task_type: str, model: str) -> Route:
        return Route(task_type, model, None, None, False, "")

    text = litellm_config(
        {
            "a": route("a", "openai-chat/qwen3:32b"),
            "b": route("b", "gemini/gemini-3.1-pro-preview"),
            "c": route("c", "gpt-5.5"),
            "d": route("d", "myproxy/llama"),
            "yes": route("yes", "on/null"),  # YAML 1.1 words stay strings
        },
        objective="cost",
    )
    doc = yaml.safe_load(text)
    params = {e["model_name"]: e["litellm_params"] for e in doc["model_list"]}
    assert params["openai-chat/qwen3:32b"] == {
        "model": "openai/qwen3:32b",
        "api_key": "os.environ/OPENAI_API_KEY",
        "api_base": "os.environ/OPENAI_BASE_URL",
    }
    assert params["gemini/gemini-3.1-pro-preview"]["api_key"] == "os.environ/GEMINI_API_KEY"
    assert params["gpt-5.5"] == {"model": "gpt-5.5"}
    assert params["myproxy/llama"] == {"model": "myproxy/llama"}
    assert doc["router_settings"]["model_group_alias"]["yes"] == "on/null"
    assert "# myproxy/llama: provider 'myproxy' passed through; check it" in text


def test_yaml_dump_round_trips_awkward_values() -> None:
    data = {
        "plain": 'say "hi"\\\n\tend\x07\u2028',
        "yes": True,
        "n": None,
        "2x": 1.5,
        "e": [],
        "m": {},
        "inf": math.inf,
        "list": [1, "a", {"k": "v", "k2": [2]}],
        "no": "no",
        "007": "007",
    }
    text = yaml_dump(data, comments=["two\nlines"])
    assert text.startswith("# two\n# lines\nplain:")
    assert yaml.safe_load(text) == data


def test_exports_from_simulated_runs_say_so_in_the_file(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        f"{HEADER},simulated\nt1,x,m,4,1,2,3,4,0.01,0,,true\nt2,x,n,5,1,2,3,4,0.01,0,,false\n",
    )
    routes, litellm = tmp_path / "routes.toml", tmp_path / "litellm.yaml"
    assert run_route(parse(path, "--export", routes, "--export-litellm", litellm)) == 0
    note = "1 of 2 of these runs are SIMULATED (demo mode), not real model output"
    toml_text, yaml_text = routes.read_text(), litellm.read_text()
    assert toml_text.startswith(f"# WARNING: {note}\n")
    assert tomllib.loads(toml_text)["simulated"] is True
    assert tomllib.loads(toml_text)["simulated_note"] == note
    assert yaml_text.startswith(f"# WARNING: {note}\n")
    assert yaml.safe_load(yaml_text)["modelduel"] == {"simulated": True, "note": note}
    real = write(tmp_path, f"{HEADER}\nt1,x,m,4,1,2,3,4,0.01,0,\n", name="real.csv")
    assert run_route(parse(real, "--export", routes)) == 0
    assert tomllib.loads(routes.read_text())["simulated"] is False


def test_exports_refuse_a_missing_directory(tmp_path: Path) -> None:
    for option in ("--export", "--export-litellm"):
        target = tmp_path / "no" / "such" / "out.txt"
        with pytest.raises(ModelduelError, match="does not exist"):
            run_route(parse(BRIEF, option, target))
        assert not (tmp_path / "no").exists()


def test_piped_report_keeps_long_model_names_whole(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    long = "openai-chat/meta-llama/Llama-3.3-70B-Instruct-Turbo-with-a-very-long-suffix"
    path = write(tmp_path, f"{HEADER}\nt1,coding_deep_review,{long},5,1,2,3,4,0.01,0,\n")
    assert run_route(parse(path)) == 0
    out = capsys.readouterr().out
    assert f"coding_deep_review -> {long}" in out
    assert long in out.split("avg score", 1)[1]  # the heatmap's column too


def test_route_leaves_a_torn_file_exactly_as_it_is(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    header = (
        "task_id,task_type,model,score,time_to_first_useful_s,wall_time_s,"
        "input_tokens,output_tokens,cost_usd,manual_corrections,notes\n"
    )
    good = "t1,coding,m1,5,1.0,2.0,10,20,0.01,0,\n"
    path = write(tmp_path, header + good + "t2,coding,m2,4,1.")  # cut mid-row
    before = path.read_bytes()
    payload = run_json(capsys, path)
    assert payload["routes"] == {"coding": "m1"}
    assert path.read_bytes() == before
    assert not list(tmp_path.glob("*.torn-*"))


def test_short_middle_row_stays_out_of_the_route_after_an_append(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from modelduel.storage import append_run

    # a hand-edited CSV whose middle row lost its last cells; m would win only with it
    path = write(
        tmp_path,
        f"{HEADER}\nt1,x,m,2,1,2,3,4,0.01,0,\nt2,x,m,5,1,2\nt3,x,n,4,1,2,3,4,0.01,0,\n",
    )
    # `ask --csv` appending a run adds modelduel's columns to the file
    append_run(path, {"task_id": "t4", "task_type": "y", "model": "n", "run_id": "r4"})
    with pytest.raises(CsvError, match=r"runs\.csv:3: malformed row: 6 cells"):
        run_route(parse(path))
    assert run_route(parse(path, "--skip-bad-rows", "--json")) == 0
    captured = capsys.readouterr()
    out = json.loads(captured.out)
    assert out["routes"] == {"x": "n"}
    assert {(s["model"], s["runs"]) for s in out["stats"]} == {("m", 1), ("n", 1)}
    assert "1 bad row skipped" in captured.err  # not "1 bad rows"


def test_report_of_simulated_runs_warns_under_its_heading(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(
        tmp_path,
        f"{HEADER},simulated\nt1,x,m,4,1,2,3,4,0.01,0,,true\nt2,x,n,5,1,2,3,4,0.01,0,,true\n",
    )
    assert run_route(parse(path)) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("Routing by quality-per-cost")
    # the same renderable the TUI's report shows (tests/test_tui_report.py), not an end note
    assert lines[1] == "WARNING: all of these runs are SIMULATED (demo mode), not real model output"
    assert sum("SIMULATED" in line for line in lines) == 1
    assert run_route(parse(path, "--json")) == 0
    assert "SIMULATED" in capsys.readouterr().err  # JSON on stdout stays clean


def test_report_of_real_runs_has_no_simulated_warning(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path, f"{HEADER},simulated\nt1,x,m,4,1,2,3,4,0.01,0,,false\n")
    assert run_route(parse(path)) == 0
    assert "SIMULATED" not in capsys.readouterr().out


@pytest.mark.parametrize("option", ["--export", "--export-litellm"])
def test_an_export_over_a_results_csv_or_its_transcript_is_refused(
    tmp_path: Path, option: str
) -> None:
    files = copy(tmp_path, BRIEF, LOCAL)
    for target in (files[-1], files[0].with_suffix(".jsonl")):
        before = target.read_bytes() if target.exists() else None
        with pytest.raises(ModelduelError, match="would replace it"):
            run_route(parse(*files, option, target))
        assert (target.read_bytes() if target.exists() else None) == before
