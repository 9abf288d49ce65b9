"""A recorded run's checks, read back for the pane: its line, its suggestions, who gave what.

`modelduel run` adds each run's check results to its transcript record (every result)
and its CSV row (`checks_passed`, `checks_total`); the duel screen's suite records the
counts only. Reopened (`modelduel score`, a resumed suite, the history), a pane shows
them as it would have after the run: `checks ✗ tests` and the parts they suggest, for
`a` to accept. With the counts alone there is a line (`✗ 0/1 passed`) but no suggestion:
nothing says which part they inform. The row's `parts_source` says which parts were
already taken from the checks, so those are not offered again.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from modelduel.core.check_result import CheckResult
from modelduel.core.check_suggest import PartSuggestion, suggest_parts, summary
from modelduel.core.scoring import RUBRIC_MAX

__all__ = ["recorded_check_results", "recorded_checks", "recorded_sources"]

_SOURCES = ("person", "check", "judge")


def recorded_check_results(record: Mapping[str, Any]) -> list[CheckResult]:
    """The check results of a transcript record; one that does not read back is skipped."""
    raw = record.get("checks")
    if not isinstance(raw, list):
        return []
    results = []
    for item in raw:
        try:
            results.append(CheckResult.from_dict(item))
        except (KeyError, TypeError, ValueError, AttributeError):
            continue  # a record edited by hand or from another version: not a verdict
    return results


def _count(text: str | None) -> int | None:
    try:
        number = int((text or "").strip())
    except ValueError:
        return None
    return number if number >= 0 else None


def recorded_checks(
    row: Mapping[str, str], record: Mapping[str, Any]
) -> tuple[str, dict[str, PartSuggestion]]:
    """The pane's checks line and suggestions for a recorded run ("" and {} without checks).

    Args:
        row: the run's CSV row (`checks_passed`, `checks_total`).
        record: the run's transcript record (its `checks`), {} when there is none.
    """
    results = recorded_check_results(record)
    if results:
        return summary(results), suggest_parts(results)
    passed, total = _count(row.get("checks_passed")), _count(row.get("checks_total"))
    if not total or passed is None or passed > total:
        return "", {}
    return f"{'✓' if passed == total else '✗'} {passed}/{total} passed", {}


def recorded_sources(row: Mapping[str, str]) -> dict[str, str]:
    """Who gave each rubric part, from the row's `parts_source` (`correctness=check ...`)."""
    sources: dict[str, str] = {}
    for word in (row.get("parts_source") or "").split():
        part, _, who = word.partition("=")
        if part in RUBRIC_MAX and who in _SOURCES:
            sources[part] = who
    return sources
