"""Each parser against real recorded provider streams (../shared/wire-samples).

The samples are not shipped with the project; without them these tests skip.
Expected values there are in each provider's own vocabulary and are normalised
here the way the README's "Token counts" section says.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from modelduel.events import (
    Event,
    Finished,
    ReasoningDelta,
    StreamFailed,
    TextDelta,
    Usage,
)
from modelduel.providers.registry import get_adapter
from modelduel.providers.sse import SSEDecoder

SAMPLES = Path(__file__).resolve().parents[2] / "shared" / "wire-samples"
FILES = sorted(SAMPLES.glob("*.sse")) if SAMPLES.is_dir() else []


def kind_of(meta: dict[str, Any]) -> str:
    provider, api = meta["provider"], meta.get("api")
    if provider == "openai":
        return "openai" if api == "responses" else "openai-chat"
    return {"anthropic": "anthropic", "google": "gemini", "openrouter": "openai-chat"}[provider]


def parse(kind: str, body: bytes) -> list[Event]:
    adapter = get_adapter(kind)
    parser = adapter.new_parser()
    decoder = SSEDecoder()
    events: list[Event] = []
    # feed in awkward 7-byte chunks: real networks cut anywhere
    for i in range(0, len(body), 7):
        for sse in decoder.feed(body[i : i + 7]):
            events.extend(parser.feed(sse))
    for sse in decoder.flush():
        events.extend(parser.feed(sse))
    events.extend(parser.close())
    return events


def final_usage(events: list[Event]) -> Usage:
    usage = Usage()
    for e in events:
        if isinstance(e, Usage):
            usage = Usage(
                e.input_tokens if e.input_tokens is not None else usage.input_tokens,
                e.cached_input_tokens
                if e.cached_input_tokens is not None
                else usage.cached_input_tokens,
                e.output_tokens if e.output_tokens is not None else usage.output_tokens,
                e.reasoning_tokens if e.reasoning_tokens is not None else usage.reasoning_tokens,
            )
    return usage


@pytest.mark.skipif(not FILES, reason="../shared/wire-samples not present")
@pytest.mark.parametrize("sse_file", FILES, ids=[f.stem for f in FILES])
def test_recorded_stream(sse_file: Path) -> None:
    meta = json.loads(sse_file.with_suffix(".json").read_text())
    kind = kind_of(meta)
    expected = meta["expected"]
    events = parse(kind, sse_file.read_bytes())
    text = "".join(e.text for e in events if isinstance(e, TextDelta))
    reasoning = "".join(e.text for e in events if isinstance(e, ReasoningDelta))
    assert text == (expected.get("text") or "")
    assert reasoning == (expected.get("reasoning_text") or "")
    ends = [e for e in events if isinstance(e, Finished | StreamFailed)]
    assert len(ends) == 1
    raw_finish = expected.get("finish_reason")
    failed = isinstance(ends[0], StreamFailed)
    if isinstance(ends[0], Finished):
        assert ends[0].raw_reason == raw_finish
    usage = final_usage(events)
    if expected.get("output_tokens") is not None and not failed:
        out = expected["output_tokens"]
        if kind == "gemini":
            out += expected.get("reasoning_tokens") or 0  # thoughts are billed output
        assert usage.output_tokens == out
        want_reasoning = expected.get("reasoning_tokens")
        found = re.findall(rb'"thinking_tokens":\s*(\d+)', sse_file.read_bytes())
        if kind == "anthropic" and want_reasoning is None and found:
            # 2026 streams report thinking apart (output_tokens_details.thinking_tokens)
            want_reasoning = int(found[-1])
        assert usage.reasoning_tokens == want_reasoning
    if expected.get("input_tokens") is not None:
        inp = expected["input_tokens"]
        if kind == "anthropic":
            extra = meta.get("extra") or {}
            inp += (expected.get("cached_tokens") or 0) + (
                extra.get("cache_creation_input_tokens") or 0
            )
        assert usage.input_tokens == inp
    if expected.get("cached_tokens") is not None:
        assert usage.cached_input_tokens == expected["cached_tokens"]
