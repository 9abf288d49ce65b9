"""Runs of a results CSV written to a file of their own: CSV, JSON Lines or Markdown.

CSV with every column (or only the 11 core columns), JSON Lines with cells typed and each
run's transcript joined in, or Markdown for reading and sharing. Used by `modelduel
export` and the TUI's session export alike.
"""

from __future__ import annotations

import csv
import html
import io
import json
import os
import re
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from modelduel.errors import ModelduelError
from modelduel.fileutil import write_export
from modelduel.storage import columns as table
from modelduel.storage.cells import encode_cell
from modelduel.storage.lock import lock_path
from modelduel.storage.transcript import Transcript, transcript_path

__all__ = ["FORMATS", "export_rows", "refuse_to_overwrite_results", "runs_without_text"]

FORMATS = ("csv", "jsonl", "markdown")
"""The formats `export_rows` writes."""


def export_rows(
    rows: Sequence[Mapping[str, str]],
    transcripts: Mapping[str, Mapping[str, Any]],
    out: Path | None,
    fmt: str,
    brief_columns: bool,
    *,
    texts: bool = True,
    source: Transcript | None = None,
) -> None:
    """Write rows as csv, jsonl or markdown to `out` (None: stdout).

    Args:
        texts: False leaves the transcripts out (jsonl without `transcript`, Markdown
            without prompts and answers): an export that is meant to carry no text.
        source: The transcript `transcripts` was read from; with it, a run whose text is
            not there says why in the Markdown (no transcript file, or no record in it)
            instead of looking like a run that answered nothing.
    """
    if fmt == "csv":
        columns = list(table.BRIEF_COLUMNS if brief_columns else table.COLUMNS)
        if not brief_columns:
            for row in rows:
                columns.extend(k for k in row if k not in columns)
        text = _csv_text(rows, columns)
    elif fmt == "jsonl":
        lines = []
        for row in rows:
            # typed by the column table: numbers, flags, ids kept as text, empty as null
            record: dict[str, Any] = {k: table.typed_cell(k, v) for k, v in row.items()}
            if texts:
                record["transcript"] = transcripts.get(row.get("run_id") or "")
            lines.append(json.dumps(record, ensure_ascii=False))
        text = "".join(line + "\n" for line in lines)
    else:
        text = _markdown(rows, transcripts if texts else None, source)
    if out is None:
        sys.stdout.write(text)
        return
    write_export(out, text)


def refuse_to_overwrite_results(out: Path, csv_paths: Sequence[Path]) -> None:
    """Refuse an output file that is one of the results CSVs read, its transcript or lock.

    Writing an export there would replace the data it was made from (a markdown file
    where the CSV was, a jsonl export over the transcript of every answer).

    Raises:
        ModelduelError: naming the file and the fix.
    """
    for results in csv_paths:
        for source, what in (
            (results, f"the results CSV {results}"),
            (transcript_path(results), f"the transcript of {results.name}"),
            (lock_path(results), f"the lock file of {results.name}"),
        ):
            if _same_file(out, source):
                raise ModelduelError(
                    f"{out}: that is {what}; writing the export there would replace it "
                    f"(choose another file name)"
                )


def _same_file(a: Path, b: Path) -> bool:
    """Whether two paths name one file (links and `..` included), existing or not."""
    try:
        return os.path.samefile(a, b)
    except OSError:  # one of them does not exist (yet): compare where they would be
        return a.resolve() == b.resolve()


def runs_without_text(
    rows: Sequence[Mapping[str, str]], transcripts: Mapping[str, Mapping[str, Any]]
) -> int:
    """How many of `rows` have no record in `transcripts` (their texts cannot be exported)."""
    return sum((row.get("run_id") or "") not in transcripts for row in rows)


def _absent_text(run_id: str, source: Transcript) -> str:
    """What the Markdown shows for a run with no transcript record, and why."""
    if not source.found:
        return f"(text not exported: no transcript {source.path.name} beside the CSV)"
    return f"(text not exported: run {run_id or '(no run_id)'} has no record in {source.path.name})"


def _fmt(cell: str, digits: int) -> str:
    try:
        return f"{float(cell):.{digits}g}" if cell else ""
    except ValueError:
        return cell


_PLAIN_NUMBER = re.compile(r"-?\d+(\.\d+)?([eE][-+]?\d+)?")


def _export_cell(cell: str) -> str:
    """A read (decoded) cell as written to an exported CSV: a number as it is, text made safe.

    Every text cell is neutralised again, whoever typed it: one the app wrote and one
    written by hand into the source CSV (`=HYPERLINK(...)` in a note) alike.
    """
    return cell if _PLAIN_NUMBER.fullmatch(cell) else encode_cell(cell)


def _csv_text(rows: Sequence[Mapping[str, str]], columns: list[str]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, columns, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({c: _export_cell(row.get(c, "")) for c in columns})
    return buffer.getvalue()


def _markdown(
    rows: Sequence[Mapping[str, str]],
    transcripts: Mapping[str, Mapping[str, Any]] | None,
    source: Transcript | None = None,
) -> str:
    """The export as Markdown; `transcripts` None: the figures only (no prompt, no answers)."""
    parts: list[str] = ["# modelduel export\n"]
    by_duel: dict[str, list[Mapping[str, str]]] = {}
    for row in rows:
        by_duel.setdefault(row.get("duel_id") or row.get("run_id") or "?", []).append(row)
    for duel_id, duel_rows in by_duel.items():
        first = (transcripts or {}).get(duel_rows[0].get("run_id") or "", {})
        parts.append(f"\n## {duel_rows[0].get('task_id', '')} ({duel_id})\n")
        if first.get("prompt"):
            parts.append("\n> " + str(first["prompt"]).replace("\n", "\n> ") + "\n")
        parts.append("\n| model | score | ttfu s | wall s | in | out | cost $ |\n")
        parts.append("|---|---|---|---|---|---|---|\n")
        for r in duel_rows:
            parts.append(
                f"| {r.get('model', '')} | {r.get('score', '')} | "
                f"{_fmt(r.get('time_to_first_useful_s', ''), 3)} | "
                f"{_fmt(r.get('wall_time_s', ''), 3)} | "
                f"{r.get('input_tokens', '')} | {r.get('output_tokens', '')} | "
                f"{_fmt(r.get('cost_usd', ''), 3)} |\n"
            )
        if transcripts is None:
            continue
        for r in duel_rows:
            run_id = r.get("run_id") or ""
            parts.append(f"\n### {r.get('model', '')}\n")
            if run_id not in transcripts and source is not None:
                parts.append("\n" + _absent_text(run_id, source) + "\n")
                continue
            record = transcripts.get(run_id, {})
            conversation = record.get("conversation")
            if isinstance(conversation, Mapping) and conversation.get("messages"):
                parts.append(_conversation_markdown(record, conversation))
                continue
            # fenced, so an answer's own headings do not break this document's outline
            parts.append("\n" + _fenced(str(record.get("text") or "(no text)"), "markdown"))
    return "".join(parts)


def _fenced(text: str, info: str) -> str:
    fence = "`" * max(4, _longest_backtick_run(text) + 1)
    return f"{fence}{info}\n{text.rstrip(chr(10))}\n{fence}\n"


def _conversation_markdown(record: Mapping[str, Any], conversation: Mapping[str, Any]) -> str:
    """A run's conversation as a reader follows it: each turn, its tool calls folded to a
    line (`▸ read_file src/x.py:1-40 → 40 lines`) with the result in a collapsible block,
    and the turn's answer."""
    calls = {
        str(c.get("call_id")): c for c in record.get("tool_calls") or [] if isinstance(c, Mapping)
    }
    figures = {f.get("turn"): f for f in record.get("turn_figures") or [] if isinstance(f, Mapping)}
    messages = [m for m in conversation["messages"] if isinstance(m, Mapping)]
    results: dict[str, Mapping[str, Any]] = {}
    for m in messages:
        if m.get("role") == "tool":
            results |= {str(r.get("call_id")): r for r in m.get("results") or []}
    out: list[str] = []
    turn = 0
    for index, m in enumerate(messages):
        role = m.get("role")
        if role == "user":
            turn += 1
            out.append(_turn_heading(turn, m, figures.get(turn)))
        elif role == "assistant":
            last_of_turn = all(n.get("role") != "assistant" for n in _until_user(messages, index))
            for part in m.get("parts") or []:
                kind = part.get("type")
                if kind == "tool_call":
                    out.append(_call_markdown(part, calls.get(str(part.get("id"))), results))
                elif kind == "text" and str(part.get("text") or "").strip():
                    text = str(part["text"])
                    if last_of_turn:
                        out.append("\n**Answer**\n\n" + _fenced(text, "markdown"))
                    else:  # the model talking between calls, not its answer
                        out.append("\n> " + text.strip().replace("\n", "\n> ") + "\n")
    if not any(m.get("role") == "assistant" for m in messages) or record.get("error"):
        error = record.get("error")
        if isinstance(error, Mapping):
            out.append(f"\n**Ended:** {error.get('message') or error.get('kind')}\n")
    return "".join(out)


def _until_user(messages: Sequence[Mapping[str, Any]], index: int) -> list[Mapping[str, Any]]:
    """The messages after `index` up to the next user message (the rest of the turn)."""
    rest: list[Mapping[str, Any]] = []
    for m in messages[index + 1 :]:
        if m.get("role") == "user":
            break
        rest.append(m)
    return rest


def _turn_heading(turn: int, message: Mapping[str, Any], figures: Mapping[str, Any] | None) -> str:
    parts = message.get("parts") or []
    images = [str(p.get("name") or "image") for p in parts if p.get("type") == "image"]
    line = f"\n#### Turn {turn}\n"
    if figures is not None:
        wall = figures.get("wall_time_s")
        bits = [f"{wall:.3g} s" if isinstance(wall, int | float) else ""]
        bits.append(
            f"{figures.get('input_tokens') or 0} in / {figures.get('output_tokens') or 0} out"
        )
        bits.append(f"{figures.get('tool_calls') or 0} tool calls")
        line += "\n*" + " · ".join(b for b in bits if b) + "*\n"
    if turn > 1:
        text = "\n".join(str(p.get("text") or "") for p in parts if p.get("type") == "text")
        line += "\n> " + text.strip().replace("\n", "\n> ") + "\n"
    if images:
        line += "\n" + "".join(f"📎 {html.escape(name)}  " for name in images).rstrip() + "\n"
    return line


def _call_markdown(
    part: Mapping[str, Any],
    logged: Mapping[str, Any] | None,
    results: Mapping[str, Mapping[str, Any]],
) -> str:
    """One tool call: its folded line as the summary of a collapsible block of its result."""
    answered = results.get(str(part.get("id")))
    label = str((logged or {}).get("label") or part.get("name") or "tool")
    content = (logged or {}).get("result")
    if content is None and answered is not None:
        content = answered.get("content")
    summary = str((logged or {}).get("summary") or "")
    is_error = bool((logged or {}).get("is_error") or (answered or {}).get("is_error"))
    if content is None:
        return f"\n▸ {label} → not answered\n"
    if not summary:
        lines = len(str(content).splitlines())
        summary = f"{'error, ' if is_error else ''}{lines} line{'s' if lines != 1 else ''}"
    head = html.escape(f"▸ {label} → {summary}")
    return f"\n<details><summary>{head}</summary>\n\n{_fenced(str(content), 'text')}\n</details>\n"


def _longest_backtick_run(text: str) -> int:
    longest = run = 0
    for ch in text:
        run = run + 1 if ch == "`" else 0
        longest = max(longest, run)
    return longest
