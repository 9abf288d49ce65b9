"""Task files: the starter suite, the prompt template, and one-line errors for bad files."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

from modelduel.errors import TaskFileError
from modelduel.tasks import DEFAULT_SYSTEM_PROMPT, Task, load_suite, load_task, render_prompt

STARTER = Path(__file__).resolve().parents[1] / "tasks" / "starter"

GOOD = """\
id = "fix-median"
type = "coding_bug_fix"
title = "Fix median()"
prompt = '''
Fix the bug in median().
It returns the wrong value for even lengths.
'''
criteria = ["Even lengths are right", "Odd lengths unchanged", "Adds a test"]
output_format = "A unified diff."
"""


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


# ---------------------------------------------------------------- the starter suite


def test_starter_suite_loads_with_the_briefs_mix() -> None:
    every = load_suite(STARTER)
    assert len({t.id for t in every}) == len(every) == 12
    # the brief's ten, plus a fixture-tools variant of each long-context task beside it
    variants = [t for t in every if t.path.stem[2:3] == "b"]
    assert [t.id for t in variants] == [
        "longctx-engine-timing-contract-tools",
        "longctx-incident-postmortem-tools",
    ]
    tasks = [t for t in every if t not in variants]
    assert len(tasks) == 10
    kinds = Counter(t.type for t in tasks)
    assert kinds["coding_bug_fix"] == kinds["coding_refactor"] == kinds["coding_tests"] == 1
    assert kinds["agentic_terminal_work"] == 2
    assert kinds["long_context_synthesis"] == 2
    # the agent tasks investigate through tools; the long-context ones are pasted
    assert all(t.has_tools for t in tasks if t.type == "agentic_terminal_work")
    assert not any(t.has_tools for t in tasks if t.type == "long_context_synthesis")
    for variant in variants:
        assert variant.has_tools and variant.fixtures and not variant.context_files
        assert variant.type == "long_context_synthesis"
    assert kinds["research_summary"] == 2
    assert kinds["strict_json_extraction"] == 1
    for task in every:
        assert len(task.criteria) == 3, task.id
        assert task.system == DEFAULT_SYSTEM_PROMPT
        prompt = render_prompt(task)
        assert prompt.count("\nSuccess criteria: 1) ") == 1
        assert prompt.endswith(f"\nOutput format: {task.output_format}")


def test_starter_long_context_tasks_are_long() -> None:
    long_tasks = [
        t for t in load_suite(STARTER) if t.type == "long_context_synthesis" and not t.has_tools
    ]
    assert len(long_tasks) == 2
    sizes = [len(render_prompt(t)) for t in long_tasks]
    # "Tens of thousands of tokens" in all: at ~4 characters per token, well over 150k chars.
    assert all(size > 80_000 for size in sizes)
    assert sum(sizes) > 200_000
    for task in long_tasks:
        assert task.context_files
        for path in task.context_paths():
            assert path.is_file()


def test_starter_files_are_in_filename_order() -> None:
    tasks = load_suite(STARTER)
    assert [t.path.name for t in tasks] == sorted(t.path.name for t in tasks)


# ---------------------------------------------------------------- the template


def test_render_prompt_matches_the_brief_template(tmp_path: Path) -> None:
    task = load_task(write(tmp_path, "t.toml", GOOD))
    assert render_prompt(task) == (
        "Fix the bug in median().\n"
        "It returns the wrong value for even lengths.\n"
        "Success criteria: 1) Even lengths are right 2) Odd lengths unchanged 3) Adds a test\n"
        "Output format: A unified diff."
    )
    assert (
        task.system
        == DEFAULT_SYSTEM_PROMPT
        == (
            "You are an assistant completing one production task. Be concise and explicit. "
            "If uncertain, say what is missing."
        )
    )
    assert task.path == tmp_path / "t.toml"
    assert "path" not in task.model_dump()


def test_render_prompt_inlines_context_files(tmp_path: Path) -> None:
    write(tmp_path, "context/notes.md", "# Notes\nuse ```code``` here")
    write(tmp_path, "context/data.csv", "a,b\n1,2\n")
    task = load_task(
        write(
            tmp_path,
            "t.toml",
            GOOD + 'context_files = ["context/notes.md", "context/data.csv"]\n'
            'system = "Be brief."\n',
        )
    )
    assert task.system == "Be brief."
    assert render_prompt(task) == (
        "Fix the bug in median().\n"
        "It returns the wrong value for even lengths.\n"
        "\n"
        "Context file: context/notes.md\n"
        "````\n"  # longer than the ``` inside, so it cannot be closed early
        "# Notes\n"
        "use ```code``` here\n"
        "````\n"
        "\n"
        "Context file: context/data.csv\n"
        "```\n"
        "a,b\n"
        "1,2\n"
        "```\n"
        "Success criteria: 1) Even lengths are right 2) Odd lengths unchanged 3) Adds a test\n"
        "Output format: A unified diff."
    )


def test_task_model_is_frozen(tmp_path: Path) -> None:
    task = load_task(write(tmp_path, "t.toml", GOOD))
    with pytest.raises(Exception, match="frozen"):
        task.title = "x"  # type: ignore[misc]
    assert isinstance(task, Task)


# ---------------------------------------------------------------- bad files


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (GOOD + 'colour = "red"\n', "field 'colour': unknown field (allowed: id, type,"),
        (GOOD.replace('output_format = "A unified diff."\n', ""), "field 'output_format': missing"),
        (GOOD.replace('criteria = ["Even', 'criteria = "Even').replace('test"]', 'test"'), None),
        (GOOD.replace('criteria = ["Even lengths are right", ', "criteria = [3, "), None),
        (GOOD.replace('"Adds a test"', '" "'), "field 'criteria': criterion 3 is blank"),
        (GOOD.replace('id = "fix-median"', 'id = "fix median!"'), "field 'id': 'fix median!'"),
        (GOOD.replace('"coding_bug_fix"', '"Coding Bug Fix"'), "field 'type': 'Coding Bug Fix'"),
        (GOOD + 'path = "/etc/passwd"\n', "field 'path': unknown field"),
        (GOOD + "context_files = []\ncriteria = []\n", None),
    ],
    ids=[
        "unknown-key",
        "missing",
        "string-for-list",
        "int-in-list",
        "blank-criterion",
        "bad-id",
        "bad-type",
        "path-key",
        "duplicate-key",
    ],
)
def test_bad_task_files(tmp_path: Path, text: str, expected: str | None) -> None:
    path = write(tmp_path, "bad.toml", text)
    with pytest.raises(TaskFileError) as exc:
        load_task(path)
    message = str(exc.value)
    assert message.startswith(f"{path}:")
    assert "\n" not in message
    if expected is not None:
        assert expected in message


def test_wrong_types_name_the_field_and_what_was_found(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "bad.toml",
        GOOD.replace(
            'criteria = ["Even lengths are right", "Odd lengths unchanged", "Adds a test"]',
            'criteria = "Even lengths are right"',
        ),
    )
    with pytest.raises(
        TaskFileError, match=r"field 'criteria': input should be a valid list, got a string"
    ):
        load_task(path)
    path = write(tmp_path, "bad2.toml", GOOD.replace('"Odd lengths unchanged"', "3"))
    with pytest.raises(TaskFileError, match=r"field 'criteria\[1\]': .*got an integer"):
        load_task(path)


def test_toml_syntax_error_names_the_line(tmp_path: Path) -> None:
    path = write(tmp_path, "bad.toml", 'id = "x"\ntype = "coding_bug_fix"\ntitle = \n')
    with pytest.raises(TaskFileError, match=rf"^{re.escape(str(path))}:3: TOML syntax error"):
        load_task(path)


def test_missing_context_file(tmp_path: Path) -> None:
    path = write(tmp_path, "t.toml", GOOD + 'context_files = ["context/nope.md"]\n')
    with pytest.raises(TaskFileError) as exc:
        load_task(path)
    assert str(exc.value).startswith(f"{path}: field 'context_files': 'context/nope.md' not found")


def test_missing_file_and_not_utf8(tmp_path: Path) -> None:
    with pytest.raises(TaskFileError, match="no such task file"):
        load_task(tmp_path / "nope.toml")
    path = tmp_path / "latin1.toml"
    path.write_bytes(GOOD.replace("Fix median()", "Fix médian()").encode("latin-1"))
    with pytest.raises(TaskFileError, match="not UTF-8"):
        load_task(path)


def test_suite_errors(tmp_path: Path) -> None:
    with pytest.raises(TaskFileError, match="no task files"):
        load_suite(tmp_path)
    with pytest.raises(TaskFileError, match="not a folder"):
        load_suite(tmp_path / "missing")
    write(tmp_path, "a.toml", GOOD)
    write(tmp_path, "b.toml", GOOD.replace('title = "Fix median()"', 'title = "Again"'))
    with pytest.raises(TaskFileError) as exc:
        load_suite(tmp_path)
    assert (
        str(exc.value)
        == f"{tmp_path / 'b.toml'}: field 'id': duplicate id 'fix-median' (also in a.toml)"
    )


def test_suite_order_and_subfolders(tmp_path: Path) -> None:
    write(tmp_path, "02-b.toml", GOOD.replace('"fix-median"', '"b"'))
    write(tmp_path, "01-a.toml", GOOD.replace('"fix-median"', '"a"'))
    write(tmp_path, "context/ignored.toml", "not = [valid")
    assert [t.id for t in load_suite(tmp_path)] == ["a", "b"]


# ---------------------------------------------------------------- [[checks]]

CHECK = '\n[[checks]]\nname = "c"\n'


@pytest.mark.parametrize(
    ("checks", "expected"),
    [
        (
            'kind = "json_schema"\npart = "format"\nschema = { type = "objekt" }\n',
            "field 'checks[0].schema': not a valid JSON Schema: 'objekt' is not valid under any "
            "of the given schemas (at $.type)",
        ),
        (
            'kind = "json_schema"\npart = "format"\nschema_file = "s.json"\n',
            "field 'checks[0].schema_file': 's.json': not a valid JSON Schema: 5 is not valid",
        ),
        (
            'kind = "json_schema"\npart = "format"\nschema_file = "notjson.json"\n',
            "field 'checks[0].schema_file': 'notjson.json' is not JSON (line 1, column 2:",
        ),
        (
            'kind = "json_schema"\npart = "format"\nschema_file = "missing.json"\n',
            "field 'checks[0].schema_file': 'missing.json' not found",
        ),
        (
            'kind = "json_schema"\npart = "format"\n',
            "field 'checks[0].schema': give exactly one of 'schema' (inline) or 'schema_file'",
        ),
        (
            'kind = "regex"\npart = "style"\npattern = "x"\n',
            "field 'checks[0].part': 'style' is not a rubric part (expected the rubric part the "
            "check informs: quality, correctness, format or rework)",
        ),
        (
            'kind = "python_tests"\npart = "correctness"\nfile = "m.py"\n',
            "field 'checks[0].tests': missing (expected pytest files or folders",
        ),
        (
            'kind = "python_tests"\npart = "correctness"\nfile = "m.py"\ntests = []\n',
            "field 'checks[0].tests': list should have at least 1 item",
        ),
        (
            'kind = "python_tests"\npart = "correctness"\nfile = "m.py"\ntests = ["t.py"]\n',
            "field 'checks[0].tests': 't.py' not found",
        ),
        (
            'kind = "python_tests"\npart = "correctness"\ntests = ["s.json"]\n',
            "field 'checks[0].file': missing; answer = 'code' needs the name",
        ),
        (
            'kind = "python_tests"\npart = "correctness"\ntests = ["s.json"]\nanswer = "diff"\n'
            'fixture = "nope"\n',
            "field 'checks[0].fixture': 'nope' is not a folder",
        ),
        (
            'kind = "regexp"\npart = "format"\n',
            "field 'checks[0].kind': 'regexp' is not a kind of check (expected one of json_schema,",
        ),
        ('part = "format"\n', "field 'checks[0].kind': missing"),
        (
            'kind = "regex"\npart = "format"\npattern = "(unclosed"\n',
            "field 'checks[0].pattern': not a valid regular expression (missing ), unterminated",
        ),
        (
            'kind = "regex"\npart = "format"\npattern = "x"\ncolour = 1\n',
            "field 'checks[0].colour': unknown field for this kind of check",
        ),
        (
            'kind = "contains"\npart = "format"\ntext = "x"\n' + CHECK + 'kind = "contains"\n'
            'part = "format"\ntext = "y"\n',
            "field 'checks': two checks are named 'c'; names must be unique",
        ),
        (
            'kind = "sections"\npart = "format"\nheadings = ["A", " "]\n',
            "field 'checks[0].headings': heading 2 is blank",
        ),
    ],
    ids=[
        "schema-not-json-schema",
        "schema-file-not-json-schema",
        "schema-file-not-json",
        "schema-file-missing",
        "no-schema",
        "unknown-rubric-part",
        "python-tests-without-tests",
        "python-tests-empty-tests",
        "python-tests-missing-test-file",
        "code-without-file",
        "fixture-missing",
        "unknown-kind",
        "missing-kind",
        "bad-regex",
        "unknown-check-field",
        "duplicate-check-names",
        "blank-heading",
    ],
)
def test_bad_checks_are_one_line_naming_file_and_field(
    tmp_path: Path, checks: str, expected: str
) -> None:
    write(tmp_path, "s.json", '{"type": 5}')
    write(tmp_path, "notjson.json", "{nope")
    path = write(tmp_path, "bad.toml", GOOD + CHECK + checks)
    with pytest.raises(TaskFileError) as exc:
        load_task(path)
    message = str(exc.value)
    assert message.startswith(f"{path}: field 'checks")
    assert "\n" not in message
    assert expected in message


def test_a_bad_check_is_a_clean_cli_error(tmp_path: Path) -> None:
    import subprocess
    import sys

    write(
        tmp_path, "suite/t.toml", GOOD + CHECK + 'kind = "regex"\npart = "style"\npattern = "x"\n'
    )
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "modelduel",
            "run",
            str(tmp_path / "suite"),
            "--demo",
            "--csv",
            str(tmp_path / "out.csv"),
        ],
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},
        timeout=120,
    )
    assert done.returncode == 2
    assert (
        done.stderr.strip()
        .splitlines()[-1]
        .endswith(
            "field 'checks[0].part': 'style' is not a rubric part (expected the rubric part the "
            "check informs: quality, correctness, format or rework)"
        )
    )
    assert "Traceback" not in done.stderr


def test_checks_load_with_schema_files_inlined(tmp_path: Path) -> None:
    write(tmp_path, "fx/schema.json", '{"type": "array"}')
    write(tmp_path, "fx/test_a.py", "def test_a():\n    pass\n")
    task = load_task(
        write(
            tmp_path,
            "t.toml",
            GOOD
            + CHECK
            + 'kind = "json_schema"\npart = "format"\nschema_file = "fx/schema.json"\n'
            + '\n[[checks]]\nname = "t"\nkind = "python_tests"\npart = "correctness"\n'
            + 'answer = "diff"\ntests = ["fx/test_a.py"]\n',
        )
    )
    schema_check, tests_check = task.checks
    assert schema_check.kind == "json_schema" and schema_check.schema_ == {"type": "array"}
    assert tests_check.kind == "python_tests" and tests_check.timeout_s == 60
    assert load_task(write(tmp_path, "plain.toml", GOOD)).checks == []


def test_check_rubric_parts_are_the_scoring_rubric() -> None:
    from modelduel.checkspec import RUBRIC_PARTS
    from modelduel.core.scoring import RUBRIC_MAX

    assert tuple(RUBRIC_MAX) == RUBRIC_PARTS
