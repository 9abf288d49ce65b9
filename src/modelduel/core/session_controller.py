"""What a scoring session acknowledged, and whether it is on disk yet.

Every run's row and every score change goes through a `SaveLedger`. A write that
fails (read-only file, removed directory, full disk) is not dropped: it stays
pending, is retried before the next write and whenever the user asks, and the
front end can ask the ledger at quit time what is still unsaved, to retry it,
write it to another file, or discard it knowingly. "saved" is only ever reported
for what the last successful write put on disk.

Textual-free, with the storage functions injected, so these rules are tested
without a screen.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from modelduel import storage
from modelduel.errors import CsvError

__all__ = ["PendingWrite", "SaveLedger"]

Append = Callable[[Path, Mapping[str, object], Mapping[str, object] | None], None]
Update = Callable[[Path, str, Mapping[str, object]], None]
ReadIds = Callable[[Path], set[str]]
WriteTranscript = Callable[[Path, Mapping[str, Any]], None]


def _opened_writes(opened: storage.OpenedFile) -> tuple[Append, Update]:
    """Writes that refuse to go to another file at the path of the one the session opened."""

    def append(path: Path, row: Mapping[str, object], t: Mapping[str, object] | None) -> None:
        storage.append_run(path, row, t, opened=opened if path == opened.path else None)

    def update(path: Path, run_id: str, changes: Mapping[str, object]) -> None:
        storage.update_run(path, run_id, changes, opened=opened if path == opened.path else None)

    return append, update


def _read_ids(path: Path) -> set[str]:
    return {row.get("run_id") or "" for row in storage.read_rows(path)}


@dataclass
class PendingWrite:
    """A run whose latest state is not on disk.

    Attributes:
        run_id: the run.
        appended: its row is in the CSV already; only `changes` are missing.
        changes: the cells still to write (all of them when not appended).
        error: why the last attempt failed, one line.
        transcript: a newer transcript record (a later turn) goes in with the changes.
    """

    run_id: str
    appended: bool
    changes: dict[str, object] = field(default_factory=dict)
    error: str = ""
    transcript: bool = False


class SaveLedger:
    """Rows and score changes of one session, written to one CSV, never silently lost."""

    def __init__(
        self,
        path: Path,
        *,
        append: Append | None = None,
        update: Update | None = None,
        read_ids: ReadIds = _read_ids,
        write_transcript: WriteTranscript | None = None,
    ) -> None:
        self.path = path
        # the file at `path` now is the one the user knows: a write never starts another
        opened = storage.OpenedFile(path)
        opened_append, opened_update = _opened_writes(opened)
        self._append = append or opened_append
        self._update = update or opened_update
        self._read_ids = read_ids
        # a later turn's record goes to the transcript the session opened, or nowhere
        self._write_transcript = write_transcript or (
            lambda p, r: storage.write_transcript(
                p, r, opened=opened.transcript if p == path else None
            )
        )
        self._base: dict[str, dict[str, object]] = {}  # each run's row as its run last gave it
        self._running: set[str] = set()  # a later turn is going: the row on disk is older
        self._rows: dict[str, dict[str, object]] = {}
        self._transcripts: dict[str, Mapping[str, Any]] = {}
        self._on_disk: set[str] = set()
        self._early: dict[str, dict[str, object]] = {}  # changes made before the run ended
        self.pending: dict[str, PendingWrite] = {}
        """Runs whose latest state is not on disk, oldest first."""

    # -- what is known ------------------------------------------------------------------

    def know(self, run_id: str, row: Mapping[str, object]) -> None:
        """A run already in the CSV (a recorded duel): changes to it update its row."""
        self._rows[run_id] = dict(row)
        self._on_disk.add(run_id)

    def is_saved(self, run_id: str) -> bool:
        """The run's row is on disk with every change made to it (and no turn is going)."""
        return (
            run_id in self._on_disk and run_id not in self.pending and run_id not in self._running
        )

    def turn_started(self, run_id: str) -> None:
        """A later turn of a recorded run began: its row is not its latest state until the
        turn ends and `record_run` writes it."""
        if run_id in self._base:
            self._running.add(run_id)

    def is_pending(self, run_id: str) -> bool:
        """Something acknowledged for this run is not on disk yet."""
        return run_id in self.pending

    def row(self, run_id: str) -> dict[str, object]:
        """The run's row as it should be on disk (base row plus every change)."""
        return dict(self._rows.get(run_id, {}))

    @property
    def last_error(self) -> str:
        """Why the most recent pending write failed ("" when nothing is pending)."""
        for pending in reversed(self.pending.values()):
            return pending.error
        return ""

    # -- writes -------------------------------------------------------------------------

    def record_run(
        self, run_id: str, row: Mapping[str, object], transcript: Mapping[str, Any] | None
    ) -> bool:
        """A run ended: append its row (after retrying what is pending).

        A run that ended before (a conversation whose later turn just ended) is not
        appended again: the cells its run sets that changed (turns, the summed tokens,
        cost and wall time, the finish) update its row, and its newer transcript record
        goes in first; cells given later (score, checks, rank) are kept.

        Returns:
            True if the row is on disk; False if it is pending (see `pending`).
        """
        self._running.discard(run_id)
        if run_id in self._base:
            return self._record_turn(run_id, row, transcript)
        self._base[run_id] = dict(row)
        self._rows[run_id] = {**row, **self._early.pop(run_id, {})}
        if transcript is not None:
            self._transcripts[run_id] = transcript
        self.retry()
        self.pending[run_id] = PendingWrite(run_id, appended=False)
        return self._attempt(run_id)

    def _record_turn(
        self, run_id: str, row: Mapping[str, object], transcript: Mapping[str, Any] | None
    ) -> bool:
        base = self._base[run_id]
        changes = {k: v for k, v in row.items() if base.get(k) != v}
        self._base[run_id] = dict(row)
        self._rows[run_id].update(changes)
        self.retry()
        pending = self.pending.get(run_id)
        if pending is None:
            pending = self.pending[run_id] = PendingWrite(run_id, appended=True)
        pending.changes.update(changes)
        if transcript is not None:
            self._transcripts[run_id] = transcript
            pending.transcript = True
        return self._attempt(run_id)

    def record_changes(self, run_id: str, changes: Mapping[str, object]) -> bool:
        """Cells of a run changed (its score): write them (after retrying what is pending).

        A run whose row has not been appended yet (still running, or its append
        failed) keeps the changes for when it is.

        Returns:
            True if the run's row is on disk with these changes.
        """
        if run_id not in self._rows:
            # not ended yet: `record_run` writes the row with these cells
            self._early.setdefault(run_id, {}).update(changes)
            self.retry()
            return False
        self._rows[run_id].update(changes)
        self.retry()
        pending = self.pending.get(run_id)
        if pending is not None:
            pending.changes.update(changes)
        else:
            self.pending[run_id] = PendingWrite(run_id, appended=True, changes=dict(changes))
        return self._attempt(run_id)

    def retry(self) -> bool:
        """Try every pending write again, oldest first.

        Returns:
            True if nothing is pending any more.
        """
        for run_id in list(self.pending):
            self._attempt(run_id)
        return not self.pending

    def save_elsewhere(self, path: Path) -> int:
        """Append the full rows of every pending run to another CSV; they stop being pending.

        Returns:
            How many rows were written.

        Raises:
            CsvError: `path` cannot be written (nothing is marked saved then).
        """
        written = 0
        for run_id in list(self.pending):
            self._append(path, self._rows[run_id], self._transcripts.get(run_id))
            del self.pending[run_id]
            written += 1
        return written

    def save_recovery(self, candidates: list[Path]) -> tuple[Path | None, list[str]]:
        """Write every pending run to the first of `candidates` that takes them.

        For an exit that cannot ask (a signal): what the results CSV refused goes to a
        recovery file instead of being lost.

        Returns:
            (the file written, or None when none could be), and why each failed one did.
        """
        errors: list[str] = []
        for path in candidates:
            try:
                self.save_elsewhere(path)
            except (CsvError, OSError) as exc:
                errors.append(f"{path}: {exc}")
                continue
            return path, errors
        return None, errors

    def drop_early(self, run_id: str) -> None:
        """Forget changes given to a run before it ended (it is being re-run)."""
        self._early.pop(run_id, None)

    def discard(self) -> int:
        """Give up on every pending write (the user chose to); returns how many."""
        count = len(self.pending)
        self.pending.clear()
        return count

    def _attempt(self, run_id: str) -> bool:
        pending = self.pending[run_id]
        try:
            if pending.appended:
                transcript = self._transcripts.get(run_id)
                if pending.transcript and transcript is not None:
                    # first, as an append does: the row never names texts not on disk
                    self._write_transcript(self.path, transcript)
                    pending.transcript = False
                try:
                    self._update(self.path, run_id, pending.changes)
                except CsvError:
                    if not self._missing_from_file(run_id):
                        raise
                    # the file was removed or replaced: the whole row goes back in
                    self._append(self.path, self._rows[run_id], self._transcripts.get(run_id))
            else:
                self._append(self.path, self._rows[run_id], self._transcripts.get(run_id))
        except (CsvError, OSError) as exc:
            pending.error = str(exc)
            return False
        del self.pending[run_id]
        self._on_disk.add(run_id)
        return True

    def _missing_from_file(self, run_id: str) -> bool:
        """True if the CSV is gone or readable without this run (so appending is safe)."""
        if not self.path.exists():
            return self.path.parent.is_dir()
        try:
            return run_id not in self._read_ids(self.path)
        except (CsvError, OSError):
            return False
