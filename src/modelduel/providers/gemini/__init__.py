"""Gemini `streamGenerateContent?alt=sse`, the key in a header.

A thinking level (`thinkingLevel`, Gemini 3) or a budget in tokens (`thinkingBudget`,
Gemini 2.5) comes from the reasoning effort; thought summaries are asked for only to show
them.

This module is the adapter and the request body; the package's other modules hold the
stream parser (`stream`), the error wording (`errors`) and a conversation as Gemini
`contents` (`convo`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

from modelduel.events import ErrorInfo
from modelduel.providers.base import ModelRequest
from modelduel.providers.gemini.convo import gemini_contents, gemini_tools
from modelduel.providers.gemini.errors import gemini_error
from modelduel.providers.gemini.stream import GeminiParser

__all__ = ["ADAPTER", "GeminiAdapter"]

INCLUDE_THOUGHTS = "generationConfig.thinkingConfig.includeThoughts"


class GeminiAdapter:
    """The `gemini` provider kind."""

    kind: str = "gemini"

    def url(self, base_url: str, model_id: str) -> str:
        """The SSE streaming endpoint; the key goes in a header, never in the URL (logs)."""
        name = model_id.removeprefix("models/")
        return f"{base_url.rstrip('/')}/v1beta/models/{quote(name, safe='-._~')}" + (
            ":streamGenerateContent?alt=sse"
        )

    def headers(self, api_key: str | None) -> dict[str, str]:
        """`x-goog-api-key`, built at send time."""
        headers = {"content-type": "application/json", "accept": "text/event-stream"}
        if api_key:
            headers["x-goog-api-key"] = api_key
        return headers

    def build_payload(self, request: ModelRequest) -> dict[str, Any]:
        """The generateContent body, shaped by the model's capability data.

        Thoughts are included (`includeThoughts`) only to show them: without it the
        model thinks the same, it just does not stream the thought summaries.
        """
        caps = request.capabilities(self.kind)
        body: dict[str, Any] = {
            "contents": [{"role": "user", "parts": [{"text": request.prompt}]}]
            if request.conversation is None
            else gemini_contents(request.conversation),
        }
        if request.tools:
            body["tools"] = gemini_tools(request.tools)
        if request.system:
            body["systemInstruction"] = {"parts": [{"text": request.system}]}
        config: dict[str, Any] = {}
        if request.max_output_tokens is not None:
            config["maxOutputTokens"] = request.max_output_tokens
        if request.temperature is not None and caps.temperature:
            config["temperature"] = request.temperature
        thinking: dict[str, Any] = {}
        effort = request.reasoning_effort
        if effort and caps.thinking != "none":
            if effort.lstrip("-").isdigit():
                thinking["thinkingBudget"] = int(effort)  # Gemini 2.5 style
            else:
                thinking["thinkingLevel"] = effort
        if INCLUDE_THOUGHTS in self.optional_params(request):
            thinking["includeThoughts"] = True
        if thinking:
            config["thinkingConfig"] = thinking
        if config:
            body["generationConfig"] = config
        return body

    def optional_params(self, request: ModelRequest) -> frozenset[str]:
        """`includeThoughts`: asked for on modelduel's initiative, to show the model think."""
        caps = request.capabilities(self.kind)
        if (
            request.show_reasoning
            and caps.thinking != "none"
            and INCLUDE_THOUGHTS not in request.omit_params
        ):
            return frozenset({INCLUDE_THOUGHTS})
        return frozenset()

    def new_parser(self, replies: bool = False) -> GeminiParser:
        """A parser for one response (`replies`: emit the assembled `AssistantReply`)."""
        return GeminiParser(replies)

    def parse_error(
        self, status: int, body: bytes, headers: Mapping[str, str], provider: str | None = None
    ) -> ErrorInfo:
        """The error response in words (`errors.gemini_error`), naming the provider."""
        return gemini_error(status, body, headers, provider or self.kind)


ADAPTER = GeminiAdapter()
