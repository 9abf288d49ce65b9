"""The starter suite's checks: honest, consistent with the prompts, and they discriminate.

For each coding task a known-good answer passes its tests and a known-bad one fails; the
JSON task's schema file is the schema in its prompt; the fixtures are the code the
prompts show; the sections and word limits are the ones the output formats ask for.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from modelduel.checkspec import MaxWordsCheck, PythonTestsCheck, SectionsCheck
from modelduel.core.checks import run_checks, suggest_parts
from modelduel.tasks import Task, load_suite

STARTER = Path(__file__).resolve().parents[1] / "tasks" / "starter"
ANSWERS = Path(__file__).resolve().parent / "fixtures" / "checks"
TASKS = {t.id: t for t in load_suite(STARTER)}
CODING = ["fix-retry-after", "refactor-settings-loader", "tests-parse-duration"]


def answer(name: str) -> str:
    return (ANSWERS / name).read_text(encoding="utf-8")


@pytest.mark.parametrize("task_id", CODING)
def test_a_good_answer_passes_its_tests_and_a_bad_one_fails(task_id: str) -> None:
    task = TASKS[task_id]
    assert [c.kind for c in task.checks] == ["python_tests"]
    (good,) = run_checks(task, answer(f"{task_id}.good.md"))
    assert good.status == "pass", good.reason + "\n" + good.detail
    assert good.total is not None and good.passed == good.total > 5
    (bad,) = run_checks(task, answer(f"{task_id}.bad.md"))
    assert bad.status == "fail", bad.reason
    assert bad.passed is not None and bad.total is not None and bad.passed < bad.total
    assert suggest_parts([good])["correctness"].value == 1
    assert suggest_parts([bad])["correctness"].value == 0


def test_the_original_settings_code_passes_the_refactor_check() -> None:
    # Unchanged behaviour is what the check measures: the original itself must pass.
    original = (
        STARTER / "fixtures" / "refactor-settings-loader" / "code" / "settings_original.py"
    ).read_text()
    (result,) = run_checks(TASKS["refactor-settings-loader"], f"```python\n{original}```\n")
    assert result.status == "pass", result.reason


def prompt_block(task: Task, filename: str) -> str:
    match = re.search(
        rf"^{re.escape(filename)}[^\n]*:\n\n```python\n(.*?)```", task.prompt, re.S | re.M
    )
    assert match, filename
    return match.group(1)


@pytest.mark.parametrize(
    ("task_id", "prompt_name", "fixture"),
    [
        ("fix-retry-after", "retry_after.py", "fix-retry-after/code/retry_after.py"),
        ("fix-retry-after", "test_retry_after.py", "fix-retry-after/code/test_retry_after.py"),
        (
            "refactor-settings-loader",
            "settings.py",
            "refactor-settings-loader/code/settings_original.py",
        ),
        ("tests-parse-duration", "durations.py", "tests-parse-duration/code/durations.py"),
    ],
)
def test_fixtures_are_the_code_the_prompts_show(
    task_id: str, prompt_name: str, fixture: str
) -> None:
    shown = prompt_block(TASKS[task_id], prompt_name)
    assert (STARTER / "fixtures" / fixture).read_text() == shown


def test_each_mutant_breaks_exactly_one_spot() -> None:
    folder = STARTER / "fixtures" / "tests-parse-duration" / "code"
    original = (folder / "durations.py").read_text().splitlines()
    mutants = sorted((folder / "mutants").glob("m*.py"))
    assert len(mutants) == 14
    for mutant in mutants:
        changed = mutant.read_text().splitlines()
        assert changed != original, mutant.name
        import difflib

        hunks = [
            op
            for op in difflib.SequenceMatcher(None, original, changed).get_opcodes()
            if op[0] != "equal"
        ]
        assert len(hunks) == 1, mutant.name


# ---------------------------------------------------------------- the JSON task

JSON_TASK = "json-provider-incidents"


def test_the_schema_file_is_the_schema_in_the_prompt() -> None:
    task = TASKS[JSON_TASK]
    match = re.search(r"Schema \(JSON Schema 2020-12\):\n\n(\{.*?\n\})\n", task.prompt, re.S)
    assert match
    schema_file = STARTER / "fixtures" / JSON_TASK / "schema.json"
    assert json.loads(schema_file.read_text()) == json.loads(match.group(1))


def test_the_json_task_checks() -> None:
    task = TASKS[JSON_TASK]
    assert [(c.name, c.part) for c in task.checks] == [
        ("schema", "format"),
        ("values", "correctness"),
    ]
    good = json.loads(answer(f"{JSON_TASK}.good.json"))
    text = json.dumps(good)
    assert [r.status for r in run_checks(task, text)] == ["pass", "pass"]

    fenced = run_checks(task, f"```json\n{text}\n```")
    assert [r.status for r in fenced] == ["fail", "pass"]  # right values, wrong format
    assert "code fence" in fenced[0].reason

    # The trap: Kestrel's first update was posted at 23:40 CEST, the stated start is 23:25.
    posting_time = json.loads(text)
    posting_time["incidents"][1]["started_at"] = "2026-10-14T21:40:05Z"
    schema, values = run_checks(task, json.dumps(posting_time))
    assert (schema.status, values.status) == ("pass", "fail")
    assert values.reason.startswith(
        "$.incidents[1].started_at: '2026-10-14T21:25:00Z' was expected"
    )

    extra_key = json.loads(text)
    extra_key["incidents"][0]["note"] = "x"
    schema, values = run_checks(task, json.dumps(extra_key))
    assert schema.status == "fail" and "'note' was unexpected" in schema.reason

    maintenance = json.loads(text)
    maintenance["incidents"].append(dict(maintenance["incidents"][2], incident_id="maint"))
    assert run_checks(task, json.dumps(maintenance))[1].status == "fail"


# ---------------------------------------------------------------- sections and word limits


@pytest.mark.parametrize("task", list(TASKS.values()), ids=list(TASKS))
def test_sections_and_word_limits_are_the_output_formats(task: Task) -> None:
    asked = re.findall(r"'## ([^']+)'", task.output_format)
    sections = [c for c in task.checks if isinstance(c, SectionsCheck)]
    if asked:
        assert len(sections) == 1
        assert sections[0].headings == asked and sections[0].level == 2
    else:
        assert sections == []
    limits = {
        name: int(n)
        for name, n in re.findall(r"'## ([^']+)' \(at most (\d+) words\)", task.output_format)
    }
    words = {c.section: c.max for c in task.checks if isinstance(c, MaxWordsCheck)}
    assert words == limits
    if task.type.startswith("coding_"):
        assert any(isinstance(c, PythonTestsCheck) for c in task.checks)


def test_a_well_formed_answer_passes_the_sections_and_length_checks() -> None:
    task = TASKS["research-sqlite-for-dashboard"]
    good = (
        "## Answer\nYes, with conditions: WAL, one host, a busy timeout.\n\n"
        "## Evidence\n| claim | sources | strength | note |\n|---|---|---|---|\n\n"
        "## Conflicts\nS4 is outdated.\n\n## Recommendation\n1. WAL.\n\n"
        "## Missing evidence\n- import -> test it\n"
    )
    assert [r.status for r in run_checks(task, good)] == ["pass", "pass"]
    wordy = good.replace("Yes, with", "Yes " + "very " * 80 + "with")
    assert [r.status for r in run_checks(task, wordy)] == ["pass", "fail"]
    assert suggest_parts(run_checks(task, wordy))["format"].value == 0


def test_the_retry_after_tests_reproduce_both_reports_on_the_original(tmp_path: Path) -> None:
    import shutil

    from modelduel.core.sandbox import run_pytest_sandboxed

    fixture = STARTER / "fixtures" / "fix-retry-after"
    work, boot = tmp_path / "work", tmp_path / "boot"
    shutil.copytree(fixture / "code", work)
    shutil.copy(fixture / "tests" / "test_check_retry_after.py", work)
    boot.mkdir()
    run = run_pytest_sandboxed(
        work, boot, ["test_check_retry_after.py"], timeout_s=120, memory_mb=1024
    )
    assert run.report is not None, run.output
    failing = {
        nodeid.split("::")[1]
        for nodeid, test in run.report["tests"].items()
        if test["outcome"] == "failed"
    }
    assert failing == {
        "test_past_date_means_retry_now",  # report 1, the CI failure
        "test_every_sign_and_size_of_delay[30s-past]",
        "test_every_sign_and_size_of_delay[day-past]",
        "test_every_sign_and_size_of_delay[month-past]",
        "test_every_sign_and_size_of_delay[day+90s]",
        "test_every_sign_and_size_of_delay[2days+10s]",
        "test_numeric_zones_are_read_as_stated[minus-0000-future]",  # report 2, the crash
        "test_numeric_zones_are_read_as_stated[minus-0000-past]",
    }
