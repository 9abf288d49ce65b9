"""An unfinished list block drawn in kept chunks: each finished item is drawn once.

A long list (forty bullet points in one block) used to be drawn whole with Rich's
markdown on every update: O(block length) per frame, a third of the app's main thread
at three panes of 100 tokens/s. Rich draws a list item by item (each item's lines are
its own, under its bullet or number), so the items before the last are drawn once and
kept, and only the last item (with whatever follows it) is drawn again: the lines equal
Rich's drawing of the whole block, line for line (`tests/test_tail_chunks.py`).

That holds only for a block that is one top-level list up to its last item, so chunking
is used only while every finished line of the block is an item's first line at column 0
with the block's own marker (the same bullet, or a number with the same delimiter), or is
indented at least as far as its item's content; anything else (a lazy continuation line,
a heading, a blank line inside a fence, a link reference definition) draws the block whole
as before. A numbered item's number and width come from the whole list (Rich numbers the
items from the first one's number and pads every number to the width of the last), so
the kept items are drawn again when that width changes (after items 9 and 99).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING, Any, ClassVar

from rich.console import RenderableType
from textual.strip import Strip

from modelduel.tui.markdown_blocks import _markdown, _markdown_class

if TYPE_CHECKING:
    from rich.markdown import Markdown as RichMarkdown

__all__ = ["ListChunks", "ParagraphChunks"]

Draw = Callable[[RenderableType], list[Strip]]

# An item's first line: a bullet or a number (at most 9 digits, CommonMark's limit),
# then 1-4 spaces, then text (5 spaces would start an indented code block: not chunked).
_ITEM = re.compile(r"([-*+]|(\d{1,9})([.)]))( {1,4})(?=\S)")
# `- - -`, `* * *`: a thematic break, not an item
_BREAK = re.compile(r"([-*_])(?:[ \t]*\1){2,}[ \t]*")


def _indent(line: str) -> int:
    """The columns of a line's leading white space (tab stops of 4), -1 for a blank line."""
    column = 0
    for char in line:
        if char == " ":
            column += 1
        elif char == "\t":
            column += 4 - column % 4
        else:
            return column
    return -1


@dataclass(slots=True)
class _Item:
    """An item's first line: its marker, its number, where its content starts."""

    marker: str  # the bullet, or the number's delimiter
    number: int  # the written number (1 for a bullet)
    content: int  # the column of its content (continuation lines are indented this far)


def _item(line: str) -> _Item | None:
    match = _ITEM.match(line)
    if match is None or _BREAK.fullmatch(line):
        return None
    if match.group(2) is None:
        return _Item(match.group(1), 1, match.end())
    return _Item(match.group(3), int(match.group(2)), match.end())


def _continued(lines: list[Strip]) -> list[Strip]:
    """A chunk's lines without the blank line Rich draws above a list (a chunk after the
    first continues the list: the whole list has that line once, above its first item).

    An item's first line always holds its bullet or number, so a blank first line is that
    one.
    """
    return lines[1:] if lines and not lines[0].text.strip() else lines


@cache
def _numbered_class() -> Callable[[str, int, int | None], RichMarkdown]:
    """The shared-parser Markdown whose top-level numbered list is numbered as given.

    A chunk of a numbered list is its own markdown: parsed alone, its numbers would start
    at its first item's written number (`1.` if the model numbers every item 1) and pad to
    its own last number, not the whole list's.
    """
    from rich.markdown import ListElement  # noqa: PLC0415  not before the first frame

    base = _markdown_class()

    class _Numbered(ListElement):
        forced: tuple[int, int | None] | None = None  # (first number, last number or None)

        @classmethod
        def create(cls, markdown: Any, token: Any) -> ListElement:
            element = cls(token.type, int(token.attrs.get("start", 1)))
            if token.level == 0 and getattr(markdown, "first_list", False) is None:
                element.forced = (markdown.first_number, markdown.last_number)
                markdown.first_list = element
            return element

        def __rich_console__(self, console: Any, options: Any) -> Any:
            if self.forced is None:
                yield from super().__rich_console__(console, options)
                return
            number, last = self.forced
            # Rich's own: every number padded to the width of `first + len(items)`
            last = number + len(self.items) if last is None else last
            for index, item in enumerate(self.items):
                yield from item.render_number(console, options, number + index, last)

    class _NumberedMarkdown(base):  # type: ignore[valid-type,misc]
        elements: ClassVar[dict[str, Any]] = {**base.elements, "ordered_list_open": _Numbered}

        def __init__(self, markup: str, first: int, last: int | None) -> None:
            self.first_number = first
            self.last_number = last
            self.first_list: _Numbered | None = None
            super().__init__(markup)

    return _NumberedMarkdown


def _numbered(markup: str, first: int, last: int | None) -> RichMarkdown:
    return _numbered_class()(markup, first, last)


@dataclass(slots=True)
class _State:
    start: int  # where the block starts in the answer
    marker: str
    first_number: int
    content: int  # the current item's content column
    scanned: int  # where the first line not looked at yet starts
    items: int = 0  # the items whose first line has been looked at
    last_item: int = -1  # where the last of them starts
    kept: list[Strip] = field(default_factory=list)
    kept_end: int = 0  # where the first item not kept starts
    kept_items: int = 0
    digits: int = 0  # the width of the last number the kept items were drawn with
    whole: bool = False  # not a plain list: drawn whole


class ListChunks:
    """The lines of an unfinished list block, its finished items drawn once.

    Args:
        draw: renders a renderable into lines at the current width and style.
    """

    def __init__(self, draw: Draw) -> None:
        self._draw = draw
        self._state: _State | None = None

    def reset(self) -> None:
        """Forget the kept items (a new answer, width or style)."""
        self._state = None

    def lines(self, text: str, start: int) -> list[Strip] | None:
        """The lines of the unfinished block `text[start:]`, or None: draw it whole."""
        state = self._state
        if state is None or state.start != start:
            state = self._state = self._begin(text, start)
        if state is None or state.whole:
            return None
        if not self._scan(state, text):
            return None
        # every item but the last is finished: they are drawn once and kept
        rest_at, before = (state.last_item, state.items - 1) if state.items else (start, 0)
        if state.items and self._item_begun(state, text):
            # the unfinished line already is the next item: the one above it is finished
            rest_at, before = state.scanned, state.items
        rest, last = self._draw_rest(text, state, rest_at, before)
        if rest_at > start:
            rest = _continued(rest)
        numbered = state.marker in ".)"
        if numbered:
            if last is None:
                state.whole = True  # the rest does not start with our list: never expected
                return None
            if state.kept and len(str(last)) != state.digits:
                # the numbers grew a digit (item 10, 100): every item is drawn again
                state.kept, state.kept_end, state.kept_items = [], start, 0
        if rest_at > state.kept_end:
            chunk = text[state.kept_end : rest_at]
            if numbered:
                first = state.first_number + state.kept_items
                lines = self._draw(_numbered(chunk, first, last))
                state.digits = len(str(last))
            else:
                lines = self._draw(_markdown(chunk))
            state.kept.extend(_continued(lines) if state.kept_end > start else lines)
            state.kept_end, state.kept_items = rest_at, before
        return state.kept + rest

    def _draw_rest(
        self, text: str, state: _State, at: int, before: int
    ) -> tuple[list[Strip], int | None]:
        """The lines from `at` on (the last item and what follows), and the whole list's
        last number as Rich counts it (`first + items`; None for a bullet list)."""
        rest = text[at:]
        if state.marker not in ".)":
            return self._draw(_markdown(rest)), None
        markdown = _numbered(rest, state.first_number + before, None)
        lines = self._draw(markdown)
        element = markdown.first_list  # type: ignore[attr-defined]
        if element is None:
            return lines, None
        return lines, state.first_number + before + len(element.items)

    @staticmethod
    def _begin(text: str, start: int) -> _State | None:
        end = text.find("\n", start)
        # a prefix holds any marker; the whole line only when it may be a thematic break
        line = text[start : min(start + 24, len(text) if end < 0 else end)]
        if _ITEM.match(line) is not None and line[0] in "-*" and end >= 0:
            line = text[start:end]
        first = _item(line)
        if first is None:
            # a finished first line that is not an item: never a list (not looked at
            # again on every update); an unfinished one may still become one
            return None if end < 0 else _State(start, "", 0, 0, start, whole=True)
        return _State(start, first.marker, first.number, first.content, start, kept_end=start)

    @staticmethod
    def _item_begun(state: _State, text: str) -> bool:
        """The unfinished line is an item of this list whatever comes after it, so the
        item above it can no longer change: a line of our marker whose content has a
        character other than white space and the bullet (`- - -` is an item until a
        third mark makes it a thematic break, which ends the list)."""
        line = text[state.scanned : state.scanned + 24]
        item = _item(line)
        if item is None or item.marker != state.marker:
            return False
        content = line[item.content :]
        return bool(content.strip(" \t" if item.marker in ".)" else " \t" + item.marker))

    @staticmethod
    def _scan(state: _State, text: str) -> bool:
        """Look at the lines finished since the last call (each line is looked at once);
        False once the block is more than a list's items (it is then drawn whole)."""
        pos = state.scanned
        while not state.whole:
            end = text.find("\n", pos)
            if end < 0:
                break  # the unfinished line is drawn with the rest, never cut before
            line = text[pos:end]
            item = _item(line)
            if "]:" in line:
                state.whole = True  # a link reference definition: earlier items may change
            elif item is not None and item.marker == state.marker:
                state.items += 1
                state.last_item = pos
                state.content = item.content
            elif _indent(line) < state.content:
                state.whole = True  # not inside the item (or blank): the list may end here
            pos = end + 1
        state.scanned = pos
        if "]:" in text[pos:]:
            state.whole = True  # ... in the unfinished line too (it is drawn with the rest)
        return not state.whole


# Characters that never start or end inline markup (emphasis, code spans, links, entities,
# escapes, html, strikethrough) nor a block (a kept line's words are never read again).
_PLAIN_PUNCT = frozenset(".,;:?!'\"()/%+-=@$")


def _plain(text: str) -> bool:
    """Only letters, digits, plain punctuation and single spaces between words."""
    return all(char.isalnum() or char in _PLAIN_PUNCT or char == " " for char in text)


def _starts_paragraph(word: str) -> bool:
    """A word that, at a line's start, is paragraph text (not `1.`, `-`, `#`, `>`...)."""
    return bool(word) and (word[0].isalpha() or word.isalnum())


def _line_ok(line: str) -> bool:
    """A line inside the paragraph that cannot make it something else (a setext heading,
    a table's delimiter row, a list, a quote, a fence, html interrupting it)."""
    return _starts_paragraph(line.lstrip(" ").partition(" ")[0])


def _shown(source: str) -> str | None:
    """The text Rich shows for `source`: plain text, `**strong**` and `` `code` `` spans
    closed inside it; None for anything else (other markup, or a span left open)."""
    out: list[str] = []
    i, size = 0, len(source)
    while i < size:
        mark = "**" if source.startswith("**", i) else "`" if source[i] == "`" else ""
        if not mark:
            if not (_plain(source[i]) or source[i] == " "):
                return None
            out.append(source[i])
            i += 1
            continue
        close = source.find(mark, i + len(mark))
        inner = source[i + len(mark) : close]
        after = close + len(mark)
        if (
            close < 0
            or (i > 0 and source[i - 1] != " ")  # opens a word
            or not inner
            or inner[0] == " "
            or inner[-1] == " "
            or not _plain(inner)  # no other mark inside
            or (after < size and source[after] not in " .,;:?!")  # closes a word
        ):
            return None
        out.append(inner)
        i = after
    return "".join(out)


def _source_end(text: str, at: int, shown: str) -> int:
    """Where the source of a drawn line `shown` that starts at `at` ends, or -1 when the
    source is not plain text and closed spans (see `_shown`), or does not end at a space."""
    if not shown:
        return -1
    end = at + len(shown)  # marks only add characters
    limit = min(len(text), at + 2 * len(shown) + 8)
    while end <= limit:
        if end == len(text) or text[end] in " \n":
            piece = _shown(text[at:end].replace("\n", " "))
            if piece == shown:
                return end
            if piece is not None and len(piece) > len(shown):
                return -1
        end += 1
    return -1


@dataclass(slots=True)
class _Paragraph:
    start: int  # where the block starts in the answer
    scanned: int  # where the first line not looked at yet starts (the first line is fine)
    kept: list[Strip] = field(default_factory=list)
    kept_end: int = 0  # where the rest (a word at the start of a drawn line) starts
    whole: bool = False  # not a paragraph only: drawn whole


class ParagraphChunks:
    """The lines of an unfinished paragraph, its finished first lines drawn once.

    Rich wraps a paragraph as one text, greedily: a line's words and where it breaks
    depend only on the words up to the first one of the next line. So a drawn line is
    final once it and that next word are complete and plain (no character that opens or
    closes inline markup but strong and code spans closed inside the line, so no later
    text can restyle or re-measure them): it is kept,
    and the paragraph is drawn again from the next word on, at a line's start, which
    draws what the whole paragraph draws from there (`tests/test_tail_paragraph.py`).

    Used only while the block is one paragraph: its first line and every later line start
    with a word that cannot begin anything else; otherwise the block is drawn whole.
    """

    def __init__(self, draw: Draw) -> None:
        self._draw = draw
        self._state: _Paragraph | None = None

    def reset(self) -> None:
        """Forget the kept lines (a new answer, width or style)."""
        self._state = None

    def lines(self, text: str, start: int) -> list[Strip] | None:
        """The lines of the unfinished block `text[start:]`, or None: draw it whole."""
        state = self._state
        if state is None or state.start != start:
            state = self._state = _Paragraph(start, start, kept_end=start)
            # its first character decides, and never changes: a letter starts a paragraph
            state.whole = not text[start].isalpha()
        if state.whole or not self._scan(state, text):
            return None
        lines = self._draw(_markdown(text[state.kept_end :]))
        kept = 1
        while kept:
            # a line that ends inside a span is kept with the next (up to eight lines)
            kept = next(
                (n for n in range(1, min(9, len(lines))) if self._keep(state, text, lines[:n])),
                0,
            )
            state.kept.extend(lines[:kept])
            del lines[:kept]
        return state.kept + lines

    @staticmethod
    def _keep(state: _Paragraph, text: str, lines: list[Strip]) -> bool:
        """Keep `lines` (the first of the rest): they and the word after them are final."""
        words = " ".join(line.text.rstrip() for line in lines)
        at, size = state.kept_end, len(text)
        end = _source_end(text, at, words)
        if end < 0:
            return False
        after = end
        while after < size and text[after] in " \n":
            after += 1
        if after == end or after >= size:
            return False  # the line ends inside a word (folded), or nothing follows yet
        word_end = after
        mark = "**" if text.startswith("**", after) else "`" if text[after] == "`" else ""
        if mark:  # a span: the next word is drawn as it once the span is closed
            word_end = text.find(mark, after + len(mark))
            if word_end < 0:
                return False
        while word_end < size and not text[word_end].isspace():
            word_end += 1
        word = text[after:word_end].replace("\n", " ")
        shown = _shown(word)
        if word_end >= size or not shown or not (word[0] in "*`" or _starts_paragraph(word)):
            return False  # the next word may still grow, or change how it is drawn
        state.kept_end = after
        return True

    @staticmethod
    def _scan(state: _Paragraph, text: str) -> bool:
        """Look at the lines finished since the last call; False to draw it whole now."""
        pos = state.scanned
        while True:
            end = text.find("\n", pos)
            if end < 0:
                break
            if pos > state.start and not _line_ok(text[pos:end]):
                state.whole = True  # a finished line that is not the paragraph's text
                return False
            pos = end + 1
        state.scanned = pos
        # the unfinished line may be a heading's underline, a list, a table's delimiter
        # row now (drawn whole), or still nothing (the paragraph as it was)
        rest = text[pos:]
        return pos == state.start or not rest.strip(" ") or _line_ok(rest)
