"""The demo simulator starts on a thread while the duel screen loads: the env
`demo.demo_environment_in_background` gives points at a live simulator, and the child is
stopped when the caller's stack closes, whether the caller waited for it, failed before
waiting, or it failed to start."""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest

from modelduel import demo
from modelduel.config import DEMO_ENV, Config
from modelduel.errors import ModelduelError


def _accepts(url: str) -> bool:
    parts = urlsplit(url)
    with (
        contextlib.suppress(OSError),
        socket.create_connection((parts.hostname, parts.port), timeout=2),
    ):
        return True
    return False


def test_the_env_points_at_a_running_simulator_until_the_stack_closes() -> None:
    with contextlib.ExitStack() as stack:
        wait = demo.demo_environment_in_background(stack, True, Config(), announce=False)
        env = wait()
        assert env[DEMO_ENV] == "1"
        assert _accepts(env["OPENAI_BASE_URL"])
    assert not _accepts(env["OPENAI_BASE_URL"])  # the child was stopped


class Recorded:
    def __init__(self, fail: bool = False) -> None:
        self.fail = fail
        self.events: list[str] = []
        self.entering = threading.Event()

    @contextlib.contextmanager
    def __call__(
        self, demo_on: bool, config: Config, *, announce: bool = True
    ) -> Iterator[dict[str, str]]:
        self.events.append(f"enter on {threading.current_thread().name}")
        if self.fail:
            raise ModelduelError("the provider simulator did not start: exited")
        try:
            yield {"MODELDUEL_DEMO": "1"}
        finally:
            self.events.append("exit")


def test_a_caller_failing_before_it_waits_still_stops_the_simulator(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    fake = Recorded()
    monkeypatch.setattr(demo, "demo_environment", fake)
    with pytest.raises(RuntimeError), contextlib.ExitStack() as stack:
        demo.demo_environment_in_background(stack, True, Config())
        raise RuntimeError("a user mistake found while the simulator starts")
    assert fake.events == ["enter on modelduel-demo-start", "exit"]


def test_a_simulator_that_does_not_start_is_the_callers_error_at_its_wait(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(demo, "demo_environment", Recorded(fail=True))
    with contextlib.ExitStack() as stack:
        wait = demo.demo_environment_in_background(stack, True, Config())
        with pytest.raises(ModelduelError, match="did not start"):
            wait()
