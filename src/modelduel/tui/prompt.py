"""The prompt editor: multi-line, pasteable, with the session's prompt history."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widgets import TextArea

__all__ = ["PromptEditor"]


class PromptEditor(TextArea):
    """A TextArea where `ctrl+j` sends and up/down at the edges walk the history."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+j", "submit", "Send", id="prompt.send"),
        Binding("ctrl+s", "submit", "Send", show=False, id="prompt.send_alt"),
        Binding("escape", "leave", "To panes", id="prompt.leave"),
    ]

    @dataclass
    class Submitted(Message):
        """The user sent the prompt."""

        editor: PromptEditor
        text: str

    class Left(Message):
        """The user left the editor (escape): focus moves to the panes."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(
            language=None, soft_wrap=True, show_line_numbers=False, tab_behavior="focus", id=id
        )
        self.prompt_history: list[str] = []
        self._cursor: int | None = None  # index into history while browsing it
        self._draft = ""

    def action_submit(self) -> None:
        """Send the text (nothing happens for an empty prompt)."""
        text = self.text
        if not text.strip():
            self.notify("Type a prompt first", severity="warning")
            return
        if not self.prompt_history or self.prompt_history[-1] != text:
            self.prompt_history.append(text)
        self._cursor = None
        self.load_text("")  # the prompt is in history: up recalls it
        self.post_message(self.Submitted(self, text))

    def action_leave(self) -> None:
        """Hand focus to the panes."""
        self.post_message(self.Left())

    def action_cursor_up(self, select: bool = False) -> None:
        """Up on the first line recalls the previous prompt."""
        if not select and self.cursor_location[0] == 0 and self.prompt_history:
            if self._cursor is None:
                self._draft = self.text
                self._cursor = len(self.prompt_history)
            if self._cursor > 0:
                self._cursor -= 1
                self._load(self.prompt_history[self._cursor])
            return
        super().action_cursor_up(select)

    def action_cursor_down(self, select: bool = False) -> None:
        """Down on the last line walks forward through history, back to the draft."""
        last_line = self.document.line_count - 1
        if not select and self._cursor is not None and self.cursor_location[0] == last_line:
            self._cursor += 1
            if self._cursor >= len(self.prompt_history):
                self._cursor = None
                self._load(self._draft)
            else:
                self._load(self.prompt_history[self._cursor])
            return
        super().action_cursor_down(select)

    def _load(self, text: str) -> None:
        self.load_text(text)
        self.move_cursor(self.document.end)
