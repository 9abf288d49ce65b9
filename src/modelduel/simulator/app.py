"""The simulator's ASGI application: routing, the real auth checks, faults, timed writes.

A plain ASGI callable, no web framework: each request is read whole, checked the
way the real API checks it (key, JSON, required fields), planned
(`plan.make_generation`), written out by the protocol's writer, and sent frame by
frame — each frame its own write, made when it is due (`asyncio.sleep` until
then), so the timing a client measures is real.

Longer than 400 lines because routing, auth, fault dispatch and the timed writer share
one request context; what a request carries is read elsewhere (`conversation`,
`images`, `tools`, `stored`), the ASGI plumbing is in `asgi` and the ground-truth log in
`groundtruth`.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import re
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from typing import Any
from urllib.parse import parse_qs

from modelduel.simulator import (
    wire_anthropic,
    wire_gemini,
    wire_openai,
    wire_responses,
)
from modelduel.simulator.asgi import (
    Message,
    Receive,
    Scope,
    Send,
    _AbortConnection,
    _encode,
    _headers,
    _json_or_none,
    _lifespan,
    _masked,
    _not_found_route,
    _plain,
    _read_body,
    install_log_filter,
)
from modelduel.simulator.conversation import read_conversation
from modelduel.simulator.errors import ErrorReply, error_reply
from modelduel.simulator.faults import Fault, FaultError, FaultSet, parse_faults, split_model
from modelduel.simulator.groundtruth import GroundTruth
from modelduel.simulator.images import image_tokens
from modelduel.simulator.injection import (
    apply_body_fault,
    apply_stream_fault,
    check_rules,
    fault_reply,
    sticky_faults,
    with_should_retry,
)
from modelduel.simulator.plan import (
    Frame,
    Generation,
    Rejection,
    SimRequest,
    digest_of,
    make_generation,
)
from modelduel.simulator.profiles import (
    OverrideError,
    Profile,
    apply_config,
    apply_overrides,
    known_family,
    profile_for,
)
from modelduel.simulator.ratelimits import RateLimits
from modelduel.simulator.stored import ResponseStore, input_items
from modelduel.simulator.tools import TOOLS_HEADER, ToolScriptError, script_for

__all__ = ["GroundTruth", "SimulatorApp", "install_log_filter"]


_GEMINI_PATH = re.compile(
    r"^/v1(?:beta|alpha)?/models/([^/]+):(streamGenerateContent|generateContent)$"
)
_ROUTES = {
    "/v1/responses": "openai",
    "/v1/chat/completions": "openai-chat",
    "/v1/messages": "anthropic",
}
_KEY_PREFIX = {"openai": "sk-", "openai-chat": "sk-", "anthropic": "sk-ant-", "gemini": "AIza"}

_Parser = Callable[[dict[str, Any], str, Profile], SimRequest]
_PARSERS: dict[str, _Parser] = {
    "openai": wire_openai.parse_responses,
    "openai-chat": wire_openai.parse_chat,
    "anthropic": wire_anthropic.parse_anthropic,
    "gemini": wire_gemini.parse_gemini,
}


@dataclasses.dataclass(slots=True)
class _Context:
    """One request in flight."""

    protocol: str
    path: str
    headers: dict[str, str]
    query: dict[str, list[str]]
    received_ns: int
    request_id: str
    record: dict[str, Any] | None
    disconnect: asyncio.Task[Message]


class SimulatorApp:
    """The ASGI app.

    Args:
        seed: varies every answer and schedule.
        ground_truth: where to record timing, if anywhere.
        profiles: per-model profile overrides, already checked by
            `profiles.check_profile_overrides`; request headers still override them.
    """

    def __init__(
        self,
        seed: int = 0,
        ground_truth: GroundTruth | None = None,
        profiles: Mapping[str, Mapping[str, Any]] | None = None,
    ) -> None:
        self.seed = seed
        self.ground_truth = ground_truth
        self.profiles = dict(profiles or {})
        self._counter = 0
        self._counter_lock = threading.Lock()
        self._cache: dict[str, float] = {}  # marked prompt prefix -> expiry (monotonic s)
        self.rate_limits = RateLimits()
        self.stored_responses = ResponseStore()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Serve one ASGI connection scope."""
        if scope["type"] == "lifespan":
            await _lifespan(receive, send)
            return
        if scope["type"] != "http":
            return
        path: str = scope["path"]
        method: str = scope["method"]
        if method == "GET" and path in ("/", "/health"):
            await _plain(send, 200, b"modelduel provider simulator: every answer is SIMULATED\n")
            return
        gemini = _GEMINI_PATH.match(path)
        protocol = "gemini" if gemini else _ROUTES.get(path)
        if protocol is None:
            await _not_found_route(send, method, path)
            return
        if method != "POST":
            await _plain(send, 405, b"Method Not Allowed\n", [("allow", "POST")])
            return
        body = await _read_body(receive)
        received_ns = time.monotonic_ns()
        with self._counter_lock:
            self._counter += 1
            request_id = f"sim-{self._counter:06d}"
        record = (
            self.ground_truth.open(request_id, path, received_ns) if self.ground_truth else None
        )
        headers = _headers(scope)
        query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
        if record is not None and self.ground_truth:
            self.ground_truth.update(
                record, request_headers=_masked(headers), request_body=_json_or_none(body)
            )
        disconnect = asyncio.ensure_future(receive())
        ctx = _Context(protocol, path, headers, query, received_ns, request_id, record, disconnect)
        try:
            await self._handle(ctx, body, gemini.groups() if gemini else None, send)
        finally:
            disconnect.cancel()

    async def _handle(
        self, ctx: _Context, body: bytes | None, gemini: tuple[str | Any, ...] | None, send: Send
    ) -> None:
        protocol = ctx.protocol
        reply = _check_auth(protocol, ctx.headers, ctx.query, self._provider_id(ctx))
        if reply is None and protocol == "anthropic" and not ctx.headers.get("anthropic-version"):
            reply = error_reply(protocol, "version_missing", request_id=self._provider_id(ctx))
        if reply is None and body is None:
            reply = error_reply(protocol, "bad_request", message="Request body too large.")
        if reply is not None:
            await self._send_error(ctx, send, reply, 0.0)
            return
        assert body is not None
        try:
            payload = json.loads(body.decode("utf-8")) if body.strip() else None
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            reply = error_reply(
                protocol, "malformed_json", detail=str(exc), request_id=self._provider_id(ctx)
            )
            await self._send_error(ctx, send, reply, 0.0)
            return
        if not isinstance(payload, dict):
            message = "The request body must be a JSON object."
            await self._send_error(
                ctx, send, error_reply(protocol, "bad_request", message=message), 0.0
            )
            return

        if gemini is not None:
            requested = str(gemini[0])
        else:
            raw_model = payload.get("model")
            if not isinstance(raw_model, str) or not raw_model:
                await self._send_error(ctx, send, _missing_model(protocol, raw_model), 0.0)
                return
            requested = raw_model
        model, suffix = split_model(requested)
        if ctx.record is not None and self.ground_truth:
            self.ground_truth.update(ctx.record, model=model)
        provider_id = self._provider_id(ctx)
        try:
            configured = apply_config(profile_for(model), self.profiles.get(model, {}))
            profile = apply_overrides(configured, ctx.headers)
            spec = ctx.headers.get("x-simulate-fault") or suffix
            faults = (parse_faults(spec) if spec else FaultSet()).merged(sticky_faults(profile))
        except (FaultError, OverrideError) as exc:
            reply = error_reply(protocol, "bad_request", message=str(exc), param="x-simulate")
            await self._send_error(ctx, send, reply, 0.0)
            return
        ttfb = min(profile.ttfb_ms, profile.ttft_ms) / 1000
        if faults.http is not None:
            key = _presented_key(protocol, ctx.headers, ctx.query) or ""
            reply = fault_reply(protocol, faults.http, model, key, provider_id)
            await self._send_error(ctx, send, with_should_retry(reply, faults), ttfb)
            return
        if not known_family(model, protocol):
            reply = error_reply(protocol, "not_found", model=model, request_id=provider_id)
            await self._send_error(ctx, send, reply, ttfb)
            return
        try:
            script = script_for(profile.tools, ctx.headers.get(TOOLS_HEADER))
        except ToolScriptError as exc:
            reply = error_reply(
                protocol, "bad_request", message=f"{TOOLS_HEADER}: {exc}", param=TOOLS_HEADER
            )
            await self._send_error(ctx, send, reply, 0.0)
            return
        try:
            stored: list[Any] | None = None
            if protocol == "openai" and payload.get("previous_response_id") is not None:
                stored = self.stored_responses.items(payload["previous_response_id"])
        except Rejection as exc:
            reply = error_reply(
                protocol, "bad_request", message=exc.message, param=exc.param, code=exc.code
            )
            await self._send_error(ctx, send, dataclasses.replace(reply, status=404), ttfb)
            return
        if stored is not None:
            # The API continues the stored conversation: its items count as this input.
            payload = {**payload, "input": stored + input_items(payload.get("input"))}
        try:
            request = _PARSERS[protocol](payload, model, profile)
            check_rules(protocol, payload, faults)
            request.conversation = read_conversation(
                protocol, payload, model, thinking_on=request.reasoning_on
            )
            request.image_tokens = image_tokens(protocol, payload, model)
            request.tool_script = script
        except Rejection as exc:
            reply = error_reply(
                protocol,
                exc.kind,
                message=exc.message,
                param=exc.param,
                code=exc.code,
                model=model,
                request_id=provider_id,
            )
            await self._send_error(ctx, send, with_should_retry(reply, faults), ttfb)
            return
        conv = request.conversation
        if conv.tools and script.fail == conv.tool_rounds + 1:
            # The scripted failure mid-loop: this request of the loop gets an HTTP fault.
            key = _presented_key(protocol, ctx.headers, ctx.query) or ""
            failing = parse_faults(script.fail_kind).http
            assert failing is not None
            reply = fault_reply(protocol, failing, model, key, provider_id)
            await self._send_error(ctx, send, with_should_retry(reply, faults), ttfb)
            return
        if gemini is not None:
            request.stream = gemini[1] == "streamGenerateContent"
        if faults.modifier("no_usage") is not None:
            request.options["no_usage"] = True
        try:
            cached = int(ctx.headers.get("x-simulate-cached-tokens", "0"))
        except ValueError:
            cached = 0
        cached = max(cached, self._read_cache(request))
        written = faults.modifier("cache_write")
        silent = faults.modifier("silent_think")
        digest = digest_of(self.seed, protocol, payload, model, ctx.headers.get("x-simulate-seed"))
        gen = make_generation(
            request,
            profile,
            digest,
            cached_tokens=cached,
            cache_write_tokens=written.count if written else 0,
            extra_silence_s=silent.arg if silent else 0.0,
        )
        limited = "openai" if known_family(model, "openai") else protocol
        usage = self.rate_limits.charge(
            limited,
            model,
            gen.input_tokens,
            gen.output_tokens,
            requests_limit=profile.rate_limit_requests,
            tokens_limit=profile.rate_limit_tokens,
        )
        if usage.over_limit:
            reply = error_reply(
                protocol,
                "rate_limit",
                model=model,
                retry_after_s=usage.reset_s,
                request_id=provider_id,
            )
            kept = [h for h in reply.headers if not h[0].startswith("x-ratelimit-")]
            reply = dataclasses.replace(reply, headers=kept + usage.headers)
            await self._send_error(ctx, send, with_should_retry(reply, faults), ttfb)
            return
        if protocol == "openai" and payload.get("store") is not False:
            self.stored_responses.put(*wire_responses.response_record(gen), payload.get("input"))
        await self._respond(ctx, send, gen, faults.stream, provider_id, usage.headers)

    def _read_cache(self, request: SimRequest) -> int:
        """Tokens of the request's marked prefix already in the prompt cache (0 on a miss).

        A hit or a miss both (re)start the prefix's lifetime, as a real cache write or read does.
        """
        key = request.options.get("cache_prefix_key")
        if not key or not request.cache_prefix_tokens:
            return 0
        now = time.monotonic()
        lifetime = 3600.0 if request.cache_ttl == "1h" else 300.0
        with self._counter_lock:
            hit = self._cache.get(key, 0.0) > now
            self._cache[key] = now + lifetime
        return request.cache_prefix_tokens if hit else 0

    def _provider_id(self, ctx: _Context) -> str:
        # Provider-style request ids derive from our counter so every response has one.
        n = int(ctx.request_id.split("-")[1])
        if ctx.protocol == "anthropic":
            return f"req_011CSim{n:017d}"
        return f"req_{n:032x}"

    def _id_headers(self, ctx: _Context, provider_id: str) -> list[tuple[str, str]]:
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

    async def _wait_until(self, ctx: _Context, at: float) -> bool:
        """Sleep until `at` s after the request arrived; False if the client went away."""
        delay = (ctx.received_ns + int(at * 1e9) - time.monotonic_ns()) / 1e9
        if delay > 0:
            await asyncio.wait({ctx.disconnect}, timeout=delay)
        return not ctx.disconnect.done()

    def _log(self, ctx: _Context, frame: Frame) -> None:
        if ctx.record is not None and self.ground_truth:
            event = {
                "written_ns": time.monotonic_ns(),
                "event": frame.event,
                "kind": frame.kind,
                "tokens": frame.tokens,
            }
            self.ground_truth.add_event(ctx.record, event)

    async def _send_error(self, ctx: _Context, send: Send, reply: ErrorReply, at: float) -> None:
        if not await self._wait_until(ctx, at):
            return
        provider_id = self._provider_id(ctx)
        headers = [("content-type", reply.content_type), ("content-length", str(len(reply.body)))]
        present = {name for name, _ in reply.headers}
        headers += [
            h for h in self._id_headers(ctx, provider_id) if h[0] not in present
        ] + reply.headers
        await send(
            {"type": "http.response.start", "status": reply.status, "headers": _encode(headers)}
        )
        await send({"type": "http.response.body", "body": reply.body, "more_body": False})
        if ctx.record is not None and self.ground_truth:
            self.ground_truth.update(ctx.record, status=reply.status)
        self._log(ctx, Frame(at, reply.body, f"http.{reply.status}", "error"))

    async def _respond(
        self,
        ctx: _Context,
        send: Send,
        gen: Generation,
        fault: Fault | None,
        provider_id: str,
        extra_headers: list[tuple[str, str]],
    ) -> None:
        protocol = ctx.protocol
        if gen.request.stream:
            frames = _STREAMS[protocol](gen)
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
                await self._send_error(ctx, send, reply, gen.ttft)
                return
            body = _BODIES[protocol](gen)
            parts, action = apply_body_fault(gen, body, fault)
            content_type = (
                "application/json; charset=UTF-8" if protocol == "gemini" else "application/json"
            )
            headers = [("content-type", content_type)]
            if action == "end" and len(parts) == 1:
                headers.append(("content-length", str(len(parts[0].data))))
            frames = iter(parts)
        headers += self._id_headers(ctx, provider_id) + extra_headers
        if ctx.record is not None and self.ground_truth:
            self.ground_truth.update(ctx.record, status=200)
        started = False
        for frame in frames:
            if not await self._wait_until(ctx, frame.at):
                return
            if not started:
                await send(
                    {"type": "http.response.start", "status": 200, "headers": _encode(headers)}
                )
                started = True
            await send({"type": "http.response.body", "body": frame.data, "more_body": True})
            self._log(ctx, frame)
        if action == "abort":
            if ctx.record is not None and self.ground_truth:
                self.ground_truth.add_event(
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


_STREAMS: dict[str, Callable[[Generation], Iterator[Frame]]] = {
    "openai": wire_openai.responses_stream,
    "openai-chat": wire_openai.chat_stream,
    "anthropic": wire_anthropic.anthropic_stream,
    "gemini": wire_gemini.gemini_stream,
}
_BODIES: dict[str, Callable[[Generation], bytes]] = {
    "openai": wire_openai.responses_body,
    "openai-chat": wire_openai.chat_body,
    "anthropic": wire_anthropic.anthropic_body,
    "gemini": wire_gemini.gemini_body,
}


# ---------------------------------------------------------------- HTTP helpers


def _presented_key(
    protocol: str, headers: Mapping[str, str], query: Mapping[str, list[str]]
) -> str | None:
    auth = headers.get("authorization", "")
    scheme, _, token = auth.partition(" ")
    bearer = token.strip() if scheme.lower() == "bearer" and token.strip() else None
    if protocol in ("openai", "openai-chat"):
        return bearer
    if protocol == "anthropic":
        # x-api-key is the documented header; newer SDKs send the key as a Bearer token.
        return headers.get("x-api-key") or bearer
    key = headers.get("x-goog-api-key") or (query.get("key") or [""])[0]
    return key or None


def _check_auth(
    protocol: str, headers: Mapping[str, str], query: Mapping[str, list[str]], request_id: str
) -> ErrorReply | None:
    key = _presented_key(protocol, headers, query)
    if key is None:
        return error_reply(protocol, "auth_missing", request_id=request_id)
    if not key.startswith(_KEY_PREFIX[protocol]) or any(c.isspace() for c in key):
        return error_reply(protocol, "auth", key=key, request_id=request_id)
    return None


def _missing_model(protocol: str, value: Any) -> ErrorReply:
    if protocol == "anthropic":
        message = (
            "model: Field required" if value is None else "model: Input should be a valid string"
        )
        return error_reply(protocol, "bad_request", message=message)
    return error_reply(protocol, "bad_request", message="you must provide a model parameter")
