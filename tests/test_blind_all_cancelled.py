"""A blind race cancelled whole reveals the names without saying every pane was scored
(fresh-eyes run: ctrl+c on a blind race said "every pane scored: names revealed" over
three unscored, cancelled panes)."""

from __future__ import annotations

from pathlib import Path

from modelduel.config import Config, resolve_model
from modelduel.tui.app import AppSettings, ModelduelApp
from tests.test_tui import ENV, SPECS, ScriptedRunner, send, settle


class CancelsAll(ScriptedRunner):
    async def cancel_all(self) -> None:
        self.cancelled.update(self.started)  # every run ends cancelled
        self.release.set()


async def test_a_blind_race_cancelled_whole_says_why_the_names_show(tmp_path: Path) -> None:
    config = Config()
    models = [resolve_model(spec, config, ENV) for spec in SPECS]
    settings = AppSettings(config=config, models=models, csv_path=tmp_path / "r.csv", blind=True)
    app = ModelduelApp(settings, lambda a: CancelsAll(a, hold=True))
    async with app.run_test(size=(140, 40)) as pilot:
        await send(pilot, "explain crdts")
        await pilot.pause(0.2)
        await pilot.press("escape", "ctrl+x")
        await settle(pilot, app)
        said = [n.message for n in app._notifications]  # type: ignore[attr-defined]
        assert app.view is not None and all(p.revealed for p in app.view.panes)
    assert not any("every pane scored" in line for line in said), said
    assert any("no pane can be scored" in line for line in said), said
