"""`modelduel score CSV` and `modelduel suite DIR`: the duel screen over recorded runs.

`score` opens runs a batch recorded (answers and figures from the CSV and its
transcript) for scoring, blind by default. `suite` steps through a task suite,
running each task on every model and resuming where the CSV left off.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from modelduel.errors import CsvError

if TYPE_CHECKING:
    from modelduel.tui.duelview import DuelView

__all__ = ["add_parser", "add_review_parsers", "run", "run_score", "run_suite"]


def _common(p: argparse.ArgumentParser) -> None:
    from modelduel.options import add_config_option, add_model_options, add_theme_options

    p.add_argument("--no-blind", action="store_true", help="show model names while scoring")
    add_theme_options(p)
    add_config_option(p)
    add_model_options(p)


def add_review_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """The `score` and `suite` subcommands."""
    score = sub.add_parser(
        "score",
        help="score recorded runs (e.g. from `modelduel run`) in the duel screen, blind",
        description="Open the runs of a results CSV in the duel screen for scoring.",
    )
    score.add_argument("csv", type=Path, help="the results CSV")
    _common(score)
    suite = sub.add_parser(
        "suite",
        help="step through a task suite in the duel screen (blind by default)",
        description="Send each task of SUITE to every model and score; resumes from the CSV.",
    )
    suite.add_argument("suite", type=Path, help="a folder of task files (e.g. tasks/starter)")
    suite.add_argument("--csv", type=Path, metavar="PATH", help="results CSV")
    _common(suite)


def run_score(args: argparse.Namespace) -> int:
    """Open the recorded runs for scoring."""
    from modelduel.tui.launch import run_tui
    from modelduel.tui.recorded import recorded_views

    if not args.csv.exists():
        raise CsvError(f"{args.csv}: no such file (record runs with `modelduel run`)")

    def views() -> tuple[DuelView, ...]:
        # read once the screen's checks have passed (the terminal first): reading
        # repairs a torn last row, which a refused start must not do
        found = recorded_views(args.csv, blind=not args.no_blind)
        if not found:
            raise CsvError(f"{args.csv}: no runs to score")
        return tuple(found)

    args.blind = not args.no_blind
    return run_tui(args, recorded=views)


def run_suite(args: argparse.Namespace) -> int:
    """Step through a suite; tasks already in the CSV are shown as recorded."""
    from modelduel.config import load_config
    from modelduel.tasks import load_suite
    from modelduel.tui.launch import run_tui
    from modelduel.tui.recorded import recorded_views

    tasks = load_suite(args.suite)
    if args.csv is None:
        args.csv = Path(load_config(args.config).csv_path)
    blind = not args.no_blind
    csv_path: Path = args.csv
    args.blind = blind
    return run_tui(
        args,
        recorded=lambda: tuple(recorded_views(csv_path, blind, {t.id for t in tasks})),
        tasks=tuple(tasks),
    )


# the command table's interface (`cli.COMMANDS`): this module holds `score` and `suite`
add_parser = add_review_parsers


def run(args: argparse.Namespace) -> int:
    """`score` or `suite`, by `args.command`."""
    return run_score(args) if args.command == "score" else run_suite(args)
