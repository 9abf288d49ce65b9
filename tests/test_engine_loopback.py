"""The whole engine path over real HTTP on 127.0.0.1: adapters, HTTP shell, runner, meter."""

from __future__ import annotations

import asyncio
import json
import time

import pytest

from modelduel.core.duel import ClientPool, DuelRunner, RunPlan
from modelduel.core.meter import StreamMeter
from modelduel.core.metrics import StreamStats
from modelduel.core.worker import ChildDuelRunner
from modelduel.events import RequestSent, Stamped
from modelduel.providers.base import ModelRequest
from modelduel.providers.http import StreamTarget, Timeouts
from modelduel.providers.refusals import forget_refused_params
from tests.support.canned import chat_stream, responses_stream
from tests.support.replay_server import Received, Script, running_server, sse

SECRET = "sk-test-SECRET-never-shown-0123456789"


def chat_chunks(texts: list[str], *, delay: float = 0.0, first_delay: float = 0.0) -> list:
    """A Chat Completions stream: role chunk, content chunks, finish, usage, [DONE]."""
    base = {"id": "c1", "object": "chat.completion.chunk", "model": "m"}
    events = [(None, {**base, "choices": [{"index": 0, "delta": {"role": "assistant"}}]})]
    for t in texts:
        events.append((None, {**base, "choices": [{"index": 0, "delta": {"content": t}}]}))
    events.append((None, {**base, "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]}))
    usage = {"prompt_tokens": 11, "completion_tokens": len(texts), "total_tokens": 11 + len(texts)}
    events.append((None, {**base, "choices": [], "usage": usage}))
    events.append((None, "[DONE]"))
    frames = sse(*events)
    # the role chunk goes out at once; the first content chunk after `first_delay`
    return [(0.0, frames[0]), (first_delay, frames[1])] + [(delay, f) for f in frames[2:]]


def plan(server_base: str, run_id: str = "r1", key: str | None = SECRET, **kw: object) -> RunPlan:
    target = StreamTarget(
        kind="openai-chat",
        base_url=f"{server_base}/v1",
        api_key=lambda: key,
        key_env="OPENAI_API_KEY",
    )
    return RunPlan(run_id, "local", target, ModelRequest(model_id="m", prompt="hi", **kw))  # type: ignore[arg-type]


def openai_error(message: str, type_: str, code: str) -> bytes:
    error = {"message": message, "type": type_, "param": None, "code": code}
    return json.dumps({"error": error}).encode()


class Collect:
    def __init__(self) -> None:
        self.meters: dict[str, StreamMeter] = {}
        self.events: dict[str, list[Stamped]] = {}

    def __call__(self, run_id: str, stamped: Stamped) -> None:
        self.meters.setdefault(run_id, StreamMeter()).observe(stamped)
        self.events.setdefault(run_id, []).append(stamped)

    def stats(self, run_id: str = "r1") -> StreamStats:
        return self.meters[run_id].stats()


async def run_plans(plans: list[RunPlan], **kw: object) -> Collect:
    sink = Collect()
    pool = ClientPool(Timeouts(connect=2, stall=5))
    try:
        await DuelRunner(sink, pool, **kw).run(plans)  # type: ignore[arg-type]
    finally:
        await pool.aclose()
    return sink


async def test_ttft_matches_the_servers_write_time() -> None:
    async with running_server(
        lambda r: Script(chat_chunks(["Hel", "lo"], first_delay=0.15))
    ) as srv:
        sink = await run_plans([plan(srv.base)])
    s = sink.stats()
    truth = srv.requests[0]
    assert s.status == "done" and s.text == "Hello" and s.finish_reason == "stop"
    assert s.input_tokens == 11 and s.output_tokens == 2 and s.tokens_exact
    true_ttft = (truth.written_ns[1] - truth.received_ns) / 1e9
    assert s.ttft_s is not None and s.ttft_s >= 0.15
    # generous bound for a noisy shared machine; bench/bench_engine.py measures the real error
    assert abs(s.ttft_s - true_ttft) < 0.05
    assert s.time_to_first_useful_s == s.ttft_s


async def test_request_body_and_auth_header() -> None:
    async with running_server(lambda r: Script(chat_chunks(["x"]))) as srv:
        await run_plans([plan(srv.base, max_output_tokens=50, system="sys")])
    got = srv.requests[0]
    assert got.path == "/v1/chat/completions"
    assert got.headers["authorization"] == f"Bearer {SECRET}"
    body = got.json()
    assert isinstance(body, dict)
    assert body["stream"] is True and body["stream_options"] == {"include_usage": True}
    assert body["messages"][0] == {"role": "system", "content": "sys"}


async def test_missing_key_fails_that_model_only() -> None:
    async with running_server(lambda r: Script(chat_chunks(["ok"]))) as srv:
        sink = await run_plans([plan(srv.base, "a", key=None), plan(srv.base, "b")])
    a, b = sink.stats("a"), sink.stats("b")
    assert a.status == "failed" and a.error is not None
    assert a.error.kind == "missing_key" and a.error.message == "OPENAI_API_KEY is not set"
    assert b.status == "done" and b.text == "ok"
    assert len(srv.requests) == 1


async def test_http_401_names_the_provider_and_never_the_key() -> None:
    body = openai_error("Incorrect API key provided.", "invalid_request_error", "invalid_api_key")
    script = Script([(0, body)], status=401, content_type="application/json")
    async with running_server(lambda r: script) as srv:
        sink = await run_plans([plan(srv.base)])
    s = sink.stats()
    assert s.error is not None and s.error.kind == "auth" and s.error.status == 401
    assert "invalid API key" in s.error.message and "Incorrect API key" in s.error.message
    assert SECRET not in repr(sink.events) and SECRET not in s.error.message


async def test_429_with_retry_after_is_retried_only_when_asked() -> None:
    body = openai_error("Rate limit reached", "requests", "rate_limit_exceeded")
    scripts = iter(
        [
            Script(
                [(0, body)],
                status=429,
                headers={"retry-after": "7"},
                content_type="application/json",
            ),
            Script(chat_chunks(["fine"])),
        ]
    )
    slept: list[float] = []

    async def fake_sleep(s: float) -> None:
        slept.append(s)

    async with running_server(lambda r: next(scripts)) as srv:
        sink = await run_plans([plan(srv.base)], retries=2, sleep=fake_sleep)
    s = sink.stats()
    assert slept == [7.0]
    assert s.status == "done" and s.text == "fine" and s.retries == 1

    async with running_server(
        lambda r: Script(
            [(0, body)], status=429, headers={"retry-after": "7"}, content_type="application/json"
        )
    ) as srv:
        sink = await run_plans([plan(srv.base)])
    s = sink.stats()
    assert s.error is not None and s.error.kind == "rate_limited" and s.error.retry_after_s == 7.0
    assert len(srv.requests) == 1  # no silent retry on a measured run


async def test_dropped_connection_keeps_partial_text() -> None:
    script = Script(chat_chunks(["par", "tial", "never"]), drop_after=3)
    async with running_server(lambda r: script) as srv:
        sink = await run_plans([plan(srv.base)])
    s = sink.stats()
    assert s.status == "failed" and s.error is not None and s.error.kind == "connection"
    assert s.text == "partial"


async def test_stall_timeout_between_events() -> None:
    chunks = chat_chunks(["a", "b"])
    chunks[2] = (1.5, chunks[2][1])  # silence before the second content chunk
    async with running_server(lambda r: Script(chunks)) as srv:
        sink = await run_plans([plan(srv.base)], stall_timeout_s=0.3)
    s = sink.stats()
    assert s.error is not None and s.error.kind == "stall"
    assert s.error.message == "no data for 0.3 s after the first token"
    assert s.text == "a"


async def test_keepalives_alone_end_at_the_overall_timeout() -> None:
    pings = [(0.05, b": keep-alive\n\n") for _ in range(200)]
    async with running_server(lambda r: Script(pings)) as srv:
        sink = await run_plans([plan(srv.base)], timeout_s=0.4, stall_timeout_s=0.3)
    s = sink.stats()
    assert s.error is not None and s.error.kind == "timeout"
    assert s.ttft_s is None


async def test_one_slow_model_never_holds_up_another() -> None:
    def route(r: Received) -> Script:
        slow = len([x for x in srv.requests if x is not r]) == 0
        return Script(chat_chunks(["slow"], first_delay=0.6 if slow else 0.0))

    async with running_server(route) as srv:
        sink = await run_plans([plan(srv.base, "slow"), plan(srv.base, "fast")])
    fast, slow = sink.stats("fast"), sink.stats("slow")
    assert fast.wall_time_s is not None and slow.wall_time_s is not None
    assert fast.wall_time_s < 0.4 < slow.wall_time_s


async def test_cancel_one_run_keeps_its_partial_text() -> None:
    chunks = chat_chunks(["first", "second"])
    chunks[2] = (5.0, chunks[2][1])
    async with running_server(lambda r: Script(chunks)) as srv:
        sink = Collect()
        pool = ClientPool()
        runner = DuelRunner(sink, pool)
        tasks = runner.start([plan(srv.base)])
        while "r1" not in sink.meters or sink.stats().text != "first":
            await asyncio.sleep(0.01)
        assert runner.cancel("r1")
        await asyncio.gather(*tasks)
        await pool.aclose()
    s = sink.stats()
    assert s.status == "cancelled" and s.text == "first" and s.finish_reason == "cancelled"


async def test_connection_is_reused_and_connect_time_reported() -> None:
    async with running_server(lambda r: Script(chat_chunks(["x"]))) as srv:
        sink = Collect()
        pool = ClientPool()
        runner = DuelRunner(sink, pool)
        await runner.run([plan(srv.base, "one")])
        await runner.run([plan(srv.base, "two")])
        await pool.aclose()
    first, second = sink.stats("one"), sink.stats("two")
    assert first.connect_s is not None and first.connect_s > 0
    assert second.connect_s == 0
    assert srv.connections == 1


async def test_child_process_runner_reports_the_same_events() -> None:
    async with running_server(lambda r: Script(chat_chunks(["Hel", "lo"], first_delay=0.1))) as srv:
        sink = Collect()
        ended: list[str] = []
        child = ChildDuelRunner(sink, env={"OPENAI_API_KEY": SECRET}, on_run_ended=ended.append)
        p = plan(srv.base)
        target = StreamTarget(
            "openai-chat", p.target.base_url, lambda: None, "OPENAI_API_KEY", True
        )
        await child.start([RunPlan("r1", "local", target, p.request)])
        await asyncio.wait_for(child.wait(), 60)
        await child.aclose()
    s = sink.stats()
    assert ended == ["r1"]
    assert s.text == "Hello" and s.status == "done"
    truth = srv.requests[0]
    assert truth.headers["authorization"] == f"Bearer {SECRET}"  # read from the child's env
    assert s.ttft_s is not None
    assert abs(s.ttft_s - (truth.written_ns[1] - truth.received_ns) / 1e9) < 0.05


async def test_child_process_cancel() -> None:
    chunks = chat_chunks(["first", "second"])
    chunks[2] = (10.0, chunks[2][1])
    async with running_server(lambda r: Script(chunks)) as srv:
        sink = Collect()
        child = ChildDuelRunner(sink, env={"OPENAI_API_KEY": SECRET})
        await child.start([plan(srv.base)])
        deadline = time.monotonic() + 10
        while (
            "r1" not in sink.meters or sink.stats().text != "first"
        ) and time.monotonic() < deadline:
            await asyncio.sleep(0.01)
        await child.cancel("r1")
        await asyncio.wait_for(child.wait(), 60)
        await child.aclose()
    s = sink.stats()
    assert s.status == "cancelled" and s.text == "first"


@pytest.mark.parametrize("crlf", [False, True])
async def test_utf8_split_across_network_chunks(crlf: bool) -> None:
    frame = sse(
        (None, {"choices": [{"index": 0, "delta": {"content": "naïve — ok\u2028end"}}]}), crlf=crlf
    )[0]
    cut = frame.index("ï".encode()) + 1  # inside the two-byte character
    done = sse(
        (None, {"choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]}),
        (None, "[DONE]"),
        crlf=crlf,
    )
    chunks = [(0.0, frame[:cut]), (0.01, frame[cut:])] + [(0.0, f) for f in done]
    async with running_server(lambda r: Script(chunks)) as srv:
        sink = await run_plans([plan(srv.base)])
    assert sink.stats().text == "naïve — ok\u2028end"


async def test_child_process_killed_mid_run_fails_the_run_instead_of_hanging() -> None:
    chunks = chat_chunks(["first", "second"])
    chunks[2] = (10.0, chunks[2][1])
    async with running_server(lambda r: Script(chunks)) as srv:
        sink = Collect()
        ended: list[str] = []
        child = ChildDuelRunner(sink, env={"OPENAI_API_KEY": SECRET}, on_run_ended=ended.append)
        await child.start([plan(srv.base)])
        deadline = time.monotonic() + 10
        while (
            "r1" not in sink.meters or sink.stats().text != "first"
        ) and time.monotonic() < deadline:
            await asyncio.sleep(0.01)
        child._proc.kill()  # type: ignore[union-attr]  # a crash of the worker
        await asyncio.wait_for(child.wait(), 60)
        await child.aclose()
    s = sink.stats()
    assert ended == ["r1"]
    assert s.status == "failed" and s.text == "first"
    assert s.error is not None and "worker process ended" in s.error.message


# ---------------------------------------------------------------- real-account behaviours

UNVERIFIED = json.dumps(
    {
        "error": {
            "message": "Your organization must be verified to generate reasoning summaries.",
            "type": "invalid_request_error",
            "param": "reasoning.summary",
            "code": "unsupported_value",
        }
    }
).encode()


def responses_plan(base: str, run_id: str = "r1", **kw: object) -> RunPlan:
    target = StreamTarget(
        kind="openai", base_url=f"{base}/v1", api_key=lambda: SECRET, key_env="OPENAI_API_KEY"
    )
    request = ModelRequest(model_id="gpt-5.5", prompt="hi", **kw)  # type: ignore[arg-type]
    return RunPlan(run_id, "openai", target, request)


def unverified_org(r: Received) -> Script:
    body = r.json()
    assert isinstance(body, dict)
    if "summary" in body.get("reasoning", {}):
        return Script([(0.05, UNVERIFIED)], status=400, content_type="application/json")
    return Script(responses_stream("fine"))


@pytest.fixture(autouse=True)
def _fresh_process_memory() -> None:
    forget_refused_params()


async def test_unverified_org_resends_without_summary_at_once_and_says_so_once() -> None:
    async with running_server(unverified_org) as srv:
        sink = await run_plans([responses_plan(srv.base, reasoning_effort="high")])
        later = await run_plans([responses_plan(srv.base, "r2", reasoning_effort="high")])
    s = sink.stats()
    assert s.error is None and s.text == "fine" and s.retries == 0
    first, resent, third = (r.json() for r in srv.requests)
    assert first["reasoning"] == {"effort": "high", "summary": "auto"}  # type: ignore[index]
    assert resent["reasoning"] == {"effort": "high"}  # type: ignore[index]  # the user's kept
    assert s.notices == (
        "reasoning summaries need a verified OpenAI organization: "
        "showing reasoning token counts only",
    )
    # "request sent" is the resent request's: the refused one never started
    sent = [e.t_ns for e in sink.events["r1"] if isinstance(e.event, RequestSent)]
    assert len(sent) == 1 and sent[0] > srv.requests[0].received_ns
    # remembered for the process: the next run asks once, without it, and says nothing
    assert third["reasoning"] == {"effort": "high"}  # type: ignore[index]
    assert len(srv.requests) == 3
    assert later.stats("r2").notices == () and later.stats("r2").text == "fine"


async def test_a_parameter_the_user_configured_is_never_dropped() -> None:
    refused = json.dumps(
        {"error": {"message": "bad effort", "type": "x", "param": "reasoning.effort"}}
    ).encode()
    async with running_server(
        lambda r: Script([(0, refused)], status=400, content_type="application/json")
    ) as srv:
        sink = await run_plans([responses_plan(srv.base, reasoning_effort="xhigh")])
    s = sink.stats()
    assert len(srv.requests) == 1
    assert s.error is not None and s.error.kind == "bad_request" and "bad effort" in s.error.message


async def test_config_sets_unverified_org_up_front() -> None:
    async with running_server(unverified_org) as srv:
        sink = await run_plans([responses_plan(srv.base, omit_params=("reasoning.summary",))])
    assert len(srv.requests) == 1 and sink.stats().text == "fine"
    assert sink.stats().notices == ()


async def test_silent_reasoning_longer_than_the_stall_timeout_is_not_a_stall() -> None:
    # 1.0 s of silence before the first token, with a 0.3 s stall limit: the model thinks
    async with running_server(lambda r: Script(chat_chunks(["answer"], first_delay=1.0))) as srv:
        sink = await run_plans([plan(srv.base)], stall_timeout_s=0.3, timeout_s=10)
    s = sink.stats()
    assert s.error is None and s.text == "answer"
    assert s.ttft_s is not None and s.ttft_s >= 0.9


async def test_silence_before_the_first_token_ends_at_the_overall_timeout() -> None:
    async with running_server(lambda r: Script(chat_chunks(["x"], first_delay=5.0))) as srv:
        sink = await run_plans([plan(srv.base)], stall_timeout_s=0.2, timeout_s=0.8)
    s = sink.stats()
    assert s.error is not None and s.error.kind == "timeout"


def error_script(status: int, headers: dict[str, str] | None = None) -> Script:
    body = openai_error("busy", "server_error", "server_error")
    return Script(
        [(0, body)], status=status, headers=headers or {}, content_type="application/json"
    )


@pytest.mark.parametrize("status", [408, 409, 429, 500, 503, 529])
async def test_sdk_retryable_statuses_are_retried_with_jittered_backoff(status: int) -> None:
    slept: list[float] = []

    async def sleep(s: float) -> None:
        slept.append(s)

    def route(r: Received) -> Script:
        return error_script(status) if len(srv.requests) == 1 else Script(chat_chunks(["ok"]))

    async with running_server(route) as srv:
        sink = await run_plans([plan(srv.base)], retries=2, sleep=sleep, rng=lambda: 1.0)
    assert sink.stats().text == "ok" and sink.stats().retries == 1
    assert slept == [0.375]  # 0.5 s less the largest jitter (25 %)


async def test_x_should_retry_false_is_obeyed() -> None:
    async with running_server(lambda r: error_script(503, {"x-should-retry": "false"})) as srv:
        sink = await run_plans([plan(srv.base)], retries=3, sleep=_no_sleep)
    assert len(srv.requests) == 1 and sink.stats().error is not None


async def test_x_should_retry_true_retries_a_status_that_would_not_be() -> None:
    async with running_server(lambda r: error_script(400, {"x-should-retry": "true"})) as srv:
        await run_plans([plan(srv.base)], retries=1, sleep=_no_sleep)
    assert len(srv.requests) == 2


async def test_retry_after_over_the_cap_is_reported_not_waited() -> None:
    async with running_server(lambda r: error_script(429, {"retry-after": "3600"})) as srv:
        sink = await run_plans([plan(srv.base)], retries=3, sleep=_no_sleep)
    s = sink.stats()
    assert len(srv.requests) == 1
    assert s.error is not None and s.error.retry_after_s == 3600
    assert "asks to wait 3600 s" in s.error.message and "not retried" in s.error.message


async def _no_sleep(s: float) -> None:
    return None


async def test_openai_org_and_project_headers_are_sent_as_the_sdk_sends_them() -> None:
    from modelduel.config import Config, resolve_model
    from modelduel.core.session import DuelState

    async with running_server(lambda r: Script(responses_stream())) as srv:
        env = {
            "OPENAI_API_KEY": SECRET,
            "OPENAI_BASE_URL": f"{srv.base}/v1",
            "OPENAI_ORG_ID": "org-abc",
            "OPENAI_PROJECT_ID": "proj_xyz",
        }
        state = DuelState.create([resolve_model("openai/gpt-5.5", Config(), env)], "hi", None)
        await run_plans(state.plans())
    headers = srv.requests[0].headers
    assert headers["openai-organization"] == "org-abc"
    assert headers["openai-project"] == "proj_xyz"


async def test_chat_errors_name_the_configured_provider() -> None:
    body = openai_error("model 'x' not found", "not_found", "model_not_found")
    async with running_server(
        lambda r: Script([(0, body)], status=404, content_type="application/json")
    ) as srv:
        p = plan(srv.base)
        target = StreamTarget("openai-chat", p.target.base_url, lambda: None, None, False, "ollama")
        sink = await run_plans([RunPlan("r1", "ollama", target, p.request)])
    message = sink.stats().error.message  # type: ignore[union-attr]
    assert "ollama" in message and "openai" not in message


async def test_a_chat_server_without_usage_gives_an_estimate_and_an_unknown_cost() -> None:
    from modelduel.core.pricing import price_run

    async with running_server(
        lambda r: Script(chat_stream("four words of text", usage=False))
    ) as srv:
        sink = Collect()
        sink.meters["r1"] = StreamMeter(price=lambda u: price_run("openai-chat", "gpt-4o-mini", u))
        pool = ClientPool()
        await DuelRunner(sink, pool).run([plan(srv.base)])
        await pool.aclose()
    s = sink.stats()
    assert s.status == "done" and not s.tokens_exact and s.output_tokens == 5
    assert s.cost is not None and s.cost.usd is None


async def test_the_child_runner_carries_the_notice_and_new_usage_fields() -> None:
    from modelduel.core.codec import decode_event_line, encode_event_line
    from modelduel.events import Notice, Usage

    usage = Usage(10, 1, 5, 2, cache_write_tokens=4, cache_write_1h_tokens=3)
    for event in (usage, Notice("said once")):
        assert decode_event_line(encode_event_line("r", Stamped(7, event))) == (
            "r",
            Stamped(7, event),
        )
    async with running_server(unverified_org) as srv:
        sink = Collect()
        child = ChildDuelRunner(sink, env={"OPENAI_API_KEY": SECRET})
        await child.start([responses_plan(srv.base, reasoning_effort="low")])
        await asyncio.wait_for(child.wait(), 60)
        await child.aclose()
    s = sink.stats()
    assert s.text == "fine" and s.notices and "verified OpenAI organization" in s.notices[0]


async def test_requests_go_through_the_proxy_the_environment_names(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # the loopback server plays the corporate proxy: it gets the absolute URL of a host
    # that does not exist, which only a client that honours HTTP_PROXY can reach
    async with running_server(lambda r: Script(chat_chunks(["via proxy"]))) as proxy:
        monkeypatch.setenv("HTTP_PROXY", proxy.base)
        monkeypatch.delenv("NO_PROXY", raising=False)
        monkeypatch.delenv("no_proxy", raising=False)
        sink = await run_plans([plan("http://upstream.invalid")])
        monkeypatch.setenv("NO_PROXY", "upstream.invalid")
        bypass = await run_plans([plan("http://upstream.invalid", "r2")])
    assert sink.stats().text == "via proxy"
    assert proxy.requests[0].path == "http://upstream.invalid/v1/chat/completions"
    assert bypass.stats("r2").error is not None and len(proxy.requests) == 1  # NO_PROXY obeyed
