"""A duel as the screen sees it: panes, their figures, their scores, live or recorded.

Live duels read their figures from the engine's meters; recorded ones (history,
`modelduel score`) from the CSV row and transcript written when they ran. Either
way the screen only reads `StreamStats`; it never computes a number.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from modelduel.core.meter import StreamText
from modelduel.core.metrics import StreamStats
from modelduel.core.rank_entry import pane_letter
from modelduel.core.recorded_checks import recorded_checks, recorded_sources
from modelduel.core.recorded_stats import stats_from_row
from modelduel.core.scoring import Score
from modelduel.core.session import DuelState, RunSlot
from modelduel.core.turns import RunTimeline
from modelduel.tui.conversation import shown_stats
from modelduel.tui.pane import PaneModel

__all__ = ["DuelView", "blind_order"]


def blind_order(n: int, rng: random.Random | None = None) -> list[int]:
    """A random order of pane positions, so A is not always the first model given."""
    order = list(range(n))
    (rng or random.Random()).shuffle(order)
    return order


@dataclass
class DuelView:
    """One duel on screen.

    Attributes:
        duel_id: the duel's id (CSV `duel_id`).
        prompt: the prompt as sent.
        task_id: the task id (`adhoc-...` for ad-hoc prompts).
        panes: one model per pane, in pane order.
        live: the running duel, or None for a recorded one.
        rows: recorded CSV rows (pane order), for recorded duels.
        transcripts: recorded transcript records by run id.
        task_type: the task type (`adhoc` for ad-hoc prompts).
        reruns: panes of a recorded duel run again in place: pane -> (its one-model
            duel, its run). They replace the recorded run on screen.
        blind: the duel was started blind (its names hidden until scored), whether or
            not they are revealed by now.
    """

    duel_id: str
    prompt: str
    task_id: str
    panes: list[PaneModel]
    live: DuelState | None = None
    rows: list[Mapping[str, str]] = field(default_factory=list)
    transcripts: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    task_type: str = "adhoc"
    reruns: dict[int, tuple[DuelState, RunSlot]] = field(default_factory=dict)
    blind: bool = False
    _recorded: dict[int, StreamStats] = field(default_factory=dict, repr=False)

    @classmethod
    def from_live(cls, duel: DuelState, blind: bool) -> DuelView:
        """Panes for a duel just started (its slots are already in pane order)."""
        panes = [
            PaneModel(pane_letter(s.pane) if blind else s.model.spec, s.model.spec, blind)
            for s in duel.slots
        ]
        return cls(
            duel.duel_id,
            duel.prompt,
            duel.task_id,
            panes,
            live=duel,
            task_type=duel.task_type,
            blind=blind,
        )

    @classmethod
    def from_rows(
        cls,
        rows: Sequence[Mapping[str, str]],
        transcripts: Mapping[str, Mapping[str, Any]],
        blind: bool,
        rng: random.Random | None = None,
    ) -> DuelView:
        """Panes for a recorded duel (rows of one duel id); scores come back from the CSV.

        Blind, the panes are shuffled with `rng` (injectable, so tests can see the shuffle).
        """
        ordered = sorted(
            rows, key=lambda r: int(r.get("pane") or 0) if (r.get("pane") or "").isdigit() else 0
        )
        if blind:
            # a batch runs models in the order given: shown so, A would always be the same
            ordered = [ordered[i] for i in blind_order(len(ordered), rng)]
        panes = []
        for i, row in enumerate(ordered):
            score = Score.from_row(row)
            spec = row.get("model") or "?"
            label = pane_letter(i) if blind else spec
            pane = PaneModel(label, spec, blind, score=score, saved=True)
            pane.rank = _rank_cell(row.get("rank"))
            # the checks a batch recorded, shown and offered (`a`) as after a live run
            record = transcripts.get(row.get("run_id") or "", {})
            pane.checks_line, pane.suggestions = recorded_checks(row, record)
            pane.sources = recorded_sources(row)
            panes.append(pane)
        first = ordered[0] if ordered else {}
        record = transcripts.get(first.get("run_id") or "", {})
        prompt = str(record.get("prompt") or first.get("task_id") or "")
        view = cls(
            first.get("duel_id") or first.get("run_id") or "?",
            prompt,
            first.get("task_id") or "",
            panes,
            rows=list(ordered),
            transcripts=transcripts,
            task_type=first.get("task_type") or "adhoc",
        )
        view.reveal_if_scored()
        return view

    def slot(self, index: int) -> RunSlot | None:
        """The live run behind a pane (None for a recorded run not run again)."""
        if index in self.reruns:
            return self.reruns[index][1]
        if self.live is None or index >= len(self.live.slots):
            return None
        return self.live.slots[index]

    def duel_of(self, slot: RunSlot) -> DuelState | None:
        """The duel a run belongs to (the live one, or a recorded pane's re-run)."""
        for duel, rerun in self.reruns.values():
            if rerun is slot:
                return duel
        return self.live  # its current run or one a re-run replaced

    @property
    def system(self) -> str | None:
        """The system prompt the duel was sent with (recorded: from its transcript)."""
        if self.live is not None:
            return self.live.system
        for row in self.rows:
            record = self.transcripts.get(row.get("run_id") or "", {})
            if record.get("system"):
                return str(record["system"])
        return None

    def cancelled(self, index: int) -> bool:
        """The pane's run was cancelled (it cannot be scored; progress leaves it out)."""
        return self.stats(index).status == "cancelled"

    def nothing_to_score(self, index: int) -> bool:
        """The pane's run failed, or was cancelled, without a word of answer: there is
        nothing to judge (a score would count a run with no answer as judged)."""
        stats = self.stats(index)
        return stats.status in ("failed", "cancelled") and not stats.text.strip()

    def run_id(self, index: int) -> str:
        """The run id behind a pane now (a re-run changes it)."""
        slot = self.slot(index)
        if slot is not None:
            return slot.run_id
        return self.rows[index].get("run_id") or ""

    def stats(self, index: int, now_ns: int | None = None) -> StreamStats:
        """The pane's figures now."""
        slot = self.slot(index)
        if slot is not None:
            return slot.stats(now_ns)
        # a recorded run's figures never change: read from its row once, not per tick
        cached = self._recorded.get(index)
        if cached is None:
            row = self.rows[index]
            cached = stats_from_row(row, self.transcripts.get(row.get("run_id") or ""))
            self._recorded[index] = cached
        return cached

    def timeline(self, index: int) -> RunTimeline | None:
        """The turns and tool calls of the live run behind a pane (None: recorded)."""
        slot = self.slot(index)
        return None if slot is None else slot.timeline

    def shown(self, index: int, now_ns: int | None = None) -> StreamStats:
        """The pane's figures with the text its body shows (the current turn, tool lines)."""
        return shown_stats(self.stats(index, now_ns), self.timeline(index))

    def shown_text(self, index: int) -> StreamText:
        """What the pane's body shows (status, text, reasoning), without the figures: the
        frame pacer's draw, many times a second (`StreamMeter.text`)."""
        slot = self.slot(index)
        if slot is None:
            stats = self.stats(index)  # recorded: read once, kept
            text = StreamText(stats.status, stats.text, stats.reasoning_text)
        else:
            text = slot.meter.text()
        return shown_stats(text, self.timeline(index))

    def ended(self, index: int) -> bool:
        """The pane's run has ended for good."""
        slot = self.slot(index)
        return True if slot is None else slot.ended

    @property
    def all_ended(self) -> bool:
        """Every run of the duel has ended."""
        return all(self.ended(i) for i in range(len(self.panes)))

    @property
    def fully_scored(self) -> bool:
        """Every pane has a score."""
        return all(p.score.is_scored for p in self.panes)

    def reveal_if_scored(self) -> bool:
        """Blind panes are revealed once every pane is scored; True when that just happened."""
        if not any(p.hidden for p in self.panes):
            return False
        # a run that failed without output, or was cancelled, cannot be scored: it does not
        # hold names back
        done = all(
            p.score.is_scored or self.nothing_to_score(i) or self.cancelled(i)
            for i, p in enumerate(self.panes)
        )
        if done and self.all_ended:
            for pane in self.panes:
                pane.revealed = True
            return True
        return False


def _rank_cell(text: str | None) -> int | None:
    """A recorded `rank` cell (1 = best); anything else is unranked."""
    text = (text or "").strip()
    try:
        rank = int(float(text)) if text else None
    except ValueError:
        return None
    return rank if rank is not None and rank >= 1 else None
