"""What every adapter's parser and conversation builder share.

JSON values read as ints, OpenAI-shaped usage, the failures a stream's data can be
(malformed, cut short), and the questions every protocol's conversation builder asks of
a message. Error responses in words are `providers.errors`.
"""

from __future__ import annotations

import json
from typing import Any

from modelduel.conversation import AssistantMessage, Text, UserMessage
from modelduel.events import ErrorInfo, StreamFailed, Usage
from modelduel.providers.errors import one_line

__all__ = [
    "TextPieces",
    "arguments_object",
    "as_int",
    "malformed",
    "openai_style_usage",
    "passes_back",
    "stream_cut",
    "text_only",
]


class TextPieces:
    """A reply's text as it streams, kept for the reply assembled at its end.

    Adding a delta to one string (`text = text + delta`) copies the whole text each time:
    quadratic in the answer's length. One str per delta is linear but costs ~55 bytes of
    object header per delta; the deltas are joined every `JOIN_EVERY` into one string, so
    a long answer is held at about a byte a character.
    """

    __slots__ = ("_joined", "_pieces")
    JOIN_EVERY = 256

    def __init__(self) -> None:
        """Empty."""
        self._joined: list[str] = []
        self._pieces: list[str] = []

    def add(self, text: str) -> None:
        """One more delta."""
        self._pieces.append(text)
        if len(self._pieces) >= self.JOIN_EVERY:
            self._joined.append("".join(self._pieces))
            self._pieces.clear()

    def text(self) -> str:
        """Every delta so far, in order."""
        return "".join(self._joined) + "".join(self._pieces)


def as_int(value: object) -> int | None:
    """An int from a JSON value; None for anything else (bools included)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return None


def openai_style_usage(
    usage: Any, prefix: str, input_details: str, output_details: str
) -> Usage | None:
    """Usage from an OpenAI-shaped usage object (Responses or Chat Completions names).

    Args:
        usage: the provider's usage object (anything: non-dicts give None).
        prefix: the count names, `input`/`output` (Responses) or `prompt`/`completion`
            (Chat), as "input|output".
        input_details: the key holding `cached_tokens`.
        output_details: the key holding `reasoning_tokens`.
    """
    if not isinstance(usage, dict):
        return None
    inp, out = prefix.split("|")
    in_details = usage.get(input_details)
    out_details = usage.get(output_details)
    return Usage(
        input_tokens=as_int(usage.get(f"{inp}_tokens")),
        cached_input_tokens=as_int(in_details.get("cached_tokens"))
        if isinstance(in_details, dict)
        else None,
        output_tokens=as_int(usage.get(f"{out}_tokens")),
        reasoning_tokens=as_int(out_details.get("reasoning_tokens"))
        if isinstance(out_details, dict)
        else None,
        # billed by some models above the input price, part of input_tokens like cached ones
        cache_write_tokens=as_int(in_details.get("cache_write_tokens"))
        if isinstance(in_details, dict)
        else None,
    )


def malformed(provider: str, data: str) -> StreamFailed:
    """The failure for an event whose data is not the JSON the protocol promises."""
    return StreamFailed(
        ErrorInfo("malformed", f"malformed event from {provider}: {one_line(data, 120)!r}")
    )


def stream_cut(provider: str, expected: str) -> StreamFailed:
    """The failure for a stream that ended before the protocol's last event."""
    return StreamFailed(
        ErrorInfo(
            "connection",
            f"{provider} stream ended before {expected} (connection closed mid-answer)",
            retryable=True,
        )
    )


def text_only(msg: UserMessage) -> bool:
    """Whether a user message is text only (sent as a plain string where a protocol allows)."""
    return all(isinstance(p, Text) for p in msg.parts)


def passes_back(msg: AssistantMessage, kind: str) -> bool:
    """Whether this message's provider_data may be passed back to protocol `kind`."""
    return msg.protocol == kind


def arguments_object(arguments: str) -> dict[str, Any]:
    """A call's arguments as an object, for protocols that take them parsed ({} if not)."""
    try:
        value = json.loads(arguments) if arguments.strip() else {}
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}
