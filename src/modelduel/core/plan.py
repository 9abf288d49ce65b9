"""What a run is before it runs: a plain value, light to import.

The screen builds plans at start-up; keeping them apart from the runner keeps the
HTTP stack (httpx2, about 60 ms to import) out of the app's start, since only the
child-process runner sends requests.
"""

from __future__ import annotations

from dataclasses import dataclass

from modelduel.providers.base import ModelRequest, StreamTarget

__all__ = ["RunPlan"]


@dataclass(frozen=True, slots=True)
class RunPlan:
    """One model run of a duel.

    Attributes:
        run_id: unique id of this run (the CSV's run_id).
        client_key: which pooled client to use (the provider name).
        target: where to send it.
        request: what to send.
    """

    run_id: str
    client_key: str
    target: StreamTarget
    request: ModelRequest
