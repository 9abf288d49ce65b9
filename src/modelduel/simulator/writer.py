"""The timed writer: a request in flight (`RequestContext`) and how its answer goes out.

Each frame is its own write, made when it is due (waiting until then, and stopping when
the client went away), so the timing a client measures is real; every write is recorded
in the ground-truth log when one is kept. An error reply carries the provider's request
id headers like an answer does.
"""

from __future__ import annotations

import asyncio
import dataclasses
import time
from collections.abc import Iterator
from typing import Any

from modelduel.simulator.asgi import Message, Send, _AbortConnection, _encode
from modelduel.simulator.errors import ErrorReply, error_reply
from modelduel.simulator.faults import Fault
from modelduel.simulator.generation import Frame, Generation
from modelduel.simulator.groundtruth import GroundTruth
from modelduel.simulator.protocols import BODIES, STREAMS
from modelduel.simulator.stream_faults import apply_body_fault, apply_stream_fault

__all__ = ["RequestContext", "provider_request_id", "respond", "send_error"]


@dataclasses.dataclass(slots=True)
class RequestContext:
    """One request in flight, and the ground-truth log it is recorded in (if any)."""

    protocol: str
    path: str
    headers: dict[str, str]
    query: dict[str, list[str]]
    received_ns: int
    request_id: str
    record: dict[str, Any] | None
    disconnect: asyncio.Task[Message]
    ground_truth: GroundTruth | None = None


def provider_request_id(ctx: RequestContext) -> str:
    """The provider-style request id of a request (`req_...`)."""
    # Provider-style request ids derive from our counter so every response has one.
    n = int(ctx.request_id.split("-")[1])
    if ctx.protocol == "anthropic":
        return f"req_011CSim{n:017d}"
    return f"req_{n:032x}"


def _id_headers(ctx: RequestContext, provider_id: str) -> list[tuple[str, str]]:
    headers = [("x-simulator-request-id", ctx.request_id)]
    if ctx.protocol in ("openai", "openai-chat"):
        headers.append(("x-request-id", provider_id))
        # OpenAI names the organization and project a request was billed to.
        org = ctx.headers.get("openai-organization", "org-simulated")
        headers.append(("openai-organization", org))
        headers.append(("openai-project", ctx.headers.get("openai-project", "proj_simulated")))
    elif ctx.protocol == "anthropic":
        headers.append(("request-id", provider_id))
    return headers


async def _wait_until(ctx: RequestContext, at: float) -> bool:
    """Sleep until `at` s after the request arrived; False if the client went away."""
    delay = (ctx.received_ns + int(at * 1e9) - time.monotonic_ns()) / 1e9
    if delay > 0:
        await asyncio.wait({ctx.disconnect}, timeout=delay)
    return not ctx.disconnect.done()


def _log(ctx: RequestContext, frame: Frame) -> None:
    if ctx.record is not None and ctx.ground_truth:
        event = {
            "written_ns": time.monotonic_ns(),
            "event": frame.event,
            "kind": frame.kind,
            "tokens": frame.tokens,
        }
        ctx.ground_truth.add_event(ctx.record, event)


async def send_error(ctx: RequestContext, send: Send, reply: ErrorReply, at: float) -> None:
    """Send an error reply `at` s after the request arrived, with the request id headers."""
    if not await _wait_until(ctx, at):
        return
    provider_id = provider_request_id(ctx)
    headers = [("content-type", reply.content_type), ("content-length", str(len(reply.body)))]
    present = {name for name, _ in reply.headers}
    headers += [h for h in _id_headers(ctx, provider_id) if h[0] not in present] + reply.headers
    await send({"type": "http.response.start", "status": reply.status, "headers": _encode(headers)})
    await send({"type": "http.response.body", "body": reply.body, "more_body": False})
    if ctx.record is not None and ctx.ground_truth:
        ctx.ground_truth.update(ctx.record, status=reply.status)
    _log(ctx, Frame(at, reply.body, f"http.{reply.status}", "error"))


async def respond(
    ctx: RequestContext,
    send: Send,
    gen: Generation,
    fault: Fault | None,
    provider_id: str,
    extra_headers: list[tuple[str, str]],
    stream: Iterator[Frame] | None = None,
) -> None:
    """Write a generation out, stream or body, with its fault applied (a drop aborts).

    `stream` replaces the generation's own frames (a stream the API refuses midway).
    """
    protocol = ctx.protocol
    if gen.request.stream:
        frames = STREAMS[protocol](gen) if stream is None else stream
        frames, action = apply_stream_fault(protocol, gen, frames, fault)
        content_type = (
            "text/event-stream" if protocol == "gemini" else "text/event-stream; charset=utf-8"
        )
        headers = [("content-type", content_type), ("cache-control", "no-cache")]
    else:
        if fault is not None and fault.name == "midstream_error":
            reply = error_reply(
                protocol, "overloaded", model=gen.request.model, request_id=provider_id
            )
            await send_error(ctx, send, reply, gen.ttft)
            return
        body = BODIES[protocol](gen)
        parts, action = apply_body_fault(gen, body, fault)
        content_type = (
            "application/json; charset=UTF-8" if protocol == "gemini" else "application/json"
        )
        headers = [("content-type", content_type)]
        if action == "end" and len(parts) == 1:
            headers.append(("content-length", str(len(parts[0].data))))
        frames = iter(parts)
    headers += _id_headers(ctx, provider_id) + extra_headers
    if ctx.record is not None and ctx.ground_truth:
        ctx.ground_truth.update(ctx.record, status=200)
    started = False
    for frame in frames:
        if not await _wait_until(ctx, frame.at):
            return
        if not started:
            await send({"type": "http.response.start", "status": 200, "headers": _encode(headers)})
            started = True
        await send({"type": "http.response.body", "body": frame.data, "more_body": True})
        _log(ctx, frame)
    if action == "abort":
        if ctx.record is not None and ctx.ground_truth:
            ctx.ground_truth.add_event(
                ctx.record,
                {
                    "written_ns": time.monotonic_ns(),
                    "event": "connection.dropped",
                    "kind": "error",
                    "tokens": 0,
                },
            )
        raise _AbortConnection("simulated dropped connection")
    if not started:
        await send({"type": "http.response.start", "status": 200, "headers": _encode(headers)})
    await send({"type": "http.response.body", "body": b"", "more_body": False})
