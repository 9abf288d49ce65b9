"""Demo mode opens the duel screen without waiting for the simulator child:
`demo.demo_environment_in_background` binds the listening socket at once (the runs'
environment knows its port), the child starts on `start()` (after the first frame) and
serves on that socket, and the caller's stack stops it: also when it was never started,
when it failed to start (said by `on_failure`), and, bounded, when its start hangs."""

from __future__ import annotations

import contextlib
import http.client
import socket
import threading
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest

from modelduel import demo
from modelduel.config import DEMO_ENV, Config
from modelduel.errors import ModelduelError
from modelduel.simulator import child


def _accepts(url: str) -> bool:
    parts = urlsplit(url)
    with (
        contextlib.suppress(OSError),
        socket.create_connection((parts.hostname, parts.port), timeout=2),
    ):
        return True
    return False


def _status(url: str) -> int:
    """The HTTP status of a GET to `url`: any status means a server answered."""
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=30)
    try:
        connection.request("GET", f"{parts.path}/models")
        return connection.getresponse().status
    finally:
        connection.close()


def test_the_env_is_known_before_the_child_starts_and_served_by_it_once_started() -> None:
    with contextlib.ExitStack() as stack:
        background = demo.demo_environment_in_background(stack, True, Config(), announce=False)
        env = background.env
        assert env[DEMO_ENV] == "1"
        # before start() the socket is bound and listening: a request waits in its backlog
        assert _accepts(env["OPENAI_BASE_URL"])
        answered: list[int] = []
        early = threading.Thread(target=lambda: answered.append(_status(env["OPENAI_BASE_URL"])))
        early.start()
        failures: list[str] = []
        background.start(failures.append)
        early.join(30)
        assert answered, failures  # the request sent before the child started is answered
    assert not _accepts(env["OPENAI_BASE_URL"])  # the child was stopped


def test_a_simulator_never_started_leaves_no_socket() -> None:
    with contextlib.ExitStack() as stack:
        env = demo.demo_environment_in_background(stack, True, Config()).env
        assert _accepts(env["OPENAI_BASE_URL"])
    assert not _accepts(env["OPENAI_BASE_URL"])


def test_a_bad_simulator_override_is_said_before_any_screen() -> None:
    config = Config(simulator={"gpt-5.5": {"ttft_ms": "soon"}})
    with contextlib.ExitStack() as stack, pytest.raises(ModelduelError, match="ttft_ms"):
        demo.demo_environment_in_background(stack, True, config)


def test_with_a_key_set_and_no_demo_nothing_is_bound(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
    with contextlib.ExitStack() as stack:
        background = demo.demo_environment_in_background(stack, False, Config())
        background.start()  # nothing to start
        assert DEMO_ENV not in background.env
        assert background.env["OPENAI_API_KEY"] == "sk-test"


class FakeChild:
    """`start_in_child` that fails, or blocks in its start until released."""

    def __init__(self, *, fail: bool = False) -> None:
        self.fail = fail
        self.release = threading.Event()
        self.events: list[str] = []

    @contextlib.contextmanager
    def __call__(self, **kwargs: Any) -> Iterator[object]:
        self.events.append("enter")
        if self.fail:
            raise ModelduelError("the provider simulator did not start: exited")
        self.release.wait(30)
        try:
            yield object()
        finally:
            self.events.append("exit")


def test_a_child_that_does_not_start_is_said_by_on_failure(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(child, "start_in_child", FakeChild(fail=True))
    failures: list[str] = []
    with contextlib.ExitStack() as stack:
        background = demo.demo_environment_in_background(stack, True, Config())
        background.start(failures.append)
        assert background._starter is not None
        background._starter.join(30)
    assert failures == ["the provider simulator did not start: exited"]


def test_quitting_waits_a_bounded_time_for_a_start_that_hangs(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    fake = FakeChild()
    monkeypatch.setattr(child, "start_in_child", fake)
    background = demo.demo_environment_in_background(contextlib.ExitStack(), True, Config())
    background.start()
    background.close(timeout_s=0.05)  # returns although the start still hangs
    starter = background._starter
    assert starter is not None and starter.is_alive() and fake.events == ["enter"]
    fake.release.set()  # the start ends late: the child is stopped at once, not leaked
    starter.join(30)
    assert fake.events == ["enter", "exit"]
