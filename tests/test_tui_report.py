"""The TUI's routing report (ctrl+r): the same report `modelduel route` prints, warnings too.

The screen is read back as the text the terminal would show (the compositor's strips),
so a note that is built but never drawn fails these tests.
"""

from __future__ import annotations

from pathlib import Path

from modelduel.config import Config, resolve_model
from modelduel.tui.app import AppSettings, ModelduelApp, Runner

SPECS = ["openai/gpt-5.5", "anthropic/claude-opus-4-7"]
ENV = {"OPENAI_API_KEY": "k1", "ANTHROPIC_API_KEY": "k2"}
HEADER = (
    "task_id,task_type,model,score,time_to_first_useful_s,wall_time_s,input_tokens,"
    "output_tokens,cost_usd,manual_corrections,notes,run_id,simulated"
)


class IdleRunner(Runner):
    """No duel is started in these tests; the report reads the CSV only."""


def make_app(csv_path: Path) -> ModelduelApp:
    config = Config()
    models = [resolve_model(spec, config, ENV) for spec in SPECS]
    settings = AppSettings(config=config, models=models, csv_path=csv_path)
    return ModelduelApp(settings, lambda app: IdleRunner())


def screen_text(app: ModelduelApp) -> str:
    strips = app.screen._compositor.render_strips()
    return "\n".join("".join(seg.text for seg in strip) for strip in strips)


def write_runs(path: Path, simulated: str) -> None:
    rows = [
        f"t{i},coding,{SPECS[i % 2]},{4 + i % 2},1.5,3,100,50,0.01,0,,r{i},{simulated}"
        for i in range(6)
    ]
    path.write_text(HEADER + "\n" + "\n".join(rows) + "\n", encoding="utf-8")


async def test_report_of_simulated_runs_shows_the_simulated_note(tmp_path: Path) -> None:
    csv_path = tmp_path / "results.csv"
    write_runs(csv_path, "true")
    app = make_app(csv_path)
    async with app.run_test(size=(160, 45)) as pilot:
        await pilot.press("ctrl+r")
        await pilot.pause()
        assert type(app.screen).__name__ == "ReportScreen"
        text = screen_text(app)
        assert "Routing by quality-per-cost" in text
        assert "all of these runs are SIMULATED (demo mode), not real model output" in text


async def test_report_of_real_runs_has_no_simulated_note(tmp_path: Path) -> None:
    csv_path = tmp_path / "results.csv"
    write_runs(csv_path, "false")
    app = make_app(csv_path)
    async with app.run_test(size=(160, 45)) as pilot:
        await pilot.press("ctrl+r")
        await pilot.pause()
        text = screen_text(app)
        assert "Routing by quality-per-cost" in text
        assert "SIMULATED" not in text


async def test_report_of_a_csv_without_scored_runs_says_so(tmp_path: Path) -> None:
    csv_path = tmp_path / "results.csv"
    csv_path.write_text(HEADER + "\n", encoding="utf-8")
    app = make_app(csv_path)
    async with app.run_test(size=(160, 45)) as pilot:
        await pilot.press("ctrl+r")
        await pilot.pause()
        assert type(app.screen).__name__ != "ReportScreen"  # no empty report
        messages = [n.message for n in app._notifications]
        assert any("no scored runs" in m for m in messages), messages
