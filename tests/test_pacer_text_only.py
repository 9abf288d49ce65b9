"""The frame pacer's draw reads only what the body shows (status, text, reasoning):
`StreamMeter.text()`, not the full figures (percentiles, rate buckets, pricing), which
the 10 Hz tick reads for the header and stats lines."""

from __future__ import annotations

from pathlib import Path

import pytest

from modelduel.core.meter import StreamMeter
from modelduel.core.metrics import Cost
from modelduel.events import (
    ErrorInfo,
    Finished,
    ReasoningDelta,
    RequestSent,
    Retrying,
    Stamped,
    StreamFailed,
    TextDelta,
    TurnStarted,
)

MS = 1_000_000


def _same(meter: StreamMeter) -> None:
    shown, stats = meter.text(), meter.stats(10**12)
    assert (shown.status, shown.text, shown.reasoning_text) == (
        stats.status,
        stats.text,
        stats.reasoning_text,
    )


def test_the_text_accessor_says_what_the_full_figures_say_at_every_step() -> None:
    meter = StreamMeter(lambda u: Cost(usd=1.0, source="test"))
    steps = [
        RequestSent(1 * MS),
        ReasoningDelta("let me think "),
        ReasoningDelta(""),
        Retrying(1, 0.5, ErrorInfo(kind="rate_limit", message="slow down")),
        RequestSent(2 * MS),
        ReasoningDelta("again "),
        TextDelta("Hello"),
        TextDelta(" world"),
        Finished("stop"),
        TurnStarted(2),
        TextDelta(" more"),
        StreamFailed(ErrorInfo(kind="cancelled", message="stopped")),
    ]
    _same(meter)  # waiting
    for i, event in enumerate(steps):
        meter.observe(Stamped((i + 1) * 10 * MS, event))
        _same(meter)


def test_the_text_accessor_never_prices() -> None:
    priced: list[object] = []

    def price(usage: object) -> Cost:
        priced.append(usage)
        return Cost(usd=0.0, source="test")

    meter = StreamMeter(price)
    meter.observe(Stamped(0, RequestSent(1 * MS)))
    meter.observe(Stamped(10 * MS, TextDelta("hello there")))
    assert meter.text().text == "hello there"
    assert priced == []


async def test_the_pacers_draw_does_not_compute_the_full_figures(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from modelduel.tui.pane import ResponsePane
    from modelduel.tui.panegrid import refresh_pane
    from tests.test_tui import make_app, send, settle

    app, _ = make_app(tmp_path)
    async with app.run_test(size=(140, 40)) as pilot:
        await send(pilot, "hello")
        await settle(pilot, app)
        full: list[int] = []
        real = StreamMeter.stats

        def counted(self: StreamMeter, now_ns: int | None = None) -> object:
            full.append(1)
            return real(self, now_ns)

        monkeypatch.setattr(StreamMeter, "stats", counted)
        pane = next(p for p in app.screen.query(ResponsePane) if p.index == 0)
        pane.reset()  # the body is empty again: the draw must bring the text back
        assert await refresh_pane(app, 0) is not None
        assert full == []
        assert app.view is not None
        assert pane._shown == len(app.view.stats(0).text) > 0
