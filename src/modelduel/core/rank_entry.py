"""Ranking a duel's panes by letter (key `o`, then `a`, `b`, ...): the keys' rules.

Textual-free: the duel is read through `RankedDuel` (the TUI's `DuelView` fits it).
The front end feeds each key to `RankEntry.press` and writes the order it returns
(`rank_cells`: each pane's rank cell from that order).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

__all__ = ["RankEntry", "RankStep", "RankedDuel", "pane_letter", "rank_cells"]


def pane_letter(index: int) -> str:
    """`A`, `B`, ... the letter a pane is ranked (and labelled blind) by."""
    return chr(ord("A") + index)


class _Ranked(Protocol):
    rank: int | None


class RankedDuel(Protocol):
    """What ranking reads of a duel."""

    @property
    def panes(self) -> Sequence[_Ranked]:
        """One pane per run."""
        ...

    def nothing_to_score(self, index: int) -> bool:
        """The pane's run failed without a word of answer."""
        ...

    def cancelled(self, index: int) -> bool:
        """The pane's run was cancelled."""
        ...


@dataclass(frozen=True)
class RankStep:
    """What one key did while ranking.

    Attributes:
        handled: the key was ranking's (False: it goes on to its own binding).
        write: the order changed: write the ranks.
        done: ranking ended (every pane placed, or a key that is not ranking's).
        say: a refusal to show, or "".
    """

    handled: bool
    write: bool = False
    done: bool = False
    say: str = ""


class RankEntry:
    """The order given so far (pane indices, best first), starting from the ranks on record."""

    def __init__(self, duel: RankedDuel) -> None:
        ranked = [(p.rank, i) for i, p in enumerate(duel.panes) if p.rank is not None]
        self.order: list[int] = [i for _, i in sorted(ranked)]
        self.fresh = True
        """The next letter starts a new order (replacing the recorded one)."""

    def press(self, duel: RankedDuel, key: str) -> RankStep:
        """One key (a printable key's character, lower-cased, or the key's name)."""
        n = len(duel.panes)
        letters = [pane_letter(i).lower() for i in range(n)]
        if key in letters:
            index = letters.index(key)
            if self.fresh:
                self.order.clear()  # a new order replaces the old one
                self.fresh = False
            if index in self.order:
                where = self.order.index(index) + 1
                return RankStep(True, say=f"{pane_letter(index)} is ranked {where} already")
            if duel.nothing_to_score(index) or duel.cancelled(index):
                return RankStep(True, say=f"{pane_letter(index)} has no answer to rank")
            self.order.append(index)
            rankable = n - sum(duel.nothing_to_score(i) or duel.cancelled(i) for i in range(n))
            return RankStep(True, write=True, done=len(self.order) == rankable)
        if key == "o":
            self.fresh = True  # `o` again: the next letter starts a new order
            return RankStep(True)
        if key == "backspace":
            self.fresh = False
            if self.order:
                self.order.pop()
                return RankStep(True, write=True)
            return RankStep(True)
        # escape only ends the ranking; any other key (enter: the next task) also acts
        return RankStep(key == "escape", done=True)


def rank_cells(order: list[int], panes: int) -> list[int | None]:
    """Each pane's `rank` (1 = best) from an order of pane indices, best first; None = unranked."""
    ranks: list[int | None] = [None] * panes
    for position, index in enumerate(order, start=1):
        ranks[index] = position
    return ranks
