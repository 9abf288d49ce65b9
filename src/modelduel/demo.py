"""Demo mode: point the built-in providers at a simulator child process.

Used by every front end. When no provider key at all is set, demo mode starts by
itself and says so, so a first run always shows something real.
"""

from __future__ import annotations

import contextlib
import os
import sys
import threading
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from modelduel.config import Config

__all__ = ["auto_demo_notice", "demo_environment", "demo_environment_in_background"]


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


def demo_environment_in_background(
    stack: contextlib.ExitStack, demo: bool, config: Config, *, announce: bool = True
) -> Callable[[], dict[str, str]]:
    """`demo_environment`, entered on a thread now; the call returned waits for its env.

    The simulator child takes about as long to start as the duel screen takes to load
    (an interpreter importing uvicorn and the simulator): started here, before the
    screen's own imports, it starts meanwhile instead of after them, while the caller
    waits for it only where the runs' environment is needed. `stack` leaves the context
    (stops the child) when it closes, also when the caller fails before waiting.

    Raises (from the returned call):
        ModelduelError: the simulator did not start (as `demo_environment`).
    """
    context = demo_environment(demo, config, announce=announce)
    entered: list[dict[str, str]] = []
    failed: list[BaseException] = []

    def enter() -> None:
        try:
            entered.append(context.__enter__())
        except Exception as exc:  # re-raised on the caller's thread, by `wait`
            failed.append(exc)

    starter = threading.Thread(target=enter, name="modelduel-demo-start", daemon=True)
    starter.start()

    def leave() -> None:
        starter.join()
        if entered:
            context.__exit__(None, None, None)

    stack.callback(leave)

    def wait() -> dict[str, str]:
        starter.join()
        if not entered:
            raise failed[0] if failed else RuntimeError("the demo environment did not start")
        return entered[0]

    return wait
