"""Pure adapter tests: request bodies, stream parsing edge cases, error wording."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from modelduel.core.events import (
    Event,
    Finished,
    ReasoningDelta,
    StreamFailed,
    TextDelta,
    Usage,
)
from modelduel.providers.base import ModelRequest, SSEEvent, get_adapter
from modelduel.providers.openai_chat import ThinkTagSplitter


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
