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
from collections.abc import Awaitable
from pathlib import Path
from typing import TYPE_CHECKING

from modelduel.demo import demo_environment
from modelduel.errors import ModelduelError

if TYPE_CHECKING:
    from modelduel.config import Config, ResolvedModel
    from modelduel.core.session import DuelState, RunSlot

__all__ = ["run_ask"]

LIVE_FPS = 10


def run_ask(args: argparse.Namespace) -> int:
    """Run `ask`; exit status 0 when every model succeeded, 1 when any failed."""
    from modelduel.config import load_config
    from modelduel.core.session import DuelState

    prompt = _read_prompt(args.prompt)
    config = load_config(args.config)
    csv_path: Path | None = args.csv
    if csv_path is not None:
        _check_writable(csv_path)
    specs = args.models or list(config.default_models)
    with demo_environment(args.demo, config) as env:
        models = [_resolve(spec, config, env, args) for spec in specs]
        system = args.system if args.system is not None else config.system_prompt
        duel = DuelState.create(models, prompt, system or None)
        live = not args.json and sys.stdout.isatty()
        asyncio.run(_run(duel, args, config, env, live, csv_path))
    if args.json:
        from modelduel.core.records import run_json

        for slot in duel.slots:
            sys.stdout.write(json.dumps(run_json(slot), ensure_ascii=False) + "\n")
    else:
        from rich.console import Console

        from modelduel.ask_view import summary_table

        # piped output is not cut to 80 columns: a log should keep whole model names
        Console(width=None if sys.stdout.isatty() else 160).print(summary_table(duel))
        for slot in duel.slots:
            stats = slot.stats()
            for notice in stats.notices:
                print(f"{slot.model.spec}: {notice}", file=sys.stderr)
            if stats.error is not None:
                print(f"{slot.model.spec}: {stats.error.message}", file=sys.stderr)
    if csv_path is not None and not args.json:
        print(f"saved {len(duel.slots)} runs to {csv_path}", file=sys.stderr)
    return 1 if any(slot.stats().error is not None for slot in duel.slots) else 0


def _read_prompt(arg: str) -> str:
    prompt = sys.stdin.read() if arg == "-" else arg
    if not prompt.strip():
        raise ModelduelError("the prompt is empty: pass it as an argument, or - to read stdin")
    return prompt


def _check_writable(path: Path) -> None:
    """Fail before any model runs, not after, when results could not be saved."""
    from modelduel.storage import ensure_writable

    ensure_writable(path)


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
) -> None:
    from modelduel.core.duel import ClientPool, DuelRunner
    from modelduel.core.worker import ChildDuelRunner
    from modelduel.providers.http import Timeouts

    retries = args.retries if args.retries is not None else config.retries
    timeout_s = args.timeout if args.timeout is not None else config.timeout_s
    plans = duel.plans(max_output_tokens=args.max_output_tokens)
    loop = asyncio.get_running_loop()

    def on_ended(run_id: str) -> None:
        slot = duel.slot(run_id)
        if slot is not None:
            slot.ended = True
            if csv_path is not None:
                _save(duel, slot, csv_path)

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
        await child.open()
        loop.add_signal_handler(signal.SIGINT, child.cancel_all_nowait)
        try:
            await child.start(plans)
            await _live(duel, child.wait())
        finally:
            loop.remove_signal_handler(signal.SIGINT)
            await child.aclose()
        return
    pool = ClientPool(Timeouts(connect=config.connect_timeout_s))
    runner = DuelRunner(
        duel.sink,
        pool,
        retries=retries,
        timeout_s=timeout_s,
        stall_timeout_s=config.stall_timeout_s,
    )
    loop.add_signal_handler(signal.SIGINT, runner.cancel_all)
    try:
        tasks = runner.start(plans)
        for task in tasks:
            # each task is named after its run id
            task.add_done_callback(lambda t: on_ended(t.get_name()))
        await asyncio.gather(*tasks)
    finally:
        loop.remove_signal_handler(signal.SIGINT)
        await pool.aclose()


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
