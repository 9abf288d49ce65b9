"""An answer cut into markdown blocks, incrementally, and Rich's Markdown on one parser.

A block ends at a blank line outside a code fence. `BlockSplitter` scans only what arrived
since its last call, so splitting costs O(new text) per update. Plain text wrapped as it
grows is `tui.wrapped_text`.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.markdown import Markdown as RichMarkdown

__all__ = ["CODE_THEME", "BlockSplitter", "split_blocks"]

_FENCES = ("```", "~~~")
CODE_THEME = "monokai"


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


@cache
def _markdown_class() -> type[RichMarkdown]:
    """Rich's Markdown on one shared parser, built on first use: markdown-it, Rich's
    Markdown and pygments are not imported before the first frame (nothing to draw yet)."""
    from markdown_it import MarkdownIt  # noqa: PLC0415  not before the first frame
    from rich.markdown import Markdown  # noqa: PLC0415  not before the first frame

    parser = MarkdownIt().enable("strikethrough").enable("table")

    class _Markdown(Markdown):
        """Rich's Markdown on one shared parser: Rich builds a MarkdownIt (0.15 ms) per
        instance, i.e. per block. The attributes are Rich's own (a test renders both)."""

        def __init__(self, markup: str) -> None:
            self.markup = markup
            self.parsed = parser.parse(markup)
            self.code_theme = CODE_THEME
            self.justify = None
            self.style = "none"
            self.hyperlinks = False
            self.inline_code_lexer = None
            self.inline_code_theme = CODE_THEME

    return _Markdown


def _markdown(block: str) -> RichMarkdown:
    # Rich's Markdown never reads console markup: `[/INST]` in an answer stays text.
    return _markdown_class()(block)
