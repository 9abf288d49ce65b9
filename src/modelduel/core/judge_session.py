"""The blind judge in a scoring session (duel screen, suite, score): the Textual-free part.

The duel screen sends each finished answer to the same `JudgeRunner` as `modelduel run`,
through its own runner, off the UI loop. What comes back is a suggestion beside the
person's score, never the score: these helpers say what a pane shows of a verdict (blind
panes show no name), which judge suggestions the accept key may take (never a part the
person already gave, never a part a check informs), and which cells go to the run's row.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING

from modelduel.core.checks import PartSuggestion
from modelduel.core.judge import JudgeRunner, StartRuns, judge_runner
from modelduel.core.judge_blind import blind_names
from modelduel.core.judge_verdict import JudgeVerdict, VerdictStatus
from modelduel.core.scoring import RUBRIC_MAX

if TYPE_CHECKING:
    from modelduel.config import Config, ResolvedModel

__all__ = [
    "JUDGE_SOURCE",
    "acceptable_judge_parts",
    "duel_names",
    "judge_cells",
    "pane_judge_line",
    "screen_judge",
    "should_judge",
    "verdict_from_row",
]

JUDGE_SOURCE = "judge"
"""The `parts_source` word for a rubric part taken from the judge's suggestion."""


def screen_judge(
    config: Config, resolve: Callable[[str], ResolvedModel], start: StartRuns
) -> JudgeRunner | None:
    """The session's judge (`[judge]` on), sending its runs through the screen's runner."""
    return judge_runner(config.judge, resolve, start)


def should_judge(status: str, text: str) -> bool:
    """Only a finished answer with words in it goes to the judge (not a failed or
    cancelled run: its person's "nothing to score" stands)."""
    return status not in ("failed", "cancelled") and bool(text.strip())


def pane_judge_line(verdict: JudgeVerdict, hide: Sequence[str], *, hidden: bool) -> str:
    """What the pane shows of a verdict: `judge: Q1 C1 F0 R1 · reason`, or why there is none.

    A hidden (blind, not yet scored) pane never shows a name: every name of the duel's
    models (`hide`, from `duel_names`) is replaced by `[model]` in the line, and "not
    judged: the judge's own provider (...)" would name the pane's provider, so it says
    only that the reason is shown once the duel is scored.
    """
    if not hidden:
        return verdict.label
    if verdict.status == "skipped":
        return "not judged (why: shown once scored)"
    line = verdict.label
    for name in hide:
        line = re.sub(re.escape(name), "[model]", line, flags=re.IGNORECASE)
    return line


def acceptable_judge_parts(
    judge: Mapping[str, PartSuggestion],
    checks: Mapping[str, PartSuggestion],
    sources: Mapping[str, str],
) -> dict[str, PartSuggestion]:
    """The judge's suggestions the accept key may take for a pane.

    Never a part the person gave (the judge does not overwrite the person), never a part
    a check informs (a check is a measurement; the judge an opinion).
    """
    return {
        part: suggestion
        for part, suggestion in judge.items()
        if part not in checks and sources.get(part) not in ("person", "check")
    }


def judge_cells(verdict: JudgeVerdict) -> dict[str, object]:
    """The run's judge cells (model, scores, reason, `judge_cost_usd` apart from the run's)."""
    return verdict.csv_columns()


def duel_names(models: Sequence[ResolvedModel]) -> tuple[str, ...]:
    """Every name of every model of a duel, longest first (what a blind line must not say)."""
    return tuple(sorted({n for m in models for n in blind_names(m)}, key=len, reverse=True))


_PREFIXES: tuple[tuple[str, VerdictStatus], ...] = (
    ("judge failed: ", "failed"),
    ("judge answer not valid: ", "invalid"),
    ("not judged: ", "skipped"),
)


def verdict_from_row(row: Mapping[str, str]) -> JudgeVerdict | None:
    """The verdict a run's row records (`JudgeVerdict.csv_columns` read back), or None
    when the run was never judged (`judge_model` empty)."""
    judge_model = (row.get("judge_model") or "").strip()
    if not judge_model:
        return None
    reason = row.get("judge_reason") or ""
    cost_cell = (row.get("judge_cost_usd") or "").strip()
    try:
        cost = float(cost_cell) if cost_cell else None
    except ValueError:
        cost = None
    for prefix, status in _PREFIXES:
        if reason.startswith(prefix):
            return JudgeVerdict(status, judge_model, reason=reason[len(prefix) :], cost_usd=cost)
    scores: dict[str, int] = {}
    for part, top in RUBRIC_MAX.items():
        cell = (row.get(f"judge_{part}") or "").strip()
        if not cell.isdigit() or int(cell) > top:
            return JudgeVerdict(
                "invalid", judge_model, reason=f"judge_{part} is {cell!r} in the CSV"
            )
        scores[part] = int(cell)
    return JudgeVerdict("scored", judge_model, scores, reason, cost)
