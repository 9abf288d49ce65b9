"""The simulator in a background thread of this process (tests and benchmarks), with
optional ground-truth timing; the foreground server and what it shares with this is
`server`, a child process `child`.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
from collections.abc import Iterator

from modelduel.simulator.app import SimulatorApp
from modelduel.simulator.groundtruth import GroundTruth
from modelduel.simulator.handle import SimulatorHandle
from modelduel.simulator.server import (
    STARTUP_TIMEOUT_S,
    ProfileOverrides,
    bind_socket,
    checked_profiles,
    make_server,
)

__all__ = ["run_in_thread"]


@contextlib.contextmanager
def run_in_thread(
    seed: int = 0, *, ground_truth: bool = False, profiles: ProfileOverrides | None = None
) -> Iterator[SimulatorHandle]:
    """Run the simulator on a free loopback port in a background thread of this process.

    For tests and benchmarks; with `ground_truth`, `handle.ground_truth()` returns
    when each request was received and each frame written.
    """
    checked = checked_profiles(profiles)
    truth = GroundTruth() if ground_truth else None
    sock = bind_socket("127.0.0.1", 0)
    port = sock.getsockname()[1]
    server = make_server(SimulatorApp(seed=seed, ground_truth=truth, profiles=checked))
    failure: list[BaseException] = []

    def run() -> None:
        try:
            asyncio.run(server.serve(sockets=[sock]))
        except BaseException as exc:  # reported to the caller below
            failure.append(exc)

    thread = threading.Thread(target=run, name=f"modelduel-simulator-{port}", daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + STARTUP_TIMEOUT_S
        while not server.started:
            if failure or not thread.is_alive():
                raise RuntimeError(
                    f"simulator thread failed to start: {failure[0] if failure else 'exited'}"
                )
            if time.monotonic() > deadline:
                raise RuntimeError("simulator thread did not start in time")
            time.sleep(0.005)
        yield SimulatorHandle("127.0.0.1", port, truth)
    finally:
        server.should_exit = True
        thread.join(timeout=5)
        if thread.is_alive():
            server.force_exit = True
            thread.join(timeout=5)
        sock.close()
