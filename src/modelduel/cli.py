"""The command line: `modelduel [ask|config|simulate|...]`.

Every user mistake ends as one line on stderr and exit status 2, never a traceback.
Heavy imports (textual, httpx, the simulator, price data) happen inside the
commands that need them, so `modelduel --help` stays instant.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from modelduel import __version__
from modelduel.argtypes import non_negative_int, positive_float, positive_int
from modelduel.errors import ModelduelError

__all__ = ["DUEL_EFFORTS", "build_parser", "main"]

DUEL_EFFORTS = ("low", "medium", "high", "max")
"""capabilities.DUEL_EFFORTS, spelled here so `--help` does not import pydantic (tested)."""


def _add_common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--config", type=Path, metavar="PATH", help="config file (or MODELDUEL_CONFIG)")


def _add_models(p: argparse.ArgumentParser) -> None:
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


def _add_duel_options(p: argparse.ArgumentParser, *, budget: bool = True) -> None:
    """`--effort` and `--max-output-tokens`: what every model of a duel shares."""
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


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of every command."""
    parser = argparse.ArgumentParser(
        prog="modelduel",
        description="Duel frontier models side by side: truthful latency, tokens and cost.",
    )
    parser.add_argument("--version", action="version", version=f"modelduel {__version__}")
    # With no command, modelduel opens the duel screen (the TUI); these are its options.
    _add_models(parser)
    parser.add_argument(
        "--csv",
        type=Path,
        metavar="PATH",
        help="results CSV (default: modelduel-results.csv in the current directory)",
    )
    parser.add_argument("--blind", action="store_true", help="hide model names until scored")
    parser.add_argument("--theme", metavar="NAME", help="colour theme")
    parser.add_argument("--themes", type=Path, metavar="DIR", help="extra theme directory")
    _add_duel_options(parser)
    _add_common(parser)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    ask = sub.add_parser(
        "ask",
        help="send one prompt to several models at once and compare (headless)",
        description="Send one prompt to several models at once; live view, then a summary.",
    )
    ask.add_argument("prompt", help="the prompt, or - to read it from stdin")
    _add_models(ask)
    ask.add_argument("--system", metavar="TEXT", help="system prompt (default: the config's)")
    _add_duel_options(ask)
    ask.add_argument("--json", action="store_true", help="one JSON object per model on stdout")
    ask.add_argument("-q", "--quiet", action="store_true", help="only the answers, no table")
    ask.add_argument("--table-only", action="store_true", help="only the table, no answers")
    ask.add_argument("--csv", type=Path, metavar="PATH", help="append one row per run to PATH")
    ask.add_argument(
        "--retries", type=non_negative_int, metavar="N", help="retry retryable failures N times"
    )
    ask.add_argument(
        "--timeout", type=positive_float, metavar="S", help="overall time limit per run"
    )
    _add_common(ask)

    config = sub.add_parser("config", help="write or show the configuration")
    config_sub = config.add_subparsers(dest="config_command", metavar="ACTION", required=True)
    init = config_sub.add_parser("init", help="write a starting config file")
    init.add_argument("--force", action="store_true", help="overwrite an existing file")
    _add_common(init)
    show = config_sub.add_parser("show", help="print the effective config (keys masked)")
    _add_common(show)

    from modelduel.commands.export import add_export_parser
    from modelduel.commands.review import add_review_parsers
    from modelduel.commands.route import add_route_parser
    from modelduel.commands.run_cmd import add_run_parser

    add_run_parser(sub)
    _add_duel_options(sub.choices["run"], budget=False)
    add_review_parsers(sub)
    add_route_parser(sub)
    add_export_parser(sub)

    sim = sub.add_parser(
        "simulate",
        help="run the provider simulator on loopback",
        description="Serve simulated OpenAI, Anthropic and Gemini APIs on 127.0.0.1 "
        "(no keys needed); prints the base URLs and variables to point a client at it.",
    )
    sim.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    sim.add_argument("--port", type=int, default=0, help="port (default: a free one)")
    sim.add_argument("--seed", type=int, default=0, help="seed for answers and timing")
    _add_common(sim)

    check = sub.add_parser(
        "check",
        help="one tiny real request per model: is each one ready?",
        description="Send each model one minimal request (a one-token answer) and report "
        "key, endpoint, model, reasoning summaries and rate-limit headroom, with the fix "
        "for anything that fails. Exit 0 only when every model is ready.",
    )
    _add_models(check)
    _add_common(check)

    models = sub.add_parser(
        "models",
        help="what modelduel knows about model families, and what it would send",
        description="List the capability data (id patterns, thinking, efforts, limits, "
        "price source); with -m, which family each model matched and the request body.",
    )
    models.add_argument(
        "-m", "--model", action="append", dest="models", metavar="SPEC", help="explain a model"
    )
    _add_duel_options(models)
    _add_common(models)
    return parser


def main(argv: Sequence[str] | None = None) -> None:
    """Run modelduel with `argv` (default sys.argv) and exit with its status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    from modelduel.storage.lock import POSIX_ONLY, platform_supported

    if not platform_supported():  # said at start-up, not at the first save
        print(f"modelduel: {POSIX_ONLY}", file=sys.stderr)
        sys.exit(2)
    try:
        code = _dispatch(parser, args)
    except ModelduelError as exc:
        print(f"modelduel: {exc}", file=sys.stderr)
        code = exc.exit_code
    except KeyboardInterrupt:
        code = 130
    sys.exit(code)


def _dispatch(parser: argparse.ArgumentParser, args: argparse.Namespace) -> int:
    if args.command == "ask":
        from modelduel.commands.ask import run_ask

        return run_ask(args)
    if args.command == "config":
        from modelduel.commands.config_cmd import run_config

        return run_config(args)
    if args.command == "run":
        from modelduel.commands.run_cmd import run_run

        return run_run(args)
    if args.command == "score":
        from modelduel.commands.review import run_score

        return run_score(args)
    if args.command == "suite":
        from modelduel.commands.review import run_suite

        return run_suite(args)
    if args.command == "route":
        from modelduel.commands.route import run_route

        return run_route(args)
    if args.command == "export":
        from modelduel.commands.export import run_export

        return run_export(args)
    if args.command == "check":
        from modelduel.commands.check import run_check

        return run_check(args)
    if args.command == "models":
        from modelduel.commands.models import run_models

        return run_models(args)
    if args.command == "simulate":
        from modelduel.commands.simulate import run_simulate

        return run_simulate(args)
    from modelduel.commands.tui_cmd import run_tui

    return run_tui(args)
