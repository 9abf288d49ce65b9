"""The one thin HTTP shell: send a streaming request, stamp bytes as they arrive, parse.

Everything protocol-specific lives in the adapters; everything about time lives
here, at the lowest point Python can see: each network chunk is stamped with the
injected clock the moment httpx hands it over, before it is decoded, and every
event parsed from that chunk carries that stamp.

"Request sent" comes from httpx's `trace` extension
(`http11.send_request_body.complete`), so lazy set-up and connecting (measured
~14 ms on a process's first request) never count as model latency; connecting
is reported apart as `RequestSent.connect_ns`.

What a failed exchange says (an error body, a timeout, a dropped connection) is
`providers.http_errors`; which refused parameters are dropped and resent without is
`providers.refusals`.
"""

from __future__ import annotations

import asyncio
import functools
import json
import os
import ssl
import time
from collections.abc import AsyncGenerator, AsyncIterator, Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any

import httpx2 as httpx

from modelduel.events import (
    ErrorInfo,
    Notice,
    ReasoningDelta,
    RequestSent,
    Stamped,
    StreamFailed,
    TextDelta,
    ToolCallStarted,
)
from modelduel.providers.base import Adapter, ModelRequest, StreamTarget
from modelduel.providers.http_errors import (
    exc_text,
    lower_headers,
    read_error,
    timeout_error,
    transport_error,
)
from modelduel.providers.refusals import (
    MAX_DROPPED_PARAMS,
    droppable,
    refused_params,
    remember_refusal,
)
from modelduel.providers.registry import get_adapter
from modelduel.providers.sse import SSEDecoder, SSEEventTooLarge

__all__ = [
    "Clock",
    "StreamTarget",
    "Timeouts",
    "make_client",
    "stream_events",
    "tls_context",
]

Clock = Callable[[], int]
"""A monotonic clock in nanoseconds; `time.monotonic_ns` is one clock across processes."""


@dataclass(frozen=True, slots=True)
class Timeouts:
    """Network time limits in seconds.

    Attributes:
        connect: to open the connection.
        stall: with no data at all between two network reads (keep-alives count as data),
            once the first token arrived; before it a reasoning model may think for
            minutes, and only the runner's overall timeout applies.
        write: to send the request.
    """

    connect: float = 10.0
    stall: float = 300.0
    write: float = 30.0


def tls_context() -> ssl.SSLContext:
    """The TLS context every client shares, built once per process and CA setting.

    httpx builds one per client (loading the CA bundle: 30-60 ms of CPU each), so a duel
    of three providers paid it three times on its way out, before any request was sent.
    Built as httpx would build it, SSL_CERT_FILE / SSL_CERT_DIR honoured (a change of
    either builds a new one); the runner child builds it when it starts, while the user
    is still typing.
    """
    return _tls_context(os.environ.get("SSL_CERT_FILE"), os.environ.get("SSL_CERT_DIR"))


@functools.cache
def _tls_context(cert_file: str | None, cert_dir: str | None) -> ssl.SSLContext:
    del cert_file, cert_dir  # the cache's key: httpx reads them from the environment
    return httpx.create_ssl_context(trust_env=True)


def make_client(timeouts: Timeouts | None = None) -> httpx.AsyncClient:
    """One pooled client per provider for the life of the process.

    A fresh client per request costs tens of milliseconds at p99 (new pool, new TLS
    context, new connection), which would be billed to the model. Like the official
    SDKs, it honours HTTPS_PROXY / HTTP_PROXY / ALL_PROXY / NO_PROXY and SSL_CERT_FILE /
    SSL_CERT_DIR (httpx's `trust_env`), for corporate networks. Reads have no timeout of
    their own: `stream_events` applies the stall limit once the first token arrived.
    """
    t = timeouts or Timeouts()
    return httpx.AsyncClient(
        timeout=httpx.Timeout(connect=t.connect, read=t.stall, write=t.write, pool=t.connect),
        limits=httpx.Limits(max_keepalive_connections=8, keepalive_expiry=60.0),
        follow_redirects=False,
        trust_env=True,
        verify=tls_context(),
    )


async def stream_events(
    client: httpx.AsyncClient,
    target: StreamTarget,
    request: ModelRequest,
    *,
    clock: Clock = time.monotonic_ns,
    stall_timeout_s: float | None = None,
    on_response: Callable[[int, Mapping[str, str]], None] | None = None,
    replies: bool = False,
) -> AsyncGenerator[Stamped, None]:
    """Send one streaming request and yield its stamped events.

    `on_response` sees the status and lower-cased headers of every response (the rate
    limits `modelduel check` reports).

    The stream always ends with exactly one `Finished` or `StreamFailed` (a failure is
    an event, not an exception: the caller keeps partial text and usage). Cancelling the
    consumer closes the connection.

    A 400 naming (`param`) a parameter modelduel added on its own initiative (a display
    nicety such as `reasoning.summary`) is answered at once by the same request without
    it: not a retry, the refused attempt never started, and `RequestSent` is the resent
    request's. The endpoint's refusal is remembered for the process and said once as a
    `Notice`. A parameter the user configured is never dropped.

    `replies`: the parser also emits the assembled `AssistantReply` before the finish
    (what a tool loop or a follow-up turn passes back).

    Silence is limited by `stall_timeout_s` (default: the client's read timeout) only
    after the first token; before it, the caller's overall timeout governs.
    """
    adapter = get_adapter(target.kind)
    key = target.api_key()
    if key is None and target.key_required:
        yield Stamped(
            clock(),
            StreamFailed(ErrorInfo("missing_key", f"{target.key_env or 'the API key'} is not set")),
        )
        return
    stall = stall_timeout_s if stall_timeout_s is not None else client.timeout.read
    remembered = refused_params(target) - set(request.omit_params)
    if remembered:
        request = replace(request, omit_params=(*request.omit_params, *sorted(remembered)))
    url = adapter.url(target.base_url, request.model_id)
    extensions: dict[str, Any] = {"timeout": {**client.timeout.as_dict(), "read": None}}
    notices: list[str] = []
    connect_ns = 0
    for _ in range(MAX_DROPPED_PARAMS + 1):
        body = json.dumps(adapter.build_payload(request), ensure_ascii=False).encode()
        headers = adapter.headers(key)
        headers.update(dict(request.extra_headers))
        marks = _TraceMarks(clock)
        extensions["trace"] = marks.on_trace
        before_send = clock()
        sent_reported = False
        dropped: str | None = None
        try:
            async with client.stream(
                "POST", url, content=body, headers=headers, extensions=extensions
            ) as response:
                del headers
                connect_ns += marks.connect_ns()
                if on_response is not None:
                    on_response(response.status_code, lower_headers(response.headers))
                if response.status_code >= 400:
                    error = await read_error(adapter, response, target.name)
                    dropped = droppable(response.status_code, error, adapter, request)
                    if dropped is None:
                        yield Stamped(marks.sent_ns or before_send, RequestSent(connect_ns))
                        for text in notices:
                            yield Stamped(clock(), Notice(text))
                        yield Stamped(clock(), StreamFailed(error))
                        return
                else:
                    yield Stamped(marks.sent_ns or before_send, RequestSent(connect_ns))
                    sent_reported = True
                    for text in notices:
                        yield Stamped(clock(), Notice(text))
                    async for event in _parse_body(adapter, response, clock, stall, replies):
                        yield event
                    return
        except asyncio.CancelledError:
            if not sent_reported and marks.sent_ns is not None:
                # Cancelled while waiting for the response: the request was sent (Gemini
                # sends its headers only with its first chunk). Said before the cancel
                # goes on, so the cancelled run records when it was sent and its connect.
                sent_reported = True
                yield Stamped(marks.sent_ns, RequestSent(connect_ns + marks.connect_ns()))
            raise
        except httpx.TimeoutException as exc:
            if not sent_reported:
                yield Stamped(marks.sent_ns or before_send, RequestSent(marks.connect_ns()))
            yield Stamped(clock(), StreamFailed(timeout_error(exc, target, stall)))
            return
        except (httpx.TransportError, httpx.StreamError) as exc:
            if not sent_reported:
                yield Stamped(marks.sent_ns or before_send, RequestSent(marks.connect_ns()))
            yield Stamped(clock(), StreamFailed(transport_error(exc, target, sent_reported)))
            return
        # the provider refused a parameter modelduel added itself: send again without it
        notice = remember_refusal(target, dropped)
        if notice is not None:
            notices.append(notice)
        request = replace(request, omit_params=(*request.omit_params, dropped))
    yield Stamped(clock(), StreamFailed(ErrorInfo("bad_request", "too many refused parameters")))


async def _parse_body(
    adapter: Adapter,
    response: httpx.Response,
    clock: Clock,
    stall_s: float | None,
    replies: bool = False,
) -> AsyncGenerator[Stamped, None]:
    decoder = SSEDecoder()
    parser = adapter.new_parser(replies) if replies else adapter.new_parser()
    chunks = _Chunks(response, stall_s)
    t = clock()
    try:
        async for chunk in chunks:
            t = clock()
            for sse in decoder.feed(chunk):
                for event in parser.feed(sse):
                    if isinstance(event, TextDelta | ReasoningDelta | ToolCallStarted):
                        chunks.first_token_seen = True
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
                    f"connection dropped mid-stream: {exc_text(exc)}",
                    retryable=True,
                )
            ),
        )
        return
    except _Stalled:
        seconds = f"{stall_s:g} s" if stall_s is not None else "too long"
        yield Stamped(
            clock(),
            StreamFailed(
                ErrorInfo("stall", f"no data for {seconds} after the first token", retryable=True)
            ),
        )
        return
    for event in parser.close():
        yield Stamped(t, event)


class _Stalled(Exception):
    """No bytes for the stall limit after the first token."""


class _Chunks:
    """The response's byte chunks; once the first token was seen, each wait is limited."""

    def __init__(self, response: httpx.Response, stall_s: float | None) -> None:
        self._it: AsyncIterator[bytes] = response.aiter_bytes().__aiter__()
        self._stall_s = stall_s
        self.first_token_seen = False

    def __aiter__(self) -> _Chunks:
        return self

    async def __anext__(self) -> bytes:
        if not self.first_token_seen or self._stall_s is None:
            return await self._it.__anext__()
        try:
            # a timeout scope, not wait_for: no extra task per network chunk
            async with asyncio.timeout(self._stall_s):
                return await self._it.__anext__()
        except TimeoutError:
            raise _Stalled from None


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
