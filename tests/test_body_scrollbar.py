"""A pane body's scrollbar repaints only its changed rows, and what it paints is always
what a whole repaint would paint (issue 13: each line an answer grew repainted the
whole column, 1-2 ms)."""

from __future__ import annotations

import asyncio

from textual.geometry import Region
from textual.scrollbar import ScrollBar

from modelduel.tui.body_scrollbar import BodyScrollBar
from modelduel.tui.stream_markdown import PaneBody
from tests.test_follow_scroll import BodyApp


def test_the_painted_rows_are_a_whole_repaints_and_few_rows_repaint() -> None:
    async def main() -> tuple[list[int], list[int], int]:
        async with BodyApp().run_test(size=(50, 24)) as pilot:
            body = pilot.app.query_one(PaneBody)
            await pilot.pause()
            text = "".join(f"Line {i} of an answer that grows.\n\n" for i in range(150))
            mismatched: list[int] = []
            repainted: list[int] = []
            height = 0
            for end in range(40, len(text), 23):
                bar = body.vertical_scrollbar
                assert isinstance(bar, BodyScrollBar)
                bar._repaint_regions.clear()
                body.set_answer(text[:end])  # the bar's figures change: its own repaint
                height = bar.size.height
                repainted.append(len({y for r in bar._repaint_regions for y in r.line_range}))
                region = Region(0, 0, bar.size.width, height)
                painted = [list(strip) for strip in bar.render_lines(region)]
                ScrollBar.refresh(bar)  # a whole repaint, as Textual's scrollbar does
                whole = [list(strip) for strip in bar.render_lines(region)]
                if painted != whole:
                    mismatched.append(end)
                await pilot.pause()
            return mismatched, repainted, height

    mismatched, repainted, height = asyncio.run(main())
    assert mismatched == []
    assert height > 10
    repaints = [rows for rows in repainted if rows]
    assert len(repaints) > 10
    # the first repaint is whole (nothing painted before); then a few rows each
    assert sum(repaints[1:]) < len(repaints[1:]) * height / 2, repaints


def test_a_style_of_its_own_repaints_the_whole_bar() -> None:
    # a tint is applied as Textual paints, not in the cells the bar draws: every row
    # changes although the drawn cells do not
    async def main() -> bool:
        async with BodyApp().run_test(size=(50, 24)) as pilot:
            body = pilot.app.query_one(PaneBody)
            await pilot.pause()
            body.set_answer("".join(f"Line {i}.\n\n" for i in range(60)))
            await pilot.pause()
            bar = body.vertical_scrollbar
            bar._repaint_regions.clear()
            bar.styles.tint = "rgba(250,0,0,0.5)"  # Textual asks the bar to repaint
            rows = {y for r in bar._repaint_regions for y in r.line_range}
            return rows == set(range(bar.size.height))

    assert asyncio.run(main())
