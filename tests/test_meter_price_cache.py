"""The meter prices a usage once, and a live estimate without the price library:
`stats()` is read on every tick of every pane, and the library's lookup was 40 % of the
tick (issue 13)."""

from __future__ import annotations

from modelduel.core.meter import StreamMeter
from modelduel.core.metrics import Cost
from modelduel.events import Finished, RequestSent, Stamped, TextDelta, Usage

MS = 1_000_000


def _tiered(usage: Usage) -> Cost:
    """Linear in output tokens once the input is fixed; the rate goes by the prompt's size
    (as Gemini's tiers do)."""
    inp, out = usage.input_tokens or 0, usage.output_tokens or 0
    per_out = 15e-6 if inp > 200_000 else 10e-6
    return Cost(usd=inp * 2e-6 + out * per_out, source="test")


def test_stats_price_again_only_when_the_tokens_changed() -> None:
    priced: list[int | None] = []

    def price(usage: Usage) -> Cost:
        priced.append(usage.output_tokens)
        return Cost(usd=(usage.output_tokens or 0) / 1000, source="test")

    meter = StreamMeter(price)
    meter.observe(Stamped(0, RequestSent(1 * MS)))
    meter.observe(Stamped(10 * MS, TextDelta("hello there, " * 8)))
    first = meter.stats(20 * MS)
    for _ in range(5):
        assert meter.stats(30 * MS).cost_usd == first.cost_usd
    assert len(priced) == 2  # the estimate and its rate per token; five more frames: none
    meter.observe(Stamped(40 * MS, TextDelta("and more text " * 20)))
    later = meter.stats(50 * MS)
    assert len(priced) == 2  # more tokens of the estimate: priced at that rate
    assert later.output_tokens is not None and first.output_tokens is not None
    assert later.output_tokens > first.output_tokens
    assert later.cost_usd is not None
    assert abs(later.cost_usd - later.output_tokens / 1000) < 1e-12  # the new tokens' price


def test_a_live_estimate_is_the_librarys_price_and_an_exact_count_is_the_librarys() -> None:
    calls: list[Usage] = []

    def price(usage: Usage) -> Cost:
        calls.append(usage)
        return _tiered(usage)

    for prompt in (1_000, 250_000):  # both sides of the tier
        calls.clear()
        meter = StreamMeter(price)
        meter.observe(Stamped(0, RequestSent(1 * MS)))
        meter.observe(Stamped(2 * MS, Usage(input_tokens=prompt)))
        for i in range(1, 200):
            meter.observe(Stamped((2 + i) * MS, TextDelta("some streamed words " * 3)))
            stats = meter.stats((3 + i) * MS)
            assert stats.output_tokens is not None and stats.cost_usd is not None
            want = _tiered(Usage(input_tokens=prompt, output_tokens=stats.output_tokens)).usd
            assert want is not None and abs(stats.cost_usd - want) < 1e-9, i
        assert len(calls) == 2  # 199 ticks of an estimate: two library prices
        # a usage report mid-stream (a prompt counted again, past the tier): a new rate
        prompt += 220_000
        meter.observe(Stamped(250 * MS, Usage(input_tokens=prompt)))
        meter.observe(Stamped(251 * MS, TextDelta("a few more words")))
        stats = meter.stats(252 * MS)
        assert stats.output_tokens is not None and stats.cost_usd is not None
        want = _tiered(Usage(input_tokens=prompt, output_tokens=stats.output_tokens)).usd
        assert want is not None and abs(stats.cost_usd - want) < 1e-9
        meter.observe(Stamped(300 * MS, Usage(input_tokens=prompt, output_tokens=4321)))
        meter.observe(Stamped(301 * MS, Finished("stop")))
        final = meter.stats(302 * MS)
        assert final.cost_usd == _tiered(Usage(input_tokens=prompt, output_tokens=4321)).usd
        assert calls[-1] == Usage(input_tokens=prompt, output_tokens=4321)  # the library's


def test_an_unknown_price_stays_unknown() -> None:
    meter = StreamMeter(lambda usage: Cost(usd=None, source="test: unknown model x"))
    meter.observe(Stamped(0, RequestSent(1 * MS)))
    for i in range(1, 20):
        meter.observe(Stamped(i * MS, TextDelta("words " * 5)))
        assert meter.stats((i + 1) * MS).cost_usd is None
