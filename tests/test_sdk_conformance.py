"""The official SDKs (openai, anthropic, google-genai) against the simulator.

If the vendors' own clients stream the simulator's text, reasoning and usage and
raise their proper error classes for its faults, the simulator speaks the real
protocols and not merely what modelduel's parsers expect. Nothing here reaches a
real endpoint: every client gets the simulator's loopback base URL and a dummy key.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import anthropic
import openai
import pytest
from google import genai
from google.genai import errors as genai_errors
from google.genai import types as genai_types

from modelduel.simulator import SimulatorHandle, run_in_thread
from tests.support.sdk_streams import read_anthropic, read_chat, read_gemini, read_responses

FAST = {"x-simulate-ttft-ms": "0", "x-simulate-tps": "20000", "x-simulate-reasoning-ms": "0"}
PROMPT = "Explain CRDTs for a team that syncs notes offline"


@pytest.fixture(scope="module")
def sim() -> Iterator[SimulatorHandle]:
    with run_in_thread(seed=11) as handle:
        yield handle


@pytest.fixture(scope="module")
def oai(sim: SimulatorHandle) -> Iterator[openai.OpenAI]:
    client = openai.OpenAI(base_url=f"{sim.base_url}/v1", api_key="sk-dummy-test", max_retries=0)
    yield client
    client.close()


@pytest.fixture(scope="module")
def claude(sim: SimulatorHandle) -> Iterator[anthropic.Anthropic]:
    client = anthropic.Anthropic(base_url=sim.base_url, api_key="sk-ant-dummy-test", max_retries=0)
    yield client
    client.close()


def gemini_client(sim: SimulatorHandle, headers: dict[str, str] | None = None) -> genai.Client:
    options = genai_types.HttpOptions(
        base_url=sim.base_url,
        headers={**FAST, **(headers or {})},
        retry_options=genai_types.HttpRetryOptions(attempts=1),
    )
    return genai.Client(api_key="AIza-dummy-test", http_options=options)


# ---------------------------------------------------------------- streaming


def test_openai_responses_stream(oai: openai.OpenAI) -> None:
    request: dict[str, Any] = {
        "model": "gpt-5.5",
        "instructions": "Be concise.",
        "input": [{"role": "user", "content": PROMPT}],
        "reasoning": {"effort": "medium", "summary": "auto"},
        "extra_headers": FAST,
    }
    read = read_responses(oai.responses.create(**request, stream=True))
    text, reasoning, final = read.text, read.reasoning, read.final
    assert final is not None and final.usage is not None
    assert "(simulated)" in "".join(text)
    assert final.output_text == "".join(text)
    assert reasoning
    usage = final.usage
    assert usage.output_tokens == usage.output_tokens_details.reasoning_tokens + len(text)
    assert usage.total_tokens == usage.input_tokens + usage.output_tokens

    plain = oai.responses.create(**request)
    assert plain.output_text == final.output_text
    assert plain.usage == final.usage


def test_openai_responses_stream_helper(oai: openai.OpenAI) -> None:
    with oai.responses.stream(
        model="gpt-5.5", input=PROMPT, reasoning={"summary": "concise"}, extra_headers=FAST
    ) as stream:
        deltas = [e.delta for e in stream if e.type == "response.output_text.delta"]
        final = stream.get_final_response()
    assert final.output_text == "".join(deltas)
    assert final.usage is not None and final.usage.output_tokens_details.reasoning_tokens > 0


def test_openai_chat_stream(oai: openai.OpenAI) -> None:
    request: dict[str, Any] = {
        "model": "qwen3-local",
        "messages": [
            {"role": "system", "content": "Be concise."},
            {"role": "user", "content": PROMPT},
        ],
        "extra_headers": FAST,
    }
    read = read_chat(
        oai.chat.completions.create(**request, stream=True, stream_options={"include_usage": True})
    )
    text, reasoning, usage, finish = read.text, read.reasoning, read.usage, read.finish
    assert "(simulated)" in "".join(text) and reasoning and finish == "stop"
    assert usage is not None and usage.completion_tokens_details is not None
    assert usage.completion_tokens_details.reasoning_tokens == len(reasoning)
    assert usage.completion_tokens == len(reasoning) + len(text)

    plain = oai.chat.completions.create(**request)
    assert plain.choices[0].message.content == "".join(text)
    assert plain.usage is not None and plain.usage.completion_tokens == usage.completion_tokens


def test_anthropic_stream(claude: anthropic.Anthropic) -> None:
    request: dict[str, Any] = {
        "model": "claude-opus-4-7",
        "system": "Be concise.",
        "max_tokens": 4000,
        "messages": [{"role": "user", "content": PROMPT}],
        "thinking": {"type": "adaptive", "display": "summarized"},
        "extra_headers": {**FAST, "x-simulate-cached-tokens": "2"},
    }
    with claude.messages.stream(**request) as stream:
        read = read_anthropic(stream)
    thinking, text, final = read.reasoning, read.text, read.final
    assert "(simulated)" in "".join(text) and thinking
    assert [b.type for b in final.content] == ["thinking", "text"]
    assert final.content[0].type == "thinking" and final.content[0].signature
    assert final.stop_reason == "end_turn"
    assert final.usage.cache_read_input_tokens == 2
    assert final.usage.output_tokens > len(text)

    plain = claude.messages.create(**request)
    assert plain.content[-1].type == "text" and plain.content[-1].text == "".join(text)
    assert plain.usage.output_tokens == final.usage.output_tokens
    assert plain.usage.input_tokens == final.usage.input_tokens


def test_gemini_stream(sim: SimulatorHandle) -> None:
    client = gemini_client(sim)
    config = genai_types.GenerateContentConfig(
        system_instruction="Be concise.",
        thinking_config=genai_types.ThinkingConfig(include_thoughts=True),
    )
    read = read_gemini(
        client.models.generate_content_stream(
            model="gemini-3.1-pro-preview", contents=PROMPT, config=config
        )
    )
    thoughts, text, last = read.reasoning, read.text, read.final
    assert last is not None and last.usage_metadata is not None
    assert "(simulated)" in "".join(text) and thoughts
    assert last.candidates and last.candidates[0].finish_reason == genai_types.FinishReason.STOP
    usage = last.usage_metadata
    assert usage.total_token_count == (usage.prompt_token_count or 0) + (
        usage.candidates_token_count or 0
    ) + (usage.thoughts_token_count or 0)

    plain = client.models.generate_content(
        model="gemini-3.1-pro-preview", contents=PROMPT, config=config
    )
    assert plain.text == "".join(text)
    assert plain.usage_metadata == usage


# ---------------------------------------------------------------- errors


OPENAI_ERRORS: list[tuple[str, str, type[Exception]]] = [
    ("responses", "auth", openai.AuthenticationError),
    ("responses", "not_found", openai.BadRequestError),  # Responses answers 400 model_not_found
    ("chat", "not_found", openai.NotFoundError),
    ("responses", "bad_request", openai.BadRequestError),
    ("chat", "rate_limit", openai.RateLimitError),
    ("responses", "server", openai.InternalServerError),
    ("chat", "unavailable", openai.InternalServerError),
    ("responses", "overloaded", openai.InternalServerError),
    ("responses", "billing", openai.RateLimitError),  # 429 insufficient_quota
    ("chat", "payment_required", openai.APIStatusError),  # 402: the SDK has no class of its own
    ("responses", "permission", openai.PermissionDeniedError),
    ("responses", "region", openai.PermissionDeniedError),
    ("chat", "daily_quota", openai.RateLimitError),
]


@pytest.mark.parametrize(("api", "fault", "error"), OPENAI_ERRORS)
def test_openai_sdk_error_classes(
    oai: openai.OpenAI, api: str, fault: str, error: type[Exception]
) -> None:
    headers = {**FAST, "x-simulate-fault": fault}
    with pytest.raises(error) as info:
        if api == "responses":
            oai.responses.create(model="gpt-5.5", input=PROMPT, stream=True, extra_headers=headers)
        else:
            oai.chat.completions.create(
                model="gpt-5.5",
                messages=[{"role": "user", "content": PROMPT}],
                stream=True,
                extra_headers=headers,
            )
    assert isinstance(info.value, openai.APIStatusError)
    if fault == "not_found":
        assert info.value.code == "model_not_found"
    if fault == "region":
        assert info.value.code == "unsupported_country_region_territory"
    if fault == "payment_required":
        assert info.value.status_code == 402


def test_openai_sdk_bad_key_and_unsupported_parameter(
    sim: SimulatorHandle, oai: openai.OpenAI
) -> None:
    bad = openai.OpenAI(base_url=f"{sim.base_url}/v1", api_key="not-an-openai-key", max_retries=0)
    with pytest.raises(openai.AuthenticationError) as info:
        bad.responses.create(model="gpt-5.5", input=PROMPT, extra_headers=FAST)
    assert info.value.code == "invalid_api_key"
    bad.close()
    with pytest.raises(openai.BadRequestError) as bad_request:
        oai.responses.create(model="gpt-5.5", input=PROMPT, temperature=0.3, extra_headers=FAST)
    assert bad_request.value.param == "temperature"


def drain_chat_stream(oai: openai.OpenAI, headers: dict[str, str]) -> None:
    """Read a chat-completions stream to its end (or to the error the SDK raises)."""
    for _ in oai.chat.completions.create(
        model="qwen3-local",
        messages=[{"role": "user", "content": PROMPT}],
        stream=True,
        extra_headers=headers,
    ):
        pass


def test_openai_sdk_in_stream_errors(oai: openai.OpenAI) -> None:
    headers = {**FAST, "x-simulate-fault": "midstream_error:3"}
    events = list(
        oai.responses.create(model="gpt-5.5", input=PROMPT, stream=True, extra_headers=headers)
    )
    assert [e.type for e in events[-2:]] == ["error", "response.failed"]
    failed = events[-1]
    assert failed.type == "response.failed" and failed.response.error is not None
    assert failed.response.error.code == "server_is_overloaded"
    with pytest.raises(openai.APIError, match="server had an error"):
        drain_chat_stream(oai, headers)


def test_openai_sdk_dropped_connection(oai: openai.OpenAI) -> None:
    headers = {**FAST, "x-simulate-fault": "drop:4"}
    with pytest.raises(openai.APIConnectionError):
        drain_chat_stream(oai, headers)


ANTHROPIC_ERRORS: list[tuple[str, type[Exception]]] = [
    ("auth", anthropic.AuthenticationError),
    ("not_found", anthropic.NotFoundError),
    ("bad_request", anthropic.BadRequestError),
    ("rate_limit", anthropic.RateLimitError),
    ("server", anthropic.InternalServerError),
    ("unavailable", anthropic.InternalServerError),
    ("overloaded", anthropic.OverloadedError),
    ("billing", anthropic.APIStatusError),  # 402 billing_error
    ("permission", anthropic.PermissionDeniedError),
    ("region", anthropic.PermissionDeniedError),
]


@pytest.mark.parametrize(("fault", "error"), ANTHROPIC_ERRORS)
def test_anthropic_sdk_error_classes(
    claude: anthropic.Anthropic, fault: str, error: type[Exception]
) -> None:
    with pytest.raises(error) as info:
        claude.messages.create(
            model="claude-opus-4-7",
            max_tokens=1000,
            messages=[{"role": "user", "content": PROMPT}],
            stream=True,
            extra_headers={**FAST, "x-simulate-fault": fault},
        )
    assert isinstance(info.value, anthropic.APIStatusError)
    if fault == "overloaded":
        assert info.value.status_code == 529
    if fault == "billing":
        assert info.value.status_code == 402
        assert info.value.type == "billing_error"
    assert info.value.request_id is not None


def test_anthropic_sdk_rejections_and_in_stream_error(claude: anthropic.Anthropic) -> None:
    with pytest.raises(anthropic.BadRequestError, match=r"thinking\.type\.enabled"):
        claude.messages.create(
            model="claude-opus-4-7",
            max_tokens=4000,
            messages=[{"role": "user", "content": PROMPT}],
            thinking={"type": "enabled", "budget_tokens": 2000},
            extra_headers=FAST,
        )
    with pytest.raises(anthropic.APIStatusError) as info:
        for _ in claude.messages.create(
            model="claude-opus-4-7",
            max_tokens=1000,
            messages=[{"role": "user", "content": PROMPT}],
            stream=True,
            extra_headers={**FAST, "x-simulate-fault": "midstream_error:3"},
        ):
            pass
    body: Any = info.value.body
    assert body["error"]["type"] == "overloaded_error"


GEMINI_ERRORS: list[tuple[str, type[Exception], int]] = [
    ("auth", genai_errors.ClientError, 400),
    ("not_found", genai_errors.ClientError, 404),
    ("bad_request", genai_errors.ClientError, 400),
    ("rate_limit", genai_errors.ClientError, 429),
    ("server", genai_errors.ServerError, 500),
    ("unavailable", genai_errors.ServerError, 503),
    ("overloaded", genai_errors.ServerError, 503),
    ("service_disabled", genai_errors.ClientError, 403),
    ("daily_quota", genai_errors.ClientError, 429),
    ("region", genai_errors.ClientError, 400),
]


@pytest.mark.parametrize(("fault", "error", "code"), GEMINI_ERRORS)
def test_gemini_sdk_error_classes(
    sim: SimulatorHandle, fault: str, error: type[Exception], code: int
) -> None:
    client = gemini_client(sim, {"x-simulate-fault": fault})
    with pytest.raises(error) as info:
        for _ in client.models.generate_content_stream(
            model="gemini-3.1-pro-preview", contents=PROMPT
        ):
            pass
    assert isinstance(info.value, genai_errors.APIError) and info.value.code == code
    if fault == "rate_limit":
        details = info.value.details["error"]["details"]
        assert any(d.get("retryDelay") == "1s" for d in details)
    if fault == "service_disabled":
        assert info.value.status == "PERMISSION_DENIED"
        details = info.value.details["error"]["details"]
        assert any(d.get("reason") == "SERVICE_DISABLED" for d in details)


def test_gemini_sdk_in_stream_error(sim: SimulatorHandle) -> None:
    client = gemini_client(sim, {"x-simulate-fault": "midstream_error:20"})
    got = []
    with pytest.raises(genai_errors.ServerError) as info:
        for chunk in client.models.generate_content_stream(
            model="gemini-3.1-pro-preview", contents=PROMPT
        ):
            got.append(chunk)
    assert got and info.value.code == 503


# ---------------------------------------------------------------- real-account behaviours


@pytest.fixture(scope="module")
def counted() -> Iterator[SimulatorHandle]:
    with run_in_thread(seed=11, ground_truth=True) as handle:
        yield handle


def test_openai_sdk_unverified_org_then_fallback(oai: openai.OpenAI) -> None:
    model = "gpt-5.5@fault=unverified_org"
    with pytest.raises(openai.BadRequestError) as info:
        oai.responses.create(
            model=model, input=PROMPT, reasoning={"summary": "auto"}, extra_headers=FAST
        )
    assert info.value.param == "reasoning.summary" and info.value.code == "unsupported_value"
    assert "must be verified" in info.value.message
    response = oai.responses.create(
        model=model,
        input=PROMPT,
        reasoning={"effort": "medium"},
        extra_headers={**FAST, "x-simulate-reasoning-ms": "50"},
    )
    assert response.usage is not None and response.usage.output_tokens_details.reasoning_tokens
    assert "(simulated)" in response.output_text


@pytest.mark.parametrize(
    ("fault", "attempts"),
    [
        ("rate_limit_long", 1),  # Retry-After 3600 s is over the SDK's cap: not retried
        ("rate_limit:0.01", 3),  # the same error with a short delay is retried twice
        ("server,should_retry:false", 1),
        ("bad_request,should_retry:true", 3),
    ],
)
def test_openai_sdk_retry_decisions(counted: SimulatorHandle, fault: str, attempts: int) -> None:
    client = openai.OpenAI(base_url=f"{counted.base_url}/v1", api_key="sk-dummy", max_retries=2)
    counted.clear_ground_truth()
    with pytest.raises(openai.APIStatusError):
        client.responses.create(
            model="gpt-5.5", input=PROMPT, extra_headers={**FAST, "x-simulate-fault": fault}
        )
    client.close()
    assert len(counted.ground_truth()) == attempts


def test_anthropic_sdk_should_retry_false(counted: SimulatorHandle) -> None:
    client = anthropic.Anthropic(base_url=counted.base_url, api_key="sk-ant-dummy", max_retries=2)
    counted.clear_ground_truth()
    with pytest.raises(anthropic.OverloadedError):
        client.messages.create(
            model="claude-opus-4-7",
            max_tokens=100,
            messages=[{"role": "user", "content": PROMPT}],
            extra_headers={**FAST, "x-simulate-fault": "overloaded,should_retry:false"},
        )
    client.close()
    assert len(counted.ground_truth()) == 1


def test_anthropic_sdk_reads_thinking_tokens_and_cache_writes(claude: anthropic.Anthropic) -> None:
    with claude.messages.stream(
        model="claude-opus-4-7",
        max_tokens=4000,
        system=[
            {
                "type": "text",
                "text": "Team handbook. " * 200,
                "cache_control": {"type": "ephemeral", "ttl": "1h"},
            }
        ],
        messages=[{"role": "user", "content": PROMPT}],
        thinking={"type": "adaptive", "display": "omitted"},
        extra_headers={**FAST, "x-simulate-reasoning-ms": "50", "x-simulate-seed": "sdk-cache"},
    ) as stream:
        message = stream.get_final_message()
    usage = message.usage
    assert usage.output_tokens_details is not None
    assert 0 < usage.output_tokens_details.thinking_tokens < usage.output_tokens
    assert usage.cache_creation is not None
    assert usage.cache_creation.ephemeral_1h_input_tokens == usage.cache_creation_input_tokens
    assert (usage.cache_creation_input_tokens or 0) > 100
    thinking = [b for b in message.content if b.type == "thinking"]
    assert thinking and thinking[0].thinking == "" and thinking[0].signature


def test_openai_sdk_reads_cache_writes_and_chat_without_usage(oai: openai.OpenAI) -> None:
    response = oai.responses.create(
        model="gpt-5.5",
        input=PROMPT,
        extra_headers={**FAST, "x-simulate-fault": "cache_write:4096"},
    )
    assert response.usage is not None
    assert response.usage.input_tokens_details.cache_write_tokens == 4096
    chunks = list(
        oai.chat.completions.create(
            model="qwen3-local",
            messages=[{"role": "user", "content": PROMPT}],
            stream=True,
            stream_options={"include_usage": True},
            extra_headers={**FAST, "x-simulate-fault": "no_usage"},
        )
    )
    assert chunks and all(c.usage is None for c in chunks)
    assert "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)


def test_openai_sdk_effort_and_budget(oai: openai.OpenAI) -> None:
    with pytest.raises(openai.BadRequestError) as info:
        oai.responses.create(
            model="gpt-5.5", input=PROMPT, reasoning={"effort": "minimal"}, extra_headers=FAST
        )
    assert info.value.param == "reasoning.effort" and info.value.code == "unsupported_value"
    response = oai.responses.create(
        model="gpt-5.5", input=PROMPT, max_output_tokens=40, extra_headers=FAST
    )
    assert response.status == "incomplete"
    assert response.incomplete_details is not None
    assert response.incomplete_details.reason == "max_output_tokens"
    assert response.usage is not None and response.usage.output_tokens == 40
    raw = oai.responses.with_raw_response.create(model="gpt-5.5", input=PROMPT, extra_headers=FAST)
    assert int(raw.headers["x-ratelimit-remaining-requests"]) < int(
        raw.headers["x-ratelimit-limit-requests"]
    )


def test_anthropic_sdk_family_rules(claude: anthropic.Anthropic) -> None:
    with pytest.raises(anthropic.BadRequestError, match="temperature"):
        claude.messages.create(
            model="claude-opus-5",
            max_tokens=100,
            # anthropic 2.15 no longer takes temperature as an argument: send it raw
            extra_body={"temperature": 0.2},
            messages=[{"role": "user", "content": PROMPT}],
            extra_headers=FAST,
        )
    with pytest.raises(anthropic.BadRequestError, match="effort level 'xhigh'"):
        claude.messages.create(
            model="claude-opus-4-6",
            max_tokens=100,
            output_config={"effort": "xhigh"},
            messages=[{"role": "user", "content": PROMPT}],
            extra_headers=FAST,
        )
    message = claude.messages.create(
        model="claude-opus-4-7",
        max_tokens=30,
        output_config={"effort": "max"},
        messages=[{"role": "user", "content": PROMPT}],
        extra_headers=FAST,
    )
    assert message.stop_reason == "max_tokens" and message.usage.output_tokens == 30


def test_gemini_sdk_thinking_levels(sim: SimulatorHandle) -> None:
    client = gemini_client(sim, {"x-simulate-reasoning-ms": "100"})
    hidden = genai_types.GenerateContentConfig(
        thinking_config=genai_types.ThinkingConfig(thinking_level=genai_types.ThinkingLevel.LOW)
    )
    response = client.models.generate_content(
        model="gemini-3-pro-preview", contents=PROMPT, config=hidden
    )
    assert response.usage_metadata is not None and response.usage_metadata.thoughts_token_count
    parts = response.candidates[0].content.parts if response.candidates else None
    assert parts and not [p for p in parts if p.thought]
    medium = genai_types.GenerateContentConfig(
        thinking_config=genai_types.ThinkingConfig(thinking_level=genai_types.ThinkingLevel.MEDIUM)
    )
    with pytest.raises(genai_errors.ClientError) as info:
        client.models.generate_content(model="gemini-3-pro-preview", contents=PROMPT, config=medium)
    assert info.value.code == 400 and "MEDIUM" in (info.value.message or "")
