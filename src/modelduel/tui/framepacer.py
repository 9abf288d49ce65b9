"""When each pane is drawn: on arrival, coalesced, and fairly shared between the panes.

This module holds the scheduling only (`FramePacer` and its budget constants); what a
pane draws, and the cheaper work of a flooding pane, are `tui.pane` and
`tui.stream_markdown`.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Iterable

__all__ = ["FRAME_S", "MAX_FRAME_S", "SHARE", "FramePacer"]

FRAME_S = 0.033
"""A pane is drawn at most once per this many seconds (its bytes coalesce meanwhile): 30
frames a second, the slow end of 16-33 ms. Each frame has a fixed cost (a compositor
pass, a screen write); at 100 tokens/s a 25 ms frame held two or three tokens."""
MAX_FRAME_S = 0.25
"""However busy the loop, a pane with news is drawn at least this often."""
SHARE = 4
"""A pane whose frame took `c` seconds (drawing it, and the compositor painting it) waits
at least `c * SHARE` before its next one, so one pane's frames take at most about
1/SHARE of the loop, whatever it receives."""
CHEAP_SHARE = 0.5
"""A pane whose frames cost under this fraction of the dearest pane's is not spaced out
for the loop being busy: the loop is busy with the dear pane's frames, and spacing every
pane alike made the cheap panes wait for the flooding one."""


class FramePacer:
    """Draws each pane when its stream changes, coalesced, fairly shared.

    `poke(i)` says pane `i` has something new. A pane is drawn at most once per
    `frame_s`, and a pane that was expensive to draw and paint waits `SHARE` times its
    cost, so a flooding pane cannot starve the others; in each frame the cheapest panes
    go first.

    Args:
        draw: draws pane `i` now; returns the seconds the compositor spent painting that
            pane since its last draw (its last frame's paint, which comes later than the
            drawing, on the loop), or None when that is not measured.
        indices: every pane index on screen (`poke_all`).
        clock: seconds (tests pass a fake clock, and a `sleep` that advances it).
    """

    def __init__(
        self,
        draw: Callable[[int], Awaitable[float | None]],
        indices: Callable[[], Iterable[int]],
        clock: Callable[[], float] = time.monotonic,
        frame_s: float = FRAME_S,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self._draw = draw
        self._sleep = sleep
        self._indices = indices
        self._clock = clock
        self._frame_s = frame_s
        self._dirty: set[int] = set()
        self._ready_at: dict[int, float] = {}
        self.cost: dict[int, float] = {}  # each pane's last frame (drawing + paint), seconds
        self._drawing: dict[int, float] = {}  # each pane's last drawing alone
        self.draws: dict[int, int] = {}  # how many times each pane was drawn
        self.frames = 0  # how many times the pacer drew (one or more panes at once)
        self._task: asyncio.Task[None] | None = None
        self._busy = 0.0  # how late the pacer wakes, smoothed: the loop's other work

    def poke(self, index: int) -> None:
        """Pane `index` has something new to show."""
        self._dirty.add(index)
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self._run())

    def poke_all(self) -> None:
        """Every pane (the clock tick: elapsed times move without any bytes)."""
        for index in self._indices():
            self.poke(index)

    @property
    def idle(self) -> bool:
        """Nothing is waiting to be drawn."""
        return not self._dirty

    def _on_grid(self, start: float, spacing: float) -> float:
        """When a pane drawn at `start` may be drawn again: `start + spacing` moved to the
        nearest multiple of `frame_s` (at least half a frame on). Panes drawn a few
        milliseconds apart (each after the one before) then come due together, and are
        drawn in one go, so Textual composites and writes the screen once for all of them,
        not once per pane: a compositor pass costs about as much as a pane's drawing."""
        frame = self._frame_s
        ready = round((start + spacing) / frame) * frame
        return ready if ready >= start + frame / 2 else ready + frame

    def _spacing(self, index: int) -> float:
        """How long after its frame pane `index` waits before its next one.

        The paint counts only against a pane whose frames cost more than twice the
        others': among equally dear panes (three code blocks) it only spaced every frame
        out, each carrying more lines, for no pane's gain (the code block's p95 grew).
        """
        cost = self.cost[index]
        others = [c for i, c in self.cost.items() if i != index]
        dear = not others or cost > 2 * max(others)
        spacing = max(self._frame_s, (cost if dear else self._drawing[index]) * SHARE)
        if cost >= CHEAP_SHARE * max(self.cost.values()):
            # waking late means the loop was busy (painting, mostly): the dear panes'
            # frames are spaced out so painting keeps up instead of queueing
            spacing = max(spacing, 2 * self._busy)
        return min(spacing, MAX_FRAME_S)

    async def _run(self) -> None:
        while self._dirty:
            now = self._clock()
            due = [i for i in self._dirty if self._ready_at.get(i, 0.0) <= now]
            if not due:
                wake = min(self._ready_at.get(i, 0.0) for i in self._dirty)
                await self._sleep(max(0.0, wake - now))
                late = max(0.0, self._clock() - wake)
                self._busy += (late - self._busy) / 4
                continue
            self.frames += 1
            for index in sorted(due, key=lambda i: self.cost.get(i, 0.0)):
                self._dirty.discard(index)
                start = self._clock()
                painted = await self._draw(index)
                self._drawing[index] = self._clock() - start
                self.cost[index] = self._drawing[index] + (painted or 0.0)
                self.draws[index] = self.draws.get(index, 0) + 1
                self._ready_at[index] = self._on_grid(start, self._spacing(index))
            await self._sleep(0)  # input and painting run between frames
