"""Issue 13: the first frame needs only what it draws. The launch path builds no pydantic
validator for the capability data and imports no engine or network module it does not
use; the shipped data constructed for launch equals the validated data; the runner's child
process starts after the first frame, and a prompt sent before it is ready is not lost."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from modelduel.capabilities import SHIPPED, load_families, shipped_families, shipped_text
from modelduel.core.worker import ChildDuelRunner

# what `modelduel` runs before its first frame (cli, commands/tui_cmd.run_tui): the command
# line, the app, config, themes, the CSV store, the history's reader, the parent's side of
# the runner (its child process imports the engine) and one capability lookup per model
LAUNCH_PATH = (
    "import sys\n"
    "import modelduel.cli; modelduel.cli.build_parser().parse_args(['--demo'])\n"
    "import modelduel.tui.app, modelduel.commands.tui_cmd, modelduel.commands.review\n"
    "import modelduel.config, modelduel.tui.themes, modelduel.demo, modelduel.storage\n"
    "from modelduel.core.worker import ChildDuelRunner, stop_reason\n"
    "from modelduel.capabilities import CapabilityOverride, Family, family_for\n"
    "family_for('openai', 'gpt-5'); family_for('anthropic', 'claude-sonnet-4-5')\n"
    "print(' '.join(m for m in sys.argv[1:] if m in sys.modules))\n"
    "print(Family.__pydantic_complete__, CapabilityOverride.__pydantic_complete__)\n"
)

# each loads when a run starts (the runner child, the simulator), a price is shown, a
# task is opened or an answer is drawn, all after the first frame (the price table's
# module is imported by config for its override type, so it is not listed here; its data
# loads after the first frame: tests/test_render_budget.py)
NOT_ON_THE_LAUNCH_PATH = (
    "modelduel.core.checks",
    "modelduel.tasks",
    "modelduel.simulator",
    "modelduel.core.duel",
    "modelduel.core.toolloop",
    "modelduel.core.toolworld",
    "modelduel.providers.http",
    "httpx",
    "httpx2",
    "rich.markdown",
    "markdown_it",
    "pygments",
    # task-file and tool validation (pydantic models built at import, jsonschema): the run
    # plan needs only the default number of tool rounds, the parent's runner none of it
    "modelduel.toolspec",
    "modelduel.checkspec",
    "jsonschema",
    # the config file is edited (a theme picked) long after the first frame
    "tomlkit",
    "tomli_w",
)


def test_the_launch_path_imports_no_engine_module_and_builds_no_capability_validator() -> None:
    out = subprocess.run(
        [sys.executable, "-c", LAUNCH_PATH, *NOT_ON_THE_LAUNCH_PATH],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    loaded, complete = out[0].split(), out[-1]
    assert loaded == []
    # pydantic's validator for the capability models is built on first validation only
    # (a user's capability file or a config override), not for the shipped data
    assert complete == "False False"


def test_the_shipped_families_constructed_for_launch_equal_the_validated_ones() -> None:
    fast = shipped_families()
    validated = load_families(shipped_text(), SHIPPED)
    assert fast == validated
    assert [type(f.kinds) for f in fast] == [tuple] * len(fast)
    assert {type(f.effort_map) for f in fast} == {dict}


async def test_overlapping_opens_of_the_child_runner_start_one_child(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the app opens the runner after its first frame; a prompt sent earlier opens it too
    spawned: list[object] = []
    spawn = asyncio.create_subprocess_exec

    async def counted(*args: Any, **kwargs: Any) -> asyncio.subprocess.Process:
        spawned.append(args)
        return await spawn(*args, **kwargs)

    monkeypatch.setattr(asyncio, "create_subprocess_exec", counted)
    runner = ChildDuelRunner(lambda run_id, stamped: None, log_path=tmp_path / "log")
    try:
        await asyncio.gather(runner.open(), runner.open(), runner.open())
        assert len(spawned) == 1
    finally:
        await runner.aclose()
    await runner.open()  # closed, it starts again when asked
    await runner.aclose()
    assert len(spawned) == 2
