"""The JSON Lines transcript beside a results CSV: the full texts of each run.

One JSON object per line, joined to the CSV by ``run_id``. Lines are only ever appended
(under the CSV's lock, before the CSV row), so a reader needs no lock: at worst the last
line is incomplete because its writer was killed, and such a line is skipped.

A session's appends go through its `OpenedTranscript` (held by the CSV's `OpenedFile`):
the transcript it opened (or created) moved, deleted or replaced, an append is refused,
as a row is for the CSV, rather than starting a new file that holds only the newest texts.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from modelduel.errors import CsvError
from modelduel.storage.durable import append_durably, followed, fsync_dir, write_all

# fsync_dir and write_all are re-exported for the callers that took them from here.
__all__ = [
    "OpenedTranscript",
    "Transcript",
    "append_transcript",
    "fsync_dir",
    "read_transcript",
    "read_transcripts",
    "transcript_path",
    "write_all",
]


def transcript_path(csv_path: Path) -> Path:
    """The transcript file of a CSV: same directory and stem, suffix ``.jsonl`` (of the
    file a symlinked CSV names: where its rows go)."""
    return followed(csv_path).with_suffix(".jsonl")


def encode_record(record: Mapping[str, object]) -> bytes:
    """One transcript line (with its newline) for a record."""
    line = json.dumps(record, ensure_ascii=False, default=str)
    # Lone surrogates cannot be UTF-8; backslashreplace writes them as "\udxxx", which is a
    # valid JSON escape inside a string (the only place they can occur), so they round-trip.
    return line.encode("utf-8", "backslashreplace") + b"\n"


class OpenedTranscript:
    """Which transcript file a session appends to, so an append never starts another.

    A transcript is only ever appended to, never renamed over (unlike the CSV, whose
    updates are atomic rewrites), so once the session has one, its path must name that
    very file (device and inode). It is held open (read-only): an inode still open is never
    reused, so a new file created at the path after a delete cannot pass for it.
    """

    def __init__(self, csv_path: Path, *, fix: str) -> None:
        """The transcript of ``csv_path``, opened if it exists; ``fix`` ends the refusal."""
        self.path = transcript_path(csv_path)
        self.fix = fix
        self._fd: int | None = None
        self._hold()

    def _hold(self) -> None:
        try:
            fd = os.open(self.path, os.O_RDONLY | os.O_CLOEXEC)
        except OSError:  # missing (the session may create it) or unreadable (the write says)
            return
        self.close()
        self._fd = fd

    def _identity(self) -> tuple[int, int] | None:
        if self._fd is None:
            return None
        st = os.fstat(self._fd)
        return st.st_dev, st.st_ino

    def may_create(self) -> bool:
        """True if a missing transcript may be created (the session never had one)."""
        return self._fd is None

    def check(self) -> None:
        """Refuse an append if the path no longer names the transcript the session opened.

        Raises:
            CsvError: The transcript was moved, deleted or replaced by another file.
        """
        held = self._identity()
        if held is None:
            return  # none yet: the first append creates it
        try:
            st = os.stat(self.path)
        except FileNotFoundError:
            st = None
        if st is None or (st.st_dev, st.st_ino) != held:
            raise CsvError(
                f"transcript {self.path} was moved or deleted since the session opened it; "
                + self.fix
            )

    def wrote(self) -> None:
        """An append went to the path: a transcript the session created is held from now."""
        if self._fd is None:
            self._hold()

    def close(self) -> None:
        """Let go of the file (the session is over)."""
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    def __del__(self) -> None:
        self.close()


def append_transcript(
    csv_path: Path, record: Mapping[str, object], *, opened: OpenedTranscript | None = None
) -> None:
    """Append one record to the transcript of ``csv_path`` and fsync it.

    The caller holds the CSV's lock. If the file's last line is incomplete (a writer was
    killed), a newline is written first, so the new record starts a line of its own and
    the incomplete bytes stay in the file rather than being dropped.

    Args:
        csv_path: The results CSV (its ``.jsonl`` is written).
        record: The record.
        opened: The transcript the session opened: the record is refused (nothing is
            created or written) if the path no longer names it.

    Raises:
        CsvError: ``opened`` says the transcript was moved, deleted or replaced.
        OSError: The transcript cannot be written (the caller reports it as a `CsvError`).
    """
    path = transcript_path(csv_path)
    if opened is not None:
        opened.check()
    create = opened is None or opened.may_create()
    append_durably(path, encode_record(record), on_a_new_line=True, create=create)
    if opened is not None:
        opened.wrote()


@dataclass(frozen=True)
class Transcript:
    """The transcript beside a results CSV as read: its path, whether it exists, its records.

    A reader that shows texts (an export) needs to tell "no transcript at all" (the CSV
    was moved or renamed without its `.jsonl`) from "this run has no record in it".
    """

    path: Path
    found: bool
    records: dict[str, dict[str, object]] = field(default_factory=dict)
    bad_lines: tuple[tuple[int, str], ...] = ()
    """(line number from 1, what is wrong with it) of each line that is not a run's
    record: a reader missing a run's text says which line it was, not "no record"."""

    def bad_line_names(self, most: int = 3) -> str:
        """`FILE.jsonl:7 is not valid JSON (...)`, for the first `most` bad lines."""
        named = [f"{self.path}:{n} {what}" for n, what in self.bad_lines[:most]]
        rest = len(self.bad_lines) - most
        return "; ".join(named) + (f" (and {rest} more bad lines)" if rest > 0 else "")


def read_transcripts(path: Path) -> dict[str, dict[str, object]]:
    """Read the transcript beside a results CSV.

    Args:
        path: The CSV's path (the ``.jsonl`` beside it is read).

    Returns:
        ``run_id`` -> the last record for that run; ``{}`` when there is no transcript.
        Lines that are not a JSON object with a string ``run_id`` (e.g. one cut short by a
        killed writer) are skipped.

    Raises:
        CsvError: The transcript exists but cannot be read.
    """
    return read_transcript(path).records


def read_transcript(path: Path) -> Transcript:
    """The transcript beside the results CSV `path`, saying whether there is one.

    Raises:
        CsvError: The transcript exists but cannot be read.
    """
    tpath = transcript_path(path)
    try:
        data = tpath.read_bytes()
    except FileNotFoundError:
        return Transcript(tpath, found=False)
    except OSError as exc:
        raise CsvError(f"{tpath}: cannot read the transcript ({exc.strerror or exc})") from None
    records: dict[str, dict[str, object]] = {}
    bad: list[tuple[int, str]] = []
    # Split on b"\n" only: str.splitlines would also split at U+2028 and friends inside texts.
    for number, raw in enumerate(data.split(b"\n"), 1):
        if not raw.strip():
            continue
        try:
            record = json.loads(raw.decode("utf-8"))
        except UnicodeDecodeError:
            bad.append((number, "is not valid JSON (not UTF-8)"))
            continue
        except json.JSONDecodeError as exc:
            bad.append((number, f"is not valid JSON ({exc.msg}: column {exc.colno})"))
            continue
        except ValueError as exc:  # e.g. a number too long to convert
            bad.append((number, f"is not valid JSON ({exc})"))
            continue
        if isinstance(record, dict) and isinstance(record.get("run_id"), str):
            records[record["run_id"]] = record
        else:
            bad.append((number, "is not a run's record (a JSON object with a run_id)"))
    return Transcript(tpath, found=True, records=records, bad_lines=tuple(bad))
