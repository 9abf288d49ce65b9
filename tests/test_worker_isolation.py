"""The worker's reader outlives a consumer whose callback fails (a CSV that cannot be written)."""

from __future__ import annotations

import asyncio

from modelduel.core.worker import ChildDuelRunner
from tests.support.replay_server import Script, running_server
from tests.test_engine_loopback import SECRET, Collect, chat_chunks, plan


async def test_a_failing_run_ended_callback_does_not_stop_the_reader() -> None:
    async with running_server(lambda r: Script(chat_chunks(["Hel", "lo"]))) as srv:
        sink = Collect()
        ended: list[str] = []

        def on_ended(run_id: str) -> None:
            ended.append(run_id)
            if run_id == "first":
                raise OSError(28, "No space left on device")  # the save failed

        child = ChildDuelRunner(sink, env={"OPENAI_API_KEY": SECRET}, on_run_ended=on_ended)
        await child.start([plan(srv.base, "first")])
        await asyncio.wait_for(child.wait(), 10)
        # the reader is still there: a later run streams and ends as usual
        await child.start([plan(srv.base, "second")])
        await asyncio.wait_for(child.wait(), 10)
        await child.aclose()
    assert ended == ["first", "second"]
    assert sink.stats("second").text == "Hello"
    assert len(child.callback_errors) == 1


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
        await asyncio.wait_for(child.wait(), 10)
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
        await asyncio.wait_for(child.wait(), 10)
        await child.aclose()
    s = sink.stats()
    assert s.error is not None and s.error.kind == "auth"
    assert "Incorrect API key provided: [redacted]" in s.error.message
    assert "T123" not in repr(sink.events) and "abcdef" not in repr(sink.events)
