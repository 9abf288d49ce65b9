"""Pieces every adapter shares: JSON decoding of events, HTTP error wording, and the
questions every protocol's conversation builder asks of a message."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Mapping
from typing import Any

from modelduel.conversation import AssistantMessage, Text, UserMessage
from modelduel.events import ErrorInfo, ErrorKind, StreamFailed, Usage
from modelduel.providers.base import MAX_RETRY_AFTER_S, error_kind_for_status, parse_retry_after

__all__ = [
    "MAX_MESSAGE_CHARS",
    "RETRYABLE_STATUSES",
    "arguments_object",
    "as_int",
    "http_error_info",
    "load_json_body",
    "malformed",
    "one_line",
    "openai_style_usage",
    "passes_back",
    "sdk_retryable",
    "stream_cut",
    "text_only",
]

MAX_MESSAGE_CHARS = 400
"""Provider messages are cut to this length: an error is one line, not a page."""

# Anything shaped like a credential is masked, in case a provider or proxy echoes one back.
_KEYLIKE = re.compile(r"\b(sk-[A-Za-z0-9_\-]{4}|AIza[A-Za-z0-9_\-]{2})[A-Za-z0-9_\-]{8,}")

RETRYABLE_STATUSES = frozenset({408, 409, 429, 500, 502, 503, 504, 529})
"""What the official SDKs retry: 408, 409, 429 and every 5xx (529 included)."""


def sdk_retryable(status: int) -> bool:
    """True for a status the official SDKs retry (408, 409, 429, any 5xx)."""
    return status in (408, 409, 429) or status >= 500


def one_line(text: str, limit: int = MAX_MESSAGE_CHARS) -> str:
    """The text on one line, credentials masked, cut to `limit` characters."""
    flat = " ".join(str(text).split())
    flat = _KEYLIKE.sub(lambda m: m.group(1) + "…", flat)
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def as_int(value: object) -> int | None:
    """An int from a JSON value; None for anything else (bools included)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return None


def openai_style_usage(
    usage: Any, prefix: str, input_details: str, output_details: str
) -> Usage | None:
    """Usage from an OpenAI-shaped usage object (Responses or Chat Completions names).

    Args:
        usage: the provider's usage object (anything: non-dicts give None).
        prefix: the count names, `input`/`output` (Responses) or `prompt`/`completion`
            (Chat), as "input|output".
        input_details: the key holding `cached_tokens`.
        output_details: the key holding `reasoning_tokens`.
    """
    if not isinstance(usage, dict):
        return None
    inp, out = prefix.split("|")
    in_details = usage.get(input_details)
    out_details = usage.get(output_details)
    return Usage(
        input_tokens=as_int(usage.get(f"{inp}_tokens")),
        cached_input_tokens=as_int(in_details.get("cached_tokens"))
        if isinstance(in_details, dict)
        else None,
        output_tokens=as_int(usage.get(f"{out}_tokens")),
        reasoning_tokens=as_int(out_details.get("reasoning_tokens"))
        if isinstance(out_details, dict)
        else None,
        # billed by some models above the input price, part of input_tokens like cached ones
        cache_write_tokens=as_int(in_details.get("cache_write_tokens"))
        if isinstance(in_details, dict)
        else None,
    )


def load_json_body(body: bytes) -> dict[str, Any] | None:
    """A JSON object from an error body, or None when it is not one."""
    try:
        value = json.loads(body.decode("utf-8", "replace"))
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def malformed(provider: str, data: str) -> StreamFailed:
    """The failure for an event whose data is not the JSON the protocol promises."""
    return StreamFailed(
        ErrorInfo("malformed", f"malformed event from {provider}: {one_line(data, 120)!r}")
    )


def stream_cut(provider: str, expected: str) -> StreamFailed:
    """The failure for a stream that ended before the protocol's last event."""
    return StreamFailed(
        ErrorInfo(
            "connection",
            f"{provider} stream ended before {expected} (connection closed mid-answer)",
            retryable=True,
        )
    )


def http_error_info(
    provider: str,
    status: int,
    message: str | None,
    headers: Mapping[str, str],
    *,
    kind: ErrorKind | None = None,
    retry_after_s: float | None = None,
    model_hint: str | None = None,
    headline: str | None = None,
    retryable: bool | None = None,
) -> ErrorInfo:
    """An ErrorInfo worded for a user, from a provider's status and message.

    Args:
        provider: the provider's name as the user knows it (`anthropic`).
        status: the HTTP status.
        message: the provider's own message (None when the body had none).
        headers: the response headers, lower-cased (for Retry-After).
        kind: overrides the kind the status implies (quota, auth on a 400, ...).
        retry_after_s: a delay the body gave (Gemini's retryDelay); headers win.
        model_hint: words naming the model, for not-found errors.
        headline: the words to put before the provider's message (a cause the body
            names: billing, region, a disabled API), instead of those the kind implies.
        retryable: overrides whether a retry could help (a daily quota cannot).

    Retrying follows the official SDKs: 408, 409, 429 and 5xx are retryable unless the
    kind says otherwise, `x-should-retry` is obeyed, and a Retry-After above
    MAX_RETRY_AFTER_S is reported, not waited out.
    """
    kind = kind or error_kind_for_status(status)
    text = one_line(message) if message else f"HTTP {status}"
    header_delay = parse_retry_after(headers, time.time(), clamp=False)
    delay = header_delay if header_delay is not None else retry_after_s
    if headline is not None:
        words = f"{headline} (HTTP {status}): {text}"
    elif kind == "auth":
        words = f"invalid API key for {provider} (HTTP {status}): {text}"
    elif kind == "not_found":
        what = f"model {model_hint}" if model_hint else "model or endpoint"
        words = f"{what} not found on {provider} (HTTP {status}): {text}"
    elif kind == "rate_limited":
        words = f"rate-limited by {provider} (HTTP {status}): {text}"
        if delay is not None:
            words += f"; retry after {delay:g} s"
    elif kind == "quota":
        words = f"quota exhausted on {provider} (HTTP {status}): {text}"
    elif kind == "provider_error":
        words = f"{provider} server error (HTTP {status}): {text}"
    else:
        words = f"{provider} rejected the request (HTTP {status}): {text}"
    if retryable is None:
        retryable = kind not in ("quota", "auth", "not_found", "missing_key") and (
            sdk_retryable(status) or kind in ("rate_limited", "provider_error")
        )
        should = headers.get("x-should-retry", "").strip().lower()
        if should == "true":
            retryable = True
        elif should == "false":
            retryable = False
    if delay is not None and delay > MAX_RETRY_AFTER_S:
        if retryable:
            words += (
                f" (the provider asks to wait {delay:g} s, more than the {MAX_RETRY_AFTER_S:g} s"
                " modelduel waits: not retried, try again later)"
            )
        retryable = False
    return ErrorInfo(kind, words, status=status, retry_after_s=delay, retryable=retryable)


def text_only(msg: UserMessage) -> bool:
    """Whether a user message is text only (sent as a plain string where a protocol allows)."""
    return all(isinstance(p, Text) for p in msg.parts)


def passes_back(msg: AssistantMessage, kind: str) -> bool:
    """Whether this message's provider_data may be passed back to protocol `kind`."""
    return msg.protocol == kind


def arguments_object(arguments: str) -> dict[str, Any]:
    """A call's arguments as an object, for protocols that take them parsed ({} if not)."""
    try:
        value = json.loads(arguments) if arguments.strip() else {}
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}
