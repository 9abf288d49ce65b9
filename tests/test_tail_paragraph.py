"""An unfinished paragraph drawn in kept lines draws what drawing the whole block draws."""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rich.style import Style
from textual.strip import Strip

from modelduel.tui.answer_lines import AnswerLines
from tests.test_stream_markdown import Recorder, blank, draw, whole


def cells(lines: list[Strip] | list[list[object]]) -> list[list[tuple[str, Style]]]:
    """What a terminal shows: runs of text and their style (no style is the empty style:
    Rich gives a paragraph's unstyled text `Style()` or None by whether it has spans)."""
    out = []
    for line in lines:
        runs: list[tuple[str, Style]] = []
        for segment in line:
            text, style = segment.text, segment.style or Style()  # type: ignore[attr-defined]
            if runs and runs[-1][1] == style:
                runs[-1] = (runs[-1][0] + text, style)
            else:
                runs.append((text, style))
        out.append(runs)
    return out


def stream_and_compare(text: str, seed: int, step: int = 12) -> None:
    """Feed `text` in random pieces; after each, the drawn lines show what a whole drawing
    shows."""
    answer = AnswerLines(draw, blank)
    rng = random.Random(seed)
    pos = 0
    while pos < len(text):
        pos = min(len(text), pos + rng.randrange(1, step))
        answer.update(text[:pos])
        blocks, tail = whole(text[:pos])
        assert [cells(b) for b in answer.block_lines] == [cells(b) for b in blocks]
        assert cells(answer.tail_lines) == cells(tail), repr(text[:pos])


_WORDS = ["the", "node", "splits", "when", "full,", "and", "its", "median", "key", "moves", "up."]


def sentences(n: int, seed: int, extra: list[str] | None = None) -> str:
    rng = random.Random(seed)
    pool = _WORDS + (extra or [])
    return " ".join(rng.choice(pool) for _ in range(n))


@pytest.mark.parametrize(
    "paragraph",
    [
        sentences(120, 1),  # one long line, plain words
        sentences(60, 2) + "\n" + sentences(60, 3),  # a soft line break
        sentences(40, 4) + "  \n" + sentences(40, 5),  # a hard line break (two spaces)
        sentences(40, 4) + "\\\n" + sentences(40, 5),  # a hard line break (backslash)
        sentences(50, 6) + " **bold that stays open " + sentences(40, 7),  # unclosed **
        sentences(50, 6) + " _under " + sentences(30, 7) + "_ closed " + sentences(30, 8),
        sentences(50, 6) + " *star " + sentences(30, 7) + "* closed " + sentences(30, 8),
        sentences(30, 9)
        + " `code "
        + sentences(20, 1)
        + "\n"
        + sentences(8, 2)
        + "` more "
        + sentences(30, 3),  # inline code spanning lines
        sentences(30, 9)
        + " [a link "
        + sentences(20, 1)
        + "](http://example.com/x) after "
        + sentences(30, 4),  # a link split mid-way while it streams
        sentences(30, 9) + " [ref] " + sentences(30, 4),
        sentences(20, 5) + " 木の分割は中央のキーを上に移動します。" * 6 + " " + sentences(20, 6),
        sentences(20, 5) + " " + "x" * 130 + " " + sentences(30, 6),  # a word over the width
        sentences(20, 5) + " http://example.com/" + "a" * 60 + " " + sentences(30, 6),
        sentences(30, 1) + "\n1. not a list\n" + sentences(30, 2),  # a list interrupts
        sentences(30, 1) + "\n- a bullet interrupts\n" + sentences(30, 2),
        sentences(30, 1) + "\n2024 was a year " + sentences(30, 2),
        sentences(30, 1) + "\n" + "=" * 5 + "\n",  # a setext heading, after the fact
        sentences(30, 1) + "\n---\n",
        sentences(30, 1) + "\na | b\n|---|---|\n| 1 | 2 |",  # a table interrupts
        sentences(30, 1) + "\n> quoted " + sentences(20, 2),
        sentences(30, 1) + " &amp; entity &copy; " + sentences(20, 2),
        sentences(30, 1) + "    four spaces  inside   " + sentences(20, 2),
        sentences(30, 1) + "\n    indented continuation " + sentences(20, 2),
        sentences(30, 1) + " <b>html</b> " + sentences(20, 2),
        sentences(30, 1) + " ~~strike " + sentences(20, 2) + "~~ " + sentences(20, 3),
        "# A heading then\n" + sentences(60, 3),
        sentences(80, 3, ["**strong**", "`code`", "**two words**,", "`a b`."]),
        sentences(60, 3, ["**strong**", "`code`"]) + " **a*b** `x**y` " + sentences(30, 3),
        sentences(60, 3, ["**strong", "words**", "`code", "span`", "**x**y", "a**b**"]),
    ],
)
def test_a_streaming_paragraph_draws_what_drawing_it_whole_draws(paragraph: str) -> None:
    text = f"Intro.\n\n{paragraph}\n\nAfter.\n"
    stream_and_compare(text, seed=len(paragraph), step=9)


_pieces = st.lists(
    st.sampled_from(
        [
            "word",
            "splits",
            "node",
            "full,",
            "up.",
            "(median)",
            "2024",
            "1.",
            "-",
            "+",
            "**",
            "*",
            "_",
            "`",
            "[",
            "](x)",
            "<",
            ">",
            "&amp;",
            "\\",
            "~~",
            "|",
            "#",
            "=",
            "---",
            "木の分割",
            "x" * 50,
            "  ",
            "\n",
            "\n",
            "  \n",
        ]
    ),
    min_size=1,
    max_size=60,
)


@settings(max_examples=150, deadline=None)
@given(pieces=_pieces, seed=st.integers(0, 1000))
def test_any_paragraph_draws_what_drawing_it_whole_draws(pieces: list[str], seed: int) -> None:
    body = "The " + " ".join(pieces)
    stream_and_compare(body.replace("\n\n", "\n") + "\n", seed, step=7)


@pytest.mark.parametrize("extra", [[], ["**strong**", "`code`"], ["**two words**", "`a b`"]])
def test_work_per_update_does_not_grow_with_a_long_paragraph(extra: list[str]) -> None:
    # a paragraph of 600 words streamed a few characters at a time: past its first lines,
    # an update draws its last lines or so, not the whole paragraph (the old code did)
    text = sentences(600, 11, extra) + "\n"
    recorder = Recorder()
    answer = AnswerLines(recorder, blank)
    rng = random.Random(5)
    pos = 0
    over = []
    while pos < len(text):
        pos = min(len(text), pos + rng.randrange(1, 8))
        recorder.drawn_chars.clear()
        answer.update(text[:pos])
        if sum(recorder.drawn_chars) > 300:
            over.append(pos)
    assert not over, over[:5]
    _, tail = whole(text)
    assert cells(answer.tail_lines) == cells(tail)
