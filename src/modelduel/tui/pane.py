"""One model's pane: header, reasoning (dimmed, collapsible), answer, live stats line.

The pane never measures anything: it reads `StreamStats` from the engine's meter
(the same code `modelduel ask` uses) on the app's refresh tick, so a busy screen
can slow the drawing but never the numbers.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widget import Widget

from modelduel.core.metrics import StreamStats
from modelduel.core.scoring import Score
from modelduel.display import (
    fmt_cost,
    fmt_rate,
    fmt_seconds,
    fmt_tokens,
    sanitize_terminal,
    sparkline,
    status_word,
)
from modelduel.tui.stream_markdown import PaneBody

__all__ = ["PaneModel", "ResponsePane"]


@dataclass
class PaneModel:
    """What a pane shows, besides the live stats: who, where, the score, what is saved.

    Attributes:
        label: the model spec, or `A`/`B`/... in blind mode.
        spec: the true model spec (shown once revealed).
        blind: names, cost and speed are hidden until the duel is scored.
        revealed: the duel has been scored: blind panes show everything.
        score: the pane's current score.
        saved: the run's row is in the CSV with every change made to it.
        unsaved: something acknowledged for the run (its row, a score) failed to be
            written and is waiting to be retried.
    """

    label: str
    spec: str
    blind: bool = False
    revealed: bool = False
    score: Score = field(default_factory=Score)
    saved: bool = False
    unsaved: bool = False

    @property
    def hidden(self) -> bool:
        """True while blind details must stay hidden."""
        return self.blind and not self.revealed


class TextLine(Widget):
    """Fixed-height text that repaints without a relayout, and only when it changed.

    `Static.update` always asks for a layout of the whole screen; the header and stats
    lines change on every tick of every pane, so that would relayout 30 times a second.
    """

    DEFAULT_CSS = "TextLine { height: 1; }"

    def __init__(self, *, classes: str | None = None) -> None:
        super().__init__(classes=classes)
        self._text = Text()

    def set(self, text: Text) -> None:
        """Show `text` (a no-op when it is what is shown)."""
        if text == self._text:
            return
        self._text = text
        self.refresh()

    def render(self) -> Text:
        """The current text."""
        return self._text


class ResponsePane(Vertical, can_focus=True):
    """A focusable pane; scoring keys are bindings of the duel screen acting on it."""

    DEFAULT_CSS = """
    ResponsePane {
        border: round $panel-lighten-2;
        height: 1fr;
        min-width: 30;
        padding: 0 1;
    }
    ResponsePane:focus, ResponsePane:focus-within { border: round $accent; }
    ResponsePane.-winner { border: double $winner; }
    ResponsePane > .pane-header { height: 1; text-wrap: nowrap; text-overflow: ellipsis; }
    ResponsePane > .pane-stats {
        height: 3; color: $text-muted; text-wrap: nowrap; text-overflow: ellipsis;
    }
    """

    def __init__(self, model: PaneModel, index: int) -> None:
        super().__init__(id=f"pane-{index}")
        self.model = model
        self.index = index
        self._shown = 0
        self._reasoning_shown = 0
        self._status = "waiting"
        self._user_toggled = False
        self._veiled = False
        # Held directly: the refresh tick can come before the children are mounted.
        self._header_w = TextLine(classes="pane-header")
        self._body = PaneBody()
        self._stats_w = TextLine(classes="pane-stats")

    def compose(self) -> ComposeResult:
        """Header, body (reasoning above the answer), stats."""
        yield self._header_w
        yield self._body
        yield self._stats_w

    @property
    def body(self) -> PaneBody:
        """The pane's scrolling body."""
        return self._body

    def reset(self) -> None:
        """A re-run: clear the body for the fresh run's text."""
        self._shown = 0
        self._reasoning_shown = 0
        self._user_toggled = False
        self._body.reset()

    async def show(self, stats: StreamStats, duel_done: bool) -> None:
        """Bring the pane up to date with the run's figures (called on the refresh tick)."""
        m = self.model
        # Blind and still running: even "thinking" vs "streaming" or a growing token
        # count would tell the fast model from the slow one.
        self._veiled = m.hidden and not duel_done
        self._status = "running" if self._veiled else status_word(stats)
        self._header_w.set(self._header(stats))
        self._stats_w.set(self._stats(stats))
        # Blind: an answer that shows up first would give the fast model away.
        if m.hidden and not duel_done:
            return
        if len(stats.reasoning_text) > self._reasoning_shown:
            self._reasoning_shown = len(stats.reasoning_text)
            self._body.set_reasoning(sanitize_terminal(stats.reasoning_text))
        text = stats.text
        if stats.error is not None and not text:
            self._body.set_message(f"{stats.error.kind}: {sanitize_terminal(stats.error.message)}")
            return
        if text and not self._shown and self._reasoning_shown and not self._user_toggled:
            # the answer has started: fold the reasoning so the answer is in view (h unfolds)
            self._body.reasoning_folded = True
        if len(text) > self._shown:
            self._shown = len(text)
            self._body.set_answer(sanitize_terminal(text))

    def _header(self, stats: StreamStats) -> Text:
        m = self.model
        name = m.label if m.hidden else (f"{m.label} · {m.spec}" if m.blind else m.spec)
        header = Text()
        header.append(name, style="bold")
        header.append(f"  {self._status}", style=_status_style(stats.status))
        if not m.hidden and stats.elapsed_s is not None:
            header.append(f"  {fmt_seconds(stats.elapsed_s)}")
        if stats.error is not None:
            header.append(f"  {stats.error.message}", style="red")
        return header

    def _stats(self, s: StreamStats) -> Text:
        """Three short lines (timings; tokens, rate, cost; score) that fit a narrow pane."""
        m = self.model
        line = Text(no_wrap=True, overflow="ellipsis")
        if m.hidden:
            if self._veiled:
                line.append("answers show when all are done\n", "dim")
            else:
                line.append(f"out {fmt_tokens(s.output_tokens, s.tokens_exact)}\n")
            line.append("speed, cost: shown once scored\n", "dim")
        else:
            line.append(f"ttft {fmt_seconds(s.ttft_s)}")
            line.append(f"  useful {fmt_seconds(s.time_to_first_useful_s)}")
            line.append(f"  in {fmt_tokens(s.input_tokens)}\n")
            # `~` marks a live estimate until the provider's exact count replaces it
            line.append(f"out {fmt_tokens(s.output_tokens, s.tokens_exact)}")
            # cost before the rate: in a narrow pane the sparkline is what gets cut
            line.append(f"  {fmt_cost(s.cost_usd, s.tokens_exact)}")
            line.append(f"  {fmt_rate(s.output_tokens_per_s)} ")
            line.append(sparkline(s.rate_buckets, 10), "cyan")
            line.append("\n")
        score = m.score.describe()
        line.append(f"score {score}", "bold" if m.score.is_scored else "dim")
        if m.score.manual_corrections:
            line.append(f"  corr {m.score.manual_corrections}")
        if m.score.note:
            line.append("  note ✎")
        if m.unsaved:
            line.append("  NOT saved", "bold red")
        elif m.saved:
            line.append("  saved", "green")
        return line

    def toggle_raw(self) -> None:
        """Show the answer as raw text instead of rendered markdown, or back."""
        self._body.toggle_raw()

    def toggle_reasoning(self) -> None:
        """Fold or unfold the reasoning."""
        self._user_toggled = True
        self._body.toggle_reasoning()


def _status_style(status: str) -> str:
    return {
        "waiting": "dim",
        "thinking": "italic",
        "streaming": "cyan",
        "done": "green",
        "failed": "red",
        "cancelled": "yellow",
    }.get(status, "")
