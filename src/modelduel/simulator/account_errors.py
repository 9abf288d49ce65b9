"""The errors a real account meets on day one, in each provider's own shape.

Billing, permission, region, daily quotas, a project with the API disabled, an
organization that may not see reasoning summaries, and a parameter a model
refuses. Each body follows what the provider documents or is reported to send:

* OpenAI: `{"error": {message, type, param, code}}`; an unsupported region is
  403 `request_forbidden` / `unsupported_country_region_territory`, no credit is
  429 `insufficient_quota` (not retryable), an unverified organization asking for
  reasoning summaries is 400 `unsupported_value` on `param: "reasoning.summary"`.
  OpenAI-compatible gateways (OpenRouter) answer "no credit" with 402 and an
  integer `code`.
* Anthropic: `{"type": "error", "error": {type, message}, "request_id"}`; no credit
  is 402 `billing_error`, a key without access 403 `permission_error`, a blocked
  region 403 `forbidden` "Request not allowed".
* Gemini: `{"error": {code, message, status, details}}`; a project whose
  Generative Language API is off is 403 `PERMISSION_DENIED` with a
  `google.rpc.ErrorInfo` detail of reason `SERVICE_DISABLED`; a per-day quota is
  429 `RESOURCE_EXHAUSTED` with a `QuotaFailure` whose quotaId has `PerDay` and a
  (misleadingly short) `RetryInfo`.
"""

from __future__ import annotations

import json
from typing import Any

__all__ = ["ACCOUNT_KINDS", "UNVERIFIED_ORG_MESSAGE", "account_body", "dumps"]

ACCOUNT_KINDS = frozenset(
    [
        "daily_quota",
        "billing",
        "payment_required",
        "permission",
        "region",
        "service_disabled",
        "unverified_org",
        "reject_param",
    ]
)

UNVERIFIED_ORG_MESSAGE = (
    "Your organization must be verified to generate reasoning summaries. Please go to: "
    "https://platform.openai.com/settings/organization/general and click on Verify "
    "Organization. If you just verified, it can take up to 15 minutes for access to propagate."
)
_SIM_PROJECT = "123456789012"
_OPENROUTER_CREDITS = "Insufficient credits. Add more using https://openrouter.ai/settings/credits"


def account_body(protocol: str, kind: str, *, model: str, param: str) -> tuple[int, Any]:
    """(HTTP status, JSON body) of one account error `kind` for `protocol`.

    Args:
        protocol: openai, openai-chat, anthropic or gemini.
        kind: one of ACCOUNT_KINDS.
        model: the model id named in quota messages.
        param: the rejected parameter of a reject_param.
    """
    if protocol in ("openai", "openai-chat"):
        return _openai(protocol, kind, model, param)
    if protocol == "anthropic":
        return _anthropic(kind, param)
    return _gemini(kind, model, param)


def _oai(message: str, type_: str, param: str | None = None, code: Any = None) -> dict[str, Any]:
    return {"error": {"message": message, "type": type_, "param": param, "code": code}}


def _openai(protocol: str, kind: str, model: str, param: str) -> tuple[int, Any]:
    if kind == "unverified_org":
        return 400, _oai(
            UNVERIFIED_ORG_MESSAGE,
            "invalid_request_error",
            "reasoning.summary",
            "unsupported_value",
        )
    if kind == "reject_param":
        return 400, _oai(
            f"Unsupported parameter: '{param}' is not supported with this model.",
            "invalid_request_error",
            param,
            "unsupported_parameter",
        )
    if kind == "daily_quota":
        return 429, _oai(
            f"Rate limit reached for {model} in organization org-simulated on requests per day "
            "(RPD): Limit 10000, Used 10000, Requested 1. Please try again in 7h12m0s. Visit "
            "https://platform.openai.com/account/rate-limits to learn more.",
            "requests",
            None,
            "rate_limit_exceeded",
        )
    if kind == "payment_required" or (kind == "billing" and protocol == "openai-chat"):
        # OpenAI-compatible gateways (OpenRouter): 402 with the status as an integer code.
        return 402, {"error": {"message": _OPENROUTER_CREDITS, "code": 402}}
    if kind == "billing":
        return 429, _oai(
            "You exceeded your current quota, please check your plan and billing details. For "
            "more information on this error, read the docs: "
            "https://platform.openai.com/docs/guides/error-codes/api-errors.",
            "insufficient_quota",
            None,
            "insufficient_quota",
        )
    if kind == "region":
        return 403, _oai(
            "Country, region, or territory not supported",
            "request_forbidden",
            None,
            "unsupported_country_region_territory",
        )
    scope = "api.responses.write" if protocol == "openai" else "model.request"
    return 403, _oai(
        f"You have insufficient permissions for this operation. Missing scopes: {scope}. Check "
        "that you have the correct role in your organization (Reader, Writer, Owner) and "
        "project (Member, Owner), and if you're using a restricted API key, that it has the "
        "necessary scopes.",
        "invalid_request_error",
    )


def _anthropic(kind: str, param: str) -> tuple[int, Any]:
    status: int
    if kind in ("billing", "payment_required"):
        status, type_, text = (
            402,
            "billing_error",
            "Your credit balance is too low to access the Anthropic API. Please go to Plans & "
            "Billing to upgrade or purchase credits.",
        )
    elif kind == "region":
        status, type_, text = 403, "forbidden", "Request not allowed"
    elif kind in ("permission", "service_disabled"):
        status, type_, text = (
            403,
            "permission_error",
            "Your API key does not have permission to use the specified resource.",
        )
    elif kind == "reject_param":
        status, type_, text = (
            400,
            "invalid_request_error",
            f"{param}: is not supported for this model.",
        )
    else:  # daily_quota is answered by the rate_limit body; unverified_org never reaches here
        status, type_, text = 400, "invalid_request_error", "Invalid request"
    return status, {"type": "error", "error": {"type": type_, "message": text}}


def _google(status: int, state: str, message: str, details: list[Any] | None) -> dict[str, Any]:
    err: dict[str, Any] = {"code": status, "message": message, "status": state}
    if details is not None:
        err["details"] = details
    return {"error": err}


def _gemini(kind: str, model: str, param: str) -> tuple[int, Any]:
    if kind == "service_disabled":
        url = (
            "https://console.developers.google.com/apis/api/generativelanguage.googleapis.com/"
            f"overview?project={_SIM_PROJECT}"
        )
        message = (
            f"Generative Language API has not been used in project {_SIM_PROJECT} before or it is "
            f"disabled. Enable it by visiting {url} then retry. If you enabled this API recently, "
            "wait a few minutes for the action to propagate to our systems and retry."
        )
        details = [
            {
                "@type": "type.googleapis.com/google.rpc.ErrorInfo",
                "reason": "SERVICE_DISABLED",
                "domain": "googleapis.com",
                "metadata": {
                    "consumer": f"projects/{_SIM_PROJECT}",
                    "service": "generativelanguage.googleapis.com",
                    "serviceTitle": "Generative Language API",
                    "containerInfo": _SIM_PROJECT,
                    "activationUrl": url,
                },
            },
            {
                "@type": "type.googleapis.com/google.rpc.LocalizedMessage",
                "locale": "en-US",
                "message": message,
            },
            {
                "@type": "type.googleapis.com/google.rpc.Help",
                "links": [{"description": "Google developers console API activation", "url": url}],
            },
        ]
        return 403, _google(403, "PERMISSION_DENIED", message, details)
    if kind == "daily_quota":
        message = (
            "You exceeded your current quota, please check your plan and billing details. For "
            "more information on this error, head to: https://ai.google.dev/gemini-api/docs/"
            "rate-limits. To monitor your current usage, head to: https://ai.dev/usage?tab="
            "rate-limit. \n* Quota exceeded for metric: generativelanguage.googleapis.com/"
            f"generate_content_free_tier_requests, limit: 100, model: {model}\n"
            "Please retry in 43.5s."
        )
        details = [
            {
                "@type": "type.googleapis.com/google.rpc.QuotaFailure",
                "violations": [
                    {
                        "quotaMetric": "generativelanguage.googleapis.com/"
                        "generate_content_free_tier_requests",
                        "quotaId": "GenerateRequestsPerDayPerProjectPerModel-FreeTier",
                        "quotaDimensions": {"location": "global", "model": model},
                        "quotaValue": "100",
                    }
                ],
            },
            {
                "@type": "type.googleapis.com/google.rpc.Help",
                "links": [
                    {
                        "description": "Learn more about Gemini API quotas",
                        "url": "https://ai.google.dev/gemini-api/docs/rate-limits",
                    }
                ],
            },
            # The real per-day failure still carries a short RetryInfo: waiting it out is futile.
            {"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": "43s"},
        ]
        return 429, _google(429, "RESOURCE_EXHAUSTED", message, details)
    if kind in ("billing", "payment_required"):
        return 400, _google(
            400,
            "FAILED_PRECONDITION",
            "Gemini API free tier is not available in your country. Please enable billing on "
            "your project in Google AI Studio.",
            None,
        )
    if kind == "region":
        return 400, _google(
            400, "FAILED_PRECONDITION", "User location is not supported for the API use.", None
        )
    if kind == "reject_param":
        text = f"{param} is not supported for this model."
        violation = {"field": param, "description": text}
        details = [
            {"@type": "type.googleapis.com/google.rpc.BadRequest", "fieldViolations": [violation]}
        ]
        return 400, _google(400, "INVALID_ARGUMENT", text, details)
    return 403, _google(403, "PERMISSION_DENIED", "The caller does not have permission", None)


def dumps(protocol: str, body: Any) -> bytes:
    """The body bytes as the provider writes them (Google pretty-prints)."""
    if protocol == "gemini":
        return (json.dumps(body, ensure_ascii=False, indent=2) + "\n").encode()
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()
