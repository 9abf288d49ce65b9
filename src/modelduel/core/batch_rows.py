"""A batch's rows on disk: a run's row when it ends, then its checks' and judge's cells.

The row lands as soon as the run ends, checks or not, so a run the progress counted is on
disk before any check starts. What comes later (the checks' verdicts, the judge's) updates
that row and appends a newer transcript record (the transcript keeps a run's last one),
which carries everything added so far. A write that fails is handed to `on_failed`: the
batch decides what a results file that cannot take rows means (it stops). The rows it
refused are kept (with their transcript records) for `save_recovery`: a recovery file
named as the duel screen names its own (`<csv stem>-unsaved-<stamp>.csv`), so paid runs
are never dropped.

Runs nothing: the checks and the judge are run by the caller (`commands/run_cmd.py`).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Mapping
from pathlib import Path

from modelduel.core.checks import transcript_fields
from modelduel.core.records import csv_row, transcript_record
from modelduel.core.session import DuelState, RunSlot
from modelduel.errors import CsvError
from modelduel.storage import append_run, transcript_path, update_run
from modelduel.storage.lock import file_lock
from modelduel.storage.opened import OpenedFile
from modelduel.storage.transcript import append_transcript

__all__ = ["BatchRows"]


class BatchRows:
    """The rows of one batch's results CSV and the transcript beside it.

    Args:
        csv: the results CSV.
        on_failed: told of each write that failed (the row or cells are not on disk).
    """

    def __init__(self, csv: Path, on_failed: Callable[[CsvError], None]) -> None:
        self.csv = csv
        self._on_failed = on_failed
        # the file the batch writes: moved or deleted mid-batch, rows are refused (the
        # batch stops) rather than starting a new file at the path with only the newest
        self._opened = OpenedFile(csv, fix="put it back and run the same command again to resume")
        self._extras: dict[str, dict[str, object]] = {}  # run id -> its later transcript fields
        # run id -> (row, transcript record) of each run whose row is not on disk
        self.unsaved: dict[str, tuple[dict[str, object], dict[str, object]]] = {}
        self.cells_lost: set[str] = set()  # runs on disk whose later cells were refused

    def append(self, duel: DuelState, slot: RunSlot) -> bool:
        """A run ended: append its row (and its transcript record); False if not on disk."""
        row = csv_row(duel, slot)
        record = transcript_record(duel, slot) | transcript_fields([])
        try:
            append_run(self.csv, row, record, opened=self._opened)
        except CsvError as exc:
            self.unsaved[slot.run_id] = (dict(row), dict(record))
            self._on_failed(exc)
            return False
        return True

    def save_recovery(self, stamp: str, here: Path | None) -> tuple[Path | None, list[str]]:
        """Write every run the CSV refused to a recovery file (with its transcript).

        The file is `<csv stem>-unsaved-<stamp>.csv` beside the CSV, else in `here` (the
        current directory); each is written whole or not at all (a new one that fails is
        removed, with its transcript), so the runs are in exactly one file.

        Returns:
            (the file written, or None when none could be), and why each failed one did.
        """
        name = f"{self.csv.stem}-unsaved-{stamp}.csv"
        candidates = [self.csv.with_name(name)]
        if here is not None and here / name != candidates[0]:
            candidates.append(here / name)
        errors: list[str] = []
        for path in candidates:
            new = not path.exists() and not transcript_path(path).exists()
            try:
                for row, record in self.unsaved.values():
                    append_run(path, row, record)
            except (CsvError, OSError) as exc:
                errors.append(f"{path}: {exc}")
                if new:  # no half recovery file beside the whole one
                    for leftover in (path, transcript_path(path)):
                        with contextlib.suppress(OSError):
                            leftover.unlink()
                continue
            return path, errors
        return None, errors

    def add(
        self,
        duel: DuelState,
        slot: RunSlot,
        cells: Mapping[str, object],
        fields: Mapping[str, object],
    ) -> None:
        """Cells found after the run (checks, a judge's verdict) go into its row.

        Args:
            duel: the run's duel.
            slot: the run.
            cells: the row's new cells.
            fields: what the transcript record gains (kept for the run's later records).
        """
        try:
            update_run(self.csv, slot.run_id, cells, opened=self._opened)
            self._extras.setdefault(slot.run_id, {}).update(fields)
            with file_lock(self.csv):
                record = transcript_record(duel, slot) | self._extras[slot.run_id]
                append_transcript(self.csv, record, opened=self._opened.transcript)
        except (CsvError, OSError) as exc:
            self.cells_lost.add(slot.run_id)
            self._on_failed(exc if isinstance(exc, CsvError) else CsvError(f"{self.csv}: {exc}"))
