"""The meter prices a usage once: `stats()` is read on every frame of every pane."""

from __future__ import annotations

from modelduel.core.meter import StreamMeter
from modelduel.core.metrics import Cost
from modelduel.events import RequestSent, Stamped, TextDelta

MS = 1_000_000


def test_stats_price_again_only_when_the_tokens_changed() -> None:
    priced: list[int | None] = []

    def price(usage: object) -> Cost:
        out = getattr(usage, "output_tokens", None)
        priced.append(out)
        return Cost(usd=(out or 0) / 1000, source="test")

    meter = StreamMeter(price)
    meter.observe(Stamped(0, RequestSent(1 * MS)))
    meter.observe(Stamped(10 * MS, TextDelta("hello there, " * 8)))
    first = meter.stats(20 * MS)
    for _ in range(5):
        assert meter.stats(30 * MS).cost_usd == first.cost_usd
    assert len(priced) == 1  # five more frames, the same tokens: priced once
    meter.observe(Stamped(40 * MS, TextDelta("and more text " * 20)))
    later = meter.stats(50 * MS)
    assert len(priced) == 2
    assert later.output_tokens is not None and first.output_tokens is not None
    assert later.output_tokens > first.output_tokens
    assert later.cost_usd == later.output_tokens / 1000  # the new tokens' price, not the old
