"""Demo mode: point the built-in providers at a simulator child process.

Used by every front end. When no provider key at all is set, demo mode starts by
itself and says so, so a first run always shows something real.
"""

from __future__ import annotations

import contextlib
import os
import socket
import sys
import threading
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

from modelduel.errors import ModelduelError

if TYPE_CHECKING:
    from modelduel.config import Config

__all__ = [
    "LEAVE_TIMEOUT_S",
    "BackgroundDemo",
    "auto_demo_notice",
    "demo_environment",
    "demo_environment_in_background",
]


def auto_demo_notice() -> str:
    """What demo mode says when it starts by itself: the key variables come from the registry."""
    # the CLI parser imports this module and must not load pydantic (config's models)
    from modelduel.config import named_key_envs  # noqa: PLC0415

    return (
        f"no provider key is set ({', '.join(named_key_envs())}): "
        "running on the built-in SIMULATED providers. Set a key to use real models."
    )


@contextlib.contextmanager
def demo_environment(
    demo: bool, config: Config, *, announce: bool = True
) -> Iterator[dict[str, str]]:
    """The environment runs see: the real one, or one pointing at a simulator child process.

    Demo mode starts by itself when no provider key at all is set; `announce` prints
    the notice to stderr (a TUI shows it as a banner instead). The simulator process
    is stopped when the context ends, whatever happens.
    """
    from modelduel.config import any_key_set  # noqa: PLC0415 - as in auto_demo_notice

    env = dict(os.environ)
    if not demo and any_key_set(config, env):
        yield env
        return
    if not demo and announce:
        print(f"modelduel: {auto_demo_notice()}", file=sys.stderr)
    from modelduel.config import DEMO_ENV  # noqa: PLC0415
    from modelduel.simulator.child import start_in_child  # noqa: PLC0415 - only demo mode starts one

    with start_in_child(profiles=config.simulator or None) as simulator:
        env.update(simulator.env())
        env[DEMO_ENV] = "1"
        yield env


LEAVE_TIMEOUT_S = 2.0
"""How long quitting waits for a simulator child still starting; past it the child is left
to stop by itself (it exits when this process ends: its stdin reaches EOF)."""


class BackgroundDemo:
    """The runs' environment at once; the simulator child behind it starts on `start()`.

    In demo mode the listening socket is bound now, so the environment (base URLs with its
    port) is known before the child runs: the duel screen opens without waiting for the
    child, an interpreter importing uvicorn and the simulator (0.1-0.3 s on a loaded
    machine), and `start()` starts it on a thread after the first frame, where it no
    longer competes with the first frame for the cores. A run sent before it serves
    waits in the socket's backlog.
    """

    def __init__(self, env: dict[str, str], sock: socket.socket | None, config: Config) -> None:
        """`sock` is the bound socket (None: no demo mode, nothing to start)."""
        self.env = env
        """The environment runs see: the real one, or pointing at the simulator."""
        self._sock = sock
        self._profiles = config.simulator or None
        self._starter: threading.Thread | None = None
        self._closing = threading.Event()
        self._lock = threading.Lock()

    def start(self, on_failure: Callable[[str], None] | None = None) -> None:
        """Start the simulator child on a thread (once); `on_failure` is called on that
        thread with the one-line reason if it does not start."""
        with self._lock:
            sock, self._sock = self._sock, None
            if sock is None or self._closing.is_set():
                if sock is not None:
                    sock.close()
                return
            self._starter = threading.Thread(
                target=self._run, args=(sock, on_failure), name="modelduel-demo-start", daemon=True
            )
            self._starter.start()

    def _run(self, sock: socket.socket, on_failure: Callable[[str], None] | None) -> None:
        from modelduel.simulator.child import start_in_child  # noqa: PLC0415 - demo mode only

        context = start_in_child(profiles=self._profiles, sock=sock)
        try:
            context.__enter__()
        except Exception as exc:  # said by `on_failure`: the screen is up, no traceback
            sock.close()
            reason = str(exc) if isinstance(exc, ModelduelError) else f"{type(exc).__name__}: {exc}"
            if on_failure is not None and not self._closing.is_set():
                on_failure(reason)
            return
        # serve until the caller's stack closes (or at once, if it closed meanwhile)
        self._closing.wait()
        context.__exit__(None, None, None)

    def close(self, timeout_s: float = LEAVE_TIMEOUT_S) -> None:
        """Stop the child: wait for it at most `timeout_s` (a start that hangs must not
        hang quitting); a child still starting then stops itself when it has started."""
        with self._lock:
            self._closing.set()
            sock, self._sock = self._sock, None
            starter = self._starter
        if sock is not None:  # never started
            sock.close()
        if starter is not None:
            starter.join(timeout_s)


SIMULATED_KEYS = {
    "OPENAI_API_KEY": "sk-simulated-modelduel",
    "ANTHROPIC_API_KEY": "sk-ant-simulated-modelduel",
    "GEMINI_API_KEY": "AIzaSimulated-modelduel-key",
    "GOOGLE_API_KEY": "AIzaSimulated-modelduel-key",
}
"""`simulator.handle.SIMULATED_KEYS`, spelled here so the launch imports no simulator module
(tests/test_demo_background.py checks the two are the same)."""


def _simulator_env(base_url: str) -> dict[str, str]:
    """`simulator.handle.env_for(base_url)`, without importing the simulator (tested equal)."""
    return {
        "OPENAI_BASE_URL": f"{base_url}/v1",
        "ANTHROPIC_BASE_URL": base_url,
        "GOOGLE_GEMINI_BASE_URL": base_url,
        **SIMULATED_KEYS,
    }


def _bind_loopback() -> socket.socket:
    """A listening socket on a free loopback port, as `simulator.server.bind_socket` binds it.

    Raises:
        ModelduelError: no loopback port can be bound.
    """
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", 0))
        sock.listen(2048)
    except OSError as exc:
        sock.close()
        raise ModelduelError(f"cannot listen on 127.0.0.1:0: {exc.strerror or exc}") from None
    sock.setblocking(False)
    return sock


def demo_environment_in_background(
    stack: contextlib.ExitStack, demo: bool, config: Config, *, announce: bool = True
) -> BackgroundDemo:
    """`demo_environment`, its child started later (`BackgroundDemo.start`); `stack` stops
    it when it closes, also when the caller fails before starting it.

    Raises:
        ModelduelError: the `[simulator]` profile overrides are invalid, or no loopback
            port can be bound: said now, before any screen.
    """
    from modelduel.config import DEMO_ENV, any_key_set  # noqa: PLC0415 - as in auto_demo_notice

    env = dict(os.environ)
    if not demo and any_key_set(config, env):
        return BackgroundDemo(env, None, config)
    if not demo and announce:
        print(f"modelduel: {auto_demo_notice()}", file=sys.stderr)
    if config.simulator:
        # a bad override is said before the screen (only a config's [simulator] table
        # loads the simulator's profiles before the first frame)
        from modelduel.simulator.server import checked_profiles  # noqa: PLC0415

        checked_profiles(config.simulator)
    sock = _bind_loopback()
    env.update(_simulator_env(f"http://127.0.0.1:{sock.getsockname()[1]}"))
    env[DEMO_ENV] = "1"
    background = BackgroundDemo(env, sock, config)
    stack.callback(background.close)
    return background
