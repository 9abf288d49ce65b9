"""What check results suggest and how a pane shows them: no check is run here.

Split from `core.checks` (which runs checks: the sandbox, jsonschema, child processes)
so that reopening recorded runs, at every launch of the duel screen on an existing CSV,
turns their recorded results into the pane's line and suggestions without loading the
checks' machinery. `core.checks` re-exports these names.

Suggestion rule, per rubric part: a part informed by at least one check gets its top
value (1, or 2 for quality) when every such check passed, 0 when any failed; when one
could not run and none failed, there is no suggestion (the person decides alone).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from modelduel.core.check_result import CheckResult
from modelduel.core.scoring import RUBRIC_MAX

__all__ = ["PartSuggestion", "suggest_parts", "summary"]


@dataclass(frozen=True, slots=True)
class PartSuggestion:
    """A rubric part's value as suggested by checks, for the person to accept or override.

    Attributes:
        part: the rubric part.
        value: the suggested value (0 or the part's top value).
        checks: the names of the checks it rests on.
    """

    part: str
    value: int
    checks: tuple[str, ...]

    @property
    def label(self) -> str:
        """How it is shown: `format: auto ✓` or `correctness: auto ✗`."""
        return f"{self.part}: auto {'✓' if self.value == RUBRIC_MAX[self.part] else '✗'}"


def suggest_parts(results: Sequence[CheckResult]) -> dict[str, PartSuggestion]:
    """Rubric part -> suggestion, by the rule in the module docstring."""
    suggestions: dict[str, PartSuggestion] = {}
    for part, top in RUBRIC_MAX.items():
        mine = [r for r in results if r.part == part]
        if not mine:
            continue
        names = tuple(r.name for r in mine)
        if any(r.status == "fail" for r in mine):
            suggestions[part] = PartSuggestion(part, 0, names)
        elif all(r.status == "pass" for r in mine):
            suggestions[part] = PartSuggestion(part, top, names)
    return suggestions


def summary(results: Sequence[CheckResult]) -> str:
    """The pane's line: `✓ schema  ✗ tests 3/5` (two spaces between checks)."""
    return "  ".join(r.label for r in results)
