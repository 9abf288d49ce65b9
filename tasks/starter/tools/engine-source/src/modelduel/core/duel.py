"""The duel runner: one prompt to N models at once, each stream independent.

Runs are started together (the dispatch skew is measured, see bench/), each in its
own task: one failing, stalling or slow never holds up another. A failure is an
event, never an exception out of the runner, and a cancelled or failed run keeps
its partial text. There are no silent retries: `retries=N` opts in, honours the
provider's Retry-After, and every retry is announced with a `Retrying` event.

This module runs in-process (tests, `ask --json`) and inside the child process of
`core.worker`, which streams the same stamped events over a pipe to a UI whose
rendering must not delay the timestamps.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import httpx2 as httpx

from modelduel.core.events import (
    ErrorInfo,
    ReasoningDelta,
    Retrying,
    Stamped,
    StreamFailed,
    TextDelta,
)
from modelduel.providers.base import ModelRequest
from modelduel.providers.http import Clock, StreamTarget, Timeouts, make_client, stream_events

__all__ = ["ClientPool", "DuelRunner", "EventSink", "RunPlan", "backoff_delay"]

EventSink = Callable[[str, Stamped], None]
"""Receives (run_id, stamped event) for every event of every run, in arrival order."""


@dataclass(frozen=True, slots=True)
class RunPlan:
    """One model run of a duel.

    Attributes:
        run_id: unique id of this run (the CSV's run_id).
        client_key: which pooled client to use (the provider name).
        target: where to send it.
        request: what to send.
    """

    run_id: str
    client_key: str
    target: StreamTarget
    request: ModelRequest


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


def backoff_delay(attempt: int, retry_after_s: float | None) -> float:
    """Seconds before retry `attempt` (1-based): the provider's hint, else 0.5 s doubling."""
    if retry_after_s is not None:
        return retry_after_s
    return min(0.5 * 2.0 ** (attempt - 1), 8.0)


class DuelRunner:
    """Starts runs, lets them be cancelled one by one or all, and reports every event.

    Args:
        sink: called with (run_id, stamped event) for every event.
        pool: the pooled HTTP clients.
        clock: the monotonic nanosecond clock (injected for tests).
        retries: retries for a retryable failure that happened before any token.
        timeout_s: overall limit for one run (keep-alives do not extend it).
        stall_timeout_s: limit on silence between two network reads.
        sleep: the sleep used between retries (injected for tests).
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
    ) -> None:
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
            task.add_done_callback(self._forget)
            tasks.append(task)
        return tasks

    def _forget(self, task: asyncio.Task[None]) -> None:
        if self._tasks.get(task.get_name()) is task:
            del self._tasks[task.get_name()]

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
        attempt = 0
        try:
            async with asyncio.timeout(self._timeout_s):
                while True:
                    failure = await self._attempt(plan)
                    if failure is None:
                        return
                    error, saw_content = failure
                    if saw_content or not error.retryable or attempt >= self._retries:
                        emit(plan.run_id, Stamped(self._clock(), StreamFailed(error)))
                        return
                    attempt += 1
                    delay = backoff_delay(attempt, error.retry_after_s)
                    emit(plan.run_id, Stamped(self._clock(), Retrying(attempt, delay, error)))
                    await self._sleep(delay)
        except TimeoutError:
            error = ErrorInfo("timeout", f"no complete answer within {self._timeout_s:g} s")
            emit(plan.run_id, Stamped(self._clock(), StreamFailed(error)))
        except asyncio.CancelledError:
            if plan.run_id not in self._cancelled:
                raise
            self._cancelled.discard(plan.run_id)
            emit(
                plan.run_id,
                Stamped(
                    self._clock(), StreamFailed(ErrorInfo("cancelled", "cancelled by the user"))
                ),
            )

    async def _attempt(self, plan: RunPlan) -> tuple[ErrorInfo, bool] | None:
        """One attempt; returns the failure (and whether tokens had arrived) or None."""
        saw_content = False
        stream = stream_events(
            self._pool.get(plan.client_key),
            plan.target,
            plan.request,
            clock=self._clock,
            stall_timeout_s=self._stall_timeout_s,
        )
        async with contextlib.aclosing(stream):
            async for stamped in stream:
                event = stamped.event
                if isinstance(event, StreamFailed):
                    return event.error, saw_content
                if isinstance(event, TextDelta | ReasoningDelta):
                    saw_content = True
                self._sink(plan.run_id, stamped)
        return None
