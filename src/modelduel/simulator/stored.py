"""Stored Responses, for `previous_response_id`: what the API keeps when `store` is true.

A response is kept with the whole conversation it ended (the input items it was given,
then its own output items), so a request naming it continues from there; an id never
stored gets the API's 404 `previous_response_not_found`. The store is bounded: the
oldest responses are dropped first.
"""

from __future__ import annotations

import threading
from typing import Any

from modelduel.simulator.generation import Rejection

__all__ = ["MAX_STORED", "ResponseStore", "input_items"]

MAX_STORED = 512


def input_items(raw: Any) -> list[Any]:
    """A Responses `input` as a list of items (a string is one user message)."""
    if isinstance(raw, str):
        return [{"role": "user", "content": raw}]
    return list(raw) if isinstance(raw, list) else []


class ResponseStore:
    """Thread-safe map of response id to its conversation items, oldest dropped first."""

    def __init__(self, limit: int = MAX_STORED) -> None:
        self._lock = threading.Lock()
        self._items: dict[str, list[Any]] = {}
        self._limit = limit

    def put(self, response_id: str, output: list[Any], request_input: Any) -> None:
        """Keep a response: the input it was given (already continued), then its output."""
        items = input_items(request_input) + output
        with self._lock:
            self._items[response_id] = items
            while len(self._items) > self._limit:
                self._items.pop(next(iter(self._items)))

    def items(self, response_id: Any) -> list[Any]:
        """The conversation a stored response ended.

        Raises:
            Rejection: no response with this id was stored (the app answers 404).
        """
        with self._lock:
            found = self._items.get(str(response_id))
        if found is None:
            raise Rejection(
                "bad_request",
                f"Previous response with id '{response_id}' not found.",
                param="previous_response_id",
                code="previous_response_not_found",
            )
        return list(found)
