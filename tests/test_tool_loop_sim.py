"""The engine against the project's own simulator: tool loops, follow-ups and images.

`tests/test_tool_loop.py` plays the model from scripted SSE frames; here the model is the
simulator (`modelduel.simulator.run_in_thread`), which writes each provider's wire format
from its own code and checks every request as the provider does (a thinking block
without its signature, a Gemini 3 function call without its `thoughtSignature`, a tool
result for no call: each a 400 with the provider's body). So a loop that ends in `stop`
here proves the engine and the simulator agree on all four protocols, round after round.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Iterator
from dataclasses import replace

import pytest

from modelduel.attachments import Attachment
from modelduel.conversation import Conversation, user_message
from modelduel.events import ConversationState, StreamFailed
from modelduel.simulator import SimulatorHandle, run_in_thread
from modelduel.simulator.image_billing import (
    anthropic_image_tokens,
    gemini_image_tokens,
    openai_image_tokens,
)
from tests.support.engine import lookup_world as world
from tests.support.engine import run_plan as run
from tests.support.engine import sim_plan as plan

KINDS = ["openai", "openai-chat", "anthropic", "gemini"]


@pytest.fixture(scope="module")
def sim() -> Iterator[SimulatorHandle]:
    with run_in_thread(seed=12) as handle:
        yield handle


# ---------------------------------------------------------------- the loop


@pytest.mark.parametrize("kind", KINDS)
def test_a_two_round_parallel_loop_ends_in_an_answer(sim: SimulatorHandle, kind: str) -> None:
    sink = run(plan(sim, kind, "rounds=2,parallel=2", world=world()))
    s = sink.stats()
    assert s.error is None, s.error
    assert (s.finish_reason, s.tool_calls, s.tool_rounds) == ("stop", 4, 2)
    log = s.tool_log
    assert [e["round"] for e in log] == [1, 1, 2, 2]
    assert not any(e["is_error"] for e in log), log
    # the simulator's first call uses the schema's own words; the engine's world answers it
    assert log[0]["name"] == "lookup" and log[0]["result"] == "ALPHA-RESULT"
    assert any(e["name"] == "read_file" and "2\ttwo" in e["result"] for e in log)
    # the answer names what the results sent back said: they reached the model
    assert "From 2 tool rounds" in s.text and "read_file" in s.text


@pytest.mark.parametrize("kind", KINDS)
def test_bad_calls_get_error_results_and_the_loop_goes_on(sim: SimulatorHandle, kind: str) -> None:
    sink = run(plan(sim, kind, "rounds=3,invalid=1,unknown=2,nonjson=3", world=world()))
    s = sink.stats()
    assert s.error is None, s.error
    assert (s.finish_reason, s.tool_calls, s.tool_rounds) == ("stop", 3, 3)
    invalid, unknown, nonjson = s.tool_log
    assert invalid["is_error"] and "invalid arguments for 'lookup'" in invalid["result"]
    assert "'word' is a required property" in invalid["result"]
    assert unknown["is_error"] and "there is no tool named 'run_shell'" in unknown["result"]
    assert nonjson["is_error"]
    if kind == "gemini":
        # Gemini's `args` is an object on the wire: the simulator sends none at all instead
        assert "invalid arguments for 'read_file'" in nonjson["result"]
    else:
        assert "are not valid JSON" in nonjson["result"]
    # the model was told: its answer quotes the last error it was sent
    assert "error:" in s.text


@pytest.mark.parametrize("kind", KINDS)
def test_the_cap_ends_the_run_with_tool_limit(sim: SimulatorHandle, kind: str) -> None:
    sink = run(plan(sim, kind, "rounds=20", world=world(), max_tool_rounds=2))
    s = sink.stats()
    assert s.error is None
    assert (s.finish_reason, s.tool_rounds) == ("tool_limit", 2)
    assert s.tool_calls == 3  # the third round's call was parsed, then not run
    assert [e.get("result") is not None for e in s.tool_log] == [True, True, False]
    (state,) = sink.of(ConversationState)
    last = state.conversation.messages[-1]
    assert "max_tool_rounds (2) was reached" in last.results[0].content


@pytest.mark.parametrize("kind", KINDS)
def test_a_failure_mid_loop_keeps_what_was_produced(sim: SimulatorHandle, kind: str) -> None:
    sink = run(plan(sim, kind, "rounds=3,fail=2", world=world()))
    s = sink.stats()
    assert s.error is not None and s.error.status == 500
    assert s.finish_reason == "error"
    (failed,) = sink.of(StreamFailed)
    assert failed.error.kind == "provider_error"
    # round 1 happened: its call and its result are kept, and counted
    assert (s.tool_calls, s.tool_rounds) == (1, 1)
    assert s.tool_log[0]["result"] == "ALPHA-RESULT"
    assert s.input_tokens and s.input_tokens > 0  # the first request's usage stays summed
    (state,) = sink.of(ConversationState)
    assert len(state.conversation.messages) == 3  # user, assistant's call, its result


# ---------------------------------------------------------------- conversations


@pytest.mark.parametrize("kind", KINDS)
def test_a_scripted_follow_up_continues_the_conversation(sim: SimulatorHandle, kind: str) -> None:
    # Turn 1 is a tool round and an answer; turn 2's request carries all of it back
    # (thinking blocks with signatures, reasoning items, thought signatures, the call and
    # its result), and the simulator answers 400 when one was lost or changed.
    followup = user_message("Now add a regression test.")
    sink = run(plan(sim, kind, "rounds=1", world=world(), followups=(followup,)))
    s = sink.stats()
    assert s.error is None, s.error
    assert (s.finish_reason, s.turns, s.tool_rounds, s.tool_calls) == ("stop", 2, 1, 1)
    assert [e["turn"] for e in s.tool_log] == [1]
    assert "Turn 2: following up" in s.text and "Now add a regression test." in s.text
    figures = sink.meter.turn_figures()
    assert len(figures) == 2 and all(f["input_tokens"] for f in figures)
    assert [f["tool_calls"] for f in figures] == [1, 0]


def test_a_lost_thought_signature_is_the_providers_400(sim: SimulatorHandle) -> None:
    # the other side of the test above: what the simulator says when continuity breaks
    from modelduel.conversation import AssistantMessage

    good = run(plan(sim, "gemini", "rounds=1", world=world(), keep_conversation=True))
    (state,) = good.of(ConversationState)
    conv = state.conversation
    stripped = []
    for m in conv.messages:
        if isinstance(m, AssistantMessage):
            m = replace(m, parts=tuple(replace(p, provider_data=None) for p in m.parts))
        stripped.append(m)
    broken = Conversation(conv.system, (*stripped[:2], conv.messages[2]))
    p = plan(sim, "gemini", "rounds=2", world=world())
    p = replace(p, request=replace(p.request, conversation=broken))
    s = run(p).stats()
    assert s.error is not None and s.error.status == 400
    assert "thought_signature" in s.error.message


def test_a_call_passed_back_without_its_reasoning_item_is_the_providers_400(
    sim: SimulatorHandle,
) -> None:
    # Responses: the engine passes reasoning items back (encrypted, store: false); a
    # client that drops them is refused as OpenAI refuses it
    from modelduel.conversation import AssistantMessage, Reasoning

    good = run(plan(sim, "openai", "rounds=1", world=world(), keep_conversation=True))
    (state,) = good.of(ConversationState)
    conv = state.conversation
    call = conv.messages[1]
    assert isinstance(call, AssistantMessage)
    assert any(isinstance(p, Reasoning) and p.provider_data for p in call.parts)
    bare = replace(call, parts=tuple(p for p in call.parts if not isinstance(p, Reasoning)))
    broken = Conversation(conv.system, (conv.messages[0], bare, conv.messages[2]))
    p = plan(sim, "openai", "rounds=2", world=world())
    s = run(replace(p, request=replace(p.request, conversation=broken))).stats()
    assert s.error is not None and s.error.status == 400
    assert "was provided without its required 'reasoning' item: 'rs_" in s.error.message


# ---------------------------------------------------------------- images


def png(width: int, height: int) -> bytes:
    def chunk(tag: bytes, data: bytes) -> bytes:
        body = tag + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    raw = b"".join(b"\x00" + b"\x80" * (width * 3) for _ in range(height))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


EXPECTED_IMAGE_TOKENS = {
    "openai": openai_image_tokens("gpt-5.5", 1024, 768),
    "openai-chat": openai_image_tokens("gpt-5.5", 1024, 768),
    "anthropic": anthropic_image_tokens("claude-opus-4-7", 1024, 768),
    "gemini": gemini_image_tokens(1024, 768),
}


@pytest.mark.parametrize("kind", KINDS)
def test_an_image_reaches_each_provider_and_is_billed_from_its_usage(
    sim: SimulatorHandle, kind: str
) -> None:
    image = Attachment("chart.png", "image", "image/png", png(1024, 768), None, 1024, 768)
    text_only = plan(sim, kind, None, keep_conversation=True)
    conv = Conversation("be brief", (user_message("find alpha in src/a.py", [image]),))
    with_image = replace(text_only, request=replace(text_only.request, conversation=conv))
    plain, seen = run(text_only).stats(), run(with_image).stats()
    assert plain.error is None and seen.error is None, seen.error
    assert plain.input_tokens is not None and seen.input_tokens is not None
    # the difference is the provider's own image formula, as its usage reported it
    assert seen.input_tokens - plain.input_tokens == EXPECTED_IMAGE_TOKENS[kind]
    assert seen.tokens_exact
