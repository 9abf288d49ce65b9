"""From a parsed request to a generation: the text, token counts and schedule of one answer
(the types it works on are in `generation`).

Everything here is deterministic: randomness comes from generators seeded by a
digest of the server seed, the protocol, the request body (model id without any
fault suffix, streaming flags left out) and the `x-simulate-seed` header. Content,
framing and timing draw from separate generators, so changing a timing override
never changes the words.
"""

from __future__ import annotations

import hashlib
import json
import random
from array import array
from collections.abc import Iterator, Sequence
from typing import Any, Literal

from modelduel.simulator.answers import build_answer
from modelduel.simulator.generation import Generation, SimRequest, rng_for
from modelduel.simulator.profile_model import EFFORT_SCALE, Profile
from modelduel.simulator.tokens import count_tokens, declared_tool_tokens, split_tokens
from modelduel.simulator.tools import plan_calls, preamble

__all__ = ["digest_of", "group_pieces", "make_generation"]


def digest_of(
    seed: int, protocol: str, body: dict[str, Any], model: str, request_seed: str | None
) -> bytes:
    """The digest that seeds everything random about one request."""
    canonical = {k: v for k, v in body.items() if k not in ("stream", "stream_options")}
    canonical["model"] = model
    material = json.dumps([seed, protocol, canonical, request_seed], sort_keys=True, default=str)
    return hashlib.sha256(material.encode()).digest()


def make_generation(
    request: SimRequest,
    profile: Profile,
    digest: bytes,
    *,
    cached_tokens: int = 0,
    cache_write_tokens: int = 0,
    extra_silence_s: float = 0.0,
) -> Generation:
    """Plan the answer to `request` for a model with `profile`.

    Args:
        request: the validated request.
        profile: the model's behaviour.
        digest: seeds every random choice (see `digest_of`).
        cached_tokens: input tokens read from a cache (at most the input).
        cache_write_tokens: input tokens written to a cache (at most the rest of the input
            when the request names its cached prefix; otherwise counted on top of it).
        extra_silence_s: seconds of silent reasoning (no byte at all) added before the
            first token, on top of the profile's `silent_think_ms`.
    """
    content = rng_for(digest, "content")
    conv = request.conversation
    calls = plan_calls(conv, request.tool_script, request.prompt, protocol=request.protocol)
    answer = build_answer(
        conv.last_user if conv.user_turns > 1 and conv.last_user else request.prompt,
        profile.persona,
        request.model,
        profile.answer_tokens,
        content,
        profile.shape,
    )
    input_tokens = sum(count_tokens(t) for t in request.input_texts)
    input_tokens += sum(count_tokens(t) for t in conv.history_texts) + request.image_tokens
    input_tokens += sum(declared_tool_tokens(d.schema) for d in conv.tools)
    cached = max(0, min(cached_tokens, input_tokens))
    # A forced write is counted on top of the prompt: it stands for a long cached prefix.
    written = max(0, cache_write_tokens) + max(0, request.cache_prefix_tokens - cached)
    input_tokens += max(0, cache_write_tokens)
    silence_s = profile.silent_think_ms / 1000 + max(0.0, extra_silence_s)

    scale = EFFORT_SCALE.get(request.effort or "medium", 1.0)
    reasoning_on = request.reasoning_on and scale > 0
    reasoning_s = profile.reasoning_ms / 1000 * scale if reasoning_on else 0.0
    # Silent thinking is billed like any thinking: the model reasons while it says nothing.
    silent_tokens = round(silence_s * profile.tps) if reasoning_on else 0
    raw_reasoning = request.protocol == "openai-chat"
    parts: list[list[str]] = []
    if reasoning_on and request.reasoning_shown:
        texts = (
            ["\n\n".join(answer.reasoning_parts)] if raw_reasoning else list(answer.reasoning_parts)
        )
        parts = [split_tokens(t) for t in texts]
    shown = sum(len(p) for p in parts)
    if not reasoning_on:
        reasoning_tokens = 0
    elif raw_reasoning and parts:
        reasoning_tokens = shown  # raw reasoning: every reasoning token is streamed
    else:
        # A summary is shorter than the reasoning it summarises: bill the thinking time.
        reasoning_tokens = max(shown, round(reasoning_s * profile.tps))
    reasoning_tokens += silent_tokens

    answer_pieces = [] if calls else split_tokens(preamble(conv) + answer.text)
    finish: Literal["stop", "length", "tool_calls"] = "tool_calls" if calls else "stop"
    # A call's argument text streams in deltas of one to three token pieces.
    framing = rng_for(digest, "tool-framing")
    tool_deltas: list[list[str]] = []
    for call in calls:
        pieces = split_tokens(call.arguments) or [call.arguments]
        deltas, i = [], 0
        while i < len(pieces):
            n = framing.randint(1, 3)
            deltas.append("".join(pieces[i : i + n]))
            i += n
        tool_deltas.append(deltas)
    tool_tokens = sum(count_tokens(c.arguments) + count_tokens(c.name) + 3 for c in calls)
    if request.max_tokens is not None:
        budget = max(0, request.max_tokens)
        if reasoning_tokens >= budget:
            reasoning_tokens = budget
            parts = _truncate_parts(parts, budget)
            answer_pieces, finish = [], "length"
            calls, tool_deltas, tool_tokens = [], [], 0
        elif reasoning_tokens + tool_tokens > budget:
            calls, tool_deltas, tool_tokens = [], [], 0
            finish = "length"
        elif reasoning_tokens + len(answer_pieces) > budget:
            answer_pieces, finish = answer_pieces[: budget - reasoning_tokens], "length"

    timing = rng_for(digest, "timing")
    ttft = profile.ttft_ms / 1000 + silence_s
    ttfb = min(profile.ttfb_ms, profile.ttft_ms) / 1000
    mean_gap = 1.0 / profile.tps

    def gap() -> float:
        return mean_gap * (1 + profile.jitter * timing.uniform(-1.0, 1.0))

    reasoning_times: list[list[float]] = []
    t = ttft
    if shown:
        step = reasoning_s / shown if reasoning_s > 0 else 0.0
        k = 0
        for part in parts:
            times = []
            for _ in part:
                if step:
                    # Even spread over the reasoning time, each point shifted by < half a step.
                    jitter = 0.0 if k == 0 else step * profile.jitter * 0.5 * timing.uniform(-1, 1)
                    times.append(ttft + k * step + jitter)
                else:
                    times.append(t)
                    t += gap()
                k += 1
            reasoning_times.append(times)
        text_start = ttft + reasoning_s if step else t
    else:
        text_start = ttft + reasoning_s
    answer_times = array("d")  # 8 bytes a token: answers can be hundreds of thousands long
    t = text_start
    for _ in answer_pieces:
        answer_times.append(t)
        t += gap()
    tool_times: list[list[float]] = []
    for deltas in tool_deltas:
        times = []
        for _ in deltas:
            times.append(t)
            t += gap()
        tool_times.append(times)
    if tool_times:
        end = tool_times[-1][-1] if tool_times[-1] else text_start
    else:
        end = answer_times[-1] if answer_times else text_start
    return Generation(
        request=request,
        profile=profile,
        served_model=profile.served_model or request.model,
        digest=digest,
        input_tokens=input_tokens,
        cached_tokens=cached,
        cache_write_tokens=min(written, input_tokens - cached),
        reasoning_parts=parts,
        reasoning_times=reasoning_times,
        reasoning_tokens=reasoning_tokens,
        answer_pieces=answer_pieces,
        answer_times=answer_times,
        finish=finish,
        ttfb=ttfb,
        ttft=ttft,
        text_start=text_start,
        end=end,
        tool_calls=calls,
        tool_deltas=tool_deltas,
        tool_times=tool_times,
        tool_tokens=tool_tokens,
    )


def _truncate_parts(parts: list[list[str]], budget: int) -> list[list[str]]:
    out: list[list[str]] = []
    for part in parts:
        if budget <= 0:
            break
        out.append(part[:budget])
        budget -= len(out[-1])
    return out


def group_pieces(
    pieces: list[str], times: Sequence[float], rng: random.Random, low: int, high: int
) -> Iterator[tuple[str, float, int]]:
    """Token pieces grouped into chunks of `low`..`high` pieces: (text, due time, count).

    A chunk is due when its first piece is, so the first token a client sees
    arrives exactly at the profile's time to first token whatever the chunking.
    Chunks are made as they are asked for: a long answer is never copied whole.
    """
    i = 0
    while i < len(pieces):
        n = min(rng.randint(low, high), len(pieces) - i)
        yield "".join(pieces[i : i + n]), times[i], n
        i += n
