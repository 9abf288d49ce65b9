"""Cost promises checked against hand-computed figures (README "Cost").

Each was written against a hand-made mutation the rest of the suite let through: a price
override billing cached input twice, and model ids priced without normalising them.
"""

from __future__ import annotations

import math

import pytest

from modelduel.core.pricing import PriceOverride, price_run
from modelduel.events import Usage

# 100K input of which 20K cached, 50K output (reasoning included).
USAGE = Usage(input_tokens=100_000, cached_input_tokens=20_000, output_tokens=50_000)


def usd(per_mtok_in: float, per_mtok_cached: float, per_mtok_out: float) -> float:
    """USAGE at list prices per million tokens, computed by hand."""
    return (80_000 * per_mtok_in + 20_000 * per_mtok_cached + 50_000 * per_mtok_out) / 1e6


def test_a_config_price_bills_each_input_token_once() -> None:
    """Input includes cached tokens (README "Token counts"): the cached part is billed at
    the cache price and only the rest at the input price, never both."""
    override = PriceOverride(input_per_mtok=2, output_per_mtok=10, cached_input_per_mtok=0.2)
    cost = price_run("openai-chat", "my-model", USAGE, override)
    assert cost.source == "config"
    assert cost.usd is not None and math.isclose(cost.usd, usd(2, 0.2, 10), rel_tol=1e-12)
    # without a cache price, a cached token costs what any input token costs
    plain = PriceOverride(input_per_mtok=2, output_per_mtok=10)
    cost = price_run("openai-chat", "my-model", USAGE, plain)
    assert cost.usd is not None and math.isclose(cost.usd, usd(2, 2, 10), rel_tol=1e-12)


@pytest.mark.parametrize(
    ("kind", "model_id", "expected"),
    [
        # the brief's list prices: in / cache read / out per 1M tokens
        ("anthropic", "claude-opus-4-7@fault=overloaded", usd(5, 0.5, 25)),
        ("openai", "gpt-5.5@fault=midstream_error:3", usd(5, 0.5, 30)),
        ("openai-chat", "anthropic/claude-opus-4-7", usd(5, 0.5, 25)),
        ("openai-chat", "openai/gpt-5.5", usd(5, 0.5, 30)),
    ],
)
def test_model_ids_are_priced_without_fault_suffix_or_vendor_prefix(
    kind: str, model_id: str, expected: float
) -> None:
    """A demo fault (`model@fault=...`) or an OpenRouter-style vendor prefix does not
    make a known model's cost unknown, nor price it as another model."""
    cost = price_run(kind, model_id, USAGE)
    assert cost.usd is not None, cost.source
    assert math.isclose(cost.usd, expected, rel_tol=1e-9)
    assert cost.source.startswith("genai-prices")


def test_usage_with_one_side_only_is_priced_and_no_usage_is_unknown() -> None:
    """A run that failed after the provider counted only its input (or only output) is
    billed for exactly what was counted; a run with no usage at all has an unknown cost,
    never $0."""
    override = PriceOverride(input_per_mtok=2, output_per_mtok=10)
    only_input = price_run("openai-chat", "m", Usage(input_tokens=500_000), override)
    assert only_input.usd == 1.0
    only_output = price_run("openai", "m", Usage(output_tokens=100_000), override)
    assert only_output.usd == 1.0
    # ...but a Chat server that reported no input count reported no usage: its output
    # count is an estimate, and pricing it alone would count the prompt as free
    unreported = price_run("openai-chat", "m", Usage(output_tokens=100_000), override)
    assert unreported.usd is None
    library = price_run("anthropic", "claude-opus-4-7", Usage(input_tokens=200_000))
    assert library.usd is not None and math.isclose(library.usd, 200_000 * 5 / 1e6)
    nothing = price_run("anthropic", "claude-opus-4-7", Usage())
    assert nothing.usd is None and nothing.source == "no usage"


def test_what_the_price_library_raises_is_an_unknown_cost_with_its_reason(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import genai_prices

    def refuse(*args: object, **kwargs: object) -> object:
        raise ValueError("Usage arithmetic produced a non-finite float")

    monkeypatch.setattr(genai_prices, "calc_price", refuse)
    cost = price_run("openai", "gpt-5.5", Usage(input_tokens=123_457, output_tokens=1), None)
    assert cost.usd is None and "non-finite" in cost.source


def test_a_breakage_of_the_price_library_is_not_written_as_an_unknown_cost(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A bug (here a TypeError) must surface, not become 'unknown' cells in the CSV."""
    import genai_prices

    def broken(*args: object, **kwargs: object) -> object:
        raise TypeError("calc_price() got an unexpected keyword argument")

    monkeypatch.setattr(genai_prices, "calc_price", broken)
    with pytest.raises(TypeError):
        price_run("openai", "gpt-5.5", Usage(input_tokens=123_458, output_tokens=1), None)
