"""The parent's side of the duel worker: `ChildDuelRunner` runs duels in a child process.

The child (`core.workerchild`) does the networking and stamps every event; this client
starts it, sends it plans and cancels, reads its event lines back into the sink, and ends
the runs of a child that vanished (what they streamed kept). What crosses the pipe is
`core.workerwire`. The child's stderr goes to modelduel's log file
(`locations.log_path()`), never to the terminal the TUI draws on.

A child that cannot start (its interpreter fails, it dies on import) is not an exception
out of this client: the runs given meanwhile end at once with one line naming the log
file, and the next `open` or `start` tries again (tests/test_worker_start.py).

The parent (the TUI, `ask`, `run`) imports this module before its first frame: it loads
no engine (core.duel with httpx, the tool loop, task files, jsonschema); only the child
does (tests/test_launch_path.py checks the parent's side loads none of it).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import sys
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from modelduel import locations
from modelduel.core.cancelreasons import signal_name
from modelduel.core.codec import decode_event_line
from modelduel.core.plan import RunPlan
from modelduel.core.workerwire import READY_LINE, ended_run_id, plan_to_json
from modelduel.events import ErrorInfo, Stamped, StreamFailed

if TYPE_CHECKING:
    from modelduel.core.duel import EventSink

__all__ = ["ChildDuelRunner", "WorkerStartError"]

# A log past this size is moved to `<name>.1` (one old generation kept) when a worker
# starts, so a long-lived setup never grows it without bound.
LOG_ROTATE_BYTES = 1_000_000

START_TIMEOUT_S = 60.0
"""How long a child may take to say it is ready (its imports, on a loaded machine)."""

_log = logging.getLogger("modelduel.worker")


class WorkerStartError(Exception):
    """The child process could not start; the message is one line naming the log file."""


class ChildDuelRunner:
    """The parent's side: same start/cancel/wait interface as DuelRunner, in a child process.

    Args:
        sink: called in the parent's event loop with every (run_id, stamped event).
        retries, timeout_s, stall_timeout_s, connect_timeout_s: as for DuelRunner.
        env: the child's environment (defaults to this process's).
        on_run_ended: called with a run id once that run has fully ended.
        log_path: where the child's stderr goes (default `locations.log_path()`).

    Attributes:
        start_failure: why the last start failed (one line naming `log_path`), None
            once a child is running.
        cancel_reason: when set (a stop signal arrived), what runs cancelled without a
            reason of their own say happened, `aclose()` included.
    """

    def __init__(
        self,
        sink: EventSink,
        *,
        retries: int = 0,
        timeout_s: float = 600.0,
        stall_timeout_s: float | None = None,
        connect_timeout_s: float = 10.0,
        env: dict[str, str] | None = None,
        on_run_ended: Callable[[str], None] | None = None,
        log_path: Path | None = None,
    ) -> None:
        self._sink = sink
        self.log_path = log_path or locations.log_path()
        self._on_run_ended = on_run_ended
        self._settings = {
            "retries": retries,
            "timeout_s": timeout_s,
            "stall_timeout_s": stall_timeout_s,
            "connect_timeout_s": connect_timeout_s,
        }
        self._env = env
        self._proc: asyncio.subprocess.Process | None = None
        self._opening: asyncio.Future[None] | None = None
        # the child of a start under way, made but not ready yet (killed if abandoned)
        self._starting: asyncio.subprocess.Process | None = None
        # `abandon_start()` was called: no child starts until `aclose()` has run
        self._abandoned = False
        self._reader: asyncio.Task[None] | None = None
        self._pending: set[str] = set()
        self.callback_errors: list[BaseException] = []
        self._idle = asyncio.Event()
        self._idle.set()
        self._closing = False
        # set for the whole of `aclose`: a start asked for meanwhile (a run ending as the
        # app quits can start a judge or a re-run) would make a second child, whose reader
        # `aclose` would then wait on for ever
        self._stopping = False
        self.cancel_reason: str | None = None
        self.start_failure: str | None = None

    async def open(self) -> None:
        """Start the child process (idempotent); it is ready to take runs when this returns.

        Calls that overlap (the app opening the runner after its first frame while a prompt
        sent before it starts a run) share one start: there is only ever one child. A
        child that cannot start raises nothing here: `start_failure` says why in one line
        (the details are in `log_path`), and the next `open` or `start` tries again.
        """
        if self._stopping:
            raise RuntimeError("the duel worker is closing: no run can start now")
        if self._opening is None or (self._opening.done() and self._proc is None):
            self._opening = asyncio.ensure_future(self._spawn())  # a failed start is retried
        try:
            await asyncio.shield(self._opening)
        except WorkerStartError as exc:
            self.start_failure = str(exc)
        else:
            self.start_failure = None

    def abandon_start(self) -> None:
        """Give up a start under way, from synchronous code such as a signal handler.

        For a command stopping before its runs start (ctrl+c while the child is being
        made): the child being made is killed (once made, if that is still under way),
        the `open` waiting on it returns with `start_failure` set, and no child starts
        again until `aclose()` has run. Runs already going are not touched.
        """
        self._abandoned = True
        starting = self._starting
        if starting is not None and starting.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                starting.kill()

    async def _spawn(self) -> None:
        if self._abandoned:
            raise WorkerStartError(self._start_message("(stopped before it started)"))
        log = _open_log(self.log_path)
        try:
            proc = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "modelduel.core.workerchild",
                json.dumps(self._settings),
                stdin=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.PIPE,
                stderr=log if log is not None else asyncio.subprocess.DEVNULL,
                env=self._env,
                limit=64 * 1024 * 1024,
            )
        except OSError as exc:  # no interpreter there, no process left to make
            self._log_error("the duel worker could not be started", exc)
            raise WorkerStartError(self._start_message(f"({exc.strerror or exc})")) from None
        finally:
            if log is not None:
                log.close()  # the child holds its own descriptor
        # From here on the child exists: however this start ends short of ready (a
        # failure, `abandon_start`, a cancel as the loop shuts down on ctrl+c), it is
        # killed and waited for, so it is never left running and its pipes are closed
        # before the loop is (else "Event loop is closed" from the transport's __del__).
        self._starting = proc
        try:
            if self._abandoned:
                raise WorkerStartError(self._start_message("(stopped before it was ready)"))
            await self._await_ready(proc)
        except BaseException:
            if proc.returncode is None:
                with contextlib.suppress(ProcessLookupError):
                    proc.kill()
                await proc.wait()
            raise
        finally:
            self._starting = None
        self._proc = proc
        self._reader = asyncio.get_running_loop().create_task(self._read())

    async def _await_ready(self, proc: asyncio.subprocess.Process) -> None:
        """Wait for the child's ready line; a child that dies or hangs first is stopped."""
        assert proc.stdout is not None
        try:
            first = await asyncio.wait_for(proc.stdout.readline(), START_TIMEOUT_S)
        except TimeoutError:
            first = None
        if first == READY_LINE:
            return
        if first is None:
            how = f"(not ready after {START_TIMEOUT_S:g} s)"
        else:
            how = _how_it_ended(await _exit_code(proc)) or "(it wrote no ready line)"
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
        raise WorkerStartError(self._start_message(how))

    def _start_message(self, how: str) -> str:
        return (
            f"the duel worker process could not start {how}; its log: {self.log_path}"
            " - fix what it says there, then send the prompt again"
        )

    async def start(self, plans: list[RunPlan]) -> None:
        """Send plans to the child; they start at once.

        When the child cannot start, each run ends at once (a `StreamFailed` saying why,
        then `on_run_ended`), as a run the child lost does: no exception escapes.
        """
        await self.open()
        if self._proc is None:
            failure = ErrorInfo("connection", self.start_failure or self._start_message(""))
            for plan in plans:
                self._isolated(
                    self._sink, plan.run_id, Stamped(time.monotonic_ns(), StreamFailed(failure))
                )
                if self._on_run_ended is not None:
                    self._isolated(self._on_run_ended, plan.run_id)
            return
        for plan in plans:
            self._pending.add(plan.run_id)
        self._idle.clear()
        with contextlib.suppress(ConnectionError):
            # the child died since it was ready: its reader ends these runs with the rest
            await self._send({"op": "start", "runs": [plan_to_json(p) for p in plans]})

    async def cancel(self, run_id: str) -> None:
        """Cancel one run (it ends as cancelled, keeping its partial text).

        Without a child (it never started, or it ended) there is nothing to cancel: its
        runs have already ended.
        """
        await self._send({"op": "cancel", "run_id": run_id})

    async def cancel_all(self, reason: str | None = None) -> None:
        """Cancel every run still going; `reason` (or `cancel_reason`) is their error."""
        await self._send(self._cancel_all_command(reason))

    def cancel_all_nowait(self, reason: str | None = None) -> None:
        """Cancel every run, from synchronous code such as a signal handler."""
        if self._proc is not None and self._proc.stdin is not None:
            self._proc.stdin.write((json.dumps(self._cancel_all_command(reason)) + "\n").encode())

    def _cancel_all_command(self, reason: str | None) -> dict[str, Any]:
        reason = reason or self.cancel_reason
        return {"op": "cancel_all"} | ({"reason": reason} if reason else {})

    async def wait(self) -> None:
        """Wait until every run started so far has ended."""
        await self._idle.wait()

    async def aclose(self) -> None:
        """Stop the child: closing its stdin makes it cancel runs and exit.

        No start is taken while this runs (`open` raises); once it returns the runner
        may be opened again.
        """
        self._stopping = True
        try:
            await self._stop()
        finally:
            self._stopping = False
            self._abandoned = False

    async def _stop(self) -> None:
        opening, self._opening = self._opening, None
        if opening is not None and not opening.done():
            # a start under way is given up (its child killed) and waited for: no child
            # is left running, none is made after this returns
            self.abandon_start()
            await asyncio.wait([opening])
        if opening is not None and opening.done() and not opening.cancelled():
            opening.exception()  # its failure was said by `open` (or no one asked)
        proc, self._proc = self._proc, None
        reader, self._reader = self._reader, None
        if proc is None:
            return
        self._closing = True
        if proc.stdin is not None:
            if self.cancel_reason and self._pending:
                # said before the pipe closes, or the child's own shutdown would cancel
                # the runs "by the user"
                proc.stdin.write((json.dumps(self._cancel_all_command(None)) + "\n").encode())
            proc.stdin.close()
        try:
            await asyncio.wait_for(proc.wait(), timeout=5)
        except TimeoutError:
            proc.kill()
            await proc.wait()
        if reader is not None:
            await reader
        self._closing = False  # a child started after this one may crash, not be closed

    async def _send(self, command: dict[str, Any]) -> None:
        """Write one command; a no-op without a child. Raises `ConnectionError` when the
        child has just died (its reader ends the runs it had)."""
        if self._proc is None or self._proc.stdin is None:
            return
        self._proc.stdin.write((json.dumps(command) + "\n").encode())
        await self._proc.stdin.drain()

    def _isolated(self, callback: Callable[..., None], *args: Any) -> None:
        """Call a consumer's callback; its failure must not stop the reader.

        The reader is what ends runs and wakes `wait()`: if a callback's exception (a CSV
        that cannot be written) escaped here, every later event would be lost and `wait()`
        would hang for good. The consumer handles its own errors; anything that still
        escapes is kept in `callback_errors` and written with its traceback to the log
        file (stderr would land on the TUI's screen, or be swallowed by Textual).
        """
        try:
            callback(*args)
        except Exception as exc:
            self.callback_errors.append(exc)
            self._log_error("a duel callback failed; the runs carry on", exc)

    def _log_error(self, message: str, exc: Exception) -> None:
        """`message` and the traceback of `exc`, appended to `log_path`."""
        stamp = time.strftime("%Y-%m-%d %H:%M:%S")
        lines = traceback.format_exception(exc)
        text = f"{stamp} parent[{os.getpid()}] ERROR {message}\n{''.join(lines)}"
        try:
            with self.log_path.open("a", encoding="utf-8") as log:
                log.write(text)
        except OSError:
            _log.error(message, exc_info=exc)  # no log file: logging's own fallback

    async def _read(self) -> None:
        proc = self._proc
        assert proc is not None and proc.stdout is not None
        stdout = proc.stdout
        while line := await stdout.readline():
            ended = ended_run_id(line)
            if ended is not None:
                run_id = ended
                self._pending.discard(run_id)
                if self._on_run_ended is not None:
                    self._isolated(self._on_run_ended, run_id)
                if not self._pending:
                    self._idle.set()
                continue
            try:
                run_id, stamped = decode_event_line(line)
            except (ValueError, KeyError, TypeError, IndexError):
                continue  # a line the child did not write as an event (a stray print)
            self._isolated(self._sink, run_id, stamped)
        # The child is gone (killed, crashed). Runs it still had end as failed, with
        # what they streamed kept, rather than hanging on screen forever.
        if self._closing:  # aclose(): we stopped it
            lost = ErrorInfo("cancelled", self.cancel_reason or "cancelled: modelduel was closed")
        else:
            lost = ErrorInfo("connection", await self._crash_message(proc))
        for run_id in sorted(self._pending):
            self._isolated(self._sink, run_id, Stamped(time.monotonic_ns(), StreamFailed(lost)))
            if self._on_run_ended is not None:
                self._isolated(self._on_run_ended, run_id)
        self._pending.clear()
        self._idle.set()
        if self._proc is proc:  # not stopped by `aclose`: the next start makes a new child
            self._proc = self._reader = None

    async def _crash_message(self, proc: asyncio.subprocess.Process) -> str:
        """Why the runs of a child that vanished failed, and where its traceback is."""
        how = _how_it_ended(await _exit_code(proc))
        sep = " " if how else ""
        return f"the duel worker process ended unexpectedly{sep}{how}; its log: {self.log_path}"


async def _exit_code(proc: asyncio.subprocess.Process) -> int | None:
    """The exit status of a child whose output ended, None if it has not exited in 5 s."""
    try:
        return await asyncio.wait_for(proc.wait(), timeout=5)
    except TimeoutError:
        return None


def _how_it_ended(code: int | None) -> str:
    """`(killed by SIGKILL)`, `(exit status 1)`, or "" (a clean exit, or not known)."""
    if code is not None and code < 0:
        return f"(killed by {signal_name(-code)})"
    return f"(exit status {code})" if code else ""


def _open_log(path: Path) -> IO[bytes] | None:
    """The log file opened for appending (rotated when big), or None when it cannot be.

    A log that cannot be opened (read-only home) must not stop a duel: the child's
    stderr then goes nowhere, which is still better than onto the TUI's screen.
    """
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.exists() and path.stat().st_size > LOG_ROTATE_BYTES:
            path.replace(path.with_name(path.name + ".1"))
        return path.open("ab")
    except OSError as exc:
        _log.warning("cannot write modelduel's log %s (%s): worker messages are dropped", path, exc)
        return None
