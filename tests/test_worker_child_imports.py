"""Issue 13: the runner child of a plain duel loads only what a plain duel needs.

Every TUI duel goes through the conversation loop (its plans keep the conversation, for a
follow-up), so the guard runs a real child on a plain plan with `keep_conversation`, as
the TUI sends it, and reads the modules it had loaded when it exited. The tools (tool
worlds, fixture tools, task files, their pydantic models and jsonschema) load only for a
plan with a world: the second test checks the same probe sees them then, so the first
cannot pass by seeing nothing.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import os
from pathlib import Path

from modelduel.core.worker import ChildDuelRunner
from tests.support.engine import lookup_world
from tests.support.replay_server import Script, running_server
from tests.test_engine_loopback import SECRET, Collect, chat_chunks, plan

# what only a tool task needs, and what no child needs at all (the UI's stack)
NOT_IN_A_PLAIN_CHILD = (
    "modelduel.core.toolworld",
    "modelduel.core.fixturetools",
    "modelduel.core.taskplan",
    "modelduel.fixturefs",
    "modelduel.toolspec",
    "modelduel.tasks",
    "modelduel.task_model",
    "modelduel.checkspec",
    "jsonschema",
    "referencing",
    "textual",
    "rich",
    "markdown_it",
    "pygments",
    "tomlkit",
    # the capability data every request reads is a dataclass (`capabilities.Family`); its
    # pydantic schema is the app's, for a user's file or a config override
    "pydantic",
    "pydantic_core",
    "modelduel.capability_schema",
)

PROBE = """
import atexit, json, os, sys
atexit.register(lambda: open(os.environ["MODELDUEL_TEST_MODULES"], "w").write(
    json.dumps(sorted(sys.modules))))
"""


async def child_modules(tmp_path: Path, *, with_world: bool) -> tuple[set[str], Collect]:
    """The modules a real child had loaded when it exited after one run."""
    probe = tmp_path / "probe"
    probe.mkdir()
    (probe / "sitecustomize.py").write_text(PROBE)
    dump = tmp_path / "modules.json"
    env = dict(
        os.environ,
        OPENAI_API_KEY=SECRET,
        PYTHONPATH=os.pathsep.join([str(probe), *filter(None, [os.environ.get("PYTHONPATH")])]),
        MODELDUEL_TEST_MODULES=str(dump),
    )
    async with running_server(lambda r: Script(chat_chunks(["Hel", "lo"]))) as srv:
        sink = Collect()
        child = ChildDuelRunner(sink, env=env, log_path=tmp_path / "modelduel.log")
        run = dataclasses.replace(plan(srv.base), keep_conversation=True)
        if with_world:
            run = dataclasses.replace(run, world=lookup_world())
        await child.start([run])
        await asyncio.wait_for(child.wait(), 20)
        await child.aclose()
    return set(json.loads(dump.read_text())), sink


async def test_a_plain_duels_child_loads_no_tools_task_files_or_ui(tmp_path: Path) -> None:
    modules, sink = await child_modules(tmp_path, with_world=False)
    assert sink.stats().text == "Hello"  # it did run the duel, through the loop
    assert "modelduel.core.toolloop" in modules and "httpx2" in modules
    loaded = [m for m in NOT_IN_A_PLAIN_CHILD if m in modules]
    assert loaded == []


async def test_a_tool_tasks_child_loads_the_tools_when_its_plan_arrives(tmp_path: Path) -> None:
    modules, sink = await child_modules(tmp_path, with_world=True)
    assert sink.stats().text == "Hello"
    assert {"modelduel.core.toolworld", "modelduel.toolspec", "jsonschema"} <= modules
