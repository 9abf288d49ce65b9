"""Checks and id helpers shared by the two OpenAI wire formats (Responses and Chat)."""

from __future__ import annotations

import json
import random
import string
from typing import Any

from modelduel.simulator.checks import json_type
from modelduel.simulator.families import openai_efforts
from modelduel.simulator.generation import Rejection

__all__ = [
    "OVERLOADED",
    "SUMMARIES",
    "check_effort",
    "check_int",
    "check_model_effort",
    "check_stream",
    "dumps",
    "hex_id",
    "is_openai_reasoner",
    "obfuscation",
]

EFFORTS = ("none", "minimal", "low", "medium", "high", "xhigh")  # every word the API knows
SUMMARIES = ("auto", "concise", "detailed")
OVERLOADED = "Our servers are currently overloaded. Please try again later."


def dumps(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))


def hex_id(rng: random.Random, n: int) -> str:
    return "".join(rng.choice("0123456789abcdef") for _ in range(n))


def obfuscation(rng: random.Random) -> str:
    return "".join(
        rng.choice(string.ascii_letters + string.digits) for _ in range(rng.randint(2, 15))
    )


def is_openai_reasoner(model: str) -> bool:
    return model.startswith(("gpt-5", "o1", "o3", "o4"))


def check_int(body: dict[str, Any], name: str, minimum: int = 1) -> int | None:
    value = body.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise Rejection(
            "bad_request",
            f"Invalid type for '{name}': expected an integer, but got {json_type(value)} instead.",
            param=name,
            code="invalid_type",
        )
    if value < minimum:
        raise Rejection(
            "bad_request",
            f"Invalid '{name}': integer below minimum value. Expected a value >= {minimum}, "
            f"but got {value} instead.",
            param=name,
            code="integer_below_min_value",
        )
    return value


def check_effort(value: Any, param: str) -> str | None:
    if value is None:
        return None
    if value not in EFFORTS:
        allowed = ", ".join(f"'{e}'" for e in EFFORTS[:-1]) + f", and '{EFFORTS[-1]}'"
        raise Rejection(
            "bad_request",
            f"Invalid value: {json.dumps(value)}. Supported values are: {allowed}.",
            param=param,
            code="invalid_value",
        )
    return str(value)


def check_model_effort(model: str, effort: str | None, param: str) -> None:
    """Reject an effort word the API knows but this model does not take."""
    allowed = openai_efforts(model)
    if effort is None or effort in allowed:
        return
    listed = ", ".join(f"'{e}'" for e in allowed[:-1]) + f", and '{allowed[-1]}'"
    raise Rejection(
        "bad_request",
        f"Unsupported value: '{effort}' is not supported with the '{model}' model. "
        f"Supported values are: {listed}.",
        param=param,
        code="unsupported_value",
    )


def check_stream(body: dict[str, Any]) -> bool:
    stream = body.get("stream", False)
    if stream is None:
        return False
    if not isinstance(stream, bool):
        raise Rejection(
            "bad_request",
            f"Invalid type for 'stream': expected a boolean, but got {json_type(stream)} instead.",
            param="stream",
            code="invalid_type",
        )
    return stream
