"""The duel screen: the panes, the prompt and system prompt, the task panel, the status.

Its bindings act on the focused pane and call into the app, which holds the session
(duels, runs, the save ledger); the screen only finds the pane and the keystroke.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, ClassVar, cast

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Grid, Horizontal, Vertical
from textual.markup import escape
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Button, Footer, Static

from modelduel.core.scoring import Score
from modelduel.tui.banded_compositor import BandedCompositor
from modelduel.tui.pane import ResponsePane
from modelduel.tui.prompt import PromptEditor, SystemPromptInput
from modelduel.tui.screens import AttachScreen, HelpScreen, NoteScreen
from modelduel.tui.taskpanel import TaskPanel
from modelduel.tui.tcss import read_tcss

if TYPE_CHECKING:
    from modelduel.tui.app import ModelduelApp

__all__ = [
    "COMPACT_HEIGHT",
    "MIN_HEIGHT",
    "MIN_WIDTH",
    "PANE_MIN_HEIGHT",
    "PANE_MIN_WIDTH",
    "REFRESH_S",
    "SHORT_HEIGHT",
    "DuelScreen",
]

REFRESH_S = 0.1
PANE_MIN_WIDTH = 26
PANE_MIN_HEIGHT = 9
"""A pane's border, header, three stats lines (the score among them) and 2 lines of text."""
MIN_WIDTH, MIN_HEIGHT = 60, 16
"""Below this the duel screen says the terminal is too small instead of drawing."""
COMPACT_HEIGHT = 30
"""Below this the prompt, banner and task panel shrink to leave the panes room."""
SHORT_HEIGHT = 22
"""Below this the panes lose their top and bottom borders and fold their stats to a line,
the task panel folds to two lines, the unfocused prompt to one (the `-short` class)."""


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
        Binding("a", "accept", "Accept checks", show=False, id="score.accept"),
        Binding("o", "rank", "Rank", show=False, id="score.rank"),
        Binding("n", "note", "Note", id="pane.note"),
        Binding("enter", "confirm", "Confirm rubric", show=False, id="score.confirm"),
        Binding("backspace,delete", "clear_score", "Clear score", show=False, id="score.clear"),
        Binding("s", "retry_save", "Retry saving", show=False, id="duel.retry_save"),
        Binding("r", "rerun", "Re-run", id="pane.rerun"),
        Binding("x", "cancel", "Cancel", show=False, id="pane.cancel"),
        Binding("ctrl+x", "cancel_all", "Cancel all", show=False, id="duel.cancel_all"),
        # above the fields' copy (of nothing, unless text is selected: then it copies)
        Binding(
            "ctrl+c", "interrupt", "Stop the race", show=False, id="duel.interrupt", priority=True
        ),
        Binding("m", "maximize_pane", "Maximise", show=False, id="pane.maximize"),
        Binding("y", "copy", "Copy", show=False, id="pane.copy"),
        Binding("t", "raw", "Raw text", show=False, id="pane.raw"),
        Binding("h", "reasoning", "Reasoning", show=False, id="pane.reasoning"),
        # reading a long answer to score it: the focused pane's text, from the keyboard
        Binding("up", "scroll_pane('up')", "Scroll up", show=False, id="pane.scroll_up"),
        Binding("down", "scroll_pane('down')", "Scroll down", show=False, id="pane.scroll_down"),
        Binding("pageup", "scroll_pane('page_up')", "Page up", show=False, id="pane.page_up"),
        Binding(
            "pagedown", "scroll_pane('page_down')", "Page down", show=False, id="pane.page_down"
        ),
        Binding("home", "scroll_pane('home')", "Top", show=False, id="pane.top"),
        Binding("end", "scroll_pane('end')", "End", show=False, id="pane.end"),
        Binding("left", "pane(-1)", "Prev pane", show=False, id="pane.prev"),
        Binding("right", "pane(1)", "Next pane", show=False, id="pane.next"),
        # Tab moves between panes (never into the prompt, where a score digit would
        # become text); from the prompt it goes to the system prompt field and back.
        Binding("tab", "cycle(1)", "Next pane / field", show=False, id="duel.next_focus"),
        Binding("shift+tab", "cycle(-1)", "Prev pane / field", show=False, id="duel.prev_focus"),
        Binding("b", "blind", "Blind", id="duel.blind"),
        Binding("ctrl+o", "history", "History", id="duel.history"),
        Binding("i", "focus_prompt", "Prompt", show=False, id="duel.prompt"),
        Binding("right_square_bracket", "task(1)", "Next", id="suite.next"),
        Binding("left_square_bracket", "task(-1)", "Prev", id="suite.prev"),
        Binding("escape", "to_panes", "To panes", show=False, id="duel.to_panes"),
        Binding("ctrl+r", "report", "Routes", id="duel.report"),
        Binding("ctrl+a", "attach", "Attach a file", show=False, id="duel.attach"),
        Binding("ctrl+n", "new_duel", "New duel / follow-up", show=False, id="duel.new"),
        Binding("p", "task_panel", "Task", show=False, id="duel.task_panel"),
        # f1 too: in the prompt `?` is a character like any other
        Binding("question_mark,f1", "help", "Keys", id="app.help"),
    ]

    DEFAULT_CSS = read_tcss("duel-screen.tcss")
    # not ClassVar: Textual types it `ClassVar[...] | None`, an instance variable to mypy
    VERTICAL_BREAKPOINTS = [  # noqa: RUF012
        (0, "-short"),
        (SHORT_HEIGHT, "-compact"),
        (COMPACT_HEIGHT, "-tall"),
    ]
    """The height classes the stylesheet folds the screen by (Textual sets them on resize)."""

    def __init__(self) -> None:
        super().__init__()
        # a repaint renders the changed lines only, not every widget under their box
        self._compositor = BandedCompositor()

    def compose(self) -> ComposeResult:
        """Banner, task panel, panes, prompt and system prompt, status bar, footer."""
        app = self.modelduel
        if app.settings.banner:
            yield Static(app.settings.banner, id="banner")
        yield TaskPanel(id="task-panel")
        with Vertical(id="pane-area"):
            # narrow or short terminals show one pane at a time: these are its tabs
            yield Static(id="pane-tabs")
            with Grid(id="panes"):
                lineup = escape(", ".join(m.spec for m in app.settings.models))
                yield Static(
                    f"[b]Ready.[/b] Type a prompt below and press [b]ctrl+j[/b]: it goes to "
                    f"{lineup} at once.\n\nThen [b]escape[/b] to the panes and score each "
                    "answer: [b]0-5[/b], or the rubric [b]q c f w[/b]. [b]?[/b] lists every "
                    f"key. Results go to {escape(str(app.settings.csv_path))}.",
                    id="welcome",
                )
        yield Static(f"terminal too small (needs {MIN_WIDTH}x{MIN_HEIGHT})", id="too-small")
        with Horizontal(id="prompt-row"):
            yield PromptEditor(id="prompt")
            with Vertical(id="prompt-side"):
                yield Button("Send  ctrl+j", id="send", variant="primary")
                yield Static("esc: panes  f1: keys", classes="hint")
                yield Static("→ new duel", id="prompt-mode", classes="hint")
                # short terminals, the prompt folded to a line: where the keys are
                yield Static("i: prompt  ?: keys", id="short-hint", classes="hint")
        yield SystemPromptInput(
            app.settings.config.system_prompt,
            placeholder="system prompt (optional; tab from the prompt, ctrl+j sends, esc leaves)",
            id="system",
        )
        yield Static(id="status")
        yield Footer()

    @property
    def modelduel(self) -> ModelduelApp:
        """The app, typed."""
        return cast("ModelduelApp", self.app)

    def on_mount(self) -> None:
        """Start on the prompt, or on the first recorded duel."""
        self.focus_now(self.query_one(PromptEditor))
        self.set_interval(REFRESH_S, self.modelduel.refresh_panes)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Nothing is drawn while the terminal is too small, so no key acts on it."""
        return not self.has_class("-too-small")

    _focus_before_small: Widget | None = None
    """What had focus when the terminal became too small (hidden, it lost it)."""

    def on_resize(self) -> None:
        """Re-flow the panes once the new size is laid out (see `layout_panes`); focus
        goes back to what had it before the terminal was too small."""
        was_small = self.has_class("-too-small")
        focused = self.focused
        self.modelduel.layout_panes()
        if self.has_class("-too-small") and not was_small:
            self._focus_before_small = focused
        self.call_after_refresh(self._after_resize)

    def on_screen_resume(self) -> None:
        """Back from a dialog: re-flow the panes, for a resize that came while it was on top
        (`layout_panes` leaves the grid alone while a modal is the active screen)."""
        self.call_after_refresh(self._after_resize)

    def _after_resize(self) -> None:
        self.modelduel.layout_panes()
        widget = self._focus_before_small
        if widget is None or self.has_class("-too-small"):
            return
        self._focus_before_small = None
        if self.focused is None:
            if widget.is_attached and widget.screen is self:
                self.focus_now(widget)
            else:
                self.action_to_panes()  # its duel is gone: the first pane, as escape does

    @on(Button.Pressed, "#send")
    def _send_button(self) -> None:
        self.query_one(PromptEditor).action_submit()

    @on(PromptEditor.Submitted)
    async def _submitted(self, event: PromptEditor.Submitted) -> None:
        app = self.modelduel
        if app.turns.follows_up():
            # the duel's answers have ended: every model continues its own conversation
            await app.turns.send_followup(event.text)
            return
        app.turns.new_duel_next = False
        # sent while a task is on screen, it is that task's run, never an ad-hoc one
        task_id, task_type = app.shown_task()
        await app.start_duel(
            event.text,
            self.query_one("#system", SystemPromptInput).value,
            task_id=task_id,
            task_type=task_type,
        )

    def action_send(self) -> None:
        """Send the prompt in the editor (ctrl+j in the system prompt field)."""
        self.query_one(PromptEditor).action_submit()

    def focus_now(self, widget: Widget) -> None:
        """Move focus at once, not on the next idle like `Widget.focus`.

        Keys that arrive in one terminal write are queued together; with a deferred
        focus change, the `5` after a `right` would still act on the old pane.
        """
        self.set_focus(widget)

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

    def action_accept(self) -> None:
        """Accept the checks' suggested rubric parts for the focused pane."""
        self.modelduel.accept_suggestions(self.focused_pane())

    async def action_confirm(self) -> None:
        """Accept a half-set rubric as the score (unset parts count 0 and stay unset in the
        CSV: nobody gave them); on a scored duel of
        a suite or `score`, go on to the next task."""
        app = self.modelduel
        pane = self.focused_pane()
        scored_duel = app.duel_scored() and (app.settings.tasks or app.settings.recorded)
        if scored_duel and (pane is None or not pane.model.score.is_partial):
            await self.action_task(1)
            return
        app.change_score(pane, Score.confirm)

    def action_rank(self) -> None:
        """Rank the panes: the pane letters pressed next, best first."""
        self.modelduel.start_ranking()

    def action_clear_score(self) -> None:
        """Back to unscored (the CSV cells become empty)."""
        self.modelduel.change_score(self.focused_pane(), Score.cleared)

    def action_retry_save(self) -> None:
        """Write what could not be saved, now."""
        self.modelduel.retry_saves()

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

    async def action_interrupt(self) -> None:
        """ctrl+c: with text selected (in a field, or with the mouse anywhere), copy it;
        while runs stream, cancel them all (their text is kept, as ctrl+x does); else say
        how to quit."""
        app = self.modelduel
        focused = self.focused
        if isinstance(focused, (PromptEditor, SystemPromptInput)) and focused.selected_text:
            focused.action_copy()
            return
        # a mouse selection (a pane's header or figures): the copy the user asked for,
        # never a cancel of runs that are paid for
        selected = self.get_selected_text()
        if selected:
            app.copy_to_clipboard(selected)
            self.notify("copied the selected text")
            return
        live = sum(1 for _, slot in app.runs.values() if not slot.ended)
        if not live:
            app.action_help_quit()
            return
        await app.cancel_all()
        what = "run" if live == 1 else f"{live} runs"
        self.notify(f"ctrl+c: cancelling {what} (their text is kept); ctrl+q quits")

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

    def action_scroll_pane(self, how: str) -> None:
        """Scroll the focused pane's text: a line, a page, to the top or the end (where
        it follows the stream again)."""
        pane = self.focused_pane()
        if pane is None:
            return
        pane.body.scroll_by_user(how)

    def action_pane(self, step: int) -> None:
        """Move focus to the previous or next pane."""
        panes = list(self.query(ResponsePane))
        if not panes:
            return
        current = self.focused_pane()
        index = panes.index(current) if current in panes else -1
        target = panes[(index + step) % len(panes)]
        self.modelduel.tab_index = target.index
        self.modelduel.layout_panes()  # as tabs, the pane must be shown to take focus
        self.focus_now(target)

    def action_cycle(self, step: int) -> None:
        """Tab: the next pane when a pane has focus; prompt <-> system prompt otherwise."""
        focused = self.focused
        if isinstance(focused, PromptEditor):
            self.focus_now(self.query_one(SystemPromptInput))
        elif isinstance(focused, SystemPromptInput):
            self.focus_now(self.query_one(PromptEditor))
        else:
            self.action_pane(step)

    def action_blind(self) -> None:
        """Toggle blind mode for the next duel."""
        self.modelduel.blind = not self.modelduel.blind
        state = "on" if self.modelduel.blind else "off"
        self.notify(f"blind mode {state} (applies from the next duel: the next prompt starts one)")
        self.modelduel.update_status()

    def action_history(self) -> None:
        """Open the list of duels."""
        self.modelduel.open_history()

    async def action_task(self, step: int) -> None:
        """Next or previous task of the suite."""
        app = self.modelduel
        if app.settings.tasks:
            if not 0 <= app.task_index + step < len(app.settings.tasks):
                self.notify("no more tasks that way", severity="warning")
                return
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

    def action_task_panel(self) -> None:
        """Fold or unfold the task panel."""
        panel = self.query_one(TaskPanel)
        if not panel.display:
            self.notify("no task on screen (suites and reopened duels show theirs)")
            return
        panel.cycle()
        self.call_after_refresh(self.modelduel.layout_panes)

    def action_report(self) -> None:
        """The routing recommendation from the results CSV."""
        self.modelduel.open_report()

    def action_to_panes(self) -> None:
        """Escape from the system prompt (or anywhere) to the first pane."""
        panes = list(self.query(ResponsePane))
        if panes:
            shown = [p for p in panes if p.display]
            self.focus_now(shown[0] if shown else panes[0])

    def action_focus_prompt(self) -> None:
        """Back to the prompt editor."""
        self.focus_now(self.query_one(PromptEditor))

    def action_attach(self) -> None:
        """Attach a file to the next prompt (a path; an empty one clears them)."""

        def done(path: str | None) -> None:
            if path is not None:
                self.modelduel.turns.attach(path)

        self.app.push_screen(AttachScreen([a.name for a in self.modelduel.turns.attachments]), done)

    def action_new_duel(self) -> None:
        """The next prompt starts a new duel instead of following up (again: back)."""
        self.modelduel.turns.toggle_new_duel()

    def action_help(self) -> None:
        """Show every key."""
        self.app.push_screen(HelpScreen(self.modelduel.key_rows()))
