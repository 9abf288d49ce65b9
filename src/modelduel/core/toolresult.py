"""One tool call's answer: `ToolResult`, the size cap every result gets, and the short
label a pane shows for a call (`call_label`, which works on arguments still streaming).

Every result is capped at MAX_RESULT_BYTES of UTF-8 (64 KiB), cut at a character
boundary with a marker saying how much was dropped. `error_result` and `ok_result` build
a capped result with its pane summary; `core.toolworld` and `core.fixturetools` answer
with them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

__all__ = [
    "MAX_RESULT_BYTES",
    "ToolResult",
    "call_label",
    "cap_result",
    "error_result",
    "lines_word",
    "ok_result",
]

MAX_RESULT_BYTES = 64 * 1024


@dataclass(frozen=True, slots=True)
class ToolResult:
    """The answer to one tool call.

    Attributes:
        content: the text sent back to the model (at most MAX_RESULT_BYTES of UTF-8).
        is_error: the call failed (unknown tool, bad arguments, nothing scripted, a
            rule marked `error`); Anthropic's `is_error`, and said in the text for others.
        latency_ms: how long the engine should wait before answering (0 for built-ins).
        truncated: the content was cut at the cap.
        summary: a few words for a folded pane line, e.g. "40 lines", "3 matches".
    """

    content: str
    is_error: bool = False
    latency_ms: int = 0
    truncated: bool = False
    summary: str = ""


def cap_result(text: str, limit: int = MAX_RESULT_BYTES) -> tuple[str, bool]:
    """Cut `text` to at most `limit` UTF-8 bytes, marker included; (text, was_cut)."""
    raw = text.encode("utf-8")
    if len(raw) <= limit:
        return text, False
    marker = f"\n[… truncated: the result was {len(raw)} bytes; only the first part is shown]"
    keep = limit - len(marker.encode("utf-8"))
    # errors="ignore" drops a character cut in half at the end, so the text stays valid.
    return raw[:keep].decode("utf-8", errors="ignore") + marker, True


def call_label(name: str, arguments_json: str, limit: int = 60) -> str:
    """A short label of a call for a folded pane line, e.g. `read_file src/a.py:1-40`.

    Works on partial arguments as they stream (then it shows what has arrived), so a pane
    can show the call live; never raises.
    """
    try:
        args = json.loads(arguments_json) if arguments_json.strip() else {}
    except ValueError:
        args = None
    if not isinstance(args, dict):
        tail = " ".join(arguments_json.split())
        return f"{name} {tail[: limit - 1] + '…' if len(tail) > limit else tail}".rstrip()
    if name == "read_file" and isinstance(args.get("path"), str):
        start, end = args.get("start_line"), args.get("end_line")
        span = f":{start or 1}-{end}" if end is not None else (f":{start}-" if start else "")
        detail = f"{args['path']}{span}"
    elif name == "search" and isinstance(args.get("pattern"), str):
        detail = f"/{args['pattern']}/" + (f" {args['path']}" if args.get("path") else "")
    else:
        detail = " ".join(
            v if isinstance(v, str) else json.dumps(v, separators=(",", ":")) for v in args.values()
        )
    detail = " ".join(detail.split())
    if len(detail) > limit:
        detail = detail[: limit - 1] + "…"
    return f"{name} {detail}".rstrip()


def error_result(message: str, latency_ms: int = 0) -> ToolResult:
    """An error answer (capped); its summary is the message's first line."""
    content, cut = cap_result(message)
    return ToolResult(content, True, latency_ms, cut, "error: " + message.split("\n", 1)[0])


def ok_result(content: str, summary: str, latency_ms: int = 0) -> ToolResult:
    """A successful answer (capped); the summary says when it was cut."""
    capped, cut = cap_result(content)
    return ToolResult(capped, False, latency_ms, cut, summary + (" (truncated)" if cut else ""))


def lines_word(n: int) -> str:
    """`1 line`, `n lines`."""
    return f"{n} line" if n == 1 else f"{n} lines"
