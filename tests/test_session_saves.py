"""The session's persistence rules without a screen: what is written, and that "saved" is
said only for what is on disk (`core.session_saves`)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from modelduel.core.scoring import Score
from modelduel.core.session_controller import SaveLedger
from modelduel.core.session_saves import SessionSaves, parts_source
from modelduel.storage import read_rows
from tests.support.fake_duel import FakeDuel, FakePane


def row(run_id: str) -> dict[str, object]:
    return {"task_id": "t", "task_type": "adhoc", "model": "m", "run_id": run_id}


def ended(saves: SessionSaves, duel: FakeDuel, *indices: int) -> None:
    for i in indices or range(len(duel.panes)):
        duel.running.discard(i)
        assert (
            saves.run_ended(duel.run_id(i), row(duel.run_id(i)), None, duel.panes[i], "m") is None
        )


def cells(path: Path, column: str) -> dict[str, str]:
    return {r["run_id"]: r[column] for r in read_rows(path)}


def test_a_rank_for_a_run_with_no_row_yet_is_kept_not_said_saved(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    saves = SessionSaves(SaveLedger(path))
    duel = FakeDuel.of("A", "B")
    ended(saves, duel, 0)  # B's row is not in the CSV yet
    assert saves.write_ranks(duel, [1, 0]) is None
    assert "saved" not in saves.last_save.replace("saved when", "")
    assert saves.last_save == "rank B > A kept; saved when B ends"
    assert cells(path, "rank") == {duel.ids[0]: "2"}
    ended(saves, duel, 1)  # the kept rank goes in with its row
    assert cells(path, "rank") == {duel.ids[0]: "2", duel.ids[1]: "1"}


def test_a_rank_on_disk_says_saved_and_a_failed_one_says_not_saved(tmp_path: Path) -> None:
    folder = tmp_path / "results"
    folder.mkdir()
    saves = SessionSaves(SaveLedger(folder / "r.csv"))
    duel = FakeDuel.of("A", "B")
    ended(saves, duel)
    assert saves.write_ranks(duel, [0]) is None and saves.last_save == "saved rank A"
    shutil.rmtree(folder)
    say = saves.write_ranks(duel, [1, 0])
    assert say is not None and say.severity == "error" and say.message.startswith("rank NOT saved")
    assert saves.last_save == "saved rank A"  # the last word on disk is unchanged
    text, problem = saves.status_tail()
    assert problem and "NOT saved" in text and "s retries" in text


def test_a_score_before_the_run_ends_is_kept_then_written_with_its_row(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    saves = SessionSaves(SaveLedger(path))
    duel = FakeDuel.of("A")
    duel.running.add(0)
    outcome = saves.change_score(duel, 0, lambda s: s.set_direct(4))
    assert outcome.applied and outcome.newly_scored and outcome.says == ()
    assert saves.last_save == "score 4/5 kept; saved when A ends"
    assert not path.exists()
    ended(saves, duel)
    assert cells(path, "score") == {duel.ids[0]: "4"}
    assert saves.change_score(duel, 0, lambda s: s.add_correction(1)).says == ()
    assert saves.last_save == "saved 4/5, 1 correction for A"


def test_a_score_that_fails_to_land_is_marked_and_retried(tmp_path: Path) -> None:
    folder = tmp_path / "results"
    folder.mkdir()
    path = folder / "r.csv"
    saves = SessionSaves(SaveLedger(path))
    duel = FakeDuel.of("A")
    ended(saves, duel)
    away = tmp_path / "away"
    folder.rename(away)
    outcome = saves.change_score(duel, 0, lambda s: s.set_direct(3))
    assert [s.severity for s in outcome.says] == ["error"]
    assert outcome.says[0].message.startswith("score NOT saved")
    saves.sync([duel])
    assert duel.panes[0].unsaved and not duel.panes[0].saved
    assert saves.retry().severity == "error"  # still gone
    away.rename(folder)  # the folder and its file are back
    assert saves.retry().message == "saved 1 pending run"
    saves.sync([duel])
    assert duel.panes[0].saved and not duel.panes[0].unsaved
    assert cells(path, "score") == {duel.ids[0]: "3"}
    assert saves.retry().message == "everything is saved"


def test_a_run_with_nothing_to_score_and_a_bad_value_write_nothing(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    saves = SessionSaves(SaveLedger(path))
    duel = FakeDuel.of("A")
    duel.empty_failures.add(0)
    ended(saves, duel)
    outcome = saves.change_score(duel, 0, lambda s: s.set_direct(0))
    assert not outcome.applied and outcome.says[0].severity == "warning"
    assert "nothing to score" in saves.last_save and not duel.panes[0].score.is_scored

    def bad(_: Score) -> Score:
        raise ValueError("quality must be 0 to 2, not 3")

    outcome = saves.change_score(duel, 0, bad)
    assert not outcome.applied and outcome.says[0].message.startswith("quality must be")
    assert cells(path, "score") == {duel.ids[0]: ""}


def test_blind_panes_write_blind_and_never_name_the_model_that_ended(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    saves = SessionSaves(SaveLedger(path))
    duel = FakeDuel.of("A", "B", blind=True)
    assert saves.run_ended(duel.ids[0], row(duel.ids[0]), None, duel.panes[0], "gpt-x") is None
    assert saves.last_save == "saved a run"
    ended(saves, duel, 1)
    saves.change_score(duel, 0, lambda s: s.set_direct(5))
    outcome = saves.change_score(duel, 1, lambda s: s.set_direct(2))
    assert [s.message for s in outcome.says] == ["every pane scored: names revealed"]
    assert all(p.revealed for p in duel.panes)
    assert set(cells(path, "blind").values()) == {"true"}
    assert saves.run_ended("run-x", row("run-x"), None, FakePane("x"), "gpt-x") is None
    assert saves.last_save == "saved gpt-x run"


def test_parts_source_names_who_gave_each_rubric_part() -> None:
    pane = FakePane("A")
    before = pane.score
    pane.score = Score(quality=2, format=1)
    assert parts_source(pane, before, {"format": "check"}) == "quality=person format=check"
    before, pane.score = pane.score, Score(quality=1, format=1)
    assert parts_source(pane, before, "judge") == "quality=judge format=check"
    before, pane.score = pane.score, Score()
    assert parts_source(pane, before, "person") is None and pane.sources == {}


def pending_saves(tmp_path: Path) -> tuple[SessionSaves, Path]:
    folder = tmp_path / "results"
    folder.mkdir()
    saves = SessionSaves(SaveLedger(folder / "r.csv"))
    duel = FakeDuel.of("A")
    ended(saves, duel)
    folder.rename(tmp_path / "away")  # `away` back to `folder` puts the file back
    saves.change_score(duel, 0, lambda s: s.set_direct(5))
    assert saves.ledger.pending and not saves.may_leave()
    return saves, folder


def test_quitting_with_something_unsaved(tmp_path: Path) -> None:
    saves, _ = pending_saves(tmp_path)
    assert saves.quit_choice(None).leave is False and not saves.quit_choice(None).ask_again
    retried = saves.quit_choice("retry")
    assert not retried.leave and retried.ask_again and retried.say is not None
    bad = saves.quit_choice(f"save:{tmp_path / 'missing' / 'x.csv'}")
    assert not bad.leave and bad.ask_again and bad.say is not None
    assert bad.say.message.startswith("could not save to")
    elsewhere = tmp_path / "elsewhere.csv"
    saved = saves.quit_choice(f"save:{elsewhere}")
    assert saved.leave and saved.say is not None and saved.say.message.startswith("saved 1 run to")
    assert read_rows(elsewhere)[0]["score"] == "5"
    assert saves.may_leave()


@pytest.mark.parametrize("fix", ["discard", "retry"])
def test_quitting_after_discarding_or_a_retry_that_lands(tmp_path: Path, fix: str) -> None:
    saves, folder = pending_saves(tmp_path)
    if fix == "retry":
        (tmp_path / "away").rename(folder)
    assert saves.quit_choice(fix).leave
    assert not saves.ledger.pending


def test_an_exit_that_cannot_ask_writes_a_recovery_file(tmp_path: Path) -> None:
    saves, _ = pending_saves(tmp_path)
    state = tmp_path / "state"
    note = saves.save_recovery(tmp_path / "results" / "r.csv", "20260101-000000", lambda: state)
    recovered = state / "r-unsaved-20260101-000000.csv"
    assert note.endswith(f"saved to {recovered} instead") and note.startswith("1 run could not")
    assert read_rows(recovered)[0]["score"] == "5"
    assert saves.save_recovery(tmp_path / "results" / "r.csv", "x", lambda: state) == ""


def test_a_recovery_that_fails_everywhere_says_so(tmp_path: Path) -> None:
    saves, _ = pending_saves(tmp_path)

    def no_home() -> Path:
        raise RuntimeError("no home directory")

    note = saves.save_recovery(tmp_path / "results" / "r.csv", "s", no_home)
    assert "NOT saved" in note and "the recovery files failed too" in note
    assert saves.ledger.pending  # nothing was marked saved


def test_a_run_cancelled_before_any_answer_cannot_be_scored(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    saves = SessionSaves(SaveLedger(path))
    duel = FakeDuel.of("A")
    duel.empty_failures.add(0)
    duel.cancelled_panes.add(0)
    ended(saves, duel)
    outcome = saves.change_score(duel, 0, lambda s: s.set_direct(4))
    assert not outcome.applied
    assert "A was cancelled with no output: nothing to score" in saves.last_save
    assert cells(path, "score") == {duel.ids[0]: ""}


def test_a_moved_results_file_is_not_saved_and_s_saves_into_it_once_back(
    tmp_path: Path,
) -> None:
    """`mv r.csv moved.csv` while the session runs: a score is NOT saved (never a new
    one-row r.csv said "saved"), and `s` after moving it back writes it into that file."""
    path = tmp_path / "r.csv"
    saves = SessionSaves(SaveLedger(path))
    duel = FakeDuel.of("A", "B")
    ended(saves, duel)
    moved = tmp_path / "moved.csv"
    path.rename(moved)
    outcome = saves.change_score(duel, 0, lambda s: s.set_direct(4))
    [say] = outcome.says
    assert say.severity == "error" and say.message.startswith("score NOT saved")
    assert f"results file {path} was moved or deleted since the session opened it" in say.message
    assert "s retries after you put it back, or quit to save elsewhere" in say.message
    assert not path.exists()  # no new file holding only that row
    assert saves.last_save != "saved 4/5 for A"
    saves.sync([duel])
    assert duel.panes[0].unsaved and not duel.panes[0].saved
    assert duel.panes[1].saved  # its row is in the moved file, unchanged
    text, problem = saves.status_tail()
    assert problem and "1 run NOT saved" in text and "moved or deleted" in text
    # a run that ends meanwhile is not appended to a new file either
    duel.panes.append(FakePane("C"))
    duel.ids.append("run-C")
    assert saves.run_ended("run-C", row("run-C"), None, duel.panes[2], "m") is not None
    assert not path.exists()
    moved.rename(path)
    assert saves.retry().message == "saved 2 pending runs"
    saves.sync([duel])
    assert all(p.saved and not p.unsaved for p in duel.panes)
    assert cells(path, "score") == {duel.ids[0]: "4", duel.ids[1]: "", "run-C": ""}


def test_a_deleted_results_file_stays_not_saved_and_quit_can_save_elsewhere(
    tmp_path: Path,
) -> None:
    path = tmp_path / "r.csv"
    saves = SessionSaves(SaveLedger(path))
    duel = FakeDuel.of("A")
    ended(saves, duel)
    path.unlink()
    outcome = saves.change_score(duel, 0, lambda s: s.set_direct(2))
    assert "was moved or deleted since the session opened it" in outcome.says[0].message
    assert not path.exists()
    retried = saves.retry()
    assert retried.severity == "error" and "moved or deleted" in retried.message
    assert not path.exists()  # retrying never starts a new file with one row
    out = saves.quit_choice(f"save:{tmp_path / 'elsewhere.csv'}")
    assert out.leave
    assert cells(tmp_path / "elsewhere.csv", "score") == {duel.ids[0]: "2"}


def test_a_replaced_results_file_is_not_written(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    saves = SessionSaves(SaveLedger(path))
    duel = FakeDuel.of("A")
    ended(saves, duel)
    other = tmp_path / "other.csv"
    SaveLedger(other).record_run("run-x", row("run-x"), None)
    other.replace(path)  # another results file now sits at the path
    outcome = saves.change_score(duel, 0, lambda s: s.set_direct(1))
    assert "was replaced since the session opened it" in outcome.says[0].message
    assert cells(path, "score") == {"run-x": ""}


def test_a_new_session_creates_its_file_and_sees_another_writers_rewrite(
    tmp_path: Path,
) -> None:
    """No file yet: the first row creates it. Another writer's atomic rewrite (a new
    inode, every row kept) is the same file, not a replaced one."""
    path = tmp_path / "r.csv"
    assert not path.exists()
    saves = SessionSaves(SaveLedger(path))
    duel = FakeDuel.of("A")
    ended(saves, duel)
    assert cells(path, "score") == {duel.ids[0]: ""}
    other = SaveLedger(path)
    other.record_run("run-o", row("run-o"), None)
    assert other.record_changes("run-o", {"score": 5})  # renames a copy over the file
    assert saves.change_score(duel, 0, lambda s: s.set_direct(3)).says == ()
    assert cells(path, "score") == {duel.ids[0]: "3", "run-o": "5"}
