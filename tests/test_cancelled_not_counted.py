"""A cancelled run's score never counts: the routing rule (rows and columns alike), the
session's writes (a score given mid-run is dropped when the run ends cancelled; a
cancelled run with a partial answer cannot be scored) and the duel screen."""

from __future__ import annotations

from pathlib import Path

from modelduel.core.comparisons import comparisons
from modelduel.core.preference import coded_runs
from modelduel.core.routing import compute_stats, compute_table_stats
from modelduel.core.routing_rows import load_route_rows, load_route_table
from modelduel.core.scoring import Score
from modelduel.core.session_controller import SaveLedger
from modelduel.core.session_saves import SessionSaves
from modelduel.storage import read_rows
from tests.support.fake_duel import FakeDuel

HEADER = (
    "task_id,task_type,model,score,time_to_first_useful_s,wall_time_s,input_tokens,"
    "output_tokens,cost_usd,manual_corrections,notes,run_id,finish_reason,error"
)
ROWS = [
    "t1,coding,m/a,3,1,2,10,10,0.02,0,,r1,stop,",
    "t1,coding,m/b,2,1,2,10,10,0.01,0,,r2,stop,",
    # cancelled with a partial answer, scored anyway (an older app, or a hand edit)
    "t2,coding,m/b,5,1,2,10,74,0.001,0,,r3,cancelled,cancelled: cancelled by the user",
]


def _csv(tmp_path: Path) -> Path:
    path = tmp_path / "c.csv"
    path.write_text(HEADER + "\n" + "\n".join(ROWS) + "\n", encoding="utf-8")
    return path


def test_route_rows_ignore_a_cancelled_row_with_a_score(tmp_path: Path) -> None:
    rows = load_route_rows([_csv(tmp_path)]).rows
    cells = {c.model: c for c in compute_stats(rows)}
    assert cells["m/b"].runs == 1 and cells["m/b"].scores == [2.0]
    assert cells["m/b"].success_runs == 0 and cells["m/b"].total_cost_usd == 0.01


def test_route_table_ignores_a_cancelled_row_with_a_score(tmp_path: Path) -> None:
    table = load_route_table([_csv(tmp_path)]).table
    cells = {c.model: c for c in compute_table_stats(table)}
    assert cells["m/b"].runs == 1 and cells["m/b"].scores == [2.0]
    assert cells["m/b"].success_runs == 0 and cells["m/b"].total_cost_usd == 0.01


def _row(run_id: str, finish: str) -> dict[str, object]:
    error = "cancelled: cancelled by the user" if finish == "cancelled" else None
    return {
        "task_id": "t",
        "task_type": "adhoc",
        "model": "m",
        "run_id": run_id,
        "finish_reason": finish,
        "error": error,
    }


def test_a_score_given_mid_run_is_dropped_when_the_run_ends_cancelled(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    saves = SessionSaves(SaveLedger(path))
    duel = FakeDuel.of("A")
    duel.running.add(0)
    saves.change_score(duel, 0, lambda s: s.set_direct(4).with_note("kept note"))
    duel.running.discard(0)
    duel.cancelled_panes.add(0)
    say = saves.run_ended(duel.ids[0], _row(duel.ids[0], "cancelled"), None, duel.panes[0], "m")
    assert say is not None and "score dropped: the run was cancelled" in say.message
    assert not duel.panes[0].score.is_scored and duel.panes[0].score.note == "kept note"
    (row,) = read_rows(path)
    assert row["score"] == "" and row["notes"] == "kept note"


def test_a_cancelled_run_with_a_partial_answer_cannot_be_scored(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    saves = SessionSaves(SaveLedger(path))
    duel = FakeDuel.of("A")
    duel.cancelled_panes.add(0)  # cancelled, with text (not in empty_failures)
    run_row = _row(duel.ids[0], "cancelled")
    assert saves.run_ended(duel.ids[0], run_row, None, duel.panes[0], "m") is None
    outcome = saves.change_score(duel, 0, lambda s: s.set_direct(5))
    assert not outcome.applied
    assert outcome.says and "was cancelled" in outcome.says[0].message
    assert duel.panes[0].score == Score()
    assert read_rows(path)[0]["score"] == ""
    # clearing, a note and corrections are not scores: still allowed
    assert saves.change_score(duel, 0, lambda s: s.add_correction(1)).applied


async def test_duel_screen_drops_a_mid_race_score_when_the_run_is_cancelled(tmp_path: Path) -> None:
    from tests.test_tui import SPECS, ScriptedRunner, make_app, send, settle

    app, csv_path = make_app(tmp_path, hold=True)
    async with app.run_test(size=(140, 40)) as pilot:
        await send(pilot, "go")
        await pilot.pause(0.1)
        await pilot.press("escape", "4")  # pane 0 scored mid-race; the focus moves on
        assert app.view is not None and app.view.panes[0].score.is_scored
        await pilot.press("shift+tab", "x")  # back to pane 0: cancel it
        runner = app.runner
        assert isinstance(runner, ScriptedRunner)
        await settle(pilot, app)
        view = app.view
        assert view.cancelled(0) and view.stats(0).text  # a partial answer
        assert not view.panes[0].score.is_scored
        rows = {r["model"]: r for r in read_rows(csv_path)}
        assert rows[SPECS[0]]["error"].startswith("cancelled") and rows[SPECS[0]]["score"] == ""
        notices = [n.message for n in app._notifications]  # type: ignore[attr-defined]
        assert any("score dropped: the run was cancelled" in m for m in notices)
        await pilot.press("5")  # the cancelled partial answer cannot be scored after the cancel
        assert not view.panes[0].score.is_scored
        assert {r["model"]: r for r in read_rows(csv_path)}[SPECS[0]]["score"] == ""


async def test_a_blind_duel_with_a_cancelled_partial_pane_reveals_once_the_rest_is_scored(
    tmp_path: Path,
) -> None:
    from tests.test_tui import make_app, send, settle

    app, _ = make_app(tmp_path, blind=True, hold=True)
    async with app.run_test(size=(140, 40)) as pilot:
        await send(pilot, "go")
        await pilot.pause(0.1)
        await pilot.press("escape", "x")  # pane A cancelled, with a partial answer
        await settle(pilot, app)
        view = app.view
        assert view is not None and view.cancelled(0) and view.stats(0).text
        await pilot.press("4")  # refused: a cancelled run cannot be scored
        assert not view.panes[0].score.is_scored
        await pilot.press("tab", "4", "5")
        assert view.panes[1].score.is_scored and view.panes[2].score.is_scored
        assert not any(p.hidden for p in view.panes)  # A cannot be scored: it holds nothing back


async def test_a_blind_duel_reveals_when_its_last_run_ends_cancelled(tmp_path: Path) -> None:
    from tests.test_tui import make_app, send, settle

    app, _ = make_app(tmp_path, blind=True, hold=True)
    async with app.run_test(size=(140, 40)) as pilot:
        await send(pilot, "go")
        await pilot.pause(0.1)
        await pilot.press("escape", "tab", "4", "5")  # B and C scored while they run
        view = app.view
        assert view is not None and view.panes[1].score.is_scored
        assert view.panes[2].score.is_scored and not view.panes[0].score.is_scored
        await pilot.press("x")  # the focus is back on A: cancel it
        await settle(pilot, app)
        assert view.cancelled(0)
        assert not any(p.hidden for p in view.panes)  # nothing left that could be scored


def test_a_cancelled_rows_score_makes_no_comparison_in_its_duel() -> None:
    """The preference table (ctrl+r, `route`'s head-to-head) reads the same rule."""

    def row(model: str, score: str, finish: str) -> dict[str, str]:
        return {
            "task_type": "coding",
            "model": model,
            "duel_id": "d1",
            "score": score,
            "rank": "",
            "finish_reason": finish,
        }

    assert comparisons([row("m/a", "3", "stop"), row("m/b", "5", "cancelled")]) == []
    assert len(comparisons([row("m/a", "3", "stop"), row("m/b", "5", "stop")])) == 1


RANKED_HEADER = HEADER.replace(",notes,", ",") + ",duel_id,rank,notes"
RANKED_ROWS = [
    # ranked first while it streamed (an older app, a hand edit), then cancelled
    "t1,coding,m/a,,1,2,10,10,0.001,0,r1,cancelled,cancelled: cancelled by the user,d1,1,",
    "t1,coding,m/b,,1,2,10,10,0.02,0,r2,stop,,d1,2,",
    "t1,coding,m/c,,1,2,10,10,0.02,0,r3,stop,,d1,3,",
]


def test_a_cancelled_rows_rank_makes_no_comparison_in_its_duel() -> None:
    def row(model: str, rank: str, finish: str) -> dict[str, str]:
        cells = dict(task_type="coding", model=model, duel_id="d1", score="", rank=rank)
        return {**cells, "finish_reason": finish}

    rows = [row("m/a", "1", "cancelled"), row("m/b", "2", "stop"), row("m/c", "3", "stop")]
    (only,) = comparisons(rows)
    assert (only.first, only.second, only.first_wins) == ("m/b", "m/c", True)
    coded = coded_runs(rows)
    assert [coded.models[m] for m in coded.model] == ["m/b", "m/c"]


def test_routes_column_paths_read_a_cancelled_rank_as_empty(tmp_path: Path) -> None:
    """Both ways `route` reads a CSV (the byte scan of a plain file, the row-checked
    chunks of one it is not sure of: a quoted cell it reads) leave the cancelled run out."""
    for task_type in ("coding", '"coding"'):
        path = tmp_path / "ranked.csv"
        body = "\n".join(line.replace("coding", task_type) for line in RANKED_ROWS)
        path.write_text(RANKED_HEADER + "\n" + body + "\n", encoding="utf-8")
        coded = load_route_table([path]).table.coded_runs()
        assert [coded.models[m] for m in coded.model] == ["m/b", "m/c"], task_type
        assert coded.rank.tolist() == [2.0, 3.0], task_type
