"""A tool loop's rounds each think anew: their reasoning is kept apart, not run together.

A new user saw `…easy to scan.The user wants…` in an agent task's reasoning: the second
request's reasoning was appended straight after the first's.
"""

from __future__ import annotations

from modelduel.core.meter import StreamMeter
from modelduel.events import ReasoningDelta, RequestSent, RoundStarted, Stamped, TextDelta

MS = 1_000_000


def test_each_rounds_reasoning_starts_a_paragraph_of_its_own() -> None:
    meter = StreamMeter()
    for stamped in [
        Stamped(0, RequestSent(1 * MS)),
        Stamped(10 * MS, ReasoningDelta("Plan the ")),
        Stamped(20 * MS, ReasoningDelta("call.")),
        Stamped(30 * MS, TextDelta("calling")),
        Stamped(40 * MS, RoundStarted(2)),
        Stamped(50 * MS, ReasoningDelta("")),  # redacted thinking: nothing to keep apart
        Stamped(60 * MS, ReasoningDelta("The user wants")),
        Stamped(70 * MS, ReasoningDelta(" more.")),
        Stamped(80 * MS, RoundStarted(3)),
        Stamped(90 * MS, TextDelta("done")),
    ]:
        meter.observe(stamped)
    assert meter.stats().reasoning_text == "Plan the call.\n\nThe user wants more."
    assert meter.text().reasoning_text == meter.stats().reasoning_text


def test_a_round_that_starts_on_a_new_paragraph_gets_no_extra_break() -> None:
    meter = StreamMeter()
    for stamped in [
        Stamped(0, RequestSent(1 * MS)),
        Stamped(10 * MS, ReasoningDelta("First.\n\n")),
        Stamped(40 * MS, RoundStarted(2)),
        Stamped(60 * MS, ReasoningDelta("Second.")),
    ]:
        meter.observe(stamped)
    assert meter.stats().reasoning_text == "First.\n\nSecond."
