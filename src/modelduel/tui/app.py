"""The duel screen: prompt once, watch the models race, score each pane by keystroke.

Streams run in the child-process worker (`core.worker`), which stamps every event
where its bytes arrive; this app only reads the meters on a 10 Hz tick, so no
amount of rendering can make a model look slower. Every run becomes a CSV row
when it ends, and every score change updates that row at once.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding, BindingType
from textual.containers import Grid, Horizontal, Vertical
from textual.markup import escape
from textual.notifications import SeverityLevel
from textual.screen import Screen
from textual.widgets import Button, Footer, Input, Static

from modelduel.core.events import Stamped
from modelduel.core.scoring import Score
from modelduel.core.session import DuelState, RunSlot
from modelduel.display import sanitize_terminal
from modelduel.tui.duelview import DuelView, blind_order
from modelduel.tui.pane import ResponsePane
from modelduel.tui.prompt import PromptEditor
from modelduel.tui.screens import HelpScreen, HistoryEntry, HistoryScreen, NoteScreen

if TYPE_CHECKING:
    from textual.theme import Theme

    from modelduel.config import Config, ResolvedModel
    from modelduel.tasks import Task

__all__ = ["AppSettings", "ModelduelApp", "Runner"]

REFRESH_S = 0.1
PANE_MIN_WIDTH = 26
PANE_MIN_HEIGHT = 12


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


class DuelScreen(Screen[None]):
    """The main screen; its bindings act on the focused pane."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("0", "score(0)", "score 0", show=False, id="score.0"),
        Binding("1", "score(1)", "score 1", show=False, id="score.1"),
        Binding("2", "score(2)", "score 2", show=False, id="score.2"),
        Binding("3", "score(3)", "score 3", show=False, id="score.3"),
        Binding("4", "score(4)", "score 4", show=False, id="score.4"),
        Binding("5", "score(5)", "score 5", show=False, id="score.5"),
        Binding("q", "rubric('quality')", "Quality", id="score.quality"),
        Binding("c", "rubric('correctness')", "Correct", id="score.correctness"),
        Binding("f", "rubric('format')", "Format", id="score.format"),
        Binding("w", "rubric('rework')", "No rework", id="score.rework"),
        Binding("plus,equals_sign", "correction(1)", "+corr", show=False, id="score.correction_up"),
        Binding("minus", "correction(-1)", "-corr", show=False, id="score.correction_down"),
        Binding("n", "note", "Note", id="pane.note"),
        Binding("r", "rerun", "Re-run", id="pane.rerun"),
        Binding("x", "cancel", "Cancel", show=False, id="pane.cancel"),
        Binding("ctrl+x", "cancel_all", "Cancel all", show=False, id="duel.cancel_all"),
        Binding("m", "maximize_pane", "Maximise", show=False, id="pane.maximize"),
        Binding("y", "copy", "Copy", show=False, id="pane.copy"),
        Binding("t", "raw", "Raw text", show=False, id="pane.raw"),
        Binding("h", "reasoning", "Reasoning", show=False, id="pane.reasoning"),
        Binding("left", "pane(-1)", "Prev pane", show=False, id="pane.prev"),
        Binding("right", "pane(1)", "Next pane", show=False, id="pane.next"),
        Binding("b", "blind", "Blind", id="duel.blind"),
        Binding("ctrl+o", "history", "History", id="duel.history"),
        Binding("i", "focus_prompt", "Prompt", show=False, id="duel.prompt"),
        Binding("right_square_bracket", "task(1)", "Next", id="suite.next"),
        Binding("left_square_bracket", "task(-1)", "Prev", id="suite.prev"),
        Binding("escape", "to_panes", "To panes", show=False, id="duel.to_panes"),
        Binding("ctrl+r", "report", "Routes", id="duel.report"),
        Binding("question_mark", "help", "Keys", id="app.help"),
    ]

    DEFAULT_CSS = """
    DuelScreen { layout: vertical; }
    #banner { height: auto; background: $warning 30%; padding: 0 1; }
    #panes { height: 1fr; grid-gutter: 0 1; }
    #welcome { padding: 1 2; color: $text-muted; }
    #prompt-row { height: 5; }
    #prompt-row PromptEditor { width: 1fr; height: 100%; }
    #prompt-side { width: 22; height: 100%; }
    #prompt-side Button { width: 100%; }
    #system { height: 1; border: none; padding: 0 1; background: $boost; }
    #status { height: 1; background: $panel; color: $text-muted; padding: 0 1; }
    """

    def compose(self) -> ComposeResult:
        """Banner, panes, prompt and system prompt, status bar, footer."""
        app = self.modelduel
        if app.settings.banner:
            yield Static(app.settings.banner, id="banner")
        with Grid(id="panes"):
            lineup = escape(", ".join(m.spec for m in app.settings.models))
            yield Static(
                f"[b]Ready.[/b] Type a prompt below and press [b]ctrl+j[/b]: it goes to "
                f"{lineup} at once.\n\nThen [b]escape[/b] to the panes and score each answer: "
                "[b]0-5[/b], or the rubric [b]q c f w[/b]. [b]?[/b] lists every key. "
                f"Results go to {escape(str(app.settings.csv_path))}.",
                id="welcome",
            )
        with Horizontal(id="prompt-row"):
            yield PromptEditor(id="prompt")
            with Vertical(id="prompt-side"):
                yield Button("Send  ctrl+j", id="send", variant="primary")
                yield Static("esc: panes  ?: keys", classes="hint")
        yield Input(
            app.settings.config.system_prompt,
            placeholder="system prompt (optional)",
            id="system",
        )
        yield Static(id="status")
        yield Footer()

    @property
    def modelduel(self) -> ModelduelApp:
        """The app, typed."""
        app = self.app
        assert isinstance(app, ModelduelApp)
        return app

    def on_mount(self) -> None:
        """Start on the prompt, or on the first recorded duel."""
        self.query_one(PromptEditor).focus()
        self.set_interval(REFRESH_S, self.modelduel.refresh_panes)

    def on_resize(self) -> None:
        """Re-flow the panes: side by side while they fit, else in rows."""
        self.modelduel.layout_panes()

    @on(Button.Pressed, "#send")
    def _send_button(self) -> None:
        self.query_one(PromptEditor).action_submit()

    @on(PromptEditor.Submitted)
    async def _submitted(self, event: PromptEditor.Submitted) -> None:
        await self.modelduel.start_duel(event.text, self.query_one("#system", Input).value)

    @on(PromptEditor.Left)
    def _left(self) -> None:
        panes = list(self.query(ResponsePane))
        if panes:
            panes[0].focus()

    def focused_pane(self) -> ResponsePane | None:
        """The pane that has focus (or holds the focused widget)."""
        node = self.focused
        while node is not None and not isinstance(node, ResponsePane):
            node = node.parent  # type: ignore[assignment]
        return node

    def action_score(self, n: int) -> None:
        """Set the score directly."""
        self.modelduel.change_score(self.focused_pane(), lambda s: s.set_direct(n))

    def action_rubric(self, part: str) -> None:
        """Cycle or toggle one rubric part."""
        changes: dict[str, Callable[[Score], Score]] = {
            "quality": Score.cycle_quality,
            "correctness": Score.toggle_correctness,
            "format": Score.toggle_format,
            "rework": Score.toggle_rework,
        }
        self.modelduel.change_score(self.focused_pane(), changes[part])

    def action_correction(self, delta: int) -> None:
        """Count a manual correction up or down."""
        self.modelduel.change_score(self.focused_pane(), lambda s: s.add_correction(delta))

    def action_note(self) -> None:
        """Edit the focused pane's note."""
        pane = self.focused_pane()
        if pane is None:
            return

        def done(note: str | None) -> None:
            if note is not None:
                self.modelduel.change_score(pane, lambda s: s.with_note(note))

        self.app.push_screen(NoteScreen(pane.model.label, pane.model.score.note), done)

    async def action_rerun(self) -> None:
        """Run the focused pane's model again."""
        pane = self.focused_pane()
        if pane is not None:
            await self.modelduel.rerun(pane.index)

    async def action_cancel(self) -> None:
        """Cancel the focused pane's run."""
        pane = self.focused_pane()
        if pane is not None:
            await self.modelduel.cancel(pane.index)

    async def action_cancel_all(self) -> None:
        """Cancel every run of the duel."""
        await self.modelduel.cancel_all()

    def action_maximize_pane(self) -> None:
        """Maximise the focused pane, or restore it."""
        pane = self.focused_pane()
        if self.maximized is not None:
            self.minimize()
        elif pane is not None:
            self.maximize(pane, container=False)

    def action_copy(self) -> None:
        """Copy the focused pane's answer to the clipboard."""
        pane = self.focused_pane()
        view = self.modelduel.view
        if pane is None or view is None:
            return
        self.app.copy_to_clipboard(view.stats(pane.index).text)
        self.notify(f"copied the answer of {pane.model.label}")

    def action_raw(self) -> None:
        """Toggle raw text."""
        pane = self.focused_pane()
        if pane is not None:
            pane.toggle_raw()

    def action_reasoning(self) -> None:
        """Collapse or expand the reasoning."""
        pane = self.focused_pane()
        if pane is not None:
            pane.toggle_reasoning()

    def action_pane(self, step: int) -> None:
        """Move focus to the previous or next pane."""
        panes = list(self.query(ResponsePane))
        if not panes:
            return
        current = self.focused_pane()
        index = panes.index(current) if current in panes else -1
        panes[(index + step) % len(panes)].focus()

    def action_blind(self) -> None:
        """Toggle blind mode for the next duel."""
        self.modelduel.blind = not self.modelduel.blind
        state = "on" if self.modelduel.blind else "off"
        self.notify(f"blind mode {state} (applies from the next prompt)")
        self.modelduel.update_status()

    def action_history(self) -> None:
        """Open the list of duels."""
        self.modelduel.open_history()

    async def action_task(self, step: int) -> None:
        """Next or previous task of the suite."""
        app = self.modelduel
        if app.settings.tasks:
            await app.goto_task(app.task_index + step)
            return
        if app.view is None or app.view not in app.views:
            return
        index = app.views.index(app.view) + step
        if 0 <= index < len(app.views):
            await app.show_view(app.views[index])
            app.update_status()
        else:
            self.notify("no more duels that way", severity="warning")

    def action_report(self) -> None:
        """The routing recommendation from the results CSV."""
        self.modelduel.open_report()

    def action_to_panes(self) -> None:
        """Escape from the system prompt (or anywhere) to the first pane."""
        panes = list(self.query(ResponsePane))
        if panes:
            panes[0].focus()

    def action_focus_prompt(self) -> None:
        """Back to the prompt editor."""
        self.query_one(PromptEditor).focus()

    def action_help(self) -> None:
        """Show every key."""
        self.app.push_screen(HelpScreen(self.modelduel.key_rows()))


class ModelduelApp(App[None]):
    """The modelduel TUI."""

    TITLE = "modelduel"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+q", "quit", "Quit", id="app.quit", priority=True),
    ]

    def __init__(self, settings: AppSettings, runner_factory: Callable[[ModelduelApp], Runner]):
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
        self._rng = random.Random()
        self.task_index = 0
        self.clock: Callable[[], int] = time.monotonic_ns
        """Reads "now" for the elapsed time of live panes (tests use a fixed clock)."""

    # -- set-up -----------------------------------------------------------------------

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
        self.runner = self._runner_factory(self)
        # The runner process starts while the user types: waiting for it here would
        # hold the first paint back by the child's start-up (about half a second).
        self._runner_ready = asyncio.ensure_future(self.runner.open())
        await self.push_screen(DuelScreen())
        # the price table loads once the first screen is up, so it neither delays the
        # first paint nor stalls the loop when the first usage arrives mid-stream
        self.call_after_refresh(_warm_prices)
        self.call_after_refresh(_tame_gc)
        self.views.extend(self.settings.history)
        self.views.extend(self.settings.recorded)
        if self.settings.tasks:
            await self.goto_task(self._resume_index())
        elif self.settings.recorded:
            first = next((v for v in self.views if not v.fully_scored), self.views[0])
            await self.show_view(first)
            self.screen.action_to_panes()  # type: ignore[attr-defined]  # scoring first
            self.notify(f"{len(self.views)} recorded duels: ctrl+o lists them")
        self.update_status()

    def watch_theme(self, theme: str) -> None:
        """Remember the theme the user picked."""
        if self.settings.save_theme is not None and theme != self.settings.theme:
            self.settings.save_theme(theme)
            self.settings.theme = theme

    async def _wait_runner(self) -> None:
        if self._runner_ready is not None:
            await self._runner_ready

    async def on_unmount(self) -> None:
        """Stop the runner process: no run outlives the app."""
        if self._runner_ready is not None and not self._runner_ready.done():
            self._runner_ready.cancel()
        if self.runner is not None:
            await self.runner.aclose()

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

    async def start_duel(self, prompt: str, system: str, task: Task | None = None) -> None:
        """Send a prompt (or a suite task) to every model at once."""
        models = list(self.settings.models)
        blind = self.blind
        if blind:
            models = [models[i] for i in blind_order(len(models), self._rng)]
        if task is not None:
            duel = DuelState.create(
                models, prompt, system or None, task_id=task.id, task_type=task.type
            )
        else:
            duel = DuelState.create(models, prompt, system or None)
        view = DuelView.from_live(duel, blind)
        self.views.append(view)
        for slot in duel.slots:
            self._runs[slot.run_id] = (view, slot)
        await self.show_view(view)
        assert self.runner is not None
        await self._wait_runner()
        await self.runner.start(list(duel.plans()))
        self.update_status()

    async def show_view(self, view: DuelView) -> None:
        """Put a duel's panes on screen; a recorded duel shows its prompt in the editor."""
        self.view = view
        typing = isinstance(self.focused, PromptEditor)
        grid = self.screen.query_one("#panes", Grid)
        await grid.remove_children()
        panes = [ResponsePane(model, i) for i, model in enumerate(view.panes)]
        await grid.mount_all(panes)
        self.layout_panes()
        if view.live is None:
            # what was asked, to score against (sending it again runs a fresh duel)
            self.screen.query_one(PromptEditor).load_text(view.prompt)
        if not typing and panes:
            # never leave focus wherever removing the old panes put it (the system
            # prompt field, where a score key would overwrite the text)
            panes[0].focus()
        await self.refresh_panes()

    def layout_panes(self) -> None:
        """Side by side while each pane gets PANE_MIN_WIDTH columns, else in rows."""
        try:
            grid = self.screen.query_one("#panes", Grid)
        except Exception:  # the duel screen is not up yet (or a modal is on top)
            return
        n = max(1, len(self.view.panes) if self.view else 1)
        columns = max(1, min(n, self.size.width // PANE_MIN_WIDTH))
        rows = -(-n // columns)
        grid.styles.grid_size_columns = columns
        grid.styles.grid_size_rows = rows
        # Rows too short to read scroll instead of squeezing every pane to nothing.
        cramped = rows > 1 and grid.size.height // rows < PANE_MIN_HEIGHT
        grid.styles.grid_rows = f"{PANE_MIN_HEIGHT + 2}" if cramped else "1fr"
        grid.styles.overflow_y = "auto" if cramped else "hidden"

    async def refresh_panes(self) -> None:
        """The 10 Hz tick: every pane reads its figures from the meter."""
        view = self.view
        if view is None or not isinstance(self.screen, DuelScreen):
            return
        now = self.clock()
        done = view.all_ended
        for pane in self.screen.query(ResponsePane):
            await pane.show(view.stats(pane.index, now), done)

    def sink(self, run_id: str, stamped: Stamped) -> None:
        """Stamped events from the runner go to their run's meter (never re-stamped)."""
        entry = self._runs.get(run_id)
        if entry is not None:
            entry[1].meter.observe(stamped)

    def run_ended(self, run_id: str) -> None:
        """A run ended: its row goes into the CSV now, with any score already given."""
        entry = self._runs.get(run_id)
        if entry is None:
            return
        view, slot = entry
        slot.ended = True
        if view.live is None:
            return
        pane = view.panes[slot.pane]
        current = view.slot(slot.pane) is slot
        from modelduel.core.records import csv_row, transcript_record
        from modelduel.storage import append_run

        row = csv_row(view.live, slot, blind=pane.blind)
        if current and (pane.score.is_scored or pane.score.manual_corrections or pane.score.note):
            row.update(pane.score.csv_changes())
        try:
            append_run(self.settings.csv_path, row, transcript_record(view.live, slot))
        except Exception as exc:  # a full disk or a locked file: say so, keep the app up
            self.notify(f"could not save run: {exc}", severity="error", timeout=10)
            return
        if current:
            pane.saved = True
        # blind: naming the pane that finished first would give its speed away
        self._last_save = "saved a run" if pane.hidden else f"saved {slot.model.spec} run"
        self.update_status()

    def change_score(self, pane: ResponsePane | None, change: Callable[[Score], Score]) -> None:
        """Apply a score change to a pane and write it to its CSV row at once."""
        view = self.view
        if pane is None or view is None:
            self.notify("focus a pane first (escape leaves the prompt)", severity="warning")
            return
        model = pane.model
        try:
            model.score = change(model.score)
        except ValueError as exc:
            self.notify(str(exc), severity="warning")
            return
        if model.saved:
            from modelduel.storage import update_run

            changes = model.score.csv_changes()
            if model.blind:
                changes["blind"] = True  # scored without knowing which model it was
            try:
                update_run(self.settings.csv_path, view.run_id(pane.index), changes)
            except Exception as exc:
                self.notify(f"score NOT saved: {exc}", severity="error", timeout=10)
                return
            extra = ""
            if model.score.manual_corrections:
                extra += f", {model.score.manual_corrections} corrections"
            if model.score.note:
                extra += ", note"
            self._last_save = f"saved {model.score.describe()}{extra} for {model.label}"
        else:
            self._last_save = f"score {model.score.describe()} kept; saved when {model.label} ends"
        if view.reveal_if_scored():
            self.notify("every pane scored: names revealed")
        self.update_status()

    async def rerun(self, index: int) -> None:
        """Re-run one pane's model; its old run stays in the CSV as it was."""
        view = self.view
        if view is None or view.live is None:
            self.notify(
                "recorded duels cannot be re-run; send the prompt again", severity="warning"
            )
            return
        old = view.live.slots[index]
        assert self.runner is not None
        if not old.ended:
            await self.runner.cancel(old.run_id)
        fresh = view.live.restart(old)
        self._runs[fresh.run_id] = (view, fresh)
        pane_model = view.panes[index]
        pane_model.score = Score()
        pane_model.saved = False
        pane_model.revealed = False
        for pane in self.screen.query(ResponsePane):
            if pane.index == index:
                pane.reset()
        await self._wait_runner()
        await self.runner.start([view.live.plan(fresh)])

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

            await self.start_duel(render_prompt(task), task.system or "", task)
        self.update_status()

    def suite_progress(self) -> str:
        """`task 3/10 · scored 12/30` for the status bar."""
        tasks = self.settings.tasks
        total = len(tasks) * len(self.settings.models)
        scored = 0
        for task in tasks:
            views = self._task_views(task.id)
            if views:
                scored += sum(1 for p in views[-1].panes if p.score.is_scored)
        current = tasks[self.task_index].id
        return f"task {self.task_index + 1}/{len(tasks)} {current} · scored {scored}/{total}"

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
        from modelduel.tui.screens import ReportScreen

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
        self.notify(f"exported {len(rows)} runs to {target}")

    def update_status(self) -> None:
        """The status bar: where results go, what was saved last, blind mode."""
        try:
            status = self.screen.query_one("#status", Static)
        except Exception:
            return
        suite = f"{self.suite_progress()}  ·  " if self.settings.tasks else ""
        if not suite and self.settings.recorded and self.view in self.views:
            index = self.views.index(self.view) + 1
            scored = sum(p.score.is_scored for v in self.views for p in v.panes)
            total = sum(len(v.panes) for v in self.views)
            suite = f"duel {index}/{len(self.views)} · scored {scored}/{total}  ·  "
        line = Text(f"{suite}CSV {self.settings.csv_path}  ·  {self._last_save}")
        if self.blind:
            line.append("  BLIND", "bold")
        status.update(line)

    def key_rows(self) -> list[tuple[str, str, str]]:
        """(key, description, id) of every binding, as currently mapped."""
        rows: list[tuple[str, str, str]] = []
        bindings = [*DuelScreen.BINDINGS, *PromptEditor.BINDINGS, *self.BINDINGS]
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


def _warm_prices() -> None:
    from modelduel.core.pricing import warm_up

    warm_up()


def _tame_gc() -> None:
    """Keep the garbage collector from stalling the screen mid-stream.

    Measured with three panes at 200 tokens/s: the loop's p99 lag is 120-180 ms with
    the default collector and 47 ms with it off, because full collections walk every
    object of a large widget tree. Objects alive once the screen is up are frozen out
    of collection, and young collections run less often; nothing is leaked (cycles are
    still collected, just in bigger, rarer batches).
    """
    import gc

    gc.collect()
    gc.freeze()
    gc.set_threshold(20_000, 50, 100)
