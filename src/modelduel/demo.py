"""Demo mode: point the built-in providers at a simulator child process.

Used by every front end. When no provider key at all is set, demo mode starts by
itself and says so, so a first run always shows something real.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from modelduel.config import Config

__all__ = ["auto_demo_notice", "demo_environment"]


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
    from modelduel.simulator import start_in_child  # noqa: PLC0415 - only demo mode starts one

    with start_in_child(profiles=config.simulator or None) as simulator:
        env.update(simulator.env())
        env[DEMO_ENV] = "1"
        yield env
