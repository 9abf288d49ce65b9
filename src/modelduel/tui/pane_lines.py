"""The pane's fixed lines: its header, its live stats, the error below its text.

Each repaints only when its text changed, and without a relayout of the screen (the
header and stats change on every tick of every pane). What the lines say is the pane's
(`tui.pane`); the scrolling body between them is `tui.stream_markdown`.
"""

from __future__ import annotations

from rich.text import Text
from textual.geometry import Region
from textual.widget import Widget
from textual.widgets import Static

from modelduel.tui.short_stats import Figure, fit_line, fold_figures, folds_to_one_line
from modelduel.tui.tcss import read_tcss

__all__ = ["ErrorLine", "HeaderLine", "StatsLines", "TextLine"]


class TextLine(Widget):
    """Fixed-height text that repaints without a relayout, and only when it changed.

    `Static.update` always asks for a layout of the whole screen; the header and stats
    lines change on every tick of every pane, so that would relayout 30 times a second.
    """

    DEFAULT_CSS = read_tcss("text-line.tcss")

    def __init__(self, *, classes: str | None = None) -> None:
        super().__init__(classes=classes)
        self._text = Text()

    def set(self, text: Text) -> None:
        """Show `text` (a no-op when it is what is shown)."""
        if text == self._text:
            return
        self._text = text
        self.refresh()

    def render(self) -> Text:
        """The current text."""
        return self._text


class HeaderLine(TextLine):
    """The pane header: the name is what gets elided when narrow, never the status."""

    def __init__(self, *, classes: str | None = None) -> None:
        super().__init__(classes=classes)
        self._model_name = ""
        self._rest = Text()

    def set_parts(self, name: str, rest: Text) -> None:
        """The model name (bold, elided first) and what follows it (status, time)."""
        text = Text.assemble((name, "bold"), rest)
        if text == self._text and name == self._model_name:
            return
        self._model_name = name
        self._rest = rest
        self._text = text
        self.refresh()

    def render(self) -> Text:
        """Name cut with `…` so the status fits the width."""
        width = self.size.width
        if width <= 0 or self._text.cell_len <= width:
            return self._text
        room = max(1, width - self._rest.cell_len)
        name = Text(self._model_name)
        name.truncate(room, overflow="ellipsis")
        line = Text.assemble((name.plain, "bold"), self._rest)
        line.truncate(width, overflow="ellipsis")
        return line


class StatsLines(TextLine):
    """The pane's figures, each line fitted to the width by dropping whole figures."""

    def __init__(self, *, classes: str | None = None) -> None:
        super().__init__(classes=classes)
        self._lines: list[list[Figure]] = []

    def set_lines(self, lines: list[list[Figure]]) -> int:
        """Show these lines of figures (folded to one on a short terminal); their count."""
        if folds_to_one_line(self):  # a short terminal (its CSS): one line
            lines = [fold_figures(lines)]
        if lines != self._lines:
            old, self._lines = self._lines, lines
            self._text = self._fitted(1 << 20)
            width = self.size.width
            if len(old) == len(lines) and width > 0:
                # only the lines whose figures changed (on a tick, the token count's):
                # each repainted line is a pass through Textual's styling
                changed = [i for i, line in enumerate(lines) if line != old[i]]
                self.refresh(*(Region(0, i, width, 1) for i in changed))
            else:
                self.refresh()
        return len(lines)

    def render(self) -> Text:
        """Each line's figures that fit the width, whole."""
        width = self.size.width
        return self._text if width <= 0 else self._fitted(width)

    def _fitted(self, width: int) -> Text:
        text = Text("\n", no_wrap=True, overflow="ellipsis")
        return text.join(fit_line(line, width) for line in self._lines)


class ErrorLine(Static):
    """Why a run failed, in full, below its partial text (a header gets cut, this wraps).

    Without a failure it carries the run's notices (a budget clamped, a refused parameter).
    """

    DEFAULT_CSS = read_tcss("error-line.tcss")

    def __init__(self) -> None:
        super().__init__(classes="pane-error")
        self._shown: tuple[str, bool] | None = None

    def show_error(self, message: str | None, cancelled: bool = False) -> None:
        """Show `message` (None hides the line); a no-op when nothing changed.

        `cancelled` draws it in the warning colour (a cancel, or notices without a failure).
        """
        state = None if message is None else (message, cancelled)
        if state == self._shown:
            return
        self._shown = state
        self.display = message is not None
        self.set_class(cancelled, "-cancelled")
        self.update(Text("" if message is None else message))
