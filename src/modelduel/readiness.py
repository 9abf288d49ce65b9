"""What `modelduel check` reads from a model's reply: rate-limit headroom, cost, the fix.

The rate-limit headers OpenAI and Anthropic send (remaining, and the limit beside it),
the note on a cost the price data cannot give, and, for a failed check, the exact fix by
the error's kind and the provider's own words. Sends nothing: the request and the report
are the command's (`commands/check.py`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from modelduel.core.metrics import Cost
from modelduel.redact import mask_url_userinfo

if TYPE_CHECKING:
    from modelduel.config import ResolvedModel
    from modelduel.events import ErrorInfo

__all__ = ["cost_note", "fix_for", "rate_limit_headroom"]

_RATE_HEADERS = (
    ("requests", ("x-ratelimit-remaining-requests", "anthropic-ratelimit-requests-remaining")),
    ("tokens", ("x-ratelimit-remaining-tokens", "anthropic-ratelimit-tokens-remaining")),
    ("input tokens", ("anthropic-ratelimit-input-tokens-remaining",)),
    ("output tokens", ("anthropic-ratelimit-output-tokens-remaining",)),
)
_LIMIT_HEADERS = {
    "x-ratelimit-remaining-requests": "x-ratelimit-limit-requests",
    "x-ratelimit-remaining-tokens": "x-ratelimit-limit-tokens",
    "anthropic-ratelimit-requests-remaining": "anthropic-ratelimit-requests-limit",
    "anthropic-ratelimit-tokens-remaining": "anthropic-ratelimit-tokens-limit",
    "anthropic-ratelimit-input-tokens-remaining": "anthropic-ratelimit-input-tokens-limit",
    "anthropic-ratelimit-output-tokens-remaining": "anthropic-ratelimit-output-tokens-limit",
}


def rate_limit_headroom(headers: Mapping[str, str]) -> str:
    """`12 of 50 requests left, ...` from the reply's rate-limit headers (OpenAI, Anthropic)."""
    parts = []
    for label, names in _RATE_HEADERS:
        for name in names:
            remaining = headers.get(name)
            if remaining is not None:
                limit = headers.get(_LIMIT_HEADERS[name])
                parts.append(f"{remaining}{f' of {limit}' if limit else ''} {label} left")
                break
    return ", ".join(parts) if parts else "not reported by this provider"


def cost_note(cost: object) -> str:
    """` (price unknown: why)` after a cost the price data cannot give; "" otherwise."""
    if isinstance(cost, Cost) and cost.usd is None:
        return f" (price unknown: {cost.source})"
    return ""


def fix_for(error: ErrorInfo, model: ResolvedModel) -> str:
    """The exact fix for a failed check, by the error's kind and the provider's words."""
    kind = error.kind
    if kind == "missing_key":
        return f"export {model.key_env}=<your {model.provider} key>"
    if kind == "auth":
        if "billing" in error.message or "permission" in error.message:
            return "see the provider's message above (account, not key)"
        if "country" in error.message:
            return "this provider does not serve your location: use another model or endpoint"
        if "not enabled" in error.message:
            return (
                "enable the Generative Language API for the key's project, or use an AI Studio key"
            )
        return f"check the key in {model.key_env}: it was refused"
    if kind == "quota":
        if "daily" in error.message:
            return "wait for the daily reset, or move the key's project to a paid tier"
        if "billing" in error.message:
            return f"add credit or a payment method in {model.provider}'s console, then check again"
        return f"raise the quota or add credit in {model.provider}'s console"
    if kind == "not_found":
        return f"check the model id '{model.model_id}' (`modelduel models -m {model.spec}`)"
    if kind in ("connection", "timeout", "stall"):
        return (
            f"check that {mask_url_userinfo(model.base_url)} is reachable (base URL, network, "
            "HTTPS_PROXY / NO_PROXY, SSL_CERT_FILE)"
        )
    if kind == "rate_limited":
        return "rate-limited now: wait, or lower --concurrency for the suite"
    if kind == "bad_request":
        return f"the provider refused the request: `modelduel models -m {model.spec}` shows it"
    return "the provider failed: try again later"
