"""Chat Completions follow-ups as the servers behind the protocol check them.

Over loopback: a scripted Chat server (`tests.support.tool_streams`) whose streams give
some tool calls no id (the parser then numbers them `call_0`, `call_1`, ... each round
again) checks every request with the simulator's own Chat rules
(`simulator.conversation_openai.chat_conversation`: each `tool` message must answer a call of the
turn before) plus the rule that a call id is never reused within the conversation; and
a Gemini-over-OpenAI-compatibility server that answers 400 when a call comes back without
its `extra_content.google.thought_signature`.
"""

from __future__ import annotations

import json
from typing import Any

from modelduel.core.duel import ClientPool, DuelRunner, RunPlan
from modelduel.events import ConversationState
from modelduel.providers.base import ModelRequest
from modelduel.providers.http import StreamTarget, Timeouts
from modelduel.simulator.conversation_openai import chat_conversation
from modelduel.simulator.generation import Rejection
from tests.support.engine import Collect, lookup_world
from tests.support.replay_server import Received, Script, running_server
from tests.support.tool_streams import Round, ScriptedRounds


def _refuse(message: str) -> Script:
    body = {"error": {"message": message, "type": "invalid_request_error", "code": None}}
    return Script([(0.0, json.dumps(body).encode())], status=400, content_type="application/json")


class ChatServer(ScriptedRounds):
    """Answers the n-th request with the n-th round (then "done."), after checking it as a
    server does."""

    def __init__(self, rounds: list[Round], gemini: bool = False) -> None:
        super().__init__("openai-chat", [*rounds, DONE])
        self.gemini = gemini

    def __call__(self, got: Received) -> Script:
        body = got.json()
        assert isinstance(body, dict)
        refusal = self._refusal(body)
        if refusal is None:
            return super().__call__(got)
        self.requests.append(body)
        return _refuse(refusal)

    def _refusal(self, body: dict[str, Any]) -> str | None:
        try:
            chat_conversation(body)
        except Rejection as exc:
            return str(exc)
        seen: set[str] = set()
        for m in body["messages"]:
            for call in m.get("tool_calls") or []:
                if call["id"] in seen:
                    return f"tool call id {call['id']!r} is used twice"
                seen.add(call["id"])
                google = (call.get("extra_content") or {}).get("google") or {}
                if self.gemini and not google.get("thought_signature"):
                    return "Function call is missing a thought_signature"
        return None


async def _run(server: ChatServer) -> Collect:
    sink = Collect()
    pool = ClientPool(Timeouts(connect=5))
    async with running_server(server) as http:
        target = StreamTarget(
            kind="openai-chat", base_url=http.base + "/v1", api_key=lambda: "k", key_env="K"
        )
        request = ModelRequest(model_id="m", prompt="find alpha", system="be brief")
        plan = RunPlan("r1", "openai-chat", target, request, world=lookup_world())
        await DuelRunner(sink, pool, timeout_s=30).run([plan])
    await pool.aclose()
    return sink


DONE = Round(text="done.")
ALPHA = ("lookup", {"word": "alpha"})


async def test_calls_without_ids_get_ids_unique_across_rounds() -> None:
    # three rounds of calls without ids: the parser calls each round's first one `call_0`
    server = ChatServer([Round(calls=[ALPHA], call_ids=[None])] * 3)
    sink = await _run(server)
    s = sink.meter.stats()
    assert s.error is None, s.error
    assert (s.finish_reason, s.tool_rounds, s.text) == ("stop", 3, "done.")
    last = server.requests[-1]["messages"]
    sent = [c["id"] for m in last for c in m.get("tool_calls") or []]
    answered = [m["tool_call_id"] for m in last if m["role"] == "tool"]
    assert len(set(sent)) == 3 and answered == sent


async def test_a_fallback_id_equal_to_a_given_one_in_the_same_turn_is_renamed() -> None:
    # index 0 comes with id "call_1"; index 1 with none, so the parser names it "call_1" too
    calls = [ALPHA, ("lookup", {"word": "b"})]
    server = ChatServer([Round(calls=calls, call_ids=["call_1", None])])
    sink = await _run(server)
    s = sink.meter.stats()
    assert s.error is None, s.error
    assert (s.finish_reason, s.tool_calls) == ("stop", 2)
    last = server.requests[-1]["messages"]
    (turn,) = [m for m in last if m.get("tool_calls")]
    ids = [c["id"] for c in turn["tool_calls"]]
    assert ids[0] == "call_1" and ids[1] != "call_1"
    tools = [m for m in last if m["role"] == "tool"]
    # each result reaches the call it answers, by its name as sent
    assert [t["tool_call_id"] for t in tools] == ids
    assert "ALPHA-RESULT" in tools[0]["content"] and "ALPHA-RESULT" not in tools[1]["content"]


async def test_gemini_thought_signatures_come_back_on_their_calls() -> None:
    # Gemini's OpenAI-compatible endpoint: the signature on the first call of a turn only
    signed = {"google": {"thought_signature": "c2lnbmVkLTE="}}
    rounds = [
        Round(calls=[ALPHA], call_ids=["g1"], call_extras=[signed]),
        Round(calls=[("lookup", {"word": "b"})], call_ids=["g2"], call_extras=[signed]),
    ]
    server = ChatServer(rounds, gemini=True)
    sink = await _run(server)
    s = sink.meter.stats()
    assert s.error is None, s.error
    assert (s.finish_reason, s.tool_rounds) == ("stop", 2)
    last = server.requests[-1]["messages"]
    extras = [c.get("extra_content") for m in last for c in m.get("tool_calls") or []]
    assert extras == [signed, signed]
    (state,) = sink.of(ConversationState)
    kept = [
        c.provider_data for m in state.conversation.messages for c in getattr(m, "tool_calls", ())
    ]
    assert kept == [{"extra_content": signed}] * 2
