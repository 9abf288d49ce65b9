"""How figures are written for people: one module, so every front end shows the same text.

Unknown is "—", never 0; an estimate carries a leading "~".
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # `route` reads this module for one line: not the meter and event types
    from modelduel.core.metrics import StreamStats
    from modelduel.events import ErrorInfo

__all__ = [
    "SPARK_CHARS",
    "UNKNOWN",
    "error_message",
    "fmt_cost",
    "fmt_rate",
    "fmt_seconds",
    "fmt_tokens",
    "sanitize_terminal",
    "simulated_note",
    "sparkline",
    "status_word",
]

UNKNOWN = "—"
SPARK_CHARS = "▁▂▃▄▅▆▇█"

# C0 controls except tab and newline, DEL, and the 8-bit C1 range: an answer must not be
# able to move the cursor, clear the screen, set the clipboard (OSC 52) or plant links.
_CONTROL = {c: None for c in [*range(0x00, 0x09), *range(0x0B, 0x20), 0x7F, *range(0x80, 0xA0)]}


def sanitize_terminal(text: str) -> str:
    """Text with terminal control characters removed (ESC included, so no sequences)."""
    return text.translate(_CONTROL)


def fmt_seconds(value: float | None) -> str:
    """Seconds: `0.48s`, `12.3s`, `2m05s`; unknown as a dash."""
    if value is None:
        return UNKNOWN
    if value < 10:
        return f"{value:.2f}s"
    if value < 120:
        return f"{value:.1f}s"
    minutes, seconds = divmod(round(value), 60)
    return f"{minutes}m{seconds:02d}s"


def fmt_tokens(value: int | None, exact: bool = True) -> str:
    """A token count, `~` in front while it is an estimate."""
    if value is None:
        return UNKNOWN
    text = f"{value:,}"
    return text if exact else f"~{text}"


def fmt_rate(value: float | None) -> str:
    """Tokens per second."""
    return UNKNOWN if value is None else f"{value:,.0f} tok/s"


def fmt_cost(usd: float | None, exact: bool = True) -> str:
    """US dollars with enough digits for small runs; unknown price as a dash, never $0."""
    if usd is None:
        return UNKNOWN
    if usd == 0:
        text = "$0"
    elif usd < 0.01:
        text = f"${usd:.5f}"
    elif usd < 1:
        text = f"${usd:.4f}"
    else:
        text = f"${usd:,.2f}"
    return text if exact else f"~{text}"


def sparkline(buckets: tuple[int, ...], width: int = 12) -> str:
    """The last `width` rate buckets as block characters (a stall shows as a low bar)."""
    tail = buckets[-width:]
    if not tail:
        return ""
    top = max(tail) or 1
    return "".join(
        SPARK_CHARS[min(len(SPARK_CHARS) - 1, v * len(SPARK_CHARS) // (top + 1))] for v in tail
    )


def status_word(stats: StreamStats) -> str:
    """The run's status as shown in a header; a failure names its kind.

    A request sent with nothing back yet reads "thinking (no output yet) 47 s": reasoning
    models are silent for minutes at high effort, and the user should see the difference
    between one that thinks and one that hangs (which the overall timeout ends).
    """
    if stats.status == "waiting" and stats.elapsed_s is not None:
        return f"thinking (no output yet) {int(stats.elapsed_s)} s"
    if stats.status == "failed" and stats.error is not None:
        return f"failed ({stats.error.kind})"
    if stats.status == "done" and stats.finish_reason not in (None, "stop"):
        return f"done ({stats.finish_reason})"
    return stats.status


def error_message(error: ErrorInfo) -> str:
    """A run's error as shown on screen: key-like strings stripped, terminal controls removed."""
    from modelduel.redact import redact_secrets  # noqa: PLC0415 - see the imports

    return sanitize_terminal(redact_secrets(error.message))


def simulated_note(rows: Iterable[Mapping[str, str]]) -> str | None:
    """The warning a routing report or export built from demo runs carries; None if none are.

    One wording for the CLI report, the TUI's report and the exported files, so a routing
    decision made from simulated answers says so wherever it is read.
    """
    total = simulated = 0
    for row in rows:
        total += 1
        simulated += (row.get("simulated") or "") == "true"
    if not simulated:
        return None
    share = "all" if simulated == total else f"{simulated} of {total}"
    runs = "run is" if total == 1 else "runs are"
    return f"{share} of these {runs} SIMULATED (demo mode), not real model output"
