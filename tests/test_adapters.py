"""Pure adapter tests: request bodies, stream parsing edge cases, error wording."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from modelduel.events import (
    Event,
    Finished,
    ReasoningDelta,
    StreamFailed,
    TextDelta,
    Usage,
)
from modelduel.providers.base import ModelRequest, SSEEvent
from modelduel.providers.openai_chat.thinktags import ThinkTagSplitter
from modelduel.providers.registry import get_adapter


def run(kind: str, *events: tuple[str, object]) -> list[Event]:
    parser = get_adapter(kind).new_parser()
    out: list[Event] = []
    for name, data in events:
        raw = data if isinstance(data, str) else json.dumps(data)
        out.extend(parser.feed(SSEEvent(name, raw)))
    out.extend(parser.close())
    return out


def texts(events: list[Event]) -> tuple[str, str]:
    return (
        "".join(e.text for e in events if isinstance(e, TextDelta)),
        "".join(e.text for e in events if isinstance(e, ReasoningDelta)),
    )


# --- request bodies -------------------------------------------------------------------


def test_gpt55_asks_for_summaries_and_never_sends_temperature() -> None:
    body = get_adapter("openai").build_payload(
        ModelRequest("gpt-5.5", "hi", "sys", 500, temperature=0.2)
    )
    assert body["reasoning"] == {"summary": "auto"}
    assert "temperature" not in body
    assert body["instructions"] == "sys" and body["max_output_tokens"] == 500
    assert body["stream"] is True


def test_opus47_gets_adaptive_summarized_thinking_and_no_temperature() -> None:
    body = get_adapter("anthropic").build_payload(
        ModelRequest("claude-opus-4-7", "hi", None, None, "high", temperature=0.5)
    )
    assert body["thinking"] == {"type": "adaptive", "display": "summarized"}
    assert body["output_config"] == {"effort": "high"}
    assert "temperature" not in body and body["max_tokens"] > 0


def test_gemini_includes_thoughts_and_level() -> None:
    adapter = get_adapter("gemini")
    body = adapter.build_payload(ModelRequest("gemini-3.1-pro-preview", "hi", "s", 100, "low"))
    config = body["generationConfig"]
    assert config["thinkingConfig"] == {"thinkingLevel": "low", "includeThoughts": True}
    assert config["maxOutputTokens"] == 100
    assert body["systemInstruction"] == {"parts": [{"text": "s"}]}
    url = adapter.url("https://g.example", "gemini-3.1-pro-preview")
    assert url.endswith("/v1beta/models/gemini-3.1-pro-preview:streamGenerateContent?alt=sse")
    assert "key=" not in url


def test_chat_uses_max_completion_tokens_for_openai_reasoning_models_only() -> None:
    adapter = get_adapter("openai-chat")
    assert "max_completion_tokens" in adapter.build_payload(ModelRequest("gpt-5.5", "x", None, 9))
    local = adapter.build_payload(ModelRequest("qwen3:8b", "x", None, 9, temperature=0.1))
    assert local["max_tokens"] == 9 and local["temperature"] == 0.1
    assert local["stream_options"] == {"include_usage": True}


def test_keys_go_only_in_headers() -> None:
    for kind, name in [
        ("openai", "authorization"),
        ("anthropic", "x-api-key"),
        ("gemini", "x-goog-api-key"),
    ]:
        adapter = get_adapter(kind)
        assert "SECRET" in adapter.headers("SECRET")[name]
        assert "SECRET" not in json.dumps(adapter.build_payload(ModelRequest("m", "p")))
        assert "SECRET" not in adapter.url("https://x", "m")


# --- stream edge cases ----------------------------------------------------------------


def test_anthropic_usage_adds_cache_and_message_delta_overrides() -> None:
    events = run(
        "anthropic",
        (
            "message_start",
            {
                "type": "message_start",
                "message": {
                    "usage": {
                        "input_tokens": 10,
                        "cache_read_input_tokens": 100,
                        "cache_creation_input_tokens": 5,
                        "output_tokens": 1,
                    }
                },
            },
        ),
        (
            "content_block_start",
            {
                "type": "content_block_start",
                "index": 0,
                "content_block": {"type": "redacted_thinking", "data": "x"},
            },
        ),
        ("ping", {"type": "ping"}),
        (
            "content_block_delta",
            {
                "type": "content_block_delta",
                "index": 1,
                "delta": {"type": "text_delta", "text": "Hello"},
            },
        ),
        (
            "message_delta",
            {
                "type": "message_delta",
                "delta": {"stop_reason": "max_tokens"},
                "usage": {"output_tokens": 42, "cache_read_input_tokens": 90},
            },
        ),
        ("message_stop", {"type": "message_stop"}),
    )
    usages = [e for e in events if isinstance(e, Usage)]
    assert usages[-1] == Usage(105, 90, 42, None, cache_write_tokens=5)
    assert ReasoningDelta("") in events  # redacted thinking still counts as thinking
    assert events[-1] == Finished("max_tokens", "max_tokens")


def test_anthropic_in_stream_error_keeps_partial_text() -> None:
    events = run(
        "anthropic",
        (
            "content_block_delta",
            {"type": "content_block_delta", "delta": {"type": "text_delta", "text": "part"}},
        ),
        (
            "error",
            {"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}},
        ),
    )
    assert texts(events)[0] == "part"
    assert isinstance(events[-1], StreamFailed) and events[-1].error.retryable
    assert "Overloaded" in events[-1].error.message


def test_cut_streams_fail_as_connection_errors() -> None:
    for kind, name, data in [
        (
            "openai",
            "response.output_text.delta",
            {"type": "response.output_text.delta", "delta": "a"},
        ),
        (
            "anthropic",
            "content_block_delta",
            {"type": "content_block_delta", "delta": {"type": "text_delta", "text": "a"}},
        ),
        ("gemini", "message", {"candidates": [{"content": {"parts": [{"text": "a"}]}}]}),
        ("openai-chat", "message", {"choices": [{"delta": {"content": "a"}}]}),
    ]:
        events = run(kind, (name, data))
        assert texts(events)[0] == "a"
        assert isinstance(events[-1], StreamFailed), kind
        assert events[-1].error.kind == "connection"


def test_malformed_event_is_an_error_with_partial_text_kept() -> None:
    events = run(
        "openai-chat",
        ("message", {"choices": [{"delta": {"content": "ok"}}]}),
        ("message", "{not json"),
    )
    assert texts(events)[0] == "ok"
    assert isinstance(events[-1], StreamFailed) and events[-1].error.kind == "malformed"


@pytest.mark.parametrize(
    ("reason", "expected"),
    [
        ("SAFETY", "safety"),
        ("RECITATION", "recitation"),
        ("PROHIBITED_CONTENT", "blocked"),
        ("MAX_TOKENS", "max_tokens"),
    ],
)
def test_gemini_finish_reasons_are_not_silent_successes(reason: str, expected: str) -> None:
    events = run(
        "gemini",
        (
            "message",
            {"candidates": [{"content": {"parts": [{"text": "x"}]}, "finishReason": reason}]},
        ),
    )
    assert events[-1] == Finished(expected, reason)


def test_gemini_blocked_prompt() -> None:
    events = run(
        "gemini",
        (
            "message",
            {"promptFeedback": {"blockReason": "SAFETY"}, "usageMetadata": {"promptTokenCount": 7}},
        ),
    )
    assert isinstance(events[-1], Finished) and events[-1].reason == "blocked"
    assert Usage(7, 0, None, None) in events


def test_gemini_bare_error_object_after_data() -> None:
    parser = get_adapter("gemini").new_parser()
    out = parser.feed(
        SSEEvent("message", json.dumps({"candidates": [{"content": {"parts": [{"text": "Hi"}]}}]}))
    )
    out += parser.feed(
        SSEEvent(
            "message",
            '{"error": {"code": 503, "message": "The model is '
            'overloaded.", "status": "UNAVAILABLE"}}',
            raw=True,
        )
    )
    assert isinstance(out[-1], StreamFailed) and "overloaded" in out[-1].error.message
    assert parser.close() == []


def test_openai_incomplete_and_failed() -> None:
    events = run(
        "openai",
        (
            "response.incomplete",
            {
                "type": "response.incomplete",
                "response": {
                    "incomplete_details": {"reason": "max_output_tokens"},
                    "usage": {
                        "input_tokens": 3,
                        "output_tokens": 9,
                        "output_tokens_details": {"reasoning_tokens": 9},
                    },
                },
            },
        ),
    )
    assert events == [Usage(3, None, 9, 9), Finished("max_tokens", "max_output_tokens")]
    events = run(
        "openai",
        (
            "response.failed",
            {
                "type": "response.failed",
                "response": {"error": {"code": "server_is_overloaded", "message": "overloaded"}},
            },
        ),
    )
    assert isinstance(events[-1], StreamFailed) and events[-1].error.retryable


@given(st.text(max_size=60), st.lists(st.integers(0, 80), max_size=8))
def test_think_tags_split_anywhere(answer: str, cuts: list[int]) -> None:
    content = "<think>weighing options</think>" + answer
    points = sorted({min(c, len(content)) for c in cuts})
    pieces = [content[a:b] for a, b in zip([0, *points], [*points, len(content)], strict=True)]
    splitter = ThinkTagSplitter()
    events: list[Event] = []
    for piece in pieces:
        events.extend(splitter.feed(piece))
    events.extend(splitter.flush())
    text, reasoning = texts(events)
    assert reasoning == "weighing options"
    assert text == answer.lstrip("\n")


# --- HTTP errors ----------------------------------------------------------------------


def test_error_wording() -> None:
    anthropic = get_adapter("anthropic").parse_error(
        401,
        b'{"type":"error","error":{"type":"authentication_error","message":"invalid x-api-key"}}',
        {},
    )
    assert anthropic.message == ("invalid API key for anthropic (HTTP 401): invalid x-api-key")
    quota = get_adapter("openai").parse_error(
        429, b'{"error":{"message":"You exceeded your quota","code":"insufficient_quota"}}', {}
    )
    assert quota.kind == "quota" and not quota.retryable
    limited = get_adapter("openai").parse_error(
        429,
        b'{"error":{"message":"slow down","code":"rate_limit_exceeded"}}',
        {"retry-after": "7"},
    )
    assert limited.kind == "rate_limited" and limited.retry_after_s == 7 and limited.retryable
    gem = get_adapter("gemini").parse_error(
        400,
        b'{"error":{"code":400,"message":"API key not valid. Please pass a valid API key.",'
        b'"status":"INVALID_ARGUMENT","details":[{"reason":"API_KEY_INVALID"}]}}',
        {},
    )
    assert gem.kind == "auth"
    gem429 = get_adapter("gemini").parse_error(
        429,
        b'{"error":{"code":429,"message":"Quota","status":"RESOURCE_EXHAUSTED",'
        b'"details":[{"@type":"type.googleapis.com/google.rpc.RetryInfo","retryDelay":"34.4s"}]}}',
        {},
    )
    assert gem429.retry_after_s == pytest.approx(34.4)
    overloaded = get_adapter("anthropic").parse_error(529, b"{}", {})
    assert overloaded.kind == "provider_error" and overloaded.retryable
    not_json = get_adapter("openai-chat").parse_error(502, b"<html>Bad gateway</html>", {})
    assert "Bad gateway" in not_json.message


def test_error_messages_never_echo_a_key() -> None:
    info = get_adapter("openai").parse_error(
        401,
        b'{"error":{"message":"Incorrect API key provided: sk-proj-abcdefghijklmnop1234"}}',
        {},
    )
    assert "abcdefghijklmnop1234" not in info.message


# --- real-account errors (issue 9) ---------------------------------------------------


def err(kind: str, status: int, body: object, headers: dict[str, str] | None = None, **kw: str):  # type: ignore[no-untyped-def]
    return get_adapter(kind).parse_error(status, json.dumps(body).encode(), headers or {}, **kw)


def test_anthropic_403_is_not_always_a_bad_key() -> None:
    billing = err(
        "anthropic",
        400,
        {
            "type": "error",
            "error": {"type": "billing_error", "message": "Your credit balance is too low"},
        },
    )
    assert billing.kind == "quota" and not billing.retryable
    assert billing.message.startswith("anthropic billing: add credit")
    assert billing.message.endswith("Your credit balance is too low")
    perm = err(
        "anthropic",
        403,
        {"type": "error", "error": {"type": "permission_error", "message": "no access to model"}},
    )
    assert perm.message.startswith("anthropic key is valid but lacks permission")
    assert "invalid API key" not in perm.message and "no access to model" in perm.message
    paid = err("anthropic", 402, {"type": "error", "error": {"type": "x", "message": "pay"}})
    assert "billing" in paid.message and paid.kind == "quota"


def test_openai_region_and_402_and_403_wording() -> None:
    region = err(
        "openai",
        403,
        {
            "error": {
                "message": "Country, region, or territory not supported",
                "code": "unsupported_country_region_territory",
            }
        },
    )
    assert region.message.startswith("openai does not serve this country, region or territory")
    assert "Country, region, or territory not supported" in region.message
    paid = err("openai", 402, {"error": {"message": "Payment required"}})
    assert paid.kind == "quota" and "billing" in paid.message
    named = err(
        "openai-chat", 402, {"error": {"message": "Insufficient credits"}}, provider="openrouter"
    )
    assert named.message.startswith("openrouter billing") and "openai" not in named.message


def test_gemini_service_disabled_and_daily_quota() -> None:
    disabled = err(
        "gemini",
        403,
        {
            "error": {
                "code": 403,
                "message": "Generative Language API has not been used in project 123 before "
                "or it is disabled.",
                "status": "PERMISSION_DENIED",
                "details": [
                    {
                        "@type": "type.googleapis.com/google.rpc.ErrorInfo",
                        "reason": "SERVICE_DISABLED",
                    }
                ],
            }
        },
    )
    assert (
        "API is not enabled" in disabled.message
        and "has not been used in project" in disabled.message
    )
    daily = err(
        "gemini",
        429,
        {
            "error": {
                "code": 429,
                "message": "You exceeded your current quota",
                "status": "RESOURCE_EXHAUSTED",
                "details": [
                    {
                        "@type": "type.googleapis.com/google.rpc.QuotaFailure",
                        "violations": [
                            {"quotaId": "GenerateRequestsPerDayPerProjectPerModel-FreeTier"}
                        ],
                    },
                    {"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": "20s"},
                ],
            }
        },
    )
    assert daily.kind == "quota" and not daily.retryable and "daily quota" in daily.message
    minute = err(
        "gemini",
        429,
        {
            "error": {
                "code": 429,
                "message": "slow",
                "status": "RESOURCE_EXHAUSTED",
                "details": [
                    {"violations": [{"quotaId": "GenerateRequestsPerMinutePerProjectPerModel"}]}
                ],
            }
        },
    )
    assert minute.kind == "rate_limited" and minute.retryable


def test_retryability_follows_the_sdks() -> None:
    for status in (408, 409, 429, 500, 502, 503, 504, 529):
        assert err("openai", status, {"error": {"message": "x"}}).retryable, status
    for status in (400, 401, 404, 422):
        assert not err("openai", status, {"error": {"message": "x"}}).retryable, status
    assert not err("openai", 500, {}, {"x-should-retry": "false"}).retryable
    assert err("anthropic", 400, {}, {"x-should-retry": "true"}).retryable
    capped = err("anthropic", 429, {}, {"retry-after": "121"})
    assert not capped.retryable and capped.retry_after_s == 121
    assert err("anthropic", 429, {}, {"retry-after": "120"}).retryable


def test_backoff_has_jitter_and_honours_a_hint_within_the_cap() -> None:
    from modelduel.core.duel import backoff_delay

    assert backoff_delay(1, None, lambda: 0.0) == 0.5
    assert backoff_delay(1, None, lambda: 1.0) == 0.375
    assert backoff_delay(3, None, lambda: 0.0) == 2.0
    assert backoff_delay(10, None, lambda: 0.0) == 8.0
    assert backoff_delay(1, 7.0, lambda: 0.5) == 7.0
    assert backoff_delay(1, 0.0, lambda: 0.0) == 0.5  # a zero hint is no hint (the SDKs)


# --- usage and price (issue 9) --------------------------------------------------------


def test_claude_thinking_tokens_and_cache_writes() -> None:
    events = run(
        "anthropic",
        (
            "message_start",
            {
                "type": "message_start",
                "message": {
                    "usage": {
                        "input_tokens": 10,
                        "cache_read_input_tokens": 100,
                        "cache_creation_input_tokens": 3000,
                        "cache_creation": {
                            "ephemeral_5m_input_tokens": 1000,
                            "ephemeral_1h_input_tokens": 2000,
                        },
                        "output_tokens": 1,
                    }
                },
            },
        ),
        (
            "message_delta",
            {
                "type": "message_delta",
                "delta": {"stop_reason": "end_turn"},
                "usage": {"output_tokens": 500, "output_tokens_details": {"thinking_tokens": 320}},
            },
        ),
        ("message_stop", {"type": "message_stop"}),
    )
    usage = [e for e in events if isinstance(e, Usage)][-1]
    assert usage == Usage(3110, 100, 500, 320, cache_write_tokens=3000, cache_write_1h_tokens=2000)


def test_cache_writes_are_priced_above_input() -> None:
    from modelduel.core.pricing import PriceOverride, price_run

    plain = price_run("anthropic", "claude-opus-4-7", Usage(1_000_000, 0, 0))
    five = price_run("anthropic", "claude-opus-4-7", Usage(1_000_000, 0, 0, None, 1_000_000, 0))
    hour = price_run(
        "anthropic", "claude-opus-4-7", Usage(1_000_000, 0, 0, None, 1_000_000, 1_000_000)
    )
    assert plain.usd == pytest.approx(5.0)
    assert five.usd == pytest.approx(6.25)  # 1.25x input
    assert hour.usd == pytest.approx(10.0)  # 2x input
    price = PriceOverride(input_per_mtok=1, output_per_mtok=1, cache_write_per_mtok=3)
    assert price_run("anthropic", "x", Usage(1_000_000, 0, 0, None, 500_000), price).usd == 2.0


def test_openai_cache_write_tokens_are_read() -> None:
    events = run(
        "openai",
        (
            "response.completed",
            {
                "type": "response.completed",
                "response": {
                    "usage": {
                        "input_tokens": 900,
                        "input_tokens_details": {"cached_tokens": 100, "cache_write_tokens": 700},
                        "output_tokens": 5,
                        "output_tokens_details": {"reasoning_tokens": 0},
                    }
                },
            },
        ),
    )
    usage = [e for e in events if isinstance(e, Usage)][-1]
    assert usage.cache_write_tokens == 700


def test_a_loosely_matched_local_model_has_an_unknown_price() -> None:
    from modelduel.core.pricing import price_run

    local = price_run("openai-chat", "deepseek-r1:14b", Usage(100, 0, 100))
    assert local.usd is None and "only resembles" in local.source
    assert price_run("openai-chat", "deepseek-r1:14b", Usage(100, 0, 100), free=True).usd == 0
    hosted = price_run("openai-chat", "deepseek-reasoner", Usage(100, 0, 100))
    assert hosted.usd is not None and hosted.usd > 0


def test_the_http_client_honours_proxy_and_certificate_variables(
    monkeypatch: pytest.MonkeyPatch, tmp_path: object
) -> None:
    import httpx2 as httpx

    from modelduel.providers.http import make_client

    monkeypatch.setenv("HTTPS_PROXY", "http://127.0.0.1:3128")
    monkeypatch.setenv("NO_PROXY", "internal.example")
    client = make_client()
    proxied = {
        str(pattern.pattern) if hasattr(pattern, "pattern") else str(pattern): t
        for pattern, t in client._mounts.items()
    }  # type: ignore[attr-defined]
    assert any("https" in key for key in proxied), proxied
    assert any(t is None for t in client._mounts.values())  # type: ignore[attr-defined]  # NO_PROXY
    assert isinstance(client, httpx.AsyncClient)


def test_the_http_client_reads_ssl_cert_file(monkeypatch: pytest.MonkeyPatch) -> None:
    from modelduel.providers.http import make_client

    monkeypatch.setenv("SSL_CERT_FILE", "/nonexistent/corporate-ca.pem")
    with pytest.raises(OSError):
        make_client()  # read (and refused) as the SDKs do, not ignored


def test_every_client_shares_one_tls_context(monkeypatch: pytest.MonkeyPatch) -> None:
    # httpx builds one per client (the CA bundle loaded: 30-60 ms of CPU each), which a
    # three-provider duel paid on its way out, before any request was sent
    import httpx2

    from modelduel.providers import http

    built: list[object] = []
    real = httpx2.create_ssl_context

    def counted(*args: Any, **kwargs: Any) -> Any:
        built.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(httpx2, "create_ssl_context", counted)
    monkeypatch.setenv("SSL_CERT_DIR", "/tmp/a-ca-dir-no-other-test-uses")
    first, second, third = http.make_client(), http.make_client(), http.make_client()
    contexts = {id(c._transport._pool._ssl_context) for c in (first, second, third)}  # type: ignore[attr-defined]
    assert len(contexts) == 1
    assert len(built) == 1
