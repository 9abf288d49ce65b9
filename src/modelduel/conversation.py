"""A conversation, protocol-neutral: what a model was sent and answered, turn after turn.

Each model of a duel continues its *own* conversation, so an assistant message keeps,
verbatim and in the order received, what its provider needs passed back on the next
request. Adapters build their wire format from these and put into `provider_data`
exactly what they must send back; nothing here interprets it:

- **Anthropic Messages**: the assistant turn's content blocks as received. A thinking
  block's `signature` (and every `redacted_thinking` block's `data`) must come back
  unchanged, before the `tool_use` blocks, or the API rejects the turn: keep the whole
  block in `Reasoning.provider_data` (`{"type": "thinking", "thinking", "signature"}`).
  Tool results go back in a user turn as `tool_result` blocks with `tool_use_id`
  (= `ToolCall.id`) and `is_error`.
- **Gemini**: the model turn's parts as received; a part's `thoughtSignature` must come
  back on the same part (Gemini 3 answers 400 without it on a `functionCall` part). In
  parallel calls only the first `functionCall` part carries one: do not invent the
  others. Keep `{"thoughtSignature": ...}` in the part's `provider_data` (a text or thought
  part may carry one too). Results go back as `functionResponse` parts, by `name`
  (Gemini has no call ids: `ToolCall.id` is made up by the adapter), in call order.
- **OpenAI Responses**: the output items as returned: `reasoning` items (with `id` and
  `encrypted_content` when asked for) in `Reasoning.provider_data`, `function_call` items
  (their `id` is `fc_…`, the `call_id` is `ToolCall.id`) in `ToolCall.provider_data`, a
  `message` item's `id` and `phase` ("commentary" is talk, not the answer) in
  `Text.provider_data`; or `AssistantMessage.response_id` for `previous_response_id`
  when the response was stored. Results: `function_call_output` with `call_id`.
- **Chat Completions**: only text and `tool_calls` (id, name, arguments) are sent back;
  results are `role: "tool"` messages with `tool_call_id`. Reasoning is not sent back.

All types are frozen dataclasses; their JSON form (for transcripts and the worker's pipe)
is in `modelduel.conversation_json`. `provider_data` values are JSON objects and must be
treated as read-only.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from modelduel.attachments import Attachment

__all__ = [
    "DEFAULT_MAX_TOOL_ROUNDS",
    "AssistantMessage",
    "AssistantPart",
    "Conversation",
    "Image",
    "Message",
    "Reasoning",
    "Text",
    "ToolCall",
    "ToolResultMessage",
    "ToolReturn",
    "ToolSpec",
    "Turn",
    "UserMessage",
    "UserPart",
    "user_message",
]

DEFAULT_MAX_TOOL_ROUNDS = 8
"""Tool rounds a run may take when its task sets none (`toolspec` re-exports it; kept here,
with the loop's types, so the run plan needs no task-file validation to be imported)."""

_Opaque = Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class ToolSpec:
    """A tool as declared to a model, protocol-neutral; each adapter translates it.

    Attributes:
        name: the function name.
        description: what it does, for the model.
        parameters: the JSON Schema of its arguments (an object schema, as the task wrote
            it). Responses and Chat take it as `parameters`, Anthropic as `input_schema`;
            Gemini's `parameters` field takes only an OpenAPI subset, its
            `parametersJsonSchema` takes JSON Schema. No `strict` mode is implied: strict
            would require every property to be required and `additionalProperties: false`.
    """

    name: str
    description: str
    parameters: Mapping[str, Any]


@dataclass(frozen=True)
class Text:
    """Visible text: the user's words, or the model's answer (or Responses commentary)."""

    text: str
    provider_data: _Opaque | None = None


@dataclass(frozen=True)
class Image:
    """An image in a user turn: media type and base64 data (no file path: reproducible)."""

    media_type: str
    data_base64: str
    name: str = ""


@dataclass(frozen=True)
class Reasoning:
    """The model's thinking as shown (summary text), and the opaque block to pass back."""

    text: str
    provider_data: _Opaque | None = None


@dataclass(frozen=True)
class ToolCall:
    """One tool call of an assistant turn.

    Attributes:
        id: the provider's call id (`call_id`, `tool_use_id`, Chat's `id`); for Gemini,
            which has none, an id the adapter makes up, unique in the conversation.
        name: the tool called.
        arguments: the arguments as the model sent them (JSON text, unparsed).
        provider_data: what must come back with it (Gemini's `thoughtSignature`, the
            Responses item `id`).
    """

    id: str
    name: str
    arguments: str
    provider_data: _Opaque | None = None


@dataclass(frozen=True)
class ToolReturn:
    """The result of one call, sent back by `call_id` (and `name`, which Gemini needs)."""

    call_id: str
    name: str
    content: str
    is_error: bool = False


UserPart = Text | Image
AssistantPart = Text | Reasoning | ToolCall


@dataclass(frozen=True)
class UserMessage:
    """What the user sent: text and images, in order."""

    parts: tuple[UserPart, ...]
    role: Literal["user"] = "user"

    @property
    def text(self) -> str:
        """The text parts joined, as a transcript shows them."""
        return "\n\n".join(p.text for p in self.parts if isinstance(p, Text))


@dataclass(frozen=True)
class AssistantMessage:
    """One model response, its parts in the order they arrived.

    Attributes:
        parts: reasoning, text and tool calls as received (order matters to Anthropic and
            Gemini when passed back).
        protocol: the wire protocol that produced it; an adapter passes `provider_data`
            back only to the same protocol.
        model: the model id that answered.
        response_id: the provider's response id (Responses `previous_response_id`).
        finish_reason: the provider's, normalised as the engine reports it.
    """

    parts: tuple[AssistantPart, ...]
    protocol: str = ""
    model: str = ""
    response_id: str | None = None
    finish_reason: str | None = None
    role: Literal["assistant"] = "assistant"

    @property
    def tool_calls(self) -> tuple[ToolCall, ...]:
        """The calls this response asks for, in order."""
        return tuple(p for p in self.parts if isinstance(p, ToolCall))

    @property
    def text(self) -> str:
        """The visible answer text (Responses commentary included, as it was shown)."""
        return "".join(p.text for p in self.parts if isinstance(p, Text))


@dataclass(frozen=True)
class ToolResultMessage:
    """The answers to every call of the previous assistant message, in call order."""

    results: tuple[ToolReturn, ...]
    role: Literal["tool"] = "tool"


Message = UserMessage | AssistantMessage | ToolResultMessage


@dataclass(frozen=True)
class Turn:
    """One user message and everything until the model's final answer to it."""

    user: UserMessage
    steps: tuple[AssistantMessage | ToolResultMessage, ...]

    @property
    def answer(self) -> AssistantMessage | None:
        """The last assistant message, if the turn has one."""
        for step in reversed(self.steps):
            if isinstance(step, AssistantMessage):
                return step
        return None

    @property
    def tool_rounds(self) -> int:
        """How many tool rounds were answered in this turn."""
        return sum(1 for s in self.steps if isinstance(s, ToolResultMessage))


@dataclass(frozen=True)
class Conversation:
    """One model's conversation: the system prompt and its messages, oldest first.

    Immutable: `add` returns a new conversation, so a re-run of the last turn starts from
    `without_last_turn()` while the earlier one stays intact.
    """

    system: str | None = None
    messages: tuple[Message, ...] = field(default_factory=tuple)

    def add(self, *messages: Message) -> Conversation:
        """A copy with `messages` appended; roles must alternate as the protocols require.

        Raises:
            ValueError: a tool result that answers no pending call, or two user messages
                (or two assistant messages) in a row.
        """
        out = list(self.messages)
        for msg in messages:
            _check_next(out[-1] if out else None, msg)
            out.append(msg)
        return Conversation(self.system, tuple(out))

    def turns(self) -> list[Turn]:
        """The conversation cut into turns, one per user message."""
        turns: list[Turn] = []
        for msg in self.messages:
            if isinstance(msg, UserMessage):
                turns.append(Turn(msg, ()))
            elif turns:
                last = turns[-1]
                turns[-1] = Turn(last.user, (*last.steps, msg))
        return turns

    def without_last_turn(self) -> Conversation:
        """The conversation before its last user message (for a re-run of that turn)."""
        for i in range(len(self.messages) - 1, -1, -1):
            if isinstance(self.messages[i], UserMessage):
                return Conversation(self.system, self.messages[:i])
        return self


def _check_next(prev: Message | None, msg: Message) -> None:
    if isinstance(msg, ToolResultMessage):
        if not isinstance(prev, AssistantMessage) or not prev.tool_calls:
            raise ValueError("tool results must follow an assistant message with tool calls")
        asked = [c.id for c in prev.tool_calls]
        answered = [r.call_id for r in msg.results]
        if answered != asked:
            raise ValueError(f"tool results answer {answered}, the calls were {asked}")
    elif isinstance(msg, UserMessage):
        if isinstance(prev, UserMessage):
            raise ValueError("two user messages in a row")
        if isinstance(prev, AssistantMessage) and prev.tool_calls:
            raise ValueError("the assistant's tool calls must be answered before a user message")
    elif isinstance(prev, AssistantMessage):
        raise ValueError("two assistant messages in a row")


def user_message(text: str, attachments: Sequence[Attachment] = ()) -> UserMessage:
    """A user message: the text, then each text attachment under its name, then images.

    Args:
        text: what the user typed (or the task's rendered prompt).
        attachments: loaded attachments, in the order given.
    """
    blocks = [text] + [a.prompt_block() for a in attachments if a.kind == "text"]
    parts: list[UserPart] = [Text("\n\n".join(blocks))]
    parts += [Image(a.media_type, a.base64, a.name) for a in attachments if a.kind == "image"]
    return UserMessage(tuple(parts))
