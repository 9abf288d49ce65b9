"""A prompt longer than the model's context window, refused as each real API refuses it.

The window is the app's own capability data (`capabilities.family_for(...).context_window`,
what `modelduel models` prints), so the simulator and the app agree on it; a model whose
window is unknown is never refused. Only the prompt is compared with the window: the
output budget is not (newer models stop with a context-window reason instead).

- Anthropic: 400 `invalid_request_error` "prompt is too long: M tokens > N maximum".
- Chat Completions: 400 `context_length_exceeded` (param `messages`), "This model's
  maximum context length is N tokens. However, your messages resulted in M tokens. ...".
- Responses: `context_length_exceeded` (param `input`), "Your input exceeds the context
  window of this model. ..."; a streamed request gets a 200 whose stream fails after
  `response.created` and `response.in_progress` with a terminal `error` event (sequence
  2), a request without `stream` a 400 with the same error.
- Gemini: 400 `INVALID_ARGUMENT` "The input token count (M) exceeds the maximum number
  of tokens allowed (N)."
A refused request is billed nothing: no usage is reported.
"""

from __future__ import annotations

import json
from typing import Any

from modelduel.capabilities import family_for
from modelduel.simulator.errors import ErrorReply, error_reply

__all__ = ["RESPONSES_MESSAGE", "context_window", "over_window_error", "over_window_reply"]

RESPONSES_MESSAGE = (
    "Your input exceeds the context window of this model. Please adjust your input and try again."
)


def context_window(protocol: str, model: str) -> int | None:
    """The model's context window in tokens per the capability data (None = unknown)."""
    return family_for(protocol, model).context_window


def over_window_error() -> dict[str, Any]:
    """The error object of the Responses API (in a 400 body or a stream's `error` event)."""
    return {
        "type": "invalid_request_error",
        "code": "context_length_exceeded",
        "message": RESPONSES_MESSAGE,
        "param": "input",
    }


def over_window_reply(
    protocol: str, model: str, tokens: int, window: int, request_id: str
) -> ErrorReply:
    """The 400 a prompt of `tokens` gets from a model holding `window`."""
    if protocol == "openai":
        body = json.dumps({"error": over_window_error()}, separators=(",", ":")).encode()
        headers = [("x-request-id", request_id)]
        return ErrorReply(400, body, headers, "application/json; charset=utf-8")
    if protocol == "openai-chat":
        message = (
            f"This model's maximum context length is {window} tokens. However, your messages "
            f"resulted in {tokens} tokens. Please reduce the length of the messages."
        )
        return error_reply(
            protocol,
            "bad_request",
            message=message,
            param="messages",
            code="context_length_exceeded",
            request_id=request_id,
        )
    if protocol == "anthropic":
        message = f"prompt is too long: {tokens} tokens > {window} maximum"
        return error_reply(protocol, "bad_request", message=message, request_id=request_id)
    message = (
        f"The input token count ({tokens}) exceeds the maximum number of tokens allowed ({window})."
    )
    return error_reply(protocol, "bad_request", message=message, model=model)
