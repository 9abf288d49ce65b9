"""Applying faults: request rules, error replies and the stream faults, frame by frame.

`faults` parses what was asked for; this module does it to a request or a
response. Stream faults work on the frame iterator as it is written, so a fault
in a 200k-token answer never makes the stream be built whole first.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator
from typing import Any, Literal

from modelduel.simulator import wire_anthropic, wire_chat, wire_gemini, wire_responses
from modelduel.simulator.errors import ErrorReply, error_reply
from modelduel.simulator.faults import Fault, FaultSet, parse_faults
from modelduel.simulator.generation import Frame, Generation, Rejection
from modelduel.simulator.profile_model import Profile

__all__ = [
    "Action",
    "apply_body_fault",
    "apply_stream_fault",
    "check_rules",
    "fault_reply",
    "sticky_faults",
    "with_should_retry",
]

Action = Literal["end", "abort"]


def sticky_faults(profile: Profile) -> FaultSet:
    """The faults a profile applies to every request (options `faults`, `unverified_org`...)."""
    spec = ",".join(
        [
            profile.faults,
            "unverified_org" if profile.unverified_org else "",
            "no_usage" if profile.no_usage else "",
        ]
    )
    return parse_faults(spec)


def _lookup(payload: dict[str, Any], path: str) -> Any:
    node: Any = payload
    for name in path.split("."):
        if not isinstance(node, dict) or name not in node:
            return None
        node = node[name]
    return node


def _present(protocol: str, payload: dict[str, Any], path: str) -> bool:
    """Whether the request body carries `path` (a dotted name) with a non-null value."""
    if _lookup(payload, path) is not None:
        return True
    if protocol == "gemini":
        config = "generationConfig" if "generationConfig" in payload else "generation_config"
        return _lookup(payload, f"{config}.{path}") is not None
    return False


def check_rules(protocol: str, payload: dict[str, Any], faults: FaultSet) -> None:
    """Reject the request for a parameter a request rule refuses, if it carries one.

    Raises:
        Rejection: kind unverified_org or reject_param, naming the parameter.
    """
    for rule in faults.rules:
        if rule.name == "unverified_org":
            if protocol == "openai" and _present(protocol, payload, "reasoning.summary"):
                raise Rejection("unverified_org", param="reasoning.summary")
        elif _present(protocol, payload, rule.text):
            raise Rejection("reject_param", param=rule.text)


def with_should_retry(reply: ErrorReply, faults: FaultSet) -> ErrorReply:
    """`reply` with the `x-should-retry` header a should_retry modifier asks for."""
    modifier = faults.modifier("should_retry")
    if modifier is None:
        return reply
    headers = [h for h in reply.headers if h[0] != "x-should-retry"]
    return dataclasses.replace(reply, headers=[*headers, ("x-should-retry", modifier.text)])


def fault_reply(protocol: str, fault: Fault, model: str, key: str, provider_id: str) -> ErrorReply:
    """The provider's error reply for an HTTP fault (`key`: the presented key, masked in it)."""
    if fault.name == "bad_request":
        return error_reply(
            protocol,
            "bad_request",
            message="Invalid value for 'max_output_tokens': simulated bad parameter.",
            param="max_output_tokens",
            code="invalid_value",
        )
    kind = "rate_limit" if fault.name == "rate_limit_long" else fault.name
    if kind == "billing" and fault.arg == 400:
        kind = "billing_legacy"
    return error_reply(
        protocol, kind, model=model, retry_after_s=fault.arg or 1.0, key=key, request_id=provider_id
    )


def _cut_index(frames: list[Frame], n: int) -> int:
    """How many frames to keep so that `n` tokens have been sent (before the first if n = 0)."""
    token_idx = [i for i, f in enumerate(frames) if f.tokens]
    if not token_idx:
        return max(0, len(frames) - 1)
    if n <= 0:
        return token_idx[0]
    total = 0
    for i in token_idx:
        total += frames[i].tokens
        if total >= n:
            return i + 1
    return token_idx[-1] + 1


class _Cut:
    """A stream split where `n` tokens have been sent, without building the stream whole.

    `head()` yields the frames up to and including the one that completes `n`
    tokens (before the first token frame when n = 0); afterwards `next` is the
    first frame after the cut (None at the end) and `rest()` yields it and the
    remaining frames. `n` is capped at `total` so a cut past the answer falls
    after its last token, before the closing events, as with a list.
    """

    def __init__(self, frames: Iterator[Frame], n: int, total: int) -> None:
        self._frames = frames
        self._n = min(n, total)
        self.next: Frame | None = None

    def head(self) -> Iterator[Frame]:
        sent = 0
        for frame in self._frames:
            if self._n <= 0 and frame.tokens:
                self.next = frame
                return
            yield frame
            sent += frame.tokens
            if self._n > 0 and frame.tokens and sent >= self._n:
                self.next = next(self._frames, None)
                return

    def rest(self) -> Iterator[Frame]:
        if self.next is not None:
            yield self.next
        yield from self._frames


def apply_stream_fault(
    protocol: str, gen: Generation, frames: Iterator[Frame], fault: Fault | None
) -> tuple[Iterator[Frame], Action]:
    """The frames of a stream with a stream fault applied, and how the body ends.

    "abort" (drop) closes the connection after the last frame; "end" ends the body.
    """
    if fault is None:
        return frames, "end"
    if fault.name == "drop":
        return _faulty_stream(protocol, gen, frames, fault), "abort"
    return _faulty_stream(protocol, gen, frames, fault), "end"


def _faulty_stream(
    protocol: str, gen: Generation, frames: Iterator[Frame], fault: Fault
) -> Iterator[Frame]:
    total = sum(len(p) for p in gen.reasoning_parts) + len(gen.answer_pieces)
    if total == 0:
        # No token at all: small enough to decide on the whole list.
        yield from _list_fault(protocol, gen, list(frames), fault)
        return
    name = fault.name
    cut = _Cut(frames, max(1, total // 2) if name == "stall" else fault.count, total)
    yield from cut.head()
    if name == "stall":
        for frame in cut.rest():
            yield dataclasses.replace(frame, at=frame.at + fault.arg)
        return
    next_at = cut.next.at if cut.next is not None else gen.end
    if name == "midstream_error":
        yield from _error_frames(protocol, gen, _seq_after(cut), next_at)
    elif name == "malformed":
        if cut.next is not None:
            yield _corrupt(cut.next)
        yield from cut.rest()
    elif name == "cut_utf8":
        for frame in cut.rest():
            pos = next((i for i, b in enumerate(frame.data) if b >= 0xC0), None)
            if pos is not None:
                yield dataclasses.replace(frame, data=frame.data[: pos + 1], event="cut_utf8")
                return
            yield frame
        yield Frame(next_at, b"data: " + "—".encode()[:2], "cut_utf8", "error")
    # drop: nothing after the cut


def _seq_after(cut: _Cut) -> int:
    """The Responses sequence_number the frame after the cut would have had."""
    if cut.next is None:
        return 0
    match = re.search(rb'"sequence_number":(\d+)', cut.next.data)
    return int(match.group(1)) if match else 0


def _list_fault(protocol: str, gen: Generation, frames: list[Frame], fault: Fault) -> list[Frame]:
    name = fault.name
    if name == "stall":
        k = _cut_index(frames, 1)
        return frames[:k] + [dataclasses.replace(f, at=f.at + fault.arg) for f in frames[k:]]
    k = _cut_index(frames, fault.count)
    next_at = frames[k].at if k < len(frames) else gen.end
    if name == "midstream_error":
        return frames[:k] + _error_frames(protocol, gen, k, next_at)
    if name == "drop":
        return frames[:k]
    if name == "malformed":
        k = min(k, len(frames) - 1)
        return [*frames[:k], _corrupt(frames[k]), *frames[k:]]
    tail = Frame(next_at, b"data: " + "—".encode()[:2], "cut_utf8", "error")
    return [*frames[:k], tail]


def _error_frames(protocol: str, gen: Generation, seq: int, at: float) -> list[Frame]:
    if protocol == "openai":
        return wire_responses.responses_error_frames(gen, seq, at)
    if protocol == "openai-chat":
        return wire_chat.chat_error_frames(gen, at)
    if protocol == "anthropic":
        return wire_anthropic.anthropic_error_frames(gen, at)
    return wire_gemini.gemini_error_frames(gen, at)


def _corrupt(frame: Frame) -> Frame:
    """A copy of `frame` whose JSON is cut in half: the framing stays, the JSON is invalid."""
    data = frame.data
    start = data.find(b"data: ")
    start = start + len(b"data: ") if start >= 0 else 0
    end = data.find(b"\n", start)
    end = len(data) if end < 0 else end
    if data[end - 1 : end] == b"\r":
        end -= 1
    payload = data[start:end]
    broken = payload[: max(1, len(payload) // 2)].decode("utf-8", "ignore").encode()
    return dataclasses.replace(
        frame, data=data[:start] + broken + data[end:], event="malformed", kind="error", tokens=0
    )


def apply_body_fault(
    gen: Generation, body: bytes, fault: Fault | None
) -> tuple[list[Frame], Action]:
    """The writes of a non-streaming body with a stream fault applied, and how it ends."""
    frame = Frame(gen.end, body, "body", "done", len(gen.answer_pieces) + gen.reasoning_tokens)
    if fault is None:
        return [frame], "end"
    if fault.name == "stall":
        return [dataclasses.replace(frame, at=frame.at + fault.arg)], "end"
    if fault.name == "drop":
        return [
            dataclasses.replace(frame, data=body[: len(body) // 2], event="body.partial")
        ], "abort"
    if fault.name == "malformed":
        return [dataclasses.replace(frame, data=body[: len(body) // 2], event="malformed")], "end"
    pos = next((i for i, b in enumerate(body) if b >= 0xC0), len(body) - 1)
    return [dataclasses.replace(frame, data=body[: pos + 1], event="cut_utf8")], "end"
