"""A streaming answer's drawn lines: incremental, and equal to drawing it whole.

No app: lines are drawn with a plain Rich console at a fixed width, as PaneBody draws
them with the app's console.
"""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rich.console import Console, RenderableType
from rich.markdown import Markdown as RichMarkdown
from rich.style import Style
from rich.syntax import Syntax
from textual.strip import Strip

from modelduel.tui.answer_lines import FENCE_CHUNK_LINES, AnswerLines
from modelduel.tui.markdown_blocks import BlockSplitter, _markdown, split_blocks

WIDTH = 48
CONSOLE = Console(width=WIDTH, color_system="truecolor", force_terminal=True)


class Recorder:
    """Draws like PaneBody and records how many characters each draw was given."""

    def __init__(self) -> None:
        self.drawn_chars: list[int] = []

    def __call__(self, renderable: RenderableType) -> list[Strip]:
        if isinstance(renderable, Syntax):
            self.drawn_chars.append(len(renderable.code))
        elif isinstance(renderable, RichMarkdown):
            self.drawn_chars.append(len(renderable.markup))
        return draw(renderable)


def draw(renderable: RenderableType) -> list[Strip]:
    options = CONSOLE.options.update_width(WIDTH)
    lines = CONSOLE.render_lines(renderable, options, style=Style(), pad=True)
    return [Strip(line, WIDTH) for line in lines]


def blank() -> Strip:
    return Strip.blank(WIDTH, Style())


def segments(lines: list[Strip]) -> list[list[object]]:
    return [list(line) for line in lines]


def whole(text: str) -> tuple[list[list[list[object]]], list[list[object]]]:
    """Blocks and tail as the first implementation drew them: each from scratch."""
    blocks, rest = split_blocks(text)
    tail = text[rest:]
    return (
        [segments(draw(RichMarkdown(b, code_theme="monokai", hyperlinks=False))) for b in blocks],
        segments(draw(RichMarkdown(tail, code_theme="monokai", hyperlinks=False)))
        if tail.strip()
        else [],
    )


def code_lines(n: int, seed: int = 1) -> list[str]:
    """Python whose highlighting is line-local (no multi-line strings)."""
    rng = random.Random(seed)
    out: list[str] = []
    for i in range(n):
        kind = rng.randrange(6)
        if kind == 0:
            out.append(f"def handler_{i}(request, retries=3):")
        elif kind == 1:
            out.append(f"    value = compute({i}, 'text', [1, 2, 3])  # a comment")
        elif kind == 2:
            out.append("")
        elif kind == 3:
            out.append(f"\tif x > {i}:\treturn None")
        elif kind == 4:
            out.append("    " + " ".join(f"word{j}" for j in range(rng.randrange(5, 20))))
        else:
            out.append(f"CONSTANT_{i} = {{'a': {i}, \"b\": None}}")
    return out


# ---------------------------------------------------------------- the shared parser


@pytest.mark.parametrize(
    "block",
    [
        "# Title\n\nSome *emphasis*, `code`, ~~struck~~ and a [link](http://x).",
        "| a | b |\n|---|---|\n| 1 | 2 |",
        "- one\n- two\n  - nested",
        "```python\ndef f():\n    return 1\n```",
        "> quoted [/INST] [b]not markup[/b]",
    ],
)
def test_the_shared_parser_draws_what_rich_draws(block: str) -> None:
    ours = _markdown(block)
    rich = RichMarkdown(block, code_theme="monokai", hyperlinks=False)
    assert vars(ours).keys() == vars(rich).keys()  # Rich added an attribute: copy it
    assert segments(draw(ours)) == segments(draw(rich))


def test_one_parser_for_every_block() -> None:
    assert _markdown("a").__class__.__init__ is not RichMarkdown.__init__
    parsers: set[int] = set()
    original = RichMarkdown.__init__

    def spy(self: RichMarkdown, *args: object, **kwargs: object) -> None:
        parsers.add(id(self))
        original(self, *args, **kwargs)  # type: ignore[arg-type]

    RichMarkdown.__init__ = spy  # type: ignore[method-assign]
    try:
        answer = AnswerLines(draw, blank)
        answer.update("para one\n\npara two\n\n```py\nx = 1\n```\n\ntail")
    finally:
        RichMarkdown.__init__ = original  # type: ignore[method-assign]
    assert parsers == set()  # Rich's constructor (a MarkdownIt per call) never ran


# ---------------------------------------------------------------- the splitter


_pieces = st.lists(
    st.sampled_from(
        ["word ", "\n", "\n\n", "```py\n", "```\n", "~~~\n", "  ```\n", "x = 1\n", " "]
    ),
    max_size=40,
)


@settings(max_examples=150, deadline=None)
@given(pieces=_pieces, cuts=st.lists(st.integers(0, 400), max_size=8))
def test_the_incremental_splitter_equals_splitting_the_whole_text(
    pieces: list[str], cuts: list[int]
) -> None:
    text = "".join(pieces)
    splitter = BlockSplitter()
    found: list[str] = []
    for cut in [*sorted(cuts), len(text)]:
        found += [text[a:b] for a, b, _ in splitter.feed(text[:cut])]
    blocks, rest = split_blocks(text)
    assert found == blocks
    assert splitter.block_start == rest


# ---------------------------------------------------------------- a long fence


@pytest.mark.parametrize("head", ["", "Here is the whole file:\n", "## app.py\n", "- a\n- b\n"])
@pytest.mark.parametrize("lang", ["python", "no-such-language"])
def test_a_streaming_fence_draws_what_drawing_it_whole_draws(head: str, lang: str) -> None:
    code = "\n".join(code_lines(5 * FENCE_CHUNK_LINES))
    text = f"Intro paragraph.\n\n{head}```{lang}\n{code}\n\n\tindented\n```\n\nAfter the code.\n"
    answer = AnswerLines(draw, blank)
    rng = random.Random(5)
    checkpoints = set(rng.sample(range(len(text)), 30)) | {len(text)}
    pos = 0
    while pos < len(text):
        pos = min(len(text), pos + rng.randrange(1, 90))
        answer.update(text[:pos])
        if pos in checkpoints or any(pos - 90 < c <= pos for c in checkpoints):
            blocks, tail = whole(text[:pos])
            assert [segments(b) for b in answer.block_lines] == blocks, pos
            assert segments(answer.tail_lines) == tail, pos


def test_a_fence_closed_before_its_block_ends_is_drawn_whole_once() -> None:
    code = "\n".join(code_lines(3 * FENCE_CHUNK_LINES, seed=2))
    text = f"```python\n{code}\n```\nStraight after the fence.\n\nNext.\n"
    answer = AnswerLines(draw, blank)
    for pos in range(0, len(text) + 1, 37):
        answer.update(text[:pos])
    answer.update(text)
    blocks, tail = whole(text)
    assert [segments(b) for b in answer.block_lines] == blocks
    assert segments(answer.tail_lines) == tail


def test_work_per_update_does_not_grow_with_a_long_fence() -> None:
    # a 960-line fence streamed line by line, then finished: no update draws more than
    # one chunk's worth of code, however long the file (the first implementation drew
    # all of it on every update, and the whole block again when it finished).
    lines = code_lines(40 * FENCE_CHUNK_LINES, seed=3)
    text = "The file:\n```python\n" + "\n".join(lines) + "\n```\n\nDone.\n"
    recorder = Recorder()
    answer = AnswerLines(recorder, blank)
    longest_line = max(len(line) for line in lines) + 1
    bound = (FENCE_CHUNK_LINES + 2) * longest_line
    pos = 0
    while pos < len(text):
        pos = text.find("\n", pos) + 1 or len(text)
        recorder.drawn_chars.clear()
        answer.update(text[:pos])
        assert sum(recorder.drawn_chars) <= bound, pos
    blocks, tail = whole(text)
    assert [segments(b) for b in answer.block_lines] == blocks
    assert segments(answer.tail_lines) == tail


def test_a_docstring_in_a_streaming_fence_is_never_cut() -> None:
    # a chunk is lexed from a fresh lexer state: cut inside a docstring (its lines at
    # column 0, as in a module's), the rest of the file was coloured as a string
    code = '"""The module.\n\nIts text at column 0,\nover lines.\n"""\nimport os\n\n\ndef f(x):\n'
    code += '    """A docstring\n    over two lines."""\n    return os.sep + x  # a comment\n'
    text = f"```python\n{code * 3}```\n\nAfter.\n"
    answer = AnswerLines(draw, blank)
    for pos in range(1, len(text) + 1, 3):
        answer.update(text[:pos])
        blocks, tail = whole(text[:pos])
        assert [segments(b) for b in answer.block_lines] == blocks, pos
        assert segments(answer.tail_lines) == tail, pos


def assert_draws_little_more_than_the_unfinished_line(text: str, seed: int, step: int) -> None:
    """Streamed in random pieces of up to `step`, `text`'s updates together draw each
    update's unfinished line and, at most twice more, the text (each finished line once
    when it is kept); the end equals the whole drawing."""
    recorder = Recorder()
    answer = AnswerLines(recorder, blank)
    rng = random.Random(seed)
    pos, unfinished = 0, 0
    while pos < len(text):
        pos = min(len(text), pos + rng.randrange(1, step))
        answer.update(text[:pos])
        unfinished += len(text[:pos].rsplit("\n", 1)[-1]) + 1
    assert sum(recorder.drawn_chars) <= unfinished + 2 * len(text)
    _, tail = whole(text)
    assert segments(answer.tail_lines) == tail


def test_an_open_fence_draws_little_more_than_its_unfinished_line() -> None:
    # each finished line that ends outside a string is kept at once: an update draws
    # the unfinished line, and each line is drawn once more when it is kept
    lines = code_lines(20 * FENCE_CHUNK_LINES, seed=6)
    assert_draws_little_more_than_the_unfinished_line(
        "```python\n" + "\n".join(lines) + "\n", 6, 12
    )
