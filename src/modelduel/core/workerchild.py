"""The duel worker's child process: runs duels and streams already-stamped events.

Stamping in a Textual loop drawing three panes was 20–33 ms late at p99 (threads: the
GIL). Here the child stamps with `time.monotonic_ns()` (one clock across processes on
Linux): a busy parent can be late to *read* an event, never change its stamp. The parent's
side is `core.worker`; the pipe's format `core.workerwire`. The child exits when its stdin
closes (it never outlives its parent); its stderr is modelduel's log file. A plain duel's
child loads no tools, task files or schema validation: they load with the first plan that
has a world (tests/test_worker_child_imports.py).
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
from typing import Any

from modelduel.core.cancelreasons import CancelReasons
from modelduel.core.codec import encode_event_line
from modelduel.core.duel import ClientPool, DuelRunner
from modelduel.core.workerwire import READY_LINE, ended_line, plan_from_json
from modelduel.events import Retrying, Stamped, StreamFailed
from modelduel.providers.http import Timeouts, tls_context
from modelduel.redact import redact_secrets

__all__ = ["main"]

_log = logging.getLogger("modelduel.worker")


async def _serve(settings: dict[str, Any]) -> None:
    out = sys.stdout.buffer
    parent_gone = asyncio.Event()

    def emit(data: bytes) -> None:
        if parent_gone.is_set():
            return
        try:
            out.write(data)
            out.flush()
        except (BrokenPipeError, ConnectionResetError, ValueError):
            # The parent is gone (killed, its terminal closed): stop writing; stdout goes to
            # /dev/null so the final flush cannot print a BrokenPipeError on a terminal.
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
    tls_context()  # before READY: built while the user types, not as a duel starts
    emit(READY_LINE)
    try:
        while line := await reader.readline():
            command = json.loads(line)
            op = command["op"]
            if op == "start":
                plans = [plan_from_json(p) for p in command["runs"]]
                for task in runner.start(plans):
                    task.add_done_callback(lambda t: emit(ended_line(t.get_name())))
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


def main() -> None:
    """Entry point of the child process (`python -m modelduel.core.workerchild SETTINGS`)."""
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
