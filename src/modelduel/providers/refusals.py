"""Parameters a provider refused that modelduel added itself, and sending without them.

A 400 naming (`param`) a parameter modelduel adds on its own initiative (a display nicety
such as `reasoning.summary`) means the request goes again without it. The refusal is
remembered per (protocol, endpoint) for the life of the process, and said once. A
parameter the user configured is never dropped: only an adapter's `optional_params` are.
The sending itself is `providers.http`'s.
"""

from __future__ import annotations

import re

from modelduel.events import ErrorInfo
from modelduel.providers.base import Adapter, ModelRequest, StreamTarget

__all__ = [
    "FALLBACK_NOTICES",
    "MAX_DROPPED_PARAMS",
    "droppable",
    "forget_refused_params",
    "refused_params",
    "remember_refusal",
]

FALLBACK_NOTICES = {
    "reasoning.summary": (
        "reasoning summaries need a verified OpenAI organization: "
        "showing reasoning token counts only"
    ),
}
"""What the user is told, once, when a provider refused a parameter modelduel added itself."""

# Parameters a provider refused, per (protocol, endpoint), for the life of the process:
# an organization that may not have reasoning summaries will not have them next run either.
_REFUSED: dict[tuple[str, str], set[str]] = {}
MAX_DROPPED_PARAMS = 3
"""Refused parameters one request may drop before it is reported as refused."""


def refused_params(target: StreamTarget) -> frozenset[str]:
    """The parameters this endpoint refused earlier in this process."""
    return frozenset(_REFUSED.get((target.kind, target.base_url), ()))


def forget_refused_params() -> None:
    """Forget every refused parameter (tests; a new process starts empty)."""
    _REFUSED.clear()


def remember_refusal(target: StreamTarget, param: str) -> str | None:
    """Remember that this endpoint refused `param`; the notice to say, None if already said."""
    refused = _REFUSED.setdefault((target.kind, target.base_url), set())
    if param in refused:
        return None
    refused.add(param)
    name = target.name or target.kind
    generic = f"{name} refused {param}, which modelduel adds itself: sent without it"
    return FALLBACK_NOTICES.get(param, generic)


def droppable(status: int, error: ErrorInfo, adapter: Adapter, request: ModelRequest) -> str | None:
    """The refused parameter when it is one modelduel added itself, else None."""
    if status != 400 or not error.param:
        return None
    named = _spelling(error.param)
    for param in adapter.optional_params(request):
        # providers spell paths their own way (Gemini: generation_config.thinking_config...)
        # and may name it from a nested level
        ours = _spelling(param)
        if ours == named or ours.endswith("." + named):
            return param
    return None


def _spelling(path: str) -> str:
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", path).lower()
