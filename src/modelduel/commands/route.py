"""`modelduel route CSV...`: scored runs -> which model to route each task type to.

The command only: its arguments, the JSON output and the flow. Reading and validating
the CSVs is `core.routing_rows`, the decision rule `core.routing`, the files it exports
`core.routing_export` (TOML routing config, LiteLLM YAML) and the rich report
`modelduel.report` (shared with the TUI's routing report).

`--json` prints `{"routes": {task_type: model}, "stats": [...]}` with the issue's eight
stats keys; a task type with no eligible model (e.g. no successful run) has stats but no
route; a free model's `quality_per_cost` is the string "inf" (JSON has no infinity).
With no scored run at all the JSON is still printed, with `no_recommendation` saying why
(the text report's line), and the exit status is 1 in both modes: a script can tell "no
recommendation yet" from a recommendation by the status alone.
Two more keys: `preference`, the Bradley–Terry table per task type
(`report_json.preference_json`: strength, bootstrap interval, comparisons per model;
null where the data is too thin), and `separation`, each route's verdict
(`report_json.separation_json`: separated at 95 %, or ~runs per model that would do it).
With `--by-week` a third key, `weeks`, maps each ISO week ("2026-W11", or "undated"
for rows without a timestamp) to the same two keys.

This module is imported when the CLI parser is built, so rich, the storage layer and
the exports are imported inside `run_route`.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from modelduel.core.blas_threads import import_numpy_with_one_blas_thread
from modelduel.core.routing import (
    OBJECTIVES,
    CellStats,
    Objective,
    Route,
    RunTable,
    choose_routes,
    compute_table_stats,
    plural,
)
from modelduel.core.scoring import MAX_SCORE
from modelduel.display import simulated_note
from modelduel.errors import ModelduelError

if TYPE_CHECKING:
    from rich.console import Console

    from modelduel.core.power import Separation
    from modelduel.core.routing_rows import LoadedTable

__all__ = ["add_parser", "add_route_parser", "run", "run_route"]


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
        epilog=(
            "Exit status: 0 with a recommendation; 1 when no run is scored yet (with "
            "--json the JSON is still printed, its no_recommendation key saying why); "
            "2 for a bad file or option."
        ),
    )
    p.add_argument(
        "csv_files",
        nargs="+",
        type=Path,
        metavar="CSV",
        help="results CSVs (modelduel's, or hand-written with the 11 core columns)",
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


# ---------------------------------------------------------------------------- command


def _by_week(
    table: RunTable, success_score: float, objective: Objective
) -> dict[str, tuple[list[CellStats], dict[str, Route]]]:
    out: dict[str, tuple[list[CellStats], dict[str, Route]]] = {}
    # Weeks in time order; undated rows (hand-written CSVs) last.
    for week, rows in table.by_week().items():
        stats = compute_table_stats(rows, success_score)
        if stats:
            out[week] = (stats, choose_routes(stats, objective))
    return out


def _week_separations(
    weeks: Mapping[str, tuple[list[CellStats], dict[str, Route]]],
) -> dict[str, dict[str, Separation]]:
    """Each week's power verdicts: the `~` of `--by-week` is the route line's rule."""
    from modelduel.core.power import separations

    return {week: separations(stats, routes) for week, (stats, routes) in weeks.items()}


def _judge_agreement_json(loaded: LoadedTable) -> dict[str, Any]:
    """`judge_agreement` of `route --json`: per rubric part, pairs, exact share and kappa
    (empty when no run was judged)."""
    if not loaded.judged:
        return {}
    from modelduel.core.judge_agreement import agreement_json
    from modelduel.core.routing_rows import judge_rows

    return agreement_json(judge_rows(loaded.files))


# Piped output (a log, `| less`) is laid out this wide instead of rich's 80 columns, so no
# model name or route line is cut; a table is never wider than its content needs.
PIPED_WIDTH = 400


def _console() -> Console:
    from rich.console import Console

    width = None if sys.stdout.isatty() else PIPED_WIDTH
    return Console(file=sys.stdout, highlight=False, width=width)


def _stderr(message: str) -> None:
    print(f"modelduel: {message}", file=sys.stderr)


def run_route(args: argparse.Namespace) -> int:
    """Run `modelduel route`: exit 0 with a recommendation, 1 when nothing is scored.

    Args:
        args: the parsed `route` arguments.

    Returns:
        The exit status.

    Raises:
        CsvError: a file or row is bad (see `core.routing_rows.load_route_table`).
        ModelduelError: a bad option, or an export cannot be written.
    """
    # before anything loads numpy: OpenBLAS would start a thread per core for products of
    # a few dozen cells, which on a busy machine spin and double the CPU for no gain
    import_numpy_with_one_blas_thread()
    from modelduel.core.routing_rows import load_route_table
    from modelduel.fileutil import write_export
    from modelduel.report import NO_SCORED_RUNS, render_report, week_tables
    from modelduel.report_json import preference_json, routes_payload, separation_json
    from modelduel.report_stats import route_statistics

    objective = cast(Objective, args.objective)
    success_score = float(args.success_score)
    if not 0 <= success_score <= MAX_SCORE:
        raise ModelduelError(f"--success-score takes a score from 0 to 5, not {success_score:g}")
    for out in (args.export, args.export_litellm):
        if out is not None:
            from modelduel.storage.export import refuse_to_overwrite_results

            refuse_to_overwrite_results(out, args.csv_files)
    loaded = load_route_table(
        args.csv_files, skip_bad_rows=args.skip_bad_rows, check_timestamp=args.by_week
    )
    stats = compute_table_stats(loaded.table, success_score)
    routes = choose_routes(stats, objective)
    weeks = _by_week(loaded.table, success_score, objective) if args.by_week else {}
    try:
        statistics = route_statistics(loaded.table.coded_runs(), stats, routes)
    except ValueError as exc:  # a bad `rank` cell: named by its duel
        raise ModelduelError(f"{', '.join(map(str, args.csv_files))}: {exc}") from None

    scored = sum(c.runs for c in stats)
    notes: list[str] = []
    unscored = len(loaded.table) - scored
    if unscored:
        notes.append(f"{plural(unscored, 'unscored run')} left out")
    simulated = simulated_note(loaded.table.simulated_rows())
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

    # the exports (and the provider registry, pydantic with it) only when one is asked for
    if args.export is not None:
        from modelduel.core.routing_export import routes_toml_text

        toml_text = routes_toml_text(
            routes,
            objective=objective,
            success_score=success_score,
            sources=loaded.files,
            simulated_note=simulated,
            separation=statistics[1],  # how sure: the route line's verdict
        )
        write_export(args.export, toml_text)
    if args.export_litellm is not None:
        from modelduel.core.routing_export import litellm_config

        text = litellm_config(
            routes, objective=objective, simulated_note=simulated, separation=statistics[1]
        )
        write_export(args.export_litellm, text)

    if args.json:
        payload = routes_payload(stats, routes)
        payload["preference"] = preference_json(statistics[0])
        payload["separation"] = separation_json(statistics[1])
        payload["judge_agreement"] = _judge_agreement_json(loaded)
        # as the exports do: a script reading the JSON must see simulated runs too
        payload["simulated"] = simulated is not None
        payload["simulated_note"] = simulated
        if not stats:
            payload["no_recommendation"] = NO_SCORED_RUNS
        if args.by_week:
            payload["weeks"] = {w: routes_payload(s, r) for w, (s, r) in weeks.items()}
        print(json.dumps(payload, indent=2))
        for note in [*([simulated] if simulated else []), *notes]:
            _stderr(note)
    else:
        console = _console()
        # the report carries the simulated warning itself, as it does in the TUI
        report = render_report(
            stats,
            routes,
            objective=objective,
            success_score=success_score,
            simulated=simulated,
            statistics=statistics,
        )
        for renderable in report:
            console.print(renderable)
        for renderable in week_tables(weeks, _week_separations(weeks)) if weeks else []:
            console.print(renderable)
        if loaded.judged:  # [judge] was on for some run: say whether to trust it
            from modelduel.core.judge_agreement import agreement_report
            from modelduel.core.routing_rows import judge_rows

            if (judge_table := agreement_report(judge_rows(loaded.files))) is not None:
                console.print(judge_table)
        for note in notes:
            console.print(f"note: {note}", style="dim", highlight=False)
        for path in (args.export, args.export_litellm):
            if path is not None:
                console.print(f"wrote {path}", style="dim")
    return 0 if stats else 1


# the command table's interface (`cli.COMMANDS`)
add_parser = add_route_parser
run = run_route
