"""An incremental, pure server-sent-events decoder that works on bytes.

Why not `str.splitlines()` or a text decoder per chunk: model output contains
U+2028, U+0085 and friends, which `splitlines` treats as line ends, and network
chunks split multi-byte UTF-8 characters. So lines are found in bytes, at CR, LF
or CRLF only (the SSE grammar), and only complete lines are decoded. Whatever way
the stream is cut into chunks, the same events come out.

Lines that are not SSE fields at all (Gemini can append a bare JSON error object
after its `data:` lines) are gathered and emitted as an event with `raw=True`.
"""

from __future__ import annotations

from modelduel.providers.base import SSEEvent

__all__ = ["MAX_EVENT_BYTES", "SSEDecoder", "SSEEventTooLarge"]

MAX_EVENT_BYTES = 16 * 1024 * 1024
"""Largest event accepted; a bigger one is an error, never an out-of-memory."""

_FIELDS = (b"data", b"event", b"id", b"retry")


class SSEEventTooLarge(ValueError):
    """An event (or a single line) grew beyond the decoder's limit."""


class SSEDecoder:
    """Feed bytes as they arrive; get complete events back.

    Args:
        max_event_bytes: the size limit of one event, in bytes of its lines.
    """

    __slots__ = (
        "_buf",
        "_data",
        "_event",
        "_event_bytes",
        "_has_data",
        "_max",
        "_raw",
        "_skip_lf",
    )

    def __init__(self, max_event_bytes: int = MAX_EVENT_BYTES) -> None:
        self._max = max_event_bytes
        self._buf = bytearray()
        self._skip_lf = False  # the previous chunk ended in CR: a leading LF belongs to it
        self._event = ""
        self._data: list[str] = []
        self._has_data = False
        self._raw: list[str] = []
        self._event_bytes = 0

    def feed(self, chunk: bytes) -> list[SSEEvent]:
        """Decode one network chunk; returns the events it completed (often none)."""
        out: list[SSEEvent] = []
        if not chunk:
            return out
        buf = self._buf
        start = len(buf)
        buf += chunk
        if self._skip_lf:
            self._skip_lf = False
            if buf[0:1] == b"\n":
                del buf[0]
                start = 0
        pos = 0
        n = len(buf)
        # positions of the next LF and CR at or after `pos`; -1 = none left (cached so a
        # chunk of many LF-only lines is scanned once, not once per line)
        lf = buf.find(b"\n", start)
        cr = buf.find(b"\r", start)
        while lf >= 0 or cr >= 0:
            if cr < 0 or (0 <= lf < cr):
                end, nxt = lf, lf + 1
            elif cr + 1 < n:
                end = cr
                nxt = cr + 2 if buf[cr + 1] == 0x0A else cr + 1
            else:
                # CR is the last byte: it ends the line, and an LF in the next chunk is its pair
                end, nxt = cr, cr + 1
                self._skip_lf = True
            self._line(bytes(buf[pos:end]), out)
            pos = nxt
            if 0 <= lf < pos:
                lf = buf.find(b"\n", pos)
            if 0 <= cr < pos:
                cr = buf.find(b"\r", pos)
        if pos:
            del buf[:pos]
        if len(buf) + self._event_bytes > self._max:
            self._reset()
            raise SSEEventTooLarge(f"a server-sent event exceeds {self._max} bytes")
        return out

    def flush(self) -> list[SSEEvent]:
        """End of stream: a last unterminated line and a pending event are dispatched."""
        out: list[SSEEvent] = []
        if self._buf:
            line = bytes(self._buf)
            self._buf.clear()
            self._line(line, out)
        self._dispatch(out)
        self._skip_lf = False
        return out

    def _line(self, line: bytes, out: list[SSEEvent]) -> None:
        if not line:
            self._dispatch(out)
            return
        self._event_bytes += len(line) + 1
        if self._event_bytes > self._max:
            self._reset()
            raise SSEEventTooLarge(f"a server-sent event exceeds {self._max} bytes")
        if line[0] == 0x3A:  # ":" comment (keep-alive)
            return
        colon = line.find(b":")
        if colon < 0:
            name, value = line, b""
        else:
            name = line[:colon]
            value = line[colon + 1 :]
            if value[:1] == b" ":
                value = value[1:]
        if name not in _FIELDS:
            # not an SSE field: a bare JSON body after the events, or garbage
            self._flush_fields(out)
            self._raw.append(line.decode("utf-8", "replace"))
            return
        self._flush_raw(out)
        if name == b"data":
            self._data.append(value.decode("utf-8", "replace"))
            self._has_data = True
        elif name == b"event":
            self._event = value.decode("utf-8", "replace")
        # `id` and `retry` are not used by any provider stream modelduel reads

    def _dispatch(self, out: list[SSEEvent]) -> None:
        self._flush_fields(out)
        self._flush_raw(out)
        self._event_bytes = 0

    def _flush_fields(self, out: list[SSEEvent]) -> None:
        if self._has_data:
            out.append(SSEEvent(self._event or "message", "\n".join(self._data)))
        self._event = ""
        self._data = []
        self._has_data = False

    def _flush_raw(self, out: list[SSEEvent]) -> None:
        if self._raw:
            out.append(SSEEvent("message", "\n".join(self._raw), raw=True))
            self._raw = []

    def _reset(self) -> None:
        self._buf.clear()
        self._event = ""
        self._data = []
        self._has_data = False
        self._raw = []
        self._event_bytes = 0
