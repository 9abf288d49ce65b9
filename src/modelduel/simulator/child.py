"""The simulator in a child process (demo mode): start it on a free loopback port, learn
the port from its first line of output, and stop it in order.

The child watches its stdin pipe and exits when it reaches EOF, which happens whenever
the parent ends, however it ends (Ctrl+C, a crash, SIGKILL). uvicorn loads in the child
only (`child_main`, run by `python -m modelduel.simulator --child`).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator
from typing import IO

from modelduel.errors import ModelduelError
from modelduel.simulator.handle import SimulatorHandle
from modelduel.simulator.server import (
    STARTUP_TIMEOUT_S,
    ProfileOverrides,
    bind_socket,
    checked_profiles,
    make_server,
)

__all__ = ["child_main", "start_in_child"]

_READY_PREFIX = "MODELDUEL_SIMULATOR_PORT="


@contextlib.contextmanager
def start_in_child(
    seed: int = 0,
    *,
    profiles: ProfileOverrides | None = None,
    sock: socket.socket | None = None,
) -> Iterator[SimulatorHandle]:
    """Run the simulator in a child process on a free loopback port; stop it on exit.

    The child watches its stdin pipe and exits when it reaches EOF, which happens
    whenever this process ends, however it ends (Ctrl+C, a crash, SIGKILL). It runs
    in its own session so a terminal's Ctrl+C reaches only this process, which
    then stops the child in order.

    `sock`: a listening socket the caller bound (`server.bind_socket`), so its port was
    known before the child runs (demo mode's screen opens without waiting for the child;
    connections made meanwhile wait in its backlog). The child serves on it, and this
    process's copy is closed once the child has it: if the child dies, connecting fails
    instead of hanging.

    Raises:
        ModelduelError: the child did not start (its error output is quoted).
    """
    checked = checked_profiles(profiles)
    stderr = tempfile.TemporaryFile()  # noqa: SIM115 - closed in the finally below
    cmd = [sys.executable, "-m", "modelduel.simulator", "--child", "--seed", str(seed)]
    if checked:
        cmd += ["--profiles", json.dumps(checked)]
    if sock is not None:
        cmd += ["--fd", str(sock.fileno())]
    try:
        proc = subprocess.Popen(
            cmd,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=stderr,
            start_new_session=True,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
            pass_fds=() if sock is None else (sock.fileno(),),
        )
    finally:
        if sock is not None:
            sock.close()
    try:
        port = _await_port(proc, stderr)
        yield SimulatorHandle("127.0.0.1", port, pid=proc.pid)
    finally:
        _stop_child(proc)
        stderr.close()


def _await_port(proc: subprocess.Popen[bytes], stderr: IO[bytes]) -> int:
    assert proc.stdout is not None
    result: list[str] = []

    def read() -> None:
        assert proc.stdout is not None
        result.append(proc.stdout.readline().decode("utf-8", "replace"))

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    reader.join(STARTUP_TIMEOUT_S)
    line = result[0].strip() if result else ""
    if not line.startswith(_READY_PREFIX):
        proc.kill()
        proc.wait()
        stderr.seek(0)
        detail = stderr.read().decode("utf-8", "replace").strip().splitlines()
        reason = detail[-1] if detail else ("timed out" if not result else "exited")
        raise ModelduelError(f"the provider simulator did not start: {reason}")
    return int(line[len(_READY_PREFIX) :])


def _stop_child(proc: subprocess.Popen[bytes]) -> None:
    # Closing stdin is the polite stop; SIGTERM then SIGKILL if it does not listen.
    with contextlib.suppress(OSError):
        if proc.stdin is not None:
            proc.stdin.close()
    try:
        proc.wait(timeout=3)
    except subprocess.TimeoutExpired:
        proc.terminate()
        try:
            proc.wait(timeout=3)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    finally:
        if proc.stdout is not None:
            proc.stdout.close()


def child_main(seed: int, profiles: ProfileOverrides | None = None, fd: int | None = None) -> int:
    """The child process: serve on a free loopback port (or the listening socket `fd`
    its parent passed), print the port, exit at stdin EOF."""
    checked = checked_profiles(profiles)
    sock = bind_socket("127.0.0.1", 0) if fd is None else socket.socket(fileno=fd)
    port = sock.getsockname()[1]
    # the ASGI app and its wire writers load in the child only (the parent is the launch path)
    from modelduel.simulator.app import SimulatorApp  # noqa: PLC0415

    server = make_server(SimulatorApp(seed=seed, profiles=checked), log_level="error")

    async def main() -> None:
        loop = asyncio.get_running_loop()

        def watch_stdin() -> None:
            with contextlib.suppress(OSError, ValueError):
                while sys.stdin.buffer.read(4096):
                    pass
            loop.call_soon_threadsafe(setattr, server, "should_exit", True)
            # A stream still open must not keep the process alive past the parent.
            threading.Timer(5.0, os._exit, (0,)).start()

        threading.Thread(target=watch_stdin, daemon=True).start()
        task = asyncio.create_task(server.serve(sockets=[sock]))
        while not server.started and not task.done():
            await asyncio.sleep(0.005)
        if server.started:
            sys.stdout.write(f"{_READY_PREFIX}{port}\n")
            sys.stdout.flush()
        await task

    asyncio.run(main())
    return 0
