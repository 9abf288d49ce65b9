"""The results CSV's columns: the one table every writer and reader of a row follows.

Each `Column` says its name, what kind of value it holds, whether it is one of the
11 core columns (`BRIEF_COLUMNS`) and what it means. The table is in CSV order: the
header of a new file, `--brief-columns` exports and the JSON Lines typing all come from
it, and so does reading a cell back (`typed_cell`). How a column is filled from a
finished run lives beside the run types, in `core.records` (one writer per column,
checked by a test).

Adding a column: one `Column` at the end of `TABLE` and its writer in
`core.records._FROM_RUN`; nothing else lists column names.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

__all__ = [
    "BRIEF_COLUMNS",
    "COLUMNS",
    "EXTRA_COLUMNS",
    "TABLE",
    "Column",
    "ColumnKind",
    "column",
    "typed_cell",
]

ColumnKind = Literal["text", "int", "float", "bool", "id"]
"""text: free text; int/float: a number; bool: ``true``/``false``; id: text that may look
numeric (a task id ``007``) and must never be read as a number."""


@dataclass(frozen=True)
class Column:
    """One column of the results CSV.

    Attributes:
        name: the header cell.
        kind: how its cell is read back (`typed_cell`).
        brief: one of the 11 core columns (`--brief-columns`, required in a header).
        doc: what the cell holds.
    """

    name: str
    kind: ColumnKind
    brief: bool
    doc: str


def _brief(name: str, kind: ColumnKind, doc: str) -> Column:
    return Column(name, kind, True, doc)


def _extra(name: str, kind: ColumnKind, doc: str) -> Column:
    return Column(name, kind, False, doc)


TABLE: tuple[Column, ...] = (
    _brief("task_id", "id", "the task (a task file's id, or adhoc-<hash> for a typed prompt)"),
    _brief("task_type", "text", "the task's type (coding, writing, ...; adhoc)"),
    _brief("model", "text", "the model as given: provider/model_id"),
    _brief("score", "int", "the user's score; empty = not scored"),
    _brief("time_to_first_useful_s", "float", "request sent to first answer text, seconds"),
    _brief("wall_time_s", "float", "request sent to the last byte, seconds"),
    _brief("input_tokens", "int", "input tokens, as the provider reported them"),
    _brief("output_tokens", "int", "output tokens, reasoning included"),
    _brief("cost_usd", "float", "cost in US dollars; empty = unknown price"),
    _brief("manual_corrections", "int", "edits the user made to the answer"),
    _brief("notes", "text", "the user's notes"),
    _extra("run_id", "id", "this run; joins the row to its transcript"),
    _extra("duel_id", "id", "the duel the run was part of"),
    _extra("timestamp", "text", "when the duel started, UTC ISO 8601"),
    _extra("provider", "text", "the provider part of `model`"),
    _extra("model_id", "text", "the model part of `model`"),
    _extra("pane", "int", "the pane the run was shown in, from 0"),
    _extra("blind", "bool", "names were hidden while it ran"),
    _extra("connect_s", "float", "time to a connected socket, seconds"),
    _extra("ttft_s", "float", "request sent to the first token of any kind, seconds"),
    _extra("reasoning_tokens", "int", "reasoning tokens (within output_tokens)"),
    _extra("cached_input_tokens", "int", "input tokens read from the provider's cache"),
    _extra("output_tokens_per_s", "float", "output tokens per second of streaming"),
    _extra("tokens_exact", "bool", "token counts are the provider's, not estimated"),
    _extra("price_source", "text", "where the price came from"),
    _extra("finish_reason", "text", "why the answer ended, as the provider said"),
    _extra("error", "text", "kind: message of a failed or cancelled run"),
    _extra("retried", "int", "how many times the request was retried"),
    _extra("quality", "int", "rubric part: quality (0-2)"),
    _extra("correctness", "int", "rubric part: correctness (0-1)"),
    _extra("format", "int", "rubric part: format (0-1)"),
    _extra("rework", "int", "rubric part: rework (0-1)"),
    _extra("simulated", "bool", "answered by the local simulator, not a real model"),
    # automatic checks of the answer (the task's [[checks]]); errors count in the total only
    _extra("checks_passed", "int", "automatic checks passed"),
    _extra("checks_total", "int", "automatic checks run"),
    _extra("max_output_tokens", "int", "the output token limit the request asked for"),
    _extra("cache_write_tokens", "int", "input tokens written to the provider's cache"),
    _extra("rank", "int", "preference within its duel: 1 = best, ties share; empty = not ranked"),
    _extra("parts_source", "text", "whose each rubric part is: part=person or part=check"),
    _extra("effort", "text", "the effort word the request sent (empty: the model's default)"),
    # the blind judge's second opinion ([judge] in the config); its cost is not the run's
    _extra("judge_model", "text", "the judge model that was asked; empty = no judge"),
    _extra("judge_quality", "int", "the judge's quality (0-2); empty = no valid verdict"),
    _extra("judge_correctness", "int", "the judge's correctness (0-1)"),
    _extra("judge_format", "int", "the judge's format (0-1)"),
    _extra("judge_rework", "int", "the judge's rework (0-1)"),
    _extra("judge_reason", "text", "the judge's one-line reason, or why there is no verdict"),
    _extra("judge_cost_usd", "float", "the judge run's cost in US dollars, apart from cost_usd"),
    _extra("tool_calls", "int", "tool calls the model made (every round and turn)"),
    _extra("tool_rounds", "int", "tool rounds answered (a request sent back with results)"),
    _extra("turns", "int", "user turns of the run's conversation (1 = one prompt)"),
)
"""Every column the app writes, in CSV order (new columns go at the end)."""

BRIEF_COLUMNS: tuple[str, ...] = tuple(c.name for c in TABLE if c.brief)
EXTRA_COLUMNS: tuple[str, ...] = tuple(c.name for c in TABLE if not c.brief)
COLUMNS: tuple[str, ...] = tuple(c.name for c in TABLE)

_BY_NAME: dict[str, Column] = {c.name: c for c in TABLE}


def column(name: str) -> Column | None:
    """The table's entry for a header name; None for a column the app does not know."""
    return _BY_NAME.get(name)


def typed_cell(name: str, cell: str) -> object:
    """A decoded cell as the value its column holds: number, flag or text; empty is None.

    A cell that does not parse as its kind (edited by hand) stays text, and a column
    not in the table is text: nothing is guessed from how a cell looks.
    """
    if cell == "":
        return None
    entry = _BY_NAME.get(name)
    kind = "text" if entry is None else entry.kind
    if kind == "bool":
        return cell == "true" if cell in ("true", "false") else cell
    if kind in ("int", "float"):
        # an int column may hold 4.5 (a hand-edited score) and a float column 2: kept as written
        try:
            return int(cell)
        except ValueError:
            pass
        try:
            return float(cell)
        except ValueError:
            return cell
    return cell
