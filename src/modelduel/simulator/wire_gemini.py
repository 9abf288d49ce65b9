"""Gemini wire format (`/v1beta/models/{model}:streamGenerateContent?alt=sse`).

Written from the recorded streams: `data:`-only frames with CRLF line ends and no
closing sentinel; every chunk carries cumulative `usageMetadata` (the last one is
final; `candidatesTokenCount` excludes `thoughtsTokenCount`); thought summaries are
parts with `"thought": true`; a Gemini 3 stream ends with an empty text part that
holds the `thoughtSignature` beside `finishReason`. A failure mid-stream is a bare,
pretty-printed JSON error object after the `data:` lines.
"""

from __future__ import annotations

import base64
import json
import string
from collections.abc import Iterator
from typing import Any

from modelduel.simulator.checks import text_of_content
from modelduel.simulator.families import gemini_levels
from modelduel.simulator.generation import Frame, FrameKind, Generation, Rejection, SimRequest
from modelduel.simulator.plan import group_pieces
from modelduel.simulator.profiles import Profile

__all__ = ["gemini_body", "gemini_error_frames", "gemini_stream", "parse_gemini"]

_KNOWN_FIELDS = frozenset(
    [
        "contents",
        "systemInstruction",
        "system_instruction",
        "generationConfig",
        "generation_config",
        "safetySettings",
        "safety_settings",
        "tools",
        "toolConfig",
        "tool_config",
        "cachedContent",
        "cached_content",
        "labels",
        "model",
    ]
)
_LEVELS = ("minimal", "low", "medium", "high", "xhigh")  # google-genai's ThinkingLevel


def _dumps(obj: Any) -> str:
    # The real wire separates keys from values with ": " but items with a bare ",".
    return json.dumps(obj, ensure_ascii=False, separators=(",", ": "))


def _invalid_value(path: str, proto_type: str, value: Any) -> Rejection:
    return Rejection(
        "bad_request",
        f"Invalid value at '{path}' ({proto_type}), {json.dumps(value)}",
        param=path,
    )


def parse_gemini(body: dict[str, Any], model: str, profile: Profile) -> SimRequest:
    """A validated generateContent request (camelCase or snake_case fields).

    Raises:
        Rejection: what the real API rejects: unknown top-level fields, missing
            contents, wrong types in the generation config.
    """
    for name in body:
        if name not in _KNOWN_FIELDS:
            raise Rejection(
                "bad_request",
                f'Invalid JSON payload received. Unknown name "{name}": Cannot find field.',
            )
    contents = body.get("contents")
    if not contents:
        raise Rejection(
            "bad_request",
            "* GenerateContentRequest.contents: contents is not specified\n",
            param="contents",
        )
    if not isinstance(contents, list):
        raise _invalid_value(
            "contents", "type.googleapis.com/google.ai.generativelanguage.v1beta.Content", contents
        )
    texts: list[str] = []
    system = body.get("systemInstruction", body.get("system_instruction"))
    if isinstance(system, dict):
        texts.append(
            text_of_content(system.get("parts", []), ("text",), "system_instruction.parts")
        )
    elif isinstance(system, str):
        texts.append(system)
    user: list[str] = []
    for i, content in enumerate(contents):
        if not isinstance(content, dict):
            raise _invalid_value(f"contents[{i}]", "TYPE_MESSAGE", content)
        parts = content.get("parts", [])
        if not isinstance(parts, list):
            raise _invalid_value(f"contents[{i}].parts", "TYPE_MESSAGE", parts)
        text = text_of_content(parts, ("text",), f"contents[{i}].parts")
        (texts if content.get("role") == "model" else user).append(text)

    config = body.get("generationConfig", body.get("generation_config")) or {}
    if not isinstance(config, dict):
        raise _invalid_value("generation_config", "TYPE_MESSAGE", config)
    max_tokens = config.get("maxOutputTokens", config.get("max_output_tokens"))
    if max_tokens is not None and (isinstance(max_tokens, bool) or not isinstance(max_tokens, int)):
        raise _invalid_value("generation_config.max_output_tokens", "TYPE_INT32", max_tokens)
    thinking = config.get("thinkingConfig", config.get("thinking_config")) or {}
    if not isinstance(thinking, dict):
        raise _invalid_value("generation_config.thinking_config", "TYPE_MESSAGE", thinking)
    level = thinking.get("thinkingLevel", thinking.get("thinking_level"))
    if level is not None and str(level).lower() not in _LEVELS:
        raise _invalid_value("generation_config.thinking_config.thinking_level", "TYPE_ENUM", level)
    include = thinking.get("includeThoughts", thinking.get("include_thoughts", False))
    if not isinstance(include, bool):
        raise _invalid_value(
            "generation_config.thinking_config.include_thoughts", "TYPE_BOOL", include
        )
    budget = thinking.get("thinkingBudget", thinking.get("thinking_budget"))
    if budget is not None and (isinstance(budget, bool) or not isinstance(budget, int)):
        raise _invalid_value(
            "generation_config.thinking_config.thinking_budget", "TYPE_INT32", budget
        )
    effort = str(level).lower() if level is not None else None
    if effort is not None:
        _check_level(model, effort, budget)
    if budget == 0:
        if "pro" in model:
            raise Rejection(
                "bad_request", "Budget 0 is invalid. This model only works in thinking mode."
            )
        effort = "none"
    reasoning_on = profile.reasons and effort != "none"
    return SimRequest(
        protocol="gemini",
        stream=False,
        model=model,
        prompt="\n\n".join(user),
        input_texts=texts + user,
        max_tokens=max_tokens,
        effort=effort,
        reasoning_on=reasoning_on,
        reasoning_shown=reasoning_on and include,
    )


def _check_level(model: str, level: str, budget: Any) -> None:
    """Reject a thinking level this model does not take, or one sent with a budget.

    Raises:
        Rejection: INVALID_ARGUMENT naming the field and the levels the model takes.
    """
    field = "generation_config.thinking_config.thinking_level"
    if budget is not None:
        raise Rejection(
            "bad_request",
            "You can only set one of thinking budget and thinking level.",
            param=field,
        )
    levels = gemini_levels(model)
    if level not in levels:
        supported = ", ".join(v.upper() for v in levels) or "none (use thinking_budget)"
        raise Rejection(
            "bad_request",
            f"Thinking level {level.upper()} is not supported for this model. "
            f"Supported levels: {supported}.",
            param=field,
        )


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
