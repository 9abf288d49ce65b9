"""What each wire protocol the simulator serves is: its route, its key prefix, how a key
is presented (and checked the way the real API checks it), and which wire module parses
its requests and writes its streams, bodies and in-stream errors.

`tests/test_registry.py` checks ROUTES, GEMINI_PATH and KEY_PREFIX against the client's
provider registry (the simulator never imports `providers/`, so the test is where the
two must agree).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from modelduel.simulator import (
    wire_anthropic,
    wire_anthropic_request,
    wire_chat,
    wire_chat_request,
    wire_gemini,
    wire_gemini_request,
    wire_responses,
    wire_responses_request,
)
from modelduel.simulator.errors import ErrorReply, error_reply
from modelduel.simulator.generation import Frame, Generation, SimRequest
from modelduel.simulator.profile_model import Profile

__all__ = [
    "BODIES",
    "ERROR_FRAMES",
    "GEMINI_PATH",
    "KEY_PREFIX",
    "PARSERS",
    "ROUTES",
    "STREAMS",
    "check_auth",
    "missing_model",
    "presented_key",
]

GEMINI_PATH = re.compile(
    r"^/v1(?:beta|alpha)?/models/([^/]+):(streamGenerateContent|generateContent)$"
)
ROUTES = {
    "/v1/responses": "openai",
    "/v1/chat/completions": "openai-chat",
    "/v1/messages": "anthropic",
}
KEY_PREFIX = {"openai": "sk-", "openai-chat": "sk-", "anthropic": "sk-ant-", "gemini": "AIza"}

Parser = Callable[[dict[str, Any], str, Profile], SimRequest]
PARSERS: dict[str, Parser] = {
    "openai": wire_responses_request.parse_responses,
    "openai-chat": wire_chat_request.parse_chat,
    "anthropic": wire_anthropic_request.parse_anthropic,
    "gemini": wire_gemini_request.parse_gemini,
}

STREAMS: dict[str, Callable[[Generation], Iterator[Frame]]] = {
    "openai": wire_responses.responses_stream,
    "openai-chat": wire_chat.chat_stream,
    "anthropic": wire_anthropic.anthropic_stream,
    "gemini": wire_gemini.gemini_stream,
}
BODIES: dict[str, Callable[[Generation], bytes]] = {
    "openai": wire_responses.responses_body,
    "openai-chat": wire_chat.chat_body,
    "anthropic": wire_anthropic.anthropic_body,
    "gemini": wire_gemini.gemini_body,
}
# The in-stream failure (`midstream_error`) due at `at`; `seq` is the Responses
# sequence_number it continues from (the other protocols number nothing).
ERROR_FRAMES: dict[str, Callable[[Generation, int, float], list[Frame]]] = {
    "openai": wire_responses.responses_error_frames,
    "openai-chat": lambda gen, seq, at: wire_chat.chat_error_frames(gen, at),
    "anthropic": lambda gen, seq, at: wire_anthropic.anthropic_error_frames(gen, at),
    "gemini": lambda gen, seq, at: wire_gemini.gemini_error_frames(gen, at),
}


def presented_key(
    protocol: str, headers: Mapping[str, str], query: Mapping[str, list[str]]
) -> str | None:
    """The API key a request presents, where the protocol's clients send it (None: none)."""
    auth = headers.get("authorization", "")
    scheme, _, token = auth.partition(" ")
    bearer = token.strip() if scheme.lower() == "bearer" and token.strip() else None
    if protocol in ("openai", "openai-chat"):
        return bearer
    if protocol == "anthropic":
        # x-api-key is the documented header; newer SDKs send the key as a Bearer token.
        return headers.get("x-api-key") or bearer
    key = headers.get("x-goog-api-key") or (query.get("key") or [""])[0]
    return key or None


def check_auth(
    protocol: str, headers: Mapping[str, str], query: Mapping[str, list[str]], request_id: str
) -> ErrorReply | None:
    """The provider's auth error for a missing or malformed key; None when the key passes."""
    key = presented_key(protocol, headers, query)
    if key is None:
        return error_reply(protocol, "auth_missing", request_id=request_id)
    if not key.startswith(KEY_PREFIX[protocol]) or any(c.isspace() for c in key):
        return error_reply(protocol, "auth", key=key, request_id=request_id)
    return None


def missing_model(protocol: str, value: Any) -> ErrorReply:
    """The provider's error for a body whose `model` is missing or not a string."""
    if protocol == "anthropic":
        message = (
            "model: Field required" if value is None else "model: Input should be a valid string"
        )
        return error_reply(protocol, "bad_request", message=message)
    return error_reply(protocol, "bad_request", message="you must provide a model parameter")
