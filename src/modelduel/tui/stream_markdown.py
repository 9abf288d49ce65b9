"""A pane's body: reasoning and a markdown answer that render as they stream, cheaply.

Measured here with three panes at 200 tokens/s: appending to Textual's `Markdown`
widget each tick stalls the event loop by 450-850 ms at p99, and even one widget
per finished block still costs 150 ms, because every change of a widget's height
is a layout of the whole screen and a repaint of every widget. So the body is one
scroll view drawn line by line (Textual's line API, as its `Log` uses): an answer is
cut into blocks at blank lines outside code fences, each finished block is rendered
once (Rich's Markdown: headings, lists, tables, highlighted code) into lines that
are kept, only the unfinished last block is rendered again on a tick, and growing
changes the view's virtual size, not the screen's layout.
"""

from __future__ import annotations

from rich.console import RenderableType
from rich.markdown import Markdown as RichMarkdown
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.strip import Strip

__all__ = ["PaneBody", "split_blocks"]

_FENCES = ("```", "~~~")


def split_blocks(text: str, start: int = 0) -> tuple[list[str], int]:
    """The finished blocks of `text[start:]`, and where the unfinished rest begins.

    A block ends at a blank line that is not inside a fenced code block.
    """
    blocks: list[str] = []
    block_start = start
    pos = start
    fence: str | None = None
    while True:
        end = text.find("\n", pos)
        if end < 0:
            break  # an unterminated line belongs to the unfinished block
        line = text[pos:end]
        stripped = line.strip()
        if fence is None:
            if stripped.startswith(_FENCES):
                fence = stripped[:3]
            elif not stripped:
                if text[block_start:pos].strip():
                    blocks.append(text[block_start:pos])
                block_start = end + 1
        elif stripped.startswith(fence):
            fence = None
        pos = end + 1
    return blocks, block_start


def _markdown(block: str) -> RichMarkdown:
    # Rich's Markdown never reads console markup: `[/INST]` in an answer stays text.
    return RichMarkdown(block, code_theme="monokai", hyperlinks=False)


class PaneBody(ScrollView, can_focus=False):
    """Reasoning (dimmed, foldable) above the answer, drawn from kept lines."""

    # The scrollbar is always there: one appearing mid-stream would be a relayout.
    DEFAULT_CSS = """
    PaneBody { height: 1fr; scrollbar-size-vertical: 1; overflow-y: scroll; overflow-x: hidden; }
    """

    def __init__(self) -> None:
        super().__init__()
        self.reasoning = ""
        self.reasoning_folded = False
        self.show_raw = False
        self.notice_text = ""  # shown instead of an answer (an error with no text)
        self._text = ""
        self._consumed = 0
        self._blocks: list[RenderableType] = []
        self._block_lines: list[list[Strip]] = []
        self._tail_lines: list[Strip] = []
        self._reasoning_lines: list[Strip] = []
        self._raw_lines: list[Strip] = []
        self._lines: list[Strip] = []
        self._width = -1
        self._style = Style()
        self._dirty_reasoning = self._dirty_tail = self._dirty_raw = True

    # -- content ----------------------------------------------------------------------

    def set_answer(self, text: str) -> None:
        """The answer so far (it only grows between resets)."""
        if not text.startswith(self._text):
            self.reset()
        if text == self._text:
            return
        self._text = text
        blocks, self._consumed = split_blocks(text, self._consumed)
        for block in blocks:
            renderable = _markdown(block)
            self._blocks.append(renderable)
            self._block_lines.append(self._draw(renderable))
        self._dirty_tail = self._dirty_raw = True
        self._rebuild()

    def set_reasoning(self, text: str) -> None:
        """The reasoning so far."""
        if text != self.reasoning:
            self.reasoning = text
            self._dirty_reasoning = True
            self._rebuild()

    def set_message(self, text: str) -> None:
        """A line shown in place of an answer (an error before any text)."""
        if text != self.notice_text:
            self.notice_text = text
            self._dirty_tail = True
            self._rebuild()

    def toggle_reasoning(self) -> None:
        """Fold or unfold the reasoning."""
        self.reasoning_folded = not self.reasoning_folded
        self._rebuild()

    def toggle_raw(self) -> None:
        """Raw text instead of rendered markdown, or back."""
        self.show_raw = not self.show_raw
        self._rebuild()

    def reset(self) -> None:
        """Forget everything (a re-run)."""
        self._text = ""
        self._consumed = 0
        self._blocks.clear()
        self._block_lines.clear()
        self.reasoning = ""
        self.notice_text = ""
        self.reasoning_folded = False
        self._dirty_reasoning = self._dirty_tail = self._dirty_raw = True
        self._rebuild()

    @property
    def drawn_lines(self) -> list[Strip]:
        """Every line of the body as drawn now (tests read the text from these)."""
        return self._lines

    # -- drawing ----------------------------------------------------------------------

    def _draw(self, renderable: RenderableType) -> list[Strip]:
        width = max(1, self._content_width())
        console = self.app.console
        options = console.options.update_width(width)
        # padded to the full width and styled once here, so painting a line is a lookup
        rendered = console.render_lines(renderable, options, style=self._style, pad=True)
        return [Strip(line, width) for line in rendered]

    def _content_width(self) -> int:
        # the scrollbar is always shown (see DEFAULT_CSS), so this width never changes
        # as an answer grows, and kept lines never need re-wrapping
        return max(1, self.scrollable_content_region.width)

    def _rebuild(self) -> None:
        if not self.is_mounted:
            return
        width = self._content_width()
        style = self.rich_style
        if width != self._width or style != self._style:
            self._width = width
            self._style = style
            self._block_lines = [self._draw(b) for b in self._blocks]
            self._dirty_reasoning = self._dirty_tail = self._dirty_raw = True
        if self._dirty_reasoning:
            body = Text(self.reasoning, style="italic dim")
            self._reasoning_lines = self._draw(body) if self.reasoning else []
            self._dirty_reasoning = False
        if self._dirty_tail:
            tail = self._text[self._consumed :]
            if self.notice_text and not self._text:
                self._tail_lines = self._draw(Text(self.notice_text, style="bold red"))
            else:
                self._tail_lines = self._draw(_markdown(tail)) if tail.strip() else []
            self._dirty_tail = False
        if self._dirty_raw and self.show_raw:
            self._raw_lines = self._draw(Text(self._text or self.notice_text))
            self._dirty_raw = False
        lines: list[Strip] = []
        if self.reasoning:
            fold = "▶" if self.reasoning_folded else "▼"
            count = len(self._reasoning_lines)
            noun = "line" if count == 1 else "lines"
            header = Text(
                f"{fold} reasoning (h) · {count} {noun}",
                style="dim",
                no_wrap=True,
                overflow="ellipsis",
            )
            lines.extend(self._draw(header))
            if not self.reasoning_folded:
                lines.extend(self._reasoning_lines)
            lines.append(Strip.blank(width, self._style))
        if self.show_raw:
            lines.extend(self._raw_lines)
        else:
            for block in self._block_lines:
                lines.extend(block)
                lines.append(Strip.blank(width, self._style))
            lines.extend(self._tail_lines)
        following = self.scroll_offset.y >= self.max_scroll_y - 1
        self._lines = lines
        size = Size(width, len(lines))
        if size != self.virtual_size:
            # `virtual_size` is a layout reactive: assigning it relayouts and repaints the
            # whole screen, 10 times a second per pane. Growing a scroll view's content
            # only needs its scrollbar and its own lines redrawn.
            self.set_reactive(PaneBody.virtual_size, size)
            self._scroll_update(size)
        if following:
            # follow the stream until the user scrolls up
            self.scroll_end(animate=False, immediate=True, x_axis=False)
        self.refresh()

    def on_resize(self) -> None:
        """A new width re-wraps every kept block (rare; not on every tick)."""
        self._rebuild()

    def on_mount(self) -> None:
        """Draw whatever arrived before the widget was on screen."""
        self._rebuild()

    def render_line(self, y: int) -> Strip:
        """One line of the view, scrolled."""
        index = self.scroll_offset.y + y
        width = self.scrollable_content_region.width
        if index >= len(self._lines):
            return Strip.blank(width, self.rich_style)
        line = self._lines[index]
        return line if line.cell_length == width else line.crop_extend(0, width, self.rich_style)


def strip_text(strip: Strip) -> str:
    """The plain text of a drawn line."""
    return "".join(segment.text for segment in strip if isinstance(segment, Segment))
