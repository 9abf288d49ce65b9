"""`modelduel route --json`'s payload: the routes, their cells and statistics as JSON values.

The routes and cells (`routes_payload`, `stats_json`: exactly the issue's eight stats
keys), the Bradley–Terry tables (`preference_json`) and each route's verdict
(`separation_json`). JSON has no infinity: a free model's `quality_per_cost` is the string
"inf" (float("inf") reads it back); other figures are rounded to 6 places. The rich
renderables of the same figures are `modelduel.report` and `modelduel.report_stats`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from modelduel.core.power import Separation
from modelduel.core.preference import TaskPreference
from modelduel.core.routing import CellStats, Route
from modelduel.report_stats import strength_note

__all__ = ["preference_json", "routes_payload", "separation_json", "stats_json"]


def _json_number(value: float | None) -> float | str | None:
    # JSON has no infinity; "inf" (float("inf") reads it back) marks a free model.
    if value is not None and math.isinf(value):
        return "inf"
    return value


def stats_json(cell: CellStats) -> dict[str, Any]:
    """One `stats` entry of the JSON output, with exactly the issue's keys."""
    return {
        "task_type": cell.task_type,
        "model": cell.model,
        "runs": cell.runs,
        "avg_score": cell.avg_score,
        "success_runs": cell.success_runs,
        "cost_per_success": _json_number(cell.cost_per_success),
        "median_ttfu_s": cell.median_ttfu_s,
        "quality_per_cost": _json_number(cell.quality_per_cost),
    }


def routes_payload(stats: list[CellStats], routes: Mapping[str, Route]) -> dict[str, Any]:
    """`route --json`'s `routes` and `stats` keys (each week's too, with `--by-week`)."""
    return {
        "routes": {t: r.model for t, r in routes.items()},
        "stats": [stats_json(c) for c in stats],
    }


def _number(x: float | None) -> float | None:
    return None if x is None else round(x, 6)


def preference_json(prefs: Mapping[str, TaskPreference]) -> dict[str, Any]:
    """The Bradley–Terry tables for `route --json`: task type -> table.

    A model whose strength is not shown on screen (`strength_note`) has `strength`,
    `low` and `high` null and its `note` says why; no value is ever infinite.
    """
    out: dict[str, Any] = {}
    for task_type, pref in prefs.items():
        models = []
        for row in pref.models:
            shown, note = strength_note(row, pref)
            models.append(
                {
                    "model": row.model,
                    "strength": _number(row.strength) if shown else None,
                    "low": _number(row.low) if shown else None,
                    "high": _number(row.high) if shown else None,
                    "comparisons": row.games,
                    "wins": row.wins,
                    "duels": row.duels,
                    "part": row.component + 1,
                    "note": note,
                }
            )
        out[task_type] = {
            "duels": pref.duels,
            "comparisons_by_rank": pref.by_rank,
            "comparisons_by_score": pref.by_score,
            "connected": pref.connected,
            "prior_games": pref.prior_games,
            "bootstrap_samples": pref.samples,
            "models": models,
        }
    return out


def separation_json(seps: Mapping[str, Separation]) -> dict[str, Any]:
    """Every route's verdict for `route --json`: task type -> verdict."""
    return {
        task_type: {
            "winner": sep.winner,
            "runner_up": sep.runner_up,
            "separated": sep.separated,
            "lead": _number(sep.lead),
            "lead_unit": sep.lead_unit,
            "p_value": _number(sep.p_value),
            "runs": list(sep.runs),
            "runs_per_model": sep.runs_per_model,
            "more_runs_per_model": sep.more_runs,
            "note": sep.note,
        }
        for task_type, sep in seps.items()
    }
