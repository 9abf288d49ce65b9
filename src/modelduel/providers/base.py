"""The provider contract: one adapter per wire protocol, each a pure translator.

An adapter builds the URL, headers and JSON body of a streaming request, turns
the decoded SSE events of the response into `modelduel.events` values through a
parser object, and turns an HTTP error response into an `ErrorInfo`. It never
does I/O, never reads the clock and never renders: `providers.http` is the one
thin shell that sends the request and feeds the parser. This module is a leaf of
`providers/`: the registry (`providers.registry`) imports the adapters, not this.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from modelduel.capabilities import Family, family_for
from modelduel.conversation import Conversation, ToolSpec
from modelduel.conversation_json import conversation_from_json, conversation_to_json
from modelduel.events import ErrorInfo, Event

__all__ = [
    "Adapter",
    "ModelRequest",
    "SSEEvent",
    "StreamParser",
    "StreamTarget",
]


@dataclass(frozen=True, slots=True)
class SSEEvent:
    """One decoded server-sent event.

    Attributes:
        event: the `event:` field ("message" when absent).
        data: the `data:` lines joined with "\\n".
        raw: True when these are lines that are not SSE fields at all (Gemini can
            append a bare JSON error object after its `data:` lines); `data` then
            holds those lines joined with "\\n".
    """

    event: str
    data: str
    raw: bool = False


@dataclass(frozen=True, slots=True)
class ModelRequest:
    """What to ask one model, independent of protocol.

    Attributes:
        model_id: the provider's model id (`gpt-5.5`).
        prompt: the user message.
        system: the system prompt / instructions, if any.
        max_output_tokens: cap on output (reasoning included); None = adapter default.
        reasoning_effort: the model's effort / thinking level word (`low`, `medium`,
            `high`, ...); None = the adapter's default, which shows the model thinking.
        temperature: sent only to models that accept it (never to reasoning GPT-5.x
            or Claude Opus 4.7, which reject it with a 400).
        show_reasoning: ask for reasoning text (summaries / thoughts) to be streamed.
        extra_headers: additional request headers (the simulator's fault and
            timing controls); never holds credentials.
        caps: the model's capability family (None: looked up in the shipped data).
        omit_params: dotted names of parameters modelduel must not add on its own
            (`reasoning.summary` for an organization that may not have summaries).
        conversation: the whole conversation to send (earlier turns, tool rounds, and the
            latest user message last, with its images); None = one user message, `prompt`
            (the single-turn request, whose bodies are unchanged). When set, `prompt` is
            not sent; `system` still is.
        tools: the tools offered to the model (each adapter writes its own `tools`).
        store: Responses only: let OpenAI store the responses (`store: true`), so a
            continuation sends `previous_response_id` and only the items after that
            response instead of the whole conversation.
    """

    model_id: str
    prompt: str
    system: str | None = None
    max_output_tokens: int | None = None
    reasoning_effort: str | None = None
    temperature: float | None = None
    show_reasoning: bool = True
    extra_headers: tuple[tuple[str, str], ...] = ()
    caps: Family | None = None
    omit_params: tuple[str, ...] = ()
    conversation: Conversation | None = None
    tools: tuple[ToolSpec, ...] = ()
    store: bool = False

    def capabilities(self, kind: str) -> Family:
        """The capability family to build the request with."""
        return self.caps if self.caps is not None else family_for(kind, self.model_id)

    def to_json(self) -> dict[str, Any]:
        """A JSON-able dict (for the pipe to the worker process)."""
        return {
            "model_id": self.model_id,
            "prompt": self.prompt,
            "system": self.system,
            "max_output_tokens": self.max_output_tokens,
            "reasoning_effort": self.reasoning_effort,
            "temperature": self.temperature,
            "show_reasoning": self.show_reasoning,
            "extra_headers": [list(h) for h in self.extra_headers],
            "caps": None if self.caps is None else self.caps.to_json(),
            "omit_params": list(self.omit_params),
        } | self._loop_json()

    def _loop_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if self.conversation is not None:
            out["conversation"] = conversation_to_json(self.conversation)
        if self.store:
            out["store"] = True
        if self.tools:
            out["tools"] = [
                {"name": t.name, "description": t.description, "parameters": t.parameters}
                for t in self.tools
            ]
        return out

    @classmethod
    def from_json(cls, r: dict[str, Any]) -> ModelRequest:
        """The request `to_json` wrote."""
        caps = r.get("caps")
        return cls(
            model_id=r["model_id"],
            prompt=r["prompt"],
            system=r["system"],
            max_output_tokens=r["max_output_tokens"],
            reasoning_effort=r["reasoning_effort"],
            temperature=r["temperature"],
            show_reasoning=r["show_reasoning"],
            extra_headers=tuple((k, v) for k, v in r["extra_headers"]),
            caps=None if caps is None else Family.from_json(caps),
            omit_params=tuple(r.get("omit_params") or ()),
            conversation=None
            if r.get("conversation") is None
            else conversation_from_json(r["conversation"]),
            tools=tuple(
                ToolSpec(t["name"], t["description"], t["parameters"]) for t in r.get("tools", ())
            ),
            store=bool(r.get("store")),
        )


@dataclass(frozen=True, slots=True)
class StreamTarget:
    """Where and how to send one request.

    Attributes:
        kind: the protocol (a kind of the provider registry).
        base_url: the endpoint's base URL.
        api_key: the key as a zero-arg getter, called only when headers are built, so no
            long-lived object holds the plain key (and reprs cannot show it).
        key_env: the variable the key comes from, for "X is not set".
        key_required: False for local servers that need no key.
        name: the provider's name as configured (`ollama`), for error wording.
        org_headers: OpenAI organization / project headers (from OPENAI_ORG_ID,
            OPENAI_PROJECT_ID, as the SDK sends them); ids, not secrets.
    """

    kind: str
    base_url: str
    api_key: Callable[[], str | None]
    key_env: str | None
    key_required: bool = True
    name: str | None = None
    org_headers: tuple[tuple[str, str], ...] = ()


class StreamParser(Protocol):
    """Turns one response's SSE events into typed events. One instance per response."""

    def feed(self, sse: SSEEvent) -> list[Event]:
        """Events for one SSE event (often one, sometimes none or several)."""
        ...

    def close(self) -> list[Event]:
        """Called when the byte stream ends.

        Returns the closing events: nothing when a terminal event was already
        yielded, else a `Finished` the protocol implies (Gemini ends without a
        sentinel) or a `StreamFailed` of kind "connection" when the stream was
        cut before the protocol's end.
        """
        ...


class Adapter(Protocol):
    """One wire protocol. Implementations are stateless module-level singletons."""

    kind: str

    def url(self, base_url: str, model_id: str) -> str:
        """The streaming endpoint for this model."""
        ...

    def headers(self, api_key: str | None) -> dict[str, str]:
        """Request headers, built at send time only (keys never live in long-lived objects)."""
        ...

    def build_payload(self, request: ModelRequest) -> dict[str, Any]:
        """The JSON body of a streaming request."""
        ...

    def new_parser(self, replies: bool = False) -> StreamParser:
        """A fresh parser for one response.

        `replies`: the parser also emits, before its terminal `Finished`, the
        `AssistantReply` a continuation of the conversation passes back (off for a
        single-turn run, whose events stay as they were).
        """
        ...

    def parse_error(
        self, status: int, body: bytes, headers: Mapping[str, str], provider: str | None = None
    ) -> ErrorInfo:
        """The ErrorInfo for a non-2xx response, with the provider's own message.

        `provider` is the name the user configured (`ollama`), used in the wording.
        """
        ...

    def optional_params(self, request: ModelRequest) -> frozenset[str]:
        """Dotted names of parameters modelduel adds on its own initiative (display
        niceties such as `reasoning.summary`), which may be dropped when a provider
        refuses them; never one the user configured."""
        ...
