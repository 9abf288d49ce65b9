"""The judge's verdict on one answer: scored, invalid, failed or skipped, and its cost.

A verdict is a suggestion beside the person's score, never the score: a judge answer that
is not valid is shown as such (`judge answer not valid: ...`), a judge that fails (error,
timeout) as `judge failed: ...`, and either leaves the person's scoring untouched. The
judge run's cost is the provider's usage priced like any run, recorded apart
(`judge_cost_usd`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from modelduel.core.checks import PartSuggestion
from modelduel.core.judge_reply import parse_verdict
from modelduel.core.scoring import RUBRIC_MAX
from modelduel.core.session import RunSlot

__all__ = ["JudgeSuggestion", "JudgeVerdict", "VerdictStatus", "verdict_of_run"]

VerdictStatus = Literal["scored", "invalid", "failed", "skipped"]


class JudgeSuggestion(PartSuggestion):
    """A rubric part's value as the judge suggests it (`quality: judge 1/2`)."""

    __slots__ = ()

    @property
    def label(self) -> str:
        """How it is shown beside the person's score: `quality: judge 1/2`."""
        return f"{self.part}: judge {self.value}/{RUBRIC_MAX[self.part]}"


@dataclass(frozen=True, slots=True)
class JudgeVerdict:
    """The judge's opinion of one answer, or why there is none.

    Attributes:
        status: scored (valid scores), invalid (the judge answered, not validly), failed
            (the judge run failed: error, timeout), skipped (not sent: self-judging).
        judge_model: the judge's name (its spec without a simulator fault suffix).
        scores: rubric part -> score, only when scored.
        reason: the judge's one-line reason, or what went wrong.
        cost_usd: the judge run's cost (None: not sent, or price unknown).
        raw: the judge's answer as it came (kept in the transcript).
    """

    status: VerdictStatus
    judge_model: str
    scores: Mapping[str, int] = field(default_factory=dict)
    reason: str = ""
    cost_usd: float | None = None
    raw: str = ""

    @property
    def label(self) -> str:
        """One line: `judge: Q2 C1 F1 R0 · reason`, `judge answer not valid: ...`, ..."""
        if self.status == "scored":
            parts = " ".join(f"{p[0].upper()}{v}" for p, v in self.scores.items())
            return f"judge: {parts} · {self.reason}"
        if self.status == "invalid":
            return f"judge answer not valid: {self.reason}"
        if self.status == "failed":
            return f"judge failed: {self.reason}"
        return f"not judged: {self.reason}"

    def suggestions(self) -> dict[str, PartSuggestion]:
        """Rubric part -> the judge's suggestion; none unless the verdict is valid."""
        if self.status != "scored":
            return {}
        return {p: JudgeSuggestion(p, v, ("judge",)) for p, v in self.scores.items()}

    def csv_columns(self) -> dict[str, object]:
        """The row's judge cells: model, a score per part (empty unless scored), reason, cost."""
        cells: dict[str, object] = {"judge_model": self.judge_model}
        for part in RUBRIC_MAX:
            cells[f"judge_{part}"] = self.scores.get(part)
        cells["judge_reason"] = self.reason if self.status == "scored" else self.label
        cells["judge_cost_usd"] = None if self.cost_usd is None else round(self.cost_usd, 8)
        return cells

    def as_dict(self) -> dict[str, Any]:
        """The transcript's form, the judge's raw answer included."""
        return {
            "status": self.status,
            "model": self.judge_model,
            "scores": dict(self.scores),
            "reason": self.reason,
            "cost_usd": self.cost_usd,
            "raw": self.raw,
        }


def verdict_of_run(judge_model: str, slot: RunSlot) -> JudgeVerdict:
    """The verdict of a finished judge run: failed, invalid or scored (cost always kept)."""
    stats = slot.stats()
    cost = stats.cost_usd
    if stats.error is not None:
        reason = f"{stats.error.kind}: {stats.error.message}"
        return JudgeVerdict("failed", judge_model, reason=reason, cost_usd=cost, raw=stats.text)
    parsed = parse_verdict(stats.text)
    if isinstance(parsed, str):
        return JudgeVerdict("invalid", judge_model, reason=parsed, cost_usd=cost, raw=stats.text)
    scores, reason = parsed
    return JudgeVerdict("scored", judge_model, scores, reason, cost, stats.text)
