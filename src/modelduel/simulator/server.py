"""Running the simulator in the foreground, and the parts every way of starting it shares:
the checked profile overrides, the listening socket, the uvicorn server, the start-up
timeout. A background thread is `thread`, a child process `child`; what a started
simulator is (its URL, the client environment) is `handle`.

uvicorn is imported only inside the function that makes a server, so importing
this module (as `modelduel.demo` does, through the package) stays cheap.
"""

from __future__ import annotations

import errno
import socket
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from modelduel.errors import ModelduelError
from modelduel.simulator.asgi import install_log_filter
from modelduel.simulator.handle import SimulatorHandle
from modelduel.simulator.profile_overrides import OverrideError, check_profile_overrides

if TYPE_CHECKING:
    from modelduel.simulator.app import SimulatorApp

__all__ = [
    "STARTUP_TIMEOUT_S",
    "ProfileOverrides",
    "bind_socket",
    "checked_profiles",
    "make_server",
    "serve",
]

STARTUP_TIMEOUT_S = 30.0
"""How long a starting server (in a thread or a child) may take to listen."""

ProfileOverrides = Mapping[str, Mapping[str, Any]]


def checked_profiles(profiles: ProfileOverrides | None) -> dict[str, dict[str, Any]]:
    """Per-model profile overrides checked; a bad one is a one-line `ModelduelError`."""
    try:
        return check_profile_overrides(profiles or {})
    except OverrideError as exc:
        raise ModelduelError(str(exc)) from None


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
    from modelduel.simulator.app import SimulatorApp  # noqa: PLC0415 - demo's parent needs no app

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
