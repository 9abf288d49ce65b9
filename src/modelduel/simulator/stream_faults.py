"""Stream faults applied to a response as it is written: an in-stream error, a dropped
connection, a stall, a malformed event, UTF-8 cut mid-character, and the same on a
non-streaming body.

Stream faults work on the frame iterator as it is written, so a fault in a 200k-token
answer never makes the stream be built whole first (where the cut falls is `stream_cut`).
Faults applied to a request before any answer are `request_faults`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from typing import Literal

from modelduel.simulator.faults import Fault
from modelduel.simulator.generation import Frame, Generation
from modelduel.simulator.protocols import ERROR_FRAMES
from modelduel.simulator.stream_cut import StreamCut, cut_index, seq_after

__all__ = ["Action", "apply_body_fault", "apply_stream_fault"]

Action = Literal["end", "abort"]


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
    # Every token a frame can carry: reasoning, answer and tool-call argument pieces (a cut
    # capped at the first two fell before any call of a turn that reasoned first).
    total = (
        sum(len(p) for p in gen.reasoning_parts)
        + len(gen.answer_pieces)
        + sum(len(d) for d in gen.tool_deltas)
    )
    if total == 0:
        # No token at all: small enough to decide on the whole list.
        yield from _list_fault(protocol, gen, list(frames), fault)
        return
    name = fault.name
    cut = StreamCut(frames, max(1, total // 2) if name == "stall" else fault.count, total)
    yield from cut.head()
    if name == "stall":
        for frame in cut.rest():
            yield dataclasses.replace(frame, at=frame.at + fault.arg)
        return
    next_at = cut.next.at if cut.next is not None else gen.end
    if name == "midstream_error":
        yield from ERROR_FRAMES[protocol](gen, seq_after(cut), next_at)
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


def _list_fault(protocol: str, gen: Generation, frames: list[Frame], fault: Fault) -> list[Frame]:
    name = fault.name
    if name == "stall":
        k = cut_index(frames, 1)
        return frames[:k] + [dataclasses.replace(f, at=f.at + fault.arg) for f in frames[k:]]
    k = cut_index(frames, fault.count)
    next_at = frames[k].at if k < len(frames) else gen.end
    if name == "midstream_error":
        return frames[:k] + ERROR_FRAMES[protocol](gen, k, next_at)
    if name == "drop":
        return frames[:k]
    if name == "malformed":
        k = min(k, len(frames) - 1)
        return [*frames[:k], _corrupt(frames[k]), *frames[k:]]
    tail = Frame(next_at, b"data: " + "—".encode()[:2], "cut_utf8", "error")
    return [*frames[:k], tail]


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
