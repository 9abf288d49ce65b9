"""A duel and its panes without Textual: what `core.session_saves`, `core.suite_progress`
and `core.rank_entry` read (the TUI's `DuelView`/`PaneModel` have the same shape)."""

from __future__ import annotations

from dataclasses import dataclass, field

from modelduel.core.scoring import Score


@dataclass
class FakePane:
    label: str
    spec: str = ""
    blind: bool = False
    revealed: bool = False
    score: Score = field(default_factory=Score)
    rank: int | None = None
    saved: bool = False
    unsaved: bool = False
    sources: dict[str, str] = field(default_factory=dict)

    @property
    def hidden(self) -> bool:
        return self.blind and not self.revealed


@dataclass
class FakeDuel:
    panes: list[FakePane]
    ids: list[str]
    task_id: str = "t"
    empty_failures: set[int] = field(default_factory=set)
    cancelled_panes: set[int] = field(default_factory=set)
    running: set[int] = field(default_factory=set)

    @classmethod
    def of(cls, *labels: str, blind: bool = False, task_id: str = "t") -> FakeDuel:
        panes = [FakePane(label, spec=f"spec-{label}", blind=blind) for label in labels]
        return cls(panes, [f"run-{task_id}-{label}" for label in labels], task_id=task_id)

    def run_id(self, index: int) -> str:
        return self.ids[index]

    def nothing_to_score(self, index: int) -> bool:
        return index in self.empty_failures

    def cancelled(self, index: int) -> bool:
        return index in self.cancelled_panes

    @property
    def all_ended(self) -> bool:
        return not self.running

    @property
    def fully_scored(self) -> bool:
        return all(p.score.is_scored for p in self.panes)

    def reveal_if_scored(self) -> bool:
        if not any(p.hidden for p in self.panes):
            return False
        done = all(
            p.score.is_scored or self.nothing_to_score(i) or self.cancelled(i)
            for i, p in enumerate(self.panes)
        )
        if done and self.all_ended:
            for pane in self.panes:
                pane.revealed = True
            return True
        return False
