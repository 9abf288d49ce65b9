"""The modelduel app: prompt once, watch the models race, score each pane by keystroke.

Streams run in the child-process worker (`core.worker`), which stamps every event
where its bytes arrive; this app only reads the meters on a 10 Hz tick, so no
amount of rendering can make a model look slower. Every run becomes a CSV row
when it ends, and every score change updates that row at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import random
import time
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual import events
from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.containers import Grid
from textual.css.query import NoMatches
from textual.notifications import SeverityLevel
from textual.screen import Screen
from textual.widgets import Static

from modelduel.core.routing import plural
from modelduel.core.scoring import RUBRIC_MAX, Score
from modelduel.core.session import DuelState, RunSlot
from modelduel.core.session_controller import SaveLedger, ScoringPace, progress_line, rank_cells
from modelduel.display import sanitize_terminal
from modelduel.events import Stamped
from modelduel.tui.duelscreen import (
    COMPACT_HEIGHT,
    MIN_HEIGHT,
    MIN_WIDTH,
    PANE_MIN_HEIGHT,
    PANE_MIN_WIDTH,
    DuelScreen,
)
from modelduel.tui.duelview import DuelView, blind_order, pane_label
from modelduel.tui.keys import duel_keymap_problems
from modelduel.tui.pane import FramePacer, PaneModel, ResponsePane
from modelduel.tui.prompt import PromptEditor, SystemPromptInput
from modelduel.tui.screens import (
    HistoryEntry,
    HistoryScreen,
    ReportScreen,
    UnsavedQuitScreen,
)
from modelduel.tui.taskpanel import TaskInfo, TaskPanel
from modelduel.tui.turns import DuelTurns

if TYPE_CHECKING:
    from textual.theme import Theme

    from modelduel.config import Config, ResolvedModel
    from modelduel.core.checks import CheckResult, CheckRunner
    from modelduel.tasks import Task
    from modelduel.tui.judging import ScreenJudge

__all__ = ["MIN_HEIGHT", "MIN_WIDTH", "AppSettings", "ModelduelApp", "Runner"]


@dataclass
class AppSettings:
    """Everything the app needs from the command line and config.

    Attributes:
        config: the loaded config.
        models: the resolved lineup.
        csv_path: the results CSV (always shown in the status bar).
        blind: start in blind mode.
        theme: the theme name to start with.
        themes: extra themes to register (shipped, user, --themes).
        theme_problems: bad theme files, shown once as a notice.
        banner: a line to show on top (demo mode), or "".
        env: the environment the runs see (demo mode points it at the simulator).
        save_theme: called with the theme name when the user picks one.
        recorded: recorded duels to open instead of a prompt (`modelduel score`).
        tasks: a task suite to step through (`modelduel suite`), in order.
        history: duels already in the CSV, listed in the history (not opened).
    """

    config: Config
    models: list[ResolvedModel]
    csv_path: Path
    blind: bool = False
    theme: str = "modelduel-dark"
    themes: tuple[Theme, ...] = ()
    theme_problems: tuple[str, ...] = ()
    banner: str = ""
    env: dict[str, str] | None = None
    save_theme: Callable[[str], None] | None = None
    recorded: tuple[DuelView, ...] = ()
    tasks: tuple[Task, ...] = ()
    history: tuple[DuelView, ...] = ()


class Runner:
    """What the app needs from a duel runner (the child-process one, or a fake in tests)."""

    async def open(self) -> None:
        """Get ready."""

    async def start(self, plans: list[object]) -> None:
        """Start runs."""

    async def cancel(self, run_id: str) -> None:
        """Cancel one run."""

    async def cancel_all(self) -> None:
        """Cancel every run."""

    async def aclose(self) -> None:
        """Stop."""


class ModelduelApp(App[None]):
    """The modelduel TUI."""

    TITLE = "modelduel"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+q", "quit", "Quit", id="app.quit", priority=True),
    ]

    def __init__(
        self,
        settings: AppSettings,
        runner_factory: Callable[[ModelduelApp], Runner],
        *,
        rng: random.Random | None = None,
    ):
        """`rng` shuffles the blind order (tests inject one to check the shuffle)."""
        super().__init__()
        self.settings = settings
        self.blind = settings.blind
        self.views: list[DuelView] = []
        self.view: DuelView | None = None
        self._runs: dict[str, tuple[DuelView, RunSlot]] = {}
        self._runner_factory = runner_factory
        self.runner: Runner | None = None
        self._runner_ready: asyncio.Future[None] | None = None
        self._last_save = "nothing saved yet"
        # panes are drawn as their bytes arrive, coalesced and fairly shared (issue 13)
        self.pacer = FramePacer(
            self.refresh_pane, lambda: range(len(self.view.panes)) if self.view else ()
        )
        self.ledger = SaveLedger(settings.csv_path)
        """Every row and score of the session, and what of it is not on disk yet."""
        self._rng = rng or random.Random()
        self.task_index = 0
        self._priority_cache: tuple[tuple[int, int, int], frozenset[str]] | None = None
        self.tab_index = 0
        """The pane shown when the panes are tabs (a narrow or short terminal)."""
        self.clock: Callable[[], int] = time.monotonic_ns
        """Reads "now" for the elapsed time of live panes (tests use a fixed clock)."""
        self._check_runner: CheckRunner | None = None
        self.judging: ScreenJudge | None = None
        """The blind judge (`[judge]` on): a second opinion beside the person's score."""
        self.suite_hints: dict[str, str] = {}
        """Suite: task type -> "not separated — ~N runs per model would separate them (...)"."""
        self._hint_jobs: set[asyncio.Future[None]] = set()
        self._check_tasks: set[asyncio.Task[None]] = set()
        self.pace = ScoringPace()
        """Seconds per scored pane, measured in this session (the status bar's estimate)."""
        self.ranking: list[int] | None = None
        """While `o` ranks the panes: the order given so far (pane indices, best first)."""
        self._ranking_fresh = False
        self.recovery_note = ""
        """Where scores the results CSV refused at exit went (printed once the screen is gone)."""
        self.turns = DuelTurns(self)
        """Follow-ups, last-turn re-runs and attachments (issue 12)."""

    # -- set-up -----------------------------------------------------------------------

    async def on_event(self, event: events.Event) -> None:
        """Keys on the duel screen are handled here, one after the other (see `_key_in_order`)."""
        if (
            isinstance(event, events.Key)
            and not event.is_forwarded
            and await self._key_in_order(event)
        ):
            return
        await super().on_event(event)

    def _priority_keys(self, focused: object) -> frozenset[str]:
        """Keys of priority bindings for this focus (walking the chain per key made a
        500 KB paste take minutes); recomputed when focus or the keymap changes."""
        cache_key = (id(self.screen), id(focused), id(self._keymap))
        if self._priority_cache is None or self._priority_cache[0] != cache_key:
            keys = frozenset(
                key
                for _, bindings in self.screen._binding_chain
                for key, found in bindings.key_to_bindings.items()
                if any(b.priority for b in found)
            )
            self._priority_cache = (cache_key, keys)
        return self._priority_cache[1]

    async def _key_in_order(self, event: events.Key) -> bool:
        """Handle a key of the duel screen completely before the next one is read.

        Keys that arrive in one terminal write are queued together, and two things
        used to act on them late. `Widget.focus()` is deferred to a callback queued
        behind those keys, so after `5 right 5` both 5s scored the first pane: the
        screen now moves focus at once (`DuelScreen.focus_now`). And Textual forwards
        each key to the focused widget's own queue and runs bindings only once it
        has bubbled back up, so every key of a burst is forwarded before the first
        binding runs: an `escape` leaving the prompt came too late for the digit after
        it, which was typed into the prompt. Here each key runs its binding (or is
        typed) in the app's own task, in arrival order.

        Returns:
            True if the key was handled; False leaves it to Textual's usual path.
        """
        screen = self.screen
        if not isinstance(screen, DuelScreen):
            return False
        if screen.maximized is not None and event.key == "escape":
            return False  # Textual's restore-the-maximised-pane
        self.app_focus = True
        focused = self.focused
        if event.key in self._priority_keys(focused) and await self._check_bindings(
            event.key, priority=True
        ):
            return True
        typing = isinstance(focused, (PromptEditor, SystemPromptInput))
        if self.ranking is not None and not typing and self._rank_key(event):
            return True
        if isinstance(focused, PromptEditor):
            if not focused.read_only and (event.is_printable or event.key == "enter"):
                focused.queue_typed("\n" if event.key == "enter" else event.character or "")
                return True
            focused.flush_typed()
        elif isinstance(focused, SystemPromptInput) and event.is_printable:
            focused.insert_text_at_cursor(event.character or "")
            return True
        return await self._check_bindings(event.key)

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = False,
    ) -> None:
        """A notice; plain text by default, because notices quote model specs, paths and
        provider errors, and `[/INST]` in one would be read as markup."""
        super().notify(
            sanitize_terminal(message),
            title=sanitize_terminal(title),
            severity=severity,
            timeout=timeout,
            markup=markup,
        )

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """No action but quitting while the duel screen only says the terminal is too small."""
        return action in ("quit", "app.quit") or not self.screen.has_class("-too-small")

    async def action_quit(self) -> None:
        """Quit, unless something acknowledged is not on disk: then ask what to do with it."""
        if isinstance(self.screen, UnsavedQuitScreen):
            return  # already asking
        if self.ledger.pending and not self.ledger.retry():
            self.sync_saved()
            self.update_status()
            self._ask_about_unsaved()
            return
        self.exit()

    def _ask_about_unsaved(self) -> None:
        stamp = time.strftime("%Y%m%d-%H%M%S")
        elsewhere = str(Path.cwd() / f"modelduel-unsaved-{stamp}.csv")
        count = plural(len(self.ledger.pending), "run")
        self.push_screen(
            UnsavedQuitScreen(count, self.ledger.last_error, elsewhere), self._quit_choice
        )

    def _quit_choice(self, choice: str | None) -> None:
        from modelduel.errors import CsvError

        if choice is None:
            return
        if choice == "discard":
            self.ledger.discard()
            self.exit()
            return
        if choice.startswith("save:"):
            target = Path(choice[5:]).expanduser()
            try:
                written = self.ledger.save_elsewhere(target)
            except CsvError as exc:
                self.notify(f"could not save to {target}: {exc}", severity="error", timeout=10)
                self._ask_about_unsaved()
                return
            self.notify(f"saved {plural(written)} to {target}")
            self.exit()
            return
        if self.ledger.retry():
            self.exit()
        else:
            self.notify(f"still NOT saved: {self.ledger.last_error}", severity="error")
            self._ask_about_unsaved()

    def action_help_quit(self) -> None:
        """ctrl+c: say how to quit, as plain text (notices here are never markup)."""
        for key, active in self.active_bindings.items():
            if active.binding.action in ("quit", "app.quit"):
                self.notify(f"Press {key} to quit the app", title="Do you want to quit?")
                return

    def get_theme_variable_defaults(self) -> dict[str, str]:
        """App colours (provider accents, latency, winner) for themes that lack them."""
        from modelduel.tui.themes import APP_VARIABLE_DEFAULTS

        return dict(APP_VARIABLE_DEFAULTS)

    async def on_mount(self) -> None:
        """Themes, keymap, the runner process, then the duel screen."""
        themes = self.settings.themes
        if not themes:
            # shipped themes at least (the command line passes the user's too)
            from modelduel.tui.themes import load_themes, shipped_theme_dir

            themes = tuple(load_themes([shipped_theme_dir()])[0])
        for theme in themes:
            self.register_theme(theme)
        if self.settings.theme in self.available_themes:
            self.theme = self.settings.theme
        elif self.settings.theme:
            self.notify(f"unknown theme {self.settings.theme!r}", severity="warning")
        if self.settings.theme_problems:
            self.notify(
                "\n".join(self.settings.theme_problems),
                title="Bad theme files",
                severity="warning",
                timeout=10,
            )
        if self.settings.config.keymap:
            self.set_keymap(dict(self.settings.config.keymap))
            self._check_keymap()
        self.runner = self._runner_factory(self)
        runner = self.runner

        def open_runner() -> None:
            if self._runner_ready is None:
                self._runner_ready = asyncio.ensure_future(runner.open())

        # The runner process starts after the first frame is painted, while the user types:
        # its start-up (an interpreter importing the engine, on the same cores) would hold
        # the first paint back. A prompt sent meanwhile waits for it (`wait_runner`; the
        # child runner's `start` opens it, sharing a start already under way).
        self.call_after_refresh(open_runner)
        if self.settings.config.judge is not None:
            from modelduel.tui.judging import ScreenJudge

            self.judging = ScreenJudge.create(self)
        await self.push_screen(DuelScreen())
        # the price table loads once the first screen is up, so it neither delays the
        # first paint nor stalls the loop when the first usage arrives mid-stream
        self.call_after_refresh(_warm_prices)
        self.call_after_refresh(_tame_gc)
        self.views.extend(self.settings.history)
        self.views.extend(self.settings.recorded)
        for view in self.views:
            for row in view.rows:
                self.ledger.know(row.get("run_id") or "", row)
        if self.settings.tasks:
            await self.goto_task(self._resume_index())
        elif self.settings.recorded:
            first = next((v for v in self.views if not v.fully_scored), self.views[0])
            await self.show_view(first)
            self._focus_next_unscored(first, -1)  # scoring first, from the first pane left
            if not isinstance(self.focused, ResponsePane):
                self.screen.action_to_panes()  # type: ignore[attr-defined]
            self.notify(f"{plural(len(self.views), 'recorded duel')}: ctrl+o lists them")
        self.update_status()

    def watch_theme(self, theme: str) -> None:
        """Remember the theme the user picked."""
        if self.settings.save_theme is not None and theme != self.settings.theme:
            self.settings.save_theme(theme)
            self.settings.theme = theme

    async def wait_runner(self) -> None:
        if self._runner_ready is not None:
            await self._runner_ready

    async def on_unmount(self) -> None:
        """Stop the runner process: no run outlives the app."""
        if self._runner_ready is not None and not self._runner_ready.done():
            self._runner_ready.cancel()
        if self.runner is not None:
            await self.runner.aclose()
        for job in list(self._check_tasks):
            job.cancel()
        if self.judging is not None:
            self.judging.close()
        if self._check_runner is not None:
            self._check_runner.close()  # each check has a time limit
        # however the app ends (a signal exits without asking), one last try at what
        # could not be written, then a recovery file rather than losing it
        if not self.ledger.retry():
            self._save_recovery()

    def _save_recovery(self) -> None:
        """Write what the results CSV refused to a recovery file; `recovery_note` says where."""
        from modelduel import locations

        count = plural(len(self.ledger.pending), "run")
        reason = self.ledger.last_error
        csv_path = self.settings.csv_path
        name = f"{csv_path.stem}-unsaved-{time.strftime('%Y%m%d-%H%M%S')}.csv"
        candidates = [csv_path.with_name(name)]
        with contextlib.suppress(OSError, RuntimeError):  # no home: only the CSV's folder
            state = locations.state_dir()
            state.mkdir(parents=True, exist_ok=True)
            candidates.append(state / name)
        written, errors = self.ledger.save_recovery(candidates)
        if written is not None:
            self.recovery_note = (
                f"{count} could not be written to {csv_path} ({reason}); saved to {written} instead"
            )
        else:
            self.recovery_note = (
                f"{count} NOT saved: {csv_path} ({reason}); the recovery files failed too: "
                + "; ".join(errors)
            )

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        """Palette commands besides Textual's (theme, keys, quit)."""
        yield from super().get_system_commands(screen)
        yield SystemCommand("History", "Open a past duel to see or re-score it", self.open_history)
        yield SystemCommand(
            "Export session", "Write this session's runs to a CSV of their own", self.export_session
        )
        yield SystemCommand(
            "Routing report", "Which model to route each task type to", self.open_report
        )
        yield SystemCommand(
            "Toggle blind mode", "Hide names, cost and speed until scored", self._toggle_blind
        )

    def _toggle_blind(self) -> None:
        screen = self.screen
        if isinstance(screen, DuelScreen):
            screen.action_blind()

    # -- duels ------------------------------------------------------------------------

    def shown_task(self) -> tuple[str | None, str]:
        """(task id, task type) of the task on screen; (None, "adhoc") for none."""
        if self.settings.tasks:
            task = self.settings.tasks[self.task_index]
            return task.id, task.type
        view = self.view
        if view is not None and view.task_type != "adhoc" and view.task_id:
            return view.task_id, view.task_type
        return None, "adhoc"

    def task_of(self, view: DuelView) -> Task | None:
        """The suite task a duel ran, if it is one of this session's."""
        return next((t for t in self.settings.tasks if t.id == view.task_id), None)

    def task_info(self, view: DuelView) -> TaskInfo | None:
        """What the task panel shows for a duel: its suite task, or its prompt if reopened."""
        task = self.task_of(view)
        if task is not None:
            return TaskInfo(
                f"{task.id} · {task.title}", task.prompt, task.criteria, task.output_format
            )
        reopened = view.live is None or (self.views and view is not self.views[-1])
        if reopened and view.prompt:
            return TaskInfo(f"Prompt · {view.task_id}", view.prompt)
        return None

    async def start_duel(
        self,
        prompt: str,
        system: str,
        *,
        task_id: str | None = None,
        task_type: str = "adhoc",
        task: Task | None = None,
    ) -> None:
        """Send a prompt (a suite task's, or typed) to every model at once.

        A suite task's runs are planned as `modelduel run` plans them (`task`: its tools,
        scripted turns and attachments); a typed prompt takes the files attached to it.
        """
        models = list(self.settings.models)
        blind = self.blind
        if blind:
            models = [models[i] for i in blind_order(len(models), self._rng)]
        duel = DuelState.create(
            models, prompt, system or None, task_id=task_id, task_type=task_type
        )
        plans = self.turns.first_plans(duel, task)
        if plans is None:
            return
        view = DuelView.from_live(duel, blind)
        self.views.append(view)
        for slot in duel.slots:
            self._runs[slot.run_id] = (view, slot)
        await self.show_view(view)
        assert self.runner is not None
        await self.wait_runner()
        await self.runner.start(list(plans))
        self.update_status()

    def task_budget(self, task_id: str | None) -> int | None:
        """A suite task's own output budget, as `modelduel run` sends it (the command line's
        and the config's budget still win inside `plan_request`)."""
        task = next((t for t in self.settings.tasks if t.id == task_id), None)
        return task.max_output_tokens if task is not None else None

    async def show_view(self, view: DuelView) -> None:
        """Put a duel's panes on screen; a recorded duel shows its prompt in the editor."""
        self.view = view
        typing = isinstance(self.focused, PromptEditor)
        grid = self.screen.query_one("#panes", Grid)
        await grid.remove_children()
        panes = [ResponsePane(model, i) for i, model in enumerate(view.panes)]
        await grid.mount_all(panes)
        self.tab_index = 0
        self.layout_panes()
        if view.live is None:
            # what was asked, to score against (sending it again runs a fresh duel)
            self.screen.query_one(PromptEditor).load_text(view.prompt)
            if self.judging is not None:
                self.judging.start_recorded(view)  # a second opinion on the recorded answers
        self.screen.query_one(TaskPanel).show_task(self.task_info(view))
        self.ranking = None
        if not typing and panes:
            # never leave focus wherever removing the old panes put it (the system
            # prompt field, where a score key would overwrite the text): the first
            # pane left to score, so scoring a suite is one key per pane
            first = self.next_unscored(view, -1)
            target = panes[first if first is not None else 0]
            self.tab_index = target.index
            self.layout_panes()
            self.screen.set_focus(target)
        if view.all_ended:
            self.pace.ready()
        await self.refresh_panes()

    def layout_panes(self) -> None:
        """Side by side while each pane gets PANE_MIN_WIDTH columns, else in rows, else tabs.

        Panes share the grid while each gets PANE_MIN_WIDTH x PANE_MIN_HEIGHT cells, so
        every pane's score line is on screen; otherwise the panes become tabs, one pane
        at a time (left/right or tab switch). Below MIN_WIDTH x MIN_HEIGHT the screen
        only says it is too small.
        """
        screen = self.screen
        if not isinstance(screen, DuelScreen):
            return  # a modal is on top (it re-flows when the duel screen is back)
        width, height = self.size
        too_small = width < MIN_WIDTH or height < MIN_HEIGHT
        screen.set_class(too_small, "-too-small")
        if too_small:
            # nothing is drawn: typed keys must not score, rank or send a prompt unseen
            screen.set_focus(None)
        screen.set_class(height < COMPACT_HEIGHT, "-compact")
        grid = screen.query_one("#panes", Grid)
        tabs = screen.query_one("#pane-tabs", Static)
        panes = list(screen.query(ResponsePane))
        n = max(1, len(panes))
        columns = max(1, min(n, width // PANE_MIN_WIDTH))
        rows = -(-n // columns)
        room = screen.query_one("#pane-area").size.height
        tabbed = n > 1 and room > 0 and room // rows < PANE_MIN_HEIGHT
        if tabbed:
            columns = rows = 1
            self.tab_index = min(self.tab_index, n - 1)
        grid.styles.grid_size_columns = columns
        grid.styles.grid_size_rows = rows
        grid.styles.grid_rows = "1fr"
        for pane in panes:
            pane.display = not tabbed or pane.index == self.tab_index
        tabs.display = tabbed
        if tabbed:
            line = Text(no_wrap=True, overflow="ellipsis")
            room = max(3, (width - 4) // n - 3)  # every tab fits, its name elided
            for pane in panes:
                style = "reverse bold" if pane.index == self.tab_index else "dim"
                label = pane.model.label
                if len(label) > room:
                    label = label[: room - 1] + "…"
                line.append(f" {label} ", style)
                line.append(" ")
            line.append("left/right: other panes", "dim")
            tabs.update(line)

    async def refresh_panes(self) -> None:
        """The 10 Hz tick: every pane reads its figures from the meter."""
        view = self.view
        if view is None or not isinstance(self.screen, DuelScreen):
            return
        now = self.clock()
        done = view.all_ended
        for pane in self.screen.query(ResponsePane):
            pane.conversation.update(
                pane, view.timeline(pane.index), pane.model.hidden and not done
            )
            await pane.show(view.shown(pane.index, now), done)

    async def refresh_pane(self, index: int) -> None:
        """One pane reads its figures from the meter (the frame pacer's draw)."""
        view = self.view
        if view is None or not isinstance(self.screen, DuelScreen):
            return
        for pane in self.screen.query(ResponsePane):
            if pane.index == index:
                done = view.all_ended
                pane.conversation.update(pane, view.timeline(index), pane.model.hidden and not done)
                pane.show_text(view.shown(index, self.clock()), done)

    def sink(self, run_id: str, stamped: Stamped) -> None:
        """Stamped events from the runner go to their run's meter (never re-stamped)."""
        if self.judging is not None and self.judging.runner.sink(run_id, stamped):
            return  # a judge run: its verdict comes through `run_ended`
        entry = self._runs.get(run_id)
        if entry is not None:
            entry[1].observe(stamped)
            if entry[0] is self.view:
                self.pacer.poke(entry[1].pane)

    def run_ended(self, run_id: str) -> None:
        """A run ended: its row goes into the CSV now, with any score already given."""
        if self.judging is not None and self.judging.runner.on_ended(run_id):
            return
        entry = self._runs.get(run_id)
        if entry is None:
            return
        view, slot = entry
        slot.ended = True
        duel = view.duel_of(slot)
        if duel is None:
            return
        pane = view.panes[slot.pane]
        from modelduel.core.records import csv_row, transcript_record

        later_turn = bool(self.ledger.row(slot.run_id))  # a follow-up: its row is updated
        # a score given while it ran is already with the ledger, merged into the row
        row = csv_row(duel, slot, blind=pane.blind)
        saved = self.ledger.record_run(slot.run_id, row, transcript_record(duel, slot))
        self.sync_saved()
        if not saved:
            self.notify(
                f"run NOT saved (kept, retried on the next write; s retries): "
                f"{self.ledger.last_error}",
                severity="error",
                timeout=10,
            )
        else:
            # blind: naming the pane that finished first would give its speed away
            self._last_save = "saved a run" if pane.hidden else f"saved {slot.model.spec} run"
        if view is self.view and view.all_ended:
            self.pace.ready()  # every answer is on screen: scoring starts now
        if not later_turn:  # the checks and the judge judged the task's answer, not a follow-up's
            self._start_checks(view, slot)
            if self.judging is not None:
                self.judging.start(view, slot)
        self.turns.run_ended(run_id)
        self.update_status()

    def _start_checks(self, view: DuelView, slot: RunSlot) -> None:
        """Run the task's checks on a finished answer, off the UI loop (worker threads)."""
        task = self.task_of(view)
        stats = slot.stats()
        if task is None or not task.checks or stats.status in ("failed", "cancelled"):
            return
        if self._check_runner is None:
            from modelduel.core.checks import CheckRunner

            self._check_runner = CheckRunner()
        job = asyncio.get_running_loop().create_task(
            self._apply_checks(view, slot, self._check_runner.arun(task, stats.text))
        )
        self._check_tasks.add(job)
        job.add_done_callback(self._check_tasks.discard)

    async def _apply_checks(
        self, view: DuelView, slot: RunSlot, results: Awaitable[list[CheckResult]]
    ) -> None:
        """Show the checks' line and suggestions in the pane and record the counts."""
        from modelduel.core.checks import csv_columns, suggest_parts, summary

        done = await results
        if view.run_id(slot.pane) != slot.run_id:
            return  # the pane was re-run meanwhile: these results are not its answer's
        pane = view.panes[slot.pane]
        pane.checks_line = summary(done)
        pane.suggestions = suggest_parts(done)
        self.ledger.record_changes(slot.run_id, csv_columns(done))
        self.sync_saved()
        self.update_status()
        await self.refresh_panes()

    def accept_suggestions(self, pane: ResponsePane | None) -> None:
        """Take the checks' suggested rubric parts as the pane's (the person's key), and
        the judge's for parts neither a check nor the person gave."""
        from modelduel.tui.judging import judge_offers

        judged = judge_offers(pane.model) if pane is not None else {}
        if pane is None or not (pane.model.suggestions or judged):
            what = "check or judge" if self.judging is not None else "check"
            self.notify(f"no {what} suggestions on this pane", severity="warning")
            return
        values: dict[str, Any] = {p: s.value for p, s in pane.model.suggestions.items()}
        values.update({p: s.value for p, s in judged.items()})
        sources = {p: "check" for p in pane.model.suggestions} | {p: "judge" for p in judged}
        self.change_score(
            pane, lambda s: dataclasses.replace(s, direct=None, **values), source=sources
        )

    def sync_saved(self) -> None:
        """Every pane's saved / NOT saved mark, from what the ledger has on disk."""
        for view in self.views:
            for i, pane in enumerate(view.panes):
                run_id = view.run_id(i)
                pane.saved = self.ledger.is_saved(run_id)
                pane.unsaved = self.ledger.is_pending(run_id)

    def retry_saves(self) -> None:
        """Retry every write that failed (key `s`; also before every write)."""
        if not self.ledger.pending:
            self.notify("everything is saved")
            return
        count = len(self.ledger.pending)
        if self.ledger.retry():
            self._last_save = f"saved {plural(count, 'pending run')}"
            self.notify(self._last_save)
        else:
            self.notify(f"still NOT saved: {self.ledger.last_error}", severity="error", timeout=10)
        self.sync_saved()
        self.update_status()

    def change_score(
        self,
        pane: ResponsePane | None,
        change: Callable[[Score], Score],
        *,
        source: str | Mapping[str, str] = "person",
    ) -> None:
        """Apply a score change to a pane and write it to its CSV row at once.

        `source` is who gave the rubric parts this change sets: "person" (a key) or
        "check" / "judge" (an accepted suggestion; per part as a mapping); it goes to the
        row's `parts_source`.
        """
        view = self.view
        if pane is None or view is None:
            self.notify("focus a pane first (escape leaves the prompt)", severity="warning")
            return
        model = pane.model
        before = model.score
        try:
            after = change(model.score)
        except ValueError as exc:
            self.notify(str(exc), severity="warning")
            return
        if (after.is_scored or after.is_partial) and view.nothing_to_score(pane.index):
            # a 0 would count as an answer that was judged; there is no answer
            self.say(f"{model.label} failed with no output: nothing to score (r re-runs it)")
            return
        model.score = after
        changes = model.score.csv_changes()
        changes["parts_source"] = _parts_source(model, before, source)
        if model.blind:
            changes["blind"] = True  # scored without knowing which model it was
        run_id = view.run_id(pane.index)
        saved = self.ledger.record_changes(run_id, changes)
        self.sync_saved()
        if self.ledger.is_pending(run_id):
            self.notify(
                f"score NOT saved (kept, retried on the next write; s retries): "
                f"{self.ledger.last_error}",
                severity="error",
                timeout=10,
            )
        elif saved:
            extra = ""
            if model.score.manual_corrections:
                extra += f", {plural(model.score.manual_corrections, 'correction')}"
            if model.score.note:
                extra += ", note"
            self._last_save = f"saved {model.score.describe()}{extra} for {model.label}"
        else:
            self._last_save = f"score {model.score.describe()} kept; saved when {model.label} ends"
        if view.reveal_if_scored():
            self.notify("every pane scored: names revealed")
        if after.is_scored and not before.is_scored:
            self.pace.scored()
            self._focus_next_unscored(view, pane.index)
        self.update_status()

    def say(self, message: str) -> None:
        """A one-line message in the status bar (and as a notice)."""
        self._last_save = message
        self.notify(message, severity="warning")
        self.update_status()

    def say_info(self, message: str) -> None:
        """A one-line message in the status bar that is not a problem."""
        self._last_save = message
        self.notify(message)
        self.update_status()

    def next_unscored(self, view: DuelView, after: int) -> int | None:
        """The first pane after `after` (wrapping) still to score, or None when none is."""
        n = len(view.panes)
        for step in range(1, n + 1):
            index = (after + step) % n
            if (
                not view.panes[index].score.is_scored
                and not view.nothing_to_score(index)
                and not view.cancelled(index)
            ):
                return index
        return None

    def _focus_next_unscored(self, view: DuelView, after: int) -> None:
        """After a pane is scored, focus moves to the next one left to score."""
        screen = self.screen
        if not isinstance(screen, DuelScreen) or view is not self.view:
            return
        index = self.next_unscored(view, after)
        if index is None:
            return  # the duel is scored: the status bar says how to go on
        target = next((p for p in screen.query(ResponsePane) if p.index == index), None)
        if target is not None:
            self.tab_index = index
            self.layout_panes()
            screen.focus_now(target)

    def duel_scored(self) -> bool:
        """Every pane of the duel on screen that can be scored is."""
        view = self.view
        if view is None or not view.panes:
            return False
        return view.all_ended and self.next_unscored(view, -1) is None

    # -- pairwise preference ------------------------------------------------------------

    def start_ranking(self) -> None:
        """Key `o`: the pane letters pressed next give the order, best first."""
        view = self.view
        if view is None or len(view.panes) < 2:
            self.say("rank needs a duel of two or more panes on screen")
            return
        if not view.all_ended:
            self.say("rank once every run has ended")
            return
        ranked = [(p.rank, i) for i, p in enumerate(view.panes) if p.rank is not None]
        self.ranking = [i for _, i in sorted(ranked)]
        self._ranking_fresh = True
        self.update_status()

    def _rank_key(self, event: events.Key) -> bool:
        """One key while ranking; False leaves the key to its binding (ranking ends)."""
        view = self.view
        order = self.ranking
        if view is None or order is None:
            self.ranking = None
            return False
        letters = [pane_label(i).lower() for i in range(len(view.panes))]
        key = (event.character or "").lower() if event.is_printable else event.key
        if key in letters:
            index = letters.index(key)
            if self._ranking_fresh:
                order.clear()  # a new order replaces the old one
                self._ranking_fresh = False
            if index in order:
                self.say(f"{pane_label(index)} is ranked {order.index(index) + 1} already")
                return True
            if view.nothing_to_score(index) or view.cancelled(index):
                self.say(f"{pane_label(index)} has no answer to rank")
                return True
            order.append(index)
            self._write_ranks(view, order)
            if len(order) == len(view.panes) - sum(
                view.nothing_to_score(i) or view.cancelled(i) for i in range(len(view.panes))
            ):
                self.ranking = None  # every pane placed
            self.update_status()
            return True
        if key == "o":
            self._ranking_fresh = True  # `o` again: the next letter starts a new order
            self.update_status()
            return True
        if key == "backspace":
            self._ranking_fresh = False
            if order:
                order.pop()
                self._write_ranks(view, order)
            self.update_status()
            return True
        self.ranking = None
        self.update_status()
        # escape only ends the ranking; any other key (enter: the next task) also acts
        return key == "escape"

    def _write_ranks(self, view: DuelView, order: list[int]) -> None:
        """Each pane's rank to its row (through the ledger); the status says what is on disk."""
        ranks = rank_cells(order, len(view.panes))
        failed = False
        for index, rank in enumerate(ranks):
            pane = view.panes[index]
            if pane.rank == rank:
                continue
            pane.rank = rank
            run_id = view.run_id(index)
            self.ledger.record_changes(run_id, {"rank": rank})
            failed = failed or self.ledger.is_pending(run_id)
        self.sync_saved()
        shown = " > ".join(view.panes[i].label for i in order) or "no order"
        if failed:
            self.notify(
                f"rank NOT saved (kept, retried on the next write; s retries): "
                f"{self.ledger.last_error}",
                severity="error",
                timeout=10,
            )
        else:
            self._last_save = f"saved rank {shown}"

    async def rerun(self, index: int) -> None:
        """Re-run one pane's model; its old run stays in the CSV as it was."""
        view = self.view
        if view is None:
            return
        if view.live is None:
            await self._rerun_recorded(view, index)
            return
        if await self.turns.rerun_last_turn(view, index):
            return  # a conversation: its last turn only
        old = view.live.slots[index]
        self.ledger.drop_early(old.run_id)  # the score given to it goes with the pane's reset
        assert self.runner is not None
        if not old.ended:
            await self.runner.cancel(old.run_id)
        fresh = view.live.restart(old)
        self._runs[fresh.run_id] = (view, fresh)
        pane_model = view.panes[index]
        pane_model.score = Score()
        pane_model.rank = None  # the rank was the old answer's: its row keeps it, not the new
        pane_model.judge = None  # the old answer's verdict goes with it
        pane_model.saved = False
        pane_model.revealed = False
        for pane in self.screen.query(ResponsePane):
            if pane.index == index:
                pane.reset()
        await self.wait_runner()
        await self.runner.start([self.turns.fresh_plan(view.live, fresh, self.task_of(view))])

    async def _rerun_recorded(self, view: DuelView, index: int) -> None:
        """Run a recorded pane's model again in place: same duel, same task, a new row."""
        spec = view.panes[index].spec
        model = next((m for m in self.settings.models if m.spec == spec), None)
        if model is None:
            self.notify(f"{spec} is not in this session's models (-m {spec})", severity="warning")
            return
        running = view.reruns.get(index)
        assert self.runner is not None
        if running is not None and not running[1].ended:
            await self.runner.cancel(running[1].run_id)
        task = self.task_of(view)
        if task is not None:
            from modelduel.tasks import render_prompt

            prompt, system = render_prompt(task), task.system
        else:
            prompt, system = view.prompt, view.system
        duel = DuelState.create(
            [model], prompt, system, task_id=view.task_id, task_type=view.task_type
        )
        duel.duel_id = view.duel_id  # the fresh run is one more run of the same duel
        slot = duel.slots[0]
        slot.pane = index
        view.reruns[index] = (duel, slot)
        self._runs[slot.run_id] = (view, slot)
        pane_model = view.panes[index]
        pane_model.score = Score()
        pane_model.rank = None  # the recorded row keeps its rank; the new run has none
        pane_model.revealed = False
        for pane in self.screen.query(ResponsePane):
            if pane.index == index:
                pane.reset()
        self.sync_saved()
        await self.wait_runner()
        await self.runner.start([self.turns.fresh_plan(duel, slot, task)])

    async def cancel(self, index: int) -> None:
        """Cancel one pane's run (its partial text is kept)."""
        view = self.view
        slot = view.slot(index) if view is not None else None
        if slot is not None and not slot.ended and self.runner is not None:
            await self.runner.cancel(slot.run_id)

    async def cancel_all(self) -> None:
        """Cancel every run."""
        if self.runner is not None:
            await self.runner.cancel_all()

    # -- suites ------------------------------------------------------------------------

    def _task_views(self, task_id: str) -> list[DuelView]:
        return [v for v in self.views if v.task_id == task_id]

    def _resume_index(self) -> int:
        """The first task whose runs are not all recorded and scored (resume)."""
        for i, task in enumerate(self.settings.tasks):
            views = self._task_views(task.id)
            if not views or not views[-1].fully_scored:
                return i
        return 0

    async def goto_task(self, index: int) -> None:
        """Show a suite task: its recorded duel if there is one, else run it now."""
        tasks = self.settings.tasks
        self.task_index = max(0, min(index, len(tasks) - 1))
        task = tasks[self.task_index]
        views = self._task_views(task.id)
        if views:
            await self.show_view(views[-1])
        else:
            from modelduel.tasks import render_prompt

            await self.start_duel(
                render_prompt(task),
                task.system or "",
                task_id=task.id,
                task_type=task.type,
                task=task,
            )
        from modelduel.tui.suite_hint import load_suite_hints  # the CSV's verdicts, refreshed

        job = asyncio.ensure_future(load_suite_hints(self, announce=not self._hint_jobs))
        self._hint_jobs.add(job)
        self.update_status()

    def suite_progress(self) -> str:
        """`task 3/10 · scored 12/30 · 18 left` for the status bar."""
        tasks = self.settings.tasks
        total = len(tasks) * len(self.settings.models)
        scored = 0
        for task in tasks:
            views = self._task_views(task.id)
            if views:
                view = views[-1]
                # a cancelled run is not a result: it counts once re-run and scored
                scored += sum(
                    1
                    for i, p in enumerate(view.panes)
                    if p.score.is_scored and not view.cancelled(i)
                )
        current = tasks[self.task_index].id
        progress = progress_line(scored, total, self.pace)
        hint = self.suite_hints.get(tasks[self.task_index].type)
        tail = f" · {hint}" if hint else ""
        return f"task {self.task_index + 1}/{len(tasks)} {current} · {progress}{tail}"

    # -- history, export, status ------------------------------------------------------

    def open_history(self) -> None:
        """The duels of this session (and of the CSV at start), newest first."""
        entries = [
            HistoryEntry(
                str(i),
                (v.prompt.strip().splitlines() or [v.task_id])[0][:80],
                "  ".join(
                    f"{p.label if p.hidden else p.spec}: {p.score.describe()}" for p in v.panes
                ),
            )
            for i, v in enumerate(self.views)
        ]

        async def opened(key: str | None) -> None:
            if key is not None:
                await self.show_view(self.views[int(key)])

        self.push_screen(HistoryScreen(entries), opened)

    def open_report(self) -> None:
        """The routing report over the results CSV (scored rows only)."""
        from modelduel.core.routing import choose_routes, compute_stats
        from modelduel.core.routing_rows import load_route_rows
        from modelduel.display import simulated_note
        from modelduel.errors import CsvError
        from modelduel.report import NO_SCORED_RUNS, render_report

        path = self.settings.csv_path
        if not path.exists():
            self.notify("no results yet: score some runs first", severity="warning")
            return
        try:
            # bad rows are left out quietly: stderr would draw over the screen
            loaded = load_route_rows(
                [path], skip_bad_rows=True, check_timestamp=False, warn=lambda _: None
            )
        except (CsvError, OSError) as exc:
            self.notify(f"cannot read {path}: {exc}", severity="error")
            return
        stats = compute_stats(loaded.rows, 4)
        if not stats:
            self.notify(NO_SCORED_RUNS, severity="warning")
            return
        routes = choose_routes(stats, "quality-per-cost")
        report = render_report(
            stats,
            routes,
            objective="quality-per-cost",
            success_score=4,
            simulated=simulated_note(loaded.rows),
            rows=loaded.rows,
        )
        self.push_screen(ReportScreen(report, f"Routing report: {path}"))

    def export_session(self) -> None:
        """Write this session's runs to a CSV file of their own, beside the results CSV."""
        from modelduel.errors import ModelduelError
        from modelduel.storage import read_rows, read_transcripts
        from modelduel.storage.export import export_rows

        # every run of the session, re-run ones included, and the recorded duels shown
        run_ids = set(self._runs)
        run_ids.update(r.get("run_id") or "" for v in self.views for r in v.rows)
        rows = [r for r in read_rows(self.settings.csv_path) if r.get("run_id") in run_ids]
        stamp = time.strftime("%Y%m%d-%H%M%S")
        target = self.settings.csv_path.with_name(f"modelduel-session-{stamp}.csv")
        try:
            export_rows(rows, read_transcripts(self.settings.csv_path), target, "csv", False)
        except ModelduelError as exc:  # the file cannot be written (names it and why)
            self.notify(f"export failed: {exc}", severity="error")
            return
        self.notify(f"exported {plural(len(rows))} to {target}")

    def update_status(self) -> None:
        """The status bar: where results go, what was saved last, blind mode."""
        try:
            status = self.screen.query_one("#status", Static)
        except NoMatches:  # a screen without a status bar (help, report) is on top
            return
        suite = f"{self.suite_progress()}  ·  " if self.settings.tasks else ""
        if not suite and self.settings.recorded and self.view in self.views:
            index = self.views.index(self.view) + 1
            scorable = [
                (v, i) for v in self.views for i in range(len(v.panes)) if not v.cancelled(i)
            ]
            scored = sum(v.panes[i].score.is_scored for v, i in scorable)
            total = len(scorable)
            progress = progress_line(scored, total, self.pace)
            suite = f"duel {index}/{len(self.views)} · {progress}  ·  "
        line = Text(suite)
        view = self.view
        if self.ranking is not None and view is not None:
            letters = [pane_label(i) for i in range(len(view.panes))]
            names = [
                letter if p.label == letter else f"{letter}={p.label}"
                for letter, p in zip(letters, view.panes, strict=True)
            ]
            given = " > ".join(letters[i] for i in self.ranking) or "-"
            line.append(
                f"RANK best first: press {' '.join(names)} · backspace takes one back · "
                f"esc ends · order {given}  ·  ",
                "bold",
            )
        elif (self.settings.tasks or self.settings.recorded) and self.duel_scored():
            line.append("duel scored: ] next  ·  ", "bold")
        line.append(f"CSV {self.settings.csv_path}  ·  ")
        pending = len(self.ledger.pending)
        if pending:
            line.append(
                f"{plural(pending, 'run')} NOT saved ({self.ledger.last_error}); s retries",
                "bold red",
            )
        else:
            line.append(self._last_save)
        if self.blind:
            line.append("  BLIND", "bold")
        status.update(line)
        with contextlib.suppress(Exception):  # what ctrl+j does now, beside the prompt
            self.screen.query_one("#prompt-mode", Static).update(self.turns.mode_line())

    def _check_keymap(self) -> None:
        """Name a clash or an unknown id of the user's `[keymap]` (Textual ignores both)."""
        problems = duel_keymap_problems(self.settings.config.keymap, self.BINDINGS)
        if problems:
            self.notify("\n".join(problems), title="Keymap", severity="warning", timeout=20)

    def key_rows(self) -> list[tuple[str, str, str]]:
        """(key, description, id) of every binding, as currently mapped."""
        rows: list[tuple[str, str, str]] = []
        bindings = [
            *DuelScreen.BINDINGS,
            *PromptEditor.BINDINGS,
            *SystemPromptInput.BINDINGS,
            *self.BINDINGS,
        ]
        keymap = dict(self.settings.config.keymap)
        for binding in bindings:
            if not isinstance(binding, Binding):
                continue
            keys = keymap.get(binding.id or "", binding.key)
            shown = ", ".join(self.get_key_display(Binding(k.strip(), "")) for k in keys.split(","))
            what = binding.description or binding.action
            if binding.action.startswith("score("):
                what = f"score {binding.action[6:-1]}"
            rows.append((shown, what, binding.id or ""))
        return rows


def _parts_source(model: PaneModel, before: Score, source: str | Mapping[str, str]) -> str | None:
    """Update who gave each rubric part; the `parts_source` cell (`format=check ...`)."""
    after = model.score
    for part in RUBRIC_MAX:
        value = getattr(after, part)
        if value is None:
            model.sources.pop(part, None)
        elif value != getattr(before, part) or part not in model.sources:
            model.sources[part] = source if isinstance(source, str) else source.get(part, "person")
    cell = " ".join(f"{p}={model.sources[p]}" for p in RUBRIC_MAX if p in model.sources)
    return cell or None


def _warm_prices() -> None:
    from modelduel.core.pricing import warm_up

    warm_up()


def _tame_gc() -> None:
    """Keep the garbage collector from stalling the screen mid-stream.

    Full collections walk every object of a large widget tree and of every streamed
    answer's drawn lines: with the default collector a run's worst loop lag is 0.5-0.7 s,
    and with the first tuning here (freeze, then thresholds 20000/50/100) 0.2-0.6 s
    about every 15k tokens per pane. So objects alive once the screen is up are frozen
    out of collection, young collections run as usual (cheap: they walk only young
    objects), a full collection never starts by itself, and one runs when the app has
    been idle for a couple of seconds (no middle collection since the last check, i.e.
    hardly any allocation), where a pause is not seen. Cyclic garbage that reached the
    old generation waits for that idle moment; nothing is leaked for longer.
    `python bench/bench_gc.py` measures the policies against each other.
    """
    import asyncio
    import gc

    idle_check_s = 2.0
    gc.collect()
    gc.freeze()
    gc.set_threshold(700, 10, 1_000_000_000)
    loop = asyncio.get_running_loop()
    middle_collections = gc.get_stats()[1]["collections"]
    old_garbage_pending = False

    def collect_when_idle() -> None:
        nonlocal middle_collections, old_garbage_pending
        now = gc.get_stats()[1]["collections"]
        if now != middle_collections:
            old_garbage_pending = True  # busy: objects were promoted since the last check
        elif old_garbage_pending:
            gc.collect()
            old_garbage_pending = False
            now = gc.get_stats()[1]["collections"]
        middle_collections = now
        loop.call_later(idle_check_s, collect_when_idle)

    loop.call_later(idle_check_s, collect_when_idle)
