"""The provider contract: one adapter per wire protocol, each a pure translator.

An adapter builds the URL, headers and JSON body of a streaming request, turns
the decoded SSE events of the response into `core.events` values through a
parser object, and turns an HTTP error response into an `ErrorInfo`. It never
does I/O, never reads the clock and never renders: `providers.http` is the one
thin shell that sends the request and feeds the parser.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from email.utils import parsedate_to_datetime
from typing import Any, Protocol

from modelduel.core.events import ErrorInfo, ErrorKind, Event

__all__ = [
    "KINDS",
    "Adapter",
    "ModelRequest",
    "SSEEvent",
    "StreamParser",
    "clamp_retry_after",
    "error_kind_for_status",
    "get_adapter",
    "parse_retry_after",
]

KINDS = ("openai", "openai-chat", "anthropic", "gemini")
"""The four wire protocols modelduel speaks; a provider's `kind` is one of these."""

MAX_RETRY_AFTER_S = 120.0
"""A Retry-After above this (or negative, NaN, infinite) is clamped: a duel never sleeps an hour."""


@dataclass(frozen=True, slots=True)
class SSEEvent:
    """One decoded server-sent event.

    Attributes:
        event: the `event:` field ("message" when absent).
        data: the `data:` lines joined with "\\n".
        raw: True when these are lines that are not SSE fields at all (Gemini can
            append a bare JSON error object after its `data:` lines); `data` then
            holds those lines joined with "\\n".
    """

    event: str
    data: str
    raw: bool = False


@dataclass(frozen=True, slots=True)
class ModelRequest:
    """What to ask one model, independent of protocol.

    Attributes:
        model_id: the provider's model id (`gpt-5.5`).
        prompt: the user message.
        system: the system prompt / instructions, if any.
        max_output_tokens: cap on output (reasoning included); None = adapter default.
        reasoning_effort: the model's effort / thinking level word (`low`, `medium`,
            `high`, ...); None = the adapter's default, which shows the model thinking.
        temperature: sent only to models that accept it (never to reasoning GPT-5.x
            or Claude Opus 4.7, which reject it with a 400).
        show_reasoning: ask for reasoning text (summaries / thoughts) to be streamed.
        extra_headers: additional request headers (the simulator's fault and
            timing controls); never holds credentials.
    """

    model_id: str
    prompt: str
    system: str | None = None
    max_output_tokens: int | None = None
    reasoning_effort: str | None = None
    temperature: float | None = None
    show_reasoning: bool = True
    extra_headers: tuple[tuple[str, str], ...] = ()


class StreamParser(Protocol):
    """Turns one response's SSE events into typed events. One instance per response."""

    def feed(self, sse: SSEEvent) -> list[Event]:
        """Events for one SSE event (often one, sometimes none or several)."""
        ...

    def close(self) -> list[Event]:
        """Called when the byte stream ends.

        Returns the closing events: nothing when a terminal event was already
        yielded, else a `Finished` the protocol implies (Gemini ends without a
        sentinel) or a `StreamFailed` of kind "connection" when the stream was
        cut before the protocol's end.
        """
        ...


class Adapter(Protocol):
    """One wire protocol. Implementations are stateless module-level singletons."""

    kind: str
    default_base_url: str
    key_envs: tuple[str, ...]
    base_url_env: str

    def url(self, base_url: str, model_id: str) -> str:
        """The streaming endpoint for this model."""
        ...

    def headers(self, api_key: str | None) -> dict[str, str]:
        """Request headers, built at send time only (keys never live in long-lived objects)."""
        ...

    def build_payload(self, request: ModelRequest) -> dict[str, Any]:
        """The JSON body of a streaming request."""
        ...

    def new_parser(self) -> StreamParser:
        """A fresh parser for one response."""
        ...

    def parse_error(self, status: int, body: bytes, headers: Mapping[str, str]) -> ErrorInfo:
        """The ErrorInfo for a non-2xx response, with the provider's own message."""
        ...


def error_kind_for_status(status: int) -> ErrorKind:
    """The error kind an HTTP status implies before the body is read."""
    if status in (401, 403):
        return "auth"
    if status == 404:
        return "not_found"
    if status == 429:
        return "rate_limited"
    if status >= 500:
        return "provider_error"
    return "bad_request"


def clamp_retry_after(seconds: float | None) -> float | None:
    """A usable delay from a provider's hint: None stays None; bad or huge values are clamped."""
    if seconds is None or math.isnan(seconds):
        return None
    if seconds < 0:
        return 0.0
    return min(seconds, MAX_RETRY_AFTER_S)


def parse_retry_after(headers: Mapping[str, str], now_epoch_s: float) -> float | None:
    """Seconds to wait from `retry-after-ms` or `retry-after` (seconds or an HTTP date), clamped."""
    ms = headers.get("retry-after-ms")
    if ms is not None:
        try:
            return clamp_retry_after(float(ms) / 1000.0)
        except ValueError:
            pass
    value = headers.get("retry-after")
    if value is None:
        return None
    value = value.strip()
    try:
        return clamp_retry_after(float(value))
    except ValueError:
        pass
    try:
        # typeshed says datetime, but older Pythons returned None for junk: both handled
        when: datetime | None = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if not isinstance(when, datetime):
        return None
    return clamp_retry_after(when.timestamp() - now_epoch_s)


def get_adapter(kind: str) -> Adapter:
    """The adapter for a protocol kind, imported lazily (start-up stays fast)."""
    adapter: Adapter
    if kind == "openai":
        from modelduel.providers import openai

        adapter = openai.ADAPTER
    elif kind == "openai-chat":
        from modelduel.providers import openai_chat

        adapter = openai_chat.ADAPTER
    elif kind == "anthropic":
        from modelduel.providers import anthropic

        adapter = anthropic.ADAPTER
    elif kind == "gemini":
        from modelduel.providers import gemini

        adapter = gemini.ADAPTER
    else:
        raise KeyError(kind)
    return adapter
