"""The banded repaint sends the terminal exactly what Textual's own repaint sends.

`BandedCompositor` renders a partial update band by band, each cropped to its rows,
where Textual renders every widget under the box around all dirty regions at its full
height. Every partial update of a duel (streaming, scoring, moving between panes,
maximising, blind mode, resizing) is rendered both ways here, from the same dirty
regions, and the bytes for the terminal must be the same.
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

from textual._compositor import ChopsUpdate, Compositor
from textual.geometry import Region

from modelduel.tui.app import ModelduelApp
from modelduel.tui.banded_compositor import BandedCompositor
from tests.test_tui import make_app, send, settle


class Compared:
    """Wraps the screen's compositor: every partial update rendered both ways, compared."""

    def __init__(self, app: ModelduelApp) -> None:
        self.app = app
        self.updates = 0
        self.mismatches: list[str] = []
        compositor = app.screen._compositor
        assert isinstance(compositor, BandedCompositor)
        self.compositor = compositor
        compositor.render_partial_update = self.render_partial_update  # type: ignore[method-assign]

    def render_partial_update(self) -> ChopsUpdate | None:
        compositor = self.compositor
        dirty = set(compositor._dirty_regions)
        ours = BandedCompositor.render_partial_update(compositor)
        compositor._dirty_regions.update(dirty)
        theirs = Compositor.render_partial_update(compositor)
        if (ours is None) != (theirs is None):
            self.mismatches.append(f"one of them is None: {ours!r} {theirs!r}")
        elif ours is not None and theirs is not None:
            self.updates += 1
            console = self.app.console
            if ours.render_segments(console) != theirs.render_segments(console):
                self.mismatches.append(f"update {self.updates}: spans {theirs.spans[:4]}...")
        return ours


async def test_every_partial_update_of_a_duel_is_what_textual_would_send(
    tmp_path: Path,
) -> None:
    app, _ = make_app(tmp_path)
    async with app.run_test(size=(140, 40)) as pilot:
        compared = Compared(app)
        await send(pilot, "explain crdts in depth")
        await settle(pilot, app)
        await pilot.press("escape", "4", "right", "q", "c", "f", "w", "enter", "right", "2")
        await pilot.press("m", "pagedown", "m", "h", "h", "t", "t", "n")
        await pilot.pause()
        await pilot.press("escape", "b")
        await pilot.resize_terminal(100, 30)
        await pilot.pause()
        await pilot.resize_terminal(60, 16)
        await pilot.pause()
        await pilot.resize_terminal(140, 40)
        await send(pilot, "and now the follow-up")
        await settle(pilot, app)
        await pilot.pause()
    assert compared.mismatches == []
    assert compared.updates >= 20  # enough partial updates were compared to mean something


async def _duel_shown(pilot: Any, app: ModelduelApp) -> BandedCompositor:
    """A finished duel on screen; the screen's compositor."""
    await send(pilot, "explain crdts in depth")
    await settle(pilot, app)
    await pilot.pause()
    compositor = app.screen._compositor
    assert isinstance(compositor, BandedCompositor)
    return compositor


async def test_any_dirty_regions_repaint_what_textual_would_send(tmp_path: Path) -> None:
    """Regions of every shape (a few columns of one pane, spans ending on a widget's
    edge, several per line, over borders and scrollbars) give Textual's bytes."""
    app, _ = make_app(tmp_path)
    async with app.run_test(size=(140, 40)) as pilot:
        compositor = await _duel_shown(pilot, app)
        edges = sorted({cut for cuts in compositor.cuts for cut in cuts})
        rng = random.Random(7)
        console = app.console
        compared = 0
        for _ in range(300):
            regions = set()
            for _ in range(rng.randint(1, 5)):
                x = rng.choice(edges) if rng.random() < 0.5 else rng.randrange(140)
                end = rng.choice(edges) if rng.random() < 0.5 else rng.randrange(x, 141)
                y = rng.randrange(40)
                region = Region(x, y, max(1, end - x), rng.randint(1, 6))
                if region := region.intersection(compositor.size.region):
                    regions.add(region)
            compositor._dirty_regions.update(regions)
            ours = BandedCompositor.render_partial_update(compositor)
            compositor._dirty_regions.update(regions)
            theirs = Compositor.render_partial_update(compositor)
            assert (ours is None) == (theirs is None)
            compared += ours is not None
            if ours is not None and theirs is not None:
                sent = ours.render_segments(console)
                assert sent == theirs.render_segments(console), regions
        assert compared > 250


async def test_a_changed_body_line_renders_the_body_only(tmp_path: Path) -> None:
    """A line of a pane's body repaints without its border, scrollbar, the grid or the
    other panes being rendered (each costs Textual's styling of every line asked for)."""
    app, _ = make_app(tmp_path)
    async with app.run_test(size=(140, 40)) as pilot:
        compositor = await _duel_shown(pilot, app)
        body = app.screen.query("PaneBody").first()
        content = body.scrollable_content_region
        rendered: list[str] = []
        for widget in compositor.visible_widgets:
            original = widget.render_lines

            def spy(crop: Region, widget: Any = widget, original: Any = original) -> Any:
                rendered.append(type(widget).__name__)
                return original(crop)

            widget.render_lines = spy  # type: ignore[method-assign]
        compositor._dirty_regions.add(Region(content.x, content.y + 3, content.width, 2))
        update = compositor.render_partial_update()
        assert update is not None
        assert rendered == ["PaneBody"]
