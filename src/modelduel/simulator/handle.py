"""A running simulator as the code that started it sees it: where it listens, the
environment that points clients at it (the simulated keys, the base-URL variables), and
(in-thread) the ground-truth records.

Starting one is elsewhere: `server` (foreground), `thread` (a background thread),
`child` (a child process).
"""

from __future__ import annotations

from typing import Any

from modelduel.simulator.groundtruth import GroundTruth

__all__ = ["SIMULATED_KEYS", "SimulatorHandle", "env_for"]

SIMULATED_KEYS = {
    "OPENAI_API_KEY": "sk-simulated-modelduel",
    "ANTHROPIC_API_KEY": "sk-ant-simulated-modelduel",
    "GEMINI_API_KEY": "AIzaSimulated-modelduel-key",
    # The Gemini SDK (and modelduel) prefer GOOGLE_API_KEY when both are set: a real key
    # in the environment must not be the one sent to the simulator.
    "GOOGLE_API_KEY": "AIzaSimulated-modelduel-key",
}


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
