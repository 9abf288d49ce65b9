"""OpenAI's errors in words: an error response's body, and an `error` event mid-stream.

Also what every OpenAI-compatible server behind `openai-chat` answers with (the same
`{"error": {message, type, param, code}}` body).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from modelduel.events import ErrorInfo, ErrorKind
from modelduel.providers.errors import (
    context_overflow,
    http_error_info,
    load_json_body,
    one_line,
)

__all__ = ["openai_error", "stream_error"]


def openai_error(
    status: int, body: bytes, headers: Mapping[str, str], provider: str = "openai"
) -> ErrorInfo:
    """The ErrorInfo of an OpenAI-style error body (`{"error": {message, type, param, code}}`).

    Args:
        provider: the provider's name as configured (`ollama`, `openrouter`) for the wording.
    """
    doc = load_json_body(body) or {}
    err = doc.get("error")
    message: str | None = None
    code = ""
    param: str | None = None
    if isinstance(err, dict):
        message = str(err.get("message") or "") or None
        code = str(err.get("code") or err.get("type") or "")
        param = err.get("param") if isinstance(err.get("param"), str) else None
    elif isinstance(err, str):
        message = err
    elif body:
        message = body.decode("utf-8", "replace")
    kind: ErrorKind | None = None
    words: str | None = None
    if code == "insufficient_quota":
        kind = "quota"
    elif code == "model_not_found":
        kind = "not_found"
    elif code == "invalid_api_key":
        kind = "auth"
    elif code == "rate_limit_exceeded" and "per day" in (message or ""):
        kind, words = "quota", f"{provider} daily request limit reached: it resets within a day"
    elif code == "unsupported_country_region_territory":
        kind, words = "auth", f"{provider} does not serve this country, region or territory"
    elif status == 402:
        kind, words = "quota", f"{provider} billing: add credit or a payment method"
    elif status == 403:
        kind, words = "auth", f"{provider} refused access (HTTP 403; not necessarily a bad key)"
    retryable = False if kind == "quota" else None
    info = http_error_info(
        provider, status, message, headers, kind=kind, headline=words, retryable=retryable
    )
    return replace(info, param=param) if param else info


def stream_error(err: Mapping[str, Any]) -> ErrorInfo:
    nested = err.get("error")
    inner: Mapping[str, Any] = nested if isinstance(nested, dict) else err
    code = str(inner.get("code") or inner.get("type") or "error")
    message = one_line(str(inner.get("message") or "stream failed"))
    if code == "insufficient_quota":
        return ErrorInfo("quota", f"quota exhausted on openai: {message}")
    overflow = context_overflow(message, code)
    if overflow is not None:
        # a prompt over the context window: refused, and refused again if retried
        return ErrorInfo("bad_request", f"{overflow} (openai refused it mid-stream)")
    if code in ("rate_limit_exceeded",):
        return ErrorInfo("rate_limited", f"rate-limited by openai: {message}", retryable=True)
    return ErrorInfo(
        "provider_error", f"openai error mid-stream ({code}): {message}", retryable=True
    )
