"""OpenAI wire formats: the Responses API and Chat Completions, one module each.

`wire_responses` and `wire_chat` hold the two formats (split when tool calls made
one module too long to read); this module keeps the names callers already use.
"""

from __future__ import annotations

from modelduel.simulator.wire_chat import chat_body, chat_error_frames, chat_stream, parse_chat
from modelduel.simulator.wire_responses import (
    parse_responses,
    responses_body,
    responses_error_frames,
    responses_stream,
)

__all__ = [
    "chat_body",
    "chat_error_frames",
    "chat_stream",
    "parse_chat",
    "parse_responses",
    "responses_body",
    "responses_error_frames",
    "responses_stream",
]
