"""A recorded duel (`modelduel score`, a resumed suite) shows its answers.

Its panes were blank: the body was laid out once at a narrow width, following the end,
and the floor of that layout held the view far below the text once it re-wrapped at the
real width (every drawn line was past the content). The test reads the lines the body
draws, as the screen does."""

from __future__ import annotations

from pathlib import Path

import pytest

from modelduel.config import Config, resolve_model
from modelduel.tui.app import AppSettings, ModelduelApp
from modelduel.tui.pane import ResponsePane
from modelduel.tui.recorded import recorded_views
from tests import test_tui
from tests.test_tui import ENV, SPECS, ScriptedRunner, make_app, send, settle


def reopened(csv_path: Path, *, blind: bool) -> ModelduelApp:
    """The app on the duels recorded in `csv_path` (what `modelduel score` opens)."""
    views = recorded_views(csv_path, blind=blind)
    models = [resolve_model(spec, Config(), ENV) for spec in SPECS]
    settings = AppSettings(Config(), models, csv_path, blind=blind, recorded=tuple(views))
    return ModelduelApp(settings, lambda a: ScriptedRunner(a))


async def test_every_pane_of_a_recorded_duel_draws_its_answer(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # answers several screens long, in paragraphs and a list: what a model writes
    long = "\n\n".join(
        f"Paragraph {i} says something about caching and its trade-offs." for i in range(40)
    )
    for model_id, (ttft_ms, _) in list(test_tui.SCRIPT.items()):
        monkeypatch.setitem(test_tui.SCRIPT, model_id, (ttft_ms, long))
    app, csv_path = make_app(tmp_path)
    async with app.run_test(size=(160, 45)) as pilot:
        await send(pilot, "first prompt")
        await settle(pilot, app)
    again = reopened(csv_path, blind=True)
    async with again.run_test(size=(160, 45)) as pilot:
        await pilot.pause()
        await pilot.pause(0.3)
        for pane in again.screen.query(ResponsePane):
            body = pane._body
            drawn = "".join(body.render_line(y).text for y in range(body.size.height))
            assert drawn.strip(), f"pane {pane.model.label} is blank"
            # a recorded answer is read from its start, not its end
            assert "Paragraph 0 " in drawn, drawn[:200]


async def test_the_tick_between_a_duel_and_a_smaller_one_reads_only_the_new_panes(
    tmp_path: Path,
) -> None:
    # `score` going on to a duel of fewer panes: the view changes before the old duel's
    # panes are replaced, and the tick read pane 2 of a one-pane duel (IndexError, a crash)
    import dataclasses

    from modelduel.tui.panegrid import refresh_pane

    app, csv_path = make_app(tmp_path)
    async with app.run_test(size=(160, 45)) as pilot:
        await send(pilot, "first prompt")
        await settle(pilot, app)
    again = reopened(csv_path, blind=False)
    async with again.run_test(size=(160, 45)) as pilot:
        await pilot.pause()
        view = again.view
        assert view is not None and len(again.screen.query(ResponsePane)) == 3
        solo = dataclasses.replace(
            view, duel_id="solo", panes=[dataclasses.replace(view.panes[0])], rows=view.rows[:1]
        )
        again.view = solo  # what show_view does first, before the panes are rebuilt
        await again.refresh_panes()
        assert await refresh_pane(again, 2) is None
        assert await refresh_pane(again, 0) is None  # the old duel's pane, not the new one's
