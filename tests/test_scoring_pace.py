"""The scoring flow's Textual-free parts: the measured pace, the progress line, ranks, recovery."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from modelduel.core.rank_entry import rank_cells
from modelduel.core.scoring_pace import ScoringPace, progress_line
from modelduel.core.session_controller import SaveLedger
from modelduel.errors import CsvError


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_no_estimate_until_a_pace_is_measured() -> None:
    clock = Clock()
    pace = ScoringPace(clock)
    assert progress_line(27, 30, pace) == "scored 27/30 · 3 left"
    pace.scored()  # scored before any duel was ready: no interval to measure yet
    assert pace.seconds_per_pane is None
    clock.now += 80
    pace.scored()
    assert pace.intervals == [80]
    assert progress_line(27, 30, pace) == "scored 27/30 · 3 left, ~4 min at your pace"
    assert progress_line(30, 30, pace) == "scored 30/30"


def test_the_pace_is_the_median_and_a_break_is_left_out() -> None:
    clock = Clock()
    pace = ScoringPace(clock)
    pace.ready()
    for gap in (10, 12, 3600, 14):  # an hour away from the keyboard is not a pace
        clock.now += gap
        pace.scored()
    assert pace.intervals == [10, 12, 14]
    assert pace.seconds_per_pane == 12
    assert pace.estimate(2) == "~24 s"
    assert pace.estimate(10) == "~2 min"
    assert pace.estimate(0) == ""


def test_ready_restarts_the_clock_for_a_new_duel() -> None:
    clock = Clock()
    pace = ScoringPace(clock)
    pace.ready()
    clock.now += 5
    pace.scored()
    clock.now += 300  # the next duel's race: not scoring time
    pace.ready()
    clock.now += 7
    pace.scored()
    assert pace.intervals == [5, 7]


def test_rank_cells_from_an_order() -> None:
    assert rank_cells([1], 3) == [None, 1, None]
    assert rank_cells([2, 0, 1], 3) == [2, 3, 1]
    assert rank_cells([], 2) == [None, None]


def test_recovery_goes_to_the_first_file_that_takes_it(tmp_path: Path) -> None:
    written: dict[Path, list[Mapping[str, object]]] = {}

    def append(path: Path, row: Mapping[str, object], _t: Mapping[str, object] | None) -> None:
        if path.parent.name == "gone":
            raise CsvError(f"{path}: No such file or directory")
        written.setdefault(path, []).append(dict(row))

    def update(path: Path, run_id: str, changes: Mapping[str, object]) -> None:
        raise CsvError("disk full")

    ledger = SaveLedger(tmp_path / "gone" / "r.csv", append=append, update=update)
    ledger.know("run-1", {"run_id": "run-1", "score": None})
    ledger.record_changes("run-1", {"score": 4})
    assert ledger.pending
    first, second = tmp_path / "gone" / "rec.csv", tmp_path / "state" / "rec.csv"
    where, errors = ledger.save_recovery([first, second])
    assert where == second and len(errors) == 1 and str(first) in errors[0]
    assert written[second] == [{"run_id": "run-1", "score": 4}]
    assert not ledger.pending


def test_a_burst_of_keys_is_not_a_pace() -> None:
    # three panes scored by keys typed together (3 4 2 in 60 ms): nobody read three answers
    # in that time, so "~1 s at your pace" for the 27 left would be a guess dressed as a
    # measure; such intervals are left out until a real one is measured
    clock = Clock()
    pace = ScoringPace(clock)
    pace.ready()
    for _ in range(3):
        clock.now += 0.02
        pace.scored()
    assert pace.seconds_per_pane is None
    assert progress_line(3, 30, pace) == "scored 3/30 · 27 left"
    clock.now += 20
    pace.scored()
    assert progress_line(4, 30, pace) == "scored 4/30 · 26 left, ~9 min at your pace"
