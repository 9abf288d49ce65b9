"""A row `modelduel route` refuses is named by the duel screen too: ctrl+r says the same
file:line complaint (and the fix) instead of routing without it, and the history says it
once rather than listing the row as an ordinary unscored run; history names a cancelled
run as cancelled."""

from __future__ import annotations

from pathlib import Path

from modelduel.config import Config, resolve_model
from modelduel.tui.app import AppSettings, ModelduelApp, Runner
from modelduel.tui.recorded import recorded_views

SPECS = ["openai/gpt-5.5", "anthropic/claude-opus-4-7"]
ENV = {"OPENAI_API_KEY": "k1", "ANTHROPIC_API_KEY": "k2"}
HEADER = (
    "task_id,task_type,model,score,time_to_first_useful_s,wall_time_s,input_tokens,"
    "output_tokens,cost_usd,manual_corrections,notes,run_id,duel_id,finish_reason,error"
)
GOOD = [f"t{i},coding,{SPECS[i % 2]},4,1.5,3,100,50,0.01,0,,r{i},d{i // 2},stop," for i in range(3)]
BAD = "t9,coding,openai/gpt-5.5,banana,1.5,3,100,50,-1e400,0,,r9,d9,stop,"
COMPLAINT = "c2.csv:5: column 'score': 'banana' is not a number"


class IdleRunner(Runner):
    """No duel is started: the screen reads the CSV only."""


def make_app(csv_path: Path) -> ModelduelApp:
    config = Config()
    models = [resolve_model(spec, config, ENV) for spec in SPECS]
    history = tuple(recorded_views(csv_path, blind=False))
    settings = AppSettings(config=config, models=models, csv_path=csv_path, history=history)
    return ModelduelApp(settings, lambda app: IdleRunner())


def messages(app: ModelduelApp) -> list[str]:
    return [n.message for n in app._notifications]  # type: ignore[attr-defined]


def write(path: Path, *rows: str) -> None:
    path.write_text(HEADER + "\n" + "\n".join(rows) + "\n", encoding="utf-8")


async def test_ctrl_r_names_the_bad_row_route_refuses(tmp_path: Path) -> None:
    csv_path = tmp_path / "c2.csv"
    write(csv_path, *GOOD, BAD)
    app = make_app(csv_path)
    async with app.run_test(size=(160, 45)) as pilot:
        await pilot.press("ctrl+r")
        await pilot.pause()
        assert type(app.screen).__name__ != "ReportScreen"
        said = messages(app)
        assert any(COMPLAINT in m and "fix or delete" in m for m in said), said
        assert not any("no scored runs" in m for m in said), said


async def test_history_says_a_bad_row_once(tmp_path: Path) -> None:
    csv_path = tmp_path / "c2.csv"
    write(csv_path, *GOOD, BAD)
    app = make_app(csv_path)
    async with app.run_test(size=(160, 45)) as pilot:
        await pilot.press("ctrl+o")
        await pilot.pause()
        assert type(app.screen).__name__ == "HistoryScreen"
        said = messages(app)
        assert any(COMPLAINT in m and "fix or delete" in m for m in said), said


async def test_history_names_a_cancelled_run_cancelled(tmp_path: Path) -> None:
    csv_path = tmp_path / "c3.csv"
    cancelled = "t5,coding,anthropic/claude-opus-4-7,,0.5,1,100,74,0.002,0,,r5,d5,cancelled,"
    write(csv_path, GOOD[0], cancelled + "cancelled: cancelled by the user")
    app = make_app(csv_path)
    async with app.run_test(size=(160, 45)) as pilot:
        await pilot.press("ctrl+o")
        await pilot.pause()
        entries = app.screen._entries  # type: ignore[attr-defined]
        details = [e.detail for e in entries]
        assert any("claude-opus-4-7: cancelled" in d for d in details), details
        assert not any("claude-opus-4-7: unscored" in d for d in details), details
