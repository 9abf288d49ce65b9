"""Where a stream fault cuts a stream: after `n` tokens have been sent, found on the frame
iterator as it is written (`StreamCut`) or on a short list (`cut_index`), and the
Responses sequence number the frame after the cut would have had.

What each fault does at its cut is `stream_faults`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from modelduel.simulator.generation import Frame

__all__ = ["StreamCut", "cut_index", "seq_after"]


def cut_index(frames: list[Frame], n: int) -> int:
    """How many frames to keep so that `n` tokens have been sent (before the first if n = 0)."""
    token_idx = [i for i, f in enumerate(frames) if f.tokens]
    if not token_idx:
        return max(0, len(frames) - 1)
    if n <= 0:
        return token_idx[0]
    total = 0
    for i in token_idx:
        total += frames[i].tokens
        if total >= n:
            return i + 1
    return token_idx[-1] + 1


class StreamCut:
    """A stream split where `n` tokens have been sent, without building the stream whole.

    `head()` yields the frames up to and including the one that completes `n`
    tokens (before the first token frame when n = 0); afterwards `next` is the
    first frame after the cut (None at the end) and `rest()` yields it and the
    remaining frames. `n` is capped at `total` so a cut past the answer falls
    after its last token, before the closing events, as with a list.
    """

    def __init__(self, frames: Iterator[Frame], n: int, total: int) -> None:
        self._frames = frames
        self._n = min(n, total)
        self.next: Frame | None = None

    def head(self) -> Iterator[Frame]:
        """The frames before the cut."""
        sent = 0
        for frame in self._frames:
            if self._n <= 0 and frame.tokens:
                self.next = frame
                return
            yield frame
            sent += frame.tokens
            if self._n > 0 and frame.tokens and sent >= self._n:
                self.next = next(self._frames, None)
                return

    def rest(self) -> Iterator[Frame]:
        """The frames after the cut (call after `head()` is exhausted)."""
        if self.next is not None:
            yield self.next
        yield from self._frames


def seq_after(cut: StreamCut) -> int:
    """The Responses sequence_number the frame after the cut would have had."""
    if cut.next is None:
        return 0
    match = re.search(rb'"sequence_number":(\d+)', cut.next.data)
    return int(match.group(1)) if match else 0
