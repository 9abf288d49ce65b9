"""The frame pacer draws panes together: a pane with news just after a frame joins the
next one instead of costing a compositor pass of its own (fake clock, no timing)."""

from __future__ import annotations

import asyncio
import itertools

from modelduel.tui.framepacer import FRAME_S, FramePacer


def _run(pokes: list[tuple[float, int]]) -> tuple[FramePacer, list[tuple[float, int]]]:
    """Pokes at fake times (sorted); the fake clock moves 1 ms a step and the pacer's
    sleeps wake when it has reached their end. Returns the pacer and each draw's
    (time, pane)."""
    clock = [0.0]
    drawn: list[tuple[float, int]] = []

    async def sleep(seconds: float) -> None:
        wake = clock[0] + seconds
        while clock[0] < wake - 1e-9:
            await asyncio.sleep(0)
        await asyncio.sleep(0)

    async def draw(index: int) -> None:
        drawn.append((round(clock[0], 6), index))

    async def main() -> FramePacer:
        pacer = FramePacer(draw, lambda: range(3), clock=lambda: clock[0], sleep=sleep)
        pending = list(pokes)
        step = 0
        while pending or not pacer.idle:
            while pending and pending[0][0] <= clock[0] + 1e-9:
                pacer.poke(pending.pop(0)[1])
            for _ in range(5):
                await asyncio.sleep(0)
            step += 1
            clock[0] = round(step * 0.001, 6)
        return pacer

    return asyncio.run(main()), drawn


def test_a_pane_poked_just_after_a_frame_joins_the_next_frame() -> None:
    # pane 0 is drawn at 0; 10 ms later both panes have news: drawn apart, pane 1 alone
    # at 10 ms and pane 0 at the next grid slot, that is two compositor passes
    pacer, drawn = _run([(0.0, 0), (0.010, 0), (0.010, 1)])
    assert drawn[0] == (0.0, 0)
    later = drawn[1:]
    assert sorted(i for _, i in later) == [0, 1]
    assert len({t for t, _ in later}) == 1, drawn  # one frame for both
    assert pacer.frames == 2


def test_a_pane_poked_after_a_quiet_spell_is_drawn_on_arrival() -> None:
    # no frame for longer than a frame: the news is drawn at once (the first token)
    _, drawn = _run([(0.0, 0), (0.5, 1)])
    assert drawn == [(0.0, 0), (0.5, 1)]


def test_the_first_poke_is_drawn_at_once() -> None:
    _, drawn = _run([(0.2, 2)])
    assert drawn == [(0.2, 2)]


def test_frames_never_come_closer_than_a_frame_apart_while_busy() -> None:
    # three panes with news at staggered times: the pacer draws on its grid only
    pokes = [(k * 0.004, k % 3) for k in range(200)]
    _, drawn = _run(pokes)
    times = sorted({t for t, _ in drawn})
    gaps = [b - a for a, b in itertools.pairwise(times)]
    assert min(gaps) >= FRAME_S / 2 - 1e-9, gaps
