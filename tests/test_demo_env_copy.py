"""Demo mode's environment is built before the first frame without importing the simulator
(`demo._simulator_env`, `demo.SIMULATED_KEYS`, `demo._bind_loopback`): each must say what
the simulator's own (`simulator.handle.env_for`, `simulator.server.bind_socket`) says."""

from __future__ import annotations

import socket

from modelduel import demo
from modelduel.simulator.handle import SIMULATED_KEYS, SimulatorHandle
from modelduel.simulator.server import bind_socket


def test_the_demo_env_is_the_simulators_own() -> None:
    assert demo.SIMULATED_KEYS == SIMULATED_KEYS
    ours = demo._bind_loopback()
    theirs = bind_socket("127.0.0.1", 0)
    try:
        for sock in (ours, theirs):
            port = sock.getsockname()[1]
            url = f"http://127.0.0.1:{port}"
            assert demo._simulator_env(url) == SimulatorHandle("127.0.0.1", port).env()
        assert ours.getblocking() is theirs.getblocking() is False
        options = (socket.SOL_SOCKET, socket.SO_REUSEADDR)
        assert bool(ours.getsockopt(*options)) == bool(theirs.getsockopt(*options))
        assert ours.getsockopt(socket.SOL_SOCKET, socket.SO_ACCEPTCONN) == 1
    finally:
        ours.close()
        theirs.close()
