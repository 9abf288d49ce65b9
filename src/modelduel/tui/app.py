"""The modelduel app: prompt once, watch the models race, score each pane by keystroke.

Streams run in the child-process worker (`core.worker`), which stamps every event
where its bytes arrive; this app only reads the meters on a 10 Hz tick, so no
amount of rendering can make a model look slower. Every run becomes a CSV row
when it ends, and every score change updates that row at once.

The app is thin: it holds the session's state and hands each job to the module
named for it. The rules of saving (what is written, what may be said about it,
quitting with something unsaved) are `core.session_saves`; progress, resume and the
next pane to score `core.suite_progress`; rank mode `core.rank_entry` (all three
Textual-free). The Textual side: `tui.keyorder` (keys in arrival order, rank keys),
`tui.duelrun` (start, re-run, cancel, a run's end), `tui.scoring` (score keys),
`tui.panegrid` (panes on screen), `tui.suite` (task navigation), `tui.quitting`,
`tui.openers` (history, report, export, help's key list), `tui.statusline`,
`tui.appearance` (themes and keymap at mount);
`tui.appsettings` holds what the app is given (`AppSettings`, `Runner`).
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, ClassVar

from textual import events
from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.driver import Driver
from textual.notifications import Notify, SeverityLevel
from textual.screen import Screen

from modelduel.core.routing import plural
from modelduel.core.scoring import Score
from modelduel.core.scoring_pace import ScoringPace
from modelduel.core.session import RunSlot
from modelduel.core.session_controller import SaveLedger
from modelduel.core.session_saves import SessionSaves
from modelduel.core.suite_progress import duel_scored, resume_index
from modelduel.display import sanitize_terminal
from modelduel.events import Stamped
from modelduel.tui import duelrun, openers, panegrid, quitting, scoring, statusline, suite
from modelduel.tui.appearance import apply_keymap, apply_themes
from modelduel.tui.appsettings import AppSettings, Runner
from modelduel.tui.duelscreen import MIN_HEIGHT, MIN_WIDTH, DuelScreen
from modelduel.tui.duelview import DuelView
from modelduel.tui.framepacer import FramePacer
from modelduel.tui.gcpolicy import tame_gc, warm_prices
from modelduel.tui.keyorder import KeyOrder, install_escape_split
from modelduel.tui.pane import ResponsePane
from modelduel.tui.themes import APP_VARIABLE_DEFAULTS
from modelduel.tui.turns import DuelTurns

if TYPE_CHECKING:
    from modelduel.core.checks import CheckRunner
    from modelduel.tasks import Task
    from modelduel.tui.judging import ScreenJudge

__all__ = ["MIN_HEIGHT", "MIN_WIDTH", "AppSettings", "ModelduelApp", "Runner"]


class ModelduelApp(App[None]):
    """The modelduel TUI."""

    TITLE = "modelduel"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+q", "quit", "Quit", id="app.quit", priority=True),
        # as in a shell or vim: the terminal is given back (`fg` redraws the app); above
        # the prompt's undo, or the app could not be suspended from where it starts
        Binding(
            "ctrl+z", "suspend_process", "Suspend", show=False, id="app.suspend", priority=True
        ),
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
        # The chosen theme is set before the app's stylesheet is first read: set at mount
        # (`apply_themes`, which still says what is wrong with it) it made Textual read and
        # apply every rule twice before the first frame (`refresh_css`).
        for theme in settings.themes:
            self.register_theme(theme)
        if settings.theme in self.available_themes:
            self.theme = settings.theme
        self.blind = settings.blind
        self.views: list[DuelView] = []
        self.view: DuelView | None = None
        self.runs: dict[str, tuple[DuelView, RunSlot]] = {}
        """Every run of the session by id: its duel on screen and its slot."""
        self._runner_factory = runner_factory
        self.runner: Runner | None = None
        self._runner_ready: asyncio.Future[None] | None = None
        # panes are drawn as their bytes arrive, coalesced and fairly shared
        self.pacer = FramePacer(
            lambda index: panegrid.refresh_pane(self, index),
            lambda: range(len(self.view.panes)) if self.view else (),
        )
        self.ledger = SaveLedger(settings.csv_path)
        """Every row and score of the session, and what of it is not on disk yet."""
        self.saves = SessionSaves(self.ledger)
        """The rules of what is written and what the screen may say is saved."""
        self.rng = rng or random.Random()
        self.task_index = 0
        self.tab_index = 0
        """The pane shown when the panes are tabs (a narrow or short terminal)."""
        self.clock: Callable[[], int] = time.monotonic_ns
        """Reads "now" for the elapsed time of live panes (tests use a fixed clock)."""
        self.check_runner: CheckRunner | None = None
        self.judging: ScreenJudge | None = None
        """The blind judge (`[judge]` on): a second opinion beside the person's score."""
        self.suite_hints: dict[str, str] = {}
        """Suite: task type -> "not separated — ~N runs per model would separate them (...)"."""
        self.hint_jobs: set[asyncio.Future[None]] = set()
        self.check_tasks: set[asyncio.Task[None]] = set()
        self.pace = ScoringPace()
        """Seconds per scored pane, measured in this session (the status bar's estimate)."""
        self.keys = KeyOrder(self)
        """The duel screen's keys in arrival order, and rank mode."""
        self.recovery_note = ""
        """Where scores the results CSV refused at exit went, and scores dropped because
        the quit cancelled their runs (printed once the screen is gone, a line each)."""
        self.quit_pressed_at = float("-inf")
        """When the quit key was first pressed while models answered (`tui.quitting`)."""
        self.turns = DuelTurns(self)
        """Follow-ups, last-turn re-runs and attachments."""

    @property
    def ranking(self) -> list[int] | None:
        """While `o` ranks the panes: the order given so far (pane indices, best first)."""
        entry = self.keys.ranking
        return None if entry is None else entry.order

    # -- set-up and tear-down ---------------------------------------------------------

    async def on_event(self, event: events.Event) -> None:
        """Keys of every screen are handled here, one after the other (`tui.keyorder`)."""
        if (
            isinstance(event, events.Key)
            and not event.is_forwarded
            and await self.keys.handle(event)
        ):
            return
        await super().on_event(event)

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

    def _on_notify(self, event: Notify) -> None:
        """Keep only the latest of identical notices: three runs failing to save for the
        same reason stacked three same toasts over the quit dialog. (Textual's own handler
        runs next and adds the new one.)"""
        new = event.notification
        for old in list(self._notifications):
            same = (old.message, old.title, old.severity) == (new.message, new.title, new.severity)
            if same:
                self._unnotify(old, refresh=False)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """No action but quitting while the duel screen only says the terminal is too small."""
        return action in ("quit", "app.quit") or not self.screen.has_class("-too-small")

    async def action_quit(self) -> None:
        """Quit, unless something acknowledged is not on disk: then ask what to do with it."""
        await quitting.quit_app(self)

    def action_help_quit(self) -> None:
        """ctrl+c: say how to quit, as plain text (notices here are never markup)."""
        quitting.say_how_to_quit(self)

    def get_driver_class(self) -> type[Driver]:
        """Textual's driver; a terminal's reads escape then a key as two keys (`tui.keyorder`)."""
        install_escape_split()
        return super().get_driver_class()

    def _redraw_all(self, _app: object = None) -> None:
        """Back from ctrl+z (`fg`): the shell drew over the terminal, so every cell is
        drawn again, not only the ones that changed meanwhile."""
        self.screen.refresh(layout=True)
        for widget in self.screen.walk_children():
            widget.refresh()

    def get_theme_variable_defaults(self) -> dict[str, str]:
        """App colours (provider accents, latency, winner) for themes that lack them."""
        return dict(APP_VARIABLE_DEFAULTS)

    async def on_mount(self) -> None:
        """Themes, keymap, the runner process, then the duel screen."""
        apply_themes(self)
        apply_keymap(self)
        self.app_resume_signal.subscribe(self, self._redraw_all)
        self.runner = self._runner_factory(self)
        runner = self.runner

        def open_runner() -> None:
            if self._runner_ready is None:
                self._runner_ready = asyncio.ensure_future(runner.open())

        # The runner process starts after the first frame is painted, while the user types:
        # its start-up (an interpreter importing the engine, on the same cores) would hold
        # the first paint back. A prompt sent meanwhile waits for it (`wait_runner`; the
        # child runner's `start` opens it, sharing a start already under way).
        for job in self.settings.after_first_frame:  # the demo simulator's child
            self.call_after_refresh(job)
        self.call_after_refresh(open_runner)
        if self.settings.config.judge is not None:
            # the judge (and the checks it reads) load only when `[judge]` is on
            from modelduel.tui.judging import ScreenJudge  # noqa: PLC0415  ~140 ms off launch

            self.judging = ScreenJudge.create(self)
        await self.push_screen(DuelScreen())
        # the price table loads once the first screen is up, so it neither delays the
        # first paint nor stalls the loop when the first usage arrives mid-stream
        self.call_after_refresh(warm_prices, self.settings.models)
        self.call_after_refresh(tame_gc)
        self.views.extend(self.settings.history)
        self.views.extend(self.settings.recorded)
        for view in self.views:
            for row in view.rows:
                self.ledger.know(row.get("run_id") or "", row)
        if self.settings.tasks:
            # after the first frame, as the runner: a task that runs would start it now
            index = resume_index(self.settings.tasks, self.views)
            # (in a worker: it waits for the runner, which must not hold the app's messages)
            self.call_after_refresh(lambda: self.run_worker(self.goto_task(index)))
        elif self.settings.recorded:
            first = next((v for v in self.views if not v.fully_scored), self.views[0])
            await self.show_view(first)
            panegrid.focus_next_unscored(self, first, -1)  # scoring first, from the first pane left
            if not isinstance(self.focused, ResponsePane):
                self.screen.action_to_panes()  # type: ignore[attr-defined]
            self.notify(f"{plural(len(self.views), 'recorded duel')}: ctrl+o lists them")
        for note in self.settings.history_notes:  # why a recorded pane shows no text
            self.notify(note, severity="warning", timeout=15)
        self.update_status()

    def watch_theme(self, theme: str) -> None:
        """Remember the theme the user picked."""
        if self.settings.save_theme is not None and theme != self.settings.theme:
            self.settings.save_theme(theme)
            self.settings.theme = theme

    async def wait_runner(self) -> None:
        """Wait until the runner process is ready (it starts while the user types); a
        prompt sent before the first frame's callback opened it opens it here."""
        if self._runner_ready is None and self.runner is not None:
            self._runner_ready = asyncio.ensure_future(self.runner.open())
        if self._runner_ready is not None:
            await self._runner_ready

    async def on_unmount(self) -> None:
        """Stop the runner process: no run outlives the app."""
        if self._runner_ready is not None and not self._runner_ready.done():
            self._runner_ready.cancel()
        dropped_before = len(self.saves.dropped_scores)
        if self.runner is not None:
            await self.runner.aclose()  # running runs end cancelled: scores given drop
        quitting.say_dropped_scores(self, self.saves.dropped_scores[dropped_before:])
        for job in list(self.check_tasks):
            job.cancel()
        if self.judging is not None:
            self.judging.close()
        if self.check_runner is not None:
            self.check_runner.close()  # each check has a time limit
        quitting.save_recovery(self)

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

    # -- the session's jobs, each in the module named for it ----------------------------

    def shown_task(self) -> tuple[str | None, str]:
        """(task id, task type) of the task on screen; (None, "adhoc") for none."""
        return suite.shown_task(self)

    def task_of(self, view: DuelView) -> Task | None:
        """The suite task a duel ran, if it is one of this session's."""
        return suite.task_of(self, view)

    def task_budget(self, task_id: str | None) -> int | None:
        """A suite task's own output budget, as `modelduel run` sends it."""
        return suite.task_budget(self, task_id)

    async def goto_task(self, index: int) -> None:
        """Show a suite task: its recorded duel if there is one, else run it now."""
        await suite.goto_task(self, index)

    async def start_duel(
        self,
        prompt: str,
        system: str,
        *,
        task_id: str | None = None,
        task_type: str = "adhoc",
        task: Task | None = None,
    ) -> None:
        """Send a prompt (a suite task's, or typed) to every model at once."""
        await duelrun.start_duel(
            self, prompt, system, task_id=task_id, task_type=task_type, task=task
        )

    async def rerun(self, index: int) -> None:
        """Re-run one pane's model; its old run stays in the CSV as it was."""
        await duelrun.rerun(self, index)

    async def cancel(self, index: int) -> None:
        """Cancel one pane's run (its partial text is kept)."""
        await duelrun.cancel(self, index)

    async def cancel_all(self) -> None:
        """Cancel every run."""
        if self.runner is not None:
            await self.runner.cancel_all()

    def sink(self, run_id: str, stamped: Stamped) -> None:
        """Stamped events from the runner go to their run's meter (never re-stamped)."""
        duelrun.sink(self, run_id, stamped)

    def run_ended(self, run_id: str) -> None:
        """A run ended: its row goes into the CSV now, with any score already given."""
        duelrun.run_ended(self, run_id)

    async def show_view(self, view: DuelView) -> None:
        """Put a duel's panes on screen; a recorded duel shows its prompt in the editor."""
        await panegrid.show_view(self, view)

    def layout_panes(self) -> None:
        """Side by side while each pane has room, else in rows, else tabs."""
        panegrid.layout_panes(self)

    async def refresh_panes(self) -> None:
        """The 10 Hz tick: every pane reads its figures from the meter."""
        await panegrid.refresh_panes(self)

    def duel_scored(self) -> bool:
        """Every pane of the duel on screen that can be scored is."""
        return duel_scored(self.view)

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
        scoring.change_score(self, pane, change, source=source)

    def accept_suggestions(self, pane: ResponsePane | None) -> None:
        """Take the checks' (and the judge's) suggested rubric parts as the pane's."""
        scoring.accept_suggestions(self, pane)

    def sync_saved(self) -> None:
        """Every pane's saved / NOT saved mark, from what the ledger has on disk."""
        self.saves.sync(self.views)

    def retry_saves(self) -> None:
        """Retry every write that failed (key `s`; also before every write)."""
        scoring.retry_saves(self)

    def start_ranking(self) -> None:
        """Key `o`: the pane letters pressed next give the order, best first."""
        self.keys.start_ranking()

    def say(self, message: str) -> None:
        """A one-line message in the status bar (and as a notice)."""
        self.saves.last_save = message
        self.notify(message, severity="warning")
        self.update_status()

    def say_info(self, message: str) -> None:
        """A one-line message in the status bar that is not a problem."""
        self.saves.last_save = message
        self.notify(message)
        self.update_status()

    def update_status(self) -> None:
        """The status bar: where results go, what was saved last, blind mode."""
        statusline.update_status(self)

    def open_history(self) -> None:
        """The duels of this session (and of the CSV at start), newest first."""
        openers.open_history(self)

    def open_report(self) -> None:
        """The routing report over the results CSV (scored rows only)."""
        openers.open_report(self)

    def export_session(self) -> None:
        """Write this session's runs to a CSV file of their own, beside the results CSV."""
        openers.export_session(self)

    def key_rows(self) -> list[tuple[str, str, str]]:
        """(key, description, id) of every binding, as currently mapped."""
        return openers.key_rows(self)
