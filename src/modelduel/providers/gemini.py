"""Gemini `streamGenerateContent?alt=sse`.

Thought parts (`"thought": true`) are reasoning. Every chunk carries cumulative
`usageMetadata`; the last chunk's is final. Gemini counts thoughts apart from
candidates, so output = candidates + thoughts in modelduel's vocabulary. The stream
has no end sentinel: it ends when the connection does, after a `finishReason`.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from dataclasses import replace
from typing import Any
from urllib.parse import quote

from modelduel.conversation import AssistantMessage, AssistantPart, Reasoning, Text, ToolCall
from modelduel.events import (
    AssistantReply,
    ErrorInfo,
    ErrorKind,
    Event,
    Finished,
    ReasoningDelta,
    StreamFailed,
    TextDelta,
    ToolCallArgumentsDelta,
    ToolCallDone,
    ToolCallStarted,
)
from modelduel.events import Usage as UsageEvent
from modelduel.providers.base import ModelRequest, SSEEvent
from modelduel.providers.common import (
    as_int,
    http_error_info,
    load_json_body,
    malformed,
    one_line,
    stream_cut,
)
from modelduel.providers.convo import gemini_contents, gemini_tools

__all__ = ["ADAPTER", "GeminiAdapter", "GeminiParser"]

INCLUDE_THOUGHTS = "generationConfig.thinkingConfig.includeThoughts"

_FINISH = {
    "STOP": "stop",
    "MAX_TOKENS": "max_tokens",
    "SAFETY": "safety",
    "RECITATION": "recitation",
    "PROHIBITED_CONTENT": "blocked",
    "BLOCKLIST": "blocked",
    "SPII": "blocked",
    "IMAGE_SAFETY": "safety",
    "LANGUAGE": "other",
    "MALFORMED_FUNCTION_CALL": "other",
}


def _usage(meta: Any) -> UsageEvent | None:
    if not isinstance(meta, dict):
        return None
    candidates = as_int(meta.get("candidatesTokenCount"))
    thoughts = as_int(meta.get("thoughtsTokenCount"))
    prompt = as_int(meta.get("promptTokenCount"))
    cached = as_int(meta.get("cachedContentTokenCount"))
    output = None
    if candidates is not None or thoughts is not None:
        output = (candidates or 0) + (thoughts or 0)
    return UsageEvent(
        input_tokens=prompt,
        cached_input_tokens=cached if cached is not None else (0 if prompt is not None else None),
        output_tokens=output,
        reasoning_tokens=thoughts,
    )


class GeminiParser:
    """Turns one Gemini stream into events.

    A `functionCall` part arrives whole (no argument deltas); one chunk can hold several
    (parallel calls): each gives `ToolCallStarted`, `ToolCallArgumentsDelta` (the whole
    arguments) and `ToolCallDone`. Gemini gives no call ids (unless the call has an `id`):
    one is made up, unique in the conversation. Parts are also kept for the
    `AssistantReply`, consecutive text pieces joined, each `thoughtSignature` on the part
    it came on.
    """

    __slots__ = ("_calls", "_done", "_finish", "_model", "_parts", "_replies", "_run")

    def __init__(self, replies: bool = False) -> None:
        """`replies`: also emit the assembled `AssistantReply` before the finish."""
        self._done = False
        self._finish: str | None = None
        self._replies = replies
        self._calls = 0
        self._parts: list[AssistantPart] = []
        self._run: tuple[bool, list[str]] | None = None  # (thought?, pieces) being joined
        self._model = ""

    def _close_run(self, signature: Any = None) -> None:
        if self._run is None and signature is None:
            return
        thought, pieces = self._run if self._run is not None else (False, [])
        self._run = None
        data = {"thoughtSignature": signature} if isinstance(signature, str) else None
        text = "".join(pieces)
        if not text and data is None:
            return  # an empty piece carries nothing to pass back
        self._parts.append(Reasoning(text, data) if thought else Text(text, data))

    def _part(self, part: dict[str, Any]) -> list[Event]:
        out: list[Event] = []
        signature = part.get("thoughtSignature")
        call = part.get("functionCall")
        if isinstance(call, dict):
            self._close_run()
            name = str(call.get("name") or "")
            args = call.get("args")
            arguments = json.dumps(args if isinstance(args, dict) else {}, ensure_ascii=False)
            gid = call.get("id") if isinstance(call.get("id"), str) else None
            call_id = gid or f"gemini-call-{uuid.uuid4().hex[:12]}"
            index = self._calls
            self._calls += 1
            data: dict[str, Any] = {}
            if isinstance(signature, str):
                data["thoughtSignature"] = signature
            if gid:
                data["id"] = gid
            self._parts.append(ToolCall(call_id, name, arguments, data or None))
            out.append(ToolCallStarted(index, call_id, name))
            out.append(ToolCallArgumentsDelta(index, arguments))
            out.append(ToolCallDone(index, call_id, name, arguments))
            return out
        piece = part.get("text")
        thought = bool(part.get("thought"))
        if isinstance(piece, str):
            if piece:
                out.append(ReasoningDelta(piece) if thought else TextDelta(piece))
            if self._run is not None and self._run[0] != thought:
                self._close_run()
            if self._run is None:
                self._run = (thought, [])
            self._run[1].append(piece)
        if signature is not None:
            self._close_run(signature)
        return out

    def _reply(self, reason: str) -> AssistantReply:
        self._close_run()
        return AssistantReply(
            AssistantMessage(tuple(self._parts), "gemini", self._model, None, reason)
        )

    def feed(self, sse: SSEEvent) -> list[Event]:
        """Events for one SSE event (or the bare JSON error that can follow them)."""
        if self._done:
            return []
        text = sse.data.strip()
        if sse.raw and text in ("", "[", "]", ","):
            return []  # array framing from a non-SSE response; nothing to read
        try:
            doc = json.loads(text.strip(",[]") if sse.raw else text)
        except ValueError:
            self._done = True
            return [malformed("gemini", sse.data)]
        if isinstance(doc, list) and doc and isinstance(doc[0], dict):
            doc = doc[0]
        if not isinstance(doc, dict):
            self._done = True
            return [malformed("gemini", sse.data)]
        if "error" in doc:
            self._done = True
            return [StreamFailed(_stream_error(doc["error"]))]
        out: list[Event] = []
        candidates = doc.get("candidates")
        if isinstance(candidates, list) and candidates and isinstance(candidates[0], dict):
            cand = candidates[0]
            content = cand.get("content")
            parts = content.get("parts") if isinstance(content, dict) else None
            for part in parts if isinstance(parts, list) else ():
                if isinstance(part, dict):
                    out.extend(self._part(part))
            reason = cand.get("finishReason")
            if isinstance(reason, str) and reason and reason != "FINISH_REASON_UNSPECIFIED":
                self._finish = reason
        if isinstance(doc.get("modelVersion"), str):
            self._model = doc["modelVersion"]
        usage = _usage(doc.get("usageMetadata"))
        if usage is not None:
            out.append(usage)
        feedback = doc.get("promptFeedback")
        if isinstance(feedback, dict) and feedback.get("blockReason") and not candidates:
            self._done = True
            out.append(Finished("blocked", f"prompt blocked: {feedback['blockReason']}"))
        return out

    def close(self) -> list[Event]:
        """End of the byte stream: a finish reason seen means a normal end."""
        if self._done:
            return []
        self._done = True
        if self._finish is None:
            return [stream_cut("gemini", "a finishReason")]
        reason = _FINISH.get(self._finish, "other")
        if self._calls and self._finish == "STOP":
            reason = "tool_use"  # Gemini says STOP after function calls
        if self._replies:
            return [self._reply(reason), Finished(reason, self._finish)]
        return [Finished(reason, self._finish)]


def _retry_delay(details: Any) -> float | None:
    for item in details if isinstance(details, list) else ():
        if isinstance(item, dict) and isinstance(item.get("retryDelay"), str):
            try:
                return float(item["retryDelay"].rstrip("s"))
            except ValueError:
                return None
    return None


def _reasons(err: Mapping[str, Any]) -> set[str]:
    details = err.get("details")
    return {
        str(item.get("reason"))
        for item in (details if isinstance(details, list) else ())
        if isinstance(item, dict) and item.get("reason")
    }


def _violated_field(err: Mapping[str, Any]) -> str | None:
    """The field a BadRequest detail names (`fieldViolations[0].field`), if any."""
    details = err.get("details")
    for item in details if isinstance(details, list) else ():
        violations = item.get("fieldViolations") if isinstance(item, dict) else None
        for v in violations if isinstance(violations, list) else ():
            if isinstance(v, dict) and isinstance(v.get("field"), str):
                return str(v["field"])
    return None


def _is_bad_key(err: Mapping[str, Any]) -> bool:
    if _reasons(err) & {"API_KEY_INVALID", "API_KEY_EXPIRED"}:
        return True
    return "API key not valid" in str(err.get("message") or "")


def _is_daily_quota(err: Mapping[str, Any]) -> bool:
    """A per-day quota (free tier): waiting seconds cannot help, it resets tomorrow."""
    details = err.get("details")
    for item in details if isinstance(details, list) else ():
        violations = item.get("violations") if isinstance(item, dict) else None
        for v in violations if isinstance(violations, list) else ():
            if isinstance(v, dict) and "perday" in str(v.get("quotaId") or "").lower():
                return True
    return False


def _stream_error(err: Any) -> ErrorInfo:
    err = err if isinstance(err, dict) else {"message": str(err)}
    status = as_int(err.get("code"))
    word = str(err.get("status") or "error")
    message = one_line(str(err.get("message") or "stream failed"))
    kind: ErrorKind = "rate_limited" if status == 429 else "provider_error"
    delay = _retry_delay(err.get("details"))
    return ErrorInfo(kind, f"gemini error mid-stream ({word}): {message}", status, delay, True)


class GeminiAdapter:
    """The `gemini` provider kind."""

    kind: str = "gemini"

    def url(self, base_url: str, model_id: str) -> str:
        """The SSE streaming endpoint; the key goes in a header, never in the URL (logs)."""
        name = model_id.removeprefix("models/")
        return f"{base_url.rstrip('/')}/v1beta/models/{quote(name, safe='-._~')}" + (
            ":streamGenerateContent?alt=sse"
        )

    def headers(self, api_key: str | None) -> dict[str, str]:
        """`x-goog-api-key`, built at send time."""
        headers = {"content-type": "application/json", "accept": "text/event-stream"}
        if api_key:
            headers["x-goog-api-key"] = api_key
        return headers

    def build_payload(self, request: ModelRequest) -> dict[str, Any]:
        """The generateContent body, shaped by the model's capability data.

        Thoughts are included (`includeThoughts`) only to show them: without it the
        model thinks the same, it just does not stream the thought summaries.
        """
        caps = request.capabilities(self.kind)
        body: dict[str, Any] = {
            "contents": [{"role": "user", "parts": [{"text": request.prompt}]}]
            if request.conversation is None
            else gemini_contents(request.conversation),
        }
        if request.tools:
            body["tools"] = gemini_tools(request.tools)
        if request.system:
            body["systemInstruction"] = {"parts": [{"text": request.system}]}
        config: dict[str, Any] = {}
        if request.max_output_tokens is not None:
            config["maxOutputTokens"] = request.max_output_tokens
        if request.temperature is not None and caps.temperature:
            config["temperature"] = request.temperature
        thinking: dict[str, Any] = {}
        effort = request.reasoning_effort
        if effort and caps.thinking != "none":
            if effort.lstrip("-").isdigit():
                thinking["thinkingBudget"] = int(effort)  # Gemini 2.5 style
            else:
                thinking["thinkingLevel"] = effort
        if INCLUDE_THOUGHTS in self.optional_params(request):
            thinking["includeThoughts"] = True
        if thinking:
            config["thinkingConfig"] = thinking
        if config:
            body["generationConfig"] = config
        return body

    def optional_params(self, request: ModelRequest) -> frozenset[str]:
        """`includeThoughts`: asked for on modelduel's initiative, to show the model think."""
        caps = request.capabilities(self.kind)
        if (
            request.show_reasoning
            and caps.thinking != "none"
            and INCLUDE_THOUGHTS not in request.omit_params
        ):
            return frozenset({INCLUDE_THOUGHTS})
        return frozenset()

    def new_parser(self, replies: bool = False) -> GeminiParser:
        """A parser for one response (`replies`: emit the assembled `AssistantReply`)."""
        return GeminiParser(replies)

    def parse_error(
        self, status: int, body: bytes, headers: Mapping[str, str], provider: str | None = None
    ) -> ErrorInfo:
        """Gemini's `{"error": {code, message, status, details}}` in words.

        A disabled API (`SERVICE_DISABLED`) and a per-day quota get their own words;
        a daily quota is not retried.
        """
        name = provider or self.kind
        doc = load_json_body(body)
        if doc is None:
            # errors of the streaming endpoint can come as a one-element JSON array
            try:
                value = json.loads(body.decode("utf-8", "replace"))
            except ValueError:
                value = None
            first = value[0] if isinstance(value, list) and value else None
            doc = first if isinstance(first, dict) else None
        found = doc.get("error") if doc else None
        err: dict[str, Any] = found if isinstance(found, dict) else {}
        message = str(err.get("message") or "") or (
            body.decode("utf-8", "replace") if body and not doc else None
        )
        kind: ErrorKind | None = None
        headline = None
        retryable = None
        if _is_bad_key(err):
            kind = "auth"
        elif "SERVICE_DISABLED" in _reasons(err):
            kind = "auth"
            headline = (
                f"{name}: the Generative Language API is not enabled for this key's Google "
                "Cloud project (enable it in the console, or use a key from AI Studio)"
            )
        elif status == 429 and _is_daily_quota(err):
            kind, retryable = "quota", False
            headline = f"{name} daily quota used up: it resets at midnight Pacific time"
        elif status == 402 or "enable billing" in (message or "").lower():
            kind, headline = "quota", f"{name} billing: set up billing for this project"
        elif "location is not supported" in (message or ""):
            kind, headline = "auth", f"{name} does not serve this location"
        elif status == 403:
            kind = "auth"
            headline = f"{name} refused access (HTTP 403 is not necessarily a bad key)"
        info = http_error_info(
            name,
            status,
            message,
            headers,
            kind=kind,
            retry_after_s=_retry_delay(err.get("details")),
            headline=headline,
            retryable=retryable,
        )
        field = _violated_field(err)
        return replace(info, param=field) if field else info


ADAPTER = GeminiAdapter()
