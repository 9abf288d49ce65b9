"""The command line: `modelduel [ask|config|simulate|...]`.

Every user mistake ends as one line on stderr and exit status 2, never a traceback.
Heavy imports (textual, httpx, the simulator, price data) happen inside the
commands that need them, so `modelduel --help` stays instant.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import sys
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, NoReturn

from modelduel import __version__
from modelduel.errors import ModelduelError
from modelduel.options import (
    DUEL_EFFORTS,
    add_config_option,
    add_duel_options,
    add_model_options,
    add_theme_options,
    keep_values_given_before_the_command,
)

if TYPE_CHECKING:
    from _typeshed import SupportsWrite

__all__ = ["COMMANDS", "DUEL_EFFORTS", "build_parser", "main", "parse_command_line"]


# The command table: each command's name -> the module that implements it. A command
# module exposes `add_parser(sub)` (its subparser(s), built with the shared helpers of
# `modelduel.options`) and `run(args) -> exit status`; it imports its heavy dependencies
# inside `run`, so building the parser stays instant. A module may hold two commands
# (`review`: score and suite); its `run` tells them apart by `args.command`.
# To add a command: write its module, then add ONE line below (the order is --help's).
COMMANDS: dict[str, str] = {
    "ask": "modelduel.commands.ask",
    "config": "modelduel.commands.config_cmd",
    "run": "modelduel.commands.run_cmd",
    "score": "modelduel.commands.review",
    "suite": "modelduel.commands.review",
    "route": "modelduel.commands.route",
    "export": "modelduel.commands.export",
    "check": "modelduel.commands.check",
    "models": "modelduel.commands.models",
    "simulate": "modelduel.commands.simulate",
    # new commands go here
}
DEFAULT_COMMAND = "modelduel.commands.tui_cmd"
"""What runs with no command: the duel screen (its options are the top-level ones)."""


def _command_module(name: str) -> ModuleType:
    return importlib.import_module(COMMANDS.get(name, DEFAULT_COMMAND))


class _Parser(argparse.ArgumentParser):
    """argparse's parser, except that a help or version text its reader never got fails.

    argparse swallows an OSError of writing `--help` (exit 0 with nothing read) or leaves
    the text buffered for the interpreter's last flush (exit 120, "Exception ignored" on
    stderr): written and flushed here, a reader gone (`modelduel --help | true`) is the
    BrokenPipeError main() turns into exit 141, as for every command. Subparsers (and
    theirs) are of this class too: argparse builds them with the parent's class.
    """

    def _print_message(self, message: str, file: SupportsWrite[str] | None = None) -> None:
        if message:
            stream = file or sys.stderr
            stream.write(message)
            flush = getattr(stream, "flush", None)
            if flush is not None:
                flush()


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The argument parser of every command, or (`command`) of that one command only.

    A command's own parser (`modelduel route ...`) imports only its module; its help, its
    namespace and its errors are those of the full parser (tests/test_cli_lazy.py).
    """
    parser: argparse.ArgumentParser = _Parser(
        prog="modelduel",
        description="Duel frontier models side by side: truthful latency, tokens and cost.",
    )
    _add_top_level_options(parser)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    modules = [COMMANDS[command]] if command in COMMANDS else COMMANDS.values()
    for module in dict.fromkeys(modules):  # each module once, in table order
        importlib.import_module(module).add_parser(sub)
    shared = {a.dest for a in parser._actions} - {"help", "version", "command"}
    keep_values_given_before_the_command(sub, shared)
    return parser


def _add_top_level_options(parser: argparse.ArgumentParser) -> None:
    """The options given before any command: the duel screen's (no command) and `--version`."""
    parser.add_argument("--version", action="version", version=f"modelduel {__version__}")
    # With no command, modelduel opens the duel screen (the TUI); these are its options.
    add_model_options(parser)
    parser.add_argument(
        "--csv",
        type=Path,
        metavar="PATH",
        help="results CSV (default: modelduel-results.csv in the current directory)",
    )
    parser.add_argument("--blind", action="store_true", help="hide model names until scored")
    add_theme_options(parser)
    add_duel_options(parser)
    add_config_option(parser)


class _LaunchParser(_Parser):
    """The top-level options only; a mistake is left to the full parser to word."""

    def error(self, message: str) -> NoReturn:
        raise LookupError(message)


def parse_command_line(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """`argv` (default sys.argv) parsed; the default launch builds no command's parser.

    Every command's subparser means importing every command module: the duel screen (no
    command) needs only the top-level options, so those are parsed first, and a command
    named after them gets a parser of that command only (its module alone is imported).
    `--help` before any command, an unknown command or a mistake in the top-level options
    goes to the full `build_parser()`: same namespace, help and errors.
    """
    given = list(sys.argv[1:] if argv is None else argv)
    quick = _LaunchParser(prog="modelduel", add_help=False)
    _add_top_level_options(quick)
    quick.add_argument("after_the_options", nargs=argparse.REMAINDER)
    with contextlib.suppress(LookupError):
        args = quick.parse_args(given)
        rest = args.after_the_options
        if not rest and not {"-h", "--help"} & set(given):  # no command named
            del args.after_the_options
            args.command = None
            return args
        if rest and rest[0] in COMMANDS:
            return build_parser(rest[0]).parse_args(given)
    return build_parser().parse_args(given)


def main(argv: Sequence[str] | None = None) -> None:
    """Run modelduel with `argv` (default sys.argv) and exit with its status."""
    try:
        args = parse_command_line(argv)
        from modelduel.storage.lock import POSIX_ONLY, platform_supported
    except BrokenPipeError as exc:  # `--help | true`: as a command's output would end
        from modelduel import brokenpipe

        sys.exit(brokenpipe.quiet_exit(exc))
    except KeyboardInterrupt:  # ctrl+c while the command's modules import: one line
        print("modelduel: stopped (ctrl+c) before it started; nothing saved", file=sys.stderr)
        sys.exit(130)
    if not platform_supported():  # said at start-up, not at the first save
        print(f"modelduel: {POSIX_ONLY}", file=sys.stderr)
        sys.exit(2)
    try:
        code = _dispatch(args)
    except ModelduelError as exc:
        print(f"modelduel: {exc}", file=sys.stderr)
        code = exc.exit_code
    except KeyboardInterrupt:
        code = 130
    except (BrokenPipeError, SystemExit) as exc:
        from modelduel import brokenpipe  # a reader that quit early (`| head`): 141, silent

        code = brokenpipe.quiet_exit(exc)
    sys.exit(code)


def _dispatch(args: argparse.Namespace) -> int:
    code: int = _command_module(args.command or "").run(args)
    return code
