"""A pane's stats lines repaint only the lines whose figures changed, and what is on
screen is always the new figures (issue 13: a tick repainted all three lines of every
pane for the one whose token count moved)."""

from __future__ import annotations

import asyncio

from rich.text import Text
from textual.app import App, ComposeResult
from textual.geometry import Region

from modelduel.tui.pane_lines import StatsLines
from modelduel.tui.short_stats import Figure
from modelduel.tui.wrapped_text import strip_text


class StatsApp(App[None]):
    def compose(self) -> ComposeResult:
        yield StatsLines()


def _lines(*texts: str) -> list[list[Figure]]:
    return [[Figure(Text(text))] for text in texts]


def test_what_is_painted_is_the_new_figures_and_only_changed_lines_repaint() -> None:
    async def main() -> tuple[list[list[str]], list[set[int]]]:
        async with StatsApp().run_test(size=(40, 6)) as pilot:
            stats = pilot.app.query_one(StatsLines)
            stats.styles.height = 3
            await pilot.pause()
            painted: list[list[str]] = []
            dirty: list[set[int]] = []
            for lines in (
                ("ttft 0.8s", "out ~10", "score unscored"),
                ("ttft 0.8s", "out ~25", "score unscored"),
                ("ttft 0.8s", "out 31", "score 4  saved"),
                ("ttft 0.8s", "out 31", "score 4  saved"),  # nothing changed
            ):
                stats.set_lines(_lines(*lines))
                dirty.append({y for region in stats._repaint_regions for y in region.line_range})
                painted.append(
                    [strip_text(s).rstrip() for s in stats.render_lines(Region(0, 0, 40, 3))]
                )
                await pilot.pause()
            return painted, dirty

    painted, dirty = asyncio.run(main())
    assert painted == [
        ["ttft 0.8s", "out ~10", "score unscored"],
        ["ttft 0.8s", "out ~25", "score unscored"],
        ["ttft 0.8s", "out 31", "score 4  saved"],
        ["ttft 0.8s", "out 31", "score 4  saved"],
    ]
    assert dirty[1:] == [{1}, {1, 2}, set()]
