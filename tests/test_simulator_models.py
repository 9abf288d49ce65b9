"""What each model family accepts: sampling knobs, effort words, thinking display, budgets."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx2 as httpx
import pytest

from modelduel.simulator import run_in_thread
from modelduel.simulator.families import claude_version
from tests.test_simulator import datas, post

STRICT_CLAUDES = [
    "claude-opus-4-7",
    "claude-opus-4-8",
    "claude-opus-5",
    "claude-opus-5-5",
    "claude-sonnet-5",
    "claude-sonnet-5-1",
    "claude-haiku-5-5",
    "claude-opus-4-7-20260416",
]
OLDER_CLAUDES = ["claude-sonnet-4-6", "claude-opus-4-5", "claude-sonnet-4-20250514"]


@pytest.fixture(scope="module")
def client() -> Iterator[httpx.Client]:
    with (
        run_in_thread(seed=9) as handle,
        httpx.Client(base_url=handle.base_url, timeout=30) as c,
    ):
        yield c


def test_claude_versions_parse() -> None:
    assert claude_version("claude-opus-4-7") == (4, 7)
    assert claude_version("claude-opus-5") == (5, 0)
    assert claude_version("claude-sonnet-4-20250514") == (4, 0)
    assert claude_version("claude-3-5-sonnet-20241022") is None


@pytest.mark.parametrize("model", STRICT_CLAUDES)
@pytest.mark.parametrize("name", ["temperature", "top_p", "top_k"])
def test_claude_from_4_7_rejects_sampling_knobs(
    client: httpx.Client, model: str, name: str
) -> None:
    r = post(client, "anthropic", model=model, **{name: 1 if name == "top_k" else 0.5})
    assert r.status_code == 400
    assert r.json()["error"] == {
        "type": "invalid_request_error",
        "message": f"{name}: is not supported for this model.",
    }
    r = post(client, "anthropic", model=model, thinking={"type": "enabled", "budget_tokens": 2000})
    assert r.status_code == 400 and "thinking.type.enabled" in r.json()["error"]["message"]


@pytest.mark.parametrize("model", OLDER_CLAUDES)
def test_older_claudes_take_temperature(client: httpx.Client, model: str) -> None:
    r = post(client, "anthropic", model=model, temperature=0.5, thinking={"type": "disabled"})
    assert r.status_code == 200


def test_claude_effort_words_per_model(client: httpx.Client) -> None:
    for effort in ("low", "medium", "high", "xhigh", "max"):
        r = post(client, "anthropic", output_config={"effort": effort})
        assert r.status_code == 200, effort
    r = post(client, "anthropic", model="claude-opus-4-6", output_config={"effort": "xhigh"})
    assert r.status_code == 400
    # word for word the recorded reply of claude-opus-4-6
    assert r.json()["error"]["message"] == (
        "This model does not support effort level 'xhigh'. Supported levels: high, low, max, "
        "medium."
    )
    r = post(client, "anthropic", output_config={"effort": "extreme"})
    assert r.status_code == 400 and "'extreme'" in r.json()["error"]["message"]
    r = post(client, "anthropic", model="claude-sonnet-4-5", output_config={"effort": "low"})
    assert r.status_code == 400 and "effort" in r.json()["error"]["message"]


def test_openai_effort_words_per_model(client: httpx.Client) -> None:
    for effort in ("none", "low", "medium", "high", "xhigh"):
        assert post(client, "openai", reasoning={"effort": effort}).status_code == 200, effort
    r = post(client, "openai", reasoning={"effort": "minimal"})
    assert r.status_code == 400
    assert r.json()["error"] == {
        "message": "Unsupported value: 'minimal' is not supported with the 'gpt-5.5' model. "
        "Supported values are: 'none', 'low', 'medium', 'high', and 'xhigh'.",
        "type": "invalid_request_error",
        "param": "reasoning.effort",
        "code": "unsupported_value",
    }
    assert post(client, "openai", model="gpt-5", reasoning={"effort": "minimal"}).status_code == 200
    r = post(client, "openai", reasoning={"effort": "turbo"})
    assert r.status_code == 400 and r.json()["error"]["code"] == "invalid_value"
    r = post(client, "openai-chat", model="gpt-5.5", reasoning_effort="minimal")
    assert r.status_code == 400 and r.json()["error"]["param"] == "reasoning_effort"
    assert post(client, "openai-chat", model="gpt-5.5", reasoning_effort="xhigh").status_code == 200


def gemini_thinking(level: str, **extra: Any) -> dict[str, Any]:
    return {"generationConfig": {"thinkingConfig": {"thinkingLevel": level, **extra}}}


@pytest.mark.parametrize(
    ("model", "accepted", "rejected"),
    [
        ("gemini-3.1-pro-preview", ["low", "medium", "HIGH"], ["minimal"]),
        ("gemini-3-pro-preview", ["low", "high"], ["medium", "minimal"]),
        ("gemini-3-flash-preview", ["minimal", "low", "medium", "high"], []),
        ("gemini-2.5-pro", [], ["low", "high"]),
    ],
)
def test_gemini_thinking_levels_per_model(
    client: httpx.Client, model: str, accepted: list[str], rejected: list[str]
) -> None:
    for level in accepted:
        assert post(client, "gemini", model=model, **gemini_thinking(level)).status_code == 200
    for level in rejected:
        r = post(client, "gemini", model=model, **gemini_thinking(level))
        assert r.status_code == 400, (model, level)
        err = r.json()["error"]
        assert err["status"] == "INVALID_ARGUMENT"
        assert f"Thinking level {level.upper()} is not supported" in err["message"]
    r = post(client, "gemini", **gemini_thinking("low", thinkingBudget=1024))
    assert r.status_code == 400


def thinking_tokens(client: httpx.Client, effort: str) -> int:
    r = post(
        client,
        "anthropic",
        thinking={"type": "adaptive", "display": "omitted"},
        output_config={"effort": effort},
        headers={"x-simulate-reasoning-ms": "200", "x-simulate-tps": "1000"},
    )
    final = next(o for o in datas(r.content) if o["type"] == "message_delta")
    return int(final["usage"]["output_tokens_details"]["thinking_tokens"])


def test_effort_scales_the_thinking(client: httpx.Client) -> None:
    low, medium, high, most = (thinking_tokens(client, e) for e in ("low", "medium", "high", "max"))
    assert (low, medium, high, most) == (100, 200, 300, 500)


def test_gemini_without_include_thoughts_counts_them(client: httpx.Client) -> None:
    r = post(
        client,
        "gemini",
        generationConfig={"thinkingConfig": {"thinkingLevel": "high"}},
        headers={"x-simulate-reasoning-ms": "100"},
    )
    chunks = datas(r.content)
    parts = [p for c in chunks for p in c["candidates"][0]["content"]["parts"]]
    assert not [p for p in parts if p.get("thought")]
    assert chunks[-1]["usageMetadata"]["thoughtsTokenCount"] > 0


def test_max_tokens_counts_reasoning_on_every_protocol(client: httpx.Client) -> None:
    slow = {"x-simulate-reasoning-ms": "100", "x-simulate-tps": "1000"}  # 100 reasoning tokens
    r = post(client, "openai-chat", max_completion_tokens=130, headers=slow)
    objs = datas(r.content)
    assert [c["choices"][0]["finish_reason"] for c in objs if c.get("choices")][-1] == "length"
    usage = next(o["usage"] for o in objs if o.get("usage"))
    assert usage["completion_tokens"] == 130
    # a budget the reasoning alone uses up: no answer text, and the provider's max-tokens end
    r = post(client, "openai", max_output_tokens=60, reasoning={"effort": "medium"}, headers=slow)
    final = datas(r.content)[-1]
    assert final["type"] == "response.incomplete"
    assert final["response"]["incomplete_details"] == {"reason": "max_output_tokens"}
    assert not [o for o in datas(r.content) if o["type"] == "response.output_text.delta"]
    r = post(
        client,
        "anthropic",
        max_tokens=50,
        thinking={"type": "adaptive", "display": "omitted"},
        headers=slow,
    )
    delta = next(o for o in datas(r.content) if o["type"] == "message_delta")
    assert delta["delta"]["stop_reason"] == "max_tokens"
    assert delta["usage"]["output_tokens"] == 50
    assert delta["usage"]["output_tokens_details"]["thinking_tokens"] == 50
