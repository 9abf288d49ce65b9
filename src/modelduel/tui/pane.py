"""One model's pane: header, reasoning (dimmed, collapsible), answer, live stats line.

The pane never measures anything: it reads `StreamStats` from the engine's meter
(the same code `modelduel ask` uses) on the app's refresh tick, so a busy screen
can slow the drawing but never the numbers.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, ClassVar

from rich.style import Style
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical

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
from modelduel.tui.conversation import ConversationLines
from modelduel.tui.framepacer import MAX_FRAME_S
from modelduel.tui.marks import ACCENTS, latency_marks, provider_accent, winner_index
from modelduel.tui.pane_lines import ErrorLine, HeaderLine, StatsLines
from modelduel.tui.short_stats import Figure
from modelduel.tui.stream_markdown import PaneBody
from modelduel.tui.tcss import read_tcss

if TYPE_CHECKING:  # the checks (tasks, pytest runner) load when a task has checks, not at launch
    from modelduel.core.checks import PartSuggestion
    from modelduel.core.judge_verdict import JudgeVerdict
    from modelduel.core.meter import StreamText

__all__ = ["PaneModel", "ResponsePane", "Sanitized"]

TICK_BODY_S = 2 * MAX_FRAME_S
"""The tick draws a body the pacer has not drawn for this long (a missed poke). Longer
than the pacer's longest spacing: a tick drawing a busy pane itself would undo its share."""
CHEAP_CHARS_PER_S = 5000
"""Above this rate (about 1,200 tokens/s) a pane draws as plain text what comes into view
(the unfinished block, finished blocks scrolling by); markdown once the stream slows."""
FLOOD_FRAME_S = 0.5
"""A pane drawing as plain text (flooding) brings its body up to date at most this often:
its text scrolls by faster than anyone reads, and each of its frames repaints its whole
view, so the other panes' few changed lines get the loop (at 0.2 s, five whole views a
second were most of the loop on a busy machine; its stream's end still draws it at once)."""

_now: Callable[[], float] = time.monotonic
"""The pane's clock (a test replaces it to count frames without waiting)."""


class Sanitized:
    """`sanitize_terminal` of a text that grows, sanitizing only what is new.

    Sanitizing drops characters one by one, so the sanitized pieces join to the
    sanitized whole (a test checks).
    """

    def __init__(self) -> None:
        self._raw = ""
        self.value = ""

    def update(self, text: str) -> str:
        """The sanitized text (work in proportion to what was added since the last call)."""
        if not text.startswith(self._raw):  # a memcmp, not a per-character pass
            self._raw = ""
            self.value = ""
        if len(text) > len(self._raw):
            self.value += sanitize_terminal(text[len(self._raw) :])
            self._raw = text
        return self.value


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
        checks_line: the task's checks on the finished answer (`✓ schema  ✗ tests 3/5`).
        suggestions: rubric part -> the checks' suggestion, for the person to accept.
        sources: rubric part -> "person" or "check" (an accepted suggestion).
        rank: the person's preference within the duel (1 = best), None = not ranked.
        judge: the blind judge's verdict on the answer (a second opinion), None = none yet.
        judge_hide: the duel's model names, kept out of the judge line while blind.
    """

    label: str
    spec: str
    blind: bool = False
    revealed: bool = False
    score: Score = field(default_factory=Score)
    saved: bool = False
    unsaved: bool = False
    checks_line: str = ""
    suggestions: dict[str, PartSuggestion] = field(default_factory=dict)
    sources: dict[str, str] = field(default_factory=dict)
    rank: int | None = None
    judge: JudgeVerdict | None = None
    judge_hide: tuple[str, ...] = ()

    @property
    def hidden(self) -> bool:
        """True while blind details must stay hidden."""
        return self.blind and not self.revealed


class ResponsePane(Vertical, can_focus=True):
    """A focusable pane; scoring keys are bindings of the duel screen acting on it."""

    DEFAULT_CSS = read_tcss("response-pane.tcss")
    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "response-pane--estimate",  # a figure marked `~`: a live estimate
        "response-pane--fast",  # the time to first token, against the duel's others
        "response-pane--slow",
    }

    def __init__(self, model: PaneModel, index: int) -> None:
        super().__init__(id=f"pane-{index}")
        self.model = model
        self.index = index
        self._shown = 0
        self._reasoning_shown = 0
        self._answer_text = Sanitized()
        self._reasoning_text = Sanitized()
        self._last_growth: tuple[float, int] = (_now(), 0)
        self._body_at = 0.0  # when the body was last brought up to date
        self._status = "waiting"
        self._user_toggled = False
        self._veiled = False
        # Held directly: the refresh tick can come before the children are mounted.
        self._header_w = HeaderLine(classes="pane-header")
        self._body = PaneBody()
        self._error_w = ErrorLine()
        self._stats_w = StatsLines(classes="pane-stats")
        self.conversation = ConversationLines()
        """Earlier turns folded above the body, live tool calls below it."""
        self.ttft_s: float | None = None
        """The time to first token shown (None: none yet, or hidden while blind)."""
        self.scorable = False
        """The run has an answer to score (text, not cancelled)."""
        self.latency: str | None = None
        """`fast`, `slow` or None: the rule of `marks.latency_marks`."""

    def compose(self) -> ComposeResult:
        """Header, body (reasoning above the answer), the error if it failed, stats."""
        yield self._header_w
        yield self.conversation.folded
        yield self._body
        yield self.conversation.live
        yield self._error_w
        yield self._stats_w

    @property
    def body(self) -> PaneBody:
        """The pane's scrolling body."""
        return self._body

    def reset(self) -> None:
        """A re-run: clear the body for the fresh run's text."""
        self._shown = 0
        self._reasoning_shown = 0
        self._answer_text = Sanitized()
        self._reasoning_text = Sanitized()
        self._user_toggled = False
        self._body.reset()
        self._error_w.show_error(None)
        self.conversation.reset()

    async def show(self, stats: StreamStats, duel_done: bool) -> None:
        """Bring the pane up to date with the run's figures (called on the refresh tick)."""
        m = self.model
        # Blind and still running: even "thinking" vs "streaming" or a growing token
        # count would tell the fast model from the slow one.
        self._veiled = m.hidden and not duel_done
        failed = stats.status in ("failed", "cancelled")
        if self._veiled:
            # the one thing a veiled pane may say is that it failed, never who or why
            self._status = "failed" if failed else "running"
        else:
            self._status = status_word(stats)
        self._mark(stats, duel_done)
        self._header_w.set_parts(*self._header(stats))
        # a checks or judge line makes the stats taller; the height changes only then
        height = max(3, self._stats_w.set_lines(self._stats(stats)))
        if self._stats_w.styles.height is None or self._stats_w.styles.height.value != height:
            self._stats_w.styles.height = height
        self._show_error(stats)
        if len(stats.text) == self._shown or _now() - self._body_at >= TICK_BODY_S:
            # the frame pacer draws text as it arrives; this tick only catches up
            self.show_text(stats, duel_done)

    def show_text(self, stats: StreamStats | StreamText, duel_done: bool) -> None:
        """Bring the body (reasoning, answer) up to date; the frame pacer's draw.

        Reads only the status and the texts: the pacer passes `DuelView.shown_text`, not
        the full figures.

        The header and stats lines are left to the 10 Hz tick: repainting them with every
        arrival would double what each frame costs.
        """
        m = self.model
        # Blind: an answer that shows up first would give the fast model away.
        if m.hidden and not duel_done:
            return
        now = _now()
        streaming = stats.status == "streaming"
        cheap = self._fast(len(stats.text), now) and streaming
        if cheap and self._body.cheap and now - self._body_at < FLOOD_FRAME_S:
            return  # flooding: the next poke, or the stream's end, draws it
        self._body_at = now
        # Blind until scored: reasoning reads like its provider (GPT's summaries, Claude's
        # thinking, Gemini's thoughts), so it shows with the names
        text = stats.text
        if text and not self._shown and stats.status != "streaming":
            # shown whole (recorded, or done before a draw): at its start. Before the
            # reasoning is given: its rebuild would otherwise follow and scroll down.
            self._body.follow = False
        if len(stats.reasoning_text) > self._reasoning_shown and not m.hidden:
            self._reasoning_shown = len(stats.reasoning_text)
            self._body.set_reasoning(self._reasoning_text.update(stats.reasoning_text))
        if text and not self._shown and self._reasoning_shown and not self._user_toggled:
            # the answer has started: fold the reasoning so the answer is in view (h unfolds)
            self._body.reasoning_folded = True
        self._body.cheap = cheap
        self._body.live = streaming
        if len(text) > self._shown:
            self._shown = len(text)
            self._body.set_answer(self._answer_text.update(text))

    def _mark(self, stats: StreamStats, duel_done: bool) -> None:
        """Provider accent, fast/slow first token and the winner, against the other panes."""
        m = self.model
        # blind, the accent would name the provider: the neutral border until revealed
        accent = None if m.hidden else provider_accent(m.spec)
        for name in ACCENTS:
            self.set_class(name == accent, f"-provider-{name}")
        self.ttft_s = None if m.hidden else stats.ttft_s
        self.scorable = bool(stats.text) and stats.status != "cancelled"
        # the others' figures are those of their last tick (one tick behind at worst)
        parent = self.parent
        peers = [p for p in parent.children if isinstance(p, ResponsePane)] if parent else []
        peers = peers if self in peers else [self]
        me = peers.index(self)
        self.latency = latency_marks([p.ttft_s for p in peers])[me]
        scores = [(p.model.score, p.scorable) for p in peers]
        # a pane scored while another still streams: the scores are not all in yet
        won = duel_done and winner_index(scores) == me
        self.set_class(won, "-winner")

    def _figure_style(self, name: str | None) -> Style | str:
        """The theme's style of a figure (`estimate`, `fast`, `slow`), none for None."""
        if name is None:
            return ""
        return self.get_component_rich_style(f"response-pane--{name}", partial=True)

    def _estimated(self, figure: str) -> tuple[str, Style | str]:
        """A figure and its style: the estimate colour when it is marked `~` (live)."""
        return figure, self._figure_style("estimate") if figure.startswith("~") else ""

    def _fast(self, chars: int, now: float) -> bool:
        """The answer grows faster than CHEAP_CHARS_PER_S since the last look."""
        then, before = self._last_growth
        if now - then < 0.2:
            return self._body.cheap  # too short a span to tell a rate
        self._last_growth = (now, chars)
        return (chars - before) / (now - then) > CHEAP_CHARS_PER_S

    def _header(self, stats: StreamStats) -> tuple[str, Text]:
        m = self.model
        name = m.label if m.hidden else (f"{m.label} · {m.spec}" if m.blind else m.spec)
        rest = Text()
        # veiled, every pane's word has one style: italic "thinking" or a streaming
        # colour would tell the models apart
        veiled_status = "failed" if self._status == "failed" else ""
        style = _status_style(veiled_status if self._veiled else stats.status)
        rest.append(f"  {self._status}", style=style)
        if not m.hidden and stats.elapsed_s is not None:
            rest.append(f"  {fmt_seconds(stats.elapsed_s)}")
        return name, rest

    def _show_error(self, stats: StreamStats) -> None:
        """The failure, in full, below the text; veiled, only that it failed."""
        # a budget clamped or a refused parameter names the provider: veiled, not shown
        notices = "" if self.model.hidden else "".join(f"\n{n}" for n in stats.notices)
        error = stats.error
        if error is None:
            self._error_w.show_error(notices.lstrip("\n") or None, True)
            return
        cancelled = stats.status == "cancelled" or error.kind == "cancelled"
        if self.model.hidden:
            what = "cancelled" if cancelled else "failed"
            self._error_w.show_error(f"✗ {what} (why shows once names are revealed)", cancelled)
            return
        word = "cancelled" if cancelled else f"failed ({error.kind})"
        message = f"✗ {word}: {sanitize_terminal(error.message)}{notices}"
        self._error_w.show_error(message, cancelled)

    def _stats(self, s: StreamStats) -> list[list[Figure]]:
        """Three short lines (timings; tokens, rate, cost; score) that fit a narrow pane:
        each a row of figures, the least kept dropped whole where the pane is narrow."""
        m = self.model
        lines: list[list[Figure]] = []
        if m.hidden:
            if self._veiled:
                lines.append([Figure(Text("answers show when all are done", "dim"), 9)])
            else:
                # a count with reasoning in it, or exact where the others are estimates
                # (a cancelled Gemini run), would say which model it is
                lines.append([Figure(Text("reasoning, tokens: shown once scored", "dim"), 9)])
            lines.append([Figure(Text("speed, cost: shown once scored", "dim"), 9)])
        else:
            ttft = Text("ttft ")
            ttft.append(fmt_seconds(s.ttft_s), self._figure_style(self.latency))
            lines.append(
                [
                    Figure(ttft, 3),
                    Figure(Text(f"useful {fmt_seconds(s.time_to_first_useful_s)}"), 2),
                    Figure(Text(f"in {fmt_tokens(s.input_tokens)}"), 1),
                ]
            )
            # `~` marks a live estimate until the provider's exact count replaces it
            out = Text("out ")
            out.append(*self._estimated(fmt_tokens(s.output_tokens, s.tokens_exact)))
            # cost before the rate: in a narrow pane the sparkline is what goes first
            lines.append(
                [
                    Figure(out, 3),
                    Figure(Text(*self._estimated(fmt_cost(s.cost_usd, s.tokens_exact))), 2),
                    Figure(Text(fmt_rate(s.output_tokens_per_s)), 1),
                    Figure(Text(sparkline(s.rate_buckets, 10), "cyan"), 0, " "),
                ]
            )
        score = m.score.describe()
        line = [Figure(Text(f"score {score}", "bold" if m.score.is_scored else "dim"), 9)]
        if m.rank is not None:
            line.append(Figure(Text(f"rank {m.rank}", "bold"), 7))
        if m.score.manual_corrections:
            line.append(Figure(Text(f"corr {m.score.manual_corrections}"), 3))
        if m.score.note:
            line.append(Figure(Text("note ✎"), 4))
        if m.unsaved:
            line.append(Figure(Text("NOT saved", "bold red"), 8))
        elif m.saved and not self._veiled:  # veiled, "saved" would tell who ended first
            line.append(Figure(Text("saved", "green"), 2))
        lines.append(line)
        if m.checks_line and not self._veiled:  # veiled, it would tell who ended first
            lines.append([Figure(Text(f"checks {m.checks_line}"), 6)])
            # suggestions not taken yet, marked as the checks' and not the person's; on a
            # line of their own (as the judge's), so a narrow pane does not drop them
            offered = [s.label for p, s in m.suggestions.items() if m.sources.get(p) != "check"]
            if offered:
                label = f"  {'  '.join(offered)} (a accepts)"
                lines.append([Figure(Text(label, "italic cyan"), 5)])
        if m.judge is not None:
            from modelduel.tui.judging import judge_text  # noqa: PLC0415  judge: ~140 ms off launch

            lines.extend([Figure(part, 6)] for part in judge_text(m).split("\n") if part.plain)
        return lines

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
