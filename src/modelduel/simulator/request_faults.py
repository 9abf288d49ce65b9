"""Faults applied to a request before any answer: the faults a profile makes sticky, the
request rules that refuse a parameter, and the provider's error reply for an HTTP fault
(with the `x-should-retry` header a modifier asks for).

`faults` parses what was asked for; the faults that act on a response as it is written
are `stream_faults`.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from modelduel.simulator.errors import ErrorReply, error_reply
from modelduel.simulator.faults import Fault, FaultSet, parse_faults
from modelduel.simulator.generation import Rejection
from modelduel.simulator.profile_model import Profile

__all__ = ["check_rules", "fault_reply", "sticky_faults", "with_should_retry"]


def sticky_faults(profile: Profile) -> FaultSet:
    """The faults a profile applies to every request (options `faults`, `unverified_org`...)."""
    spec = ",".join(
        [
            profile.faults,
            "unverified_org" if profile.unverified_org else "",
            "no_usage" if profile.no_usage else "",
        ]
    )
    return parse_faults(spec)


def _lookup(payload: dict[str, Any], path: str) -> Any:
    node: Any = payload
    for name in path.split("."):
        if not isinstance(node, dict) or name not in node:
            return None
        node = node[name]
    return node


def _present(protocol: str, payload: dict[str, Any], path: str) -> bool:
    """Whether the request body carries `path` (a dotted name) with a non-null value."""
    if _lookup(payload, path) is not None:
        return True
    if protocol == "gemini":
        config = "generationConfig" if "generationConfig" in payload else "generation_config"
        return _lookup(payload, f"{config}.{path}") is not None
    return False


def check_rules(protocol: str, payload: dict[str, Any], faults: FaultSet) -> None:
    """Reject the request for a parameter a request rule refuses, if it carries one.

    Raises:
        Rejection: kind unverified_org or reject_param, naming the parameter.
    """
    for rule in faults.rules:
        if rule.name == "unverified_org":
            if protocol == "openai" and _present(protocol, payload, "reasoning.summary"):
                raise Rejection("unverified_org", param="reasoning.summary")
        elif _present(protocol, payload, rule.text):
            raise Rejection("reject_param", param=rule.text)


def with_should_retry(reply: ErrorReply, faults: FaultSet) -> ErrorReply:
    """`reply` with the `x-should-retry` header a should_retry modifier asks for."""
    modifier = faults.modifier("should_retry")
    if modifier is None:
        return reply
    headers = [h for h in reply.headers if h[0] != "x-should-retry"]
    return dataclasses.replace(reply, headers=[*headers, ("x-should-retry", modifier.text)])


_BUDGET_PARAM = {
    "openai": "max_output_tokens",
    "openai-chat": "max_completion_tokens",
    "anthropic": "max_tokens",
    "gemini": "generationConfig.maxOutputTokens",
}


def fault_reply(protocol: str, fault: Fault, model: str, key: str, provider_id: str) -> ErrorReply:
    """The provider's error reply for an HTTP fault (`key`: the presented key, masked in it)."""
    if fault.name == "bad_request":
        # each protocol's own name for the output budget, as its real 400 would say
        param = _BUDGET_PARAM.get(protocol, "max_output_tokens")
        return error_reply(
            protocol,
            "bad_request",
            message=f"Invalid value for '{param}': simulated bad parameter.",
            param=param,
            code="invalid_value",
        )
    kind = "rate_limit" if fault.name == "rate_limit_long" else fault.name
    if kind == "billing" and fault.arg == 400:
        kind = "billing_legacy"
    return error_reply(
        protocol, kind, model=model, retry_after_s=fault.arg or 1.0, key=key, request_id=provider_id
    )
