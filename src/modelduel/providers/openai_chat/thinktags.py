"""Inline `<think>…</think>` at the start of a Chat answer, split into reasoning and text.

Servers that stream a model's thinking inside the content (llama.cpp, older vLLM) send it
this way; the splitter works on deltas cut anywhere, tags included.
"""

from __future__ import annotations

from modelduel.events import Event, ReasoningDelta, TextDelta

__all__ = ["ThinkTagSplitter"]

_OPEN = "<think>"
_CLOSE = "</think>"


class ThinkTagSplitter:
    """Splits content that may open with `<think>…</think>` into reasoning and answer.

    Tags can be cut anywhere across chunks, so a possible partial tag is held back
    until the next chunk decides it.
    """

    __slots__ = ("_held", "_state")

    def __init__(self) -> None:
        self._state = "start"  # start -> think -> answer, or start -> answer
        self._held = ""

    def feed(self, text: str) -> list[Event]:
        """Events for one content delta."""
        out: list[Event] = []
        buf = self._held + text
        self._held = ""
        if self._state == "start":
            stripped = buf.lstrip()
            if not stripped or (_OPEN.startswith(stripped) and len(stripped) < len(_OPEN)):
                self._held = buf
                return out
            if stripped.startswith(_OPEN):
                self._state = "think"
                buf = stripped[len(_OPEN) :]
            else:
                self._state = "answer"
        if self._state == "think":
            end = buf.find(_CLOSE)
            if end < 0:
                keep = _partial_suffix(buf, _CLOSE)
                if len(buf) - keep:
                    out.append(ReasoningDelta(buf[: len(buf) - keep]))
                self._held = buf[len(buf) - keep :]
                return out
            if end:
                out.append(ReasoningDelta(buf[:end]))
            self._state = "answer"
            buf = buf[end + len(_CLOSE) :].lstrip("\n")
        if buf:
            out.append(TextDelta(buf))
        return out

    def flush(self) -> list[Event]:
        """Whatever was held back, at the end of the stream."""
        held, self._held = self._held, ""
        if not held:
            return []
        return [ReasoningDelta(held)] if self._state == "think" else [TextDelta(held)]


def _partial_suffix(text: str, tag: str) -> int:
    """Length of the longest suffix of `text` that is a proper prefix of `tag`."""
    for n in range(min(len(tag) - 1, len(text)), 0, -1):
        if text.endswith(tag[:n]):
            return n
    return 0
