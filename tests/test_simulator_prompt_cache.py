"""The simulated prompt cache: a marked prefix is read back while it lives, and a hit or a
miss (re)starts its lifetime, 5 minutes or an hour (`simulator.prompt_cache`)."""

from __future__ import annotations

import time

import pytest

from modelduel.simulator.generation import SimRequest
from modelduel.simulator.prompt_cache import PromptCache


def marked(key: str, tokens: int = 900, ttl: str = "5m") -> SimRequest:
    return SimRequest(
        protocol="anthropic",
        stream=True,
        model="claude-opus-4-7",
        prompt="p",
        input_texts=["p"],
        cache_prefix_tokens=tokens,
        cache_ttl=ttl,
        options={"cache_prefix_key": key},
    )


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    now = [1000.0]
    monkeypatch.setattr(time, "monotonic", lambda: now[0])
    return now


def test_a_prefix_is_written_then_read(clock: list[float]) -> None:
    cache = PromptCache()
    assert cache.read(marked("a")) == 0  # the first request writes it
    assert cache.read(marked("a")) == 900
    assert cache.read(marked("b", 50)) == 0  # another prefix is its own entry


def test_a_five_minute_prefix_expires_and_a_hit_restarts_its_life(clock: list[float]) -> None:
    cache = PromptCache()
    cache.read(marked("a"))
    clock[0] += 299
    assert cache.read(marked("a")) == 900  # the hit restarts the five minutes...
    clock[0] += 299
    assert cache.read(marked("a")) == 900
    clock[0] += 301
    assert cache.read(marked("a")) == 0  # ...and past them it is gone


def test_an_hour_prefix_outlives_five_minutes(clock: list[float]) -> None:
    cache = PromptCache()
    cache.read(marked("h", ttl="1h"))
    clock[0] += 3000
    assert cache.read(marked("h", ttl="1h")) == 900
    clock[0] += 3601
    assert cache.read(marked("h", ttl="1h")) == 0


def test_nothing_marked_is_never_cached(clock: list[float]) -> None:
    cache = PromptCache()
    for _ in range(2):
        assert cache.read(marked("", tokens=900)) == 0
        assert cache.read(marked("k", tokens=0)) == 0
