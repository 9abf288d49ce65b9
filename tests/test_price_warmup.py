"""Issue 13: the price warm-up loads the price library (genai-prices, pydantic, ~14 MB
resident) into the app only when a lineup model is in its data, and prices every run
exactly as the library does either way."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import math
import os
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace
from typing import TYPE_CHECKING, cast

import pytest

from modelduel.core import pricing
from modelduel.core.pricing import PriceOverride, price_run
from modelduel.events import Usage

if TYPE_CHECKING:
    from collections.abc import Iterable

    from modelduel.config import ResolvedModel

USAGES = [
    Usage(input_tokens=1, output_tokens=1),
    Usage(input_tokens=300_000, cached_input_tokens=100_000, output_tokens=50_000),
    Usage(input_tokens=10, cache_write_tokens=5, output_tokens=0),
]
UNKNOWN = [("openai-chat", "model-a"), ("openai-chat", "vendor/model-b@fault=overloaded")]


@pytest.fixture(autouse=True)
def _fresh_memo(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pricing, "_UNKNOWN", set())


def _library(kind: str, model_id: str, usage: Usage) -> pricing.Cost:
    """What the library itself says, with no memo of unknown models."""
    saved = set(pricing._UNKNOWN)
    pricing._UNKNOWN.clear()
    try:
        return price_run(kind, model_id, usage)
    finally:
        pricing._UNKNOWN.update(saved)


def test_an_unknown_lineup_is_priced_without_loading_the_price_library() -> None:
    script = (
        "import asyncio, json, sys\n"
        "from modelduel.core.pricing import price_run, warm_up\n"
        "from modelduel.events import Usage\n"
        f"lineup = {UNKNOWN!r}\n"
        "asyncio.run(warm_up(lineup))\n"
        f"usages = [Usage(**u) for u in {[dataclasses.asdict(u) for u in USAGES]!r}]\n"
        "costs = [[price_run(k, m, u).source for u in usages] for k, m in lineup]\n"
        "print(json.dumps([costs, 'genai_prices' in sys.modules, 'pydantic' in sys.modules]))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=120
    ).stdout
    costs, library_loaded, pydantic_loaded = json.loads(out)
    assert not library_loaded and not pydantic_loaded
    # ...and the cost shown is the library's own answer, for any usage
    for (kind, model_id), sources in zip(UNKNOWN, costs, strict=True):
        for usage, source in zip(USAGES, sources, strict=True):
            assert _library(kind, model_id, usage) == pricing.Cost(None, source)


def test_only_models_the_price_data_lacks_are_taken_as_unknown() -> None:
    """A known model, or a local one that only resembles a listed one (its cost is
    unknown for another reason, which the pane shows), is priced by the library."""
    pairs = [
        ("openai", "gpt-5.5"),
        ("anthropic", "claude-opus-4-7"),
        ("openai-chat", "gpt-5.5"),
        ("openai-chat", "deepseek-r1:14b"),
        ("openai-chat", "model-a"),
        ("anthropic", "no-such-model"),
    ]
    found = asyncio.run(pricing._unknown_elsewhere(pairs))
    assert sorted(found) == [("anthropic", "no-such-model"), ("openai-chat", "model-a")]
    for kind, model_id in pairs:
        unknown = _library(kind, model_id, USAGES[1]).source.endswith(f"unknown model {model_id}")
        assert unknown == ((kind, model_id) in found)


def test_a_known_model_is_priced_by_the_library_after_the_warm_up() -> None:
    asyncio.run(pricing.warm_up([("openai", "gpt-5.5"), ("openai-chat", "model-a")]))
    assert {("openai-chat", "model-a")} == pricing._UNKNOWN
    usage = Usage(input_tokens=100_000, cached_input_tokens=20_000, output_tokens=50_000)
    cost = price_run("openai", "gpt-5.5", usage)
    assert cost.usd is not None and cost.source.startswith("genai-prices")
    assert math.isclose(cost.usd, (80_000 * 5 + 20_000 * 0.5 + 50_000 * 30) / 1e6)
    for usage in USAGES:
        assert price_run("openai-chat", "model-a", usage) == _library(
            "openai-chat", "model-a", usage
        )


def test_without_the_child_the_library_prices_here(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "executable", "/nonexistent/python3")
    assert asyncio.run(pricing._unknown_elsewhere(UNKNOWN)) == []
    monkeypatch.setattr(pricing, "_library_loaded", lambda: False)
    asyncio.run(pricing.warm_up(UNKNOWN))
    assert set() == pricing._UNKNOWN
    assert price_run(*UNKNOWN[0], USAGES[0]).source.endswith("unknown model model-a")


def test_a_loaded_library_looks_the_lineup_up_here(monkeypatch: pytest.MonkeyPatch) -> None:
    """No child process when the library is loaded already (a run priced before the
    warm-up, or a test process)."""
    import genai_prices  # noqa: F401

    monkeypatch.setattr(sys, "executable", "/nonexistent/python3")
    asyncio.run(pricing.warm_up(UNKNOWN))
    assert {("openai-chat", "model-a"), ("openai-chat", "model-b")} == pricing._UNKNOWN


def test_a_closing_app_leaves_no_lookup_child(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    pid_file = tmp_path / "pid"
    slow = tmp_path / "python3"
    slow.write_text(
        f"#!/bin/sh\necho $$ > {pid_file}.new && mv {pid_file}.new {pid_file}\nexec sleep 60\n"
    )
    slow.chmod(0o755)
    monkeypatch.setattr(sys, "executable", str(slow))
    monkeypatch.setattr(pricing, "_library_loaded", lambda: False)

    async def main() -> int:
        task = asyncio.ensure_future(pricing.warm_up(UNKNOWN))
        for _ in range(400):  # until the child has started (not a timing assertion)
            if pid_file.exists():
                break
            await asyncio.sleep(0.05)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        return int(pid_file.read_text())

    pid = asyncio.run(main())
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)


def _model(kind: str, model_id: str, free: bool = False, price: object = None) -> ResolvedModel:
    options = SimpleNamespace(free=free, price=price)
    return cast("ResolvedModel", SimpleNamespace(kind=kind, model_id=model_id, options=options))


def test_free_and_config_priced_models_are_not_looked_up(monkeypatch: pytest.MonkeyPatch) -> None:
    from modelduel.tui import gcpolicy

    asked: list[list[tuple[str, str]]] = []

    async def warm_up(lineup: Iterable[tuple[str, str]]) -> None:
        asked.append(list(lineup))

    monkeypatch.setattr(pricing, "warm_up", warm_up)
    override = PriceOverride(input_per_mtok=1, output_per_mtok=2)

    async def main() -> None:
        gcpolicy.warm_prices([_model("openai-chat", "llama", free=True)])
        gcpolicy.warm_prices([_model("openai-chat", "mine", price=override)])
        gcpolicy.warm_prices(
            [_model("openai", "gpt-5.5"), _model("openai-chat", "llama", free=True)]
        )
        await asyncio.sleep(0)

    asyncio.run(main())
    assert asked == [[("openai", "gpt-5.5")]]
