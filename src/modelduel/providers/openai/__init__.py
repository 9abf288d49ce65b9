"""OpenAI Responses API (`POST /v1/responses`), what GPT-5.5 is served on: the adapter.

Reasoning summaries are requested (`reasoning.summary: "auto"`) so the user sees
the model think; without them only a reasoning token count arrives.

This module is the adapter and the request body; the package's other modules hold the
stream parser (`stream`), the error wording (`errors`) and a conversation as
Responses input items (`convo`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from modelduel.conversation import AssistantMessage, Conversation
from modelduel.events import ErrorInfo
from modelduel.providers.base import ModelRequest, StreamParser
from modelduel.providers.openai.convo import responses_input, responses_tools
from modelduel.providers.openai.errors import openai_error
from modelduel.providers.openai.stream import ResponsesParser

__all__ = ["ADAPTER", "OpenAIResponsesAdapter"]

SUMMARY_PARAM = "reasoning.summary"


def _stored_prefix(conv: Conversation) -> tuple[str, Conversation] | None:
    """The last stored response's id and the messages after it (what is still to send)."""
    for i in range(len(conv.messages) - 1, -1, -1):
        msg = conv.messages[i]
        if isinstance(msg, AssistantMessage) and msg.protocol == "openai" and msg.response_id:
            return msg.response_id, Conversation(conv.system, conv.messages[i + 1 :])
    return None


class OpenAIResponsesAdapter:
    """The `openai` provider kind."""

    kind: str = "openai"

    def url(self, base_url: str, model_id: str) -> str:
        """`{base}/responses` (the base URL includes `/v1`)."""
        return base_url.rstrip("/") + "/responses"

    def headers(self, api_key: str | None) -> dict[str, str]:
        """Bearer auth, built at send time (none without a key: local servers need none)."""
        headers = {"content-type": "application/json", "accept": "text/event-stream"}
        if api_key:
            headers["authorization"] = f"Bearer {api_key}"
        return headers

    def build_payload(self, request: ModelRequest) -> dict[str, Any]:
        """The Responses body, shaped by the model's capability data.

        Reasoning models get `reasoning.effort` (when one is set) and, when reasoning is
        shown, `reasoning.summary: "auto"`; hiding reasoning only drops the summary, the
        model thinks the same. `temperature` goes only to models that accept it.
        """
        caps = request.capabilities(self.kind)
        body: dict[str, Any] = {
            "model": request.model_id,
            "input": [{"role": "user", "content": request.prompt}]
            if request.conversation is None
            else responses_input(request.conversation, self.kind),
            "stream": True,
            "store": request.store,
        }
        if request.store and request.conversation is not None:
            stored = _stored_prefix(request.conversation)
            if stored is not None:
                response_id, rest = stored
                body["previous_response_id"] = response_id
                body["input"] = responses_input(rest, self.kind)
        if request.tools:
            body["tools"] = responses_tools(request.tools)
            if caps.thinking != "none":
                # with store: false, a reasoning item comes back next round only encrypted
                body["include"] = ["reasoning.encrypted_content"]
        if request.system:
            body["instructions"] = request.system
        if request.max_output_tokens is not None:
            body["max_output_tokens"] = request.max_output_tokens
        if caps.thinking != "none":
            reasoning: dict[str, str] = {}
            if request.reasoning_effort:
                reasoning["effort"] = request.reasoning_effort
            if SUMMARY_PARAM in self.optional_params(request):
                reasoning["summary"] = "auto"
            if reasoning:
                body["reasoning"] = reasoning
        if request.temperature is not None and caps.temperature:
            body["temperature"] = request.temperature
        return body

    def optional_params(self, request: ModelRequest) -> frozenset[str]:
        """`reasoning.summary`: asked for on modelduel's initiative, to show the model think."""
        caps = request.capabilities(self.kind)
        if (
            caps.thinking != "none"
            and request.show_reasoning
            and request.reasoning_effort != "none"
            and SUMMARY_PARAM not in request.omit_params
        ):
            return frozenset({SUMMARY_PARAM})
        return frozenset()

    def new_parser(self, replies: bool = False) -> StreamParser:
        """A parser for one response (`replies`: emit the assembled `AssistantReply`)."""
        return ResponsesParser(replies)

    def parse_error(
        self, status: int, body: bytes, headers: Mapping[str, str], provider: str | None = None
    ) -> ErrorInfo:
        """OpenAI's error body in words, naming the provider as configured."""
        return openai_error(status, body, headers, provider or self.kind.split("-")[0])


ADAPTER = OpenAIResponsesAdapter()
