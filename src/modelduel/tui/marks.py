"""What the theme's own colours mark on a pane: its provider, a fast or slow first
token, the duel's winner. Pure functions of the duel's figures, so the rules are
tested without a screen; the pane turns them into CSS classes and styles.
"""

from __future__ import annotations

from collections.abc import Sequence

from modelduel.core.scoring import Score
from modelduel.providers import registry

__all__ = [
    "ACCENTS",
    "SLOW_GAP_S",
    "SLOW_RATIO",
    "latency_marks",
    "provider_accent",
    "winner_index",
]

ACCENTS: tuple[str, ...] = ("openai", "anthropic", "gemini", "other")
"""The provider accents a theme colours (`$provider-openai`, ...): pane class `-provider-X`."""

SLOW_RATIO = 1.5
"""A first token this many times the duel's fastest one is slow ..."""
SLOW_GAP_S = 0.25
"""... and at least this many seconds later (40 ms against 60 ms is no difference a
person waits for)."""


def provider_accent(spec: str) -> str:
    """The accent of a model spec's provider: one of `ACCENTS`.

    A built-in provider's accent is its vendor, as the provider registry names it for
    LiteLLM (`openai` and `openai-chat` are both OpenAI's); a provider of the config's
    own (`[providers.NAME]`: a local server, a gateway) is `other`, whatever protocol
    it speaks, since it is not that vendor's service.
    """
    provider = spec.partition("/")[0]
    if provider not in registry.builtin_providers():
        return "other"
    vendor = registry.spec_for(provider).litellm_prefix
    return vendor if vendor in ACCENTS else "other"


def latency_marks(ttfts: Sequence[float | None]) -> list[str | None]:
    """Each pane's time to first token marked `fast`, `slow` or None, against the others.

    The rule, from the measured figures of one duel only: a figure is `slow` when it
    is at least `SLOW_RATIO` times the duel's fastest and `SLOW_GAP_S` seconds later;
    the fastest figure (every one equal to it) is `fast` only when some figure is
    slow, so a duel whose first tokens all came close together marks nothing. A pane
    with no figure yet (waiting, failed, hidden while blind) is never marked and
    never compared.

    Args:
        ttfts: each pane's time to first token in seconds, None when not measured.

    Returns:
        One mark per pane, in order.
    """
    measured = [t for t in ttfts if t is not None]
    if len(measured) < 2:
        return [None] * len(ttfts)
    fastest = min(measured)

    def slow(t: float) -> bool:
        return t >= fastest * SLOW_RATIO and t - fastest >= SLOW_GAP_S

    if not any(slow(t) for t in measured):
        return [None] * len(ttfts)
    return [
        None if t is None else "slow" if slow(t) else "fast" if t == fastest else None
        for t in ttfts
    ]


def winner_index(panes: Sequence[tuple[Score, bool]]) -> int | None:
    """The pane the winner highlight goes to, once the scores are in.

    Args:
        panes: each pane's score and whether it can be scored (it has an answer and
            was not cancelled: a failure with no text takes no score).

    Returns:
        The index of the one pane with the highest total when every pane that can be
        scored is, and at least two are; None otherwise (a tie has no winner, and
        neither has a duel of one).
    """
    if any(ok and not score.is_scored for score, ok in panes):
        return None
    totals = [(score.total, i) for i, (score, _) in enumerate(panes) if score.total is not None]
    if len(totals) < 2:
        return None
    best = max(total for total, _ in totals)
    top = [i for total, i in totals if total == best]
    return top[0] if len(top) == 1 else None
