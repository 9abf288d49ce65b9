"""A Gemini stream to events: text, thoughts, function calls, usage, the reply.

Every chunk carries cumulative `usageMetadata`; the last chunk's is final. Gemini counts
thoughts apart from candidates, so output = candidates + thoughts in modelduel's
vocabulary. The stream has no end sentinel: it ends when the connection does, after a
`finishReason`.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from modelduel.conversation import AssistantMessage, AssistantPart, Reasoning, Text, ToolCall
from modelduel.events import (
    AssistantReply,
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
from modelduel.providers.base import SSEEvent
from modelduel.providers.common import as_int, malformed, stream_cut
from modelduel.providers.gemini.errors import stream_error

__all__ = ["GeminiParser"]

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
            return [StreamFailed(stream_error(doc["error"]))]
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
