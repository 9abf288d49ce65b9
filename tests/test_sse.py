"""The SSE decoder: every way of cutting the bytes gives the same events."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from modelduel.providers.base import SSEEvent
from modelduel.providers.sse import SSEDecoder, SSEEventTooLarge

# Gemini-style CRLF, Anthropic-style padding, comments, multi-line data, LS/NEL inside data.
STREAM = (
    b": keep-alive comment\r\n"
    b"event: message_start\n"
    b'data: {"a": "caf\xc3\xa9 \xe2\x80\xa8 line-sep \xc2\x85 nel"}\n\n'
    b"data: first line\r\n"
    b"data: second line\r\n\r\n"
    b"event:no-space\rdata:x\r\r"
    b"data: \xf0\x9f\x98\x80 emoji\n\n"
    b'{"error": {"code": 500}}\n'
    b"data: [DONE]\n\n"
)
EXPECTED = [
    SSEEvent("message_start", '{"a": "café \u2028 line-sep \x85 nel"}'),
    SSEEvent("message", "first line\nsecond line"),
    SSEEvent("no-space", "x"),
    SSEEvent("message", "\U0001f600 emoji"),
    SSEEvent("message", '{"error": {"code": 500}}', raw=True),
    SSEEvent("message", "[DONE]"),
]


def decode(chunks: list[bytes]) -> list[SSEEvent]:
    decoder = SSEDecoder()
    out: list[SSEEvent] = []
    for chunk in chunks:
        out.extend(decoder.feed(chunk))
    out.extend(decoder.flush())
    return out


def test_whole_stream() -> None:
    assert decode([STREAM]) == EXPECTED


def test_every_single_split_point() -> None:
    for i in range(len(STREAM) + 1):
        assert decode([STREAM[:i], STREAM[i:]]) == EXPECTED, i


def test_byte_by_byte() -> None:
    assert decode([bytes([b]) for b in STREAM]) == EXPECTED


@settings(max_examples=300, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=len(STREAM)), max_size=30))
def test_any_chunking_gives_the_same_events(cuts: list[int]) -> None:
    points = sorted(set(cuts))
    chunks = [STREAM[a:b] for a, b in zip([0, *points], [*points, len(STREAM)], strict=True)]
    assert decode(chunks) == EXPECTED


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.text(
            alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\r\n"),
            max_size=40,
        ),
        max_size=6,
    ),
    st.sampled_from([b"\n", b"\r\n", b"\r"]),
    st.data(),
)
def test_arbitrary_data_lines_round_trip(lines: list[str], eol: bytes, data: st.DataObject) -> None:
    body = b"".join(b"data: " + line.encode() + eol for line in lines) + eol
    cut = data.draw(st.integers(min_value=0, max_value=len(body)))
    events = decode([body[:cut], body[cut:]])
    assert events == ([SSEEvent("message", "\n".join(lines))] if lines else [])


def test_unterminated_last_event_is_dispatched_at_end() -> None:
    assert decode([b"data: tail"]) == [SSEEvent("message", "tail")]


def test_oversized_event_is_an_error_not_a_memory_blowup() -> None:
    decoder = SSEDecoder(max_event_bytes=1024)
    with pytest.raises(SSEEventTooLarge):
        for _ in range(100):
            decoder.feed(b"data: " + b"x" * 100 + b"\n")
    with pytest.raises(SSEEventTooLarge):
        SSEDecoder(max_event_bytes=1024).feed(b"data: " + b"y" * 5000)
