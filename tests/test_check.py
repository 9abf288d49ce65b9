"""`modelduel check`: one tiny request per model, and the fix for each failure."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from modelduel import cli
from modelduel.commands.check import check_models
from modelduel.config import Config
from modelduel.providers.refusals import forget_refused_params
from modelduel.simulator import SimulatorHandle, run_in_thread
from tests.support.canned import responses_stream
from tests.support.replay_server import Script, running_server

KEYS = {"OPENAI_API_KEY": "sk-t", "ANTHROPIC_API_KEY": "sk-ant-t", "GEMINI_API_KEY": "g-t"}


@pytest.fixture(scope="module")
def sim() -> Iterator[SimulatorHandle]:
    with run_in_thread(seed=3) as handle:
        yield handle


@pytest.fixture(autouse=True)
def _fresh_process() -> None:
    forget_refused_params()


def lines(result: object) -> dict[str, str]:
    return dict(result.lines)  # type: ignore[attr-defined]


async def test_every_default_model_ready_on_the_simulator(sim: SimulatorHandle) -> None:
    env = {**KEYS, **sim.env(), "MODELDUEL_DEMO": "1"}
    results = await check_models(list(Config().default_models), Config(), env)
    assert [r.ready for r in results] == [True, True, True]
    gpt = lines(results[0])
    assert gpt["key"] == "simulated (--demo: no real key was read)"
    assert gpt["reasoning summaries"] == "allowed"
    assert gpt["cost"].startswith("$0.00")  # well under a cent
    assert all(r.fix is None for r in results)


async def test_failures_are_reported_with_their_fix(sim: SimulatorHandle) -> None:
    env = {k: v for k, v in sim.env().items() if not k.endswith("_API_KEY")}
    env.update({"ANTHROPIC_API_KEY": "sk-ant-t", "OPENAI_API_KEY": "sk-t", "MODELDUEL_DEMO": "1"})
    specs = [
        "openai/gpt-5.5@fault=unverified_org",
        "anthropic/claude-opus-4-7@fault=billing",
        "gemini/gemini-3.1-pro-preview",  # no key
        "openai/no-such-model@fault=not_found",
    ]
    summary, billing, nokey, missing = await check_models(specs, Config(), env)
    assert summary.ready  # it still answers, without summaries
    assert lines(summary)["reasoning summaries"].startswith("not allowed: reasoning summaries need")
    assert not billing.ready and "billing" in lines(billing)["error"]
    assert billing.fix == "add credit or a payment method in anthropic's console, then check again"
    assert not nokey.ready and nokey.fix == "export GEMINI_API_KEY=<your gemini key>"
    assert not missing.ready and missing.fix is not None and "check the model id" in missing.fix


async def test_rate_limit_headroom_comes_from_the_headers() -> None:
    headers = {
        "x-ratelimit-remaining-requests": "499",
        "x-ratelimit-limit-requests": "500",
        "x-ratelimit-remaining-tokens": "29000",
    }
    async with running_server(lambda r: Script(responses_stream(), headers=headers)) as srv:
        env = {"OPENAI_API_KEY": "sk-t", "OPENAI_BASE_URL": f"{srv.base}/v1"}
        (result,) = await check_models(["openai/gpt-5.5"], Config(), env)
    assert result.ready
    assert lines(result)["rate limits"] == "499 of 500 requests left, 29000 tokens left"
    body = srv.requests[0].json()
    assert body["max_output_tokens"] == 256  # type: ignore[index]  # a tiny request


def test_unreachable_endpoint_exits_1(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-t")
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:9/v1")
    monkeypatch.setenv("MODELDUEL_CONFIG", "")
    with pytest.raises(SystemExit) as exc:
        cli.main(["check", "-m", "openai/gpt-5.5"])
    out = capsys.readouterr().out
    assert exc.value.code == 1
    assert "NOT READY" in out and "NOT reached" in out and "HTTPS_PROXY" in out


async def test_check_shows_no_echoed_key_and_no_url_password() -> None:
    # `check` runs in-process (no worker to redact for it): what it prints is redacted here
    body = (
        b'{"error":{"message":"Incorrect API key provided: sk-test-*****T123.",'
        b'"type":"invalid_request_error","param":null,"code":"invalid_api_key"}}'
    )
    reply = Script([(0.0, body)], status=401, content_type="application/json")
    async with running_server(lambda r: reply) as srv:
        base = srv.base.replace("http://", "http://user:hunter22@") + "/v1"
        env = {"OPENAI_API_KEY": "sk-test-abcdefT123", "OPENAI_BASE_URL": base}
        (result,) = await check_models(["openai/gpt-5.5"], Config(), env)
    shown = "\n".join(f"{k}: {v}" for k, v in result.lines) + f"\n{result.fix}"
    assert not result.ready
    assert "T123" not in shown and "hunter22" not in shown, shown
    assert "[redacted]" in shown and "user:***@" in shown


async def test_a_200_with_no_answer_text_is_not_ready() -> None:
    async with running_server(lambda r: Script(responses_stream(text=""))) as srv:
        env = {"OPENAI_API_KEY": "sk-t", "OPENAI_BASE_URL": f"{srv.base}/v1"}
        (result,) = await check_models(["openai/gpt-5.5"], Config(), env)
    assert not result.ready
    assert lines(result)["model"] == "gpt-5.5 returned no answer text (stop)"
    assert result.fix is not None and "no text came back" in result.fix


async def test_the_answer_itself_is_shown() -> None:
    async with running_server(lambda r: Script(responses_stream(text="ready"))) as srv:
        env = {"OPENAI_API_KEY": "sk-t", "OPENAI_BASE_URL": f"{srv.base}/v1"}
        (result,) = await check_models(["openai/gpt-5.5"], Config(), env)
    assert result.ready
    assert lines(result)["model"] == "gpt-5.5 answered 'ready' (stop)"


def test_check_demo_says_it_checked_no_real_account(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MODELDUEL_CONFIG", "")
    with pytest.raises(SystemExit) as exc:
        cli.main(["check", "--demo", "-m", "openai/gpt-5.5"])
    out = capsys.readouterr().out
    assert exc.value.code == 0
    assert out.splitlines()[0] == (
        "simulated providers (--demo): no real account or key was checked"
    )
