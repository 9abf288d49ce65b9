"""A `run` stopped while a task's duel is in flight resumes into the same duel.

Ctrl+C mid-duel leaves the models that finished saved and the one still streaming saved
as cancelled. The same command again runs that model only, and its new row joins the
duel the others are in (same `duel_id`), so `score` shows the task's answers side by
side: one duel, every model, the cancelled row kept in the CSV but not shown as a pane.
"""

from __future__ import annotations

import os
import signal
from pathlib import Path

from modelduel.storage import read_rows, read_transcripts
from tests.support.cli import FAST, SLOW, modelduel, start, wait_for, write_config

GEMINI = "gemini/gemini-3.1-pro-preview"  # fast in the test profiles, like FAST


def write_one_task_suite(directory: Path) -> Path:
    suite = directory / "suite"
    suite.mkdir()
    (suite / "t0.toml").write_text(
        'id = "t0"\ntype = "research_summary"\ntitle = "T"\nprompt = "Say 0."\n'
        'criteria = ["a"]\noutput_format = "Text."\n',
        encoding="utf-8",
    )
    return suite


def test_resume_runs_the_missing_model_in_the_interrupted_duel(tmp_path: Path) -> None:
    from modelduel.tui.recorded import recorded_views

    csv_path = tmp_path / "r.csv"
    config = write_config(tmp_path)
    suite = write_one_task_suite(tmp_path)
    args = ("run", suite, "--demo", "--config", config, "--csv", csv_path)
    args += ("-m", FAST, "-m", SLOW, "-m", GEMINI)
    proc = start(*args, cwd=tmp_path)
    try:
        # FAST and GEMINI are saved: SLOW is streaming now
        assert wait_for(lambda: len(read_rows(csv_path)) == 2, 60)
        os.killpg(proc.pid, signal.SIGINT)
        _, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 130, err
    before = read_rows(csv_path)
    assert sorted((r["model"], r["finish_reason"]) for r in before) == [
        (FAST, "stop"),
        (GEMINI, "stop"),
        (SLOW, "cancelled"),
    ]
    duel_id = before[0]["duel_id"]
    assert {r["duel_id"] for r in before} == {duel_id}

    config.write_text(config.read_text().replace("tps = 15\n", "tps = 3000\n"), encoding="utf-8")
    again = modelduel(*args, cwd=tmp_path, timeout=120)
    assert again.returncode == 0, again.stderr
    assert b"resuming: 2 of 3 runs already in" in again.stderr
    after = read_rows(csv_path)
    assert after[:3] == before, "the rows saved before ctrl+c stay, the cancelled one too"
    assert [(r["model"], r["finish_reason"]) for r in after[3:]] == [(SLOW, "stop")]
    new = after[3]
    assert new["duel_id"] == duel_id, "the resumed run is one more run of the same duel"
    cancelled = next(r for r in before if r["model"] == SLOW)
    assert new["pane"] == cancelled["pane"], "it takes the pane its cancelled run had"
    assert read_transcripts(csv_path)[new["run_id"]]["duel_id"] == duel_id

    # `score` opens one duel for the task, with every model's answer, the new SLOW run's
    views = recorded_views(csv_path, blind=False)
    assert len(views) == 1
    (view,) = views
    assert view.duel_id == duel_id
    assert sorted(p.spec for p in view.panes) == sorted([FAST, SLOW, GEMINI])
    shown = {view.panes[i].spec: view.run_id(i) for i in range(len(view.panes))}
    assert shown[SLOW] == new["run_id"]
    assert not any(view.cancelled(i) for i in range(len(view.panes)))

    # blind (as `score` opens it): three panes to score, and scoring them reveals the names
    # (a cancelled pane with text could be scored by no key and would hold them back)
    from modelduel.core.scoring import Score

    (blind,) = recorded_views(csv_path, blind=True)
    assert len(blind.panes) == 3 and all(p.hidden for p in blind.panes)
    for pane in blind.panes:
        pane.score = Score().set_direct(4)
    assert blind.reveal_if_scored()
