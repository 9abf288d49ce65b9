"""Run duels in a child process and stream already-stamped events to the parent.

Measured on this machine, stamping events inside a Textual loop that renders three
panes is 20–33 ms late at p99, and a thread does not help (the GIL). Here the child
does all networking and stamping with `time.monotonic_ns()` (one clock across
processes on Linux), so a busy parent can be late to *read* an event but never
changes its timestamp.

Protocol, one JSON object per line:
    parent -> child (stdin):  {"op": "start", "runs": [plan...]}
                              {"op": "cancel", "run_id": ID} | {"op": "cancel_all"}
                              (either with "reason": what the cancelled runs' error says)
    child -> parent (stdout): core.codec event lines, and ["<run_id>", 0, "E"] when a
                              run has fully ended.
The child exits when its stdin closes, so it can never outlive its parent. Its stderr
(warnings, a crash's traceback) goes to modelduel's log file (`locations.log_path()`),
never to the terminal the TUI draws on; a crash message names that file.

Past 400 lines because both ends of the pipe live here (the plan's JSON form, the child's
loop and `ChildDuelRunner` in the parent), so a change to the protocol above is one file.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import json
import logging
import os
import signal
import sys
import time
import traceback
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from modelduel import locations
from modelduel.conversation import DEFAULT_MAX_TOOL_ROUNDS, UserMessage
from modelduel.conversation_json import message_from_json, message_to_json
from modelduel.core.codec import decode_event_line, encode_event_line
from modelduel.core.plan import RunPlan
from modelduel.events import ErrorInfo, Retrying, Stamped, StreamFailed
from modelduel.providers.base import ModelRequest, StreamTarget
from modelduel.redact import redact_secrets

if TYPE_CHECKING:
    from modelduel.core.duel import EventSink

# The parent (the TUI, `ask`, `run`) imports this module for `ChildDuelRunner` before its
# first frame: the engine (core.duel with httpx, the tool loop, task files, jsonschema) is
# imported by the child only, inside `_serve` and `plan_from_json`
# (tests/test_launch_path.py checks the parent's side loads none of it).

__all__ = ["CancelReasons", "ChildDuelRunner", "plan_from_json", "plan_to_json", "stop_reason"]

ENDED = "E"

# A log past this size is moved to `<name>.1` (one old generation kept) when a worker
# starts, so a long-lived setup never grows it without bound.
LOG_ROTATE_BYTES = 1_000_000

_log = logging.getLogger("modelduel.worker")


def plan_to_json(plan: RunPlan) -> dict[str, Any]:
    """A plan as JSON; the key itself never crosses the pipe, only the name of its variable."""
    t, r = plan.target, plan.request
    return {
        "run_id": plan.run_id,
        "client_key": plan.client_key,
        "target": {
            "kind": t.kind,
            "base_url": t.base_url,
            "key_env": t.key_env,
            "key_required": t.key_required,
            "name": t.name,
        },
        "request": r.to_json(),
    } | _loop_json(plan)


def _loop_json(plan: RunPlan) -> dict[str, Any]:
    """The conversation loop's part of a plan (absent for a plain run: its line is as before).

    The world travels whole (tool declarations with their results, the fixture snapshot):
    the child never reads the task folder, so no tool can see more than the parent loaded.
    """
    out: dict[str, Any] = {}
    if plan.world is not None:
        out["world"] = plan.world.to_json()
        out["max_tool_rounds"] = plan.max_tool_rounds
    if plan.followups:
        out["followups"] = [message_to_json(m) for m in plan.followups]
    if plan.keep_conversation:
        out["keep_conversation"] = True
    return out


def _env_key(name: str | None) -> Callable[[], str | None]:
    def get() -> str | None:
        return os.environ.get(name) if name else None

    return get


def plan_from_json(data: dict[str, Any]) -> RunPlan:
    """The plan a parent sent; the key is read from this process's environment at send time."""
    t, r = data["target"], data["request"]
    request = ModelRequest.from_json(r)
    target = StreamTarget(
        kind=t["kind"],
        base_url=t["base_url"],
        api_key=_env_key(t["key_env"]),
        key_env=t["key_env"],
        key_required=t["key_required"],
        name=t.get("name"),
    )
    followups = tuple(message_from_json(m) for m in data.get("followups", ()))
    if not all(isinstance(m, UserMessage) for m in followups):
        raise ValueError("a plan's followups are user messages")
    world = data.get("world")
    # the child's side only: the parent never loads the engine (see the imports above)
    from modelduel.core.toolworld import ToolWorld  # noqa: PLC0415

    return RunPlan(
        data["run_id"],
        data["client_key"],
        target,
        request,
        world=None if world is None else ToolWorld.from_json(world),
        max_tool_rounds=data.get("max_tool_rounds", DEFAULT_MAX_TOOL_ROUNDS),
        followups=followups,  # type: ignore[arg-type]
        keep_conversation=bool(data.get("keep_conversation")),
    )


def stop_reason(signum: int) -> str:
    """What the runs a stop signal cancelled say happened: their error's message.

    The CSV's `error` cell and the pane read `cancelled: modelduel received SIGTERM`
    (kind, then this). "cancelled by the user" would be wrong for a `kill` or a terminal
    that went away, and whoever reads the row later should know which it was.
    """
    if signum == signal.SIGHUP:
        return "the terminal closed (SIGHUP)"
    if signum == signal.SIGINT:
        return "cancelled by the user (Ctrl+C)"
    return f"modelduel received {_signal_name(signum)}"


class CancelReasons:
    """Why runs were cancelled, applied to their final event on its way out.

    `DuelRunner` ends a cancelled run with a `cancelled` failure saying "cancelled by the
    user"; a run cancelled for another reason (a stop signal, a batch that cannot save)
    gets that reason instead. The first reason given for a run wins.
    """

    def __init__(self) -> None:
        self._by_run: dict[str, str] = {}

    def mark(self, run_ids: Iterable[str], reason: str) -> None:
        """Say why these runs are being cancelled."""
        for run_id in run_ids:
            self._by_run.setdefault(run_id, reason)

    def apply(self, run_id: str, stamped: Stamped) -> Stamped:
        """The event with a cancelled failure's message replaced by the run's reason."""
        event = stamped.event
        reason = self._by_run.get(run_id)
        if reason is None or not isinstance(event, StreamFailed):
            return stamped
        if event.error.kind != "cancelled":
            return stamped
        del self._by_run[run_id]  # a run id is used once
        error = dataclasses.replace(event.error, message=reason)
        return dataclasses.replace(stamped, event=dataclasses.replace(event, error=error))


class _ParentGone(Exception):
    """The parent closed its end of the pipe: nobody reads what the runs stream any more."""


async def _serve(settings: dict[str, Any]) -> None:
    # the child's side only: the parent never loads the engine (see the imports above)
    from modelduel.core.duel import ClientPool, DuelRunner  # noqa: PLC0415
    from modelduel.providers.http import Timeouts  # noqa: PLC0415

    out = sys.stdout.buffer
    parent_gone = asyncio.Event()

    def emit(data: bytes) -> None:
        if parent_gone.is_set():
            return
        try:
            out.write(data)
            out.flush()
        except (BrokenPipeError, ConnectionResetError, ValueError):
            # The parent is gone (killed, or its terminal closed): stop writing, and point
            # stdout at /dev/null so the interpreter's final flush cannot print a
            # BrokenPipeError onto a terminal either.
            parent_gone.set()
            with contextlib.suppress(OSError):
                devnull = os.open(os.devnull, os.O_WRONLY)
                os.dup2(devnull, sys.stdout.fileno())
                os.close(devnull)

    reasons = CancelReasons()

    def sink(run_id: str, stamped: Stamped) -> None:
        emit(encode_event_line(run_id, _without_keys(reasons.apply(run_id, stamped))))

    pool = ClientPool(Timeouts(connect=settings["connect_timeout_s"]))
    runner = DuelRunner(
        sink,
        pool,
        retries=settings["retries"],
        timeout_s=settings["timeout_s"],
        stall_timeout_s=settings["stall_timeout_s"],
    )
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader(limit=64 * 1024 * 1024)
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    try:
        while line := await reader.readline():
            command = json.loads(line)
            op = command["op"]
            if op == "start":
                plans = [plan_from_json(p) for p in command["runs"]]
                for task in runner.start(plans):
                    task.add_done_callback(lambda t: emit(_ended_line(t.get_name())))
            elif op == "cancel":
                if command.get("reason"):
                    reasons.mark([command["run_id"]], command["reason"])
                runner.cancel(command["run_id"])
            elif op == "cancel_all":
                if command.get("reason"):
                    reasons.mark(runner.active, command["reason"])
                runner.cancel_all()
            if parent_gone.is_set():
                break
    finally:
        runner.cancel_all()
        try:
            await runner.wait()
        except Exception:  # a run's own bug: logged, and the pool still closes
            _log.exception("a run failed while the worker was stopping")
        await pool.aclose()


def _without_keys(stamped: Stamped) -> Stamped:
    """A failure's provider-written message stripped of key-like strings before it leaves.

    Everything the parent shows (the TUI's panes, `ask`'s live view, `run`) and saves
    reads these events, so a partly masked key a provider echoed (`sk-test-*****T123`)
    is gone before any of them can show or write it.
    """
    event = stamped.event
    if not isinstance(event, StreamFailed | Retrying):
        return stamped
    clean = redact_secrets(event.error.message)
    if clean == event.error.message:
        return stamped
    error = dataclasses.replace(event.error, message=clean)
    return dataclasses.replace(stamped, event=dataclasses.replace(event, error=error))


def _ended_line(run_id: str) -> bytes:
    return (json.dumps([run_id, 0, ENDED]) + "\n").encode()


class ChildDuelRunner:
    """The parent's side: same start/cancel/wait interface as DuelRunner, in a child process.

    Args:
        sink: called in the parent's event loop with every (run_id, stamped event).
        retries, timeout_s, stall_timeout_s, connect_timeout_s: as for DuelRunner.
        env: the child's environment (defaults to this process's).
        on_run_ended: called with a run id once that run has fully ended.
        log_path: where the child's stderr goes (default `locations.log_path()`).

    Attributes:
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

    async def open(self) -> None:
        """Start the child process (idempotent); it is ready to take runs when this returns.

        Calls that overlap (the app opening the runner after its first frame while a prompt
        sent before it starts a run) share one start: there is only ever one child.
        """
        if self._stopping:
            raise RuntimeError("the duel worker is closing: no run can start now")
        if self._opening is None or (self._opening.done() and self._proc is None):
            self._opening = asyncio.ensure_future(self._spawn())  # a failed start is retried
        await asyncio.shield(self._opening)

    async def _spawn(self) -> None:
        log = _open_log(self.log_path)
        try:
            self._proc = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "modelduel.core.worker",
                json.dumps(self._settings),
                stdin=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.PIPE,
                stderr=log if log is not None else asyncio.subprocess.DEVNULL,
                env=self._env,
                limit=64 * 1024 * 1024,
            )
        finally:
            if log is not None:
                log.close()  # the child holds its own descriptor
        self._reader = asyncio.get_running_loop().create_task(self._read())

    async def start(self, plans: list[RunPlan]) -> None:
        """Send plans to the child; they start at once."""
        await self.open()
        for plan in plans:
            self._pending.add(plan.run_id)
        self._idle.clear()
        await self._send({"op": "start", "runs": [plan_to_json(p) for p in plans]})

    async def cancel(self, run_id: str) -> None:
        """Cancel one run (it ends as cancelled, keeping its partial text)."""
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

    async def _stop(self) -> None:
        opening, self._opening = self._opening, None
        if opening is not None and not opening.done():
            # a start under way finishes first, so the child it makes is stopped too
            with contextlib.suppress(Exception):
                await opening
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

    async def _send(self, command: dict[str, Any]) -> None:
        if self._proc is None or self._proc.stdin is None:
            raise RuntimeError("the duel worker is not running")
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
            if line.startswith(b'["') and line.endswith(b', 0, "E"]\n'):
                run_id = json.loads(line)[0]
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

    async def _crash_message(self, proc: asyncio.subprocess.Process) -> str:
        """Why the runs of a child that vanished failed, and where its traceback is."""
        try:
            code: int | None = await asyncio.wait_for(proc.wait(), timeout=5)
        except TimeoutError:
            code = None
        if code is not None and code < 0:
            how = f" (killed by {_signal_name(-code)})"
        elif code:
            how = f" (exit status {code})"
        else:
            how = ""
        return f"the duel worker process ended unexpectedly{how}; its log: {self.log_path}"


def _signal_name(signum: int) -> str:
    try:
        return signal.Signals(signum).name
    except ValueError:
        return f"signal {signum}"


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


def main() -> None:
    """Entry point of the child process."""
    settings = json.loads(sys.argv[1])
    # Ctrl+C, a closed terminal (SIGHUP) and a group-wide SIGTERM reach the whole process
    # group; the parent decides what is cancelled and saved, then closes our stdin, which
    # ends this process. So the child can never outlive its parent, nor die before the
    # parent has saved what the runs streamed.
    for signum in (signal.SIGINT, signal.SIGHUP, signal.SIGTERM):
        signal.signal(signum, signal.SIG_IGN)
    # stderr is the log file (see ChildDuelRunner.open): stamp each record with its time
    # and process, as several workers (and the TUI) append to the same file
    logging.basicConfig(
        level=logging.WARNING,
        format="%(asctime)s worker[%(process)d] %(levelname)s %(name)s: %(message)s",
    )
    try:
        asyncio.run(_serve(settings))
    except Exception:
        _log.exception("the duel worker crashed")
        sys.exit(1)


if __name__ == "__main__":
    main()
