"""The scoring rules' side of a front end: what they read, and what they hand back.

A duel and its panes are read through small protocols (`ScoredDuel`, `ScoredPane`: the
TUI's `DuelView` and `PaneModel` fit them), so the rules run without a screen; what they
hand back is a line to say (`Say`) and what a score or a quit choice led to. The rules
themselves are `core.session_saves`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal, Protocol

from modelduel.core.scoring import Score

__all__ = ["QuitOutcome", "Say", "ScoreOutcome", "ScoredDuel", "ScoredPane", "Severity"]

Severity = Literal["information", "warning", "error"]


class ScoredPane(Protocol):
    """What the rules read and set on a pane (the TUI's `PaneModel`)."""

    label: str
    spec: str
    blind: bool
    score: Score
    rank: int | None
    saved: bool
    unsaved: bool
    sources: dict[str, str]

    @property
    def hidden(self) -> bool:
        """Blind details must stay hidden."""
        ...


class ScoredDuel(Protocol):
    """What the rules read of a duel (the TUI's `DuelView`)."""

    @property
    def panes(self) -> Sequence[ScoredPane]:
        """One pane per run, in pane order."""
        ...

    def run_id(self, index: int) -> str:
        """The run behind a pane now."""
        ...

    def nothing_to_score(self, index: int) -> bool:
        """The pane's run failed or was cancelled without a word of answer."""
        ...

    def cancelled(self, index: int) -> bool:
        """The pane's run was cancelled."""
        ...

    def reveal_if_scored(self) -> bool:
        """Reveal blind names once every pane is scored; True when that just happened."""
        ...


@dataclass(frozen=True)
class Say:
    """One line for the user (a notice; the front end decides where it goes)."""

    message: str
    severity: Severity = "information"
    timeout: float | None = None


@dataclass(frozen=True)
class ScoreOutcome:
    """What a score change did.

    Attributes:
        says: notices to show, in order (a refusal, a failed write, the reveal).
        applied: the pane's score changed (False: refused, nothing written).
        newly_scored: the pane went from unscored to scored (the pace and focus move on).
    """

    says: tuple[Say, ...] = ()
    applied: bool = False
    newly_scored: bool = False


@dataclass(frozen=True)
class QuitOutcome:
    """What a choice on the unsaved-at-quit question leads to.

    Attributes:
        leave: the app may exit now.
        say: a notice to show first, or None.
        ask_again: the question comes back (the choice did not save everything).
    """

    leave: bool
    say: Say | None = None
    ask_again: bool = False
