"""The simulator's ground-truth log: when each request was received and each frame written."""

from __future__ import annotations

import threading
from typing import Any


class GroundTruth:
    """Thread-safe log of when each request was received and each frame written.

    Times are `time.monotonic_ns()`, the clock a client in the same machine uses.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._records: list[dict[str, Any]] = []

    def open(self, request_id: str, path: str, received_ns: int) -> dict[str, Any]:
        """Start the record of one request and return it for updates."""
        record: dict[str, Any] = {
            "request_id": request_id,
            "path": path,
            "model": None,
            "status": None,
            "received_ns": received_ns,
            "events": [],
        }
        with self._lock:
            self._records.append(record)
        return record

    def add_event(self, record: dict[str, Any], event: dict[str, Any]) -> None:
        """Append one written frame to a record."""
        with self._lock:
            record["events"].append(event)

    def update(self, record: dict[str, Any], **fields: Any) -> None:
        """Set fields of a record."""
        with self._lock:
            record.update(fields)

    def snapshot(self) -> list[dict[str, Any]]:
        """A deep copy of every record so far, oldest first."""
        with self._lock:
            return [{**r, "events": [dict(e) for e in r["events"]]} for r in self._records]

    def clear(self) -> None:
        """Forget every record."""
        with self._lock:
            self._records.clear()
