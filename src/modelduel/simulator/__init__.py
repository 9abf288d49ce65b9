"""The provider simulator: the four wire protocols over real HTTP on loopback.

A local uvicorn server answers at the providers' real paths (`/v1/responses`,
`/v1/chat/completions`, `/v1/messages`, `/v1beta/models/{model}:streamGenerateContent`)
with their real headers checks, event sequences, usage reporting and error
bodies, with per-model latency profiles, faults on demand (including what a real
account meets: billing, permission, region, quota, unverified-organization and
rejected-parameter errors, silent reasoning, missing usage; see `faults`),
rate-limit headers, and answers of any length and shape (see `longform`). It writes the wire
formats from its own code and imports nothing from `modelduel.providers`, so it
cannot share a parser's bugs. Every answer is labelled as simulated.

Public API: `serve` (foreground), `start_in_child` (demo mode), `run_in_thread`
(tests and benchmarks, with optional ground-truth timing), `SimulatorHandle`.

The names load on first use (`__getattr__`): importing any submodule runs this
package's init, and demo mode's parent process needs only `child` and `handle`, not
the ASGI app and its wire writers (~85 ms, on the launch path before the first frame).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from modelduel.simulator.child import start_in_child
    from modelduel.simulator.handle import SIMULATED_KEYS, SimulatorHandle
    from modelduel.simulator.server import serve
    from modelduel.simulator.thread import run_in_thread

__all__ = ["SIMULATED_KEYS", "SimulatorHandle", "run_in_thread", "serve", "start_in_child"]

# public name -> the submodule that defines it
_HOMES = {
    "SIMULATED_KEYS": "handle",
    "SimulatorHandle": "handle",
    "run_in_thread": "thread",
    "serve": "server",
    "start_in_child": "child",
}


def __getattr__(name: str) -> Any:
    """A public name, imported from its submodule on first use (then cached here)."""
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{home}"), name)
    globals()[name] = value
    return value
