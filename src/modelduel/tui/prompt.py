"""The prompt editor (multi-line, pasteable, with history) and the system prompt field.

Typed characters are inserted in batches: a terminal without bracketed paste delivers
a paste as one key event per character, and inserting each one on its own re-wraps
the whole document every time (a 20 KB paste took 45 s). Characters that arrive
together are queued and inserted once the burst has been read; any other key flushes
the queue first, so the order of what was typed is kept.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from textual import events
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widgets import Input, TextArea

__all__ = ["PromptEditor", "SystemPromptInput"]

BATCH_DELAY_S = 0.01
"""How long typed characters wait to be inserted together (a paste's burst)."""


class PromptEditor(TextArea):
    """A TextArea where `ctrl+j` sends and up/down at the edges walk the history."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+j", "submit", "Send", id="prompt.send"),
        Binding("ctrl+s", "submit", "Send", show=False, id="prompt.send_alt"),
        # instead of the editor's line start: attaching is what a prompt's ctrl+a does here
        Binding("ctrl+a", "screen.attach", "Attach a file", id="prompt.attach"),
        # on the screen, so focus moves before the next key is read (see DuelScreen)
        Binding("escape", "screen.to_panes", "To panes", id="prompt.leave"),
        # the editor's cut when text is selected; else the duel's cancel all, which the
        # prompt (focused right after sending) used to swallow as a cut of nothing
        Binding("ctrl+x", "cut_or_cancel_all", "Cut / cancel all", show=False, id="prompt.cut"),
    ]

    @dataclass
    class Submitted(Message):
        """The user sent the prompt."""

        editor: PromptEditor
        text: str

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(
            language=None, soft_wrap=True, show_line_numbers=False, tab_behavior="focus", id=id
        )
        self.prompt_history: list[str] = []
        self._cursor: int | None = None  # index into history while browsing it
        self._draft = ""
        self._typed: list[str] = []

    async def action_cut_or_cancel_all(self) -> None:
        """ctrl+x: cut the selected text, or with none selected cancel every run."""
        if self.selected_text:
            self.action_cut()
            return
        await self.run_action("screen.cancel_all")

    async def _on_key(self, event: events.Key) -> None:
        """Queue typed characters (see the module docstring); other keys flush first."""
        if not self.read_only and (event.is_printable or event.key == "enter"):
            event.stop()
            event.prevent_default()
            self.queue_typed("\n" if event.key == "enter" else event.character or "")
            return
        self.flush_typed()
        await super()._on_key(event)

    def queue_typed(self, text: str) -> None:
        """Type `text` with the next batch (the app hands typed keys over directly)."""
        if not self._typed:
            self.set_timer(BATCH_DELAY_S, self.flush_typed)
        self._typed.append(text)

    def flush_typed(self) -> None:
        """Insert the queued characters in one edit."""
        if self._typed:
            text = "".join(self._typed)
            self._typed.clear()
            self.insert(text)

    @property
    def text(self) -> str:
        """The document, including characters typed but not yet inserted."""
        self.flush_typed()
        return self.document.text

    @text.setter
    def text(self, value: str) -> None:
        self.load_text(value)

    def load_text(self, text: str) -> None:
        """Replace the document (characters still queued are replaced with it)."""
        self._typed.clear()
        super().load_text(text)

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


class SystemPromptInput(Input):
    """The one-line system prompt: `ctrl+j` sends the prompt, `escape` goes to the panes."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+j", "screen.send", "Send (from the system prompt)", id="system.send"),
        Binding("escape", "screen.to_panes", "To panes", id="system.leave"),
    ]
