"""Command-line options several commands share, declared once.

`-m/--model` with `--demo`, `--config`, and `--theme` with `--themes`: the duel screen
(no command), `ask`, `run`, `score`, `suite` and `simulate` take the same spellings,
destinations and help from here, so a fix to one is a fix to all. Only argparse and
pathlib are imported: the parser is built before any command runs.
"""

from __future__ import annotations

import argparse
from pathlib import Path

__all__ = ["add_config_option", "add_model_options", "add_theme_options"]


def add_config_option(p: argparse.ArgumentParser) -> None:
    """`--config PATH` (into `args.config`)."""
    p.add_argument("--config", type=Path, metavar="PATH", help="config file (or MODELDUEL_CONFIG)")


def add_model_options(p: argparse.ArgumentParser) -> None:
    """`-m/--model SPEC`, repeatable (into `args.models`), and `--demo`."""
    p.add_argument(
        "-m",
        "--model",
        action="append",
        dest="models",
        metavar="SPEC",
        help="PROVIDER/MODEL_ID, repeatable (default: the config's lineup)",
    )
    p.add_argument(
        "--demo",
        action="store_true",
        help="use the built-in simulated providers (no keys needed)",
    )


def add_theme_options(p: argparse.ArgumentParser) -> None:
    """`--theme NAME` and `--themes DIR` (the duel screen's colours)."""
    p.add_argument("--theme", metavar="NAME", help="colour theme")
    p.add_argument("--themes", type=Path, metavar="DIR", help="extra theme directory")
