"""`modelduel score` shows the checks a batch recorded, and `a` accepts them as in `suite`.

`modelduel run` saves each row when its run ends and adds the checks' counts to it (and
every result to the transcript) when they finish. Reopened, the panes showed no checks
line at all, though `suite` shows `checks ✗ tests · correctness: auto ✗ (a accepts)`.
"""

from __future__ import annotations

from pathlib import Path

from modelduel.config import Config, resolve_model
from modelduel.storage import read_rows, update_run
from modelduel.storage.transcript import append_transcript, read_transcripts
from modelduel.tui.app import AppSettings, ModelduelApp
from modelduel.tui.pane import ResponsePane
from modelduel.tui.recorded import recorded_views
from tests.test_tui import ENV, SPECS, ScriptedRunner, make_app, send, settle

FAILED_TESTS = {
    "name": "tests",
    "kind": "python_tests",
    "part": "correctness",
    "status": "fail",
    "reason": "the answer has no unified diff",
    "detail": "",
    "passed": None,
    "total": None,
}


async def recorded_as_run_does(tmp_path: Path, *, transcript_checks: bool = True) -> Path:
    """A recorded duel whose runs' checks were added afterwards, as `modelduel run` does."""
    app, csv_path = make_app(tmp_path)
    async with app.run_test(size=(160, 45)) as pilot:
        await send(pilot, "fix the retry")
        await settle(pilot, app)
    records = read_transcripts(csv_path)
    for row in read_rows(csv_path):
        update_run(csv_path, row["run_id"], {"checks_passed": 0, "checks_total": 1})
        if transcript_checks:
            append_transcript(csv_path, {**records[row["run_id"]], "checks": [FAILED_TESTS]})
    return csv_path


def reopened(csv_path: Path, *, blind: bool) -> ModelduelApp:
    views = recorded_views(csv_path, blind=blind)
    models = [resolve_model(spec, Config(), ENV) for spec in SPECS]
    settings = AppSettings(Config(), models, csv_path, blind=blind, recorded=tuple(views))
    return ModelduelApp(settings, lambda a: ScriptedRunner(a))


def stats_of(pane: ResponsePane) -> str:
    return str(pane.query_one(".pane-stats").render())


async def test_score_shows_the_recorded_checks_and_a_accepts_them(tmp_path: Path) -> None:
    csv_path = await recorded_as_run_does(tmp_path)
    app = reopened(csv_path, blind=True)
    async with app.run_test(size=(160, 45)) as pilot:
        await pilot.pause()
        await app.refresh_panes()
        panes = list(app.screen.query(ResponsePane))
        assert [p.model.label for p in panes] == ["A", "B", "C"]  # still blind
        for pane in panes:
            shown = stats_of(pane)
            assert "checks ✗ tests" in shown, shown
            assert "correctness: auto ✗ (a accepts)" in shown, shown
            assert "gpt" not in shown and "claude" not in shown and "gemini" not in shown
        app.screen.set_focus(panes[1])
        await pilot.press("a")
        await pilot.pause(0.1)
        await app.refresh_panes()
        spec = panes[1].model.spec
        row = next(r for r in read_rows(csv_path) if r["model"] == spec)
        assert (row["correctness"], row["score"]) == ("0", "")
        assert row["parts_source"] == "correctness=check"
        assert "(a accepts)" not in stats_of(panes[1])  # taken: offered no more
        assert "checks ✗ tests" in stats_of(panes[1])
    # reopened again, the accepted part is the checks' and is not offered a second time
    again = reopened(csv_path, blind=False)
    async with again.run_test(size=(160, 45)) as pilot:
        await pilot.pause()
        await again.refresh_panes()
        by_spec = {p.model.spec: p for p in again.screen.query(ResponsePane)}
        assert by_spec[spec].model.sources == {"correctness": "check"}
        assert "(a accepts)" not in stats_of(by_spec[spec])
        others = [p for s, p in by_spec.items() if s != spec]
        assert all("(a accepts)" in stats_of(p) for p in others)


async def test_counts_alone_in_the_csv_still_show(tmp_path: Path) -> None:
    # a suite in the duel screen records the counts in the row only
    csv_path = await recorded_as_run_does(tmp_path, transcript_checks=False)
    app = reopened(csv_path, blind=False)
    async with app.run_test(size=(160, 45)) as pilot:
        await pilot.pause()
        await app.refresh_panes()
        for pane in app.screen.query(ResponsePane):
            assert "checks ✗ 0/1 passed" in stats_of(pane), stats_of(pane)
            assert not pane.model.suggestions  # no result says which part they inform


async def test_a_rerun_of_a_recorded_pane_forgets_the_old_answers_checks(tmp_path: Path) -> None:
    csv_path = await recorded_as_run_does(tmp_path)
    app = reopened(csv_path, blind=False)
    async with app.run_test(size=(160, 45)) as pilot:
        await pilot.pause()
        panes = list(app.screen.query(ResponsePane))
        assert panes[0].model.checks_line
        app.screen.set_focus(panes[0])
        await pilot.press("r")
        await pilot.pause(0.1)
        # the new answer is not the one checked: `a` must not put the old verdict on it
        assert panes[0].model.checks_line == "" and not panes[0].model.suggestions
        assert panes[1].model.checks_line  # the others keep theirs
