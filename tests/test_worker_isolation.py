"""The worker's reader outlives a consumer whose callback fails (a CSV that cannot be written),
and the worker's own failures go to modelduel's log file, never onto the terminal."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from modelduel.core.worker import LOG_ROTATE_BYTES, ChildDuelRunner, _open_log
from tests.support.replay_server import Script, running_server
from tests.test_engine_loopback import SECRET, Collect, chat_chunks, plan


async def test_a_failing_run_ended_callback_does_not_stop_the_reader(
    tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    log = tmp_path / "modelduel.log"
    async with running_server(lambda r: Script(chat_chunks(["Hel", "lo"]))) as srv:
        sink = Collect()
        ended: list[str] = []

        def on_ended(run_id: str) -> None:
            ended.append(run_id)
            if run_id == "first":
                raise OSError(28, "No space left on device")  # the save failed

        child = ChildDuelRunner(
            sink, env={"OPENAI_API_KEY": SECRET}, on_run_ended=on_ended, log_path=log
        )
        await child.start([plan(srv.base, "first")])
        await asyncio.wait_for(child.wait(), 60)
        # the reader is still there: a later run streams and ends as usual
        await child.start([plan(srv.base, "second")])
        await asyncio.wait_for(child.wait(), 60)
        await child.aclose()
    assert ended == ["first", "second"]
    assert sink.stats("second").text == "Hello"
    assert len(child.callback_errors) == 1
    # logged with its traceback to the log file, not to stderr (the TUI's screen)
    text = log.read_text(encoding="utf-8")
    assert "ERROR a duel callback failed; the runs carry on" in text
    assert "Traceback" in text and "No space left on device" in text
    assert "No space left" not in capfd.readouterr().err


async def test_a_failing_sink_does_not_stop_the_reader() -> None:
    async with running_server(lambda r: Script(chat_chunks(["a", "b", "c"]))) as srv:
        seen: list[str] = []

        def sink(run_id: str, stamped: object) -> None:
            seen.append(run_id)
            if len(seen) == 2:
                raise ValueError("a consumer bug")

        ended: list[str] = []
        child = ChildDuelRunner(sink, env={"OPENAI_API_KEY": SECRET}, on_run_ended=ended.append)
        await child.start([plan(srv.base, "r1")])
        await asyncio.wait_for(child.wait(), 60)
        await child.aclose()
    assert ended == ["r1"] and len(seen) > 2


async def test_a_key_echoed_by_a_provider_never_reaches_the_parent() -> None:
    from tests.test_engine_loopback import openai_error

    body = openai_error(
        "Incorrect API key provided: sk-test-*****T123. Or use Bearer abcdef.ghijkl.",
        "invalid_request_error",
        "invalid_api_key",
    )
    script = Script([(0, body)], status=401, content_type="application/json")
    async with running_server(lambda r: script) as srv:
        sink = Collect()
        child = ChildDuelRunner(sink, env={"OPENAI_API_KEY": SECRET})
        await child.start([plan(srv.base)])
        await asyncio.wait_for(child.wait(), 60)
        await child.aclose()
    s = sink.stats()
    assert s.error is not None and s.error.kind == "auth"
    assert "Incorrect API key provided: [redacted]" in s.error.message
    assert "T123" not in repr(sink.events) and "abcdef" not in repr(sink.events)


async def test_a_worker_crash_is_logged_to_its_file_and_never_onto_the_terminal(
    tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    # capfd captures file descriptor 2 itself, which a child would inherit: if the worker
    # still wrote its traceback to the terminal, it would show up here
    log = tmp_path / "state" / "modelduel.log"
    sink = Collect()
    ended: list[str] = []
    child = ChildDuelRunner(sink, on_run_ended=ended.append, log_path=log)
    await child.open()
    child._pending.add("r1")
    child._idle.clear()
    await child._send({"op": "start", "runs": [{"run_id": "r1"}]})  # a plan the worker cannot read
    await asyncio.wait_for(child.wait(), 60)
    await child.aclose()
    text = log.read_text()
    assert "the duel worker crashed" in text and "Traceback" in text and "KeyError" in text
    assert "Traceback" not in capfd.readouterr().err
    s = sink.stats("r1")
    assert ended == ["r1"] and s.status == "failed" and s.error is not None
    assert s.error.message == (
        f"the duel worker process ended unexpectedly (exit status 1); its log: {log}"
    )


async def test_a_killed_worker_names_the_signal_and_the_log(tmp_path: Path) -> None:
    log = tmp_path / "modelduel.log"
    sink = Collect()
    child = ChildDuelRunner(sink, log_path=log)
    await child.open()
    child._pending.add("r1")
    child._idle.clear()
    child._proc.kill()  # type: ignore[union-attr]
    await asyncio.wait_for(child.wait(), 60)
    await child.aclose()
    error = sink.stats("r1").error
    assert error is not None and "(killed by SIGKILL)" in error.message
    assert str(log) in error.message


def test_a_big_log_is_rotated_and_an_unwritable_one_does_not_stop_a_duel(tmp_path: Path) -> None:
    log = tmp_path / "modelduel.log"
    log.write_bytes(b"x" * (LOG_ROTATE_BYTES + 1))
    handle = _open_log(log)
    assert handle is not None
    handle.close()
    assert log.stat().st_size == 0
    assert (tmp_path / "modelduel.log.1").stat().st_size == LOG_ROTATE_BYTES + 1
    blocker = tmp_path / "file"
    blocker.write_text("")
    assert _open_log(blocker / "modelduel.log") is None  # parent is a file: OSError, no crash
