"""`modelduel route CSV...`: scored runs -> which model to route each task type to.

Reads modelduel's own CSVs and hand-written ones with just the brief's 11 columns,
validates every row (file, line and column on failure), counts a run id once across
files, applies the decision rule of `core.routing`, and shows the routes, a heatmap of
average scores and, beside it, cost per success and median time to first useful output.

Exports put the decision to work:

* `--export routes.toml`: `[routes]` maps task type -> model; `[details.TYPE]` holds the
  runner-up, margin, confidence and the figures behind it.
* `--export-litellm FILE`: a LiteLLM proxy/router config (YAML). `model_list` has one
  deployment per model that appears in a route (winner or runner-up), named by its
  modelduel spec (`openai/gpt-5.5`); `router_settings.model_group_alias` maps each task
  type to the winning model's group, so a client asks for `model="coding_bug_fix"` and
  LiteLLM sends it to the routed model. Spec -> LiteLLM `model`: `openai/`, `anthropic/`
  and `gemini/` are the same strings in LiteLLM; `openai-chat/X` (any OpenAI-compatible
  server) becomes `openai/X` with `api_base` from `OPENAI_BASE_URL`; anything else is
  passed through unchanged, with a comment to check it.

`--json` prints `{"routes": {task_type: model}, "stats": [...]}` with the issue's eight
stats keys; a task type with no eligible model (e.g. no successful run) has stats but no
route; a free model's `quality_per_cost` is the string "inf" (JSON has no infinity).
With `--by-week` a third key, `weeks`, maps each ISO week ("2026-W11", or "undated"
for rows without a timestamp) to the same two keys.

This module is imported when the CLI parser is built, so rich and the storage layer are
imported inside the functions that use them.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from modelduel.core.routing import (
    MIN_RUNS_FOR_CONFIDENCE,
    OBJECTIVES,
    CellStats,
    Objective,
    Route,
    choose_routes,
    compute_stats,
    dedupe_runs,
    iso_week,
    plural,
    row_problems,
)
from modelduel.core.scoring import MAX_SCORE
from modelduel.display import simulated_note
from modelduel.errors import CsvError, ModelduelError

if TYPE_CHECKING:
    from rich.console import Console, RenderableType
    from rich.text import Text

__all__ = [
    "LoadedRows",
    "add_route_parser",
    "litellm_config",
    "load_route_rows",
    "render_report",
    "routes_toml",
    "run_route",
    "stats_json",
    "yaml_dump",
]


def add_route_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """The `route` subcommand's arguments."""
    p = sub.add_parser(
        "route",
        help="recommend a model per task type from scored CSVs",
        description=(
            "Apply the decision rule to the scored runs of one or more results CSVs: "
            "average score, cost per successful run and median time to first useful "
            "output per task type and model, and the model to route each type to."
        ),
    )
    p.add_argument(
        "csv_files",
        nargs="+",
        type=Path,
        metavar="CSV",
        help="results CSVs (modelduel's, or hand-written with the brief's 11 columns)",
    )
    p.add_argument(
        "--objective",
        choices=OBJECTIVES,
        default="quality-per-cost",
        help="what 'best' means (default: quality-per-cost)",
    )
    p.add_argument(
        "--success-score",
        type=float,
        default=4.0,
        metavar="N",
        help="a run with score >= N is a success (default 4)",
    )
    p.add_argument("--json", action="store_true", help="routes and stats as JSON on stdout")
    p.add_argument(
        "--by-week", action="store_true", help="also show each cell week by week (drift)"
    )
    p.add_argument("--export", type=Path, metavar="ROUTES.toml", help="write the routes as TOML")
    p.add_argument(
        "--export-litellm",
        type=Path,
        metavar="FILE",
        help="write a LiteLLM router config (YAML) with a model group per task type",
    )
    p.add_argument(
        "--skip-bad-rows",
        action="store_true",
        help="leave out malformed rows (each one reported) instead of failing",
    )


# ---------------------------------------------------------------------------- reading


@dataclass(frozen=True)
class LoadedRows:
    """Rows of every file, validated and de-duplicated, with what happened on the way.

    Attributes:
        rows: the rows to route on.
        files: the files read.
        skipped: bad rows left out (only with skip_bad_rows).
        duplicates: rows dropped because their run_id was already seen.
    """

    rows: list[Mapping[str, str]]
    files: list[Path]
    skipped: int
    duplicates: int


def _stderr(message: str) -> None:
    print(f"modelduel: {message}", file=sys.stderr)


def load_route_rows(
    paths: Sequence[Path],
    *,
    skip_bad_rows: bool = False,
    check_timestamp: bool = False,
    warn: Callable[[str], None] = _stderr,
) -> LoadedRows:
    """Read, validate and de-duplicate the rows of several results CSVs.

    Args:
        paths: the CSV files, in the order given (a later copy of a run id wins ties).
        skip_bad_rows: leave bad rows out (reporting each through `warn`) instead of failing.
        check_timestamp: also require parsable timestamps (for `--by-week`).
        warn: where notices and skipped rows are reported.

    Returns:
        The rows and counts of what was skipped or de-duplicated.

    Raises:
        CsvError: a file is missing or unreadable, lacks a required column, or has a bad
            row ("FILE:LINE: column 'score': 'abc' is not a number") and skip_bad_rows
            is off.
    """
    from modelduel.storage import read_rows_with_lines

    kept: list[Mapping[str, str]] = []
    skipped = 0
    for path in paths:
        if not path.is_file():
            raise CsvError(f"{path}: no such file" if not path.exists() else f"{path}: not a file")
        # a report never edits files: a torn last row is skipped and reported, not repaired
        read = read_rows_with_lines(path, on_notice=warn, repair=False)
        problems_at: list[tuple[int, list[str]]] = [(bad.line, [bad.problem]) for bad in read.bad]
        for line, row in read.rows:
            problems = row_problems(row, check_timestamp=check_timestamp)
            if not problems:
                kept.append(row)
            else:
                problems_at.append((line, problems))
        for line, problems in sorted(problems_at):
            where = f"{path}:{line}: {'; '.join(problems)}"
            if not skip_bad_rows:
                raise CsvError(f"{where} (--skip-bad-rows leaves such rows out)")
            warn(f"skipped {where}")
            skipped += 1
    rows_out, duplicates = dedupe_runs(kept)
    return LoadedRows(list(rows_out), list(paths), skipped, duplicates)


# ---------------------------------------------------------------------------- JSON


def _json_number(value: float | None) -> float | str | None:
    # JSON has no infinity; "inf" (float("inf") reads it back) marks a free model.
    if value is not None and math.isinf(value):
        return "inf"
    return value


def stats_json(cell: CellStats) -> dict[str, Any]:
    """One `stats` entry of the JSON output, with exactly the issue's keys."""
    return {
        "task_type": cell.task_type,
        "model": cell.model,
        "runs": cell.runs,
        "avg_score": cell.avg_score,
        "success_runs": cell.success_runs,
        "cost_per_success": _json_number(cell.cost_per_success),
        "median_ttfu_s": cell.median_ttfu_s,
        "quality_per_cost": _json_number(cell.quality_per_cost),
    }


def _payload(stats: list[CellStats], routes: Mapping[str, Route]) -> dict[str, Any]:
    return {
        "routes": {t: r.model for t, r in routes.items()},
        "stats": [stats_json(c) for c in stats],
    }


# ---------------------------------------------------------------------------- exports


def routes_toml(
    routes: Mapping[str, Route],
    *,
    objective: str,
    success_score: float,
    sources: Sequence[Path] = (),
    simulated_note: str | None = None,
) -> dict[str, Any]:
    """The `--export` document (a dict for tomli_w; None values left out, as TOML has none).

    Args:
        routes: the chosen routes.
        objective: the objective they were chosen for.
        success_score: the success threshold used.
        sources: the CSVs read.
        simulated_note: set when some runs were simulated: `simulated = true` and the note.

    Returns:
        `{"objective", "success_score", "sources", "simulated", "routes": {type: model},
        "details": {type: {...}}}` (and `simulated_note` when simulated).
    """
    details: dict[str, Any] = {}
    for task_type, r in routes.items():
        entry: dict[str, Any] = {
            "model": r.model,
            "confident": r.confident,
            "runs": r.runs,
            "reason": r.reason,
        }
        if r.runner_up is not None and r.margin is not None:
            entry |= {
                "runner_up": r.runner_up,
                "runner_up_runs": r.runner_up_runs,
                "margin": r.margin,
                "margin_unit": r.margin_unit,
            }
        if r.win_share is not None:
            entry["win_share"] = r.win_share
        details[task_type] = entry
    doc: dict[str, Any] = {
        "generated_by": "modelduel route",
        "objective": objective,
        "success_score": success_score,
        "sources": [str(p) for p in sources],
        "simulated": simulated_note is not None,
    }
    if simulated_note is not None:
        doc["simulated_note"] = simulated_note
    return doc | {"routes": {t: r.model for t, r in routes.items()}, "details": details}


def yaml_dump(data: Mapping[str, Any], comments: Iterable[str] = ()) -> str:
    """YAML (PyYAML's `safe_dump`, block style, keys in the given order) after `# ` comments.

    Args:
        data: the document.
        comments: lines written first, each as a `# ` comment.

    Returns:
        The YAML text, ending in a newline.
    """
    import yaml

    head = "".join(f"# {line}".rstrip() + "\n" for c in comments for line in c.splitlines() or [""])
    body = yaml.safe_dump(
        dict(data), sort_keys=False, allow_unicode=True, default_flow_style=False, width=1000
    )
    return head + body


# modelduel provider -> (LiteLLM prefix, key variable, base URL variable or None)
_LITELLM_PROVIDERS = {
    "openai": ("openai", "OPENAI_API_KEY", None),
    "anthropic": ("anthropic", "ANTHROPIC_API_KEY", None),
    "gemini": ("gemini", "GEMINI_API_KEY", None),
    "openai-chat": ("openai", "OPENAI_API_KEY", "OPENAI_BASE_URL"),
}


def _litellm_params(spec: str) -> tuple[dict[str, Any], str | None]:
    """LiteLLM `litellm_params` for a modelduel model, and a comment when unsure."""
    provider, sep, model_id = spec.partition("/")
    known = _LITELLM_PROVIDERS.get(provider) if sep else None
    if known is None:
        note = None if not sep else f"{spec}: provider {provider!r} passed through; check it"
        return {"model": spec}, note
    prefix, key_env, base_env = known
    params: dict[str, Any] = {"model": f"{prefix}/{model_id}", "api_key": f"os.environ/{key_env}"}
    if base_env is not None:
        params["api_base"] = f"os.environ/{base_env}"
    return params, None


def litellm_config(
    routes: Mapping[str, Route], *, objective: str, simulated_note: str | None = None
) -> str:
    """The `--export-litellm` YAML: a deployment per model, a model group alias per task type.

    Args:
        routes: the chosen routes.
        objective: the objective they were chosen for (written in a comment).
        simulated_note: set when the routes were chosen from simulated runs: written as the
            first comment and as `modelduel.simulated: true` beside LiteLLM's own keys.

    Returns:
        YAML text for `litellm --config FILE` (or `Router(**config)` after loading it).
    """
    models = sorted(
        {r.model for r in routes.values()}
        | {r.runner_up for r in routes.values() if r.runner_up is not None}
    )
    comments = [f"WARNING: {simulated_note}"] if simulated_note else []
    comments += [
        f"LiteLLM router config written by `modelduel route` (objective: {objective}).",
        'Ask for model="<task type>" and the alias sends it to the routed model.',
    ]
    entries = []
    for spec in models:
        params, note = _litellm_params(spec)
        if note:
            comments.append(note)
        entries.append({"model_name": spec, "litellm_params": params})
    for task_type, r in routes.items():
        extra = f"; runner-up {r.runner_up}" if r.runner_up else ""
        noise = "" if r.confident else " (within noise)"
        comments.append(f"{task_type} -> {r.model}{noise}{extra}")
    config: dict[str, Any] = {
        "model_list": entries,
        "router_settings": {"model_group_alias": {t: r.model for t, r in routes.items()}},
    }
    if simulated_note:
        config["modelduel"] = {"simulated": True, "note": simulated_note}
    return yaml_dump(config, comments)


def _write(path: Path, text: str) -> None:
    from modelduel.fileutil import write_export

    write_export(path, text)


# ---------------------------------------------------------------------------- display


_HEAT = ((4.5, "green4"), (4.0, "green3"), (3.0, "yellow3"), (2.0, "dark_orange3"))


def _heat_style(avg: float) -> str:
    for floor, colour in _HEAT:
        if avg >= floor:
            return f"bold black on {colour}"
    return "bold white on red3"


def _clean(text: str) -> str:
    from modelduel.display import sanitize_terminal

    return sanitize_terminal(text)


def _runs_note(route: Route) -> str:
    if route.runner_up is None:
        runs = plural(route.runs)
    elif route.runs == route.runner_up_runs:
        runs = f"{plural(route.runs)} each"
    else:
        runs = f"{route.runs} and {route.runner_up_runs} runs"
    if route.confident:
        return f"({runs})"
    return f"(within noise: {runs})"


def _fmt_margin(route: Route) -> str:
    from modelduel.display import fmt_cost, fmt_seconds

    m = route.margin
    if m is None:
        return ""
    if math.isinf(m):
        return "(paid; a free model ranks first)"
    if m == 0:
        tie_break = "lower cost per success" if route.objective == "quality" else "higher avg score"
        return f"(tied; {tie_break} wins)"
    if route.margin_unit == "$ per success":
        return f"by {fmt_cost(m)} per success"
    if route.margin_unit.startswith("s "):
        return f"by {fmt_seconds(m)}"
    if route.margin_unit == "score per $":
        return f"by {m:,.1f} score per $"
    return f"by {m:.2f} {route.margin_unit}"


def _route_lines(stats: Sequence[CellStats], routes: Mapping[str, Route]) -> Text:
    from rich.text import Text

    types = sorted({c.task_type for c in stats})
    width = max((len(_clean(t)) for t in types), default=0)
    model_width = max((len(_clean(r.model)) for r in routes.values()), default=0)
    out = Text()
    for task_type in types:
        out.append(f"{_clean(task_type):<{width}} -> ", style="bold")
        route = routes.get(task_type)
        if route is None:
            out.append("— (no eligible model: none had a successful, priced run)", style="dim")
            out.append("\n")
            continue
        out.append(f"{_clean(route.model):<{model_width}}", style="bold cyan")
        if route.runner_up is not None:
            out.append(f"  runner-up {_clean(route.runner_up)} {_fmt_margin(route)}")
        out.append("  ")
        out.append(_runs_note(route), style="green" if route.confident else "yellow")
        out.append("\n")
    out.rstrip()
    return out


def _grid(
    stats: Sequence[CellStats],
) -> tuple[list[str], list[str], dict[tuple[str, str], CellStats]]:
    types = sorted({c.task_type for c in stats})
    models = sorted({c.model for c in stats})
    return types, models, {(c.task_type, c.model): c for c in stats}


def _heatmap(stats: Sequence[CellStats], routes: Mapping[str, Route]) -> RenderableType:
    from rich.table import Table
    from rich.text import Text

    types, models, cells = _grid(stats)
    table = Table(title="avg score (runs); ★ = route", title_justify="left")
    table.add_column("task type", style="bold")
    for model in models:
        table.add_column(_clean(model), justify="center")
    for task_type in types:
        row: list[RenderableType] = [_clean(task_type)]
        route = routes.get(task_type)
        for model in models:
            cell = cells.get((task_type, model))
            if cell is None:
                row.append(Text("·", style="dim"))
                continue
            star = " ★" if route is not None and route.model == model else ""
            row.append(
                Text(
                    f" {cell.avg_score:.2f} ×{cell.runs}{star} ", style=_heat_style(cell.avg_score)
                )
            )
        table.add_row(*row)
    return table


def _cost_table(stats: Sequence[CellStats]) -> RenderableType:
    from rich.table import Table
    from rich.text import Text

    from modelduel.display import fmt_cost, fmt_seconds

    types, models, cells = _grid(stats)
    table = Table(title="cost per success · median ttfu", title_justify="left")
    table.add_column("task type", style="bold")
    for model in models:
        table.add_column(_clean(model), justify="right")
    for task_type in types:
        row: list[RenderableType] = [_clean(task_type)]
        for model in models:
            cell = cells.get((task_type, model))
            if cell is None:
                row.append(Text("·", style="dim"))
                continue
            if cell.unpriced_runs:
                cost = Text(f"cost unknown ({cell.unpriced_runs})", style="yellow")
            elif cell.cost_per_success is None:
                cost = Text("no success", style="red")
            else:
                cost = Text(fmt_cost(cell.cost_per_success))
            row.append(cost + Text(f" · {fmt_seconds(cell.median_ttfu_s)}"))
        table.add_row(*row)
    return table


def render_report(
    stats: Sequence[CellStats],
    routes: Mapping[str, Route],
    *,
    objective: str,
    success_score: float,
) -> list[RenderableType]:
    """The report as rich renderables: heading, routing lines, heatmap and cost table.

    Args:
        stats: the cells.
        routes: the routes chosen from them.
        objective: the objective used.
        success_score: the success threshold used.

    Returns:
        Renderables to print in order (the TUI's report screen can show the same).
    """
    from rich.columns import Columns
    from rich.text import Text

    runs = sum(c.runs for c in stats)
    plural = "" if runs == 1 else "s"
    heading = Text(
        f"Routing by {objective} · success = score ≥ {success_score:g} · {runs} scored run{plural}",
        style="bold underline",
    )
    legend = Text(
        "heat: ≥4.5 dark green, ≥4 green, ≥3 yellow, ≥2 orange, <2 red. "
        f"Within noise: fewer than {MIN_RUNS_FOR_CONFIDENCE} runs per model, or the lead "
        "held in under 95% of bootstrap resamples.",
        style="dim",
    )
    return [
        heading,
        _route_lines(stats, routes),
        Text(""),
        Columns([_heatmap(stats, routes), _cost_table(stats)], padding=(0, 3)),
        legend,
    ]


def _week_tables(
    weeks: Mapping[str, tuple[list[CellStats], dict[str, Route]]],
) -> list[RenderableType]:
    from rich.table import Table
    from rich.text import Text

    labels = list(weeks)
    moves = Table(
        title="avg score (runs) by ISO week; ▲▼ = change from the week before", title_justify="left"
    )
    moves.add_column("task type", style="bold")
    moves.add_column("model")
    for label in labels:
        moves.add_column(label, justify="center")
    keys = sorted({(c.task_type, c.model) for cells, _ in weeks.values() for c in cells})
    by_week = {label: {(c.task_type, c.model): c for c in weeks[label][0]} for label in labels}
    for task_type, model in keys:
        row: list[RenderableType] = [_clean(task_type), _clean(model)]
        previous: CellStats | None = None
        for label in labels:
            cell = by_week[label].get((task_type, model))
            if cell is None:
                row.append(Text("·", style="dim"))
                continue
            text = Text(f" {cell.avg_score:.2f} ×{cell.runs} ", style=_heat_style(cell.avg_score))
            if previous is not None and label != "undated":
                delta = cell.avg_score - previous.avg_score
                if abs(delta) >= 0.005:
                    text.append(f"{'▲' if delta > 0 else '▼'}{abs(delta):.2f}")
            row.append(text)
            if label != "undated":
                previous = cell
        moves.add_row(*row)
    routes_table = Table(title="route by ISO week (~ = within noise)", title_justify="left")
    routes_table.add_column("task type", style="bold")
    for label in labels:
        routes_table.add_column(label)
    types = sorted({t for t, _ in keys})
    for task_type in types:
        cells_row: list[RenderableType] = [_clean(task_type)]
        for label in labels:
            route = weeks[label][1].get(task_type)
            if route is None:
                cells_row.append(Text("—", style="dim"))
            else:
                mark = "" if route.confident else " ~"
                cells_row.append(Text(_clean(route.model) + mark))
        routes_table.add_row(*cells_row)
    return [moves, routes_table]


# ---------------------------------------------------------------------------- command


def _by_week(
    rows: Sequence[Mapping[str, str]], success_score: float, objective: Objective
) -> dict[str, tuple[list[CellStats], dict[str, Route]]]:
    groups: dict[str, list[Mapping[str, str]]] = {}
    for row in rows:
        groups.setdefault(iso_week(row.get("timestamp")), []).append(row)
    # Weeks in time order; undated rows (hand-written CSVs) last.
    order = sorted(groups, key=lambda w: (w == "undated", w))
    out: dict[str, tuple[list[CellStats], dict[str, Route]]] = {}
    for week in order:
        stats = compute_stats(groups[week], success_score)
        if stats:
            out[week] = (stats, choose_routes(stats, objective))
    return out


# Piped output (a log, `| less`) is laid out this wide instead of rich's 80 columns, so no
# model name or route line is cut; a table is never wider than its content needs.
PIPED_WIDTH = 400


def _console() -> Console:
    from rich.console import Console

    width = None if sys.stdout.isatty() else PIPED_WIDTH
    return Console(file=sys.stdout, highlight=False, width=width)


def run_route(args: argparse.Namespace) -> int:
    """Run `modelduel route`: exit 0 with a recommendation, 1 when nothing is scored.

    Args:
        args: the parsed `route` arguments.

    Returns:
        The exit status.

    Raises:
        CsvError: a file or row is bad (see `load_route_rows`).
        ModelduelError: a bad option, or an export cannot be written.
    """
    objective = cast(Objective, args.objective)
    success_score = float(args.success_score)
    if not 0 <= success_score <= MAX_SCORE:
        raise ModelduelError(f"--success-score takes a score from 0 to 5, not {success_score:g}")
    loaded = load_route_rows(
        args.csv_files, skip_bad_rows=args.skip_bad_rows, check_timestamp=args.by_week
    )
    stats = compute_stats(loaded.rows, success_score)
    routes = choose_routes(stats, objective)
    weeks = _by_week(loaded.rows, success_score, objective) if args.by_week else {}

    scored = sum(c.runs for c in stats)
    notes: list[str] = []
    unscored = len(loaded.rows) - scored
    if unscored:
        notes.append(f"{unscored} unscored run{'' if unscored == 1 else 's'} left out")
    simulated = simulated_note(loaded.rows)
    if simulated:
        notes.append(simulated)
    if loaded.duplicates:
        notes.append(f"{plural(loaded.duplicates, 'duplicate run id')} counted once")
    if loaded.skipped:
        notes.append(f"{plural(loaded.skipped, 'bad row')} skipped")
    unpriced = sum(c.unpriced_runs for c in stats)
    if unpriced:
        notes.append(
            f"{plural(unpriced, 'scored run')} without cost_usd (price unknown; write 0 for a free "
            "model), so their cells cannot win on cost"
        )

    if args.export is not None:
        import tomli_w

        doc = routes_toml(
            routes,
            objective=objective,
            success_score=success_score,
            sources=loaded.files,
            simulated_note=simulated,
        )
        head = f"# WARNING: {simulated}\n" if simulated else ""
        _write(args.export, head + tomli_w.dumps(doc))
    if args.export_litellm is not None:
        text = litellm_config(routes, objective=objective, simulated_note=simulated)
        _write(args.export_litellm, text)

    if args.json:
        payload = _payload(stats, routes)
        if args.by_week:
            payload["weeks"] = {w: _payload(s, r) for w, (s, r) in weeks.items()}
        print(json.dumps(payload, indent=2))
        for note in notes:
            _stderr(note)
    else:
        console = _console()
        if not stats:
            console.print("nothing to route: no scored runs (score them with `modelduel score`)")
        else:
            for renderable in render_report(
                stats, routes, objective=objective, success_score=success_score
            ):
                console.print(renderable)
            if weeks:
                for renderable in _week_tables(weeks):
                    console.print(renderable)
        for note in notes:
            console.print(f"note: {note}", style="dim", highlight=False)
        for path in (args.export, args.export_litellm):
            if path is not None:
                console.print(f"wrote {path}", style="dim")
    return 0 if stats else 1
