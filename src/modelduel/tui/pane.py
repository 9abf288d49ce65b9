"""One model's pane: header, reasoning (dimmed, collapsible), answer, live stats line.

The pane never measures anything: it reads `StreamStats` from the engine's meter
(the same code `modelduel ask` uses) on the app's refresh tick, so a busy screen
can slow the drawing but never the numbers.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.widgets import Collapsible, Markdown, Static

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
        saved: the run's row is in the CSV (score changes update it in place).
    """

    label: str
    spec: str
    blind: bool = False
    revealed: bool = False
    score: Score = field(default_factory=Score)
    saved: bool = False

    @property
    def hidden(self) -> bool:
        """True while blind details must stay hidden."""
        return self.blind and not self.revealed


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
    ResponsePane > VerticalScroll { height: 1fr; }
    ResponsePane Collapsible { border: none; padding: 0; margin: 0; }
    ResponsePane .pane-reasoning { color: $reasoning; text-style: italic; }
    ResponsePane .pane-raw { display: none; }
    ResponsePane.-raw .pane-raw { display: block; }
    ResponsePane.-raw Markdown { display: none; }
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
        # Held directly: the refresh tick can come before Collapsible has mounted its
        # contents, when a query would find nothing.
        self._header_w = Static(classes="pane-header")
        self._thinking = Collapsible(title="reasoning", collapsed=False, classes="pane-thinking")
        self._reasoning = Static("", classes="pane-reasoning")
        self._answer = Markdown("", classes="pane-answer")
        self._raw = Static("", classes="pane-raw", markup=False)
        self._stats_w = Static("", classes="pane-stats")
        self._scroll = VerticalScroll()

    def compose(self) -> ComposeResult:
        """Header, scrolling body (reasoning above the answer), stats."""
        yield self._header_w
        with self._scroll:
            with self._thinking:
                yield self._reasoning
            yield self._answer
            yield self._raw
        yield self._stats_w

    def on_mount(self) -> None:
        """Follow the stream until the user scrolls up."""
        self._scroll.anchor()
        self._thinking.display = False

    def reset(self) -> None:
        """A re-run: clear the body for the fresh run's text."""
        self._shown = 0
        self._reasoning_shown = 0
        self._user_toggled = False
        self._answer.update("")
        self._raw.update("")
        self._reasoning.update("")
        self._thinking.display = False
        self._scroll.anchor()

    async def show(self, stats: StreamStats, duel_done: bool) -> None:
        """Bring the pane up to date with the run's figures (called on the refresh tick)."""
        m = self.model
        # Blind and still running: even "thinking" vs "streaming" or a growing token
        # count would tell the fast model from the slow one.
        self._veiled = m.hidden and not duel_done
        self._status = "running" if self._veiled else status_word(stats)
        self._header_w.update(self._header(stats))
        self._stats_w.update(self._stats(stats))
        # Blind: an answer that shows up first would give the fast model away.
        if m.hidden and not duel_done:
            return
        if len(stats.reasoning_text) > self._reasoning_shown:
            thinking = self._thinking
            thinking.display = True
            self._reasoning.update(Text(sanitize_terminal(stats.reasoning_text)))
            self._reasoning_shown = len(stats.reasoning_text)
        text = stats.text
        if stats.error is not None and self._shown == len(text) and not text:
            self._answer.update(f"**{stats.error.kind}**: {stats.error.message}")
            self._shown = 0
            return
        if text and not self._shown and self._reasoning_shown and not self._user_toggled:
            # the answer has started: fold the reasoning so the answer is in view (h unfolds)
            self._thinking.collapsed = True
        if len(text) > self._shown:
            delta = sanitize_terminal(text[self._shown :])
            self._shown = len(text)
            self._raw.update(Text(sanitize_terminal(text)))
            await self._answer.append(delta)

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
        estimate = not s.tokens_exact and bool(s.output_tokens)
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
            line.append(f"out {fmt_tokens(s.output_tokens, s.tokens_exact)}")
            if estimate:
                line.append(" est", "italic")
            line.append(f"  {fmt_rate(s.output_tokens_per_s)} ")
            line.append(sparkline(s.rate_buckets, 10), "cyan")
            line.append(f"  {fmt_cost(s.cost_usd, s.tokens_exact)}\n")
        score = m.score.describe()
        line.append(f"score {score}", "bold" if m.score.is_scored else "dim")
        if m.score.manual_corrections:
            line.append(f"  corr {m.score.manual_corrections}")
        if m.score.note:
            line.append("  note ✎")
        if m.saved:
            line.append("  saved", "green")
        return line

    def toggle_raw(self) -> None:
        """Show the answer as raw text instead of rendered markdown, or back."""
        self.toggle_class("-raw")

    def toggle_reasoning(self) -> None:
        """Collapse or expand the reasoning."""
        thinking = self._thinking
        thinking.collapsed = not thinking.collapsed
        self._user_toggled = True


def _status_style(status: str) -> str:
    return {
        "waiting": "dim",
        "thinking": "italic",
        "streaming": "cyan",
        "done": "green",
        "failed": "red",
        "cancelled": "yellow",
    }.get(status, "")
