"""OpenAI wire formats: the Responses API (`/v1/responses`) and Chat Completions.

Written from the recorded GPT-5.5 streams: Responses events are `event:` +
`data:` frames whose JSON has `type` first and the other fields in alphabetical
order, deltas carry an `obfuscation` padding field, usage arrives only in
`response.completed` (output tokens include reasoning tokens). Chat chunks are
`data:`-only, the usage chunk has empty `choices`, and the stream ends with
`data: [DONE]`.
"""

from __future__ import annotations

import base64
import json
import random
import string
from collections.abc import Iterator
from typing import Any

from modelduel.simulator.checks import json_type, text_of_content
from modelduel.simulator.families import openai_efforts
from modelduel.simulator.plan import Frame, FrameKind, Generation, Rejection, SimRequest
from modelduel.simulator.profiles import Profile

__all__ = [
    "chat_body",
    "chat_error_frames",
    "chat_stream",
    "parse_chat",
    "parse_responses",
    "responses_body",
    "responses_error_frames",
    "responses_stream",
]

_EFFORTS = ("none", "minimal", "low", "medium", "high", "xhigh")  # every word the API knows
_SUMMARIES = ("auto", "concise", "detailed")
_OVERLOADED = "Our servers are currently overloaded. Please try again later."


def _dumps(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))


def _hex(rng: random.Random, n: int) -> str:
    return "".join(rng.choice("0123456789abcdef") for _ in range(n))


def _obfuscation(rng: random.Random) -> str:
    return "".join(
        rng.choice(string.ascii_letters + string.digits) for _ in range(rng.randint(2, 15))
    )


def _is_openai_reasoner(model: str) -> bool:
    return model.startswith(("gpt-5", "o1", "o3", "o4"))


def _check_int(body: dict[str, Any], name: str, minimum: int = 1) -> int | None:
    value = body.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise Rejection(
            "bad_request",
            f"Invalid type for '{name}': expected an integer, but got {json_type(value)} instead.",
            param=name,
            code="invalid_type",
        )
    if value < minimum:
        raise Rejection(
            "bad_request",
            f"Invalid '{name}': integer below minimum value. Expected a value >= {minimum}, "
            f"but got {value} instead.",
            param=name,
            code="integer_below_min_value",
        )
    return value


def _check_effort(value: Any, param: str) -> str | None:
    if value is None:
        return None
    if value not in _EFFORTS:
        allowed = ", ".join(f"'{e}'" for e in _EFFORTS[:-1]) + f", and '{_EFFORTS[-1]}'"
        raise Rejection(
            "bad_request",
            f"Invalid value: {json.dumps(value)}. Supported values are: {allowed}.",
            param=param,
            code="invalid_value",
        )
    return str(value)


def _check_model_effort(model: str, effort: str | None, param: str) -> None:
    """Reject an effort word the API knows but this model does not take."""
    allowed = openai_efforts(model)
    if effort is None or effort in allowed:
        return
    listed = ", ".join(f"'{e}'" for e in allowed[:-1]) + f", and '{allowed[-1]}'"
    raise Rejection(
        "bad_request",
        f"Unsupported value: '{effort}' is not supported with the '{model}' model. "
        f"Supported values are: {listed}.",
        param=param,
        code="unsupported_value",
    )


def _check_stream(body: dict[str, Any]) -> bool:
    stream = body.get("stream", False)
    if stream is None:
        return False
    if not isinstance(stream, bool):
        raise Rejection(
            "bad_request",
            f"Invalid type for 'stream': expected a boolean, but got {json_type(stream)} instead.",
            param="stream",
            code="invalid_type",
        )
    return stream


# ---------------------------------------------------------------- Responses API


def parse_responses(body: dict[str, Any], model: str, profile: Profile) -> SimRequest:
    """A validated Responses request.

    Raises:
        Rejection: what the real API rejects (wrong types, sampling parameters sent
            to a reasoning model, bad effort values).
    """
    stream = _check_stream(body)
    instructions = body.get("instructions")
    if instructions is not None and not isinstance(instructions, str):
        raise Rejection(
            "bad_request",
            "Invalid type for 'instructions': expected a string, but got "
            f"{json_type(instructions)} instead.",
            param="instructions",
            code="invalid_type",
        )
    raw_input = body.get("input")
    if raw_input is None:
        raise Rejection("bad_request", "Missing required parameter: 'input'.", param="input")
    texts = [instructions] if instructions else []
    user: list[str] = []
    if isinstance(raw_input, str):
        user.append(raw_input)
    elif isinstance(raw_input, list):
        for i, item in enumerate(raw_input):
            if not isinstance(item, dict):
                raise Rejection(
                    "bad_request",
                    f"Invalid type for 'input[{i}]': expected an object, but got "
                    f"{json_type(item)} instead.",
                    param=f"input[{i}]",
                    code="invalid_type",
                )
            text = text_of_content(
                item.get("content", ""),
                ("input_text", "output_text", "text"),
                f"input[{i}].content",
            )
            (user if item.get("role", "user") == "user" else texts).append(text)
    else:
        raise Rejection(
            "bad_request",
            f"Invalid type for 'input': expected a string or an array, but got "
            f"{json_type(raw_input)} instead.",
            param="input",
            code="invalid_type",
        )
    max_tokens = _check_int(body, "max_output_tokens", minimum=16)
    reasoning = body.get("reasoning") or {}
    if not isinstance(reasoning, dict):
        raise Rejection(
            "bad_request",
            f"Invalid type for 'reasoning': expected an object, but got {json_type(reasoning)} "
            "instead.",
            param="reasoning",
            code="invalid_type",
        )
    effort = _check_effort(reasoning.get("effort"), "reasoning.effort")
    if _is_openai_reasoner(model):
        _check_model_effort(model, effort, "reasoning.effort")
    summary = reasoning.get("summary")
    if summary is not None and summary not in _SUMMARIES:
        raise Rejection(
            "bad_request",
            f"Invalid value: {json.dumps(summary)}. Supported values are: 'auto', 'concise', "
            "and 'detailed'.",
            param="reasoning.summary",
            code="invalid_value",
        )
    reasons = profile.reasons and _is_openai_reasoner(model) and effort != "none"
    if reasons:
        # Reasoning GPT-5.x rejects sampling parameters outright.
        for name in ("temperature", "top_p"):
            if name in body and body[name] is not None:
                raise Rejection(
                    "bad_request",
                    f"Unsupported parameter: '{name}' is not supported with this model.",
                    param=name,
                )
    return SimRequest(
        protocol="openai",
        stream=stream,
        model=model,
        prompt="\n\n".join(user),
        input_texts=texts + user,
        max_tokens=max_tokens,
        effort=effort or ("medium" if reasons else None),
        reasoning_on=reasons,
        reasoning_shown=reasons and summary is not None,
        options={
            "instructions": instructions,
            "summary": summary,
            "temperature": body.get("temperature", 1.0),
            "top_p": body.get("top_p", 0.98),
            "encrypted": "reasoning.encrypted_content" in (body.get("include") or []),
        },
    )


class _Responses:
    """Builds one Responses stream; `seq` is the running sequence_number."""

    def __init__(self, gen: Generation) -> None:
        self.gen = gen
        ids = gen.rng("ids")
        self.resp_id = "resp_" + _hex(ids, 50)
        self.rs_id = "rs_" + _hex(ids, 50)
        self.msg_id = "msg_" + _hex(ids, 50)
        self.created_at = 1_785_000_000 + ids.randrange(1_000_000)
        self.encrypted = base64.urlsafe_b64encode(b"\x80" + ids.randbytes(120)).decode()
        self.framing = gen.rng("framing")
        self.seq = 0
        self.frames: list[Frame] = []

    def event(
        self, type_: str, at: float, kind: FrameKind = "meta", tokens: int = 0, **fields: Any
    ) -> None:
        fields["sequence_number"] = self.seq
        self.seq += 1
        obj = {"type": type_, **dict(sorted(fields.items()))}
        data = f"event: {type_}\ndata: {_dumps(obj)}\n\n".encode()
        self.frames.append(Frame(at, data, type_, kind, tokens))

    def reasoning_item(self, done: bool) -> dict[str, Any]:
        item: dict[str, Any] = {"id": self.rs_id, "type": "reasoning"}
        if self.gen.request.options.get("encrypted"):
            item["encrypted_content"] = self.encrypted
        parts = self.gen.reasoning_parts if done else []
        item["summary"] = [{"type": "summary_text", "text": "".join(p)} for p in parts]
        return item

    def message_item(self, done: bool) -> dict[str, Any]:
        content = (
            [
                {
                    "type": "output_text",
                    "annotations": [],
                    "logprobs": [],
                    "text": self.gen.answer_text,
                }
            ]
            if done
            else []
        )
        return {
            "id": self.msg_id,
            "type": "message",
            "status": ("completed" if self.gen.finish == "stop" else "incomplete")
            if done
            else "in_progress",
            "content": content,
            "phase": "final_answer",
            "role": "assistant",
        }

    def usage(self) -> dict[str, Any]:
        g = self.gen
        return {
            "input_tokens": g.input_tokens,
            "input_tokens_details": {
                "cache_write_tokens": g.cache_write_tokens,
                "cached_tokens": g.cached_tokens,
            },
            "output_tokens": g.output_tokens,
            "output_tokens_details": {"reasoning_tokens": g.reasoning_tokens},
            "total_tokens": g.input_tokens + g.output_tokens,
        }

    def response(self, status: str, *, final: bool = False, error: Any = None) -> dict[str, Any]:
        g = self.gen
        opts = g.request.options
        output: list[dict[str, Any]] = []
        if final:
            if g.request.reasoning_on:
                output.append(self.reasoning_item(True))
            output.append(self.message_item(True))
        incomplete = {"reason": "max_output_tokens"} if status == "incomplete" else None
        return {
            "id": self.resp_id,
            "object": "response",
            "created_at": self.created_at,
            "status": status,
            "background": False,
            "completed_at": self.created_at + max(1, round(g.end)) if final else None,
            "error": error,
            "frequency_penalty": 0.0,
            "incomplete_details": incomplete,
            "instructions": opts.get("instructions"),
            "max_output_tokens": g.request.max_tokens,
            "max_tool_calls": None,
            "model": g.served_model,
            "moderation": None,
            "output": output,
            "parallel_tool_calls": True,
            "presence_penalty": 0.0,
            "previous_response_id": None,
            "prompt_cache_key": None,
            "prompt_cache_retention": None,
            "reasoning": {"effort": g.request.effort, "summary": opts.get("summary")},
            "safety_identifier": None,
            "service_tier": "default" if final else "auto",
            "store": True,
            "temperature": opts.get("temperature", 1.0),
            "text": {"format": {"type": "text"}, "verbosity": "medium"},
            "tool_choice": "auto",
            "tools": [],
            "top_logprobs": 0,
            "top_p": opts.get("top_p", 0.98),
            "truncation": "disabled",
            "usage": self.usage() if final else None,
            "user": None,
            "metadata": {},
        }

    def build(self) -> Iterator[Frame]:
        g = self.gen
        self.event("response.created", g.ttfb, response=self.response("in_progress"))
        self.event("response.in_progress", g.ttfb, response=self.response("in_progress"))
        out_index = 0
        if g.request.reasoning_on:
            self.event(
                "response.output_item.added",
                g.ttft,
                item=self.reasoning_item(False),
                output_index=0,
            )
            for s_index, (part, times) in enumerate(
                zip(g.reasoning_parts, g.reasoning_times, strict=True)
            ):
                common: dict[str, Any] = {
                    "item_id": self.rs_id,
                    "output_index": 0,
                    "summary_index": s_index,
                }
                start = times[0] if times else g.ttft
                empty = {"type": "summary_text", "text": ""}
                self.event("response.reasoning_summary_part.added", start, part=empty, **common)
                for piece, at in zip(part, times, strict=True):
                    self.event(
                        "response.reasoning_summary_text.delta",
                        at,
                        "reasoning",
                        1,
                        delta=piece,
                        obfuscation=_obfuscation(self.framing),
                        **common,
                    )
                    yield from self.take()
                text = "".join(part)
                end = times[-1] if times else start
                self.event("response.reasoning_summary_text.done", end, text=text, **common)
                full = {"type": "summary_text", "text": text}
                self.event("response.reasoning_summary_part.done", end, part=full, **common)
            self.event(
                "response.output_item.done",
                g.text_start,
                item=self.reasoning_item(True),
                output_index=0,
            )
            out_index = 1
        self.event(
            "response.output_item.added",
            g.text_start,
            item=self.message_item(False),
            output_index=out_index,
        )
        common = {
            "item_id": self.msg_id,
            "output_index": out_index,
            "content_index": 0,
        }
        empty_part = {"type": "output_text", "annotations": [], "logprobs": [], "text": ""}
        self.event("response.content_part.added", g.text_start, part=empty_part, **common)
        for piece, at in zip(g.answer_pieces, g.answer_times, strict=True):
            self.event(
                "response.output_text.delta",
                at,
                "text",
                1,
                delta=piece,
                logprobs=[],
                obfuscation=_obfuscation(self.framing),
                **common,
            )
            yield from self.take()
        text = g.answer_text
        self.event("response.output_text.done", g.end, text=text, logprobs=[], **common)
        full_part = {"type": "output_text", "annotations": [], "logprobs": [], "text": text}
        self.event("response.content_part.done", g.end, part=full_part, **common)
        self.event(
            "response.output_item.done", g.end, item=self.message_item(True), output_index=out_index
        )
        status = "completed" if g.finish == "stop" else "incomplete"
        self.event(f"response.{status}", g.end, "done", response=self.response(status, final=True))
        yield from self.take()

    def take(self) -> Iterator[Frame]:
        """The frames built since the last call: a stream is written while it is built."""
        frames, self.frames = self.frames, []
        yield from frames


def responses_stream(gen: Generation) -> Iterator[Frame]:
    """Every frame of a successful Responses stream, in order."""
    return _Responses(gen).build()


def responses_error_frames(gen: Generation, seq: int, at: float) -> list[Frame]:
    """The in-stream failure: an `error` event, then `response.failed`."""
    builder = _Responses(gen)
    builder.seq = seq
    error = {"code": "server_is_overloaded", "message": _OVERLOADED}
    builder.event(
        "error", at, "error", code="server_is_overloaded", message=_OVERLOADED, param=None
    )
    failed = builder.response("failed", error=error)
    builder.event("response.failed", at, "done", response=failed)
    return builder.frames


def responses_body(gen: Generation) -> bytes:
    """The JSON body of a non-streaming Responses request."""
    builder = _Responses(gen)
    status = "completed" if gen.finish == "stop" else "incomplete"
    return (
        json.dumps(builder.response(status, final=True), ensure_ascii=False, indent=2) + "\n"
    ).encode()


# ---------------------------------------------------------------- Chat Completions


def parse_chat(body: dict[str, Any], model: str, profile: Profile) -> SimRequest:
    """A validated Chat Completions request.

    Raises:
        Rejection: what the real API rejects (missing messages, wrong types,
            `max_tokens` or a non-default temperature sent to a reasoning GPT).
    """
    stream = _check_stream(body)
    messages = body.get("messages")
    if messages is None:
        raise Rejection(
            "bad_request",
            "Missing required parameter: 'messages'.",
            param="messages",
            code="missing_required_parameter",
        )
    if not isinstance(messages, list) or not messages:
        raise Rejection(
            "bad_request",
            "Invalid 'messages': expected a non-empty array.",
            param="messages",
            code="invalid_type",
        )
    texts: list[str] = []
    user: list[str] = []
    for i, message in enumerate(messages):
        if not isinstance(message, dict) or "role" not in message:
            raise Rejection(
                "bad_request",
                f"Missing required parameter: 'messages[{i}].role'.",
                param=f"messages[{i}].role",
                code="missing_required_parameter",
            )
        text = text_of_content(message.get("content") or "", ("text",), f"messages[{i}].content")
        (user if message["role"] == "user" else texts).append(text)
    openai_reasoner = _is_openai_reasoner(model)
    effort = _check_effort(body.get("reasoning_effort"), "reasoning_effort")
    if openai_reasoner:
        _check_model_effort(model, effort, "reasoning_effort")
    if openai_reasoner and body.get("max_tokens") is not None:
        raise Rejection(
            "bad_request",
            "Unsupported parameter: 'max_tokens' is not supported with this model. "
            "Use 'max_completion_tokens' instead.",
            param="max_tokens",
            code="unsupported_parameter",
        )
    max_tokens = _check_int(body, "max_completion_tokens")
    if max_tokens is None:
        max_tokens = _check_int(body, "max_tokens")
    reasons = profile.reasons and effort != "none"
    if openai_reasoner and reasons:
        temperature = body.get("temperature")
        if temperature is not None and temperature != 1:
            raise Rejection(
                "bad_request",
                f"Unsupported value: 'temperature' does not support {temperature} with this model. "
                "Only the default (1) value is supported.",
                param="temperature",
                code="unsupported_value",
            )
    options = body.get("stream_options") or {}
    if options and not stream:
        raise Rejection(
            "bad_request",
            "The 'stream_options' parameter is only allowed when 'stream' is enabled.",
            param="stream_options",
            code="invalid_value",
        )
    include_usage = bool(options.get("include_usage")) if isinstance(options, dict) else False
    return SimRequest(
        protocol="openai-chat",
        stream=stream,
        model=model,
        prompt="\n\n".join(user),
        input_texts=texts + user,
        max_tokens=max_tokens,
        effort=effort,
        reasoning_on=reasons,
        reasoning_shown=reasons and profile.chat_reasoning_field is not None,
        options={"include_usage": include_usage, "openai": openai_reasoner},
    )


class _Chat:
    def __init__(self, gen: Generation) -> None:
        self.gen = gen
        ids = gen.rng("ids")
        self.id = "chatcmpl-" + "".join(
            ids.choice(string.ascii_letters + string.digits) for _ in range(29)
        )
        self.created = 1_785_000_000 + ids.randrange(1_000_000)
        self.fingerprint = "fp_" + _hex(ids, 10)
        self.framing = gen.rng("framing")
        self.openai = bool(gen.request.options.get("openai"))
        # Some OpenAI-compatible servers ignore stream_options and never send usage.
        self.include_usage = bool(gen.request.options.get("include_usage")) and not bool(
            gen.request.options.get("no_usage")
        )

    def chunk(self, choices: list[dict[str, Any]], usage: Any = None) -> dict[str, Any]:
        obj: dict[str, Any] = {
            "id": self.id,
            "object": "chat.completion.chunk",
            "created": self.created,
            "model": self.gen.served_model,
        }
        if self.openai:
            obj["service_tier"] = "default"
            obj["system_fingerprint"] = self.fingerprint
        obj["choices"] = choices
        if self.include_usage:
            obj["usage"] = usage
        if self.openai:
            obj["obfuscation"] = _obfuscation(self.framing)
        return obj

    @staticmethod
    def choice(delta: dict[str, Any], finish: str | None = None) -> dict[str, Any]:
        return {"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}

    def usage(self) -> dict[str, Any]:
        g = self.gen
        return {
            "prompt_tokens": g.input_tokens,
            "completion_tokens": g.output_tokens,
            "total_tokens": g.input_tokens + g.output_tokens,
            "prompt_tokens_details": {"cached_tokens": g.cached_tokens, "audio_tokens": 0},
            "completion_tokens_details": {
                "reasoning_tokens": g.reasoning_tokens,
                "audio_tokens": 0,
                "accepted_prediction_tokens": 0,
                "rejected_prediction_tokens": 0,
            },
        }

    def reasoning_delta(self, piece: str) -> dict[str, Any]:
        field = self.gen.profile.chat_reasoning_field or "reasoning_content"
        if field == "reasoning":
            return {"role": "assistant", "content": "", "reasoning": piece}
        return {"reasoning_content": piece}

    def build(self) -> Iterator[Frame]:
        g = self.gen
        frames: list[Frame] = []

        def take() -> Iterator[Frame]:
            out = frames[:]
            frames.clear()
            yield from out

        def add(at: float, obj: Any, event: str, kind: FrameKind = "meta", tokens: int = 0) -> None:
            text = obj if isinstance(obj, str) else _dumps(obj)
            frames.append(Frame(at, f"data: {text}\n\n".encode(), event, kind, tokens))

        first_at = g.ttft if g.reasoning_parts else g.text_start
        role = (
            {"role": "assistant", "content": "", "refusal": None}
            if self.openai
            else {"role": "assistant", "content": ""}
        )
        add(first_at, self.chunk([self.choice(role)]), "chunk.role")
        for part, times in zip(g.reasoning_parts, g.reasoning_times, strict=True):
            for piece, at in zip(part, times, strict=True):
                add(
                    at,
                    self.chunk([self.choice(self.reasoning_delta(piece))]),
                    "chunk.reasoning",
                    "reasoning",
                    1,
                )
                yield from take()
        for piece, at in zip(g.answer_pieces, g.answer_times, strict=True):
            add(at, self.chunk([self.choice({"content": piece})]), "chunk.content", "text", 1)
            yield from take()
        add(g.end, self.chunk([self.choice({}, g.finish)]), "chunk.finish")
        if self.include_usage:
            add(g.end, self.chunk([], self.usage()), "chunk.usage", "usage")
        add(g.end, "[DONE]", "[DONE]", "done")
        yield from take()


def chat_stream(gen: Generation) -> Iterator[Frame]:
    """Every frame of a successful Chat Completions stream, in order."""
    return _Chat(gen).build()


def chat_error_frames(gen: Generation, at: float) -> list[Frame]:
    """The in-stream failure of Chat Completions: a chunk holding only `error`; no [DONE]."""
    error = {
        "message": "The server had an error while processing your request. Sorry about that!",
        "type": "server_error",
        "param": None,
        "code": None,
    }
    return [Frame(at, f"data: {_dumps({'error': error})}\n\n".encode(), "error", "error")]


def chat_body(gen: Generation) -> bytes:
    """The JSON body of a non-streaming Chat Completions request."""
    builder = _Chat(gen)
    message: dict[str, Any] = {"role": "assistant", "content": gen.answer_text}
    if gen.reasoning_parts:
        field = gen.profile.chat_reasoning_field or "reasoning_content"
        message[field] = "".join("".join(p) for p in gen.reasoning_parts)
    message.update({"refusal": None, "annotations": []})
    obj: dict[str, Any] = {
        "id": builder.id,
        "object": "chat.completion",
        "created": builder.created,
        "model": gen.served_model,
        "choices": [
            {"index": 0, "message": message, "logprobs": None, "finish_reason": gen.finish}
        ],
    }
    if not gen.request.options.get("no_usage"):
        obj["usage"] = builder.usage()
    if builder.openai:
        obj["service_tier"] = "default"
        obj["system_fingerprint"] = builder.fingerprint
    return (json.dumps(obj, ensure_ascii=False, indent=2) + "\n").encode()
