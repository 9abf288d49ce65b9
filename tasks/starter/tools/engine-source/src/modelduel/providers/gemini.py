"""Gemini `streamGenerateContent?alt=sse`.

Thought parts (`"thought": true`) are reasoning. Every chunk carries cumulative
`usageMetadata`; the last chunk's is final. Gemini counts thoughts apart from
candidates, so output = candidates + thoughts in modelduel's vocabulary. The stream
has no end sentinel: it ends when the connection does, after a `finishReason`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

from modelduel.core.events import (
    ErrorInfo,
    ErrorKind,
    Event,
    Finished,
    ReasoningDelta,
    StreamFailed,
    TextDelta,
)
from modelduel.core.events import Usage as UsageEvent
from modelduel.providers.base import ModelRequest, SSEEvent
from modelduel.providers.common import (
    as_int,
    http_error_info,
    load_json_body,
    malformed,
    one_line,
    stream_cut,
)

__all__ = ["ADAPTER", "GeminiAdapter", "GeminiParser"]

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
    """Turns one Gemini stream into events."""

    __slots__ = ("_done", "_finish")

    def __init__(self) -> None:
        self._done = False
        self._finish: str | None = None

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
                if not isinstance(part, dict):
                    continue
                piece = part.get("text")
                if isinstance(piece, str) and piece:
                    out.append(ReasoningDelta(piece) if part.get("thought") else TextDelta(piece))
            reason = cand.get("finishReason")
            if isinstance(reason, str) and reason and reason != "FINISH_REASON_UNSPECIFIED":
                self._finish = reason
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
        return [Finished(_FINISH.get(self._finish, "other"), self._finish)]


def _retry_delay(details: Any) -> float | None:
    for item in details if isinstance(details, list) else ():
        if isinstance(item, dict) and isinstance(item.get("retryDelay"), str):
            try:
                return float(item["retryDelay"].rstrip("s"))
            except ValueError:
                return None
    return None


def _is_bad_key(err: Mapping[str, Any]) -> bool:
    for item in err.get("details") or ():
        if isinstance(item, dict) and item.get("reason") in ("API_KEY_INVALID", "API_KEY_EXPIRED"):
            return True
    return "API key not valid" in str(err.get("message") or "")


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
    default_base_url: str = "https://generativelanguage.googleapis.com"
    key_envs: tuple[str, ...] = ("GOOGLE_API_KEY", "GEMINI_API_KEY")
    base_url_env: str = "GOOGLE_GEMINI_BASE_URL"

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
        """The generateContent body, thoughts included so the user sees the model think."""
        body: dict[str, Any] = {
            "contents": [{"role": "user", "parts": [{"text": request.prompt}]}],
        }
        if request.system:
            body["systemInstruction"] = {"parts": [{"text": request.system}]}
        config: dict[str, Any] = {}
        if request.max_output_tokens is not None:
            config["maxOutputTokens"] = request.max_output_tokens
        if request.temperature is not None:
            config["temperature"] = request.temperature
        thinking: dict[str, Any] = {}
        effort = request.reasoning_effort
        if effort:
            if effort.lstrip("-").isdigit():
                thinking["thinkingBudget"] = int(effort)  # Gemini 2.5 style
            else:
                thinking["thinkingLevel"] = effort
        if request.show_reasoning:
            thinking["includeThoughts"] = True
        if thinking:
            config["thinkingConfig"] = thinking
        if config:
            body["generationConfig"] = config
        return body

    def new_parser(self) -> GeminiParser:
        """A parser for one response."""
        return GeminiParser()

    def parse_error(self, status: int, body: bytes, headers: Mapping[str, str]) -> ErrorInfo:
        """Gemini's `{"error": {code, message, status, details}}` in words."""
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
        if _is_bad_key(err):
            kind = "auth"
        return http_error_info(
            "gemini",
            status,
            message,
            headers,
            kind=kind,
            retry_after_s=_retry_delay(err.get("details")),
        )


ADAPTER = GeminiAdapter()
