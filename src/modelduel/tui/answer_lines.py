"""The drawn lines of a markdown answer that grows, with O(1) work per update.

Finished blocks are drawn once (or lazily, when they come into view) and kept as spans of
the answer's text; only the unfinished last block is drawn again. An unfinished fenced
code block (a model answering with a whole file) is drawn in chunks: its finished lines
are highlighted once, in chunks of at most `FENCE_CHUNK_LINES`, and only the lines since
the last chunk are drawn again. The result equals Rich's rendering of the whole block line
for line, except that each chunk is lexed from a fresh lexer state: a chunk ends after a
line the lexer ends outside any string or comment (so a docstring is never cut), which
makes a construct spanning a boundary rare (a lexer state that is not a string, such as
a script inside HTML, may still be coloured differently).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING

from rich.console import RenderableType
from rich.text import Text
from textual.strip import Strip

from modelduel.tui.markdown_blocks import _FENCES, CODE_THEME, BlockSplitter, _markdown
from modelduel.tui.tail_chunks import ListChunks, ParagraphChunks

if TYPE_CHECKING:
    from pygments.lexer import Lexer  # type: ignore[import-untyped]
    from rich.syntax import Syntax, SyntaxTheme

__all__ = ["FENCE_CHUNK_LINES", "AnswerLines", "Draw"]

FENCE_CHUNK_LINES = 8
"""At most this many finished lines of an unfinished code fence are drawn again per update.

Finished lines are kept (highlighted once) in chunks cut after a line that ends outside
any string or comment (usually every line), or after this many lines when none comes."""


Draw = Callable[[RenderableType], list[Strip]]


@cache
def _lexer(name: str) -> Lexer | str:
    """The pygments lexer Rich's `Syntax` would build for `name`, built once.

    Rich looks the lexer up by name (a scan of pygments' table) and builds its theme on
    every `Syntax`: half the cost of highlighting a few lines, paid on every update of an
    open fence. An unknown name stays a name (Rich draws it as plain text).
    """
    from pygments.lexers import get_lexer_by_name  # type: ignore[import-untyped]  # noqa: PLC0415  pygments: not before the first frame
    from pygments.util import ClassNotFound  # type: ignore[import-untyped]  # noqa: PLC0415  pygments: not before the first frame

    try:
        # Rich's own options (`Syntax.lexer`), tab size its default
        return get_lexer_by_name(name, stripnl=False, ensurenl=True, tabsize=4)
    except ClassNotFound:
        return name


@cache
def _theme() -> SyntaxTheme:
    from rich.syntax import Syntax  # noqa: PLC0415  pygments: not before the first frame

    return Syntax.get_theme(CODE_THEME)


def _syntax(code: str, lexer: str, top: int, bottom: int) -> Syntax:
    from rich.syntax import Syntax  # noqa: PLC0415  pygments: not before the first frame

    # Rich's CodeBlock: Syntax(code, lexer, theme, word_wrap=True, padding=1)
    return Syntax(code, _lexer(lexer), theme=_theme(), word_wrap=True, padding=(top, 1, bottom, 1))


@dataclass(slots=True)
class _OpenFence:
    """An unfinished top-level code fence being drawn in chunks."""

    opened_at: int  # where its opening line starts
    code_start: int  # where its first code line starts
    lexer: str
    head: list[Strip]  # the unfinished block's lines above the fence, and the blank between
    kept: list[Strip] = field(default_factory=list)  # drawn chunks, top padding included
    kept_end: int = 0  # where the first line not yet in a kept chunk starts
    checked_to: int = -1  # the newest line end `_plain_cut` looked at
    bottom: Strip | None = None  # the code block's bottom padding line


class AnswerLines:
    """The drawn lines of a markdown answer that grows; O(1) work per update.

    Finished blocks are kept as spans of `text` (the text is kept once). Eager (the
    default), each is drawn when it finishes; `lazy`, a finished block is only drawn
    when `block(i)` asks for it (it comes into view), and `drop(i)` forgets its lines
    again (far off screen): its height is then known exactly, and before it was first
    drawn `heights[i]` is `estimate(block text)`.

    Args:
        draw: renders a renderable into lines at the current width and style.
        blank: a blank line at the current width and style.
        estimate: a finished block's height before it is drawn (lazy only).
    """

    def __init__(
        self,
        draw: Draw,
        blank: Callable[[], Strip],
        estimate: Callable[[str], int] | None = None,
    ) -> None:
        self._draw = draw
        self._blank = blank
        self._estimate = estimate or (lambda block: block.count("\n") + 1)
        self.lazy = False
        self.cheap_tail = False  # the unfinished block as plain text (a pane over budget)
        self.plain: set[int] = set()  # finished blocks drawn as plain text while cheap
        self.text = ""
        self._splitter = BlockSplitter()
        self._spans: list[tuple[int, int]] = []
        self._drawn: list[list[Strip] | None] = []
        self.heights: list[int] = []
        self.live: set[int] = set()  # blocks whose lines are kept now
        self.first_changed = 0  # the first block whose height changed since it was reset
        self.moved = 0  # the first block drawn to a height other than it was thought to have
        self.tail_lines: list[Strip] = []
        self._fence: _OpenFence | None = None
        self._list = ListChunks(draw)  # an unfinished list: its finished items kept
        self._paragraph = ParagraphChunks(draw)  # an unfinished paragraph: its final lines

    @property
    def consumed(self) -> int:
        """Where the unfinished block begins."""
        return self._splitter.block_start

    @property
    def block_count(self) -> int:
        """How many blocks have finished."""
        return len(self._spans)

    @property
    def block_lines(self) -> list[list[Strip]]:
        """Every finished block's lines (drawing those not drawn)."""
        return [self.block(i) for i in range(len(self._spans))]

    def block_text(self, index: int) -> str:
        """The markdown of a finished block."""
        start, end = self._spans[index]
        return self.text[start:end]

    def is_drawn(self, index: int) -> bool:
        """The block's lines are kept now."""
        return self._drawn[index] is not None

    def block(self, index: int) -> list[Strip]:
        """A finished block's lines, drawn now if they are not kept."""
        lines = self._drawn[index]
        if lines is None:
            if self.cheap_tail:
                # a pane receiving more than it can draw: a block that comes into view
                # is plain text (a table or code in Rich's markdown costs 10-50x more);
                # `unplain` drops these lines so they are drawn as markdown when seen
                lines = self._draw(Text(self.block_text(index)))
                self.plain.add(index)
            else:
                lines = self._draw(_markdown(self.block_text(index)))
            self._keep(index, lines)
        return lines

    def unplain(self) -> None:
        """Forget the lines of blocks drawn as plain text (they redraw as markdown)."""
        for index in list(self.plain):
            self.drop(index)

    def drop(self, index: int) -> None:
        """Forget a block's lines (its text and height stay)."""
        self._drawn[index] = None
        self.live.discard(index)
        self.plain.discard(index)

    def _keep(self, index: int, lines: list[Strip]) -> None:
        self._drawn[index] = lines
        self.live.add(index)
        if self.heights[index] != len(lines):
            if self.heights[index] >= 0:
                self.moved = min(self.moved, index)
            self.heights[index] = len(lines)
            self.first_changed = min(self.first_changed, index)

    def reset(self) -> None:
        """Forget the answer."""
        self.text = ""
        self._splitter = BlockSplitter()
        self._spans.clear()
        self._drawn.clear()
        self.heights.clear()
        self.live.clear()
        self.plain.clear()
        self.first_changed = 0
        self.moved = 0
        self.tail_lines = []
        self._fence = None
        self._list.reset()
        self._paragraph.reset()

    def update(self, text: str) -> None:
        """The answer so far: draws blocks finished since the last call, and the tail."""
        if not text.startswith(self.text):
            self.reset()
        self.text = text
        for start, end, fence in self._splitter.feed(text):
            index = len(self._spans)
            self._spans.append((start, end))
            self._drawn.append(None)
            lines = self._finish_fence(start, fence)
            if lines is None and not self.lazy:
                lines = self._draw(_markdown(text[start:end]))
            self.heights.append(self._estimate(text[start:end]) if lines is None else -1)
            self.first_changed = min(self.first_changed, index)
            if lines is not None:
                self._keep(index, lines)
        self._draw_tail()

    def redraw(self) -> None:
        """Draw every block again (the width or the style changed)."""
        self.live.clear()
        self.plain.clear()
        for index in range(len(self._spans)):
            self._drawn[index] = None
            self.heights[index] = self._estimate(self.block_text(index))
            if not self.lazy:
                self.block(index)
        self.first_changed = self.moved = 0
        self._fence = None
        self._list.reset()
        self._paragraph.reset()
        self._draw_tail()

    # -- the unfinished block ------------------------------------------------------

    def _draw_tail(self) -> None:
        span = self._fence_span()
        fence = None if span is None else self._fence_at(span[0])
        if span is None or fence is None:
            self._fence = None
            tail = self.text[self.consumed :]
            if not tail.strip():
                self.tail_lines = []
            elif self.cheap_tail:
                # over its share of the frame: plain text now, markdown once it finishes
                self.tail_lines = self._draw(Text(tail))
            else:
                lines = self._list.lines(self.text, self.consumed)
                if lines is None:
                    lines = self._paragraph.lines(self.text, self.consumed)
                self.tail_lines = self._draw(_markdown(tail)) if lines is None else lines
            return
        code_end = span[1] if span[1] >= 0 else self._open_code_end(fence)
        self._keep_chunks(fence, code_end)
        self.tail_lines = fence.head + fence.kept + self._draw_rest(fence, code_end)

    def _open_code_end(self, fence: _OpenFence) -> int:
        """Where an open fence's code ends: the text's end, or the start of an unfinished
        last line that already closes it (three marks or more of the opener's, at most
        three spaces before, only spaces after): markdown draws the block closed then."""
        text = self.text
        line_start = text.rfind("\n", fence.code_start - 1) + 1
        line = text[line_start:]
        mark = text[fence.opened_at]
        marks = line.lstrip(" ")
        closes = (
            line_start >= fence.code_start
            and len(line) - len(marks) <= 3
            and len(marks.rstrip(" \t")) >= 3
            and not marks.rstrip(" \t").strip(mark)
        )
        return line_start if closes else len(text)

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
        # Cut after the newest non-blank line that ends outside any string or comment
        # (lexed from the chunk's start, so the next chunk's fresh lexer starts where
        # this one's state was plain): most updates draw their unfinished line only.
        # After FENCE_CHUNK_LINES lines without one (a long docstring), after any
        # non-blank line.
        cut = self._plain_cut(fence, lines)
        if cut < 0 and len(lines) >= FENCE_CHUNK_LINES:
            cut = next((nl for st, nl in reversed(lines) if text[st:nl].strip()), -1)
        if cut < 0:
            return
        drawn = self._draw(
            _syntax(text[fence.kept_end : cut], fence.lexer, 0 if fence.kept else 1, 1)
        )
        fence.bottom = drawn[-1]
        fence.kept.extend(drawn[:-1])
        fence.kept_end = cut + 1

    def _plain_cut(self, fence: _OpenFence, lines: list[tuple[int, int]]) -> int:
        """The newline of the newest finished non-blank line if the fence's lexer, run
        from the first line not kept, ends that line outside any string or comment
        (its newline is plain white space); else -1. Each line is looked at once (a
        blank line after it waits with the unfinished one: cheap to draw again)."""
        text = self.text
        newline = next((nl for st, nl in reversed(lines) if text[st:nl].strip()), -1)
        if newline <= fence.checked_to:
            return -1
        fence.checked_to = newline
        lexer = _lexer(fence.lexer)
        if isinstance(lexer, str):
            return newline  # drawn as plain text: no lexer state to carry over
        from pygments.token import Text as PlainText  # type: ignore[import-untyped]  # noqa: PLC0415  pygments: not before the first frame

        tokens = deque(lexer.get_tokens_unprocessed(text[fence.kept_end : newline + 1]), 1)
        if not tokens:
            return -1
        _, kind, value = tokens[0]
        return newline if kind in PlainText and value.endswith("\n") else -1

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
