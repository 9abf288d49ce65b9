"""Scoring by keystroke: every transition, the total rule, CSV round trips, bounds."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from hypothesis import given
from hypothesis import strategies as st

from modelduel.core.scoring import MAX_SCORE, Score

UNSCORED = Score()


# --- the total rule -------------------------------------------------------------------


def test_unscored_has_no_total() -> None:
    assert UNSCORED.total is None
    assert not UNSCORED.is_scored
    assert UNSCORED.describe() == "unscored"


def test_direct_score_is_the_total() -> None:
    score = UNSCORED.set_direct(4)
    assert score.total == 4
    assert score.describe() == "4/5"
    assert (score.quality, score.correctness, score.format, score.rework) == (None,) * 4


def test_rubric_total_is_the_sum_once_every_part_is_set() -> None:
    assert Score(quality=2, correctness=1, format=0, rework=0).total == 3
    assert Score(quality=2, correctness=1, format=1, rework=1).total == MAX_SCORE


def test_a_half_done_rubric_is_not_a_score() -> None:
    score = UNSCORED.cycle_quality()
    assert score.total is None
    assert not score.is_scored and score.is_partial
    assert score.describe() == "Q2 C- F- R- unscored"
    assert score.csv_changes()["score"] is None
    three = Score(quality=2, correctness=1, format=1)
    assert three.total is None and three.toggle_rework().total == 5


def test_a_rubric_of_zeros_is_scored_zero_not_unscored() -> None:
    score = Score(quality=0, correctness=0, format=0, rework=0)
    assert score.total == 0
    assert score.is_scored
    assert score.describe() == "Q0 C0 F0 R0 = 0/5"


def test_confirm_counts_unset_parts_as_zero_and_leaves_them_unset() -> None:
    score = Score(quality=2, correctness=1).confirm()
    assert score == Score(quality=2, correctness=1, confirmed=True)
    assert score.total == 3 and score.is_scored and not score.is_partial
    changes = score.csv_changes()
    assert (changes["score"], changes["format"], changes["rework"]) == (3, None, None)
    assert score.describe() == "Q2 C1 F- R- = 3/5"
    assert score.toggle_format().total == 4  # a confirmed rubric stays a score
    assert score.cleared().total is None and not score.cleared().confirmed
    assert UNSCORED.confirm() == UNSCORED
    assert Score(direct=4).confirm() == Score(direct=4)


def test_cleared_is_unscored_and_keeps_corrections_and_note() -> None:
    for score in (Score(direct=4, manual_corrections=2, note="n"), Score(quality=1, note="n")):
        cleared = score.cleared()
        assert cleared.total is None and not cleared.is_partial
        assert (cleared.manual_corrections, cleared.note) == (score.manual_corrections, "n")
        assert cleared.csv_changes()["score"] is None
        assert cleared.csv_changes()["quality"] is None


def test_full_rubric_description() -> None:
    assert Score(quality=2, correctness=1, format=1, rework=0).describe() == "Q2 C1 F1 R0 = 4/5"


# --- transitions ------------------------------------------------------------------------


@pytest.mark.parametrize("n", range(6))
def test_set_direct_accepts_0_to_5(n: int) -> None:
    assert UNSCORED.set_direct(n).total == n


@pytest.mark.parametrize("n", [-1, 6, 10])
def test_set_direct_rejects_out_of_range(n: int) -> None:
    with pytest.raises(ValueError, match="0 to 5"):
        UNSCORED.set_direct(n)


def test_set_direct_clears_the_rubric_and_keeps_corrections_and_note() -> None:
    rubric = Score(quality=2, correctness=1, format=0, rework=1, manual_corrections=2, note="ok")
    score = rubric.set_direct(1)
    assert score == Score(direct=1, manual_corrections=2, note="ok")


def test_set_direct_replaces_an_earlier_direct_score() -> None:
    assert UNSCORED.set_direct(5).set_direct(2).total == 2


def test_cycle_quality_goes_2_1_0_2() -> None:
    seen = []
    score = UNSCORED
    for _ in range(5):
        score = score.cycle_quality()
        seen.append(score.quality)
    assert seen == [2, 1, 0, 2, 1]  # the best first, as every part's first press


def test_cycle_quality_from_direct_starts_a_fresh_rubric() -> None:
    score = UNSCORED.set_direct(5).cycle_quality()
    assert score.direct is None
    assert score == Score(quality=2)
    assert score.total is None


ToggleFn = Callable[[Score], Score]
TOGGLES: list[tuple[str, ToggleFn]] = [
    ("correctness", Score.toggle_correctness),
    ("format", Score.toggle_format),
    ("rework", Score.toggle_rework),
]


@pytest.mark.parametrize(("part", "toggle"), TOGGLES)
def test_toggle_goes_unset_1_0_1(part: str, toggle: ToggleFn) -> None:
    seen = []
    score = UNSCORED
    for _ in range(4):
        score = toggle(score)
        seen.append(getattr(score, part))
    assert seen == [1, 0, 1, 0]


@pytest.mark.parametrize(("part", "toggle"), TOGGLES)
def test_toggle_from_direct_starts_a_fresh_rubric(part: str, toggle: ToggleFn) -> None:
    score = toggle(UNSCORED.set_direct(4))
    assert score.direct is None
    assert score.total is None
    assert score == Score(**{part: 1})  # type: ignore[arg-type]


@pytest.mark.parametrize(("part", "toggle"), TOGGLES)
def test_toggle_leaves_the_other_parts_alone(part: str, toggle: ToggleFn) -> None:
    start = Score(quality=2, correctness=0, format=0, rework=0)
    after = toggle(start)
    for other in ("quality", "correctness", "format", "rework"):
        if other != part:
            assert getattr(after, other) == getattr(start, other)
    assert after.total == 3


def test_corrections_count_up_and_down_but_never_below_zero() -> None:
    score = UNSCORED.add_correction(1).add_correction(1)
    assert score.manual_corrections == 2
    score = score.add_correction(-1).add_correction(-1).add_correction(-1)
    assert score.manual_corrections == 0


def test_corrections_do_not_change_the_total() -> None:
    assert UNSCORED.add_correction(3).total is None
    assert UNSCORED.set_direct(4).add_correction(1).total == 4


def test_with_note_replaces_and_strips() -> None:
    score = UNSCORED.with_note("first").with_note("  second  ")
    assert score.note == "second"
    assert score.with_note("").note == ""


def test_changes_return_new_scores_and_leave_the_old_one_alone() -> None:
    score = Score(quality=1)
    score.cycle_quality()
    score.toggle_format()
    score.set_direct(5)
    assert score == Score(quality=1)


# --- invariants -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "kwargs",
    [
        {"quality": 3},
        {"quality": -1},
        {"correctness": 2},
        {"format": 2},
        {"rework": -1},
        {"direct": 6},
        {"direct": 3, "quality": 1},
        {"manual_corrections": -1},
    ],
)
def test_impossible_scores_cannot_be_built(kwargs: dict[str, int]) -> None:
    with pytest.raises(ValueError):
        Score(**kwargs)  # type: ignore[arg-type]


KEYS: dict[str, Callable[[Score], Score]] = {
    **{str(n): (lambda s, n=n: s.set_direct(n)) for n in range(6)},  # type: ignore[misc]
    "q": Score.cycle_quality,
    "c": Score.toggle_correctness,
    "f": Score.toggle_format,
    "w": Score.toggle_rework,
    "+": lambda s: s.add_correction(1),
    "-": lambda s: s.add_correction(-1),
    "enter": Score.confirm,
    "backspace": Score.cleared,
}


@given(st.lists(st.sampled_from(sorted(KEYS)), max_size=40))
def test_any_key_sequence_keeps_the_score_in_bounds(keys: list[str]) -> None:
    score = UNSCORED
    for key in keys:
        score = KEYS[key](score)
        total = score.total
        assert total is None or 0 <= total <= MAX_SCORE
        assert score.direct is None or score.total == score.direct
        assert score.manual_corrections >= 0
        # What is shown and what is written always agree.
        assert score.csv_changes()["score"] == total
        expected_end = "unscored" if total is None else f"{total}/5"
        assert score.is_partial == (score.describe() not in {"unscored"} and total is None)
        assert score.describe().endswith(expected_end)
        assert Score.from_row(as_row(score)) == score


# --- CSV round trip ---------------------------------------------------------------------


def as_row(score: Score) -> dict[str, str]:
    """The strings a CSV writer would store for these changes (None -> empty cell)."""
    return {k: "" if v is None else str(v) for k, v in score.csv_changes().items()}


def test_csv_changes_of_a_rubric_score() -> None:
    score = Score(
        quality=2, correctness=1, format=0, rework=0, manual_corrections=1, note="missed a case"
    )
    assert score.csv_changes() == {
        "score": 3,
        "quality": 2,
        "correctness": 1,
        "format": 0,
        "rework": 0,
        "manual_corrections": 1,
        "notes": "missed a case",
    }


def test_csv_changes_of_an_unscored_run_are_empty_cells() -> None:
    assert UNSCORED.csv_changes() == {
        "score": None,
        "quality": None,
        "correctness": None,
        "format": None,
        "rework": None,
        "manual_corrections": 0,
        "notes": None,
    }


@pytest.mark.parametrize(
    "score",
    [
        UNSCORED,
        Score(direct=0),
        Score(direct=5, manual_corrections=2, note="great"),
        Score(quality=0),
        Score(quality=2, correctness=1, format=1, rework=1),
        Score(correctness=0, rework=1, note='comma, "quotes" and\nnewline'),
    ],
)
def test_from_row_rebuilds_what_csv_changes_wrote(score: Score) -> None:
    assert Score.from_row(as_row(score)) == score


def test_from_row_ignores_other_columns_and_missing_ones() -> None:
    row = {"task_id": "t1", "model": "gpt-5.5", "score": "4"}
    assert Score.from_row(row) == Score(direct=4)
    assert Score.from_row({}) == UNSCORED


def test_from_row_accepts_spreadsheet_numbers() -> None:
    row = {"score": "4.0", "quality": " 2 ", "correctness": "1.0", "format": "1", "rework": "0"}
    assert Score.from_row(row) == Score(quality=2, correctness=1, format=1, rework=0)


def test_from_row_treats_unreadable_cells_as_unset() -> None:
    row = {"score": "", "quality": "great", "correctness": "2", "format": "0.5", "rework": "1"}
    assert Score.from_row(row) == Score(rework=1)
    assert Score.from_row({"manual_corrections": "-3"}).manual_corrections == 0
    assert Score.from_row({"score": "7"}) == UNSCORED


def test_from_row_prefers_a_hand_edited_score_over_disagreeing_parts() -> None:
    row = {"score": "5", "quality": "1", "correctness": "1", "format": "", "rework": ""}
    assert Score.from_row(row) == Score(direct=5)
