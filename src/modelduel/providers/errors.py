"""An error response in words, as every adapter words it: kind, message, whether to retry.

The provider's message on one line (credentials masked, cut short), the kind its status
implies, retrying as the official SDKs do. Each protocol reads its own body shapes in its
`errors` module (`providers.openai.errors`, ...); network failures are `http_errors`.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Mapping
from typing import Any

from modelduel.events import ErrorInfo, ErrorKind
from modelduel.providers.retry_after import MAX_RETRY_AFTER_S, parse_retry_after

__all__ = [
    "MAX_MESSAGE_CHARS",
    "RETRYABLE_STATUSES",
    "context_overflow",
    "error_kind_for_status",
    "http_error_info",
    "load_json_body",
    "one_line",
    "sdk_retryable",
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


# The prompt-over-context-window refusals: (tokens, window) as each provider words them.
_OVERFLOWS = (
    re.compile(r"prompt is too long: (\d+) tokens > (\d+) maximum"),  # Anthropic
    re.compile(r"maximum context length is (?P<w>\d+) tokens.*?(?P<t>\d+) tokens"),  # Chat
    re.compile(r"input token count \((\d+)\) exceeds the maximum .*?\((\d+)\)"),  # Gemini
)


def context_overflow(message: str | None, code: str = "") -> str | None:
    """The one-line reason of a prompt refused for the model's context window, else None.

    "prompt too long: 300,030 tokens > 200,000" when the provider gives both counts,
    "prompt too long for the model's context window" when it does not (Responses).
    """
    text = message or ""
    for pattern in _OVERFLOWS:
        found = pattern.search(text)
        if found:
            if pattern.groupindex:
                tokens, window = int(found["t"]), int(found["w"])
            else:
                tokens, window = int(found[1]), int(found[2])
            return f"prompt too long: {tokens:,} tokens > {window:,}"
    if code == "context_length_exceeded" or "exceeds the context window" in text:
        return "prompt too long for the model's context window"
    return None


def error_kind_for_status(status: int) -> ErrorKind:
    """The error kind an HTTP status implies before the body is read."""
    if status in (401, 403):
        return "auth"
    if status == 404:
        return "not_found"
    if status == 429:
        return "rate_limited"
    if status >= 500:
        return "provider_error"
    return "bad_request"


def load_json_body(body: bytes) -> dict[str, Any] | None:
    """A JSON object from an error body, or None when it is not one."""
    try:
        value = json.loads(body.decode("utf-8", "replace"))
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


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
    overflow = context_overflow(message) if kind == "bad_request" and headline is None else None
    if overflow is not None:
        # the provider's message says no more than this (it is kept in the transcript)
        words = f"{overflow} ({provider} refused it, HTTP {status})"
    elif headline is not None:
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
