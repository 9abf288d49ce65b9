"""Running the simulator: in the foreground or in a background thread (a child
process: `child`).

uvicorn is imported only inside the functions that start a server, so importing
this module (as `modelduel.demo` does) stays cheap.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import socket
import threading
import time
from collections.abc import Iterator, Mapping
from typing import Any

from modelduel.errors import ModelduelError
from modelduel.simulator.app import GroundTruth, SimulatorApp, install_log_filter
from modelduel.simulator.profiles import OverrideError, check_profile_overrides

__all__ = [
    "SIMULATED_KEYS",
    "SimulatorHandle",
    "bind_socket",
    "checked_profiles",
    "env_for",
    "make_server",
    "run_in_thread",
    "serve",
]

SIMULATED_KEYS = {
    "OPENAI_API_KEY": "sk-simulated-modelduel",
    "ANTHROPIC_API_KEY": "sk-ant-simulated-modelduel",
    "GEMINI_API_KEY": "AIzaSimulated-modelduel-key",
    # The Gemini SDK (and modelduel) prefer GOOGLE_API_KEY when both are set: a real key
    # in the environment must not be the one sent to the simulator.
    "GOOGLE_API_KEY": "AIzaSimulated-modelduel-key",
}

STARTUP_TIMEOUT_S = 30.0
"""How long a starting server (in a thread or a child) may take to listen."""

ProfileOverrides = Mapping[str, Mapping[str, Any]]


def checked_profiles(profiles: ProfileOverrides | None) -> dict[str, dict[str, Any]]:
    """Per-model profile overrides checked; a bad one is a one-line `ModelduelError`."""
    try:
        return check_profile_overrides(profiles or {})
    except OverrideError as exc:
        raise ModelduelError(str(exc)) from None


def env_for(base_url: str) -> dict[str, str]:
    """The environment variables that point the official clients and modelduel at `base_url`."""
    return {
        "OPENAI_BASE_URL": f"{base_url}/v1",
        "ANTHROPIC_BASE_URL": base_url,
        "GOOGLE_GEMINI_BASE_URL": base_url,
        **SIMULATED_KEYS,
    }


class SimulatorHandle:
    """A running simulator: where it listens, and (in-thread) what it wrote when."""

    def __init__(
        self, host: str, port: int, ground_truth: GroundTruth | None = None, pid: int | None = None
    ) -> None:
        self.host = host
        self.port = port
        self.pid = pid
        self._ground_truth = ground_truth

    @property
    def base_url(self) -> str:
        """`http://HOST:PORT`, without a path."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    def env(self) -> dict[str, str]:
        """Base URLs and simulated keys for OpenAI, Anthropic and Gemini clients."""
        return env_for(self.base_url)

    def ground_truth(self) -> list[dict[str, Any]]:
        """Per-request records: request_id, path, model, status, received_ns and the
        written events ({written_ns, event, kind, tokens}), all `time.monotonic_ns()`;
        also request_headers (lower-case names, keys masked) and request_body (the
        decoded JSON, None when it was not JSON), to check what a client sent.

        Raises:
            RuntimeError: the simulator was not started with ground truth recording.
        """
        if self._ground_truth is None:
            raise RuntimeError("ground truth is recorded only by run_in_thread(ground_truth=True)")
        return self._ground_truth.snapshot()

    def clear_ground_truth(self) -> None:
        """Forget the records so far (between benchmark rounds)."""
        if self._ground_truth is not None:
            self._ground_truth.clear()


def bind_socket(host: str, port: int) -> socket.socket:
    """A listening TCP socket on host:port (0 = a free port).

    Raises:
        ModelduelError: the port is in use or the address cannot be bound.
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(2048)
    except OSError as exc:
        sock.close()
        if exc.errno == errno.EADDRINUSE:
            raise ModelduelError(
                f"port {port} on {host} is in use: {exc.strerror}; choose another with --port"
            ) from None
        raise ModelduelError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    sock.setblocking(False)
    return sock


def make_server(app: SimulatorApp, *, log_level: str = "warning") -> Any:
    """A uvicorn server for `app` (h11, no lifespan, no access log, no Server header)."""
    import uvicorn  # noqa: PLC0415 - only a process that serves needs uvicorn

    install_log_filter()
    config = uvicorn.Config(
        app,
        http="h11",
        lifespan="off",
        log_level=log_level,
        access_log=False,
        server_header=False,
        timeout_graceful_shutdown=2,
        log_config=None,
    )
    return uvicorn.Server(config)


def serve(
    host: str = "127.0.0.1",
    port: int = 0,
    seed: int = 0,
    *,
    profiles: ProfileOverrides | None = None,
) -> None:
    """Serve the simulator in the foreground until Ctrl+C.

    Prints the base URLs and the environment variables that point clients at it.
    `profiles` overrides profile fields per model id ({"gpt-5.5": {"ttft_ms": 500}}).

    Raises:
        ModelduelError: the port is in use (one line, named), cannot be bound, or a
            profile override is invalid.
    """
    checked = checked_profiles(profiles)
    sock = bind_socket(host, port)
    actual = sock.getsockname()[1]
    handle = SimulatorHandle(host, actual)
    server = make_server(SimulatorApp(seed=seed, profiles=checked))
    print(f"modelduel simulator on {handle.base_url} (seed {seed}); every answer is SIMULATED")
    print(f"  OpenAI Responses / Chat: {handle.base_url}/v1")
    print(f"  Anthropic Messages:      {handle.base_url}")
    print(f"  Gemini:                  {handle.base_url}")
    if host not in ("127.0.0.1", "localhost", "::1"):
        print(f"  warning: listening on {host}, not loopback only")
    print("Point clients at it:")
    for name, value in handle.env().items():
        print(f"  export {name}={value}")
    print("Ctrl+C to stop.", flush=True)
    try:
        server.run(sockets=[sock])
    except KeyboardInterrupt:
        pass
    finally:
        sock.close()


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
