"""Run duels in a child process and stream already-stamped events to the parent.

Measured on this machine, stamping events inside a Textual loop that renders three
panes is 20–33 ms late at p99, and a thread does not help (the GIL). Here the child
does all networking and stamping with `time.monotonic_ns()` (one clock across
processes on Linux), so a busy parent can be late to *read* an event but never
changes its timestamp.

Protocol, one JSON object per line:
    parent -> child (stdin):  {"op": "start", "runs": [plan...]}
                              {"op": "cancel", "run_id": ID} | {"op": "cancel_all"}
    child -> parent (stdout): core.codec event lines, and ["<run_id>", 0, "E"] when a
                              run has fully ended.
The child exits when its stdin closes, so it can never outlive its parent.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import sys
from collections.abc import Callable
from typing import Any

from modelduel.core.codec import decode_event_line, encode_event_line
from modelduel.core.duel import ClientPool, DuelRunner, EventSink, RunPlan
from modelduel.core.events import Stamped
from modelduel.providers.base import ModelRequest
from modelduel.providers.http import StreamTarget, Timeouts

__all__ = ["ChildDuelRunner", "plan_from_json", "plan_to_json"]

ENDED = "E"


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
        },
        "request": {
            "model_id": r.model_id,
            "prompt": r.prompt,
            "system": r.system,
            "max_output_tokens": r.max_output_tokens,
            "reasoning_effort": r.reasoning_effort,
            "temperature": r.temperature,
            "show_reasoning": r.show_reasoning,
            "extra_headers": [list(h) for h in r.extra_headers],
        },
    }


def _env_key(name: str | None) -> Callable[[], str | None]:
    def get() -> str | None:
        return os.environ.get(name) if name else None

    return get


def plan_from_json(data: dict[str, Any]) -> RunPlan:
    """The plan a parent sent; the key is read from this process's environment at send time."""
    t, r = data["target"], data["request"]
    request = ModelRequest(
        model_id=r["model_id"],
        prompt=r["prompt"],
        system=r["system"],
        max_output_tokens=r["max_output_tokens"],
        reasoning_effort=r["reasoning_effort"],
        temperature=r["temperature"],
        show_reasoning=r["show_reasoning"],
        extra_headers=tuple((k, v) for k, v in r["extra_headers"]),
    )
    target = StreamTarget(
        kind=t["kind"],
        base_url=t["base_url"],
        api_key=_env_key(t["key_env"]),
        key_env=t["key_env"],
        key_required=t["key_required"],
    )
    return RunPlan(data["run_id"], data["client_key"], target, request)


async def _serve(settings: dict[str, Any]) -> None:
    out = sys.stdout.buffer

    def sink(run_id: str, stamped: Stamped) -> None:
        out.write(encode_event_line(run_id, stamped))
        out.flush()

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
                    task.add_done_callback(
                        lambda t: (out.write(_ended_line(t.get_name())), out.flush())
                    )
            elif op == "cancel":
                runner.cancel(command["run_id"])
            elif op == "cancel_all":
                runner.cancel_all()
    finally:
        runner.cancel_all()
        with contextlib.suppress(BaseException):
            await runner.wait()
        await pool.aclose()


def _ended_line(run_id: str) -> bytes:
    return (json.dumps([run_id, 0, ENDED]) + "\n").encode()


class ChildDuelRunner:
    """The parent's side: same start/cancel/wait interface as DuelRunner, in a child process.

    Args:
        sink: called in the parent's event loop with every (run_id, stamped event).
        retries, timeout_s, stall_timeout_s, connect_timeout_s: as for DuelRunner.
        env: the child's environment (defaults to this process's).
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
    ) -> None:
        self._sink = sink
        self._on_run_ended = on_run_ended
        self._settings = {
            "retries": retries,
            "timeout_s": timeout_s,
            "stall_timeout_s": stall_timeout_s,
            "connect_timeout_s": connect_timeout_s,
        }
        self._env = env
        self._proc: asyncio.subprocess.Process | None = None
        self._reader: asyncio.Task[None] | None = None
        self._pending: set[str] = set()
        self._idle = asyncio.Event()
        self._idle.set()

    async def open(self) -> None:
        """Start the child process (idempotent); it is ready to take runs when this returns."""
        if self._proc is not None:
            return
        self._proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "modelduel.core.worker",
            json.dumps(self._settings),
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            env=self._env,
            limit=64 * 1024 * 1024,
        )
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

    async def cancel_all(self) -> None:
        """Cancel every run still going."""
        await self._send({"op": "cancel_all"})

    def cancel_all_nowait(self) -> None:
        """Cancel every run, from synchronous code such as a signal handler."""
        if self._proc is not None and self._proc.stdin is not None:
            self._proc.stdin.write(b'{"op": "cancel_all"}\n')

    async def wait(self) -> None:
        """Wait until every run started so far has ended."""
        await self._idle.wait()

    async def aclose(self) -> None:
        """Stop the child: closing its stdin makes it cancel runs and exit."""
        proc, self._proc = self._proc, None
        if proc is None:
            return
        if proc.stdin is not None:
            proc.stdin.close()
        try:
            await asyncio.wait_for(proc.wait(), timeout=5)
        except TimeoutError:
            proc.kill()
            await proc.wait()
        if self._reader is not None:
            await self._reader

    async def _send(self, command: dict[str, Any]) -> None:
        if self._proc is None or self._proc.stdin is None:
            raise RuntimeError("the duel worker is not running")
        self._proc.stdin.write((json.dumps(command) + "\n").encode())
        await self._proc.stdin.drain()

    async def _read(self) -> None:
        assert self._proc is not None and self._proc.stdout is not None
        stdout = self._proc.stdout
        while line := await stdout.readline():
            if line.startswith(b'["') and line.endswith(b', 0, "E"]\n'):
                run_id = json.loads(line)[0]
                self._pending.discard(run_id)
                if self._on_run_ended is not None:
                    self._on_run_ended(run_id)
                if not self._pending:
                    self._idle.set()
                continue
            run_id, stamped = decode_event_line(line)
            self._sink(run_id, stamped)
        self._pending.clear()
        self._idle.set()


def main() -> None:
    """Entry point of the child process."""
    settings = json.loads(sys.argv[1])
    # Ctrl+C reaches the whole process group; the parent decides what it cancels.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    asyncio.run(_serve(settings))


if __name__ == "__main__":
    main()
