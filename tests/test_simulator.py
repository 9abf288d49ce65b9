"""The provider simulator over real HTTP: streams, usage, determinism, faults, timing, lifetime.

Every request goes through raw httpx2 to a simulator running in a background thread
(`run_in_thread`), so what is checked is the bytes on the wire.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from typing import Any

import httpx2 as httpx
import pytest

from modelduel.errors import ModelduelError
from modelduel.simulator import SimulatorHandle, run_in_thread, start_in_child
from modelduel.simulator.generation import SimRequest
from modelduel.simulator.plan import make_generation
from modelduel.simulator.profiles import PROFILES, profile_for
from modelduel.simulator.server import bind_socket
from modelduel.simulator.tokens import count_tokens, split_tokens

FAST = {"x-simulate-ttft-ms": "0", "x-simulate-tps": "20000", "x-simulate-reasoning-ms": "0"}
PROMPT = "Explain CRDTs for a team that syncs notes offline"

OPENAI_AUTH = {"authorization": "Bearer sk-test-simulator"}
ANTHROPIC_AUTH = {"x-api-key": "sk-ant-test-simulator", "anthropic-version": "2023-06-01"}
GEMINI_AUTH = {"x-goog-api-key": "AIza-test-simulator"}
PROTOCOLS = ("openai", "openai-chat", "anthropic", "gemini")


@pytest.fixture(scope="module")
def sim() -> Iterator[SimulatorHandle]:
    with run_in_thread(seed=7, ground_truth=True) as handle:
        yield handle


@pytest.fixture(scope="module")
def client(sim: SimulatorHandle) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=sim.base_url, timeout=30) as c:
        yield c


def request_for(
    protocol: str, *, model: str | None = None, stream: bool = True, **extra: Any
) -> tuple[str, dict[str, str], dict[str, Any]]:
    """(path, headers, body) of a typical request with reasoning shown."""
    if protocol == "openai":
        body = {
            "model": model or "gpt-5.5",
            "instructions": "Be concise.",
            "input": [{"role": "user", "content": PROMPT}],
            "stream": stream,
            "reasoning": {"effort": "medium", "summary": "auto"},
        }
        return "/v1/responses", dict(OPENAI_AUTH), {**body, **extra}
    if protocol == "openai-chat":
        body = {
            "model": model or "qwen3-local",
            "messages": [
                {"role": "system", "content": "Be concise."},
                {"role": "user", "content": PROMPT},
            ],
            "stream": stream,
            "stream_options": {"include_usage": True},
        }
        if not stream:
            del body["stream_options"]
        return "/v1/chat/completions", dict(OPENAI_AUTH), {**body, **extra}
    if protocol == "anthropic":
        body = {
            "model": model or "claude-opus-4-7",
            "system": "Be concise.",
            "max_tokens": 4000,
            "messages": [{"role": "user", "content": PROMPT}],
            "stream": stream,
            "thinking": {"type": "adaptive", "display": "summarized"},
        }
        return "/v1/messages", dict(ANTHROPIC_AUTH), {**body, **extra}
    method = "streamGenerateContent?alt=sse" if stream else "generateContent"
    body = {
        "contents": [{"role": "user", "parts": [{"text": PROMPT}]}],
        "systemInstruction": {"parts": [{"text": "Be concise."}]},
        "generationConfig": {"thinkingConfig": {"includeThoughts": True}},
    }
    return (
        f"/v1beta/models/{model or 'gemini-3.1-pro-preview'}:{method}",
        dict(GEMINI_AUTH),
        {**body, **extra},
    )


def post(
    client: httpx.Client, protocol: str, *, headers: dict[str, str] | None = None, **kw: Any
) -> httpx.Response:
    path, auth, body = request_for(protocol, **kw)
    return client.post(path, headers={**auth, **FAST, **(headers or {})}, json=body)


def sse_events(raw: bytes) -> list[tuple[str | None, str]]:
    """(event name, data) of each SSE event; a bare JSON tail comes back as (None, text)."""
    text = raw.decode("utf-8").replace("\r\n", "\n")
    events: list[tuple[str | None, str]] = []
    for block in text.split("\n\n"):
        if not block.strip():
            continue
        name: str | None = None
        data: list[str] = []
        for line in block.split("\n"):
            if line.startswith("event: "):
                name = line[7:]
            elif line.startswith("data: "):
                data.append(line[6:])
        events.append((name, "\n".join(data) if data else block))
    return events


def datas(raw: bytes) -> list[dict[str, Any]]:
    return [json.loads(d) for _, d in sse_events(raw) if d != "[DONE]"]


# ---------------------------------------------------------------- streams and usage


def test_token_pieces_rejoin_exactly() -> None:
    text = "## Héllo — wörld\n\n```py\nx = {'a': 1}\n```  \n| a | ✓ |\n"
    assert "".join(split_tokens(text)) == text
    assert count_tokens(text) == len(split_tokens(text))


def test_responses_stream_text_reasoning_usage(client: httpx.Client) -> None:
    r = post(client, "openai")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/event-stream")
    events = sse_events(r.content)
    names = [n for n, _ in events]
    assert names[:2] == ["response.created", "response.in_progress"]
    assert names[-1] == "response.completed"
    objs = [json.loads(d) for _, d in events]
    assert [o["sequence_number"] for o in objs] == list(range(len(objs)))
    assert all(o["type"] == n for (n, _), o in zip(events, objs, strict=True))
    reasoning = "".join(
        o["delta"] for o in objs if o["type"] == "response.reasoning_summary_text.delta"
    )
    deltas = [o["delta"] for o in objs if o["type"] == "response.output_text.delta"]
    text = "".join(deltas)
    # Reasoning streams entirely before the first visible token.
    first_text = names.index("response.output_text.delta")
    assert names.index("response.reasoning_summary_text.delta") < first_text
    assert "response.reasoning_summary_text.delta" not in names[first_text:]
    assert reasoning.startswith("**")
    assert "(simulated)" in text and "```python" in text and "|---|" in text
    done = next(o for o in objs if o["type"] == "response.output_text.done")
    assert done["text"] == text
    final = objs[-1]["response"]
    assert final["status"] == "completed"
    assert final["output"][-1]["content"][0]["text"] == text
    usage = final["usage"]
    reasoning_tokens = usage["output_tokens_details"]["reasoning_tokens"]
    # OpenAI's output count includes reasoning; one delta is one token.
    assert usage["output_tokens"] == reasoning_tokens + len(deltas)
    assert reasoning_tokens >= count_tokens(reasoning)
    assert usage["input_tokens"] == count_tokens("Be concise.") + count_tokens(PROMPT)
    assert usage["total_tokens"] == usage["input_tokens"] + usage["output_tokens"]


def test_responses_without_summary_streams_no_reasoning_text(client: httpx.Client) -> None:
    r = post(client, "openai", reasoning={"effort": "high"})
    objs = datas(r.content)
    types = [o["type"] for o in objs]
    assert "response.reasoning_summary_text.delta" not in types
    assert objs[-1]["response"]["usage"]["output_tokens_details"]["reasoning_tokens"] >= 0
    assert types.count("response.output_item.added") == 2  # the reasoning item, then the message


def test_chat_stream_text_reasoning_usage(client: httpx.Client) -> None:
    r = post(client, "openai-chat")
    events = sse_events(r.content)
    assert events[-1][1] == "[DONE]"
    chunks = [json.loads(d) for _, d in events[:-1]]
    assert all(c["object"] == "chat.completion.chunk" for c in chunks)
    reasoning = [
        c["choices"][0]["delta"]["reasoning_content"]
        for c in chunks
        if c["choices"] and "reasoning_content" in c["choices"][0]["delta"]
    ]
    content = [
        c["choices"][0]["delta"]["content"]
        for c in chunks
        if c["choices"] and c["choices"][0]["delta"].get("content")
    ]
    assert "(simulated)" in "".join(content)
    finish = [
        c["choices"][0]["finish_reason"]
        for c in chunks
        if c["choices"] and c["choices"][0]["finish_reason"]
    ]
    assert finish == ["stop"]
    usage_chunks = [c for c in chunks if c.get("usage")]
    assert len(usage_chunks) == 1 and usage_chunks[0]["choices"] == []
    usage = usage_chunks[0]["usage"]
    assert usage["completion_tokens_details"]["reasoning_tokens"] == len(reasoning)
    assert usage["completion_tokens"] == len(reasoning) + len(content)
    assert usage["total_tokens"] == usage["prompt_tokens"] + usage["completion_tokens"]


def test_chat_gpt_hides_reasoning_but_counts_it(client: httpx.Client) -> None:
    r = post(client, "openai-chat", model="gpt-5.5")
    chunks = [json.loads(d) for _, d in sse_events(r.content)[:-1]]
    deltas = [c["choices"][0]["delta"] for c in chunks if c["choices"]]
    assert not any("reasoning_content" in d or "reasoning" in d for d in deltas)
    assert chunks[0]["model"] == "gpt-5.5-2026-04-23" and "obfuscation" in chunks[0]
    usage = chunks[-1]["usage"]
    content = [d["content"] for d in deltas if d.get("content")]
    assert usage["completion_tokens"] == usage["completion_tokens_details"][
        "reasoning_tokens"
    ] + len(content)


def test_anthropic_stream_text_thinking_usage(client: httpx.Client) -> None:
    r = post(client, "anthropic", headers={"x-simulate-cached-tokens": "3"})
    assert r.status_code == 200
    raw = r.content.decode()
    # Real Anthropic events are padded with spaces before the final brace.
    assert "}   " in raw or "}  }" in raw
    assert 'data: {"type": "ping"}' in raw
    events = sse_events(r.content)
    names = [n for n, _ in events]
    assert names[0] == "message_start" and names[-2:] == ["message_delta", "message_stop"]
    objs = [json.loads(d) for _, d in events]
    deltas = [o["delta"] for o in objs if o["type"] == "content_block_delta"]
    thinking = "".join(d["thinking"] for d in deltas if d["type"] == "thinking_delta")
    text = "".join(d["text"] for d in deltas if d["type"] == "text_delta")
    assert thinking and "(simulated)" in text
    assert [d["type"] for d in deltas].count("signature_delta") == 1
    starts = [o["content_block"]["type"] for o in objs if o["type"] == "content_block_start"]
    assert starts == ["thinking", "text"]
    start_usage = objs[0]["message"]["usage"]
    final = objs[-2]
    assert final["delta"]["stop_reason"] == "end_turn"
    usage = final["usage"]
    full_input = count_tokens("Be concise.") + count_tokens(PROMPT)
    # Anthropic's input count excludes cache reads.
    assert start_usage["input_tokens"] == usage["input_tokens"] == full_input - 3
    assert usage["cache_read_input_tokens"] == 3
    assert usage["output_tokens"] >= count_tokens(thinking) + count_tokens(text)


def test_anthropic_opus_thinking_without_summary_is_empty(client: httpx.Client) -> None:
    r = post(client, "anthropic", thinking={"type": "adaptive"})
    objs = datas(r.content)
    deltas = [o["delta"]["type"] for o in objs if o["type"] == "content_block_delta"]
    assert "thinking_delta" not in deltas and "signature_delta" in deltas


def test_gemini_stream_text_thoughts_usage(client: httpx.Client) -> None:
    r = post(client, "gemini")
    assert r.status_code == 200
    assert b"\r\n\r\n" in r.content and b"\n\n" not in r.content.replace(b"\r\n", b"")
    assert b"[DONE]" not in r.content
    chunks = datas(r.content)
    parts = [p for c in chunks for p in c["candidates"][0]["content"]["parts"]]
    thoughts = "".join(p["text"] for p in parts if p.get("thought"))
    text = "".join(p["text"] for p in parts if not p.get("thought"))
    assert thoughts and "(simulated)" in text
    assert chunks[-1]["candidates"][0]["finishReason"] == "STOP"
    assert "thoughtSignature" in chunks[-1]["candidates"][0]["content"]["parts"][0]
    totals = [c["usageMetadata"]["totalTokenCount"] for c in chunks]
    assert totals == sorted(totals)
    final = chunks[-1]["usageMetadata"]
    assert final["candidatesTokenCount"] == count_tokens(text)
    assert final["thoughtsTokenCount"] >= count_tokens(thoughts)
    # candidatesTokenCount excludes thoughtsTokenCount; the total has both.
    assert (
        final["totalTokenCount"]
        == final["promptTokenCount"] + final["candidatesTokenCount"] + final["thoughtsTokenCount"]
    )


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_non_streaming_matches_streamed_text(client: httpx.Client, protocol: str) -> None:
    streamed = post(client, protocol)
    plain = post(client, protocol, stream=False)
    assert plain.status_code == 200
    assert plain.headers["content-type"].startswith("application/json")
    body = plain.json()
    if protocol == "openai":
        text = body["output"][-1]["content"][0]["text"]
        expected = "".join(
            o["delta"] for o in datas(streamed.content) if o["type"] == "response.output_text.delta"
        )
        assert body["usage"] == datas(streamed.content)[-1]["response"]["usage"]
    elif protocol == "openai-chat":
        text = body["choices"][0]["message"]["content"]
        expected = "".join(
            c["choices"][0]["delta"].get("content") or ""
            for c in datas(streamed.content)
            if c["choices"]
        )
    elif protocol == "anthropic":
        text = body["content"][-1]["text"]
        expected = "".join(
            o["delta"].get("text", "")
            for o in datas(streamed.content)
            if o["type"] == "content_block_delta"
        )
        assert (
            body["usage"]["output_tokens"] == datas(streamed.content)[-2]["usage"]["output_tokens"]
        )
    else:
        text = "".join(
            p["text"] for p in body["candidates"][0]["content"]["parts"] if not p.get("thought")
        )
        chunks = datas(streamed.content)
        expected = "".join(
            p["text"]
            for c in chunks
            for p in c["candidates"][0]["content"]["parts"]
            if not p.get("thought")
        )
        assert body["usageMetadata"] == chunks[-1]["usageMetadata"]
    assert text == expected


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_same_seed_and_request_give_same_bytes(client: httpx.Client, protocol: str) -> None:
    first = post(client, protocol)
    second = post(client, protocol)
    assert first.content == second.content
    other = post(client, protocol, headers={"x-simulate-seed": "99"})
    assert other.content != first.content


def test_max_tokens_truncates_with_each_providers_reason(client: httpx.Client) -> None:
    r = post(client, "openai", max_output_tokens=120)
    final = datas(r.content)[-1]
    assert final["type"] == "response.incomplete"
    assert final["response"]["incomplete_details"] == {"reason": "max_output_tokens"}
    assert final["response"]["usage"]["output_tokens"] == 120
    r = post(client, "anthropic", max_tokens=100)
    assert datas(r.content)[-2]["delta"]["stop_reason"] == "max_tokens"
    r = post(client, "gemini", generationConfig={"maxOutputTokens": 100})
    chunk = datas(r.content)[-1]
    assert chunk["candidates"][0]["finishReason"] == "MAX_TOKENS"
    usage = chunk["usageMetadata"]
    assert usage.get("candidatesTokenCount", 0) + usage.get("thoughtsTokenCount", 0) == 100


# ---------------------------------------------------------------- auth and bad input


@pytest.mark.parametrize(
    ("protocol", "headers", "status"),
    [
        ("openai", {}, 401),
        ("openai", {"authorization": "Bearer not-a-key"}, 401),
        ("openai-chat", {"authorization": "Basic abc"}, 401),
        ("anthropic", {"anthropic-version": "2023-06-01"}, 401),
        ("anthropic", {"x-api-key": "bad", "anthropic-version": "2023-06-01"}, 401),
        ("gemini", {}, 403),
        ("gemini", {"x-goog-api-key": "nope"}, 400),
    ],
)
def test_missing_or_malformed_key_gets_provider_error(
    client: httpx.Client, protocol: str, headers: dict[str, str], status: int
) -> None:
    path, _, body = request_for(protocol)
    r = client.post(path, headers={**FAST, **headers}, json=body)
    assert r.status_code == status
    err = r.json()
    if protocol.startswith("openai"):
        assert set(err["error"]) == {"message", "type", "param", "code"}
    elif protocol == "anthropic":
        assert err["type"] == "error" and err["error"]["type"] == "authentication_error"
    else:
        assert err["error"]["code"] == status
        if status == 400:
            assert err["error"]["details"][0]["reason"] == "API_KEY_INVALID"


def test_gemini_accepts_key_in_query(client: httpx.Client) -> None:
    path, _, body = request_for("gemini")
    r = client.post(path + "&key=AIza-query-key", headers=FAST, json=body)
    assert r.status_code == 200


def test_openai_invalid_key_is_masked(client: httpx.Client) -> None:
    path, _, body = request_for("openai")
    r = client.post(
        path, headers={"authorization": "Bearer xk-abcdefghijklmnop1234", **FAST}, json=body
    )
    assert r.json()["error"]["code"] == "invalid_api_key"
    assert "xk-abcde" in r.json()["error"]["message"] and "1234" in r.json()["error"]["message"]
    assert "fghijklmnop" not in r.json()["error"]["message"]


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_malformed_json_body_is_400_in_provider_shape(client: httpx.Client, protocol: str) -> None:
    path, auth, _ = request_for(protocol)
    r = client.post(
        path, headers={**auth, "content-type": "application/json"}, content=b'{"model": '
    )
    assert r.status_code == 400
    err = r.json()
    if protocol == "anthropic":
        assert err["error"]["type"] == "invalid_request_error"
    elif protocol == "gemini":
        assert err["error"]["status"] == "INVALID_ARGUMENT"
    else:
        assert err["error"]["type"] == "invalid_request_error"
        assert "parse the JSON body" in err["error"]["message"]


def test_rejections_match_the_real_apis(client: httpx.Client) -> None:
    path, auth, body = request_for("anthropic")
    del body["max_tokens"]
    r = client.post(path, headers=auth, json=body)
    assert r.status_code == 400
    assert r.json()["error"] == {
        "type": "invalid_request_error",
        "message": "max_tokens: Field required",
    }
    r = client.post(path, headers={"x-api-key": "sk-ant-x"}, json=request_for("anthropic")[2])
    assert r.status_code == 400 and "anthropic-version" in r.json()["error"]["message"]
    r = post(client, "anthropic", temperature=0.2)
    assert r.status_code == 400 and r.json()["error"]["type"] == "invalid_request_error"
    r = post(client, "anthropic", thinking={"type": "enabled", "budget_tokens": 2000})
    assert r.status_code == 400 and "thinking.type.enabled" in r.json()["error"]["message"]
    r = post(client, "anthropic", max_tokens="lots")
    assert r.status_code == 400 and "max_tokens" in r.json()["error"]["message"]

    r = post(client, "openai", temperature=0.2)
    assert r.status_code == 400
    assert r.json()["error"] == {
        "message": "Unsupported parameter: 'temperature' is not supported with this model.",
        "type": "invalid_request_error",
        "param": "temperature",
        "code": None,
    }
    r = post(client, "openai", max_output_tokens="many")
    assert r.status_code == 400 and r.json()["error"]["code"] == "invalid_type"
    r = post(client, "openai-chat", model="gpt-5.5", max_tokens=100)
    assert r.status_code == 400 and r.json()["error"]["code"] == "unsupported_parameter"
    r = post(client, "openai", model="nope-model")
    assert r.status_code == 400 and r.json()["error"]["code"] == "model_not_found"
    r = post(client, "anthropic", model="gpt-4o")
    assert r.status_code == 404 and r.json()["error"]["type"] == "not_found_error"

    r = post(client, "gemini", unknownField=1)
    assert r.status_code == 400 and "Unknown name" in r.json()["error"]["message"]
    r = post(client, "gemini", generationConfig={"maxOutputTokens": "x"})
    assert r.status_code == 400 and r.json()["error"]["status"] == "INVALID_ARGUMENT"


# ---------------------------------------------------------------- faults


HTTP_FAULT_STATUS = {
    # fault: {protocol: status}
    "auth": {"openai": 401, "openai-chat": 401, "anthropic": 401, "gemini": 400},
    "not_found": {"openai": 400, "openai-chat": 404, "anthropic": 404, "gemini": 404},
    "bad_request": {"openai": 400, "openai-chat": 400, "anthropic": 400, "gemini": 400},
    "rate_limit": {"openai": 429, "openai-chat": 429, "anthropic": 429, "gemini": 429},
    "server": {"openai": 500, "openai-chat": 500, "anthropic": 500, "gemini": 500},
    "unavailable": {"openai": 503, "openai-chat": 503, "anthropic": 503, "gemini": 503},
    "overloaded": {"openai": 503, "openai-chat": 503, "anthropic": 529, "gemini": 503},
}


@pytest.mark.parametrize("protocol", PROTOCOLS)
@pytest.mark.parametrize("fault", sorted(HTTP_FAULT_STATUS))
def test_http_faults_use_provider_status_and_body(
    client: httpx.Client, protocol: str, fault: str
) -> None:
    r = post(
        client,
        protocol,
        headers={"x-simulate-fault": f"{fault}:3" if fault == "rate_limit" else fault},
    )
    assert r.status_code == HTTP_FAULT_STATUS[fault][protocol]
    err = r.json()
    if protocol.startswith("openai"):
        assert set(err["error"]) == {"message", "type", "param", "code"}
        assert r.headers["x-request-id"].startswith("req_")
    elif protocol == "anthropic":
        assert err["type"] == "error" and set(err["error"]) == {"type", "message"}
        assert err["request_id"] == r.headers["request-id"]
    else:
        assert err["error"]["code"] == r.status_code and err["error"]["status"].isupper()
    if fault == "rate_limit":
        if protocol == "gemini":
            assert "retry-after" not in r.headers
            assert {"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": "3s"} in err[
                "error"
            ]["details"]
        else:
            assert r.headers["retry-after"] == "3"
    if fault == "overloaded" and protocol == "anthropic":
        assert err["error"] == {"type": "overloaded_error", "message": "Overloaded"}
    if fault == "not_found" and protocol == "openai":
        assert err["error"]["code"] == "model_not_found"


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_fault_from_model_suffix(client: httpx.Client, protocol: str) -> None:
    r = post(
        client,
        protocol,
        model={
            "openai": "gpt-5.5",
            "openai-chat": "qwen3-local",
            "anthropic": "claude-opus-4-7",
            "gemini": "gemini-3.1-pro-preview",
        }[protocol]
        + "@fault=rate_limit:2",
    )
    assert r.status_code == 429


def test_unknown_fault_is_a_bad_request(client: httpx.Client) -> None:
    r = post(client, "anthropic", headers={"x-simulate-fault": "meteor"})
    assert r.status_code == 400 and "unknown simulated fault" in r.json()["error"]["message"]


def test_midstream_error_in_each_providers_form(client: httpx.Client) -> None:
    fault = {"x-simulate-fault": "midstream_error:4"}
    objs = datas(post(client, "openai", headers=fault).content)
    assert [o["type"] for o in objs[-2:]] == ["error", "response.failed"]
    assert objs[-2]["code"] == "server_is_overloaded"
    assert objs[-1]["response"]["error"]["code"] == "server_is_overloaded"
    events = sse_events(post(client, "openai-chat", headers=fault).content)
    assert (
        events[-1][1] != "[DONE]" and json.loads(events[-1][1])["error"]["type"] == "server_error"
    )
    events = sse_events(post(client, "anthropic", headers=fault).content)
    assert events[-1][0] == "error"
    assert json.loads(events[-1][1])["error"]["type"] == "overloaded_error"
    assert "message_stop" not in [n for n, _ in events]
    raw = post(client, "gemini", headers=fault).content
    tail = raw.decode().split("\r\n\r\n")[-1]
    assert json.loads(tail)["error"]["status"] == "UNAVAILABLE"
    tokens = [o for o in datas(raw.split(b"\r\n\r\n{")[0] + b"\r\n\r\n")]
    assert tokens  # some data chunks came before the error


def test_a_stream_fault_counts_the_tool_call_tokens_too(
    sim: SimulatorHandle, client: httpx.Client
) -> None:
    # midstream_error:N cuts after N tokens of any kind: past the reasoning, inside the call.
    tools = [
        {
            "type": "function",
            "name": "read_file",
            "description": "Read a file",
            "parameters": {"type": "object", "properties": {"path": {"type": "string"}}},
        }
    ]

    def sent() -> list[tuple[str, int]]:
        events = sim.ground_truth()[-1]["events"]
        return [(e["kind"], e["tokens"]) for e in events]

    post(client, "openai", tools=tools)
    whole = sent()
    reasoning = sum(n for kind, n in whole if kind == "reasoning")
    assert reasoning > 0 and sum(n for kind, n in whole if kind == "tool") > 3
    post(
        client,
        "openai",
        tools=tools,
        headers={"x-simulate-fault": f"midstream_error:{reasoning + 3}"},
    )
    cut = sent()
    before = cut[: [kind for kind, _ in cut].index("error")]
    assert sum(n for _, n in before) == reasoning + 3
    assert sum(n for kind, n in before if kind == "tool") == 3


def test_drop_closes_the_connection_mid_stream(sim: SimulatorHandle) -> None:
    path, auth, body = request_for("openai-chat")
    got = b""
    headers = {**auth, **FAST, "x-simulate-fault": "drop:5"}
    with (
        httpx.Client(base_url=sim.base_url) as c,
        pytest.raises(httpx.RemoteProtocolError),
        c.stream("POST", path, headers=headers, json=body) as r,
    ):
        assert r.status_code == 200
        for chunk in r.iter_raw():
            got += chunk
    assert b"data: " in got and b"[DONE]" not in got


def test_stall_pauses_the_stream(client: httpx.Client) -> None:
    path, auth, body = request_for("anthropic")
    gaps: list[float] = []
    last = None
    with client.stream(
        "POST", path, headers={**auth, **FAST, "x-simulate-fault": "stall:0.4"}, json=body
    ) as r:
        for _ in r.iter_raw():
            now = time.monotonic()
            if last is not None:
                gaps.append(now - last)
            last = now
    assert max(gaps) >= 0.35


def test_malformed_event_has_invalid_json(client: httpx.Client) -> None:
    r = post(client, "openai", headers={"x-simulate-fault": "malformed:2"})
    bad = []
    for _, data in sse_events(r.content):
        try:
            json.loads(data)
        except json.JSONDecodeError:
            bad.append(data)
    assert len(bad) == 1
    assert (
        datas(r.content.replace(f"data: {bad[0]}\n".encode(), b"data: {}\n"))[-1]["type"]
        == "response.completed"
    )


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_cut_utf8_ends_inside_a_character(client: httpx.Client, protocol: str) -> None:
    r = post(client, protocol, headers={"x-simulate-fault": "cut_utf8"})
    assert r.status_code == 200
    assert r.content[-1] >= 0xC0  # a lead byte with its continuation bytes missing
    with pytest.raises(UnicodeDecodeError):
        r.content.decode("utf-8")


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_stream_faults_on_non_streaming_requests(client: httpx.Client, protocol: str) -> None:
    r = post(client, protocol, stream=False, headers={"x-simulate-fault": "midstream_error"})
    assert r.status_code == (529 if protocol == "anthropic" else 503)
    r = post(client, protocol, stream=False, headers={"x-simulate-fault": "malformed"})
    assert r.status_code == 200
    with pytest.raises(json.JSONDecodeError):
        json.loads(r.content)
    with pytest.raises(httpx.RemoteProtocolError):
        post(client, protocol, stream=False, headers={"x-simulate-fault": "drop"})


# ---------------------------------------------------------------- timing and ground truth


def test_profiles_follow_the_brief() -> None:
    def plan(model: str, protocol: str, shown: bool) -> Any:
        request = SimRequest(
            protocol, True, model, PROMPT, [PROMPT], reasoning_on=True, reasoning_shown=shown
        )
        return make_generation(request, profile_for(model), b"seed")

    gpt = plan("gpt-5.5", "openai", False)
    assert gpt.answer_times[0] == pytest.approx(3.0)  # reasons ~3 s before its first visible token
    claude = plan("claude-opus-4-7", "anthropic", True)
    assert claude.reasoning_times[0][0] == pytest.approx(0.5)  # starts in ~0.5 s
    gemini = plan("gemini-3.1-pro-preview", "gemini", True)
    assert gemini.ttft == pytest.approx(1.5) and gemini.text_start == pytest.approx(3.0)
    assert len(gpt.answer_pieces) < len(claude.answer_pieces)  # terse
    assert profile_for("my-local-model").name == "my-local-model"
    assert profile_for("my-local-model").ttft_ms == PROFILES["default"].ttft_ms


def test_ground_truth_and_ttft_override(sim: SimulatorHandle) -> None:
    sim.clear_ground_truth()
    path, auth, body = request_for("openai-chat")
    headers = {
        **auth,
        "x-simulate-ttft-ms": "200",
        "x-simulate-reasoning-ms": "0",
        "x-simulate-tps": "2000",
    }
    with httpx.Client(base_url=sim.base_url) as c:
        c.get("/health")  # connect first, so the request timing holds no handshake
        sent = time.monotonic_ns()
        first_token_ns = None
        with c.stream("POST", path, headers=headers, json=body) as r:
            for chunk in r.iter_raw():
                if first_token_ns is None and b"reasoning_content" in chunk:
                    first_token_ns = time.monotonic_ns()
    records = [rec for rec in sim.ground_truth() if rec["path"] == path]
    assert len(records) == 1
    rec = records[0]
    assert rec["status"] == 200 and rec["model"] == "qwen3-local"
    assert rec["received_ns"] >= sent
    first = next(e for e in rec["events"] if e["tokens"])
    server_ttft = (first["written_ns"] - rec["received_ns"]) / 1e6
    assert 150 <= server_ttft <= 600
    assert first_token_ns is not None
    client_ttft = (first_token_ns - sent) / 1e6
    assert 150 <= client_ttft <= 600
    written = [e["written_ns"] for e in rec["events"]]
    assert written == sorted(written)
    assert rec["events"][-1]["event"] == "[DONE]"


def alive(pid: int) -> bool:
    """Whether `pid` runs (a zombie left for a non-reaping init counts as gone)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def test_start_in_child_leaves_no_process() -> None:
    with start_in_child(seed=3) as handle:
        pid = handle.pid
        assert pid is not None
        env = handle.env()
        assert env["OPENAI_BASE_URL"] == f"{handle.base_url}/v1"
        assert env["ANTHROPIC_BASE_URL"] == env["GOOGLE_GEMINI_BASE_URL"] == handle.base_url
        assert httpx.get(f"{handle.base_url}/health").status_code == 200
        path, _, body = request_for("gemini")
        r = httpx.post(
            handle.base_url + path,
            headers={"x-goog-api-key": env["GEMINI_API_KEY"], **FAST},
            json=body,
        )
        assert r.status_code == 200
    assert not alive(pid)


def test_child_exits_when_its_parent_crashes() -> None:
    script = textwrap.dedent(
        """
        import os, sys
        from modelduel.simulator import start_in_child
        with start_in_child() as handle:
            print(handle.pid, flush=True)
            os._exit(1)  # a crash: no cleanup runs
        """
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    pid = int(out.stdout.strip())
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if not alive(pid):
            return
        time.sleep(0.05)
    pytest.fail(f"simulator child {pid} outlived its parent")


def test_port_in_use_is_a_one_line_error() -> None:
    sock = bind_socket("127.0.0.1", 0)
    port = sock.getsockname()[1]
    try:
        with pytest.raises(ModelduelError, match=f"port {port} on 127.0.0.1 is in use"):
            bind_socket("127.0.0.1", port)
    finally:
        sock.close()


def test_profile_overrides_from_config() -> None:
    profiles = {"qwen3-local": {"ttft_ms": 150, "reasoning_ms": 0, "tps": 5000}}
    with run_in_thread(ground_truth=True, profiles=profiles) as handle:
        path, auth, body = request_for("openai-chat")
        r = httpx.post(handle.base_url + path, headers=auth, json=body)
        assert r.status_code == 200
        (rec,) = handle.ground_truth()
    first = next(e for e in rec["events"] if e["tokens"])
    assert 100 <= (first["written_ns"] - rec["received_ns"]) / 1e6 <= 500
    with (
        pytest.raises(ModelduelError, match="unknown field"),
        run_in_thread(profiles={"m": {"speed": 1}}),
    ):
        pass


def test_simulator_shares_no_code_with_the_client() -> None:
    code = (
        "import sys, modelduel.simulator, modelduel.simulator.app, modelduel.simulator.server\n"
        "print([m for m in sys.modules if m.startswith(('modelduel.providers', 'textual'))])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
