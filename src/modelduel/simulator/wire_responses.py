"""OpenAI Responses wire format (`/v1/responses`).

Written from the recorded GPT-5.5 streams: events are `event:` + `data:` frames
whose JSON has `type` first and the other fields in alphabetical order, deltas
carry an `obfuscation` padding field, usage arrives only in `response.completed`
(output tokens include reasoning tokens). Tool calls are `function_call` output
items whose arguments stream as `response.function_call_arguments.delta` events.
One builder class writes both the stream and the body; the request side (what a body
must be) is `wire_responses_request.parse_responses`.
"""

from __future__ import annotations

import base64
import json
import string
from collections.abc import Iterator
from typing import Any

from modelduel.simulator.generation import Frame, FrameKind, Generation
from modelduel.simulator.openai_common import (
    OVERLOADED,
    dumps,
    hex_id,
    obfuscation,
)

__all__ = [
    "response_record",
    "responses_body",
    "responses_error_frames",
    "responses_refused_frames",
    "responses_stream",
]


class _Responses:
    """Builds one Responses stream; `seq` is the running sequence_number."""

    def __init__(self, gen: Generation) -> None:
        self.gen = gen
        ids = gen.rng("ids")
        self.resp_id = "resp_" + hex_id(ids, 50)
        self.rs_id = "rs_" + hex_id(ids, 50)
        self.msg_id = "msg_" + hex_id(ids, 50)
        self.fc_ids = ["fc_" + hex_id(ids, 50) for _ in gen.tool_calls]
        if gen.request.reasoning_on:
            # A call made after reasoning names its reasoning item (see
            # `conversation_openai.REASONING_LINKED_CALL`): passed back without it, it is refused.
            self.fc_ids = [f"fc_{self.rs_id[3:]}{k:02x}" for k in range(len(gen.tool_calls))]
        alnum = string.ascii_letters + string.digits
        self.call_ids = [
            "call_" + "".join(ids.choice(alnum) for _ in range(24)) for _ in gen.tool_calls
        ]
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
        data = f"event: {type_}\ndata: {dumps(obj)}\n\n".encode()
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
            "status": ("completed" if self.gen.completed else "incomplete")
            if done
            else "in_progress",
            "content": content,
            "phase": "final_answer",
            "role": "assistant",
        }

    def call_item(self, k: int, done: bool) -> dict[str, Any]:
        call = self.gen.tool_calls[k]
        return {
            "id": self.fc_ids[k],
            "type": "function_call",
            "status": "completed" if done else "in_progress",
            "arguments": call.arguments if done else "",
            "call_id": self.call_ids[k],
            "name": call.name,
        }

    def echoed_tools(self) -> list[dict[str, Any]]:
        out = []
        for tool in self.gen.request.options.get("tools") or []:
            if tool.get("type") == "function":
                out.append(
                    {
                        "type": "function",
                        "description": tool.get("description"),
                        "name": tool.get("name"),
                        "parameters": tool.get("parameters"),
                        "strict": tool.get("strict", True),
                    }
                )
            else:
                out.append(tool)
        return out

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
            if g.tool_calls:
                output += [self.call_item(k, True) for k in range(len(g.tool_calls))]
            else:
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
            "parallel_tool_calls": opts.get("parallel_tool_calls", True) is not False,
            "presence_penalty": 0.0,
            "previous_response_id": opts.get("previous_response_id"),
            "prompt_cache_key": None,
            "prompt_cache_retention": None,
            "reasoning": {"effort": g.request.effort, "summary": opts.get("summary")},
            "safety_identifier": None,
            "service_tier": "default" if final else "auto",
            "store": opts.get("store", True) is not False,
            "temperature": opts.get("temperature", 1.0),
            "text": {"format": {"type": "text"}, "verbosity": "medium"},
            "tool_choice": opts.get("tool_choice", "auto"),
            "tools": self.echoed_tools(),
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
                        obfuscation=obfuscation(self.framing),
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
        if g.tool_calls:
            yield from self.build_calls(out_index)
        else:
            yield from self.build_message(out_index)
        status = "completed" if g.completed else "incomplete"
        self.event(f"response.{status}", g.end, "done", response=self.response(status, final=True))
        yield from self.take()

    def build_message(self, out_index: int) -> Iterator[Frame]:
        """The answer: one `message` item whose text streams as output_text deltas."""
        g = self.gen
        self.event(
            "response.output_item.added",
            g.text_start,
            item=self.message_item(False),
            output_index=out_index,
        )
        common: dict[str, Any] = {
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
                obfuscation=obfuscation(self.framing),
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
        yield from self.take()

    def build_calls(self, first_index: int) -> Iterator[Frame]:
        """Each tool call: a `function_call` item whose arguments stream as deltas."""
        g = self.gen
        for k, (deltas, times) in enumerate(zip(g.tool_deltas, g.tool_times, strict=True)):
            index = first_index + k
            start = times[0] if times else g.text_start
            self.event(
                "response.output_item.added",
                start,
                item=self.call_item(k, False),
                output_index=index,
            )
            for delta, at in zip(deltas, times, strict=True):
                self.event(
                    "response.function_call_arguments.delta",
                    at,
                    "tool",
                    1,
                    delta=delta,
                    item_id=self.fc_ids[k],
                    obfuscation=obfuscation(self.framing),
                    output_index=index,
                )
                yield from self.take()
            end = times[-1] if times else start
            self.event(
                "response.function_call_arguments.done",
                end,
                arguments=g.tool_calls[k].arguments,
                item_id=self.fc_ids[k],
                output_index=index,
            )
            self.event(
                "response.output_item.done", end, item=self.call_item(k, True), output_index=index
            )
        yield from self.take()

    def take(self) -> Iterator[Frame]:
        """The frames built since the last call: a stream is written while it is built."""
        frames, self.frames = self.frames, []
        yield from frames


def responses_stream(gen: Generation) -> Iterator[Frame]:
    """Every frame of a successful Responses stream, in order."""
    return _Responses(gen).build()


def response_record(gen: Generation) -> tuple[str, list[dict[str, Any]]]:
    """(response id, output items) of a response, as a stored response keeps them."""
    builder = _Responses(gen)
    status = "completed" if gen.completed else "incomplete"
    output: list[dict[str, Any]] = builder.response(status, final=True)["output"]
    return builder.resp_id, output


def responses_error_frames(gen: Generation, seq: int, at: float) -> list[Frame]:
    """The in-stream failure: an `error` event, then `response.failed`."""
    builder = _Responses(gen)
    builder.seq = seq
    error = {"code": "server_is_overloaded", "message": OVERLOADED}
    builder.event("error", at, "error", code="server_is_overloaded", message=OVERLOADED, param=None)
    failed = builder.response("failed", error=error)
    builder.event("response.failed", at, "done", response=failed)
    return builder.frames


def responses_refused_frames(gen: Generation, error: dict[str, Any]) -> list[Frame]:
    """A stream the API accepted, then refused: created, in_progress, a terminal `error`."""
    builder = _Responses(gen)
    builder.event("response.created", gen.ttfb, response=builder.response("in_progress"))
    builder.event("response.in_progress", gen.ttfb, response=builder.response("in_progress"))
    builder.event("error", gen.ttfb, "error", error=error)
    return builder.frames


def responses_body(gen: Generation) -> bytes:
    """The JSON body of a non-streaming Responses request."""
    builder = _Responses(gen)
    status = "completed" if gen.completed else "incomplete"
    return (
        json.dumps(builder.response(status, final=True), ensure_ascii=False, indent=2) + "\n"
    ).encode()
