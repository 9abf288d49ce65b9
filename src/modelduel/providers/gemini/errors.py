"""Gemini's errors in words: an error response's body, and an error object mid-stream."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from modelduel.events import ErrorInfo, ErrorKind
from modelduel.providers.common import as_int
from modelduel.providers.errors import http_error_info, load_json_body, one_line

__all__ = ["gemini_error", "stream_error"]


def gemini_error(status: int, body: bytes, headers: Mapping[str, str], name: str) -> ErrorInfo:
    """Gemini's `{"error": {code, message, status, details}}` in words.

    A disabled API (`SERVICE_DISABLED`) and a per-day quota get their own words;
    a daily quota is not retried.

    Args:
        name: the provider's name as configured, for the wording.
    """
    doc = load_json_body(body)
    if doc is None:
        # errors of the streaming endpoint can come as a one-element JSON array
        try:
            value = json.loads(body.decode("utf-8", "replace"))
        except ValueError:
            value = None
        first = value[0] if isinstance(value, list) and value else None
        doc = first if isinstance(first, dict) else None
    found = doc.get("error") if doc else None
    err: dict[str, Any] = found if isinstance(found, dict) else {}
    message = str(err.get("message") or "") or (
        body.decode("utf-8", "replace") if body and not doc else None
    )
    kind: ErrorKind | None = None
    headline = None
    retryable = None
    if _is_bad_key(err):
        kind = "auth"
    elif "SERVICE_DISABLED" in _reasons(err):
        kind = "auth"
        headline = (
            f"{name}: the Generative Language API is not enabled for this key's Google "
            "Cloud project (enable it in the console, or use a key from AI Studio)"
        )
    elif status == 429 and _is_daily_quota(err):
        kind, retryable = "quota", False
        headline = f"{name} daily quota used up: it resets at midnight Pacific time"
    elif status == 402 or "enable billing" in (message or "").lower():
        kind, headline = "quota", f"{name} billing: set up billing for this project"
    elif "location is not supported" in (message or ""):
        kind, headline = "auth", f"{name} does not serve this location"
    elif status == 403:
        kind = "auth"
        headline = f"{name} refused access (HTTP 403 is not necessarily a bad key)"
    info = http_error_info(
        name,
        status,
        message,
        headers,
        kind=kind,
        retry_after_s=_retry_delay(err.get("details")),
        headline=headline,
        retryable=retryable,
    )
    field = _violated_field(err)
    return replace(info, param=field) if field else info


def _retry_delay(details: Any) -> float | None:
    for item in details if isinstance(details, list) else ():
        if isinstance(item, dict) and isinstance(item.get("retryDelay"), str):
            try:
                return float(item["retryDelay"].rstrip("s"))
            except ValueError:
                return None
    return None


def _reasons(err: Mapping[str, Any]) -> set[str]:
    details = err.get("details")
    return {
        str(item.get("reason"))
        for item in (details if isinstance(details, list) else ())
        if isinstance(item, dict) and item.get("reason")
    }


def _violated_field(err: Mapping[str, Any]) -> str | None:
    """The field a BadRequest detail names (`fieldViolations[0].field`), if any."""
    details = err.get("details")
    for item in details if isinstance(details, list) else ():
        violations = item.get("fieldViolations") if isinstance(item, dict) else None
        for v in violations if isinstance(violations, list) else ():
            if isinstance(v, dict) and isinstance(v.get("field"), str):
                return str(v["field"])
    return None


def _is_bad_key(err: Mapping[str, Any]) -> bool:
    if _reasons(err) & {"API_KEY_INVALID", "API_KEY_EXPIRED"}:
        return True
    return "API key not valid" in str(err.get("message") or "")


def _is_daily_quota(err: Mapping[str, Any]) -> bool:
    """A per-day quota (free tier): waiting seconds cannot help, it resets tomorrow."""
    details = err.get("details")
    for item in details if isinstance(details, list) else ():
        violations = item.get("violations") if isinstance(item, dict) else None
        for v in violations if isinstance(violations, list) else ():
            if isinstance(v, dict) and "perday" in str(v.get("quotaId") or "").lower():
                return True
    return False


def stream_error(err: Any) -> ErrorInfo:
    """The failure an error event in the stream (after a 200) stands for."""
    err = err if isinstance(err, dict) else {"message": str(err)}
    status = as_int(err.get("code"))
    word = str(err.get("status") or "error")
    message = one_line(str(err.get("message") or "stream failed"))
    kind: ErrorKind = "rate_limited" if status == 429 else "provider_error"
    delay = _retry_delay(err.get("details"))
    return ErrorInfo(kind, f"gemini error mid-stream ({word}): {message}", status, delay, True)
