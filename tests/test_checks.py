"""Automatic checks: each text kind passes, fails, crashes and times out as promised;
results become rubric suggestions, CSV cells and transcript fields."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest

from modelduel.checkspec import RUBRIC_PARTS, Check
from modelduel.core import check_eval
from modelduel.core.check_eval import evaluate
from modelduel.core.checks import (
    CheckResult,
    CheckRunner,
    csv_columns,
    run_checks,
    suggest_parts,
    summary,
    transcript_fields,
)
from modelduel.core.scoring import RUBRIC_MAX
from modelduel.tasks import Task, load_task

HEAD = """\
id = "t"
type = "strict_json_extraction"
title = "T"
prompt = "Do it."
criteria = ["a", "b", "c"]
output_format = "JSON"
"""

SCHEMA = {
    "type": "object",
    "required": ["name", "count"],
    "additionalProperties": False,
    "properties": {"name": {"type": "string"}, "count": {"type": "integer", "minimum": 0}},
}


def task_with(tmp_path: Path, checks: str, name: str = "t.toml") -> Task:
    path = tmp_path / name
    path.write_text(HEAD + checks, encoding="utf-8")
    return load_task(path)


def one_check(tmp_path: Path, body: str) -> Check:
    return task_with(tmp_path, "[[checks]]\n" + body).checks[0]


def schema_check(tmp_path: Path, allow_fence: bool = True) -> Check:
    (tmp_path / "schema.json").write_text(json.dumps(SCHEMA), encoding="utf-8")
    return one_check(
        tmp_path,
        'name = "schema"\nkind = "json_schema"\npart = "format"\n'
        f'schema_file = "schema.json"\nallow_fence = {str(allow_fence).lower()}\n',
    )


# ---------------------------------------------------------------- json_schema


def test_json_schema_passes_on_valid_json(tmp_path: Path) -> None:
    result = evaluate(schema_check(tmp_path), '  {"name": "x", "count": 2}\n')
    assert result.status == "pass" and result.part == "format"
    assert result.label == "✓ schema"


def test_json_schema_reports_the_failing_path_and_reason(tmp_path: Path) -> None:
    result = evaluate(schema_check(tmp_path), '{"name": "x", "count": -1, "extra": 1}')
    assert result.status == "fail"
    assert result.reason.startswith("$")
    assert "$.count: -1 is less than the minimum of 0" in result.detail
    assert "'extra' was unexpected" in result.detail
    assert "(and 1 more)" in result.reason


def test_json_schema_not_json_fails_with_the_position(tmp_path: Path) -> None:
    result = evaluate(schema_check(tmp_path), '{"name": "x",, }')
    assert result.status == "fail"
    assert "not JSON" in result.reason and "line 1, column" in result.reason


def test_json_schema_reads_the_first_fenced_json_block(tmp_path: Path) -> None:
    answer = 'Here:\n\n```json\n{"name": "x", "count": 1}\n```\n\n```json\n{"bad": 1}\n```\n'
    assert evaluate(schema_check(tmp_path), answer).status == "pass"
    strict = evaluate(schema_check(tmp_path, allow_fence=False), answer)
    assert strict.status == "fail" and "code fence" in strict.reason


def test_json_schema_inline_schema_and_formats(tmp_path: Path) -> None:
    check = one_check(
        tmp_path,
        'name = "s"\nkind = "json_schema"\npart = "format"\n'
        'schema = { type = "object", properties = { at = { type = "string", format = "date" } } }'
        "\n",
    )
    assert evaluate(check, '{"at": "2026-10-13"}').status == "pass"
    assert evaluate(check, '{"at": "13/10/2026"}').status == "fail"


def test_json_schema_an_unresolvable_ref_is_an_error_not_a_verdict(tmp_path: Path) -> None:
    # Valid JSON Schema, but the $ref points at the network: never fetched, so the check
    # cannot run; that says nothing about the answer.
    check = one_check(
        tmp_path,
        'name = "s"\nkind = "json_schema"\npart = "format"\n'
        'schema = { "$ref" = "https://example.invalid/schema.json" }\n',
    )
    result = evaluate(check, "{}")
    assert result.status == "error"
    assert result.reason.startswith("check failed to run: ")
    assert result.label == "⚠ s"


# ---------------------------------------------------------------- regex, contains, words


def test_regex(tmp_path: Path) -> None:
    check = one_check(
        tmp_path, 'name = "r"\nkind = "regex"\npart = "format"\npattern = "^done$"\nflags = "im"\n'
    )
    assert evaluate(check, "a\nDONE\n").status == "pass"
    assert "line 2" in evaluate(check, "a\nDONE\n").reason
    failed = evaluate(check, "not done yet")
    assert failed.status == "fail" and "no match for /^done$/" in failed.reason


@pytest.mark.parametrize(
    ("kind", "answer", "ignore_case", "status"),
    [
        ("contains", "the Answer is 42", False, "pass"),
        ("contains", "the answer is 41", False, "fail"),
        ("contains", "THE ANSWER IS 42", True, "pass"),
        ("contains", "THE ANSWER IS 42", False, "fail"),
        ("not_contains", "the answer is 41", False, "pass"),
        ("not_contains", "x\nthe Answer is 42", False, "fail"),
        ("not_contains", "THE ANSWER IS 42", True, "fail"),
    ],
)
def test_contains_and_not_contains(
    tmp_path: Path, kind: str, answer: str, ignore_case: bool, status: str
) -> None:
    check = one_check(
        tmp_path,
        f'name = "c"\nkind = "{kind}"\npart = "correctness"\ntext = "Answer is 42"\n'
        f"ignore_case = {str(ignore_case).lower()}\n",
    )
    result = evaluate(check, answer)
    assert result.status == status, result.reason
    if kind == "not_contains" and status == "fail":
        assert "line" in result.reason


def test_max_words_whole_answer_and_one_section(tmp_path: Path) -> None:
    whole = one_check(tmp_path, 'name = "w"\nkind = "max_words"\npart = "format"\nmax = 5\n')
    assert evaluate(whole, "one two three four five").status == "pass"
    too_long = evaluate(whole, "one two three four five six")
    assert too_long.status == "fail" and "6 words (more than 5)" in too_long.reason
    section = one_check(
        tmp_path,
        'name = "w"\nkind = "max_words"\npart = "format"\nmax = 3\nsection = "Answer"\n',
    )
    answer = "# Title\n\n## Answer\n\none two three\n\n## Evidence\n\nmany many many many words\n"
    assert evaluate(section, answer).status == "pass"
    assert evaluate(section, answer.replace("one two", "one two extra")).status == "fail"
    missing = evaluate(section, "## Summary\nshort\n")
    assert missing.status == "fail" and "no 'Answer' section" in missing.reason


def test_sections_in_order_outside_code_blocks(tmp_path: Path) -> None:
    check = one_check(
        tmp_path,
        'name = "s"\nkind = "sections"\npart = "format"\nlevel = 2\n'
        'headings = ["Plan", "Fix", "Why"]\n',
    )
    good = "## Plan\n1. x\n\n## Notes\n\n## **Fix**:\n```diff\n```\n## Why it broke\nBecause.\n"
    assert evaluate(check, good).status == "pass"
    out_of_order = evaluate(check, "## Fix\n## Plan\n## Why\n")
    assert out_of_order.status == "fail"
    assert "'## Fix' is out of order" in out_of_order.reason
    missing = evaluate(check, "## Plan\n```md\n## Fix\n```\n## Why\n")  # in a code block
    assert missing.status == "fail" and "missing '## Fix'" in missing.reason
    wrong_level = evaluate(check, "## Plan\n### Fix\n## Why\n")
    assert wrong_level.status == "fail"
    not_a_prefix = evaluate(check, "## Plan\n## Fixes\n## Why\n")
    assert not_a_prefix.status == "fail"


# ---------------------------------------------------------------- crash and timeout


KIND_BODIES = {
    "json_schema": 'name = "k"\nkind = "json_schema"\npart = "format"\nschema = { type = "object" }'
    "\n",
    "regex": 'name = "k"\nkind = "regex"\npart = "format"\npattern = "x"\n',
    "contains": 'name = "k"\nkind = "contains"\npart = "format"\ntext = "x"\n',
    "not_contains": 'name = "k"\nkind = "not_contains"\npart = "format"\ntext = "x"\n',
    "max_words": 'name = "k"\nkind = "max_words"\npart = "format"\nmax = 3\n',
    "sections": 'name = "k"\nkind = "sections"\npart = "format"\nheadings = ["A"]\n',
}
KIND_FUNCTIONS = {
    "json_schema": "_json_schema",
    "regex": "_regex",
    "contains": "_contains",
    "not_contains": "_contains",
    "max_words": "_max_words",
    "sections": "_sections",
}


@pytest.mark.parametrize("kind", sorted(KIND_BODIES))
def test_a_check_that_crashes_is_an_error_never_a_verdict(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kind: str
) -> None:
    def boom(*_: Any) -> CheckResult:
        raise RuntimeError("bug in the check")

    monkeypatch.setattr(check_eval, KIND_FUNCTIONS[kind], boom)
    result = evaluate(one_check(tmp_path, KIND_BODIES[kind]), "x")
    assert result.status == "error"
    assert result.reason == "check failed to run: RuntimeError: bug in the check"


@pytest.mark.parametrize("kind", sorted(KIND_BODIES))
def test_every_text_kind_runs_in_the_child_and_times_out_as_an_error(
    tmp_path: Path, kind: str
) -> None:
    task = task_with(tmp_path, "[[checks]]\n" + KIND_BODIES[kind])
    ran = run_checks(task, "{}", text_timeout_s=30)
    assert ran[0].status in ("pass", "fail")  # a verdict, from the child process
    # A limit the child cannot meet: the check is "failed to run", not passed or failed.
    stopped = run_checks(task, "{}", text_timeout_s=0.001)
    assert [r.status for r in stopped] == ["error"]
    assert stopped[0].reason == "check failed to run: timed out after 0.001 s"


def test_a_runaway_pattern_is_stopped_and_earlier_results_are_kept(tmp_path: Path) -> None:
    task = task_with(
        tmp_path,
        '[[checks]]\nname = "has-a"\nkind = "contains"\npart = "format"\ntext = "a"\n'
        # Catastrophic backtracking: minutes on this input. re cannot be interrupted, so
        # only a separate process that can be killed keeps the app responsive.
        '[[checks]]\nname = "redos"\nkind = "regex"\npart = "format"\npattern = "(a+)+$"\n'
        '[[checks]]\nname = "schema-redos"\nkind = "json_schema"\npart = "correctness"\n'
        'schema = { type = "string", pattern = "^(a|a)+$" }\n',
    )
    answer = json.dumps("a" * 40 + "b")  # a JSON string, for the schema check
    results = run_checks(task, answer, text_timeout_s=6)
    assert [r.status for r in results] == ["pass", "error", "error"]
    assert results[1].reason == "check failed to run: timed out after 6 s"


def test_a_checker_process_that_dies_errors_its_checks(tmp_path: Path) -> None:
    task = task_with(tmp_path, "[[checks]]\n" + KIND_BODIES["contains"])
    results = run_checks(task, "x", python="/bin/false")
    assert results[0].status == "error"
    assert results[0].reason.startswith("check failed to run: the checker exited with code 1")
    missing = run_checks(task, "x", python=str(tmp_path / "no-such-python"))
    assert missing[0].status == "error" and "cannot start the checker" in missing[0].reason


def test_the_checker_child_gets_none_of_the_users_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A fake interpreter that records its environment, then behaves like a dead child.
    seen = tmp_path / "env.json"
    fake = tmp_path / "fake-python"
    fake.write_text(f"#!/bin/sh\nenv > {seen}\nexit 3\n")
    fake.chmod(0o755)
    monkeypatch.setenv("OPENAI_API_KEY", "sk-parent-secret")
    run_checks(task_with(tmp_path, "[[checks]]\n" + KIND_BODIES["regex"]), "x", python=str(fake))
    recorded = seen.read_text()
    assert "sk-parent-secret" not in recorded and "OPENAI_API_KEY" not in recorded


# ---------------------------------------------------------------- results, order, suggestions


def test_results_come_in_task_order_with_mixed_kinds(tmp_path: Path) -> None:
    task = task_with(
        tmp_path,
        '[[checks]]\nname = "w"\nkind = "max_words"\npart = "quality"\nmax = 100\n'
        '[[checks]]\nname = "s"\nkind = "json_schema"\npart = "format"\n'
        'schema = { type = "array" }\n'
        '[[checks]]\nname = "c"\nkind = "contains"\npart = "correctness"\ntext = "2"\n',
    )
    results = run_checks(task, "[1, 2]")
    assert [(r.name, r.status) for r in results] == [("w", "pass"), ("s", "pass"), ("c", "pass")]
    assert summary(results) == "✓ w  ✓ s  ✓ c"


def result(name: str, part: str, status: str, **kw: Any) -> CheckResult:
    return CheckResult(name, "regex", part, status, "why", **kw)  # type: ignore[arg-type]


def test_suggestions_follow_the_rule() -> None:
    results = [
        result("schema", "format", "pass"),
        result("fence", "format", "pass"),
        result("tests", "correctness", "fail", passed=3, total=5),
        result("q", "quality", "pass"),
        result("broken", "rework", "error"),
    ]
    got = suggest_parts(results)
    assert {p: s.value for p, s in got.items()} == {"format": 1, "correctness": 0, "quality": 2}
    assert got["format"].label == "format: auto ✓"
    assert got["format"].checks == ("schema", "fence")
    assert got["correctness"].label == "correctness: auto ✗"
    assert "rework" not in got  # the only check could not run: no suggestion
    assert summary(results) == "✓ schema  ✓ fence  ✗ tests 3/5  ✓ q  ⚠ broken"
    # a fail is decisive even beside an error; an error beside passes leaves it open
    assert (
        suggest_parts([result("a", "format", "error"), result("b", "format", "fail")])[
            "format"
        ].value
        == 0
    )
    assert suggest_parts([result("a", "format", "error"), result("b", "format", "pass")]) == {}
    assert suggest_parts([]) == {}


def test_suggestion_values_are_valid_scores() -> None:
    from modelduel.core.scoring import Score

    for part in RUBRIC_PARTS:
        for status in ("pass", "fail"):
            value = suggest_parts([result("x", part, status)])[part].value
            Score(**{part: value})  # never out of range
    assert tuple(RUBRIC_MAX) == RUBRIC_PARTS  # the task files' parts are the rubric's


def test_csv_and_transcript_fields() -> None:
    results = [
        result("a", "format", "pass"),
        result("b", "format", "fail"),
        result("c", "format", "error"),
    ]
    assert csv_columns(results) == {"checks_passed": 1, "checks_total": 3}
    assert csv_columns([]) == {"checks_passed": None, "checks_total": None}
    fields = transcript_fields(results)
    assert [CheckResult.from_dict(d) for d in json.loads(json.dumps(fields))["checks"]] == results
    with pytest.raises(ValueError, match="unknown check status"):
        CheckResult.from_dict({**results[0].as_dict(), "status": "maybe"})


async def test_the_runner_keeps_the_event_loop_free(tmp_path: Path) -> None:
    (tmp_path / "test_slow.py").write_text(
        "import time\n\ndef test_slow():\n    time.sleep(1.5)\n", encoding="utf-8"
    )
    task = task_with(
        tmp_path,
        '[[checks]]\nname = "slow"\nkind = "python_tests"\npart = "correctness"\n'
        'answer = "code"\nfile = "m.py"\ntests = ["test_slow.py"]\n',
    )
    runner = CheckRunner()
    ticks = 0
    job = asyncio.ensure_future(runner.arun(task, "```python\nX = 1\n```"))
    while not job.done():
        ticks += 1
        await asyncio.sleep(0.02)
    runner.close()
    assert (await job)[0].status == "pass"
    assert ticks >= 10  # the loop ran all along (75 would be a free machine)
    future = CheckRunner().submit(task, "no code")
    assert future.result(timeout=60)[0].status == "fail"
