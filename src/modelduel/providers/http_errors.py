"""A failed HTTP exchange in words: an error response, a timeout, a dropped connection.

An error response's body is read (capped) and handed to the adapter, whose words name
the provider's own message; network failures (could not connect, timed out, dropped
before or mid-stream) are worded here, naming the host, never the key. Whether a failure
is retryable is decided with its words. The sending is `providers.http`'s.
"""

from __future__ import annotations

from collections.abc import Mapping

import httpx2 as httpx

from modelduel.events import ErrorInfo
from modelduel.providers.base import Adapter, StreamTarget

__all__ = [
    "MAX_ERROR_BODY_BYTES",
    "exc_text",
    "lower_headers",
    "read_error",
    "timeout_error",
    "transport_error",
]

MAX_ERROR_BODY_BYTES = 64 * 1024
"""An error body is read up to this size: enough for any provider's message."""


async def read_error(adapter: Adapter, response: httpx.Response, provider: str | None) -> ErrorInfo:
    """The adapter's ErrorInfo for a non-2xx response, its body read up to the cap."""
    body = bytearray()
    try:
        async for chunk in response.aiter_bytes():
            body += chunk
            if len(body) >= MAX_ERROR_BODY_BYTES:
                break
    except httpx.HTTPError:
        pass  # the status alone still says what happened
    return adapter.parse_error(
        response.status_code, bytes(body), lower_headers(response.headers), provider
    )


def lower_headers(headers: Mapping[str, str]) -> dict[str, str]:
    """Response headers with lower-cased names, as the adapters read them."""
    return {k.lower(): v for k, v in headers.items()}


def timeout_error(exc: Exception, target: StreamTarget, stall_s: float | None) -> ErrorInfo:
    """A connect timeout, a stall (no data for the read limit) or another timeout."""
    if isinstance(exc, httpx.ConnectTimeout):
        return ErrorInfo(
            "connection",
            f"could not connect to {_host(target.base_url)}: timed out",
            retryable=True,
        )
    if isinstance(exc, httpx.ReadTimeout):
        seconds = f"{stall_s:g} s" if stall_s is not None else "too long"
        return ErrorInfo("stall", f"no data for {seconds}", retryable=True)
    return ErrorInfo("timeout", f"timed out: {exc_text(exc)}", retryable=True)


def transport_error(exc: Exception, target: StreamTarget, sent: bool) -> ErrorInfo:
    """A refused connection, or one dropped before the response or mid-stream (`sent`)."""
    if isinstance(exc, httpx.ConnectError):
        return ErrorInfo(
            "connection",
            f"could not connect to {_host(target.base_url)}: {exc_text(exc)}",
            retryable=True,
        )
    where = "mid-stream" if sent else "before the response"
    return ErrorInfo("connection", f"connection dropped {where}: {exc_text(exc)}", retryable=True)


def _host(base_url: str) -> str:
    try:
        url = httpx.URL(base_url)
    except httpx.InvalidURL:  # reported as the user gave it
        return base_url
    return f"{url.host}:{url.port}" if url.port else str(url.host)


def exc_text(exc: Exception) -> str:
    """An exception's first line (its type's name when it has no text)."""
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__
