"""The body's cached style and console options follow the screen: an ancestor's new
colours and a new width reach the drawn lines (issue 13: both were computed again on
every rebuild and painted line, 0.1 ms each)."""

from __future__ import annotations

import asyncio

from rich.cells import cell_len
from rich.style import Style

from modelduel.tui.stream_markdown import PaneBody
from tests.test_follow_scroll import BodyApp

TEXT = "".join(f"Paragraph {i} with words enough to wrap at a narrow width.\n\n" for i in range(8))


def _backgrounds(body: PaneBody) -> set[object]:
    return {
        segment.style.bgcolor
        for line in body.drawn_lines
        for segment in line
        if isinstance(segment.style, Style)
    }


def test_an_ancestors_new_background_reaches_the_drawn_lines() -> None:
    async def main() -> tuple[set[object], set[object]]:
        async with BodyApp().run_test(size=(60, 20)) as pilot:
            body = pilot.app.query_one(PaneBody)
            await pilot.pause()
            body.set_answer(TEXT[:100])
            before = _backgrounds(body)
            pilot.app.screen.styles.background = "rgb(200,0,0)"  # not the body's own styles
            await pilot.pause()
            body.set_answer(TEXT)
            return before, _backgrounds(body)

    before, after = asyncio.run(main())
    assert before != after
    assert all(color is not None and color.triplet == (200, 0, 0) for color in after), after


def test_a_new_width_draws_lines_of_that_width() -> None:
    async def main() -> tuple[set[int], int]:
        async with BodyApp().run_test(size=(60, 20)) as pilot:
            body = pilot.app.query_one(PaneBody)
            await pilot.pause()
            body.set_answer(TEXT[:200])
            await pilot.resize_terminal(40, 20)
            await pilot.pause()
            body.set_answer(TEXT)
            width = body.scrollable_content_region.width
            return {cell_len(line.text) for line in body.drawn_lines}, width  # drawn, not declared

    lengths, width = asyncio.run(main())
    assert lengths == {width}
