"""Error responses in each provider's own shape, status and headers.

Bodies follow the real ones recorded in the shared wire samples: OpenAI's
`{"error": {message, type, param, code}}`, Anthropic's `{"type": "error", "error":
{type, message}, "request_id"}` and Google's pretty-printed `{"error": {code,
message, status, details}}`. Gemini answers a bad key with 400, not 401. The messages
themselves are in `error_messages`.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from typing import Any

from modelduel.simulator.account_errors import ACCOUNT_KINDS, account_body, dumps
from modelduel.simulator.error_messages import ANTHROPIC_ERRORS, GEMINI_ERRORS, OPENAI_ERRORS

__all__ = ["ErrorReply", "error_reply", "mask_key"]


@dataclass(frozen=True, slots=True)
class ErrorReply:
    """One complete non-2xx HTTP response."""

    status: int
    body: bytes
    headers: list[tuple[str, str]] = field(default_factory=list)
    content_type: str = "application/json"


def mask_key(key: str) -> str:
    """A key as OpenAI shows it in errors: first 8 and last 4 characters, stars between."""
    if len(key) <= 12:
        return "*" * len(key)
    return key[:8] + "*" * (len(key) - 12) + key[-4:]


def _compact(obj: Any) -> bytes:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode()


def error_reply(
    protocol: str,
    kind: str,
    *,
    model: str = "",
    message: str | None = None,
    param: str | None = None,
    code: str | None = None,
    retry_after_s: float = 1.0,
    key: str = "",
    request_id: str = "req_simulated",
    detail: str = "",
) -> ErrorReply:
    """The provider's error response for one kind of failure.

    Args:
        protocol: openai, openai-chat, anthropic or gemini.
        kind: auth_missing, auth, not_found, bad_request, rate_limit, server,
            unavailable, overloaded, malformed_json, version_missing (Anthropic), or
            one of `account_errors.ACCOUNT_KINDS` (billing, region, daily_quota...).
        model: the model id named in not-found and rate-limit messages.
        message: the message of a bad_request.
        param: the offending parameter of a bad_request or reject_param.
        code: the OpenAI `code` of a bad_request (e.g. "unsupported_parameter").
        retry_after_s: the delay a rate_limit asks for.
        key: the presented key, masked into OpenAI's invalid-key message.
        request_id: the provider request id (OpenAI 500 text, Anthropic body).
        detail: parser detail for malformed_json.
    """
    fmt = {"model": model, "key": mask_key(key), "request_id": request_id, "detail": detail}
    if protocol == "anthropic" and kind == "daily_quota":
        kind = "rate_limit"  # Anthropic has no daily quota of its own: its limits are per minute
    if kind in ACCOUNT_KINDS:
        return _account(protocol, kind, model, param or "", request_id)
    if protocol in ("openai", "openai-chat"):
        return _openai(protocol, kind, fmt, message, param, code, retry_after_s, request_id)
    if protocol == "anthropic":
        return _anthropic(kind, fmt, message, retry_after_s, request_id)
    return _gemini(kind, fmt, message, param, retry_after_s)


def _account(protocol: str, kind: str, model: str, param: str, request_id: str) -> ErrorReply:
    status, body = account_body(protocol, kind, model=model, param=param)
    if protocol in ("openai", "openai-chat"):
        headers = [("x-request-id", request_id)]
        return ErrorReply(status, dumps(protocol, body), headers, "application/json; charset=utf-8")
    if protocol == "anthropic":
        body["request_id"] = request_id
        return ErrorReply(status, dumps(protocol, body), [("request-id", request_id)])
    return ErrorReply(status, dumps(protocol, body), [], "application/json; charset=UTF-8")


def _openai(
    protocol: str,
    kind: str,
    fmt: dict[str, str],
    message: str | None,
    param: str | None,
    code: str | None,
    retry_after_s: float,
    request_id: str,
) -> ErrorReply:
    headers = [("x-request-id", request_id)]
    err: dict[str, Any]
    if kind == "not_found":
        # The Responses API answers an unknown model with 400, Chat Completions with 404.
        if protocol == "openai":
            status, err = (
                400,
                {
                    "message": f"The requested model '{fmt['model']}' does not exist.",
                    "type": "invalid_request_error",
                    "param": "model",
                    "code": "model_not_found",
                },
            )
        else:
            status, err = (
                404,
                {
                    "message": f"The model `{fmt['model']}` does not exist or you do not have "
                    "access to it.",
                    "type": "invalid_request_error",
                    "param": None,
                    "code": "model_not_found",
                },
            )
    elif kind == "bad_request":
        status = 400
        err = {
            "message": message or "Invalid request.",
            "type": "invalid_request_error",
            "param": param,
            "code": code,
        }
    elif kind == "rate_limit":
        status = 429
        err = {
            "message": f"Rate limit reached for {fmt['model']} in organization org-simulated on "
            "tokens per min (TPM): Limit 30000, Used 30000, Requested 1200. Please try again in "
            f"{retry_after_s:g}s. Visit https://platform.openai.com/account/rate-limits to "
            "learn more.",
            "type": "tokens",
            "param": None,
            "code": "rate_limit_exceeded",
        }
        headers += [
            ("retry-after", str(max(1, math.ceil(retry_after_s)))),
            ("retry-after-ms", str(round(retry_after_s * 1000))),
            ("x-ratelimit-limit-tokens", "30000"),
            ("x-ratelimit-remaining-tokens", "0"),
            ("x-ratelimit-reset-tokens", f"{retry_after_s:g}s"),
        ]
    else:
        status, type_, text, err_code = OPENAI_ERRORS[kind]
        err = {"message": text.format(**fmt), "type": type_, "param": None, "code": err_code}
    return ErrorReply(status, _compact({"error": err}), headers, "application/json; charset=utf-8")


def _anthropic(
    kind: str, fmt: dict[str, str], message: str | None, retry_after_s: float, request_id: str
) -> ErrorReply:
    if kind == "bad_request":
        status, type_, text = 400, "invalid_request_error", message or "Invalid request"
    else:
        status, type_, text = ANTHROPIC_ERRORS[kind]
        text = text.format(**fmt)
    headers = [("request-id", request_id)]
    if kind == "rate_limit":
        headers.append(("retry-after", str(max(1, math.ceil(retry_after_s)))))
    if kind in ("overloaded", "server", "unavailable", "rate_limit"):
        headers.append(("x-should-retry", "true"))
    body = {"type": "error", "error": {"type": type_, "message": text}, "request_id": request_id}
    return ErrorReply(status, _compact(body), headers, "application/json")


def _gemini(
    kind: str, fmt: dict[str, str], message: str | None, param: str | None, retry_after_s: float
) -> ErrorReply:
    details: list[dict[str, Any]] | None = None
    if kind == "bad_request":
        status, state, text = (
            400,
            "INVALID_ARGUMENT",
            message or "Request contains an invalid argument.",
        )
        if param:
            details = [
                {
                    "@type": "type.googleapis.com/google.rpc.BadRequest",
                    "fieldViolations": [{"field": param, "description": text}],
                }
            ]
    else:
        status, state, text = GEMINI_ERRORS[kind]
        text = text.format(**fmt)
    if kind == "auth":
        details = [
            {
                "@type": "type.googleapis.com/google.rpc.ErrorInfo",
                "reason": "API_KEY_INVALID",
                "domain": "googleapis.com",
                "metadata": {"service": "generativelanguage.googleapis.com"},
            },
            {
                "@type": "type.googleapis.com/google.rpc.LocalizedMessage",
                "locale": "en-US",
                "message": text,
            },
        ]
    elif kind == "rate_limit":
        # Google puts the delay in the body, never in a Retry-After header.
        details = [
            {
                "@type": "type.googleapis.com/google.rpc.QuotaFailure",
                "violations": [{"quotaId": "GenerateRequestsPerMinutePerProjectPerModel"}],
            },
            {
                "@type": "type.googleapis.com/google.rpc.RetryInfo",
                "retryDelay": f"{retry_after_s:g}s",
            },
        ]
    err: dict[str, Any] = {"code": status, "message": text, "status": state}
    if details is not None:
        err["details"] = details
    body = json.dumps({"error": err}, ensure_ascii=False, indent=2) + "\n"
    return ErrorReply(status, body.encode(), [], "application/json; charset=UTF-8")
