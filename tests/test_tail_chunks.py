"""An unfinished list drawn in kept chunks draws what drawing the whole block draws."""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from modelduel.tui.answer_lines import AnswerLines
from tests.test_stream_markdown import (
    Recorder,
    assert_draws_little_more_than_the_unfinished_line,
    blank,
    draw,
    segments,
    whole,
)


def stream_and_compare(text: str, seed: int, step: int = 12) -> None:
    """Feed `text` in random pieces; after each, the drawn lines equal a whole drawing."""
    answer = AnswerLines(draw, blank)
    rng = random.Random(seed)
    pos = 0
    while pos < len(text):
        pos = min(len(text), pos + rng.randrange(1, step))
        answer.update(text[:pos])
        blocks, tail = whole(text[:pos])
        assert [segments(b) for b in answer.block_lines] == blocks, repr(text[:pos])
        assert segments(answer.tail_lines) == tail, repr(text[:pos])


def items(n: int, marker: str, seed: int = 1) -> str:
    rng = random.Random(seed)
    out = []
    for i in range(n):
        words = " ".join(
            rng.choice(["the", "**tree**", "splits", "`node`", "*when*"])
            for _ in range(rng.randrange(2, 25))
        )
        lead = marker.format(n=i + 1)
        out.append(f"{lead}{words}")
        if rng.random() < 0.2:
            out.append(" " * len(lead) + "continued " + words)
    return "\n".join(out)


@pytest.mark.parametrize("marker", ["- ", "* ", "*   ", "+ ", "{n}. ", "{n}) ", "1. ", "7. "])
def test_a_streaming_list_draws_what_drawing_it_whole_draws(marker: str) -> None:
    # 12 items: a numbered list crosses from one digit to two while it streams
    text = f"Intro.\n\n{items(12, marker)}\n\nAfter the list.\n"
    stream_and_compare(text, seed=len(marker))


@pytest.mark.parametrize(
    "middle",
    [
        "- c\n  - nested\n  - nested too\n    1. deeper",  # nested lists stay in their item
        "- c\nlazy continuation",  # a lazy line: drawn whole from here
        "- c\n# A heading",  # the list ends
        "- c\n* another bullet",  # another list starts
        "- c\n1. a numbered list",
        "- c\n- [ref]\n\n[ref]: http://x",  # a link definition below
        "- [ref] c\n- d\n- [ref]: http://x\n- e",  # ... in a later item: an earlier link
        "- c\n  ```py\n  x = 1\n\n  y = 2\n  ```\n- d",  # a blank line inside a fence
        "- c\n  ```\n- d\n- e",  # a fence closed by the item's end
        "- c\n- - -\n- d",  # a thematic break
        "- c\n-\n- d",  # an empty item
        "- c\n -\tx\n- d",
        "- c\n\tindented with a tab\n- d",
        "- c\n- d\n| a | b |\n|---|---|\n| 1 | 2 |",
        "- c\n- d\n> quoted\n- e",
    ],
)
def test_a_list_that_is_not_only_items_draws_what_drawing_it_whole_draws(middle: str) -> None:
    text = f"- a\n- b\n{middle}\n- f **bold\n  across** lines\n\nEnd.\n"
    stream_and_compare(text, seed=3, step=6)


_lines = st.lists(
    st.sampled_from(
        [
            "- item one",
            "- item **two** with a longer text that wraps over the width of the pane",
            "  continued",
            "  - nested",
            "* star",
            "1. one",
            "2. two",
            "10) ten",
            "3) three",
            "text at column 0",
            "   three spaces",
            "    code?",
            "# heading",
            "  ```",  # (a fence at column 0 is the fence chunks' case)
            "- ",
            "---",
        ]
    ),
    min_size=1,
    max_size=14,
)


@settings(max_examples=120, deadline=None)
@given(lines=_lines, seed=st.integers(0, 1000))
def test_any_list_block_draws_what_drawing_it_whole_draws(lines: list[str], seed: int) -> None:
    stream_and_compare("\n".join(lines) + "\n", seed, step=9)


def test_work_per_update_does_not_grow_with_a_long_list() -> None:
    # forty items streamed a few characters at a time: no update draws more than the last
    # item or two (the first implementation drew the whole list on every update), but
    # the one where the numbers' width grows (Rich pads to the width of first + items)
    text = items(40, "{n}. ", seed=4) + "\n"
    longest = max(len(line) for line in text.splitlines()) + 1
    recorder = Recorder()
    answer = AnswerLines(recorder, blank)
    rng = random.Random(4)
    pos = 0
    over = []
    while pos < len(text):
        pos = min(len(text), pos + rng.randrange(1, 8))
        recorder.drawn_chars.clear()
        answer.update(text[:pos])
        if sum(recorder.drawn_chars) > 3 * longest:
            over.append(pos)
    assert len(over) <= 1, over
    _, tail = whole(text)
    assert segments(answer.tail_lines) == tail


@pytest.mark.parametrize("line", ["- - -", "- - - -", "- ---", "- * * *", "- 1. x", "- # h"])
def test_an_unfinished_line_that_may_end_the_list_draws_what_drawing_it_whole_draws(
    line: str,
) -> None:
    # `- -` is an item (of a nested list) until a third mark makes it a thematic break,
    # which ends the list: only an unfinished item whose content starts with a letter or
    # digit ends the item above it, whatever follows
    for lead in ("- a b", "1. a b"):
        last = line if lead == "- a b" else "2." + line[1:]
        stream_and_compare(f"Intro.\n\n{lead}\n{last}", seed=1, step=2)


def test_the_item_above_an_unfinished_item_is_drawn_once() -> None:
    # the unfinished line already is the next item: drawing the finished one above it
    # again with it, on every update, doubled the list's cost per update
    lines = [line for line in items(30, "- ", seed=5).splitlines() if line.startswith("- ")]
    text = "\n".join(lines) + "\n"  # one line each (a continued item is drawn with its lines)
    assert_draws_little_more_than_the_unfinished_line(text, 5, 8)
