"""The simulator's real-account behaviours: account errors, request rules, retry headers,
silent reasoning, a server without usage, thinking counts and cache writes.

Raw httpx against a simulator in a background thread, so what is checked is the bytes
on the wire; tests/test_sdk_conformance.py checks the official SDKs classify them.
"""

from __future__ import annotations

import datetime
import itertools
import json
import re
from collections.abc import Iterator
from typing import Any

import httpx2 as httpx
import pytest

from modelduel.config import ConfigError, parse_config
from modelduel.errors import ModelduelError
from modelduel.simulator import SimulatorHandle, run_in_thread, start_in_child
from modelduel.simulator.profile_overrides import OverrideError, check_profile_overrides
from tests.test_simulator import FAST, PROTOCOLS, datas, post, request_for, sse_events

UNVERIFIED = {
    "message": "Your organization must be verified to generate reasoning summaries. Please go "
    "to: https://platform.openai.com/settings/organization/general and click on Verify "
    "Organization. If you just verified, it can take up to 15 minutes for access to propagate.",
    "type": "invalid_request_error",
    "param": "reasoning.summary",
    "code": "unsupported_value",
}


@pytest.fixture(scope="module")
def sim() -> Iterator[SimulatorHandle]:
    with run_in_thread(seed=3, ground_truth=True) as handle:
        yield handle


@pytest.fixture(scope="module")
def client(sim: SimulatorHandle) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=sim.base_url, timeout=30) as c:
        yield c


def completed_usage(raw: bytes) -> dict[str, Any]:
    objs = datas(raw)
    final = [o for o in objs if o.get("type") == "response.completed"]
    assert len(final) == 1
    usage: dict[str, Any] = final[0]["response"]["usage"]
    return usage


# ---------------------------------------------------------------- request rules


def test_unverified_org_rejects_only_the_summary(client: httpx.Client) -> None:
    r = post(client, "openai", model="gpt-5.5@fault=unverified_org")
    assert r.status_code == 400
    assert r.json() == {"error": UNVERIFIED}
    # The client's fallback: the same request without reasoning.summary succeeds, and the
    # reasoning is still counted though none of it is shown.
    r = post(
        client,
        "openai",
        model="gpt-5.5@fault=unverified_org",
        reasoning={"effort": "medium"},
        headers={"x-simulate-reasoning-ms": "50"},
    )
    assert r.status_code == 200
    kinds = {name for name, _ in sse_events(r.content)}
    assert "response.reasoning_summary_text.delta" not in kinds
    assert "response.output_text.delta" in kinds
    assert completed_usage(r.content)["output_tokens_details"]["reasoning_tokens"] > 0


def test_unverified_org_is_sticky_from_a_profile() -> None:
    with (
        run_in_thread(profiles={"gpt-5.5": {"unverified_org": True}}) as handle,
        httpx.Client(base_url=handle.base_url, timeout=30) as c,
    ):
        assert post(c, "openai").json() == {"error": UNVERIFIED}
        assert post(c, "openai", reasoning={"effort": "low"}).status_code == 200
        # other models of the same server are not affected
        assert post(c, "openai", model="gpt-5.4").status_code == 200


def test_sticky_faults_option_and_its_validation() -> None:
    with (
        run_in_thread(profiles={"qwen3-local": {"faults": "no_usage"}}) as handle,
        httpx.Client(base_url=handle.base_url, timeout=30) as c,
    ):
        r = post(c, "openai-chat")
        assert r.status_code == 200 and b'"usage"' not in r.content
    with (
        pytest.raises(ModelduelError, match="faults"),
        run_in_thread(profiles={"gpt-5.5": {"faults": "meteor"}}),
    ):
        pass
    with pytest.raises(OverrideError, match="unverified_org = 1 is not true or false"):
        check_profile_overrides({"gpt-5.5": {"unverified_org": 1}})
    with pytest.raises(OverrideError, match="shape"):
        check_profile_overrides({"gpt-5.5": {"shape": "poem"}})


REJECTED: dict[str, tuple[str, dict[str, Any]]] = {
    # protocol: (model, request fields carrying the parameter)
    "openai": ("gpt-5.5", {"reasoning": {"effort": "none"}, "temperature": 0.3}),
    "openai-chat": ("qwen3-local", {"temperature": 0.3}),
    "anthropic": ("claude-sonnet-4-5", {"temperature": 0.3}),
    "gemini": (
        "gemini-3.1-pro-preview",
        {"generationConfig": {"temperature": 0.3, "thinkingConfig": {"includeThoughts": True}}},
    ),
}


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_reject_param_names_the_parameter_in_each_shape(
    client: httpx.Client, protocol: str
) -> None:
    model, fields = REJECTED[protocol]
    faulty = f"{model}@fault=reject_param:temperature"
    r = post(client, protocol, model=faulty, **fields)
    assert r.status_code == 400
    err = r.json()["error"]
    if protocol.startswith("openai"):
        assert err["param"] == "temperature" and err["code"] == "unsupported_parameter"
    elif protocol == "anthropic":
        assert err == {
            "type": "invalid_request_error",
            "message": "temperature: is not supported for this model.",
        }
    else:
        assert err["status"] == "INVALID_ARGUMENT"
        assert err["details"][0]["fieldViolations"][0]["field"] == "temperature"
    # without the parameter the same model answers
    assert post(client, protocol, model=faulty).status_code == 200


def test_reject_param_takes_a_dotted_path(client: httpx.Client) -> None:
    r = post(client, "openai", headers={"x-simulate-fault": "reject_param:reasoning.effort"})
    assert r.status_code == 400 and r.json()["error"]["param"] == "reasoning.effort"
    r = post(client, "openai", headers={"x-simulate-fault": "reject_param:no such"})
    assert r.status_code == 400 and "not a parameter name" in r.json()["error"]["message"]


# ---------------------------------------------------------------- account errors

ACCOUNT: dict[str, dict[str, tuple[int, tuple[str, str], object]]] = {
    # fault: {protocol: (status, a field path, its value)}
    "billing": {
        "openai": (429, ("error", "code"), "insufficient_quota"),
        "openai-chat": (402, ("error", "code"), 402),
        "anthropic": (402, ("error", "type"), "billing_error"),
        "gemini": (400, ("error", "status"), "FAILED_PRECONDITION"),
    },
    "payment_required": {
        "openai": (402, ("error", "code"), 402),
        "openai-chat": (402, ("error", "code"), 402),
        "anthropic": (402, ("error", "type"), "billing_error"),
        "gemini": (400, ("error", "status"), "FAILED_PRECONDITION"),
    },
    "permission": {
        "openai": (403, ("error", "type"), "invalid_request_error"),
        "openai-chat": (403, ("error", "type"), "invalid_request_error"),
        "anthropic": (403, ("error", "type"), "permission_error"),
        "gemini": (403, ("error", "status"), "PERMISSION_DENIED"),
    },
    "region": {
        "openai": (403, ("error", "code"), "unsupported_country_region_territory"),
        "openai-chat": (403, ("error", "code"), "unsupported_country_region_territory"),
        "anthropic": (403, ("error", "type"), "forbidden"),
        "gemini": (400, ("error", "status"), "FAILED_PRECONDITION"),
    },
    "service_disabled": {
        "openai": (403, ("error", "type"), "invalid_request_error"),
        "openai-chat": (403, ("error", "type"), "invalid_request_error"),
        "anthropic": (403, ("error", "type"), "permission_error"),
        "gemini": (403, ("error", "status"), "PERMISSION_DENIED"),
    },
    "daily_quota": {
        "openai": (429, ("error", "type"), "requests"),
        "openai-chat": (429, ("error", "type"), "requests"),
        "anthropic": (429, ("error", "type"), "rate_limit_error"),
        "gemini": (429, ("error", "status"), "RESOURCE_EXHAUSTED"),
    },
}


@pytest.mark.parametrize("protocol", PROTOCOLS)
@pytest.mark.parametrize("fault", sorted(ACCOUNT))
def test_account_errors_in_each_providers_shape(
    client: httpx.Client, protocol: str, fault: str
) -> None:
    r = post(client, protocol, headers={"x-simulate-fault": fault})
    status, (outer, inner), value = ACCOUNT[fault][protocol]
    assert r.status_code == status
    body = r.json()
    assert body[outer][inner] == value
    if protocol == "anthropic":
        assert body["type"] == "error" and body["request_id"] == r.headers["request-id"]
    elif protocol == "openai" and fault != "payment_required":
        assert set(body["error"]) == {"message", "type", "param", "code"}


def test_anthropic_billing_and_openai_region_messages(client: httpx.Client) -> None:
    r = post(client, "anthropic", headers={"x-simulate-fault": "billing"})
    assert r.json()["error"]["message"] == (
        "Your credit balance is too low to access the Anthropic API. Please go to Plans & "
        "Billing to upgrade or purchase credits."
    )
    legacy = post(client, "anthropic", headers={"x-simulate-fault": "billing:400"})
    assert legacy.status_code == 400
    assert legacy.json()["error"] == {**r.json()["error"], "type": "invalid_request_error"}
    r = post(client, "openai", headers={"x-simulate-fault": "region"})
    assert r.json()["error"] == {
        "message": "Country, region, or territory not supported",
        "type": "request_forbidden",
        "param": None,
        "code": "unsupported_country_region_territory",
    }
    r = post(client, "openai-chat", headers={"x-simulate-fault": "payment_required"})
    assert r.json()["error"]["message"].startswith("Insufficient credits")


def test_gemini_service_disabled_and_daily_quota_details(client: httpx.Client) -> None:
    err = post(client, "gemini", headers={"x-simulate-fault": "service_disabled"}).json()["error"]
    assert "Generative Language API has not been used in project" in err["message"]
    info = next(d for d in err["details"] if d["@type"].endswith("google.rpc.ErrorInfo"))
    assert info["reason"] == "SERVICE_DISABLED"
    assert info["metadata"]["service"] == "generativelanguage.googleapis.com"

    err = post(client, "gemini", headers={"x-simulate-fault": "daily_quota"}).json()["error"]
    quota = next(d for d in err["details"] if d["@type"].endswith("google.rpc.QuotaFailure"))
    assert "PerDay" in quota["violations"][0]["quotaId"]
    retry = next(d for d in err["details"] if d["@type"].endswith("google.rpc.RetryInfo"))
    assert retry["retryDelay"].endswith("s")


# ---------------------------------------------------------------- retry headers


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_rate_limit_long_asks_for_an_hour(client: httpx.Client, protocol: str) -> None:
    r = post(client, protocol, headers={"x-simulate-fault": "rate_limit_long"})
    assert r.status_code == 429
    if protocol == "gemini":
        details = r.json()["error"]["details"]
        assert {"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": "3600s"} in (
            details
        )
        assert "retry-after" not in r.headers
    else:
        assert r.headers["retry-after"] == "3600"
    if protocol.startswith("openai"):
        assert r.headers["retry-after-ms"] == "3600000"
    r = post(client, protocol, headers={"x-simulate-fault": "rate_limit_long:7200"})
    if protocol != "gemini":
        assert r.headers["retry-after"] == "7200"


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_should_retry_header_variants(client: httpx.Client, protocol: str) -> None:
    r = post(client, protocol, headers={"x-simulate-fault": "rate_limit,should_retry:false"})
    assert r.status_code == 429 and r.headers.get_list("x-should-retry") == ["false"]
    r = post(client, protocol, headers={"x-simulate-fault": "bad_request,should_retry:true"})
    assert r.status_code == 400 and r.headers["x-should-retry"] == "true"
    r = post(client, protocol, headers={"x-simulate-fault": "server"})
    expected = ["true"] if protocol == "anthropic" else []
    assert r.headers.get_list("x-should-retry") == expected
    r = post(client, protocol, headers={"x-simulate-fault": "should_retry:maybe"})
    assert r.status_code == 400


# ---------------------------------------------------------------- silent reasoning


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_silent_think_sends_no_byte_before_the_first_token(
    sim: SimulatorHandle, client: httpx.Client, protocol: str
) -> None:
    sim.clear_ground_truth()
    r = post(client, protocol, headers={"x-simulate-fault": "silent_think:0.6"})
    assert r.status_code == 200
    (record,) = sim.ground_truth()
    events = record["events"]
    first_token = next(i for i, e in enumerate(events) if e["tokens"])
    times = [record["received_ns"]] + [e["written_ns"] for e in events[: first_token + 1]]
    gaps = [b - a for a, b in itertools.pairwise(times)]
    # one silence of the whole think time, ending with the first token (or its opening frames)
    assert max(gaps) >= 0.55e9
    assert times[-1] - record["received_ns"] >= 0.6e9
    if protocol in ("openai", "anthropic"):
        # the opening events (response.created, message_start) came before the silence
        assert gaps.index(max(gaps)) > 0


def test_silent_think_bills_the_thinking_and_is_a_profile_option(client: httpx.Client) -> None:
    quick = completed_usage(post(client, "openai", reasoning={"effort": "low"}).content)
    silent = completed_usage(
        post(
            client,
            "openai",
            reasoning={"effort": "low"},
            headers={"x-simulate-fault": "silent_think:1", "x-simulate-tps": "200"},
        ).content
    )
    extra = silent["output_tokens_details"]["reasoning_tokens"]
    assert extra >= quick["output_tokens_details"]["reasoning_tokens"] + 200
    with pytest.raises(OverrideError, match="silent_think_ms"):
        check_profile_overrides({"gpt-5.5": {"silent_think_ms": -1}})


# ---------------------------------------------------------------- usage


def test_chat_server_without_usage(client: httpx.Client) -> None:
    r = post(client, "openai-chat", headers={"x-simulate-fault": "no_usage"})
    assert r.status_code == 200
    objs = datas(r.content)
    assert objs and all("usage" not in o for o in objs)
    assert sse_events(r.content)[-1] == (None, "[DONE]")
    body = post(client, "openai-chat", stream=False, headers={"x-simulate-fault": "no_usage"})
    assert "usage" not in body.json()
    # the default still sends it
    assert any(o.get("usage") for o in datas(post(client, "openai-chat").content))


def anthropic_usage(raw: bytes) -> tuple[dict[str, Any], dict[str, Any]]:
    objs = datas(raw)
    start = next(o for o in objs if o["type"] == "message_start")["message"]["usage"]
    final = next(o for o in objs if o["type"] == "message_delta")["usage"]
    return start, final


def test_claude_thinking_tokens_with_display_omitted(client: httpx.Client) -> None:
    r = post(
        client,
        "anthropic",
        thinking={"type": "adaptive", "display": "omitted"},
        headers={"x-simulate-reasoning-ms": "50"},
    )
    assert r.status_code == 200
    deltas = [o["delta"]["type"] for o in datas(r.content) if o["type"] == "content_block_delta"]
    assert "thinking_delta" not in deltas and "signature_delta" in deltas
    _, final = anthropic_usage(r.content)
    thinking = final["output_tokens_details"]["thinking_tokens"]
    assert 0 < thinking < final["output_tokens"]
    # no thinking asked: zero, as real streams report
    r = post(client, "anthropic", thinking={"type": "disabled"})
    assert anthropic_usage(r.content)[1]["output_tokens_details"] == {"thinking_tokens": 0}


def test_claude_cache_write_then_read(client: httpx.Client) -> None:
    system = [
        {"type": "text", "text": "Reference notes. " * 300, "cache_control": {"type": "ephemeral"}}
    ]
    seed = {"x-simulate-seed": "cache-test-5m"}
    start, final = anthropic_usage(post(client, "anthropic", system=system, headers=seed).content)
    written = start["cache_creation_input_tokens"]
    assert written > 500 and start["cache_read_input_tokens"] == 0
    assert start["cache_creation"] == {
        "ephemeral_5m_input_tokens": written,
        "ephemeral_1h_input_tokens": 0,
    }
    assert final["cache_creation_input_tokens"] == written
    # the same prefix again is read from the cache, not written
    start, final = anthropic_usage(post(client, "anthropic", system=system, headers=seed).content)
    assert start["cache_read_input_tokens"] == written and start["cache_creation_input_tokens"] == 0
    assert final["cache_read_input_tokens"] == written

    hour = [
        {
            **system[0],
            "text": "Other notes. " * 300,
            "cache_control": {"type": "ephemeral", "ttl": "1h"},
        }
    ]
    start, _ = anthropic_usage(post(client, "anthropic", system=hour).content)
    assert (
        start["cache_creation"]["ephemeral_1h_input_tokens"]
        == start["cache_creation_input_tokens"]
        > 0
    )


def test_claude_cached_tools_leave_the_rest_of_the_prompt_uncached(client: httpx.Client) -> None:
    # The usual breakpoint: on the last tool. Only the tools are written to the cache; the
    # system prompt and the messages after them stay ordinary input, counted as before.
    tool = {
        "name": "read_file",
        "description": "Read one file of the project snapshot by its path. " * 5,
        "input_schema": {"type": "object", "properties": {"path": {"type": "string"}}},
    }
    seed = {"x-simulate-seed": "cache-tools"}
    plain, _ = anthropic_usage(post(client, "anthropic", tools=[tool], headers=seed).content)
    marked = [{**tool, "cache_control": {"type": "ephemeral"}}]
    start, final = anthropic_usage(post(client, "anthropic", tools=marked, headers=seed).content)
    written = start["cache_creation_input_tokens"]
    assert 0 < written < plain["input_tokens"]
    assert start["input_tokens"] + written == plain["input_tokens"]
    assert final["input_tokens"] == start["input_tokens"] > 0


def test_cache_write_fault_on_anthropic_and_responses(client: httpx.Client) -> None:
    fault = {"x-simulate-fault": "cache_write:3000"}
    start, _ = anthropic_usage(post(client, "anthropic", headers=fault).content)
    assert start["cache_creation_input_tokens"] == 3000
    assert start["cache_creation"]["ephemeral_5m_input_tokens"] == 3000
    usage = completed_usage(post(client, "openai", headers=fault).content)
    assert usage["input_tokens_details"]["cache_write_tokens"] == 3000
    assert usage["input_tokens"] >= 3000
    plain = completed_usage(post(client, "openai").content)
    assert plain["input_tokens_details"]["cache_write_tokens"] == 0
    chat = datas(post(client, "openai-chat", headers=fault).content)
    details = next(o["usage"] for o in chat if o.get("usage"))["prompt_tokens_details"]
    assert details["cache_write_tokens"] == 3000


def test_silent_think_combines_with_a_stream_fault(
    sim: SimulatorHandle, client: httpx.Client
) -> None:
    sim.clear_ground_truth()
    r = post(client, "openai", headers={"x-simulate-fault": "silent_think:0.3,midstream_error:2"})
    assert [o["type"] for o in datas(r.content)][-2:] == ["error", "response.failed"]
    (record,) = sim.ground_truth()
    first_token = next(e for e in record["events"] if e["tokens"])
    assert first_token["written_ns"] - record["received_ns"] >= 0.3e9


def test_faults_combine_with_commas(client: httpx.Client) -> None:
    path, auth, body = request_for("openai-chat")
    r = client.post(
        path,
        headers={**auth, **FAST, "x-simulate-fault": "no_usage, midstream_error:2"},
        json=body,
    )
    text = r.content.decode()
    assert '"usage"' not in text and '"error"' in text
    assert json.loads(sse_events(r.content)[-1][1])["error"]["type"] == "server_error"
    # a plus sign separates faults as well as a comma does
    r = post(client, "openai-chat", model="qwen3-local@fault=no_usage+rate_limit_long")
    assert r.status_code == 429 and r.headers["retry-after"] == "3600"


# ---------------------------------------------------------------- rate-limit headroom

GO_DURATION = re.compile(r"^(\d+m)?\d+(\.\d+)?s$|^\d+ms$")


def test_openai_success_reports_headroom(client: httpx.Client) -> None:
    model = "gpt-5.5-headroom-test"
    first = post(client, "openai", model=model)
    second = post(client, "openai", model=model)
    for r in (first, second):
        assert r.status_code == 200
        assert GO_DURATION.match(r.headers["x-ratelimit-reset-requests"])
        assert GO_DURATION.match(r.headers["x-ratelimit-reset-tokens"])
    limit = int(first.headers["x-ratelimit-limit-requests"])
    assert int(first.headers["x-ratelimit-remaining-requests"]) == limit - 1
    assert int(second.headers["x-ratelimit-remaining-requests"]) == limit - 2
    used = completed_usage(second.content)["total_tokens"]
    assert int(first.headers["x-ratelimit-remaining-tokens"]) - used == int(
        second.headers["x-ratelimit-remaining-tokens"]
    )
    chat = post(client, "openai-chat", model="gpt-5.5-headroom-test")
    assert "x-ratelimit-remaining-requests" in chat.headers
    # local OpenAI-compatible servers and Gemini send no such headers
    assert not [h for h in post(client, "openai-chat").headers if "ratelimit" in h]
    assert not [h for h in post(client, "gemini").headers if "ratelimit" in h]


def test_anthropic_success_reports_headroom(client: httpx.Client) -> None:
    r = post(client, "anthropic", model="claude-opus-4-7-headroom")
    names = [h for h in r.headers if h.startswith("anthropic-ratelimit-")]
    assert len(names) == 12
    for kind in ("requests", "tokens", "input-tokens", "output-tokens"):
        limit = int(r.headers[f"anthropic-ratelimit-{kind}-limit"])
        assert 0 <= int(r.headers[f"anthropic-ratelimit-{kind}-remaining"]) < limit
        reset = r.headers[f"anthropic-ratelimit-{kind}-reset"]
        assert datetime.datetime.fromisoformat(reset.replace("Z", "+00:00")).tzinfo is not None
    _, final = anthropic_usage(r.content)
    out_left = int(r.headers["anthropic-ratelimit-output-tokens-remaining"])
    assert (
        out_left
        == int(r.headers["anthropic-ratelimit-output-tokens-limit"]) - final["output_tokens"]
    )


@pytest.mark.parametrize("protocol", ["openai", "anthropic"])
def test_configured_limits_are_enforced(protocol: str) -> None:
    model = "gpt-5.5" if protocol == "openai" else "claude-opus-4-7"
    with (
        run_in_thread(profiles={model: {"rate_limit_requests": 2}}) as handle,
        httpx.Client(base_url=handle.base_url, timeout=30) as c,
    ):
        ok = [post(c, protocol) for _ in range(2)]
        assert [r.status_code for r in ok] == [200, 200]
        remaining = "x-ratelimit-remaining-requests"
        if protocol == "anthropic":
            remaining = "anthropic-ratelimit-requests-remaining"
        assert ok[1].headers[remaining] == "0"
        over = post(c, protocol)
        assert over.status_code == 429
        assert 1 <= int(over.headers["retry-after"]) <= 60
        assert over.headers[remaining] == "0"


# ---------------------------------------------------------------- options from a config


def test_config_takes_the_new_profile_options() -> None:
    config = parse_config(
        {
            "simulator": {
                "gpt-5.5": {"unverified_org": True, "silent_think_ms": 90_000},
                "qwen3-local": {"no_usage": True, "shape": "code", "faults": "daily_quota"},
            }
        },
        "modelduel.toml",
    )
    assert config.simulator["gpt-5.5"]["unverified_org"] is True
    assert config.simulator["qwen3-local"]["shape"] == "code"
    with pytest.raises(ConfigError, match=r"modelduel.toml: key 'simulator'.*shape = 'poem'"):
        parse_config({"simulator": {"gpt-5.5": {"shape": "poem"}}}, "modelduel.toml")
    with pytest.raises(ConfigError, match="unknown simulated fault 'meteor'"):
        parse_config({"simulator": {"gpt-5.5": {"faults": "meteor"}}}, "modelduel.toml")


def test_child_simulator_gets_the_options() -> None:
    profiles = {"gpt-5.5": {"unverified_org": True, "shape": "table", "answer_tokens": 2000}}
    with (
        start_in_child(profiles=profiles) as handle,
        httpx.Client(base_url=handle.base_url, timeout=30) as c,
    ):
        assert post(c, "openai").json() == {"error": UNVERIFIED}
        r = post(c, "openai", reasoning={"effort": "low"})
        text = "".join(
            o["delta"] for o in datas(r.content) if o["type"] == "response.output_text.delta"
        )
        assert text.count("\n| ") > 30


def test_ground_truth_keeps_what_the_client_sent(
    sim: SimulatorHandle, client: httpx.Client
) -> None:
    sim.clear_ground_truth()
    headers = {"openai-organization": "org-team", "openai-project": "proj_duel"}
    r = post(client, "openai", headers=headers, max_output_tokens=500)
    assert r.headers["openai-organization"] == "org-team"
    assert r.headers["openai-project"] == "proj_duel"
    (record,) = sim.ground_truth()
    assert record["request_body"]["max_output_tokens"] == 500
    assert record["request_body"]["reasoning"] == {"effort": "medium", "summary": "auto"}
    sent = record["request_headers"]
    assert sent["openai-organization"] == "org-team"
    assert sent["authorization"] == "Bearer sk-test-*****ator"  # the key never kept whole
    post(client, "anthropic")
    assert "simulator" not in sim.ground_truth()[-1]["request_headers"]["x-api-key"]
