"""Rank mode's keys without a screen (`core.rank_entry`)."""

from __future__ import annotations

from modelduel.core.rank_entry import RankEntry, RankStep
from tests.support.fake_duel import FakeDuel


def test_a_new_order_replaces_the_recorded_one_and_ends_when_every_pane_is_placed() -> None:
    duel = FakeDuel.of("A", "B", "C")
    duel.panes[2].rank, duel.panes[0].rank = 1, 2
    entry = RankEntry(duel)
    assert entry.order == [2, 0]  # the recorded ranks, best first
    assert entry.press(duel, "b") == RankStep(True, write=True)
    assert entry.order == [1]
    assert entry.press(duel, "b") == RankStep(True, say="B is ranked 1 already")
    assert entry.press(duel, "c") == RankStep(True, write=True)
    assert entry.press(duel, "a") == RankStep(True, write=True, done=True)
    assert entry.order == [1, 2, 0]


def test_panes_without_an_answer_are_not_ranked_and_not_waited_for() -> None:
    duel = FakeDuel.of("A", "B", "C")
    duel.empty_failures.add(0)
    duel.cancelled_panes.add(1)
    entry = RankEntry(duel)
    assert entry.press(duel, "a") == RankStep(True, say="A has no answer to rank")
    assert entry.press(duel, "b") == RankStep(True, say="B has no answer to rank")
    assert entry.press(duel, "c") == RankStep(True, write=True, done=True)


def test_backspace_o_escape_and_other_keys() -> None:
    duel = FakeDuel.of("A", "B", "C")
    entry = RankEntry(duel)
    entry.press(duel, "a")
    entry.press(duel, "b")
    assert entry.press(duel, "backspace") == RankStep(True, write=True)
    assert entry.order == [0]
    assert entry.press(duel, "o") == RankStep(True)  # the next letter starts a new order
    entry.press(duel, "c")
    assert entry.order == [2]
    entry.press(duel, "backspace")
    assert entry.press(duel, "backspace") == RankStep(True)  # nothing left to take back
    assert entry.press(duel, "escape") == RankStep(True, done=True)
    assert entry.press(duel, "enter") == RankStep(False, done=True)  # it acts too
