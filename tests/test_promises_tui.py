"""Duel-screen promises asserted on the CSV and the screen, through a Textual pilot.

Each test was written against a hand-made mutation the rest of the suite let through:
the `f` and `w` rubric keys swapped, and an empty routing report.
"""

from __future__ import annotations

import asyncio
import io
from pathlib import Path
from typing import Any

from rich.console import Console
from textual.widgets import Static

from modelduel.config import Config, resolve_model
from modelduel.core.duel import RunPlan
from modelduel.core.routing import choose_routes, compute_stats
from modelduel.events import Finished, RequestSent, Stamped, TextDelta, Usage
from modelduel.storage import read_rows
from modelduel.tui.app import AppSettings, ModelduelApp, Runner

SPECS = ["openai/gpt-5.5", "anthropic/claude-opus-4-7", "gemini/gemini-3.1-pro-preview"]
ENV = {"OPENAI_API_KEY": "k1", "ANTHROPIC_API_KEY": "k2", "GEMINI_API_KEY": "k3"}
T0 = 5_000_000_000


class InstantRunner(Runner):
    """Every run answers at once with fixed stamps and usage, then ends."""

    def __init__(self, app: ModelduelApp) -> None:
        self.app = app

    async def start(self, plans: list[Any]) -> None:
        for plan in plans:
            assert isinstance(plan, RunPlan)
            asyncio.get_running_loop().call_soon(self._play, plan.run_id)

    def _play(self, run_id: str) -> None:
        sink = self.app.sink
        sink(run_id, Stamped(T0, RequestSent(0)))
        sink(run_id, Stamped(T0 + 400_000_000, TextDelta("An answer.")))
        sink(run_id, Stamped(T0 + 900_000_000, Usage(1000, 0, 400)))
        sink(run_id, Stamped(T0 + 900_000_000, Finished("stop", "stop")))
        self.app.run_ended(run_id)


def make_app(tmp_path: Path) -> tuple[ModelduelApp, Path]:
    config = Config()
    models = [resolve_model(spec, config, ENV) for spec in SPECS]
    csv_path = tmp_path / "results.csv"
    return ModelduelApp(AppSettings(config, models, csv_path), InstantRunner), csv_path


async def duel(pilot: Any, csv_path: Path) -> None:
    """Send a prompt and wait until every run's row is in the CSV; focus the first pane."""
    await pilot.click("#prompt")
    await pilot.press("h", "i", "ctrl+j")
    for _ in range(300):
        await pilot.pause(0.02)
        if csv_path.exists() and len(read_rows(csv_path)) == len(SPECS):
            break
    assert len(read_rows(csv_path)) == len(SPECS)
    await pilot.press("escape")


def by_model(csv_path: Path) -> dict[str, dict[str, str]]:
    return {r["model"]: r for r in read_rows(csv_path)}


async def test_f_scores_format_and_w_scores_no_rework(tmp_path: Path) -> None:
    """The rubric keys do what the help says: `f` format compliance, `w` no rework."""
    app, csv_path = make_app(tmp_path)
    async with app.run_test(size=(140, 40)) as pilot:
        await duel(pilot, csv_path)
        await pilot.press("f")
        await pilot.press("right", "w")
        await pilot.pause()
        rows = by_model(csv_path)
    first, second = rows[SPECS[0]], rows[SPECS[1]]
    # one part set is not a score yet (the rubric is half done): the parts land alone
    assert (first["format"], first["rework"], first["score"]) == ("1", "", "")
    assert (second["format"], second["rework"], second["score"]) == ("", "1", "")
    assert rows[SPECS[2]]["score"] == ""


def screen_text(app: ModelduelApp) -> str:
    out = io.StringIO()
    console = Console(file=out, width=200, color_system=None)
    for widget in app.screen.query(Static):
        console.print(widget.content)
    return out.getvalue()


async def test_the_routing_report_shows_the_routes_of_the_csv(tmp_path: Path) -> None:
    """ctrl+r shows the routing report of the results CSV: the same routes `modelduel
    route` computes from it, not an empty screen."""
    app, csv_path = make_app(tmp_path)
    async with app.run_test(size=(160, 50)) as pilot:
        await duel(pilot, csv_path)
        await pilot.press("5", "3", "4")  # focus moves on after each score
        await pilot.pause()
        await pilot.press("ctrl+r")
        await pilot.pause()
        assert type(app.screen).__name__ == "ReportScreen"
        text = screen_text(app)
    routes = choose_routes(compute_stats(read_rows(csv_path)))
    (task_type,) = routes
    assert "3 scored runs" in text
    route_lines = [line for line in text.splitlines() if task_type in line]
    assert any(routes[task_type].model in line for line in route_lines), text
    for spec in SPECS:  # every model's figures are in the report
        assert spec in text or spec.split("/", 1)[1] in text, spec
