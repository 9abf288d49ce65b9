"""The duels a results CSV holds, as duel views: what `score` and `suite` open, and the
history the duel screen lists at start.

Only the reading of recorded duels into views; a view itself is `tui.duelview`.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from modelduel.tui.duelview import DuelView

__all__ = ["recorded_views"]


def recorded_views(
    csv_path: Path,
    blind: bool,
    task_ids: set[str] | None = None,
    rng: random.Random | None = None,
    notes: list[str] | None = None,
) -> list[DuelView]:
    """One DuelView per recorded duel of a CSV, in file order (blind: shuffled by `rng`).

    `notes` gets what the transcript has wrong (`FILE.jsonl:7 is not valid JSON (...)`),
    for the screen to say why a pane shows no text.
    """
    # the CSV's reader loads only when there is a file to read (not at a first launch)
    from modelduel.storage import read_rows  # noqa: PLC0415
    from modelduel.storage.transcript import read_transcript  # noqa: PLC0415
    from modelduel.tui.duelview import DuelView  # noqa: PLC0415

    if not csv_path.exists():
        return []
    rows = read_rows(csv_path)
    transcript = read_transcript(csv_path)
    transcripts = transcript.records
    if notes is not None and transcript.bad_lines:
        notes.append(f"{transcript.bad_line_names()}: the texts of a run there are missing")
    by_duel: dict[str, list[Mapping[str, str]]] = {}
    for row in rows:
        if task_ids is not None and row.get("task_id") not in task_ids:
            continue
        key = row.get("duel_id") or row.get("run_id") or ""
        by_duel.setdefault(key, []).append(row)
    return [
        DuelView.from_rows(_current(duel_rows), transcripts, blind, rng)
        for duel_rows in by_duel.values()
    ]


def _current(rows: list[Mapping[str, str]]) -> list[Mapping[str, str]]:
    """A duel's rows without the cancelled runs a later run of the same model replaced
    (a resumed `run`, a pane's `r`): those stay in the CSV, but the pane shows the new run."""
    last = {row.get("model"): i for i, row in enumerate(rows)}
    return [
        row
        for i, row in enumerate(rows)
        if row.get("finish_reason") != "cancelled" or last[row.get("model")] == i
    ]
