"""The note dialog's field: one line, which a multi-line paste does not cut short.

Textual's `Input` keeps only the first line of a paste, silently. A note is one CSV cell
shown on one line, so a pasted block is kept whole: its lines (blank ones dropped, each
stripped) joined by `LINE_BREAK`, a visible mark the cell holds as it is.
"""

from __future__ import annotations

from textual import events
from textual.widgets import Input

__all__ = ["LINE_BREAK", "NoteInput", "one_line"]

LINE_BREAK = " ⏎ "
"""What stands for a line break of a pasted note (visible, and plain text in the CSV)."""


def one_line(text: str) -> str:
    """`text`'s non-blank lines, each stripped, joined by `LINE_BREAK`."""
    return LINE_BREAK.join(line.strip() for line in text.splitlines() if line.strip())


class NoteInput(Input):
    """An `Input` whose paste keeps every line of the pasted text (`one_line`)."""

    def _on_paste(self, event: events.Paste) -> None:
        text = one_line(event.text)
        if text:
            selection = self.selection
            if selection.is_empty:
                self.insert_text_at_cursor(text)
            else:
                self.replace(text, *selection)
        event.prevent_default()  # Input's own handler would paste the first line again
        event.stop()
