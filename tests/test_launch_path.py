"""Issue 13: the first frame needs only what it draws. The launch path builds no pydantic
validator for the capability data and imports no engine or network module it does not
use; the shipped data constructed for launch equals the validated data; the runner's child
process starts after the first frame, and a prompt sent before it is ready is not lost."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from textual.screen import Screen

from modelduel.capabilities import SHIPPED, load_families, shipped_families, shipped_text
from modelduel.config import Config, resolve_model
from modelduel.core.plan import RunPlan
from modelduel.core.worker import ChildDuelRunner
from modelduel.errors import ModelduelError
from modelduel.events import Finished, RequestSent, Stamped, TextDelta
from modelduel.tui.app import AppSettings, ModelduelApp, Runner

if TYPE_CHECKING:
    from modelduel.tasks import Task

# what `modelduel` runs before its first frame (cli, tui/launch.run_tui): the command
# line, the app, config, themes, the CSV store, the history's reader, the parent's side of
# the runner (its child process imports the engine) and one capability lookup per model
LAUNCH_PATH = (
    "import sys\n"
    "import modelduel.cli; modelduel.cli.parse_command_line(['--demo'])\n"
    "import modelduel.tui.app, modelduel.commands.tui_cmd, modelduel.tui.launch\n"
    "import modelduel.tui.recorded, modelduel.tui.themeload\n"
    "import modelduel.config, modelduel.tui.themes, modelduel.demo, modelduel.storage\n"
    "from modelduel.core.worker import ChildDuelRunner\n"
    "from modelduel.core.cancelreasons import stop_reason\n"
    "from modelduel.capabilities import family_for\n"
    "family_for('openai', 'gpt-5'); family_for('anthropic', 'claude-sonnet-4-5')\n"
    # with no config file: the defaults, the shipped themes and each model resolved
    "from modelduel.config import load_config, resolve_model, DuelSettings\n"
    "config = load_config(None)\n"
    "demo = {'MODELDUEL_DEMO': '1'}\n"
    "[resolve_model(s, config, demo, DuelSettings()) for s in config.default_models]\n"
    "modelduel.tui.themeload.load_themes(modelduel.tui.themeload.theme_dirs(None))\n"
    # demo mode's socket and environment, as `run_tui` opens them (the child starts later)
    "import contextlib\n"
    "with contextlib.ExitStack() as stack:\n"
    "    modelduel.demo.demo_environment_in_background(stack, True, config, announce=False)\n"
    "print(' '.join(m for m in sys.argv[1:] if m in sys.modules))\n"
    # the capability models, imported now (as a config override would): the shipped
    # data's lookups above built no validator for them
    "from modelduel.capabilities import CapabilityOverride\n"
    "from modelduel.capability_schema import FamilySchema\n"
    "print(FamilySchema.__pydantic_complete__, CapabilityOverride.__pydantic_complete__)\n"
)

# each loads when a run starts (the runner child, the simulator), a price is shown, a
# task is opened or an answer is drawn, all after the first frame (the price table's
# module is imported by config for its override type, so it is not listed here; its data
# loads after the first frame: tests/test_render_budget.py)
NOT_ON_THE_LAUNCH_PATH = (
    # no config file, no theme of the user's: nothing to validate, so no pydantic (its
    # import and model machinery were ~0.45x of a bare Textual app's launch)
    "pydantic",
    "pydantic_core",
    "modelduel.tui.themefile",
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
    # the default launch parses the top-level options only: no other command's module
    # (building every command's parser imported them all, with what they import)
    "modelduel.commands.ask",
    "modelduel.commands.check",
    "modelduel.commands.config_cmd",
    "modelduel.commands.export",
    "modelduel.commands.models",
    "modelduel.commands.review",
    "modelduel.commands.route",
    "modelduel.commands.run_cmd",
    "modelduel.commands.simulate",
)


def test_the_launch_path_imports_no_engine_module_and_builds_no_capability_validator(
    tmp_path: Path,
) -> None:
    env = {k: v for k, v in os.environ.items() if k != "MODELDUEL_CONFIG"}
    env["XDG_CONFIG_HOME"] = str(tmp_path)  # no config file, no user themes
    out = subprocess.run(
        [sys.executable, "-c", LAUNCH_PATH, *NOT_ON_THE_LAUNCH_PATH],
        capture_output=True,
        text=True,
        check=True,
        env=env,
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


SPECS = ["openai/gpt-5.5", "anthropic/claude-opus-4-7"]
ENV = {"OPENAI_API_KEY": "k1", "ANTHROPIC_API_KEY": "k2"}
T0 = 10_000_000_000


class GatedRunner(Runner):
    """A runner whose start-up takes as long as the test says, noting what it saw."""

    def __init__(self, app: ModelduelApp, paints: list[str]) -> None:
        self.app = app
        self.paints = paints
        self.ready = asyncio.Event()
        self.opened_after: list[int] = []
        self.opened_mounted: list[bool] = []
        self.started: list[str] = []

    async def open(self) -> None:
        # how many frames of the duel screen were painted when the child began to start
        self.opened_after.append(self.paints.count("DuelScreen"))
        # and whether the app was done mounting (Textual paints the first full frame of
        # the screen once the app's on_mount has returned; a frame before is partial)
        self.opened_mounted.append(self.app._is_mounted)
        if not self.app._is_mounted:
            self.ready.set()  # a mount waiting on this would never end: the test says why
        await self.ready.wait()

    async def start(self, plans: list[object]) -> None:
        assert self.ready.is_set(), "a run was sent to a runner that is not ready"
        for plan in plans:
            assert isinstance(plan, RunPlan)
            self.started.append(plan.request.prompt)
            asyncio.get_running_loop().call_soon(self._end, plan.run_id)

    def _end(self, run_id: str) -> None:
        self.app.sink(run_id, Stamped(T0, RequestSent(0)))
        self.app.sink(run_id, Stamped(T0 + 400_000_000, TextDelta("An answer.")))
        self.app.sink(run_id, Stamped(T0 + 900_000_000, Finished("stop", "stop")))
        self.app.run_ended(run_id)


def _count_paints(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of the screens painted from now on, one per compositor refresh."""
    paints: list[str] = []
    refresh = Screen._compositor_refresh

    def counted(screen: Screen[object]) -> None:
        paints.append(type(screen).__name__)
        refresh(screen)

    monkeypatch.setattr(Screen, "_compositor_refresh", counted)
    return paints


def _app(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, tasks: tuple[Task, ...] = ()
) -> tuple[ModelduelApp, list[str]]:
    paints = _count_paints(monkeypatch)
    config = Config()
    models = [resolve_model(spec, config, ENV) for spec in SPECS]
    settings = AppSettings(config=config, models=models, csv_path=tmp_path / "r.csv", tasks=tasks)
    return ModelduelApp(settings, lambda a: GatedRunner(a, paints)), paints


async def test_the_runner_starts_after_the_first_frame_is_painted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app, _ = _app(tmp_path, monkeypatch)
    async with app.run_test(size=(120, 40)) as pilot:
        for _ in range(500):
            await pilot.pause(0.02)
            runner = app.runner
            if isinstance(runner, GatedRunner) and runner.opened_after:
                break
        runner = app.runner
        assert isinstance(runner, GatedRunner)
        # opened once, and only after the duel screen was on the terminal
        assert len(runner.opened_after) == 1
        assert runner.opened_after[0] >= 1
        runner.ready.set()


async def test_a_prompt_sent_before_the_runner_is_ready_runs_once_it_is(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app, _ = _app(tmp_path, monkeypatch)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.click("#prompt")
        for key in "hi":
            await pilot.press(key)
        # the send waits for the runner (the key's handler is still running meanwhile)
        send = asyncio.ensure_future(pilot.press("ctrl+j"))
        runner = app.runner
        assert isinstance(runner, GatedRunner)
        for _ in range(500):  # no timing asserted: waits until the runner is starting
            await asyncio.sleep(0.02)
            if runner.opened_after:
                break
        await asyncio.sleep(0.1)
        assert runner.opened_after  # the runner is starting
        assert runner.started == []  # still starting: the prompt waits, it is not dropped
        runner.ready.set()
        await asyncio.wait_for(send, 10)
        for _ in range(100):
            await pilot.pause(0.01)
            if runner.started:
                break
        assert runner.started == ["hi", "hi"]  # one run per pane, with what was typed


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


async def test_a_start_asked_for_while_the_runner_closes_is_refused_and_close_ends(
    tmp_path: Path,
) -> None:
    # a run ending as the app quits can start a judge or a re-run: a second child then
    # left `aclose` waiting on its reader for ever (the app never exited)
    runner = ChildDuelRunner(lambda run_id, stamped: None, log_path=tmp_path / "log")
    await runner.open()
    closing = asyncio.ensure_future(runner.aclose())
    await asyncio.sleep(0)  # aclose is under way
    with pytest.raises(RuntimeError, match="closing"):
        await runner.open()
    await asyncio.wait_for(closing, timeout=30)
    await runner.open()  # closed, it starts again when asked
    await asyncio.wait_for(runner.aclose(), timeout=30)


async def test_a_suite_starts_its_runner_and_first_task_after_the_first_frame(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # a suite's first task runs as the screen opens: it used to start the runner (and its
    # child's imports) before the first frame, which the default launch already avoided
    from modelduel.tasks import load_suite

    tasks = tuple(load_suite(Path(__file__).resolve().parents[1] / "tasks" / "starter"))[:1]
    app, _ = _app(tmp_path, monkeypatch, tasks=tasks)

    async with app.run_test(size=(120, 40)) as pilot:
        for _ in range(500):
            await pilot.pause(0.02)
            runner = app.runner
            if isinstance(runner, GatedRunner) and runner.opened_after:
                break
        runner = app.runner
        assert isinstance(runner, GatedRunner)
        assert len(runner.opened_after) == 1
        assert runner.opened_after[0] >= 1  # the duel screen was on the terminal first,
        assert runner.opened_mounted == [True]  # and the app had finished mounting
        assert runner.started == []  # the task waits for the runner, it is not dropped
        runner.ready.set()
        for _ in range(200):
            await pilot.pause(0.02)
            if runner.started:
                break
        assert len(runner.started) == len(SPECS)  # the task ran on every model


async def test_the_demo_simulator_starts_after_the_first_frame_is_painted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # `run_tui` hands the simulator child's start to the app (AppSettings.after_first_frame)
    paints = _count_paints(monkeypatch)
    started_after: list[int] = []
    config = Config()
    settings = AppSettings(
        config=config,
        models=[resolve_model(spec, config, ENV) for spec in SPECS],
        csv_path=tmp_path / "r.csv",
        after_first_frame=(lambda: started_after.append(paints.count("DuelScreen")),),
    )
    app = ModelduelApp(settings, lambda a: GatedRunner(a, paints))
    async with app.run_test(size=(120, 40)) as pilot:
        for _ in range(500):
            await pilot.pause(0.02)
            if started_after:
                break
        assert len(started_after) == 1  # once, after the duel screen was on the terminal
        assert started_after[0] >= 1
        runner = app.runner
        assert isinstance(runner, GatedRunner)
        runner.ready.set()


def test_no_garbage_collection_runs_before_the_first_frame_and_it_runs_again_after(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # importing the screen's ~600 modules ran ~160 collections (60-100 ms of a launch)
    import argparse
    import gc

    from modelduel.tui import launch

    seen: list[str] = []

    def run(app: ModelduelApp) -> None:
        seen.append(f"before the first frame: {gc.isenabled()}")
        for job in app.settings.after_first_frame:
            job()
        seen.append(f"after it: {gc.isenabled()}")

    monkeypatch.setattr(ModelduelApp, "run", run)
    monkeypatch.setattr(launch, "_has_a_terminal", lambda: True)  # pytest's stdin is none
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    monkeypatch.setenv("OPENAI_API_KEY", "k1")  # no demo mode: nothing to start
    args = argparse.Namespace(
        config=None, csv=tmp_path / "r.csv", models=["openai/gpt-5.5"], demo=False,
        themes=None, theme=None, blind=False, effort=None, max_output_tokens=None,
    )  # fmt: skip
    assert gc.isenabled()
    assert launch.run_tui(args) == 0
    assert seen == ["before the first frame: False", "after it: True"]
    assert gc.isenabled()
    args.models = ["openai/gpt-5.5"] * 7  # a mistake said before any screen: the collector is on
    with pytest.raises(ModelduelError):
        launch.run_tui(args)
    assert gc.isenabled()
