"""What flows through the simulator: a checked request (`SimRequest`) or the `Rejection`
the real API would give, the `Generation` planned for it (`plan.make_generation`), and the
`Frame`s a wire module writes it as.

`rng_for` seeds a generator per purpose from a request's digest, so content, framing and
timing draw from separate generators.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from modelduel.simulator.profile_model import Profile
from modelduel.simulator.tools import Conversation, ToolCall
from modelduel.simulator.toolscript import ToolScript

__all__ = ["Frame", "FrameKind", "Generation", "Rejection", "SimRequest", "rng_for"]

FrameKind = Literal["meta", "reasoning", "text", "tool", "usage", "error", "done"]


class Rejection(Exception):
    """The request is one the real API would reject; the app turns it into an error reply."""

    def __init__(
        self,
        kind: str,
        message: str | None = None,
        *,
        param: str | None = None,
        code: str | None = None,
    ) -> None:
        super().__init__(message or kind)
        self.kind = kind
        self.message = message
        self.param = param
        self.code = code


@dataclass(frozen=True, slots=True)
class Frame:
    """One write of a response body, due `at` seconds after the request was received.

    Attributes:
        at: due time in seconds after the request body was received.
        data: the exact bytes (one SSE event, or a whole JSON body).
        event: a name for ground truth (SSE event type or chunk role).
        kind: what the frame carries.
        tokens: token pieces (reasoning or answer) carried by the frame.
    """

    at: float
    data: bytes
    event: str
    kind: FrameKind = "meta"
    tokens: int = 0


@dataclass(slots=True)
class SimRequest:
    """One request in protocol-neutral terms, after validation.

    Attributes:
        protocol: openai, openai-chat, anthropic or gemini.
        stream: a streaming request.
        model: the model id without any fault suffix.
        prompt: the user text (all user messages joined).
        input_texts: every text of the input (system and messages), for the input count.
        max_tokens: the output cap (reasoning included), if any.
        effort: the effort / thinking-level word, if given.
        reasoning_on: the model reasons on this request.
        reasoning_shown: reasoning text is streamed (summaries, thoughts, reasoning_content).
        cache_prefix_tokens: input tokens up to the last block marked for caching
            (Anthropic `cache_control`): written to the cache unless already read.
        cache_ttl: the cache lifetime of that prefix, "5m" or "1h".
        options: protocol-specific details the writers echo (instructions, include_usage...).
        conversation: the turns, tools and tool results the request carries.
        tool_script: what the model does with declared tools (see `toolscript`).
        image_tokens: input tokens of the request's images (see `images`, `image_billing`).
    """

    protocol: str
    stream: bool
    model: str
    prompt: str
    input_texts: list[str]
    max_tokens: int | None = None
    effort: str | None = None
    reasoning_on: bool = False
    reasoning_shown: bool = False
    cache_prefix_tokens: int = 0
    cache_ttl: str = "5m"
    options: dict[str, Any] = field(default_factory=dict)
    conversation: Conversation = field(default_factory=Conversation)
    tool_script: ToolScript = field(default_factory=ToolScript)
    image_tokens: int = 0


@dataclass(slots=True)
class Generation:
    """The full plan of one answer: what is said, what it costs, and when each piece is due."""

    request: SimRequest
    profile: Profile
    served_model: str
    digest: bytes
    input_tokens: int
    cached_tokens: int
    cache_write_tokens: int
    reasoning_parts: list[list[str]]
    reasoning_times: list[list[float]]
    reasoning_tokens: int
    answer_pieces: list[str]
    answer_times: Sequence[float]
    finish: Literal["stop", "length", "tool_calls"]
    ttfb: float
    ttft: float
    text_start: float
    end: float
    tool_calls: list[ToolCall] = field(default_factory=list)
    tool_deltas: list[list[str]] = field(default_factory=list)
    tool_times: list[list[float]] = field(default_factory=list)
    tool_tokens: int = 0

    def rng(self, purpose: str) -> random.Random:
        """A generator for one purpose (ids, framing...), seeded by the request digest."""
        return rng_for(self.digest, purpose)

    @property
    def answer_text(self) -> str:
        """The visible answer."""
        return "".join(self.answer_pieces)

    @property
    def output_tokens(self) -> int:
        """Reasoning plus answer tokens, tool calls included."""
        return self.reasoning_tokens + len(self.answer_pieces) + self.tool_tokens

    @property
    def completed(self) -> bool:
        """The answer ended by itself (text or tool calls), not at the output cap."""
        return self.finish != "length"


def rng_for(digest: bytes, purpose: str) -> random.Random:
    """A generator seeded by `digest` and `purpose`."""
    return random.Random(hashlib.sha256(digest + purpose.encode()).digest())
