"""Task files with tools, fixtures, turns and attachments: what loads, and one-line errors."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from modelduel.errors import TaskFileError
from modelduel.tasks import load_suite, load_task
from modelduel.toolspec import DEFAULT_MAX_TOOL_ROUNDS, argument_text

HEAD = """\
id = "tool-task"
type = "agentic_terminal_work"
title = "t"
prompt = "p"
criteria = ["a"]
output_format = "f"
"""

# The parameters table is inline, so keys appended after RUN still belong to the tool.
RUN = (
    '\n[[tools]]\nname = "run_command"\ndescription = "Run a command."\n'
    'parameters = { type = "object", required = ["command"], properties = { '
    'command = { type = "string" }, mode = { type = "string", enum = ["fast", "slow"] }, '
    'count = { type = "integer" } } }\n'
)


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def task_file(tmp_path: Path, body: str) -> Path:
    return write(tmp_path, "task.toml", HEAD + body)


def error_of(path: Path) -> str:
    with pytest.raises(TaskFileError) as info:
        load_task(path)
    message = str(info.value)
    assert "\n" not in message and message.startswith(str(path))
    return message


# ---------------------------------------------------------------- what loads


def test_a_task_without_tools_has_none_and_the_default_cap(tmp_path: Path) -> None:
    task = load_task(task_file(tmp_path, ""))
    assert task.tools == [] and task.fixtures is None and not task.has_tools
    assert task.max_tool_rounds == DEFAULT_MAX_TOOL_ROUNDS == 8
    assert task.turns == [] and task.attachments == []


def test_tools_rules_turns_and_attachments_load(tmp_path: Path) -> None:
    write(tmp_path, "results/log.txt", "9f3c2ab one\n")
    write(tmp_path, "notes.md", "# notes\n")
    write(tmp_path, "repo/a.py", "x = 1\n")
    body = (
        'fixtures = "repo"\nmax_tool_rounds = 3\nattachments = ["notes.md"]\n'
        + RUN
        + 'latency_ms = 250\ndefault = "bash: not found"\n'
        + "[[tools.rules]]\nmatch = { command = 'git log.*' }\n"
        + 'result_file = "results/log.txt"\n'
        + "[[tools.rules]]\nmatch = {}\nresult = 'anything'\nerror = true\n"
        + '[[turns]]\nprompt = "Now add a test."\nattachments = ["notes.md"]\n'
        + '[[turns]]\nprompt = "Shorter."\n'
    )
    task = load_task(task_file(tmp_path, body))
    tool = task.tools[0]
    assert task.has_tools and task.max_tool_rounds == 3 and task.fixtures == "repo"
    assert tool.latency_ms == 250 and tool.default_result() == "bash: not found"
    # the result file is inlined when the task loads: answering reads no file
    assert tool.rules[0].result == "9f3c2ab one\n"
    assert tool.rules[1].error is True
    assert [t.prompt for t in task.turns] == ["Now add a test.", "Shorter."]
    assert task.turns[0].attachments == ["notes.md"] and task.attachments == ["notes.md"]


def test_fixtures_alone_make_a_tool_task(tmp_path: Path) -> None:
    write(tmp_path, "repo/a.py", "x = 1\n")
    task = load_task(task_file(tmp_path, 'fixtures = "repo"\nmax_tool_rounds = 2\n'))
    assert task.has_tools and task.tools == []


def test_the_matching_rule_sees_strings_as_is_and_the_rest_as_compact_json() -> None:
    assert argument_text("git  show") == "git  show"
    assert argument_text(5) == "5" and argument_text(True) == "true"
    assert argument_text(None) == "null"
    assert argument_text({"b": 1, "a": [1, "x"]}) == '{"a":[1,"x"],"b":1}'


# ---------------------------------------------------------------- one-line errors


@pytest.mark.parametrize(
    ("body", "field", "says"),
    [
        # the arguments schema is not JSON Schema (metaschema check)
        (
            '[[tools]]\nname = "t"\ndescription = "d"\nresult = "r"\n'
            'parameters = { type = "object", properties = { a = { type = "strin" } } }\n',
            "tools[0].parameters",
            "not a valid JSON Schema",
        ),
        (
            '[[tools]]\nname = "t"\ndescription = "d"\nresult = "r"\n'
            'parameters = { type = "object", required = "a" }\n',
            "tools[0].parameters",
            "not a valid JSON Schema",
        ),
        (
            '[[tools]]\nname = "t"\ndescription = "d"\nresult = "r"\n'
            'parameters = { type = "string" }\n',
            "tools[0].parameters",
            "object schema",
        ),
        # a rule that can match nothing
        (
            RUN + "[[tools.rules]]\nmatch = { command = '(unclosed' }\nresult = 'r'\n",
            "tools[0].rules[0].match.command",
            "not a valid regular expression",
        ),
        (
            RUN + "[[tools.rules]]\nmatch = { cmd = 'git' }\nresult = 'r'\n",
            "tools[0].rules[0].match.cmd",
            "not a parameter of 'run_command' (parameters: command, mode, count)",
        ),
        (
            RUN + "[[tools.rules]]\nmatch = { mode = 'medium' }\nresult = 'r'\n",
            "tools[0].rules[0].match.mode",
            "matches none of the allowed values",
        ),
        (
            RUN + "[[tools.rules]]\nmatch = {}\nresult = 'all'\n"
            "[[tools.rules]]\nmatch = { command = 'git' }\nresult = 'never'\n",
            "tools[0].rules[1]",
            "can never match",
        ),
        # results: exactly one source
        (RUN, "tools[0].result", "missing"),
        (
            RUN + "result = 'r'\n[[tools.rules]]\nmatch = {}\nresult = 'x'\n",
            "tools[0].rules",
            "either a fixed result or rules",
        ),
        (RUN + "result = 'r'\ndefault = 'd'\n", "tools[0].default", "only a tool with rules"),
        (
            RUN + "[[tools.rules]]\nmatch = {}\n",
            "tools[0].rules[0].result",
            "exactly one of",
        ),
        (
            '[[tools]]\nname = "has space"\ndescription = "d"\nresult = "r"\n',
            "tools[0].name",
            "is not valid",
        ),
        ('[[tools]]\nname = "t"\nresult = "r"\n', "tools[0].description", "missing"),
        (
            '[[tools]]\nname = "t"\ndescription = "d"\nresult = "r"\nlatency_ms = -1\n',
            "tools[0].latency_ms",
            "greater than or equal to 0",
        ),
        (
            '[[tools]]\nname = "t"\ndescription = "d"\nresult = "r"\ncolour = 1\n',
            "tools[0].colour",
            "unknown field",
        ),
        (
            '[[tools]]\nname = "t"\ndescription = "d"\nresult = "r"\n'
            '[[tools]]\nname = "t"\ndescription = "e"\nresult = "s"\n',
            "tools",
            "two tools are named 't'",
        ),
        ("max_tool_rounds = 3\n", "max_tool_rounds", "no [[tools]] and no fixtures"),
        (
            '[[tools]]\nname = "t"\ndescription = "d"\nresult = "r"\nmax_tool_rounds = 0\n',
            "tools[0].max_tool_rounds",
            "unknown field",
        ),
        ("[[turns]]\nprompt = '  '\n", "turns[0].prompt", "must not be blank"),
        ("[[turns]]\ntext = 'x'\n", "turns[0].prompt", "missing"),
    ],
)
def test_bad_tool_declarations_are_one_line_errors_naming_the_field(
    tmp_path: Path, body: str, field: str, says: str
) -> None:
    message = error_of(task_file(tmp_path, body))
    assert f"field '{field}'" in message, message
    assert says in message, message


def test_max_tool_rounds_out_of_range(tmp_path: Path) -> None:
    body = 'max_tool_rounds = 0\n[[tools]]\nname = "t"\ndescription = "d"\nresult = "r"\n'
    assert "field 'max_tool_rounds'" in error_of(task_file(tmp_path, body))


def test_a_declared_tool_may_not_take_a_fixture_tools_name(tmp_path: Path) -> None:
    write(tmp_path, "repo/a.py", "x\n")
    body = 'fixtures = "repo"\n[[tools]]\nname = "read_file"\ndescription = "d"\nresult = "r"\n'
    message = error_of(task_file(tmp_path, body))
    assert "field 'tools[0].name'" in message and "built-in tool" in message


def test_result_files_must_exist_and_stay_in_the_task_folder(tmp_path: Path) -> None:
    tool = '[[tools]]\nname = "t"\ndescription = "d"\n'
    missing = error_of(task_file(tmp_path, tool + 'result_file = "nope.txt"\n'))
    assert "field 'tools[0].result_file'" in missing and "not found" in missing
    write(tmp_path.parent, "secret.txt", "top secret")
    outside = error_of(task_file(tmp_path, tool + 'result_file = "../secret.txt"\n'))
    assert "outside the task's folder" in outside
    absolute = error_of(
        task_file(tmp_path, tool + f'result_file = "{tmp_path.parent}/secret.txt"\n')
    )
    assert "outside the task's folder" in absolute
    rule = RUN + "[[tools.rules]]\nmatch = {}\nresult_file = '../secret.txt'\n"
    assert "field 'tools[0].rules[0].result_file'" in error_of(task_file(tmp_path, rule))


# ---------------------------------------------------------------- fixture folder escapes


def test_fixture_folder_must_exist(tmp_path: Path) -> None:
    message = error_of(task_file(tmp_path, 'fixtures = "nope"\n'))
    assert "field 'fixtures'" in message and "not a folder" in message


def test_fixture_folder_outside_the_task_folder(tmp_path: Path) -> None:
    task_dir = tmp_path / "suite"
    (tmp_path / "elsewhere").mkdir()
    message = error_of(task_file(task_dir, 'fixtures = "../elsewhere"\n'))
    assert "field 'fixtures'" in message and "outside the task's folder" in message
    message = error_of(task_file(task_dir, f'fixtures = "{tmp_path / "elsewhere"}"\n'))
    assert "field 'fixtures'" in message and "absolute" in message


def test_fixture_folder_that_is_a_symlink_to_outside(tmp_path: Path) -> None:
    task_dir = tmp_path / "suite"
    task_dir.mkdir()
    (tmp_path / "elsewhere").mkdir()
    os.symlink(tmp_path / "elsewhere", task_dir / "repo")
    message = error_of(task_file(task_dir, 'fixtures = "repo"\n'))
    assert "field 'fixtures'" in message and "outside the task's folder" in message


@pytest.mark.parametrize("target", ["/etc/passwd", "../../outside.txt", "/etc"])
def test_a_symlink_inside_the_fixtures_that_leaves_them_is_refused(
    tmp_path: Path, target: str
) -> None:
    write(tmp_path, "outside.txt", "secret")
    task_dir = tmp_path / "suite"
    write(task_dir, "repo/sub/ok.txt", "fine")
    os.symlink(target, task_dir / "repo" / "sub" / "link")
    message = error_of(task_file(task_dir, 'fixtures = "repo"\n'))
    assert "field 'fixtures'" in message and "'sub/link' is a symlink to" in message
    assert "outside the fixture folder" in message


def test_a_symlink_to_the_task_folder_but_outside_the_fixtures_is_refused(tmp_path: Path) -> None:
    write(tmp_path, "answers.txt", "the hidden answer")
    write(tmp_path, "repo/a.txt", "a")
    os.symlink(tmp_path / "answers.txt", tmp_path / "repo" / "peek.txt")
    assert "outside the fixture folder" in error_of(task_file(tmp_path, 'fixtures = "repo"\n'))


# ---------------------------------------------------------------- attachments


def test_attachments_must_exist(tmp_path: Path) -> None:
    message = error_of(task_file(tmp_path, 'attachments = ["missing.png"]\n'))
    assert "field 'attachments'" in message and "missing.png: no such file" in message
    message = error_of(task_file(tmp_path, '[[turns]]\nprompt = "p"\nattachments = ["x.md"]\n'))
    assert "field 'turns[0].attachments'" in message


def test_attachments_that_are_too_large_or_not_text(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import modelduel.attachments as att

    write(tmp_path, "big.txt", "x" * 2000)
    monkeypatch.setattr(att, "MAX_TEXT_BYTES", 1000)
    message = error_of(task_file(tmp_path, 'attachments = ["big.txt"]\n'))
    assert "field 'attachments'" in message and "over the" in message
    (tmp_path / "latin1.txt").write_bytes("caf\xe9".encode("latin-1"))
    message = error_of(task_file(tmp_path, 'attachments = ["latin1.txt"]\n'))
    assert "latin1.txt: not UTF-8 text" in message


# ---------------------------------------------------------------- the starter suite's tool tasks


STARTER = Path(__file__).resolve().parents[1] / "tasks" / "starter"


def test_the_starter_agent_tasks_are_tool_tasks_with_nothing_pasted() -> None:
    agents = [t for t in load_suite(STARTER) if t.type == "agentic_terminal_work"]
    assert [t.id for t in agents] == [
        "agent-ci-red-after-datetime-change-tools",
        "agent-runner-disk-full-tools",
    ]
    for task in agents:
        assert task.has_tools and not task.context_files
        # the outputs come back from the tools, never in the prompt
        assert "$ " not in task.prompt and "```" not in task.prompt


def test_the_example_tool_world_answers_what_a_good_agent_asks() -> None:
    from modelduel.core.toolworld import ToolWorld

    task = load_task(STARTER / "04-agent-ci-datetime.toml")
    world = ToolWorld.from_task(task)
    names = [s.name for s in world.tool_specs()]
    assert names == ["get_ci_log", "run_command", "list_files", "read_file", "search"]

    def run(command: str) -> str:
        result = world.call("run_command", json.dumps({"command": command}))
        assert not result.is_error, (command, result.content)
        assert result.latency_ms == 800
        return result.content

    log = world.call("get_ci_log", "{}")
    assert "can't compare offset-naive and offset-aware datetimes" in log.content
    assert "RERUN tests/test_ratelimit.py::test_window_resets_after_interval" in log.content
    assert run("git log --oneline -6").startswith("9f3c2ab (HEAD -> main")
    for show in ("git show HEAD", "git --no-pager show 9f3c2ab", "git show --stat"):
        assert "+    now = now or datetime.now(UTC)" in run(show)
    assert "2 failed, 1 passed" in run("python -m pytest -q tests/test_tokens.py")
    assert "2 failed, 15 passed" in run("pytest -q")
    counts = run(
        "sqlite3 -readonly prod-snapshot.db "
        "\"SELECT count(*) FROM tokens WHERE expires_at LIKE '%+00:00'\""
    )
    assert "48213|0|48213" in counts
    sample = run("sqlite3 -readonly ./prod-snapshot.db 'select * from tokens limit 5'")
    assert "2026-12-20T09:14:03.551201" in sample
    assert "expires_at TEXT" in run("sqlite3 prod-snapshot.db .schema")
    # anything unscripted is a plain "not available", never a real shell
    refused = world.call("run_command", '{"command": "rm -rf /"}')
    assert refused.is_error and "not available" in refused.content
    # the checkout through the fixture tools
    files = world.call("list_files", "{}").content
    assert "src/tokensvc/tokens.py (40 lines)" in files and "results" not in files
    read = world.call(
        "read_file", '{"path": "src/tokensvc/tokens.py", "start_line": 29, "end_line": 35}'
    )
    assert "datetime.fromisoformat(row[2])" in read.content
    found = world.call("search", '{"pattern": "datetime\\\\.now\\\\(UTC\\\\)"}')
    assert found.summary == "2 matches" and "src/tokensvc/tokens.py:21:" in found.content
    sql = world.call("read_file", '{"path": "tests/fixtures/tokens.sql"}').content
    assert "'2024-05-01T12:00:00'" in sql


def test_the_disk_full_world_answers_what_a_good_agent_asks() -> None:
    from modelduel.core.toolworld import ToolWorld

    world = ToolWorld.from_task(load_task(STARTER / "05-agent-runner-disk-full.toml"))
    assert [s.name for s in world.tool_specs()] == ["run_command"]

    def run(command: str) -> str:
        result = world.call("run_command", json.dumps({"command": command}))
        assert not result.is_error, (command, result.content)
        return result.content

    assert "97G   92G     0 100% /" in run("df -h /")
    assert "14%" in run("df -ih /") and "IUse%" in run("sudo df -i /")
    assert run("sudo du -xh --max-depth=1 / 2>/dev/null | sort -h").endswith("71G\t/\n")
    assert "52G\t/var/lib" in run("du -xh --max-depth=1 /var | sort -h")
    assert "31G\t/var/lib/docker/overlay2" in run("sudo du -sh /var/lib/docker/*")
    assert "3.3G\t/var/log/ci-agent" in run("du -h --max-depth=1 /var/log")
    assert "Build Cache" in run("docker system df")
    assert "metrics-exporter" in run("docker ps")
    assert "14G" in run("sudo ls -lhS /var/lib/docker/containers/*/*-json.log")
    assert run("docker info --format '{{.LoggingDriver}}'").strip() == "json-file"
    assert "registry-mirrors" in run("cat /etc/docker/daemon.json")
    assert "1.2G" in run("journalctl --disk-usage")
    assert "rotate 1" in run("cat /etc/logrotate.d/ci-agent")
    assert "agent.log.1.gz" in run("ls -lh /var/log/ci-agent")
    assert "Main PID: 1874" in run("systemctl status ci-agent --no-pager")
    assert "(deleted)" in run("sudo lsof -nP +L1")
    # nothing that changes the machine is run: it is for the answer to propose
    for command in ("rm -rf /var/lib/docker", "docker system prune -a --volumes", "reboot"):
        refused = world.call("run_command", json.dumps({"command": command}))
        assert refused.is_error and "not available" in refused.content


@pytest.mark.parametrize(
    ("pasted", "variant"),
    [
        ("06-longctx-engine-timing.toml", "06b-longctx-engine-timing-tools.toml"),
        ("07-longctx-incident-postmortem.toml", "07b-longctx-incident-postmortem-tools.toml"),
    ],
)
def test_each_long_context_variant_serves_what_its_pasted_twin_pastes(
    pasted: str, variant: str
) -> None:
    from modelduel.core.toolworld import ToolWorld
    from modelduel.tasks import render_prompt

    twin, task = load_task(STARTER / pasted), load_task(STARTER / variant)
    # the same answer is asked for and checked the same way: only the route to the files differs
    assert (task.output_format, task.checks, task.system) == (
        twin.output_format,
        twin.checks,
        twin.system,
    )
    assert task.type == twin.type and task.id == twin.id + "-tools"
    world = ToolWorld.from_task(task)
    listing = world.call("list_files", "{}").content
    pasted_prompt = render_prompt(twin)
    files = [line.rsplit(" (", 1)[0] for line in listing.splitlines() if line.strip()]
    assert len(files) >= 5
    for name in files:
        read = world.call("read_file", json.dumps({"path": name, "end_line": 100000})).content
        body = "\n".join(line.split("\t", 1)[1] for line in read.splitlines() if "\t" in line)
        # every line a model can read through the tools is in the pasted twin's prompt
        assert body.strip()[:2000] in pasted_prompt, name
    assert len(render_prompt(task)) < 5_000  # and none of it is pasted


def test_task_user_messages_are_the_prompt_then_each_turn_with_attachments(tmp_path: Path) -> None:
    from modelduel.conversation import Image, Text
    from modelduel.tasks import render_prompt, task_user_messages

    write(tmp_path, "notes.md", "hello\n")
    from tests.test_tool_loop_sim import png

    (tmp_path / "shot.png").write_bytes(png(2, 2))
    body = (
        'attachments = ["notes.md", "shot.png"]\n'
        '[[turns]]\nprompt = "Now add a test."\n'
        '[[turns]]\nprompt = "And this one."\nattachments = ["shot.png"]\n'
    )
    task = load_task(task_file(tmp_path, body))
    first, second, third = task_user_messages(task)
    assert first.parts[0] == Text(
        render_prompt(task) + "\n\nAttached file: notes.md\n```\nhello\n```"
    )
    assert isinstance(first.parts[1], Image) and first.parts[1].name == "shot.png"
    assert second.parts == (Text("Now add a test."),)
    assert third.parts[0] == Text("And this one.") and len(third.parts) == 2
    (tmp_path / "notes.md").unlink()
    with pytest.raises(TaskFileError, match=r"field 'attachments': notes\.md: no such file"):
        task_user_messages(task)
