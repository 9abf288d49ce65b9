"""The live terminal view of `modelduel ask` (rich, not Textual) and its closing summary.

Model output is shown through `rich.text.Text` objects, never as markup, and with
terminal control characters removed.
"""

from __future__ import annotations

from rich import box
from rich.console import Group, RenderableType
from rich.panel import Panel
from rich.rule import Rule
from rich.table import Table
from rich.text import Text

from modelduel.core.metrics import StreamStats
from modelduel.core.session import DuelState, RunSlot
from modelduel.display import (
    error_message,
    fmt_cost,
    fmt_rate,
    fmt_seconds,
    fmt_tokens,
    sanitize_terminal,
    sparkline,
    status_word,
)

__all__ = ["answers", "live_view", "summary_table"]

STATUS_STYLE = {
    "waiting": "dim",
    "thinking": "magenta",
    "streaming": "cyan",
    "done": "green",
    "failed": "bold red",
    "cancelled": "yellow",
}


def _tail(text: str, lines: int, width: int) -> str:
    kept: list[str] = []
    for line in reversed(text.splitlines() or [""]):
        kept.insert(0, line[:width])
        if len(kept) >= lines:
            break
    return "\n".join(kept)


def _stats_line(s: StreamStats) -> Text:
    line = Text()
    line.append(f"ttft {fmt_seconds(s.ttft_s)}  ")
    line.append(f"useful {fmt_seconds(s.time_to_first_useful_s)}  ")
    line.append(f"in {fmt_tokens(s.input_tokens)} ")
    line.append(f"out {fmt_tokens(s.output_tokens, s.tokens_exact)}  ")
    line.append(f"{fmt_rate(s.output_tokens_per_s)} ")
    line.append(sparkline(s.rate_buckets), style="cyan")
    line.append(f"  {fmt_cost(s.cost_usd, s.tokens_exact)}")
    return line


def live_view(duel: DuelState, now_ns: int, body_lines: int = 12) -> RenderableType:
    """Panes side by side, each with its status, the tail of its answer and its live figures."""
    grid = Table.grid(expand=True, padding=(0, 1))
    for _ in duel.slots:
        grid.add_column(ratio=1)
    cells = []
    for slot in duel.slots:
        s = slot.stats(now_ns)
        body = Text()
        if s.text:
            body.append(_tail(sanitize_terminal(s.text), body_lines, 200))
        elif s.reasoning_text:
            body.append(
                _tail(sanitize_terminal(s.reasoning_text), body_lines, 200), style="dim italic"
            )
        if s.error is not None:
            body.append(f"\n{error_message(s.error)}", style="red")
        for notice in s.notices:
            body.append(f"\n{notice}", style="yellow")
        title = Text.assemble(
            (slot.model.spec, "bold"),
            "  ",
            (status_word(s), STATUS_STYLE.get(s.status, "")),
            f"  {fmt_seconds(s.elapsed_s)}",
        )
        cells.append(Panel(Group(body, Text(""), _stats_line(s)), title=title, title_align="left"))
    grid.add_row(*cells)
    return grid


_FIGURES = (
    "status",
    "connect",
    "ttft",
    "first useful",
    "wall",
    "in",
    "out",
    "reasoning",
    "tok/s",
    "cost",
)


def _figures(slot: RunSlot) -> list[Text | str]:
    s = slot.stats()
    return [
        Text(status_word(s), style=STATUS_STYLE.get(s.status, "")),
        fmt_seconds(s.connect_s),
        fmt_seconds(s.ttft_s),
        fmt_seconds(s.time_to_first_useful_s),
        fmt_seconds(s.wall_time_s),
        fmt_tokens(s.input_tokens),
        fmt_tokens(s.output_tokens, s.tokens_exact),
        fmt_tokens(s.reasoning_tokens),
        fmt_rate(s.output_tokens_per_s).replace(" tok/s", ""),
        fmt_cost(s.cost_usd, s.tokens_exact),
    ]


def summary_table(duel: DuelState, width: int | None = None) -> Table:
    """Every measured figure of every model: a row per model, or, when `width` columns
    cannot hold that whole, a column per model (figures are never cut to fit)."""
    title = "modelduel — results"
    if width is not None and width < 130:
        table = Table(title=title, title_justify="left", box=box.SIMPLE_HEAD)
        table.add_column("")
        for slot in duel.slots:
            table.add_column(Text(slot.model.spec), justify="right", overflow="fold")
        columns = [_figures(slot) for slot in duel.slots]
        for i, name in enumerate(_FIGURES):
            table.add_row(name, *(figures[i] for figures in columns))
        return table
    table = Table(title=title, title_justify="left")
    table.add_column("model", no_wrap=True)
    for name in _FIGURES:
        table.add_column(name, justify="left" if name == "status" else "right")
    for slot in duel.slots:
        table.add_row(Text(slot.model.spec), *_figures(slot))
    return table


def answers(duel: DuelState, *, terminal: bool) -> list[RenderableType]:
    """Each model's answer under its name, in lineup order, for after the runs end.

    Args:
        duel: the finished duel.
        terminal: a terminal gets a rule per model; a pipe gets a plain `## MODEL` line,
            so the output reads as text (and as Markdown) in a log.

    Returns:
        Renderables to print with soft wrapping (an answer's lines are never re-wrapped).
    """
    out: list[RenderableType] = []
    for slot in duel.slots:
        s = slot.stats()
        status = status_word(s)
        if terminal:
            title = Text.assemble(
                (slot.model.spec, "bold"), "  ", (status, STATUS_STYLE.get(s.status, ""))
            )
            out.append(Rule(title, align="left"))
        else:
            out.append(Text(f"## {slot.model.spec} ({status})"))
        body = Text(sanitize_terminal(s.text).rstrip("\n"))
        if not s.text:
            body.append("(no answer text)", style="dim")
        if s.error is not None:
            body.append(f"\n{status}: {error_message(s.error)}", style="red")
        out.append(body)
        out.append(Text(""))
    return out
