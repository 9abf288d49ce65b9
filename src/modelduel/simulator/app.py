"""The simulator's ASGI application: a request in, checked and planned, an answer out.

A plain ASGI callable, no web framework: each request is read whole, checked the
way the real API checks it (key, JSON, required fields, faults asked for), planned
(`plan.make_generation`) and handed to the timed writer (`writer`), which sends it frame
by frame, each frame when it is due, so the timing a client measures is real.

Elsewhere: what each protocol is (route, key prefix, auth, parser, writers) in
`protocols`; what a request carries in `conversation`, `images`, `tools`; what is kept
between requests in `stored` (responses), `ratelimits` and `prompt_cache`; the faults a
request meets in `request_faults`; the ASGI plumbing in `asgi`; the ground-truth log in
`groundtruth`.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import threading
import time
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qs

from modelduel.simulator import wire_responses
from modelduel.simulator.asgi import (
    Receive,
    Scope,
    Send,
    _headers,
    _json_or_none,
    _lifespan,
    _masked,
    _not_found_route,
    _plain,
    _read_body,
)
from modelduel.simulator.context_window import (
    context_window,
    over_window_error,
    over_window_reply,
)
from modelduel.simulator.conversation import read_conversation
from modelduel.simulator.errors import error_reply
from modelduel.simulator.faults import FaultError, FaultSet, parse_faults, split_model
from modelduel.simulator.generation import Rejection
from modelduel.simulator.groundtruth import GroundTruth
from modelduel.simulator.images import image_tokens
from modelduel.simulator.plan import digest_of, make_generation
from modelduel.simulator.profile_overrides import OverrideError, apply_config, apply_overrides
from modelduel.simulator.profiles import known_family, profile_for
from modelduel.simulator.prompt_cache import PromptCache
from modelduel.simulator.protocols import (
    GEMINI_PATH,
    PARSERS,
    ROUTES,
    check_auth,
    missing_model,
    presented_key,
)
from modelduel.simulator.ratelimits import RateLimits
from modelduel.simulator.request_faults import (
    check_rules,
    fault_reply,
    sticky_faults,
    with_should_retry,
)
from modelduel.simulator.stored import ResponseStore, input_items
from modelduel.simulator.toolscript import TOOLS_HEADER, ToolScriptError, script_for
from modelduel.simulator.writer import RequestContext, provider_request_id, respond, send_error

__all__ = ["SimulatorApp"]


class SimulatorApp:
    """The ASGI app.

    Args:
        seed: varies every answer and schedule.
        ground_truth: where to record timing, if anywhere.
        profiles: per-model profile overrides, already checked by
            `profile_overrides.check_profile_overrides`; request headers still override them.
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
        self.prompt_cache = PromptCache()
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
        gemini = GEMINI_PATH.match(path)
        protocol = "gemini" if gemini else ROUTES.get(path)
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
        ctx = RequestContext(
            protocol,
            path,
            headers,
            query,
            received_ns,
            request_id,
            record,
            disconnect,
            self.ground_truth,
        )
        try:
            await self._handle(ctx, body, gemini.groups() if gemini else None, send)
        finally:
            disconnect.cancel()

    async def _handle(
        self,
        ctx: RequestContext,
        body: bytes | None,
        gemini: tuple[str | Any, ...] | None,
        send: Send,
    ) -> None:
        protocol = ctx.protocol
        reply = check_auth(protocol, ctx.headers, ctx.query, provider_request_id(ctx))
        if reply is None and protocol == "anthropic" and not ctx.headers.get("anthropic-version"):
            reply = error_reply(protocol, "version_missing", request_id=provider_request_id(ctx))
        if reply is None and body is None:
            reply = error_reply(protocol, "bad_request", message="Request body too large.")
        if reply is not None:
            await send_error(ctx, send, reply, 0.0)
            return
        assert body is not None
        try:
            payload = json.loads(body.decode("utf-8")) if body.strip() else None
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            reply = error_reply(
                protocol, "malformed_json", detail=str(exc), request_id=provider_request_id(ctx)
            )
            await send_error(ctx, send, reply, 0.0)
            return
        if not isinstance(payload, dict):
            message = "The request body must be a JSON object."
            await send_error(ctx, send, error_reply(protocol, "bad_request", message=message), 0.0)
            return

        if gemini is not None:
            requested = str(gemini[0])
        else:
            raw_model = payload.get("model")
            if not isinstance(raw_model, str) or not raw_model:
                await send_error(ctx, send, missing_model(protocol, raw_model), 0.0)
                return
            requested = raw_model
        model, suffix = split_model(requested)
        if ctx.record is not None and self.ground_truth:
            self.ground_truth.update(ctx.record, model=model)
        provider_id = provider_request_id(ctx)
        try:
            configured = apply_config(profile_for(model), self.profiles.get(model, {}))
            profile = apply_overrides(configured, ctx.headers)
            spec = ctx.headers.get("x-simulate-fault") or suffix
            faults = (parse_faults(spec) if spec else FaultSet()).merged(sticky_faults(profile))
        except (FaultError, OverrideError) as exc:
            reply = error_reply(protocol, "bad_request", message=str(exc), param="x-simulate")
            await send_error(ctx, send, reply, 0.0)
            return
        ttfb = min(profile.ttfb_ms, profile.ttft_ms) / 1000
        if faults.http is not None:
            key = presented_key(protocol, ctx.headers, ctx.query) or ""
            reply = fault_reply(protocol, faults.http, model, key, provider_id)
            await send_error(ctx, send, with_should_retry(reply, faults), ttfb)
            return
        if not known_family(model, protocol):
            reply = error_reply(protocol, "not_found", model=model, request_id=provider_id)
            await send_error(ctx, send, reply, ttfb)
            return
        try:
            script = script_for(profile.tools, ctx.headers.get(TOOLS_HEADER))
        except ToolScriptError as exc:
            reply = error_reply(
                protocol, "bad_request", message=f"{TOOLS_HEADER}: {exc}", param=TOOLS_HEADER
            )
            await send_error(ctx, send, reply, 0.0)
            return
        try:
            stored: list[Any] | None = None
            if protocol == "openai" and payload.get("previous_response_id") is not None:
                stored = self.stored_responses.items(payload["previous_response_id"])
        except Rejection as exc:
            reply = error_reply(
                protocol, "bad_request", message=exc.message, param=exc.param, code=exc.code
            )
            await send_error(ctx, send, dataclasses.replace(reply, status=404), ttfb)
            return
        if stored is not None:
            # The API continues the stored conversation: its items count as this input.
            payload = {**payload, "input": stored + input_items(payload.get("input"))}
        try:
            request = PARSERS[protocol](payload, model, profile)
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
            await send_error(ctx, send, with_should_retry(reply, faults), ttfb)
            return
        conv = request.conversation
        if conv.tools and script.fail == conv.tool_rounds + 1:
            # The scripted failure mid-loop: this request of the loop gets an HTTP fault.
            key = presented_key(protocol, ctx.headers, ctx.query) or ""
            failing = parse_faults(script.fail_kind).http
            assert failing is not None
            reply = fault_reply(protocol, failing, model, key, provider_id)
            await send_error(ctx, send, with_should_retry(reply, faults), ttfb)
            return
        if gemini is not None:
            request.stream = gemini[1] == "streamGenerateContent"
        if faults.modifier("no_usage") is not None:
            request.options["no_usage"] = True
        try:
            cached = int(ctx.headers.get("x-simulate-cached-tokens", "0"))
        except ValueError:
            cached = 0
        cached = max(cached, self.prompt_cache.read(request))
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
        window = context_window(protocol, model)
        if window is not None and gen.input_tokens > window:
            # Refused before any work: no usage, nothing billed, no rate-limit charge.
            if protocol == "openai" and request.stream:
                refused = iter(wire_responses.responses_refused_frames(gen, over_window_error()))
                await respond(ctx, send, gen, None, provider_id, [], refused)
                return
            reply = over_window_reply(protocol, model, gen.input_tokens, window, provider_id)
            await send_error(ctx, send, reply, ttfb)
            return
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
            await send_error(ctx, send, with_should_retry(reply, faults), ttfb)
            return
        if protocol == "openai" and payload.get("store") is not False:
            self.stored_responses.put(*wire_responses.response_record(gen), payload.get("input"))
        await respond(ctx, send, gen, faults.stream, provider_id, usage.headers)
