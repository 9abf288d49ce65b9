"""What a real account meets, end to end against the simulator on 127.0.0.1 (issue 9).

Each test drives modelduel's real path (resolve_model -> DuelState -> DuelRunner ->
HTTP -> adapter -> meter) at a simulator fault and checks what the user would see.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from modelduel.config import Config, DuelSettings, parse_config, resolve_model
from modelduel.core.duel import ClientPool, DuelRunner
from modelduel.core.metrics import StreamStats
from modelduel.core.session import DuelState
from modelduel.providers.http import Timeouts
from modelduel.providers.refusals import forget_refused_params
from modelduel.simulator import SimulatorHandle, run_in_thread

FAST = (("x-simulate-ttft-ms", "0"), ("x-simulate-tps", "20000"), ("x-simulate-reasoning-ms", "60"))
KEYS = {"OPENAI_API_KEY": "sk-t", "ANTHROPIC_API_KEY": "sk-ant-t", "GEMINI_API_KEY": "g-t"}


@pytest.fixture(scope="module")
def sim() -> Iterator[SimulatorHandle]:
    with run_in_thread(seed=9) as handle:
        yield handle


@pytest.fixture(autouse=True)
def _fresh_process() -> None:
    forget_refused_params()


async def duel(
    sim: SimulatorHandle,
    spec: str,
    *,
    fault: str | None = None,
    config: Config | None = None,
    duel_settings: DuelSettings | None = None,
    **runner: object,
) -> StreamStats:
    env = {**KEYS, **sim.env(), "MODELDUEL_DEMO": "1"}
    model = resolve_model(spec, config or Config(), env, duel_settings)
    state = DuelState.create([model], "Explain optimistic locking", None)
    headers = FAST + ((("x-simulate-fault", fault),) if fault else ())
    pool = ClientPool(Timeouts(connect=5))
    try:
        await DuelRunner(state.sink, pool, **runner).run(  # type: ignore[arg-type]
            state.plans(extra_headers=headers)
        )
    finally:
        await pool.aclose()
    return state.slots[0].stats()


async def test_unverified_org_gpt55_still_answers_with_a_notice(sim: SimulatorHandle) -> None:
    s = await duel(sim, "openai/gpt-5.5", fault="unverified_org")
    assert s.error is None and s.text and s.reasoning_text == ""
    assert s.reasoning_tokens is not None and s.reasoning_tokens > 0
    assert s.notices == (
        "reasoning summaries need a verified OpenAI organization: "
        "showing reasoning token counts only",
    )


async def test_a_rejected_user_parameter_fails_the_run(sim: SimulatorHandle) -> None:
    s = await duel(
        sim,
        "openai/gpt-5.5",
        fault="reject_param:reasoning.effort",
        duel_settings=DuelSettings("high"),
    )
    assert s.error is not None and s.error.kind == "bad_request"


async def test_silent_reasoning_past_the_stall_limit_is_not_a_stall(sim: SimulatorHandle) -> None:
    s = await duel(
        sim, "openai/gpt-5.5", fault="silent_think:1.5", stall_timeout_s=0.5, timeout_s=30
    )
    assert s.error is None and s.text
    assert s.ttft_s is not None and s.ttft_s >= 1.4


@pytest.mark.parametrize(
    ("spec", "fault", "words", "kind"),
    [
        ("anthropic/claude-opus-4-7", "billing", "anthropic billing: add credit", "quota"),
        ("anthropic/claude-opus-4-7", "billing:400", "anthropic billing: add credit", "quota"),
        ("anthropic/claude-opus-4-7", "permission", "lacks permission", "auth"),
        ("openai/gpt-5.5", "region", "does not serve this country", "auth"),
        ("gemini/gemini-3.1-pro-preview", "service_disabled", "API is not enabled", "auth"),
        ("gemini/gemini-3.1-pro-preview", "daily_quota", "daily quota", "quota"),
        ("openai-chat/gpt-5.5", "payment_required", "openai-chat billing", "quota"),
    ],
)
async def test_account_errors_have_their_own_words(
    sim: SimulatorHandle, spec: str, fault: str, words: str, kind: str
) -> None:
    s = await duel(sim, spec, fault=fault, retries=2)
    assert s.error is not None and s.error.kind == kind
    assert words in s.error.message, s.error.message
    assert s.retries == 0  # none of these is retried


async def test_a_chat_error_names_the_configured_provider(sim: SimulatorHandle) -> None:
    config = parse_config(
        {
            "providers": {
                "openrouter": {
                    "kind": "openai-chat",
                    "base_url": f"{sim.base_url}/v1",
                    "api_key_env": "OPENAI_API_KEY",
                }
            }
        },
        "t",
    )
    s = await duel(sim, "openrouter/qwen3:8b", fault="payment_required", config=config)
    assert s.error is not None and s.error.message.startswith("openrouter billing")


async def test_retry_after_over_the_cap_is_reported_not_waited(sim: SimulatorHandle) -> None:
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)

    s = await duel(
        sim, "anthropic/claude-opus-4-7", fault="rate_limit_long", retries=3, sleep=sleep
    )
    assert slept == [] and s.error is not None and "not retried" in s.error.message


@pytest.mark.parametrize(("header", "retried"), [("false", 0), ("true", 1)])
async def test_x_should_retry_is_obeyed(sim: SimulatorHandle, header: str, retried: int) -> None:
    async def sleep(seconds: float) -> None:
        return None

    fault = (
        f"server,should_retry:{header}"
        if header == "false"
        else f"bad_request,should_retry:{header}"
    )
    s = await duel(sim, "openai/gpt-5.5", fault=fault, retries=1, sleep=sleep)
    assert s.retries == retried


async def test_a_chat_server_without_usage_is_an_estimate_of_unknown_cost(
    sim: SimulatorHandle,
) -> None:
    s = await duel(sim, "openai-chat/gpt-4o-mini", fault="no_usage")
    assert s.error is None and s.text and not s.tokens_exact
    assert s.cost is not None and s.cost.usd is None


async def test_claude_thinking_tokens_and_cache_writes_are_counted_and_priced(
    sim: SimulatorHandle,
) -> None:
    plain = await duel(sim, "anthropic/claude-opus-4-7")
    written = await duel(sim, "anthropic/claude-opus-4-7", fault="cache_write:4000")
    assert plain.reasoning_tokens is not None and plain.reasoning_tokens > 0
    assert written.cache_write_tokens == 4000
    assert plain.cost is not None and written.cost is not None
    assert plain.cost.usd is not None and written.cost.usd is not None
    # 4000 tokens written at 1.25x the $5 input price on top of the same answer
    extra = written.cost.usd - plain.cost.usd
    assert extra == pytest.approx(4000 * 6.25 / 1e6, rel=0.05)


async def test_show_reasoning_off_hides_but_gpt_still_reasons(sim: SimulatorHandle) -> None:
    config = parse_config({"models": {"openai/gpt-5.5": {"show_reasoning": False}}}, "t")
    s = await duel(sim, "openai/gpt-5.5", config=config)
    assert s.reasoning_text == "" and s.reasoning_tokens and s.text


@pytest.mark.parametrize(
    ("spec", "param"),
    [
        ("gemini/gemini-3.1-pro-preview", "generationConfig.thinkingConfig.includeThoughts"),
        ("anthropic/claude-opus-4-7", "thinking.display"),
        ("openai-chat/qwen3:8b", "stream_options"),
    ],
)
async def test_other_refused_display_parameters_are_dropped_too(
    sim: SimulatorHandle, spec: str, param: str
) -> None:
    s = await duel(sim, spec, fault=f"reject_param:{param}")
    assert s.error is None and s.text
    assert len(s.notices) == 1 and "sent without it" in s.notices[0]


@pytest.mark.parametrize(
    ("spec", "fault", "words"),
    [
        ("anthropic/claude-opus-4-7", "region", "not necessarily a bad key"),
        ("gemini/gemini-3.1-pro-preview", "region", "does not serve this location"),
        ("gemini/gemini-3.1-pro-preview", "billing", "gemini billing"),
        ("gemini/gemini-3.1-pro-preview", "permission", "not necessarily a bad key"),
        ("openai/gpt-5.5", "permission", "not necessarily a bad key"),
        ("openai/gpt-5.5", "daily_quota", "daily request limit"),
    ],
)
async def test_no_403_is_called_a_bad_key(
    sim: SimulatorHandle, spec: str, fault: str, words: str
) -> None:
    s = await duel(sim, spec, fault=fault, retries=1)
    assert s.error is not None and words in s.error.message, s.error.message
    assert "invalid API key" not in s.error.message and s.retries == 0


@pytest.mark.parametrize(
    ("spec", "param"),
    [
        ("openai/gpt-5.5", "max_output_tokens"),
        ("anthropic/claude-opus-4-7", "max_tokens"),
        ("gemini/gemini-3.1-pro-preview", "generationConfig.maxOutputTokens"),
    ],
)
async def test_a_simulated_bad_request_names_the_protocols_own_parameter(
    sim: SimulatorHandle, spec: str, param: str
) -> None:
    s = await duel(sim, spec, fault="bad_request")
    assert s.error is not None and s.error.kind == "bad_request"
    assert f"'{param}'" in s.error.message, s.error.message
