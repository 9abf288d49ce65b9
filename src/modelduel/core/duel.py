"""The duel runner: one prompt to N models at once, each stream independent.

Runs are started together (the dispatch skew is measured, see bench/), each in its
own task: one failing, stalling or slow never holds up another. A failure is an
event, never an exception out of the runner, and a cancelled or failed run keeps
its partial text. There are no silent retries: `retries=N` opts in, honours the
provider's Retry-After, and every retry is announced with a `Retrying` event.

This module runs in-process (tests, `ask --json`) and inside the child process of
`core.workerchild`, which streams the same stamped events over a pipe to a UI whose
rendering must not delay the timestamps.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import random
import time
from collections.abc import Awaitable, Callable

import httpx2 as httpx

from modelduel.conversation import AssistantMessage
from modelduel.core.plan import RunPlan
from modelduel.core.sendcheck import unsendable
from modelduel.core.toolloop import ToolLoop
from modelduel.events import (
    AssistantReply,
    ErrorInfo,
    Finished,
    ReasoningDelta,
    Retrying,
    Stamped,
    StreamFailed,
    TextDelta,
    ToolCallStarted,
)
from modelduel.providers.base import ModelRequest
from modelduel.providers.http import Clock, Timeouts, make_client, stream_events
from modelduel.providers.retry_after import MAX_RETRY_AFTER_S

__all__ = ["ClientPool", "DuelRunner", "EventSink", "RunPlan", "backoff_delay"]

EventSink = Callable[[str, Stamped], None]
"""Receives (run_id, stamped event) for every event of every run, in arrival order."""


class ClientPool:
    """One HTTP client (connection pool) per provider for the life of the process."""

    def __init__(self, timeouts: Timeouts | None = None) -> None:
        self._timeouts = timeouts or Timeouts()
        self._clients: dict[str, httpx.AsyncClient] = {}

    def get(self, key: str) -> httpx.AsyncClient:
        """The client for provider `key`, created on first use."""
        client = self._clients.get(key)
        if client is None:
            client = self._clients[key] = make_client(self._timeouts)
        return client

    def warm(self, keys: list[str]) -> None:
        """Create the clients up front so set-up cost never lands inside a duel."""
        for key in keys:
            self.get(key)

    async def aclose(self) -> None:
        """Close every client."""
        clients, self._clients = list(self._clients.values()), {}
        for client in clients:
            await client.aclose()


def backoff_delay(
    attempt: int, retry_after_s: float | None, rng: Callable[[], float] = random.random
) -> float:
    """Seconds before retry `attempt` (1-based), as the official SDKs compute it.

    The provider's hint when it is within (0, 120] s; else 0.5 s doubling up to 8 s, less
    a random 0-25 % (jitter, so many clients do not retry in step). A hint above the cap
    never gets here: such an error is reported as not retryable.
    """
    if retry_after_s is not None and 0 < retry_after_s <= MAX_RETRY_AFTER_S:
        return retry_after_s
    base = min(0.5 * 2.0 ** (attempt - 1), 8.0)
    return base * (1 - 0.25 * rng())


class DuelRunner:
    """Starts runs, lets them be cancelled one by one or all, and reports every event.

    Args:
        sink: called with (run_id, stamped event) for every event.
        pool: the pooled HTTP clients.
        clock: the monotonic nanosecond clock (injected for tests).
        retries: retries for a retryable failure that happened before any token.
        timeout_s: overall limit for one run (keep-alives do not extend it); before the
            first token it is the only limit, since reasoning models think in silence.
        stall_timeout_s: limit on silence between two network reads after the first token.
        sleep: the sleep used between retries (injected for tests).
        rng: the random source of backoff jitter, in [0, 1) (injected for tests).
    """

    def __init__(
        self,
        sink: EventSink,
        pool: ClientPool,
        *,
        clock: Clock = time.monotonic_ns,
        retries: int = 0,
        timeout_s: float = 600.0,
        stall_timeout_s: float | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        rng: Callable[[], float] = random.random,
    ) -> None:
        self._rng = rng
        self._sink = sink
        self._pool = pool
        self._clock = clock
        self._retries = retries
        self._timeout_s = timeout_s
        self._stall_timeout_s = stall_timeout_s
        self._sleep = sleep
        self._tasks: dict[str, asyncio.Task[None]] = {}
        self._cancelled: set[str] = set()

    def start(self, plans: list[RunPlan]) -> list[asyncio.Task[None]]:
        """Start every plan now; returns the tasks (await them, or call `wait`)."""
        self._pool.warm([p.client_key for p in plans])
        tasks = []
        for plan in plans:
            task = asyncio.get_running_loop().create_task(self._run(plan), name=plan.run_id)
            self._tasks[plan.run_id] = task
            task.add_done_callback(functools.partial(self._forget, plan))
            tasks.append(task)
        return tasks

    def _forget(self, plan: RunPlan, task: asyncio.Task[None]) -> None:
        run_id = task.get_name()
        if self._tasks.get(run_id) is task:
            del self._tasks[run_id]
        if task.cancelled() and run_id in self._cancelled:
            # Cancelled before its first step (the worker child handles a `start` and a
            # `cancel` read in one go without yielding: `r x` typed in one burst): `_run`
            # never ran a line, so nothing was sent, and without this the run would end
            # with no final event, a row with no status. It ends cancelled, as any other
            # (this callback is the task's first: the event precedes the caller's end).
            self._cancelled.discard(run_id)
            # the conversation it was to be sent, as a run cancelled mid-stream records it
            # (a resumed `run` compares its first message: the prompt and attached files)
            self._end_loop(plan, ToolLoop(plan) if plan.converses else None)
            error = ErrorInfo("cancelled", "cancelled by the user before its request was sent")
            self._sink(run_id, Stamped(self._clock(), StreamFailed(error)))

    async def run(self, plans: list[RunPlan]) -> None:
        """Start every plan and wait until all have ended."""
        await asyncio.gather(*self.start(plans))

    async def wait(self) -> None:
        """Wait for every run started so far."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks.values()), return_exceptions=True)

    def cancel(self, run_id: str) -> bool:
        """Cancel one run; it ends with a `cancelled` failure and keeps its partial text."""
        task = self._tasks.get(run_id)
        if task is None or task.done():
            return False
        self._cancelled.add(run_id)
        task.cancel()
        return True

    def cancel_all(self) -> None:
        """Cancel every run still going."""
        for run_id in list(self._tasks):
            self.cancel(run_id)

    @property
    def active(self) -> list[str]:
        """Run ids still going."""
        return list(self._tasks)

    async def _run(self, plan: RunPlan) -> None:
        emit = self._sink
        loop = ToolLoop(plan) if plan.converses else None
        try:
            async with asyncio.timeout(self._timeout_s):
                if loop is None:
                    failure = unsendable(plan) or await self._request(plan, plan.request, None)
                    if failure is not None:
                        emit(plan.run_id, Stamped(self._clock(), StreamFailed(failure)))
                    return
                await self._converse(plan, loop)
        except TimeoutError:
            error = ErrorInfo("timeout", f"no complete answer within {self._timeout_s:g} s")
            self._end_loop(plan, loop)
            emit(plan.run_id, Stamped(self._clock(), StreamFailed(error)))
        except asyncio.CancelledError:
            if plan.run_id not in self._cancelled:
                raise
            self._cancelled.discard(plan.run_id)
            self._end_loop(plan, loop)
            emit(
                plan.run_id,
                Stamped(
                    self._clock(), StreamFailed(ErrorInfo("cancelled", "cancelled by the user"))
                ),
            )

    def _end_loop(self, plan: RunPlan, loop: ToolLoop | None) -> None:
        """A conversation's state as it stood when its run was stopped (kept, not lost)."""
        if loop is not None:
            self._sink(plan.run_id, Stamped(self._clock(), loop.state()))

    async def _converse(self, plan: RunPlan, loop: ToolLoop) -> None:
        """The run's turns, each a tool loop: request, answer the calls, request again.

        Each request gets its own retries (before its first token, as a single request
        does); an earlier round is never sent again. A failure ends the run keeping
        everything produced so far, the conversation up to the last complete response.
        """
        emit = self._sink
        run_id = plan.run_id
        for event in loop.opening_events():
            emit(run_id, Stamped(self._clock(), event))
        while True:
            problem = loop.request_problem()
            if problem is not None:
                emit(run_id, Stamped(self._clock(), loop.state()))
                emit(run_id, Stamped(self._clock(), StreamFailed(problem)))
                return
            outcome = _RoundOutcome()
            failure = await self._request(plan, loop.request(), outcome)
            if failure is not None:
                emit(run_id, Stamped(self._clock(), loop.state()))
                emit(run_id, Stamped(self._clock(), StreamFailed(failure)))
                return
            finished = outcome.finished or Finished("stop", None)
            step = loop.take_reply(outcome.reply, finished)
            if isinstance(step, Finished):
                emit(run_id, Stamped(self._clock(), loop.state()))
                emit(run_id, Stamped(self._clock(), step))
                return
            if step == "tools":
                await self._answer_calls(run_id, loop)
            for event in loop.next_request_events():
                emit(run_id, Stamped(self._clock(), event))

    async def _answer_calls(self, run_id: str, loop: ToolLoop) -> None:
        """Answer the pending calls from the world, each after its tool's latency.

        Calls of one response run side by side, as a harness runs parallel calls: each
        result is ready `latency_ms` after the round's start, so the round waits for the
        slowest; the wait is on this runner's sleep (cancellable with the run).
        """
        waited_ms = 0
        for index, result in loop.answer_pending():
            if result.latency_ms > waited_ms:
                await self._sleep((result.latency_ms - waited_ms) / 1000.0)
                waited_ms = result.latency_ms
            self._sink(run_id, Stamped(self._clock(), loop.result_event(index, result)))

    async def _request(
        self, plan: RunPlan, request: ModelRequest, outcome: _RoundOutcome | None
    ) -> ErrorInfo | None:
        """One request with its retries; returns the failure that ended it, or None.

        `outcome` (a conversation's request) collects the response's `AssistantReply` and
        holds its `Finished` back: the loop decides whether the run ends there.
        """
        attempt = 0
        while True:
            failure = await self._attempt(plan, request, outcome)
            if failure is None:
                return None
            error, saw_content = failure
            if saw_content or not error.retryable or attempt >= self._retries:
                return error
            attempt += 1
            delay = backoff_delay(attempt, error.retry_after_s, self._rng)
            self._sink(plan.run_id, Stamped(self._clock(), Retrying(attempt, delay, error)))
            await self._sleep(delay)

    async def _attempt(
        self, plan: RunPlan, request: ModelRequest, outcome: _RoundOutcome | None
    ) -> tuple[ErrorInfo, bool] | None:
        """One attempt; returns the failure (and whether tokens had arrived) or None."""
        saw_content = False
        client = self._pool.get(plan.client_key)
        stall = self._stall_timeout_s
        stream = (
            stream_events(client, plan.target, request, clock=self._clock, stall_timeout_s=stall)
            if outcome is None
            else stream_events(
                client, plan.target, request, clock=self._clock, stall_timeout_s=stall, replies=True
            )
        )
        async with contextlib.aclosing(stream):
            async for stamped in stream:
                event = stamped.event
                if isinstance(event, StreamFailed):
                    return event.error, saw_content
                if isinstance(event, TextDelta | ReasoningDelta | ToolCallStarted):
                    saw_content = True
                if outcome is not None:
                    if isinstance(event, AssistantReply):
                        outcome.reply = event.message
                        continue
                    if isinstance(event, Finished):
                        outcome.finished = event
                        continue
                self._sink(plan.run_id, stamped)
        return None


class _RoundOutcome:
    """What one conversation request returned: its assembled reply and held-back finish."""

    __slots__ = ("finished", "reply")

    def __init__(self) -> None:
        self.reply: AssistantMessage | None = None
        self.finished: Finished | None = None
