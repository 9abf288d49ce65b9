"""Command-line options several commands share, declared once.

`-m/--model` with `--demo`, `--config`, `--theme` with `--themes`, `--attach`, and the duel
options `--effort` / `--max-output-tokens`: the duel screen (no command), `ask`, `run`, `score`,
`suite`, `check`, `models` and `simulate` take the same spellings,
destinations and help from here, so a fix to one is a fix to all. Only argparse and
pathlib are imported: the parser is built before any command runs.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from modelduel.argtypes import positive_int

__all__ = [
    "DUEL_EFFORTS",
    "add_attach_option",
    "add_config_option",
    "add_duel_options",
    "add_model_options",
    "add_theme_options",
    "keep_values_given_before_the_command",
]

DUEL_EFFORTS = ("low", "medium", "high", "max")
"""capabilities.DUEL_EFFORTS, spelled here so `--help` does not import pydantic (tested)."""


def add_attach_option(p: argparse.ArgumentParser) -> None:
    """`--attach PATH`, repeatable (into `args.attach`): files sent with the prompt."""
    p.add_argument(
        "--attach",
        action="append",
        type=Path,
        metavar="PATH",
        help="send a file with the prompt, repeatable: text is added under its name, "
        "PNG/JPEG/WebP/GIF images are sent as images",
    )


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


def add_duel_options(p: argparse.ArgumentParser, *, budget: bool = True) -> None:
    """`--effort` and (with `budget`) `--max-output-tokens`: what every model of a duel shares."""
    p.add_argument(
        "--effort",
        choices=DUEL_EFFORTS,
        help="one effort for every model, mapped onto each one's own words "
        "(per-model config wins; `modelduel models` shows the mapping)",
    )
    if budget:
        p.add_argument(
            "--max-output-tokens",
            type=positive_int,
            metavar="N",
            help="output budget of every model, reasoning included (default 64000; "
            "clamped to a model's own maximum)",
        )


def keep_values_given_before_the_command(
    sub: argparse._SubParsersAction[argparse.ArgumentParser], shared: set[str]
) -> None:
    """`modelduel --demo ask hi` must mean `modelduel ask hi --demo`.

    argparse writes a subparser's defaults over what the main parser already parsed, so an
    option given before the command would be silently reset. The main parser holds the
    defaults of the shared options; their subparser copies only set a value when given.
    """
    for subparser in sub.choices.values():
        for action in subparser._actions:
            if action.dest in shared:
                action.default = argparse.SUPPRESS
            elif isinstance(action, argparse._SubParsersAction):
                keep_values_given_before_the_command(action, shared)
