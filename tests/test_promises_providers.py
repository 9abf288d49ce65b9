"""Promises of providers/ that a mutation run showed no test could see break.

Each test names the promise; each was seen to fail against the mutant it was written for
(`python bench/mutation.py providers.<module> --sample N`, then `mutmut show NAME`).
"""

from __future__ import annotations

import json
from collections.abc import Callable

import httpx2 as httpx
import pytest

from modelduel.events import (
    ErrorInfo,
    Event,
    Finished,
    Notice,
    ReasoningDelta,
    RequestSent,
    Stamped,
    StreamFailed,
    TextDelta,
    Usage,
)
from modelduel.providers.base import ModelRequest, SSEEvent, StreamTarget
from modelduel.providers.common import stream_cut
from modelduel.providers.errors import http_error_info
from modelduel.providers.http import stream_events
from modelduel.providers.refusals import forget_refused_params
from modelduel.providers.registry import get_adapter
from modelduel.providers.sse import SSEDecoder, SSEEventTooLarge
from tests.support.canned import messages_stream
from tests.support.replay_server import Script, running_server


def parse(kind: str, *events: tuple[str, object], close: bool = True) -> list[Event]:
    parser = get_adapter(kind).new_parser()
    out: list[Event] = []
    for name, data in events:
        raw = data if isinstance(data, str) else json.dumps(data)
        out.extend(parser.feed(SSEEvent(name, raw)))
    if close:
        out.extend(parser.close())
    return out


def of(events: list[Event], kind: type) -> list:  # type: ignore[type-arg]
    return [e for e in events if isinstance(e, kind)]


def failure(events: list[Event]) -> ErrorInfo:
    (failed,) = of(events, StreamFailed)
    return failed.error  # type: ignore[no-any-return]


def error(kind: str, status: int, body: object, **kw: str) -> ErrorInfo:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    return get_adapter(kind).parse_error(status, raw, {}, **kw)


# --- the HTTP shell: the request-sent stamp and its connect time ----------------------


async def collect(handler: Callable[[httpx.Request], httpx.Response]) -> list[Stamped]:
    target = StreamTarget("openai-chat", "http://127.0.0.1:9/v1", lambda: "k", "KEY")
    async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as client:
        return [s async for s in stream_events(client, target, ModelRequest("m", "hi"))]


async def test_a_connect_timeout_is_a_connection_error_sent_at_the_clock_with_no_connect_time() -> (
    None
):
    """With no trace from the transport, the request-sent stamp is the clock before the
    send (never None), the connect time is 0 (measured: nothing was timed), and a
    connect timeout says it could not connect, retryably."""

    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectTimeout("timed out", request=request)

    sent, failed = await collect(refuse)
    assert isinstance(sent.event, RequestSent) and isinstance(sent.t_ns, int)
    assert sent.event.connect_ns == 0
    assert isinstance(failed.event, StreamFailed)
    info = failed.event.error
    assert info.kind == "connection" and info.retryable
    assert info.message == "could not connect to 127.0.0.1:9: timed out"


async def test_a_read_timeout_before_the_response_is_a_stall() -> None:
    def stall(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("read timed out", request=request)

    _, failed = await collect(stall)
    assert isinstance(failed.event, StreamFailed) and failed.event.error.kind == "stall"


async def test_an_http_error_on_a_fresh_connection_reports_its_connect_time() -> None:
    body = json.dumps({"error": {"message": "nope", "type": "invalid_request_error"}}).encode()
    async with running_server(
        lambda r: Script([(0, body)], status=400, content_type="application/json")
    ) as srv:
        target = StreamTarget("openai-chat", f"{srv.base}/v1", lambda: "k", "KEY")
        async with httpx.AsyncClient() as client:
            got = [s async for s in stream_events(client, target, ModelRequest("m", "hi"))]
    sent = [s.event for s in got if isinstance(s.event, RequestSent)]
    assert len(sent) == 1 and sent[0].connect_ns is not None and sent[0].connect_ns > 0
    assert isinstance(got[-1].event, StreamFailed)


async def test_a_refused_parameter_is_resent_without_it_naming_the_configured_provider() -> None:
    refusal = json.dumps(
        {
            "type": "error",
            "error": {
                "type": "invalid_request_error",
                "message": "thinking.display: Extra inputs are not permitted",
            },
        }
    ).encode()
    scripts = [
        Script([(0, refusal)], status=400, content_type="application/json"),
        Script(messages_stream("fine")),
    ]
    async with running_server(lambda r: scripts.pop(0)) as srv:
        target = StreamTarget("anthropic", srv.base, lambda: "k", "KEY", name="my-claude")
        try:
            async with httpx.AsyncClient() as client:
                got = [
                    s.event
                    async for s in stream_events(
                        client, target, ModelRequest("claude-opus-4-7", "hi")
                    )
                ]
        finally:
            forget_refused_params()
    notices = [e.text for e in got if isinstance(e, Notice)]
    assert notices == [
        "my-claude refused thinking.display, which modelduel adds itself: sent without it"
    ]
    assert "".join(e.text for e in got if isinstance(e, TextDelta)) == "fine"


# --- SSE decoding ------------------------------------------------------------------------


def test_an_event_of_exactly_the_limit_is_accepted_and_one_byte_more_is_not() -> None:
    line = b"data: " + b"x" * 9  # 15 bytes, plus its newline: 16
    assert [e.data for e in SSEDecoder(max_event_bytes=16).feed(line + b"\n\n")] == ["x" * 9]
    with pytest.raises(SSEEventTooLarge, match="exceeds 15 bytes"):
        SSEDecoder(max_event_bytes=15).feed(line + b"\n\n")


def test_after_a_too_large_event_the_decoder_holds_nothing_of_it() -> None:
    """A decoder that refused an event starts clean: a blank line dispatches no phantom
    event, and a raw line after it is reported on its own."""
    decoder = SSEDecoder(max_event_bytes=32)
    with pytest.raises(SSEEventTooLarge):
        decoder.feed(b"event: big\ndata: " + b"y" * 40 + b"\n")
    assert decoder.feed(b"\n") == []
    got = decoder.feed(b'{"error": "late"}\n\ndata: ok\n\n')
    assert got == [SSEEvent("message", '{"error": "late"}', raw=True), SSEEvent("message", "ok")]


# --- OpenAI Responses ---------------------------------------------------------------------


def test_openai_mid_stream_errors_keep_their_kind_and_message() -> None:
    quota = failure(
        parse("openai", ("error", {"type": "error", "code": "insufficient_quota", "message": "m1"}))
    )
    assert (quota.kind, quota.retryable) == ("quota", False)
    assert quota.message == "quota exhausted on openai: m1"
    limited = failure(
        parse("openai", ("error", {"type": "error", "code": "rate_limit_exceeded", "message": "x"}))
    )
    assert (limited.kind, limited.retryable) == ("rate_limited", True)
    assert limited.message == "rate-limited by openai: x"
    bare = failure(parse("openai", ("error", {"type": "error", "code": "server_error"})))
    assert bare.message == "openai error mid-stream (server_error): stream failed"


def test_openai_http_errors_by_code() -> None:
    gone = {"error": {"message": "no such model", "type": "invalid_request_error"}}
    gone["error"]["code"] = "model_not_found"
    assert error("openai", 400, gone).kind == "not_found"
    daily = {"error": {"message": "Limit 200 per day", "code": "rate_limit_exceeded"}}
    info = error("openai", 429, daily)
    assert (info.kind, info.retryable) == ("quota", False)
    assert "openai daily request limit reached" in info.message
    # an openai-chat server is named by its protocol's vendor, not "openai-chat"
    assert error("openai-chat", 401, {"error": {"message": "bad"}}).message.startswith(
        "invalid API key for openai "
    )


def test_openai_temperature_goes_to_models_that_take_it() -> None:
    body = get_adapter("openai").build_payload(ModelRequest("gpt-4.1", "hi", temperature=0.3))
    assert body["temperature"] == 0.3


def test_openai_completed_and_refused_answers_finish_as_they_should() -> None:
    done = {"type": "response.completed", "response": {}}
    assert of(parse("openai", ("x", done)), Finished) == [Finished("stop", "completed")]
    refused = parse("openai", ("x", {"type": "response.refusal.delta", "delta": "no"}), ("x", done))
    assert of(refused, Finished) == [Finished("refusal", "completed")]


def test_openai_reasoning_summary_parts_are_separate_paragraphs() -> None:
    def part(index: int, text: str) -> tuple[str, object]:
        doc = {"type": "response.reasoning_summary_text.delta", "item_id": "rs"}
        return ("x", {**doc, "summary_index": index, "delta": text})

    got = parse("openai", part(0, "one"), part(0, " more"), part(1, "two"), close=False)
    assert "".join(e.text for e in of(got, ReasoningDelta)) == "one more\n\ntwo"


# --- Anthropic ------------------------------------------------------------------------------


def test_anthropic_mid_stream_rate_limit_says_so() -> None:
    got = parse(
        "anthropic",
        ("error", {"type": "error", "error": {"type": "rate_limit_error", "message": "slow"}}),
    )
    info = failure(got)
    assert (info.kind, info.retryable, info.message) == (
        "rate_limited",
        True,
        "rate-limited by anthropic: slow",
    )


def test_anthropic_thinking_display_follows_show_reasoning() -> None:
    adapter = get_adapter("anthropic")
    hidden = adapter.build_payload(ModelRequest("claude-opus-4-7", "hi", show_reasoning=False))
    assert hidden["thinking"] == {"type": "adaptive", "display": "omitted"}


def test_anthropic_thinking_budget_is_never_below_the_minimum() -> None:
    body = get_adapter("anthropic").build_payload(
        ModelRequest("claude-sonnet-4-5", "hi", None, 8000, "100")
    )
    assert body["thinking"] == {"type": "enabled", "budget_tokens": 1024}


def test_anthropic_403_kinds() -> None:
    denied = {"type": "error", "error": {"type": "permission_error", "message": "no opus"}}
    assert error("anthropic", 403, denied).kind == "auth"
    assert error("anthropic", 403, {"type": "error", "error": {"message": "region"}}).kind == "auth"


def test_anthropic_text_in_a_block_start_and_thinking_after_redacted() -> None:
    start = {"type": "content_block_start", "index": 0}
    got = parse(
        "anthropic",
        ("x", {**start, "content_block": {"type": "redacted_thinking", "data": "…"}}),
        ("x", {**start, "content_block": {"type": "thinking", "thinking": ""}}),
        ("x", {**start, "content_block": {"type": "text", "text": "Hello"}}),
        close=False,
    )
    assert [e.text for e in of(got, ReasoningDelta)] == ["", "\n\n"]
    assert [e.text for e in of(got, TextDelta)] == ["Hello"]


def test_anthropic_usage_without_cache_fields_counts_zero_cached() -> None:
    got = parse(
        "anthropic",
        ("x", {"type": "message_start", "message": {"usage": {"input_tokens": 9}}}),
        close=False,
    )
    (usage,) = of(got, Usage)
    assert usage.input_tokens == 9 and usage.cached_input_tokens == 0


def test_anthropic_unknown_stop_reason_finishes_as_other() -> None:
    got = parse(
        "anthropic",
        ("x", {"type": "message_delta", "delta": {"stop_reason": "something_new"}}),
        ("x", {"type": "message_stop"}),
    )
    assert of(got, Finished) == [Finished("other", "something_new")]


# --- Gemini -----------------------------------------------------------------------------------


def test_gemini_bad_key_by_message_is_auth() -> None:
    body = {"error": {"code": 400, "message": "API key not valid. Please pass a valid API key."}}
    assert error("gemini", 400, body).kind == "auth"


def test_gemini_location_not_supported_is_auth_with_its_words() -> None:
    body = {"error": {"code": 400, "message": "User location is not supported for the API use."}}
    info = error("gemini", 400, body)
    assert info.kind == "auth" and "gemini does not serve this location" in info.message


def test_gemini_a_non_object_error_is_read_as_no_error() -> None:
    info = error("gemini", 500, {"error": "boom"})
    assert info.kind == "provider_error"


def test_gemini_mid_stream_error_keeps_status_word_and_code() -> None:
    doc = {"error": {"code": 429, "status": "RESOURCE_EXHAUSTED", "message": "slow down"}}
    info = failure(parse("gemini", ("message", doc)))
    assert info.kind == "rate_limited" and info.status == 429
    assert info.message == "gemini error mid-stream (RESOURCE_EXHAUSTED): slow down"
    bare = failure(parse("gemini", ("message", {"error": {"code": 500}})))
    assert bare.message == "gemini error mid-stream (error): stream failed"


def test_gemini_cached_tokens_are_read() -> None:
    doc = {
        "candidates": [{"content": {"parts": [{"text": "a"}]}, "finishReason": "STOP"}],
        "usageMetadata": {
            "promptTokenCount": 20,
            "cachedContentTokenCount": 12,
            "candidatesTokenCount": 3,
        },
    }
    (usage,) = of(parse("gemini", ("message", doc)), Usage)
    assert usage.input_tokens == 20 and usage.cached_input_tokens == 12


def test_gemini_url_trims_a_trailing_slash() -> None:
    url = get_adapter("gemini").url("http://127.0.0.1:1/", "gemini-3.1-pro-preview")
    assert url == (
        "http://127.0.0.1:1/v1beta/models/gemini-3.1-pro-preview:streamGenerateContent?alt=sse"
    )


# --- OpenAI chat --------------------------------------------------------------------------------


def chunk(**choice: object) -> tuple[str, object]:
    return ("message", {"choices": [{"index": 0, "delta": {}, **choice}]})


def test_chat_cached_prompt_tokens_are_read() -> None:
    usage_doc = {
        "prompt_tokens": 30,
        "completion_tokens": 4,
        "prompt_tokens_details": {"cached_tokens": 16},
    }
    got = parse("openai-chat", ("message", {"choices": [], "usage": usage_doc}), close=False)
    (usage,) = of(got, Usage)
    assert usage.input_tokens == 30 and usage.cached_input_tokens == 16


def test_chat_finish_reason_is_kept_raw() -> None:
    got = parse("openai-chat", chunk(finish_reason="length"), ("message", "[DONE]"))
    assert of(got, Finished) == [Finished("max_tokens", "length")]
    plain = parse("openai-chat", ("message", "[DONE]"))
    assert of(plain, Finished) == [Finished("stop", None)]


def test_chat_body_sends_the_prompt_as_the_user_and_temperature_only_where_taken() -> None:
    adapter = get_adapter("openai-chat")
    body = adapter.build_payload(ModelRequest("qwen3:8b", "hi", "sys", temperature=0.4))
    assert body["messages"] == [
        {"role": "system", "content": "sys"},
        {"role": "user", "content": "hi"},
    ]
    assert body["temperature"] == 0.4
    refusing = adapter.build_payload(ModelRequest("gpt-5.5", "hi", temperature=0.4))
    assert "temperature" not in refusing
    omitted = adapter.build_payload(ModelRequest("m", "hi", omit_params=("stream_options",)))
    assert "stream_options" not in omitted


# --- shared wording and retry classification ----------------------------------------------------


def test_a_quota_error_is_worded_as_quota_and_not_retried() -> None:
    info = http_error_info("p", 429, "used up", {}, kind="quota")
    assert info.message == "quota exhausted on p (HTTP 429): used up" and not info.retryable


def test_a_not_found_error_is_never_retried_even_on_a_retryable_status() -> None:
    assert not http_error_info("p", 409, "gone", {}, kind="not_found").retryable


def test_a_cut_stream_is_retryable() -> None:
    assert stream_cut("p", "the end").error.retryable is True


# --- found by the second pass -----------------------------------------------------------


async def test_a_dropped_connection_before_the_response_has_no_connect_time() -> None:
    def drop(request: httpx.Request) -> httpx.Response:
        raise httpx.RemoteProtocolError("server disconnected", request=request)

    sent, failed = await collect(drop)
    assert isinstance(sent.event, RequestSent) and sent.event.connect_ns == 0
    assert isinstance(failed.event, StreamFailed) and failed.event.error.retryable


def test_an_unterminated_line_over_the_limit_is_refused_with_the_limit() -> None:
    with pytest.raises(SSEEventTooLarge, match="exceeds 64 bytes"):
        SSEDecoder(max_event_bytes=64).feed(b"data: " + b"z" * 100)


def test_gemini_names_the_violated_field() -> None:
    violation = {"fieldViolations": [{"field": "generation_config.thinking_config"}]}
    body = {"error": {"code": 400, "message": "bad field", "details": [violation]}}
    assert error("gemini", 400, body).param == "generation_config.thinking_config"


def test_chat_unknown_finish_reason_is_kept_as_it_came() -> None:
    got = parse("openai-chat", chunk(finish_reason="eos_token"), ("message", "[DONE]"))
    assert of(got, Finished) == [Finished("eos_token", "eos_token")]


def test_chat_mid_stream_errors_keep_kind_status_and_spend() -> None:
    usage_doc = {"prompt_tokens": 5, "completion_tokens": 2}
    limited = parse(
        "openai-chat",
        ("message", {"error": {"code": 429, "message": "slow"}, "usage": usage_doc}),
    )
    info = failure(limited)
    assert (info.kind, info.status, info.retryable) == ("rate_limited", 429, True)
    assert info.message == "rate-limited mid-stream: slow"
    assert of(limited, Usage)[0].output_tokens == 2
    bad = failure(parse("openai-chat", ("message", {"error": {"code": 400, "message": "no"}})))
    assert (bad.kind, bad.status, bad.retryable) == ("provider_error", 400, False)
    assert bad.message == "provider error mid-stream (400): no"
    text = failure(parse("openai-chat", ("message", {"error": "it broke"})))
    assert text.message == "provider error mid-stream: it broke" and text.retryable
