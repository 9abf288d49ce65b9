"""Anthropic Messages API (`POST /v1/messages`) with extended thinking.

Claude Opus 4.7 takes only adaptive thinking; `display: "summarized"` is what
makes its thinking text stream, `display: "omitted"` hides it while the model
thinks the same (which families take what is capability data).

This module is the adapter and the request body; the package's other modules hold the
stream parser (`stream`), the error wording (`errors`) and a conversation as Messages
turns (`convo`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from modelduel.capabilities import ANTHROPIC_MIN_THINKING_BUDGET, DEFAULT_MAX_OUTPUT_TOKENS
from modelduel.events import ErrorInfo
from modelduel.providers.anthropic.convo import messages_messages, messages_tools
from modelduel.providers.anthropic.errors import anthropic_error
from modelduel.providers.anthropic.stream import MessagesParser
from modelduel.providers.base import ModelRequest

__all__ = ["ADAPTER", "AnthropicAdapter"]

API_VERSION = "2023-06-01"
DISPLAY_PARAM = "thinking.display"
MIN_THINKING_BUDGET = ANTHROPIC_MIN_THINKING_BUDGET
"""Anthropic's smallest `budget_tokens`."""


class AnthropicAdapter:
    """The `anthropic` provider kind."""

    kind: str = "anthropic"

    def url(self, base_url: str, model_id: str) -> str:
        """`{base}/v1/messages`."""
        return base_url.rstrip("/") + "/v1/messages"

    def headers(self, api_key: str | None) -> dict[str, str]:
        """`x-api-key` and the API version, built at send time."""
        headers = {
            "content-type": "application/json",
            "accept": "text/event-stream",
            "anthropic-version": API_VERSION,
        }
        if api_key:
            headers["x-api-key"] = api_key
        return headers

    def build_payload(self, request: ModelRequest) -> dict[str, Any]:
        """The Messages body, shaped by the model's capability data.

        Adaptive models always think (`thinking: {type: adaptive}`); `show_reasoning`
        only chooses `display: summarized` or `omitted`. `max_tokens` is required and
        covers thinking; without a budget the model's own maximum (capped at the
        duel default) is sent, never a small fixed number.
        """
        caps = request.capabilities(self.kind)
        max_tokens = request.max_output_tokens or min(
            DEFAULT_MAX_OUTPUT_TOKENS, caps.max_output_tokens or DEFAULT_MAX_OUTPUT_TOKENS
        )
        body: dict[str, Any] = {
            "model": request.model_id,
            "max_tokens": max_tokens,
            "messages": [{"role": "user", "content": request.prompt}]
            if request.conversation is None
            else messages_messages(request.conversation),
            "stream": True,
        }
        if request.tools:
            body["tools"] = messages_tools(request.tools)
        if request.system:
            body["system"] = request.system
        effort = request.reasoning_effort
        thinking_on = False
        if caps.thinking == "anthropic-adaptive":
            thinking: dict[str, str] = {"type": "adaptive"}
            if DISPLAY_PARAM in self.optional_params(request):
                thinking["display"] = "summarized" if request.show_reasoning else "omitted"
            body["thinking"] = thinking
            thinking_on = True
            if effort:
                body["output_config"] = {"effort": effort}
        elif caps.thinking == "anthropic-budget" and effort and effort.isdigit():
            # a thinking budget in tokens, which must stay below max_tokens
            budget = max(MIN_THINKING_BUDGET, min(int(effort), max_tokens - 1))
            body["thinking"] = {"type": "enabled", "budget_tokens": budget}
            thinking_on = True
        if request.temperature is not None and caps.temperature and not thinking_on:
            body["temperature"] = request.temperature
        return body

    def optional_params(self, request: ModelRequest) -> frozenset[str]:
        """`thinking.display`: modelduel's choice of how thinking is shown."""
        caps = request.capabilities(self.kind)
        if caps.thinking == "anthropic-adaptive" and DISPLAY_PARAM not in request.omit_params:
            return frozenset({DISPLAY_PARAM})
        return frozenset()

    def new_parser(self, replies: bool = False) -> MessagesParser:
        """A parser for one response (`replies`: emit the assembled `AssistantReply`)."""
        return MessagesParser(replies)

    def parse_error(
        self, status: int, body: bytes, headers: Mapping[str, str], provider: str | None = None
    ) -> ErrorInfo:
        """The error response in words (`errors.anthropic_error`), naming the provider."""
        return anthropic_error(status, body, headers, provider or self.kind)


ADAPTER = AnthropicAdapter()
