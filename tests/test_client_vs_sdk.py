"""modelduel's own client and the official SDKs read the same answer from the same request.

Both send the body modelduel's adapter builds, with the same seed, to the simulator;
the text, reasoning and usage (normalised to modelduel's vocabulary) must match. A
parser that mis-reads a protocol would disagree with the vendor's own client here.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import anthropic
import openai
import pytest
from google import genai
from google.genai import types as genai_types

from modelduel.events import Finished, ReasoningDelta, Stamped, TextDelta, Usage
from modelduel.providers.base import ModelRequest
from modelduel.providers.http import StreamTarget, make_client, stream_events
from modelduel.providers.registry import get_adapter
from modelduel.simulator import SimulatorHandle, run_in_thread
from tests.support.sdk_streams import read_anthropic, read_chat, read_gemini, read_responses

FAST = {"x-simulate-ttft-ms": "0", "x-simulate-tps": "20000", "x-simulate-reasoning-ms": "0"}
PROMPT = "Compare optimistic and pessimistic locking for an inventory service"
SYSTEM = "Be concise."


@pytest.fixture(scope="module")
def sim() -> Iterator[SimulatorHandle]:
    with run_in_thread(seed=5) as handle:
        yield handle


async def ours(sim: SimulatorHandle, kind: str, model: str, key: str) -> dict[str, Any]:
    base = f"{sim.base_url}/v1" if kind.startswith("openai") else sim.base_url
    target = StreamTarget(kind, base, lambda: key, "KEY")
    request = ModelRequest(model, PROMPT, SYSTEM, extra_headers=tuple(FAST.items()))
    text, reasoning = [], []
    usage = Usage()
    finished = None
    async with make_client() as client:
        async for stamped in stream_events(client, target, request):
            assert isinstance(stamped, Stamped)
            e = stamped.event
            if isinstance(e, TextDelta):
                text.append(e.text)
            elif isinstance(e, ReasoningDelta):
                reasoning.append(e.text)
            elif isinstance(e, Usage):
                usage = e
            elif isinstance(e, Finished):
                finished = e
    assert finished is not None
    return {"text": "".join(text), "reasoning": "".join(reasoning), "usage": usage}


def payload(kind: str, model: str) -> dict[str, Any]:
    body = get_adapter(kind).build_payload(ModelRequest(model, PROMPT, SYSTEM))
    body.pop("stream", None)
    return body


async def test_openai_responses(sim: SimulatorHandle) -> None:
    mine = await ours(sim, "openai", "gpt-5.5", "sk-test")
    client = openai.OpenAI(base_url=f"{sim.base_url}/v1", api_key="sk-test", max_retries=0)
    read = read_responses(
        client.responses.create(**payload("openai", "gpt-5.5"), stream=True, extra_headers=FAST)
    )
    assert read.final is not None and read.usage is not None
    assert mine["text"] == "".join(read.text)
    assert mine["reasoning"].replace("\n\n", "") == "".join(read.reasoning).replace("\n\n", "")
    u = read.usage
    assert mine["usage"] == Usage(
        u.input_tokens,
        u.input_tokens_details.cached_tokens,
        u.output_tokens,
        u.output_tokens_details.reasoning_tokens,
        cache_write_tokens=getattr(u.input_tokens_details, "cache_write_tokens", None),
    )


async def test_openai_chat(sim: SimulatorHandle) -> None:
    mine = await ours(sim, "openai-chat", "qwen3:8b", "sk-test")
    client = openai.OpenAI(base_url=f"{sim.base_url}/v1", api_key="sk-test", max_retries=0)
    read = read_chat(
        client.chat.completions.create(
            **payload("openai-chat", "qwen3:8b"), stream=True, extra_headers=FAST
        )
    )
    usage = read.usage
    assert usage is not None
    assert mine["text"] == "".join(read.text)
    assert mine["reasoning"] == "".join(read.reasoning)
    assert mine["usage"].input_tokens == usage.prompt_tokens
    assert mine["usage"].output_tokens == usage.completion_tokens


async def test_anthropic(sim: SimulatorHandle) -> None:
    mine = await ours(sim, "anthropic", "claude-opus-4-7", "sk-ant-test")
    client = anthropic.Anthropic(base_url=sim.base_url, api_key="sk-ant-test", max_retries=0)
    with client.messages.stream(**payload("anthropic", "claude-opus-4-7"), extra_headers=FAST) as s:
        read = read_anthropic(s)
    u = read.usage
    assert mine["text"] == "".join(read.text)
    assert mine["reasoning"].replace("\n\n", "") == "".join(read.reasoning).replace("\n\n", "")
    cache_read = u.cache_read_input_tokens or 0
    inputs = u.input_tokens + cache_read + (u.cache_creation_input_tokens or 0)
    details = getattr(u, "output_tokens_details", None)
    creation = u.cache_creation
    assert mine["usage"] == Usage(
        inputs,
        cache_read,
        u.output_tokens,
        getattr(details, "thinking_tokens", None),
        cache_write_tokens=u.cache_creation_input_tokens or 0,
        cache_write_1h_tokens=None if creation is None else creation.ephemeral_1h_input_tokens,
    )


# What google-genai 3.6 puts on the wire for the call below (captured over loopback):
# it spells `include_thoughts` in snake case and gives the system instruction a role.
# modelduel sends the same request in its own spelling; to compare the two readings
# of the *same bytes*, our client sends the SDK's body here.
GENAI_BODY = {
    "contents": [{"parts": [{"text": PROMPT}], "role": "user"}],
    "systemInstruction": {"parts": [{"text": SYSTEM}], "role": "user"},
    "generationConfig": {"thinkingConfig": {"include_thoughts": True}},
}


async def test_gemini(sim: SimulatorHandle, monkeypatch: pytest.MonkeyPatch) -> None:
    body = payload("gemini", "gemini-3.1-pro-preview")
    adapter = get_adapter("gemini")
    monkeypatch.setattr(adapter, "build_payload", lambda request: GENAI_BODY)
    mine = await ours(sim, "gemini", "gemini-3.1-pro-preview", "AIza-test")
    client = genai.Client(
        api_key="AIza-test",
        http_options=genai_types.HttpOptions(base_url=sim.base_url, headers=FAST),
    )
    config = genai_types.GenerateContentConfig(
        system_instruction=SYSTEM,
        thinking_config=genai_types.ThinkingConfig(include_thoughts=True),
    )
    assert body["generationConfig"]["thinkingConfig"] == {"includeThoughts": True}
    assert body["contents"] == GENAI_BODY["contents"]
    read = read_gemini(
        client.models.generate_content_stream(
            model="gemini-3.1-pro-preview", contents=PROMPT, config=config
        )
    )
    usage = read.usage
    assert usage is not None
    assert mine["text"] == "".join(read.text)
    assert mine["reasoning"] == "".join(read.reasoning)
    thoughts = usage.thoughts_token_count
    assert mine["usage"] == Usage(
        usage.prompt_token_count,
        usage.cached_content_token_count or 0,
        (usage.candidates_token_count or 0) + (thoughts or 0),
        thoughts,
    )
