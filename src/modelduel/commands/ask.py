"""`modelduel ask`: one prompt to several models, a live view, a summary, JSON and CSV.

With `--json` the runs happen in this process (nothing renders, so nothing can delay
a timestamp). The live view runs them in the child-process worker so that drawing
the panes never shows up in the figures. Both feed the same `DuelState`.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import signal
import sys
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from modelduel.argtypes import non_negative_int, positive_float
from modelduel.demo import demo_environment
from modelduel.errors import CsvError, ModelduelError
from modelduel.options import (
    add_attach_option,
    add_config_option,
    add_duel_options,
    add_model_options,
)
from modelduel.prompt_input import argv_text, read_prompt

if TYPE_CHECKING:
    from modelduel.attachments import Attachment
    from modelduel.config import Config, ResolvedModel
    from modelduel.core.session import DuelState, RunSlot

__all__ = ["add_parser", "run", "run_ask"]

LIVE_FPS = 10
# The signals that end `ask` early: each cancels the runs, which are saved as cancelled
# (text kept), and then ends the command with 128 + the signal's number.
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


@dataclass
class _Outcome:
    """What happened to the runs beyond their own results: a stop signal, unsaved rows."""

    stopped_by: int | None = None
    unsaved: list[str] = field(default_factory=list)
    started: bool = False  # the runs were handed to a runner (a stop then cancels them)


def _stopped_by(signum: int) -> str:
    from modelduel.core.cancelreasons import stopped_by

    return stopped_by(signum)


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """The `ask` subcommand's arguments."""
    ask = sub.add_parser(
        "ask",
        help="send one prompt to several models at once and compare (headless)",
        description="Send one prompt to several models at once; live view, then a summary.",
    )
    ask.add_argument("prompt", help="the prompt, or - to read it from stdin")
    add_model_options(ask)
    ask.add_argument("--system", metavar="TEXT", help="system prompt (default: the config's)")
    add_attach_option(ask)
    add_duel_options(ask)
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
    add_config_option(ask)


def run_ask(args: argparse.Namespace) -> int:
    """Run `ask`; exit 0 when every model succeeded, 1 when any failed, 2 when a run
    could not be saved, 128 + N when signal N stopped it."""
    quiet = bool(getattr(args, "quiet", False))
    table_only = bool(getattr(args, "table_only", False))
    csv_path: Path | None = args.csv
    outcome = _Outcome()
    main = None
    try:
        from modelduel.config import load_config  # pydantic: long on a loaded machine
        from modelduel.core.session import DuelState

        prompt = read_prompt(args.prompt)
        system_arg = None if args.system is None else argv_text(args.system, "--system")
        config = load_config(args.config)
        if csv_path is not None:
            _check_writable(csv_path)
        specs = args.models or list(config.default_models)
        with demo_environment(args.demo, config) as env:
            models = [_resolve(spec, config, env, args) for spec in specs]
            attached = _attachments(args, models)
            system = system_arg if system_arg is not None else config.system_prompt
            duel = DuelState.create(models, prompt, system or None)
            live = not args.json and not quiet and sys.stdout.isatty()
            main = _run(duel, args, config, env, live, csv_path, outcome, attached)
            asyncio.run(main)
    except KeyboardInterrupt:
        # ctrl+c before `_run` took the signals over (the config's imports, the simulator
        # starting, asyncio.run's own handler): nothing was handed to a runner yet
        if main is not None:
            main.close()  # if it never started: no "coroutine was never awaited" warning
        outcome.stopped_by = outcome.stopped_by or signal.SIGINT
    if not outcome.started and outcome.stopped_by is not None:
        print(
            f"modelduel: stopped ({_stopped_by(outcome.stopped_by)}) before any model ran;"
            " nothing saved",
            file=sys.stderr,
        )
        return 128 + outcome.stopped_by
    try:
        _print_results(duel, args.json, quiet=quiet, table_only=table_only)
        for message in outcome.unsaved:
            print(f"modelduel: NOT saved: {message}", file=sys.stderr)
        if csv_path is not None and not args.json:
            from modelduel.core.routing import plural

            saved = len(duel.slots) - len(outcome.unsaved)
            print(f"saved {saved} of {plural(len(duel.slots))} to {csv_path}", file=sys.stderr)
    except OSError as exc:
        # The terminal or pipe went away (a closed terminal, a reader that quit): the rows
        # are saved already, and there is no one left to show the answers to.
        from modelduel.brokenpipe import EXIT_STATUS, point_at_devnull

        point_at_devnull(sys.stdout)
        point_at_devnull(sys.stderr)
        if isinstance(exc, BrokenPipeError) and outcome.stopped_by is None:
            return EXIT_STATUS  # as every command whose reader quit early (`| head`)
    if outcome.stopped_by is not None:
        return 128 + outcome.stopped_by
    if outcome.unsaved:
        return 2
    return 1 if any(slot.stats().error is not None for slot in duel.slots) else 0


def _print_results(duel: DuelState, as_json: bool, *, quiet: bool, table_only: bool) -> None:
    if as_json:
        from modelduel.core.records import run_json

        for slot in duel.slots:
            sys.stdout.write(json.dumps(run_json(duel, slot), ensure_ascii=False) + "\n")
        sys.stdout.flush()
        return
    from rich.console import Console

    from modelduel.ask_view import answers, summary_table
    from modelduel.display import error_message

    class _Console(Console):
        def on_broken_pipe(self) -> None:
            # rich exits with status 1 here, which for `ask` means "a model failed"; the
            # caller treats a reader that went away like any other lost output instead
            self.quiet = True
            raise BrokenPipeError

    terminal = sys.stdout.isatty()
    # piped output is not cut to 80 columns: a log should keep whole model names
    console = _Console(width=None if terminal else 160, highlight=False)
    if not table_only:
        for renderable in answers(duel, terminal=terminal):
            console.print(renderable, soft_wrap=True)
    if not quiet:
        console.print(summary_table(duel, console.width if terminal else None))
    console.file.flush()
    for slot in duel.slots:
        stats = slot.stats()
        for notice in stats.notices:
            print(f"{slot.model.spec}: {notice}", file=sys.stderr)
        if stats.error is not None:
            print(f"{slot.model.spec}: {error_message(stats.error)}", file=sys.stderr)


def _check_writable(path: Path) -> None:
    """Fail before any model runs, not after, when results could not be saved."""
    from modelduel.storage import ensure_writable

    ensure_writable(path)


def _attachments(args: argparse.Namespace, models: list[ResolvedModel]) -> list[Attachment]:
    """`--attach` files, loaded and checked against every model's protocol (before any run)."""
    from modelduel.attachment_limits import load_for_protocols
    from modelduel.attachments import AttachmentError

    paths: list[Path] = getattr(args, "attach", None) or []
    try:
        return load_for_protocols(paths, [m.kind for m in models])
    except AttachmentError as exc:
        raise ModelduelError(str(exc)) from None


def _resolve(
    spec: str, config: Config, env: dict[str, str], args: argparse.Namespace
) -> ResolvedModel:
    from modelduel.config import DuelSettings, resolve_model

    duel = DuelSettings(args.effort, args.max_output_tokens)
    return resolve_model(spec, config, env, duel)


async def _run(
    duel: DuelState,
    args: argparse.Namespace,
    config: Config,
    env: dict[str, str],
    live: bool,
    csv_path: Path | None,
    outcome: _Outcome,
    attached: list[Attachment] | None = None,
) -> None:
    from modelduel.core.cancelreasons import CancelReasons, stop_reason
    from modelduel.core.duel import ClientPool, DuelRunner
    from modelduel.core.taskplan import with_attachments
    from modelduel.core.worker import ChildDuelRunner
    from modelduel.providers.http import Timeouts

    retries = args.retries if args.retries is not None else config.retries
    timeout_s = args.timeout if args.timeout is not None else config.timeout_s
    plans = duel.plans(max_output_tokens=args.max_output_tokens)
    plans = [with_attachments(p, attached or []) for p in plans]
    loop = asyncio.get_running_loop()

    def on_ended(run_id: str) -> None:
        slot = duel.slot(run_id)
        if slot is None or slot.ended:
            return
        slot.ended = True
        if csv_path is None:
            return
        try:
            _save(duel, slot, csv_path)
        except CsvError as exc:  # disk full, file removed: the other runs carry on
            outcome.unsaved.append(f"{slot.model.spec} run {slot.run_id}: {exc}")

    def install(cancel: Callable[[str], None]) -> None:
        def stop(signum: int) -> None:
            outcome.stopped_by = outcome.stopped_by or signum
            cancel(stop_reason(signum))  # the rows say which signal, not "by the user"

        for signum in STOP_SIGNALS:
            loop.add_signal_handler(signum, stop, signum)

    def uninstall() -> None:
        for signum in STOP_SIGNALS:
            loop.remove_signal_handler(signum)

    if live:
        child = ChildDuelRunner(
            duel.sink,
            retries=retries,
            timeout_s=timeout_s,
            stall_timeout_s=config.stall_timeout_s,
            connect_timeout_s=config.connect_timeout_s,
            env=env,
            on_run_ended=on_ended,
        )

        def stop_child(reason: str) -> None:
            if outcome.started:
                child.cancel_all_nowait(reason)
            else:  # still starting: the child being made is killed, no run starts
                child.abandon_start()

        # The signals are ours before the child is made and until it is gone: a ctrl+c
        # at any point of its start (or of its stop) stops `ask` cleanly, never cancels
        # this task with the child half made (asyncio.run's default handler does that).
        install(stop_child)
        try:
            await child.open()
            if outcome.stopped_by is None:  # (a child that failed to start: start() ends
                outcome.started = True  # each run saying why)
                await child.start(plans)
                await _live(duel, child.wait())
        finally:
            try:
                await child.aclose()
            finally:
                uninstall()
        return
    pool = ClientPool(Timeouts(connect=config.connect_timeout_s))
    reasons = CancelReasons()
    runner = DuelRunner(
        lambda run_id, stamped: duel.sink(run_id, reasons.apply(run_id, stamped)),
        pool,
        retries=retries,
        timeout_s=timeout_s,
        stall_timeout_s=config.stall_timeout_s,
    )

    def cancel_all(reason: str) -> None:
        reasons.mark(runner.active, reason)
        runner.cancel_all()

    install(cancel_all)
    try:
        outcome.started = True
        tasks = runner.start(plans)
        for task in tasks:
            # each task is named after its run id
            task.add_done_callback(lambda t: on_ended(t.get_name()))
        await asyncio.gather(*tasks)
    finally:
        try:
            await pool.aclose()  # a ctrl+c meanwhile is still ours, not a KeyboardInterrupt
        finally:
            uninstall()


async def _live(duel: DuelState, done: Awaitable[None]) -> None:
    from rich.console import Console
    from rich.live import Live

    from modelduel.ask_view import live_view

    console = Console()
    waiter = asyncio.ensure_future(done)
    with Live(
        live_view(duel, time.monotonic_ns()), console=console, auto_refresh=False, transient=True
    ) as view:
        while not waiter.done():
            view.update(live_view(duel, time.monotonic_ns()), refresh=True)
            await asyncio.wait([waiter], timeout=1 / LIVE_FPS)
        view.update(live_view(duel, time.monotonic_ns()), refresh=True)
    await waiter


def _save(duel: DuelState, slot: RunSlot, csv_path: Path) -> None:
    from modelduel.core.records import csv_row, transcript_record
    from modelduel.storage import append_run

    append_run(csv_path, csv_row(duel, slot), transcript_record(duel, slot))


run = run_ask  # the command table's interface (`cli.COMMANDS`)
