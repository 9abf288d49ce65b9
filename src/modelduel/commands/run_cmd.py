"""`modelduel run SUITE`: every task on every model, no TUI, rows written as runs end.

Runs go through the child-process worker, as in the TUI, so the progress display
never touches a timestamp. Scores stay empty; `modelduel score CSV` scores them.
"""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from modelduel.argtypes import non_negative_int, positive_float, positive_int
from modelduel.demo import demo_environment
from modelduel.errors import CsvError
from modelduel.options import (
    add_attach_option,
    add_config_option,
    add_duel_options,
    add_model_options,
)

if TYPE_CHECKING:
    from modelduel.attachments import Attachment
    from modelduel.config import Config, DuelSettings, ResolvedModel
    from modelduel.core.batch import BatchItem, Sent
    from modelduel.core.batch_rows import BatchRows
    from modelduel.events import Stamped
    from modelduel.tasks import Task

__all__ = ["add_parser", "add_run_parser", "run", "run_run"]

# Ctrl+C, `kill` and a closed terminal all stop the batch the same way: runs in flight are
# cancelled and saved as cancelled (text kept), so the same command resumes them.
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


@dataclass
class _Outcome:
    """How a batch went: counts of runs, the signal that stopped it, a save that failed."""

    failures: int = 0
    cancelled: int = 0
    completed: int = 0
    stopped_by: int | None = None
    save_error: str | None = None
    unsaved: int = 0  # runs whose row the CSV refused
    recovery: Path | None = None  # where those went instead
    recovery_errors: list[str] = field(default_factory=list)  # why the other places failed
    cells_lost: int = 0  # runs on disk whose checks' or judge's cells were refused
    checks_cancelled: int = 0  # runs whose checks were cut short or never started


def _stopped_by(signum: int) -> str:
    from modelduel.core.cancelreasons import stopped_by

    return stopped_by(signum)


def add_run_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """The `run` subcommand's arguments."""
    p = sub.add_parser(
        "run",
        help="run a task suite on every model without the TUI (resumable)",
        description="Run every task of SUITE on every model; rows land in --csv as runs end.",
    )
    p.add_argument("suite", type=Path, help="a folder of task files (e.g. tasks/starter)")
    add_model_options(p)
    p.add_argument(
        "--task",
        action="append",
        dest="task_ids",
        metavar="ID",
        help="only the task with this id (repeatable; default: every task of SUITE)",
    )
    p.add_argument(
        "--repeat", type=positive_int, default=1, metavar="N", help="runs per task and model"
    )
    p.add_argument(
        "--concurrency", type=positive_int, default=1, metavar="K", help="tasks in flight at once"
    )
    p.add_argument("--csv", type=Path, required=True, metavar="PATH", help="results CSV")
    add_attach_option(p)
    add_duel_options(p)
    p.add_argument(
        "--retries", type=non_negative_int, metavar="N", help="retry retryable failures N times"
    )
    p.add_argument("--timeout", type=positive_float, metavar="S", help="time limit per run")
    add_config_option(p)


def run_run(args: argparse.Namespace) -> int:
    """Run the batch; exit 0 when every run succeeded, 1 when any failed."""
    from modelduel.config import DuelSettings, load_config, resolve_model
    from modelduel.core.batch import DuelRecords, plan_batch
    from modelduel.core.routing import plural
    from modelduel.errors import ModelduelError
    from modelduel.storage import ensure_writable, read_rows, read_transcripts
    from modelduel.tasks import load_suite

    if args.repeat < 1 or args.concurrency < 1:
        raise ModelduelError("--repeat and --concurrency take a whole number of at least 1")
    config = load_config(args.config)
    tasks = _chosen(load_suite(args.suite), getattr(args, "task_ids", None), args.suite)
    ensure_writable(args.csv)
    specs = args.models or list(config.default_models)
    existing = read_rows(args.csv) if args.csv.exists() else []
    # a duel cut short is completed under its duel_id, if it was sent what its runs
    # would be sent now (prompt, effort, budget, attached files)
    duel = DuelSettings(getattr(args, "effort", None), args.max_output_tokens)
    now = _sent_now(tasks, args, config, duel)
    records = DuelRecords(existing, lambda: _transcripts(args.csv, read_transcripts), now)
    items = plan_batch([t.id for t in tasks], specs, args.repeat, existing, records)
    for item in items:  # one line per duel refused
        then = (
            "starting a new duel" if item.duel_id is None else f"completing {item.duel_id} instead"
        )
        for old, why in item.not_joined:
            task_id = tasks[item.task_index].id
            print(f"task {task_id}: not joining duel {old} ({why}); {then}", file=sys.stderr)
    # What the CSV's scored runs say about separating each route: the --repeat that
    # would settle it, before the batch so it can be stopped and rerun with it.
    from modelduel.core.power import repeat_hint_lines

    per_type = Counter(t.type for t in tasks)
    command = f"modelduel run {args.suite} --csv {args.csv}"
    for line in repeat_hint_lines(existing, per_type, args.repeat, command):
        print(f"not separated yet: {line}", file=sys.stderr)
    total = len(tasks) * len(specs) * args.repeat
    done_before = total - sum(len(i.specs) for i in items)
    if done_before:
        print(f"resuming: {done_before} of {plural(total)} already in {args.csv}", file=sys.stderr)
    if not items:
        print("nothing to do: every run is already in the CSV", file=sys.stderr)
        return 0
    with demo_environment(args.demo, config) as env:
        resolved = {s: resolve_model(s, config, env, duel) for s in specs}
        attached = _attachments(args, list(resolved.values()))
        outcome = asyncio.run(
            _run_items(items, tasks, resolved, args, config, env, total, attached)
        )
    failures, cancelled, finished = outcome.failures, outcome.cancelled, outcome.completed
    if outcome.save_error is not None:
        saved = finished + cancelled - outcome.unsaved
        # a moved CSV's error ends with its fix already ("put it back and run the same ...")
        said = "run the same command again" in outcome.save_error
        again = "" if said else " Fix it and run the same command again to resume."
        print(
            f"modelduel: stopped: {outcome.save_error}; {plural(outcome.unsaved)} not saved "
            f"({saved} saved){_recovered(outcome)}.{again}",
            file=sys.stderr,
        )
        return 2
    if outcome.stopped_by is not None or cancelled:
        signum = outcome.stopped_by or signal.SIGINT
        # checks cut short are no verdict: their rows have the run, not the checks
        checks = (
            f"; checks of {plural(outcome.checks_cancelled)} cancelled, no verdict recorded"
            if outcome.checks_cancelled
            else ""
        )
        print(
            f"stopped ({_stopped_by(signum)}): {done_before + finished} of {plural(total)} done "
            f"({failures} failed, {cancelled} cancelled and saved as cancelled{checks}); "
            f"run the same command again to resume. Results in {args.csv}",
            file=sys.stderr,
        )
        return 128 + signum
    print(f"{plural(finished)} done ({failures} failed); results in {args.csv}", file=sys.stderr)
    return 1 if failures else 0


def _recovered(outcome: _Outcome) -> str:
    """Where the runs the CSV refused went (the stop line's part after "N not saved")."""
    from modelduel.core.routing import plural

    lost = (
        f"; the checks' or judge's cells of {plural(outcome.cells_lost)} in the CSV were lost"
        if outcome.cells_lost
        else ""
    )
    if not outcome.unsaved:
        return lost
    if outcome.recovery is not None:
        them = "it is" if outcome.unsaved == 1 else f"the {outcome.unsaved} are"
        texts = "its text" if outcome.unsaved == 1 else "their texts"
        return f"; {them} in {outcome.recovery} instead, with {texts}{lost}"
    tried = "; ".join(outcome.recovery_errors)
    return f", and NOT saved anywhere: the recovery files failed too: {tried}{lost}"


def _transcripts(
    csv: Path, read: Callable[[Path], dict[str, dict[str, object]]]
) -> dict[str, dict[str, object]]:
    """The transcript records beside the CSV; none when it cannot be read (then no duel
    is known to have been sent the same prompt, and none is joined)."""
    try:
        return read(csv)
    except CsvError as exc:
        print(f"modelduel: {exc}; unfinished duels are run as new ones", file=sys.stderr)
        return {}


def _sent_now(
    tasks: list[Task], args: argparse.Namespace, config: Config, duel: DuelSettings
) -> Callable[[str, str], Sent | None]:
    """(task id, model) -> what that model's run of the task would be sent now, planned
    as the batch plans it (None: the model or its attachments cannot be resolved here;
    the batch reports that itself). Worked out only for the duels a resume may join."""
    from modelduel.config import resolve_model
    from modelduel.conversation_json import message_to_json
    from modelduel.core.batch import Sent, plain_first_message
    from modelduel.core.session import DuelState
    from modelduel.core.taskplan import plan_for_task, with_attachments
    from modelduel.errors import ModelduelError
    from modelduel.tasks import render_prompt

    by_id = {t.id: t for t in tasks}
    known: dict[tuple[str, str], Sent | None] = {}

    def sent(task_id: str, spec: str) -> Sent | None:
        if (task_id, spec) in known:
            return known[(task_id, spec)]
        task = by_id.get(task_id)
        out = None
        if task is not None:
            try:
                # what is sent does not depend on the environment (only where and how)
                model = resolve_model(spec, config, {}, duel)
                attached = _attachments(args, [model])
                state = DuelState.create([model], render_prompt(task), task.system)
                (plan,) = state.plans(max_output_tokens=task.max_output_tokens)
                plan = with_attachments(plan_for_task(plan, task), attached)
            except (ModelduelError, OSError, ValueError):
                out = None
            else:
                request = plan.request
                conv = request.conversation
                first = (
                    message_to_json(conv.messages[0])
                    if conv is not None and conv.messages
                    else plain_first_message(request.prompt)
                )
                out = Sent(
                    request.prompt,
                    request.system,
                    model.effort_word,
                    request.max_output_tokens,
                    first,
                )
        known[(task_id, spec)] = out
        return out

    return sent


def _attachments(args: argparse.Namespace, models: list[ResolvedModel]) -> list[Attachment]:
    """`--attach` files, loaded and checked against every model's protocol (before any run)."""
    from modelduel.attachment_limits import load_for_protocols
    from modelduel.attachments import AttachmentError
    from modelduel.errors import ModelduelError

    paths: list[Path] = getattr(args, "attach", None) or []
    try:
        return load_for_protocols(paths, [m.kind for m in models])
    except AttachmentError as exc:
        raise ModelduelError(str(exc)) from None


def _chosen(tasks: list[Task], wanted: list[str] | None, suite: Path) -> list[Task]:
    """The tasks `--task` names, in suite order; an id the suite lacks is a usage error.

    Raises:
        ModelduelError: naming the unknown id and the ids the suite has.
    """
    from modelduel.errors import ModelduelError

    if not wanted:
        return tasks
    ids = [t.id for t in tasks]
    for task_id in wanted:
        if task_id not in ids:
            raise ModelduelError(
                f"--task {task_id}: no task with this id in {suite} (its ids: {', '.join(ids)})"
            )
    return [t for t in tasks if t.id in wanted]


async def _run_items(
    items: list[BatchItem],
    tasks: list[Task],
    resolved: dict[str, ResolvedModel],
    args: argparse.Namespace,
    config: Config,
    env: dict[str, str],
    total: int,
    attached: list[Attachment] | None = None,
) -> _Outcome:
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    from modelduel.core.batch_rows import BatchRows
    from modelduel.core.cancelreasons import stop_reason
    from modelduel.core.checks import CheckRunner, ChecksCancelled, csv_columns, transcript_fields
    from modelduel.core.judge import judge_runner
    from modelduel.core.judge_input import judged_task
    from modelduel.core.routing import plural
    from modelduel.core.session import DuelState, RunSlot
    from modelduel.core.taskplan import plan_for_task, with_attachments
    from modelduel.core.worker import ChildDuelRunner
    from modelduel.tasks import render_prompt

    stopping = asyncio.Event()
    duels: dict[str, DuelState] = {}  # run id -> its duel, while the run is going
    checking: set[asyncio.Future[None]] = set()  # saved runs whose checks or judge run
    finished: dict[str, asyncio.Event] = {}  # duel id -> set when all its runs ended
    outcome = _Outcome()
    progress = Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        # stdout is for results (`modelduel run ... | tool`): progress is for the person
        console=Console(stderr=True),
        transient=False,
    )
    bar = progress.add_task("runs", total=total, completed=total - sum(len(i.specs) for i in items))

    def sink(run_id: str, stamped: Stamped) -> None:
        if judge is not None and judge.sink(run_id, stamped):
            return
        duel = duels.get(run_id)
        if duel is not None:
            duel.sink(run_id, stamped)

    by_id = {t.id: t for t in tasks}
    checker = CheckRunner()

    def save_failed(exc: CsvError) -> None:
        # A results file that cannot take rows (disk full, removed, read-only) stops
        # the batch: running on would pay for runs that cannot be kept. The runs it
        # refused go to a recovery file at the end (`rows.unsaved`).
        if outcome.save_error is None:
            outcome.save_error = str(exc)
            stop("the batch stopped: a run could not be saved to the CSV")

    rows = BatchRows(args.csv, save_failed)

    def save(duel: DuelState, slot: RunSlot, done: bool) -> bool:
        try:
            return rows.append(duel, slot)
        finally:
            if done:  # a cancelled run is saved to be resumed, not done: the bar skips it
                progress.advance(bar)
            if all(s.ended for s in duel.slots):
                finished[duel.duel_id].set()

    async def check_then_update(duel: DuelState, slot: RunSlot, task: Task) -> None:
        # Off the loop (threads waiting on child processes), each check time-limited.
        try:
            results = await checker.arun(task, slot.stats().text)
        except ChecksCancelled:  # the batch is stopping: cut short, no verdict
            outcome.checks_cancelled += 1
            return
        rows.add(duel, slot, csv_columns(results), transcript_fields(results))

    async def judge_then_update(duel: DuelState, slot: RunSlot, task: Task | None) -> None:
        # The judge's verdict is a suggestion beside the person's: it only adds its own
        # cells (a failed judge adds "judge failed: ..."), and its cost is not the run's.
        assert judge is not None
        stats = slot.stats()
        verdict = await judge.verdict(
            judged_task(task, duel), slot.model, stats.text, stats.conversation
        )
        rows.add(duel, slot, verdict.csv_columns(), {"judge": verdict.as_dict()})

    def on_ended(run_id: str) -> None:
        if judge is not None and judge.on_ended(run_id):
            return
        duel = duels.pop(run_id, None)
        if duel is None:
            return
        slot = duel.slot(run_id)
        assert slot is not None
        slot.ended = True
        error = slot.stats().error
        cancelled = error is not None and error.kind == "cancelled"
        if cancelled:
            outcome.cancelled += 1
        else:
            outcome.completed += 1
            outcome.failures += error is not None
        # The row lands now, checks or not: a run the screen counted is on disk before any
        # check starts; the checks' verdicts update that row when they finish.
        if not save(duel, slot, done=not cancelled):
            return
        task = by_id.get(duel.task_id)
        if error is None and task is not None and task.checks:
            if stopping.is_set():  # nothing new starts once the batch is stopping
                outcome.checks_cancelled += 1
            else:
                checking.add(asyncio.ensure_future(check_then_update(duel, slot, task)))
        if error is None and judge is not None and not stopping.is_set():
            checking.add(asyncio.ensure_future(judge_then_update(duel, slot, task)))

    def stop(reason: str) -> tuple[int, int]:
        # no new run, no new check; the checks running are killed (no verdict)
        stopping.set()
        child.abandon_start()  # a child still being made is killed: no duel starts
        child.cancel_all_nowait(reason)
        return checker.cancel()

    child = ChildDuelRunner(
        sink,
        retries=args.retries if args.retries is not None else config.retries,
        timeout_s=args.timeout if args.timeout is not None else config.timeout_s,
        stall_timeout_s=config.stall_timeout_s,
        connect_timeout_s=config.connect_timeout_s,
        env=env,
        on_run_ended=on_ended,
    )
    from modelduel.config import resolve_model

    judge = judge_runner(config.judge, lambda spec: resolve_model(spec, config, env), child.start)
    loop = asyncio.get_running_loop()

    def on_signal(signum: int) -> None:
        first = outcome.stopped_by is None and not stopping.is_set()
        outcome.stopped_by = outcome.stopped_by or signum
        runs = len(duels)  # the batch's runs in flight (a judge's are not among them)
        running, waiting = stop(stop_reason(signum))
        if first:  # said at once, above the bar: the stop is under way
            checks = running + waiting
            what = plural(runs)
            if checks:
                what += (
                    f" and the checks of {plural(checks)} ({running} running, {waiting} waiting)"
                )
            progress.console.print(
                f"stopping ({_stopped_by(signum)}): cancelling {what}…",
                markup=False,
                highlight=False,
                soft_wrap=True,  # one line, however narrow the terminal
            )

    # ours before the child is made: a ctrl+c while it starts stops the batch (no duel
    # starts), never cancels this task with the child half made
    for signum in STOP_SIGNALS:
        loop.add_signal_handler(signum, on_signal, signum)
    gate = asyncio.Semaphore(args.concurrency)

    async def one(item: BatchItem) -> None:
        async with gate:
            if stopping.is_set():
                return
            task = tasks[item.task_index]
            models = [resolved[s] for s in item.specs]
            duel = DuelState.create(
                models,
                render_prompt(task),
                task.system,
                task_id=task.id,
                task_type=task.type,
            )
            if item.duel_id is not None:
                # the rest of a duel cut short: its runs join it, in the panes they had
                duel.duel_id = item.duel_id
                for slot, pane in zip(duel.slots, item.panes, strict=True):
                    slot.pane = pane
            for slot in duel.slots:
                duels[slot.run_id] = duel
            finished[duel.duel_id] = asyncio.Event()
            plans = duel.plans(max_output_tokens=task.max_output_tokens)
            # tools, scripted [[turns]] and attachments of the task (plain tasks unchanged)
            # and the command line's --attach files, added to every task's first message
            await child.start(
                [with_attachments(plan_for_task(p, task), attached or []) for p in plans]
            )
            await finished[duel.duel_id].wait()
            del finished[duel.duel_id]

    try:
        await child.open()
        with progress:
            await asyncio.gather(*(one(item) for item in items))
    finally:
        # Checks still running add their verdicts before the batch ends, even on a signal;
        # the handlers stay until the child is closed, so a second ctrl+c here is handled
        # too (it only asks to stop, which is under way) instead of raising mid-cleanup.
        await asyncio.gather(*checking, return_exceptions=True)
        checker.close()
        await child.aclose()
        _recover(rows, outcome)  # still under the handlers: a ctrl+c cannot cut it short
        for signum in STOP_SIGNALS:
            loop.remove_signal_handler(signum)
    return outcome


def _recover(rows: BatchRows, outcome: _Outcome) -> None:
    """The runs the CSV refused, to a recovery file as the duel screen writes its own."""
    import time

    outcome.unsaved = len(rows.unsaved)
    outcome.cells_lost = len(rows.cells_lost)
    if not rows.unsaved:
        return
    try:
        here: Path | None = Path.cwd()
    except OSError:  # the current directory was removed
        here = None
    stamp = time.strftime("%Y%m%d-%H%M%S")
    outcome.recovery, outcome.recovery_errors = rows.save_recovery(stamp, here)


# the command table's interface (`cli.COMMANDS`)
add_parser = add_run_parser
run = run_run
