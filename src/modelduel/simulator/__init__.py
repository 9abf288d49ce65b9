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
"""

from __future__ import annotations

from modelduel.simulator.child import start_in_child
from modelduel.simulator.handle import SIMULATED_KEYS, SimulatorHandle
from modelduel.simulator.server import serve
from modelduel.simulator.thread import run_in_thread

__all__ = ["SIMULATED_KEYS", "SimulatorHandle", "run_in_thread", "serve", "start_in_child"]
