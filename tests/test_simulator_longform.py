"""Answers of any length and shape, streamed without building the whole stream first."""

from __future__ import annotations

import dataclasses
import itertools
import re
import tracemalloc
from collections.abc import Iterator

import httpx2 as httpx
import pytest

from modelduel.simulator import SimulatorHandle, run_in_thread, wire_anthropic, wire_responses
from modelduel.simulator.generation import Generation, SimRequest
from modelduel.simulator.plan import make_generation
from modelduel.simulator.profile_model import SHAPES
from modelduel.simulator.profiles import profile_for
from tests.test_simulator import datas, post

PROMPT = "Explain CRDTs for a team that syncs notes offline"


def generation(
    tokens: int, shape: str = "mixed", *, protocol: str = "openai", seed: bytes = b"s" * 32
) -> Generation:
    profile = dataclasses.replace(profile_for("gpt-5.5"), answer_tokens=tokens, shape=shape)
    request = SimRequest(
        protocol=protocol, stream=True, model="gpt-5.5", prompt=PROMPT, input_texts=[PROMPT]
    )
    return make_generation(request, profile, seed)


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("tokens", [2_000, 30_000])
def test_answer_tokens_is_honoured_at_any_length(shape: str, tokens: int) -> None:
    n = len(generation(tokens, shape).answer_pieces)
    # reached, and overshot by at most one section, row or line
    assert tokens <= n <= tokens + 250


def test_a_200k_token_answer() -> None:
    gen = generation(200_000, "code")
    assert 200_000 <= len(gen.answer_pieces) <= 200_250


def test_short_mixed_answers_keep_their_persona_form() -> None:
    # The default profile lengths are unchanged: no extra sections below the persona's cap.
    gen = generation(140)
    assert "## Part" not in gen.answer_text and "(simulated)" in gen.answer_text
    assert "## Part 1:" in generation(3_000).answer_text


def fences(text: str) -> list[str]:
    return re.findall(r"^```.*$", text, flags=re.MULTILINE)


def test_shapes_have_their_form() -> None:
    code = generation(5_000, "code").answer_text
    assert fences(code) == ["```python", "```"]  # one long fenced block
    assert code.count("\ndef ") > 20
    table = generation(5_000, "table").answer_text
    rows = [ln for ln in table.splitlines() if ln.startswith("| ")]
    assert len(rows) > 100 and not fences(table)
    listed = generation(5_000, "list").answer_text
    assert len(re.findall(r"^\d+\. ", listed, flags=re.MULTILINE)) > 100
    prose = generation(5_000, "prose").answer_text
    assert not fences(prose) and "| " not in prose
    assert not re.search(r"^(\d+\.|[-*]) ", prose, flags=re.MULTILINE)
    mixed = generation(8_000).answer_text
    assert len(fences(mixed)) >= 4 and "|---|" in mixed and re.search(r"^\d+\. ", mixed, re.M)
    for text in (code, table, listed, prose, mixed):
        assert text.endswith("not real model output._")


def test_long_answers_are_deterministic_from_the_seed() -> None:
    one = generation(20_000, "mixed").answer_text
    assert one == generation(20_000, "mixed").answer_text
    assert one != generation(20_000, "mixed", seed=b"t" * 32).answer_text


@pytest.mark.parametrize(
    ("protocol", "stream"),
    [("openai", wire_responses.responses_stream), ("anthropic", wire_anthropic.anthropic_stream)],
)
def test_a_long_stream_is_built_as_it_is_sent(protocol: str, stream: object) -> None:
    gen = generation(100_000, protocol=protocol)
    assert callable(stream)
    tracemalloc.start()
    try:
        frames: Iterator[object] = stream(gen)
        first = list(itertools.islice(frames, 20))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert len(first) == 20
    # 100k frames of a few hundred bytes each would be tens of megabytes
    assert peak < 2_000_000


@pytest.fixture(scope="module")
def sim() -> Iterator[SimulatorHandle]:
    with run_in_thread(seed=5) as handle:
        yield handle


def test_shape_and_length_over_http(sim: SimulatorHandle) -> None:
    with httpx.Client(base_url=sim.base_url, timeout=60) as client:
        headers = {"x-simulate-answer-tokens": "6000", "x-simulate-shape": "code"}
        objs = datas(post(client, "openai-chat", headers=headers).content)
        text = "".join(
            o["choices"][0]["delta"].get("content") or "" for o in objs if o.get("choices")
        )
        usage = next(o["usage"] for o in objs if o.get("usage"))
        reasoning = usage["completion_tokens_details"]["reasoning_tokens"]
        assert 6_000 <= usage["completion_tokens"] - reasoning <= 6_250
        assert fences(text) == ["```python", "```"]
        bad = post(client, "openai-chat", headers={"x-simulate-shape": "sonnet"})
        assert bad.status_code == 400 and "x-simulate-shape" in bad.json()["error"]["message"]


def test_shape_from_a_profile() -> None:
    profiles = {"claude-opus-4-7": {"shape": "table", "answer_tokens": 3000}}
    with (
        run_in_thread(profiles=profiles) as handle,
        httpx.Client(base_url=handle.base_url, timeout=60) as client,
    ):
        objs = datas(post(client, "anthropic").content)
        text = "".join(
            o["delta"].get("text", "") for o in objs if o["type"] == "content_block_delta"
        )
        assert text.count("\n| ") > 50
