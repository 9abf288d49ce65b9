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

Work per update does not grow with the answer (issue 13): the block splitter scans only
what arrived since the last update, one markdown parser serves every block, and an
unfinished fenced code block (a model answering with a whole file) is drawn in chunks:
its finished lines are highlighted once, in chunks of at most `FENCE_CHUNK_LINES`, and
only the lines since the last chunk are drawn again. The result equals Rich's
rendering of the whole block line for line, except that each chunk is lexed from a fresh
lexer state, so a construct spanning a chunk boundary (a multi-line string) may be
coloured differently while it streams; chunks are cut before a line at column 0 to make
that rare.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from markdown_it import MarkdownIt
from rich.console import RenderableType
from rich.markdown import Markdown as RichMarkdown
from rich.segment import Segment
from rich.style import Style
from rich.syntax import Syntax
from rich.text import Text
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.strip import Strip

__all__ = ["FENCE_CHUNK_LINES", "AnswerLines", "BlockSplitter", "PaneBody", "split_blocks"]

_FENCES = ("```", "~~~")
CODE_THEME = "monokai"
FENCE_CHUNK_LINES = 24
"""At most this many finished lines of an unfinished code fence are drawn again per update.

Finished lines are kept (highlighted once) in chunks cut before a line at column 0, or
after this many lines when none comes."""


@dataclass(slots=True)
class BlockSplitter:
    """Cuts an answer into blocks at blank lines outside code fences, incrementally.

    `feed` is given the whole text so far each time (it only grows) and scans only the
    lines that arrived since the previous call.

    Attributes:
        block_start: where the unfinished block begins.
        open_fence_at: where the opening line of a fence still open begins, else -1.
        closed_fence: (opening line, closing line) of a fence that ends the unfinished
            block with nothing after it yet, else None.
    """

    pos: int = 0
    block_start: int = 0
    fence: str | None = None
    open_fence_at: int = -1
    closed_fence: tuple[int, int] | None = None

    def feed(self, text: str) -> list[tuple[int, int, tuple[int, int] | None]]:
        """The blocks finished since the last call, as (start, end, fence).

        `fence` is (opening line start, closing line start) when the block ends with a
        code fence (nothing but blank space after its closing line), else None.
        """
        blocks: list[tuple[int, int, tuple[int, int] | None]] = []
        pos = self.pos
        while True:
            end = text.find("\n", pos)
            if end < 0:
                break  # an unterminated line belongs to the unfinished block
            stripped = text[pos:end].strip()
            if self.fence is None:
                if stripped.startswith(_FENCES):
                    self.fence = stripped[:3]
                    self.open_fence_at = pos
                elif not stripped:
                    if text[self.block_start : pos].strip():
                        blocks.append((self.block_start, pos, self.closed_fence))
                    self.block_start = end + 1
                    self.closed_fence = None
                else:
                    self.closed_fence = None  # text after a fence: the block is not just one
            elif stripped.startswith(self.fence):
                self.fence = None
                self.closed_fence = (self.open_fence_at, pos)
                self.open_fence_at = -1
            pos = end + 1
        self.pos = pos
        return blocks


def split_blocks(text: str, start: int = 0) -> tuple[list[str], int]:
    """The finished blocks of `text[start:]`, and where the unfinished rest begins.

    A block ends at a blank line that is not inside a fenced code block.
    """
    splitter = BlockSplitter(pos=start, block_start=start)
    blocks = splitter.feed(text)
    return [text[a:b] for a, b, _ in blocks], splitter.block_start


_PARSER = MarkdownIt().enable("strikethrough").enable("table")


class _Markdown(RichMarkdown):
    """Rich's Markdown on one shared parser: Rich builds a MarkdownIt (0.15 ms) per
    instance, i.e. per block. The attributes are Rich's own (a test renders both)."""

    def __init__(self, markup: str) -> None:
        self.markup = markup
        self.parsed = _PARSER.parse(markup)
        self.code_theme = CODE_THEME
        self.justify = None
        self.style = "none"
        self.hyperlinks = False
        self.inline_code_lexer = None
        self.inline_code_theme = CODE_THEME


def _markdown(block: str) -> RichMarkdown:
    # Rich's Markdown never reads console markup: `[/INST]` in an answer stays text.
    return _Markdown(block)


Draw = Callable[[RenderableType], list[Strip]]


def _syntax(code: str, lexer: str, top: int, bottom: int) -> Syntax:
    # Rich's CodeBlock: Syntax(code, lexer, theme, word_wrap=True, padding=1)
    return Syntax(code, lexer, theme=CODE_THEME, word_wrap=True, padding=(top, 1, bottom, 1))


@dataclass(slots=True)
class _OpenFence:
    """An unfinished top-level code fence being drawn in chunks."""

    opened_at: int  # where its opening line starts
    code_start: int  # where its first code line starts
    lexer: str
    head: list[Strip]  # the unfinished block's lines above the fence, and the blank between
    kept: list[Strip] = field(default_factory=list)  # drawn chunks, top padding included
    kept_end: int = 0  # where the first line not yet in a kept chunk starts
    bottom: Strip | None = None  # the code block's bottom padding line


class AnswerLines:
    """The drawn lines of a markdown answer that grows; O(1) work per update.

    Args:
        draw: renders a renderable into lines at the current width and style.
        blank: a blank line at the current width and style.
    """

    def __init__(self, draw: Draw, blank: Callable[[], Strip]) -> None:
        self._draw = draw
        self._blank = blank
        self.text = ""
        self._splitter = BlockSplitter()
        self._block_texts: list[str] = []
        self.block_lines: list[list[Strip]] = []
        self.tail_lines: list[Strip] = []
        self._fence: _OpenFence | None = None

    @property
    def consumed(self) -> int:
        """Where the unfinished block begins."""
        return self._splitter.block_start

    def reset(self) -> None:
        """Forget the answer."""
        self.text = ""
        self._splitter = BlockSplitter()
        self._block_texts.clear()
        self.block_lines.clear()
        self.tail_lines = []
        self._fence = None

    def update(self, text: str) -> None:
        """The answer so far: draws blocks finished since the last call, and the tail."""
        if not text.startswith(self.text):
            self.reset()
        self.text = text
        for start, end, fence in self._splitter.feed(text):
            block = text[start:end]
            self._block_texts.append(block)
            lines = self._finish_fence(start, fence)
            self.block_lines.append(lines if lines is not None else self._draw(_markdown(block)))
        self._draw_tail()

    def redraw(self) -> None:
        """Draw every block again (the width or the style changed)."""
        self.block_lines = [self._draw(_markdown(b)) for b in self._block_texts]
        self._fence = None
        self._draw_tail()

    # -- the unfinished block ------------------------------------------------------

    def _draw_tail(self) -> None:
        span = self._fence_span()
        fence = None if span is None else self._fence_at(span[0])
        if span is None or fence is None:
            self._fence = None
            tail = self.text[self.consumed :]
            self.tail_lines = self._draw(_markdown(tail)) if tail.strip() else []
            return
        code_end = len(self.text) if span[1] < 0 else span[1]
        self._keep_chunks(fence, code_end)
        self.tail_lines = fence.head + fence.kept + self._draw_rest(fence, code_end)

    def _fence_span(self) -> tuple[int, int] | None:
        """(opening line, closing line or -1) of a fence that ends the unfinished block."""
        splitter, text = self._splitter, self.text
        if splitter.open_fence_at >= 0:
            return (splitter.open_fence_at, -1) if splitter.open_fence_at >= self.consumed else None
        closed = splitter.closed_fence
        if closed is None or closed[0] < self.consumed:
            return None
        # closed, and the block not finished yet: only an unterminated line can follow
        after = text.find("\n", closed[1]) + 1
        return closed if not text[after:].strip() else None

    def _fence_at(self, opened_at: int) -> _OpenFence | None:
        fence = self._fence
        if fence is not None and fence.opened_at == opened_at:
            return fence
        text = self.text
        line_end = text.find("\n", opened_at)
        opener = text[opened_at:line_end]
        # Only a fence at column 0 opened by exactly three marks is a top-level code block
        # that Rich draws as the head, a blank line, then the code; others are drawn whole.
        if not opener.startswith(_FENCES) or opener[3:4] in ("`", "~"):
            return None
        lexer = opener[3:].strip().partition(" ")[0] or "text"
        head_text = text[self.consumed : opened_at]
        head = [*self._draw(_markdown(head_text)), self._blank()] if head_text.strip() else []
        self._fence = _OpenFence(opened_at, line_end + 1, lexer, head, kept_end=line_end + 1)
        return self._fence

    def _keep_chunks(self, fence: _OpenFence, code_end: int) -> None:
        """Highlight and keep a chunk of finished lines (each line is highlighted once)."""
        text = self.text
        lines: list[tuple[int, int]] = []  # finished lines not kept yet: (start, newline)
        pos = fence.kept_end
        while True:
            newline = text.find("\n", pos, code_end)
            if newline < 0:
                break
            lines.append((pos, newline))
            pos = newline + 1
        if not lines:
            return  # at most FENCE_CHUNK_LINES lines are ever scanned here
        # Cut after a non-blank line followed by a line at column 0 (where a lexer is most
        # likely in its initial state); after FENCE_CHUNK_LINES lines without one, after
        # any non-blank line.
        newest = len(lines)
        cut = -1
        for i in range(newest - 1, -1, -1):
            start, newline = lines[i]
            following = text[newline + 1 : newline + 2]
            if text[start:newline].strip() and following.strip():
                cut = newline
                break
        if cut < 0 and len(lines) >= FENCE_CHUNK_LINES:
            cut = next((nl for st, nl in reversed(lines[:newest]) if text[st:nl].strip()), -1)
        if cut < 0:
            return
        drawn = self._draw(
            _syntax(text[fence.kept_end : cut], fence.lexer, 0 if fence.kept else 1, 1)
        )
        fence.bottom = drawn[-1]
        fence.kept.extend(drawn[:-1])
        fence.kept_end = cut + 1

    def _draw_rest(self, fence: _OpenFence, code_end: int) -> list[Strip]:
        rest = self.text[fence.kept_end : code_end].rstrip()
        if rest:
            return self._draw(_syntax(rest, fence.lexer, 0 if fence.kept else 1, 1))
        if fence.kept and fence.bottom is not None:
            return [fence.bottom]
        return self._draw(_syntax(rest, fence.lexer, 1, 1))

    def _finish_fence(self, start: int, fence_span: tuple[int, int] | None) -> list[Strip] | None:
        """A finished block that is the open fence we drew in chunks: its kept lines."""
        fence = self._fence
        if fence is None or fence_span is None or fence_span[0] != fence.opened_at:
            return None
        self._fence = None
        if start > fence.opened_at:
            return None
        self._keep_chunks(fence, fence_span[1])
        return fence.head + fence.kept + self._draw_rest(fence, fence_span[1])


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
        self._answer = AnswerLines(self._draw, lambda: Strip.blank(self._width, self._style))
        self._pending = ""  # the answer as last given; drawn on the next rebuild
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
        if not text.startswith(self._pending):
            self.reset()
        if text == self._pending:
            return
        self._pending = text
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
        self._answer.reset()
        self._pending = ""
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
            self._answer.redraw()
            self._dirty_reasoning = self._dirty_tail = self._dirty_raw = True
        if self._dirty_reasoning:
            body = Text(self.reasoning, style="italic dim")
            self._reasoning_lines = self._draw(body) if self.reasoning else []
            self._dirty_reasoning = False
        if self._dirty_tail:
            if self.notice_text and not self._pending:
                self._tail_lines = self._draw(Text(self.notice_text, style="bold red"))
            else:
                self._answer.update(self._pending)
                self._tail_lines = self._answer.tail_lines
            self._dirty_tail = False
        if self._dirty_raw and self.show_raw:
            self._raw_lines = self._draw(Text(self._pending or self.notice_text))
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
            for block in self._answer.block_lines:
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
