"""The one thin HTTP shell: send a streaming request, stamp bytes as they arrive, parse.

Everything protocol-specific lives in the adapters; everything about time lives
here, at the lowest point Python can see: each network chunk is stamped with the
injected clock the moment httpx hands it over, before it is decoded, and every
event parsed from that chunk carries that stamp.

"Request sent" comes from httpx's `trace` extension
(`http11.send_request_body.complete`), so lazy set-up and connecting (measured
~14 ms on a process's first request) never count as model latency; connecting
is reported apart as `RequestSent.connect_ns`.
"""

from __future__ import annotations

import json
import time
from collections.abc import AsyncGenerator, Callable, Mapping
from dataclasses import dataclass
from typing import Any

import httpx2 as httpx

from modelduel.core.events import ErrorInfo, RequestSent, Stamped, StreamFailed
from modelduel.providers.base import Adapter, ModelRequest, get_adapter
from modelduel.providers.sse import SSEDecoder, SSEEventTooLarge

__all__ = ["Clock", "StreamTarget", "Timeouts", "make_client", "stream_events"]

Clock = Callable[[], int]
"""A monotonic clock in nanoseconds; `time.monotonic_ns` is one clock across processes."""

MAX_ERROR_BODY_BYTES = 64 * 1024


@dataclass(frozen=True, slots=True)
class Timeouts:
    """Network time limits in seconds.

    Attributes:
        connect: to open the connection.
        stall: with no data at all between two network reads (keep-alives count as data).
        write: to send the request.
    """

    connect: float = 10.0
    stall: float = 60.0
    write: float = 30.0


@dataclass(frozen=True, slots=True)
class StreamTarget:
    """Where and how to send one request.

    Attributes:
        kind: the protocol (one of providers.base.KINDS).
        base_url: the endpoint's base URL.
        api_key: the key as a zero-arg getter, called only when headers are built, so no
            long-lived object holds the plain key (and reprs cannot show it).
        key_env: the variable the key comes from, for "X is not set".
        key_required: False for local servers that need no key.
    """

    kind: str
    base_url: str
    api_key: Callable[[], str | None]
    key_env: str | None
    key_required: bool = True


def make_client(timeouts: Timeouts | None = None) -> httpx.AsyncClient:
    """One pooled client per provider for the life of the process.

    A fresh client per request costs tens of milliseconds at p99 (new pool, new TLS
    context, new connection), which would be billed to the model.
    """
    t = timeouts or Timeouts()
    return httpx.AsyncClient(
        timeout=httpx.Timeout(connect=t.connect, read=t.stall, write=t.write, pool=t.connect),
        limits=httpx.Limits(max_keepalive_connections=8, keepalive_expiry=60.0),
        follow_redirects=False,
    )


async def stream_events(
    client: httpx.AsyncClient,
    target: StreamTarget,
    request: ModelRequest,
    *,
    clock: Clock = time.monotonic_ns,
    stall_timeout_s: float | None = None,
) -> AsyncGenerator[Stamped, None]:
    """Send one streaming request and yield its stamped events.

    The stream always ends with exactly one `Finished` or `StreamFailed` (a failure is
    an event, not an exception: the caller keeps partial text and usage). Cancelling the
    consumer closes the connection.
    """
    adapter = get_adapter(target.kind)
    key = target.api_key()
    if key is None and target.key_required:
        yield Stamped(
            clock(),
            StreamFailed(ErrorInfo("missing_key", f"{target.key_env or 'the API key'} is not set")),
        )
        return
    body = json.dumps(adapter.build_payload(request), ensure_ascii=False).encode()
    headers = adapter.headers(key)
    del key
    headers.update(dict(request.extra_headers))
    url = adapter.url(target.base_url, request.model_id)
    marks = _TraceMarks(clock)
    extensions: dict[str, Any] = {"trace": marks.on_trace}
    if stall_timeout_s is not None:
        extensions["timeout"] = {**client.timeout.as_dict(), "read": stall_timeout_s}
    stall = stall_timeout_s if stall_timeout_s is not None else client.timeout.read
    before_send = clock()
    sent_reported = False
    try:
        async with client.stream(
            "POST", url, content=body, headers=headers, extensions=extensions
        ) as response:
            del headers
            yield Stamped(marks.sent_ns or before_send, RequestSent(marks.connect_ns()))
            sent_reported = True
            if response.status_code >= 400:
                yield Stamped(clock(), StreamFailed(await _http_error(adapter, response)))
                return
            async for event in _parse_body(adapter, response, clock):
                yield event
    except httpx.TimeoutException as exc:
        if not sent_reported:
            yield Stamped(marks.sent_ns or before_send, RequestSent(marks.connect_ns()))
        yield Stamped(clock(), StreamFailed(_timeout_error(exc, target, stall)))
    except (httpx.TransportError, httpx.StreamError) as exc:
        if not sent_reported:
            yield Stamped(marks.sent_ns or before_send, RequestSent(marks.connect_ns()))
        yield Stamped(clock(), StreamFailed(_transport_error(exc, target, sent_reported)))


async def _parse_body(
    adapter: Adapter, response: httpx.Response, clock: Clock
) -> AsyncGenerator[Stamped, None]:
    decoder = SSEDecoder()
    parser = adapter.new_parser()
    try:
        async for chunk in response.aiter_bytes():
            t = clock()
            for sse in decoder.feed(chunk):
                for event in parser.feed(sse):
                    yield Stamped(t, event)
        t = clock()
        for sse in decoder.flush():
            for event in parser.feed(sse):
                yield Stamped(t, event)
    except SSEEventTooLarge as exc:
        yield Stamped(clock(), StreamFailed(ErrorInfo("malformed", str(exc))))
        return
    except (httpx.TransportError, httpx.StreamError) as exc:
        if isinstance(exc, httpx.TimeoutException):
            raise  # reported by stream_events as a stall
        yield Stamped(
            clock(),
            StreamFailed(
                ErrorInfo(
                    "connection",
                    f"connection dropped mid-stream: {_exc_text(exc)}",
                    retryable=True,
                )
            ),
        )
        return
    for event in parser.close():
        yield Stamped(t, event)


async def _http_error(adapter: Adapter, response: httpx.Response) -> ErrorInfo:
    body = bytearray()
    try:
        async for chunk in response.aiter_bytes():
            body += chunk
            if len(body) >= MAX_ERROR_BODY_BYTES:
                break
    except httpx.HTTPError:
        pass  # the status alone still says what happened
    return adapter.parse_error(response.status_code, bytes(body), _lower(response.headers))


def _lower(headers: Mapping[str, str]) -> dict[str, str]:
    return {k.lower(): v for k, v in headers.items()}


def _timeout_error(exc: Exception, target: StreamTarget, stall_s: float | None) -> ErrorInfo:
    if isinstance(exc, httpx.ConnectTimeout):
        return ErrorInfo(
            "connection",
            f"could not connect to {_host(target.base_url)}: timed out",
            retryable=True,
        )
    if isinstance(exc, httpx.ReadTimeout):
        seconds = f"{stall_s:g} s" if stall_s is not None else "too long"
        return ErrorInfo("stall", f"no data for {seconds}", retryable=True)
    return ErrorInfo("timeout", f"timed out: {_exc_text(exc)}", retryable=True)


def _transport_error(exc: Exception, target: StreamTarget, sent: bool) -> ErrorInfo:
    if isinstance(exc, httpx.ConnectError):
        return ErrorInfo(
            "connection",
            f"could not connect to {_host(target.base_url)}: {_exc_text(exc)}",
            retryable=True,
        )
    where = "mid-stream" if sent else "before the response"
    return ErrorInfo("connection", f"connection dropped {where}: {_exc_text(exc)}", retryable=True)


def _host(base_url: str) -> str:
    try:
        url = httpx.URL(base_url)
    except Exception:  # an invalid URL is reported as given
        return base_url
    return f"{url.host}:{url.port}" if url.port else str(url.host)


def _exc_text(exc: Exception) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


class _TraceMarks:
    """Collects the moments httpcore reports through the `trace` extension."""

    __slots__ = ("_clock", "_connect_total", "_open", "sent_ns")

    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self.sent_ns: int | None = None
        self._connect_total = 0
        self._open: dict[str, int] = {}

    async def on_trace(self, name: str, info: dict[str, Any]) -> None:
        if name == "http11.send_request_body.complete" or name == (
            "http2.send_request_body.complete"
        ):
            self.sent_ns = self._clock()
        elif name.startswith("connection.") and name.endswith(".started"):
            self._open[name[:-8]] = self._clock()
        elif name.startswith("connection.") and name.endswith(".complete"):
            started = self._open.pop(name[:-9], None)
            if started is not None:
                self._connect_total += self._clock() - started

    def connect_ns(self) -> int:
        return self._connect_total
