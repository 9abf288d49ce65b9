"""Gemini wire format (`/v1beta/models/{model}:streamGenerateContent?alt=sse`).

Written from the recorded streams: `data:`-only frames with CRLF line ends and no
closing sentinel; every chunk carries cumulative `usageMetadata` (the last one is
final; `candidatesTokenCount` excludes `thoughtsTokenCount`); thought summaries are
parts with `"thought": true`; a Gemini 3 stream ends with an empty text part that
holds the `thoughtSignature` beside `finishReason`. A failure mid-stream is a bare,
pretty-printed JSON error object after the `data:` lines.
The request side (what a body must be) is `wire_gemini_request.parse_gemini`.
"""

from __future__ import annotations

import base64
import json
import string
from collections.abc import Iterator
from typing import Any

from modelduel.simulator.generation import Frame, FrameKind, Generation
from modelduel.simulator.plan import group_pieces

__all__ = ["gemini_body", "gemini_error_frames", "gemini_stream"]


def _dumps(obj: Any) -> str:
    # The real wire separates keys from values with ": " but items with a bare ",".
    return json.dumps(obj, ensure_ascii=False, separators=(",", ": "))


class _Gemini:
    def __init__(self, gen: Generation) -> None:
        self.gen = gen
        ids = gen.rng("ids")
        alphabet = string.ascii_letters + string.digits + "-_"
        self.response_id = "".join(ids.choice(alphabet) for _ in range(23))
        # Signatures are opaque base64 to clients; the SDK validates the encoding.
        self.signature = base64.b64encode(b"\x12\x0a" + ids.randbytes(200)).decode()
        self.framing = gen.rng("framing")
        shown = sum(len(p) for p in gen.reasoning_parts)
        self.shown_total = shown

    def usage(self, thoughts_shown: int, answer_so_far: int) -> dict[str, Any]:
        g = self.gen
        if self.shown_total and thoughts_shown < self.shown_total:
            thoughts = round(g.reasoning_tokens * thoughts_shown / self.shown_total)
        else:
            thoughts = g.reasoning_tokens
        usage: dict[str, Any] = {"promptTokenCount": g.input_tokens}
        if answer_so_far:
            usage["candidatesTokenCount"] = answer_so_far
        usage["totalTokenCount"] = g.input_tokens + answer_so_far + thoughts
        if g.cached_tokens:
            usage["cachedContentTokenCount"] = g.cached_tokens
        image = g.request.image_tokens
        details = [{"modality": "TEXT", "tokenCount": g.input_tokens - image}]
        if image:
            details.append({"modality": "IMAGE", "tokenCount": image})
        usage["promptTokensDetails"] = details
        if thoughts:
            usage["thoughtsTokenCount"] = thoughts
        return usage

    def chunk(
        self, parts: list[dict[str, Any]], usage: dict[str, Any], finish: str | None = None
    ) -> dict[str, Any]:
        candidate: dict[str, Any] = {"content": {"parts": parts, "role": "model"}}
        if finish:
            candidate["finishReason"] = finish
        candidate["index"] = 0
        return {
            "candidates": [candidate],
            "usageMetadata": usage,
            "modelVersion": self.gen.served_model,
            "responseId": self.response_id,
        }

    @property
    def finish(self) -> str:
        # A function-call turn ends with STOP too: the calls are in the parts.
        return "MAX_TOKENS" if self.gen.finish == "length" else "STOP"

    def call_parts(self) -> list[dict[str, Any]]:
        """One whole `functionCall` part per call; only the first carries the signature."""
        parts: list[dict[str, Any]] = []
        for k, call in enumerate(self.gen.tool_calls):
            part: dict[str, Any] = {"functionCall": {"name": call.name, "args": call.args}}
            if k == 0 and self.signs_calls:
                part["thoughtSignature"] = self.signature
            parts.append(part)
        return parts

    @property
    def signs_calls(self) -> bool:
        return self.gen.request.reasoning_on or self.gen.request.model.startswith("gemini-3")

    def build(self) -> Iterator[Frame]:
        g = self.gen

        def frame(
            at: float, obj: dict[str, Any], event: str, kind: FrameKind, tokens: int
        ) -> Frame:
            return Frame(at, f"data: {_dumps(obj)}\r\n\r\n".encode(), event, kind, tokens)

        shown = 0
        for part, times in zip(g.reasoning_parts, g.reasoning_times, strict=True):
            if not part:
                continue
            shown += len(part)
            thought = [{"text": "".join(part), "thought": True}]
            # A thought summary arrives when the thinking it sums up starts.
            yield frame(
                times[0],
                self.chunk(thought, self.usage(shown, 0)),
                "chunk.thought",
                "reasoning",
                len(part),
            )
        answered = 0
        for text, at, n in group_pieces(g.answer_pieces, g.answer_times, self.framing, 8, 30):
            answered += n
            yield frame(
                at,
                self.chunk([{"text": text}], self.usage(shown, answered)),
                "chunk.text",
                "text",
                n,
            )
        if g.tool_calls:
            at = g.tool_times[-1][-1] if g.tool_times and g.tool_times[-1] else g.end
            answered = g.tool_tokens
            yield frame(
                at,
                self.chunk(self.call_parts(), self.usage(shown, answered)),
                "chunk.function_call",
                "tool",
                sum(len(d) for d in g.tool_deltas),
            )
        last: dict[str, Any] = {"text": ""}
        if g.request.reasoning_on and not g.tool_calls:
            last["thoughtSignature"] = self.signature
        yield frame(
            g.end,
            self.chunk([last], self.usage(shown, answered), self.finish),
            "chunk.finish",
            "done",
            0,
        )


def gemini_stream(gen: Generation) -> Iterator[Frame]:
    """Every frame of a successful streamGenerateContent response, in order, as it is due."""
    return _Gemini(gen).build()


def gemini_error_frames(gen: Generation, at: float) -> list[Frame]:
    """The mid-stream failure: a bare JSON error object after the `data:` lines."""
    error = {
        "error": {
            "code": 503,
            "message": "The model is overloaded. Please try again later.",
            "status": "UNAVAILABLE",
        }
    }
    data = (json.dumps(error, indent=2) + "\n").encode()
    return [Frame(at, data, "error", "error")]


def gemini_body(gen: Generation) -> bytes:
    """The JSON body of a non-streaming generateContent request."""
    builder = _Gemini(gen)
    parts: list[dict[str, Any]] = [
        {"text": "".join(p), "thought": True} for p in gen.reasoning_parts if p
    ]
    if gen.tool_calls:
        parts += builder.call_parts()
    else:
        answer: dict[str, Any] = {"text": gen.answer_text}
        if gen.request.reasoning_on:
            answer["thoughtSignature"] = builder.signature
        parts.append(answer)
    usage = builder.usage(builder.shown_total, len(gen.answer_pieces) + gen.tool_tokens)
    obj = builder.chunk(parts, usage, builder.finish)
    return (json.dumps(obj, ensure_ascii=False, indent=2) + "\n").encode()
