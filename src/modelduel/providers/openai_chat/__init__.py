"""OpenAI Chat Completions, as spoken by any OpenAI-compatible server.

vLLM, Ollama, llama.cpp, LM Studio and OpenRouter all serve this. Usage is asked for
in the stream (`stream_options`), which some servers refuse: then it is sent again
without it.

This module is the adapter and the request body (the key, headers and error wording are
OpenAI's); the package's other modules hold the stream parser (`stream`), the
`<think>` tag splitter (`thinktags`) and a conversation as Chat `messages` (`convo`).
"""

from __future__ import annotations

from typing import Any

from modelduel.providers.base import ModelRequest, StreamParser
from modelduel.providers.openai import OpenAIResponsesAdapter
from modelduel.providers.openai_chat.convo import chat_messages, chat_tools
from modelduel.providers.openai_chat.stream import ChatParser

__all__ = ["ADAPTER", "OpenAIChatAdapter"]


class OpenAIChatAdapter(OpenAIResponsesAdapter):
    """The `openai-chat` provider kind: OpenAI's key, base URL, headers and error shape."""

    kind: str = "openai-chat"

    def url(self, base_url: str, model_id: str) -> str:
        """`{base}/chat/completions`."""
        return base_url.rstrip("/") + "/chat/completions"

    def build_payload(self, request: ModelRequest) -> dict[str, Any]:
        """The Chat Completions body, usage requested in the stream."""
        messages: list[dict[str, Any]] = []
        if request.conversation is not None:
            messages = chat_messages(request.conversation, request.system)
        else:
            if request.system:
                messages.append({"role": "system", "content": request.system})
            messages.append({"role": "user", "content": request.prompt})
        body: dict[str, Any] = {"model": request.model_id, "messages": messages, "stream": True}
        if request.tools:
            body["tools"] = chat_tools(request.tools)
        if "stream_options" in self.optional_params(request):
            body["stream_options"] = {"include_usage": True}
        caps = request.capabilities(self.kind)
        if request.max_output_tokens is not None:
            # OpenAI's reasoning models refuse max_tokens; other servers only know max_tokens
            body[caps.chat_max_tokens] = request.max_output_tokens
        if request.reasoning_effort and caps.thinking != "none":
            body["reasoning_effort"] = request.reasoning_effort
        if request.temperature is not None and caps.temperature:
            body["temperature"] = request.temperature
        return body

    def optional_params(self, request: ModelRequest) -> frozenset[str]:
        """`stream_options`: usage in the stream, which some servers refuse."""
        if "stream_options" in request.omit_params:
            return frozenset()
        return frozenset({"stream_options"})

    def new_parser(self, replies: bool = False) -> StreamParser:
        """A parser for one response (`replies`: emit the assembled `AssistantReply`)."""
        return ChatParser(replies)


ADAPTER = OpenAIChatAdapter()
