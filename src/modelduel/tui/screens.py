"""Small modal screens: the key help, the note editor, the duel history."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar, TypeVar

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from modelduel.display import sanitize_terminal
from modelduel.tui.note_input import NoteInput
from modelduel.tui.tcss import read_tcss

__all__ = [
    "AttachScreen",
    "Dialog",
    "HelpScreen",
    "HistoryEntry",
    "HistoryScreen",
    "NoteScreen",
    "ReportScreen",
    "UnsavedQuitScreen",
]

ResultType = TypeVar("ResultType")


class Dialog(ModalScreen[ResultType]):
    """A small modal screen: its content in a bordered box in the middle (`dialog.tcss`).

    Its style applies to every subclass (Textual matches a type selector on base classes).
    """

    DEFAULT_CSS = read_tcss("dialog.tcss")


class HelpScreen(Dialog[None]):
    """Every key, from the live bindings (so remapped keys show as remapped)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,question_mark", "dismiss", "Close", id="help.close")
    ]

    def __init__(self, rows: Sequence[tuple[str, str, str]]) -> None:
        super().__init__()
        self._rows = rows

    def compose(self) -> ComposeResult:
        """A table of key, what it does, binding id (for [keymap])."""
        table = Table(expand=True, box=None)
        table.add_column("key", style="bold")
        table.add_column("does")
        table.add_column("id for [keymap]", style="dim")
        for key, description, binding_id in self._rows:
            table.add_row(Text(key), Text(description), Text(binding_id))
        with Vertical():
            yield Label("[b]modelduel keys[/b]  (escape closes)")
            with VerticalScroll():
                yield Static(table)


class NoteScreen(Dialog[str | None]):
    """Edit a pane's note; enter saves, escape cancels."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="note.cancel")
    ]

    def __init__(self, title: str, note: str) -> None:
        super().__init__()
        self._title = title
        self._note = note

    def compose(self) -> ComposeResult:
        """One input line."""
        with Vertical():
            yield Label(Text(f"Note for {self._title} (enter saves, escape cancels)"))
            # a pasted block keeps every line (Input alone keeps the first)
            yield NoteInput(self._note, placeholder="what was wrong, what you fixed, ...")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Save the note."""
        self.dismiss(event.value)

    def action_cancel(self) -> None:
        """Leave the note unchanged."""
        self.dismiss(None)


class AttachScreen(Dialog[str | None]):
    """A path to attach to the next prompt; enter attaches, an empty path clears them."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="attach.cancel")
    ]

    def __init__(self, attached: Sequence[str]) -> None:
        super().__init__()
        self._attached = list(attached)

    def compose(self) -> ComposeResult:
        """One input line, and what is attached already."""
        with Vertical():
            yield Label(
                Text(
                    "Attach a file to the next prompt: text is added with its name, PNG, "
                    "JPEG, WebP and GIF go as images (enter attaches; empty clears; escape)"
                )
            )
            if self._attached:
                yield Label(Text("attached: " + ", ".join(self._attached)))
            yield Input(placeholder="path, e.g. notes.md or ~/shot.png", id="attach-path")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Attach what was typed."""
        self.dismiss(event.value)

    def action_cancel(self) -> None:
        """Attach nothing."""
        self.dismiss(None)


@dataclass(frozen=True)
class HistoryEntry:
    """One duel in the history list.

    Attributes:
        key: the duel's id.
        title: the first line of its prompt (or task id).
        detail: models and scores, one line.
    """

    key: str
    title: str
    detail: str


class HistoryScreen(Dialog[str | None]):
    """The duels of this session and of the CSV; enter opens one for (re-)scoring."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss_none", "Close", id="history.close")
    ]

    def __init__(self, entries: Sequence[HistoryEntry]) -> None:
        super().__init__()
        self._entries = entries

    def compose(self) -> ComposeResult:
        """The list, newest first."""
        with Vertical():
            yield Label(f"[b]Duels[/b] ({len(self._entries)}): enter opens, escape closes")
            options = [
                # prompts are user and model text: Text, never markup
                Option(
                    Text.assemble(sanitize_terminal(e.title), "\n  ", (e.detail, "dim")), id=e.key
                )
                for e in reversed(self._entries)
            ]
            yield OptionList(*options)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        """Open the chosen duel."""
        self.dismiss(event.option.id)

    def action_dismiss_none(self) -> None:
        """Close without opening anything."""
        self.dismiss(None)


class ReportScreen(Dialog[None]):
    """The routing report of the results CSV: the same renderables `modelduel route` prints."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q", "dismiss", "Close", id="report.close")
    ]

    def __init__(self, renderables: Sequence[object], title: str) -> None:
        super().__init__()
        self._renderables = renderables
        self._title = title

    def compose(self) -> ComposeResult:
        """The report, scrollable."""
        with Vertical():
            yield Label(Text.assemble((self._title, "bold"), "  (escape closes)"))
            with VerticalScroll():
                for renderable in self._renderables:
                    yield Static(renderable)  # type: ignore[arg-type]


class UnsavedQuitScreen(Dialog[str | None]):
    """Quitting with scores or runs not on disk: retry, save elsewhere, or discard knowingly.

    Dismisses with "retry", "save:PATH", "discard", or None (stay in the app).
    """

    DEFAULT_CSS = read_tcss("unsaved-quit-screen.tcss")
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "stay", "Back to the app", id="quit.stay"),
        # control keys: letters belong to the path field (a `d` typed into a path used to
        # discard every unsaved run at once)
        # (priority: the field's own ctrl+d deletes a character)
        Binding("ctrl+r", "choose('retry')", "Retry", id="quit.retry", priority=True),
        Binding("ctrl+d", "choose('discard')", "Discard", id="quit.discard", priority=True),
    ]

    def __init__(self, count: str, error: str, elsewhere: str) -> None:
        super().__init__()
        self._count = count
        self._error = error
        self._elsewhere = elsewhere

    def compose(self) -> ComposeResult:
        """What is unsaved and why, a path for saving elsewhere, three choices."""
        with Vertical():
            yield Label(
                Text.assemble(
                    (f"{self._count} NOT saved", "bold red"),
                    f"\n{self._error}\n\nenter saves to the file below (edit the path as "
                    "you like), ctrl+r retries, ctrl+d discards them and quits, escape "
                    "goes back.",
                )
            )
            yield Input(self._elsewhere, id="elsewhere")
            with Horizontal():
                yield Button("Retry (ctrl+r)", id="retry")
                yield Button("Save here (enter)", id="save", variant="primary")
                yield Button("Discard (ctrl+d)", id="discard", variant="error")

    def on_mount(self) -> None:
        """Focus the path: enter saves there, as the text says (with the disk failing,
        saving elsewhere is the choice that works), and what is typed edits the path."""
        field = self.query_one("#elsewhere", Input)
        field.focus()
        field.cursor_position = len(field.value)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        """One of the three choices."""
        if event.button.id == "save":
            self.dismiss(f"save:{self.query_one('#elsewhere', Input).value}")
        else:
            self.dismiss(event.button.id)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Save to the file typed."""
        self.dismiss(f"save:{event.value}")

    def action_choose(self, choice: str) -> None:
        """Retry or discard by key."""
        self.dismiss(choice)

    def action_stay(self) -> None:
        """Back to the app, nothing changed."""
        self.dismiss(None)
