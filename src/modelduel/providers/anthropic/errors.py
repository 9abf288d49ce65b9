"""Anthropic's errors in words: an error response's body, and an `error` event mid-stream."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from modelduel.events import ErrorInfo, ErrorKind
from modelduel.providers.errors import http_error_info, load_json_body, one_line

__all__ = ["anthropic_error", "stream_error"]

_FIELD_PREFIX = re.compile(r"^([a-z_][a-z0-9_]*(?:\.[a-z0-9_]+)+|[a-z_]+_[a-z0-9_]+): ")


def anthropic_error(status: int, body: bytes, headers: Mapping[str, str], name: str) -> ErrorInfo:
    """Anthropic's `{"type":"error","error":{type,message}}` in words.

    A 403 is not always a bad key: `billing_error` (credit balance too low) and
    `permission_error` (the key may not use this model or feature) say so.

    Args:
        name: the provider's name as configured, for the wording.
    """
    doc = load_json_body(body) or {}
    err = doc.get("error")
    message = None
    err_type = ""
    if isinstance(err, dict):
        message = str(err.get("message") or err.get("type") or "") or None
        err_type = str(err.get("type") or "")
    elif body:
        message = body.decode("utf-8", "replace")
    kind: ErrorKind | None = None
    headline = None
    # the older form of the low-credit error is a 400 invalid_request_error
    low_credit = "credit balance is too low" in (message or "").lower()
    if err_type == "billing_error" or status == 402 or low_credit:
        kind = "quota"
        headline = f"{name} billing: add credit at console.anthropic.com (Plans & Billing)"
    elif err_type == "permission_error":
        kind = "auth"
        headline = f"{name} key is valid but lacks permission for this model or feature"
    elif status == 403:
        kind = "auth"
        headline = (
            f"{name} refused access: a region it does not serve or an account "
            "restriction, not necessarily a bad key"
        )
    info = http_error_info(name, status, message, headers, kind=kind, headline=headline)
    # Anthropic names the offending field at the start of a 400's message
    # ("thinking.display: Extra inputs are not permitted")
    field = _FIELD_PREFIX.match(message or "") if status == 400 else None
    return replace(info, param=field.group(1)) if field else info


def stream_error(err: Any) -> ErrorInfo:
    """The failure an error event in the stream (after a 200) stands for."""
    err = err if isinstance(err, dict) else {}
    kind = str(err.get("type") or "error")
    message = one_line(str(err.get("message") or "stream failed"))
    if kind == "rate_limit_error":
        return ErrorInfo("rate_limited", f"rate-limited by anthropic: {message}", retryable=True)
    return ErrorInfo(
        "provider_error",
        f"anthropic error mid-stream ({kind}): {message}",
        retryable=kind in ("overloaded_error", "api_error"),
    )
