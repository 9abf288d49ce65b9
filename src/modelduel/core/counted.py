"""Which recorded runs' scores count: one rule for the duel screen, `score`, `route` and
the routing report (ctrl+r).

A cancelled run was cut short by the user (or a stop signal), not judged on an answer it
finished: its score is never counted (README: "Cancelled runs are not counted as
scored"). The duel screen refuses to score one and drops a score given while it ran;
the routing rule reads a cancelled row's score and rank as empty, so a row that still holds one
(an older version of the app, a hand edit) is neither a scored run nor a success, and
its partial cost does not enter a cell's spend. A run that *failed* with some output can
still be scored (its partial answer was the model's, and it was paid for).

A run is cancelled when its `finish_reason` cell says `cancelled` (the meter writes it
with the `error` cell `cancelled: ...`; the routing loader reads only the first).
"""

from __future__ import annotations

from collections.abc import Mapping

__all__ = ["CANCELLED", "is_cancelled_row", "ranked_cell", "scored_cell"]

CANCELLED = "cancelled"
"""The `finish_reason` of a cancelled run."""


def is_cancelled_row(row: Mapping[str, object]) -> bool:
    """The row is a cancelled run's (its `finish_reason` is `cancelled`)."""
    return str(row.get("finish_reason") or "").strip() == CANCELLED


def scored_cell(row: Mapping[str, str | None]) -> str:
    """The row's `score` cell as the routing rule reads it: empty for a cancelled run."""
    return "" if is_cancelled_row(row) else row.get("score") or ""


def ranked_cell(row: Mapping[str, str | None]) -> str:
    """The row's `rank` cell as the routing rule reads it: empty for a cancelled run (a
    cut-short answer is never placed above or below another in its duel)."""
    return "" if is_cancelled_row(row) else row.get("rank") or ""
