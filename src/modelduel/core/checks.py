"""Automatic checks of a finished answer: run them, and turn them into rubric suggestions.

The API a screen or a batch needs, and nothing of either:

* `run_checks(task, answer)` -> one `CheckResult` per `[[checks]]` entry, in task order
  (blocking: text checks run in one child process with a time limit, `python_tests` in
  the sandbox of `core.sandbox`); nothing runs in the caller's process.
* `CheckRunner` runs it off the caller's thread: `submit()` gives a Future, `arun()` an
  awaitable, for an event loop that must not block; `cancel()` (a batch stopping) starts
  no check any more and kills the running ones, whose callers get `ChecksCancelled`.
* `suggest_parts(results)` -> the rubric parts the checks suggest (`format: auto ✓`),
  for the person to accept with one key or override; `summary(results)` -> the pane's
  line (`✓ schema  ✗ tests 3/5`); `csv_columns` / `transcript_fields` -> what a run's
  CSV row and transcript record get.

The suggestion rule and the pane's line live in `core.check_suggest` (light: reopened
runs use them without loading what runs checks); they are re-exported here.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import json
import subprocess
import sys
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from modelduel.checkspec import Check, JsonSchemaCheck, PythonTestsCheck
from modelduel.core.check_pytest import run_python_tests
from modelduel.core.check_result import CheckResult, CheckStatus, failed_to_run
from modelduel.core.check_stop import ChecksCancelled, CheckStop
from modelduel.core.check_suggest import PartSuggestion, suggest_parts, summary
from modelduel.core.sandbox import Isolation
from modelduel.tasks import Task

__all__ = [
    "TEXT_CHECKS_TIMEOUT_S",
    "CheckResult",
    "CheckRunner",
    "CheckStatus",
    "ChecksCancelled",
    "PartSuggestion",
    "csv_columns",
    "run_checks",
    "suggest_parts",
    "summary",
    "transcript_fields",
]

TEXT_CHECKS_TIMEOUT_S = 20.0
"""Time limit for all text checks of one answer together (they take milliseconds)."""


def _dump(check: Check) -> dict[str, Any]:
    data = check.model_dump(by_alias=True)
    if isinstance(check, JsonSchemaCheck):
        data.pop("schema_file", None)  # already inlined by resolve_checks
    return data


def _run_text_checks(
    checks: Sequence[Check], answer: str, timeout_s: float, python: str, stop: CheckStop
) -> list[CheckResult]:
    """The text checks in a child process; those it did not finish are errors.

    Raises:
        ChecksCancelled: `stop` was cancelled before or while the child ran.
    """
    request = json.dumps({"checks": [_dump(c) for c in checks], "answer": answer})
    package_root = str(Path(__file__).resolve().parents[2])
    reason = ""
    try:
        proc = stop.popen(
            [python, "-m", "modelduel.core.check_eval"],
            # its own group: a terminal's ctrl+c stops the batch, which cancels the
            # checks; it killing the checker first would read as "failed to run"
            group=True,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            # No answer code runs here, but the user's environment has no business here
            # either; PYTHONPATH only so a source checkout finds the package.
            env={"PYTHONPATH": package_root, "PYTHONUTF8": "1", "PYTHONDONTWRITEBYTECODE": "1"},
        )
    except OSError as exc:
        return [failed_to_run(c, f"cannot start the checker ({exc})") for c in checks]
    try:
        out, err = proc.communicate(request.encode("utf-8"), timeout=timeout_s)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
        reason = f"timed out after {timeout_s:g} s"
    finally:
        stop.ended(proc)  # raises when a cancel killed it: no verdict
    results: list[CheckResult] = []
    for line in out.decode("utf-8", "replace").splitlines():
        try:
            results.append(CheckResult.from_dict(json.loads(line)))
        except (ValueError, KeyError, TypeError):
            break
    if not reason:
        tail = err.decode("utf-8", "replace").strip().splitlines()[-1:] or ["no output"]
        reason = f"the checker exited with code {proc.returncode}: {tail[0][:200]}"
    done = {r.name for r in results}
    by_name = {r.name: r for r in results}
    return [by_name[c.name] if c.name in done else failed_to_run(c, reason) for c in checks]


def run_checks(
    task: Task,
    answer: str,
    *,
    text_timeout_s: float = TEXT_CHECKS_TIMEOUT_S,
    python: str | None = None,
    isolation: Isolation | None = None,
    stop: CheckStop | None = None,
) -> list[CheckResult]:
    """Every check of `task` on a finished answer, in the task's order (blocking).

    Args:
        task: a loaded task (its checks validated and resolved).
        answer: the answer's full text.
        text_timeout_s: time limit for the text checks together.
        python: the interpreter for the child processes (default: this one).
        isolation: force the sandbox's network isolation (tests).
        stop: cancels the checks: none starts after it, a running one is killed.

    Returns:
        One result per check; a check that crashed or timed out has status "error".

    Raises:
        ChecksCancelled: `stop` was cancelled before all had run (no partial verdict).
    """
    python = python or sys.executable
    stop = stop or CheckStop()
    stop.check()
    text = [c for c in task.checks if not isinstance(c, PythonTestsCheck)]
    results: dict[str, CheckResult] = {}
    if text:
        checked = _run_text_checks(text, answer, text_timeout_s, python, stop)
        results.update((r.name, r) for r in checked)
    for check in task.checks:
        if isinstance(check, PythonTestsCheck):
            stop.check()
            results[check.name] = run_python_tests(
                task.path.parent, check, answer, python=python, isolation=isolation, stop=stop
            )
    return [results[c.name] for c in task.checks]


class CheckRunner:
    """Runs checks on worker threads, so an event loop or a UI never waits for them.

    The threads only wait on child processes, so two of them are plenty.
    """

    def __init__(self, max_workers: int = 2) -> None:
        self._pool = concurrent.futures.ThreadPoolExecutor(
            max_workers=max_workers, thread_name_prefix="modelduel-checks"
        )
        self._stop = CheckStop()
        self._lock = threading.Lock()
        self._waiting = 0  # submitted, not started
        self._running = 0

    def submit(self, task: Task, answer: str) -> concurrent.futures.Future[list[CheckResult]]:
        """Start checking an answer; the Future holds `run_checks`'s result (after
        `cancel()`, or cancelled while it ran: it raises `ChecksCancelled`)."""

        def job() -> list[CheckResult]:
            with self._lock:
                self._waiting -= 1
                self._running += 1
            try:
                return run_checks(task, answer, stop=self._stop)
            finally:
                with self._lock:
                    self._running -= 1

        with self._lock:
            self._waiting += 1
        return self._pool.submit(job)

    def cancel(self) -> tuple[int, int]:
        """No check starts any more (those waiting raise `ChecksCancelled` at once) and
        the running ones are killed (they raise it too): nothing cut short is a verdict.

        Returns:
            (answers whose checks were running, answers whose checks had not started).
        """
        with self._lock:
            running, waiting = self._running, self._waiting
        self._stop.cancel()
        return running, waiting

    async def arun(self, task: Task, answer: str) -> list[CheckResult]:
        """Check an answer without blocking the running event loop."""
        return await asyncio.wrap_future(self.submit(task, answer))

    def close(self) -> None:
        """Wait for running checks (each has a time limit) and stop the threads."""
        self._pool.shutdown(wait=True)


def csv_columns(results: Sequence[CheckResult]) -> dict[str, int | None]:
    """`checks_passed` and `checks_total` of a run's CSV row (empty without checks).

    A check that failed to run counts in the total but not as passed.
    """
    if not results:
        return {"checks_passed": None, "checks_total": None}
    passed = sum(1 for r in results if r.status == "pass")
    return {"checks_passed": passed, "checks_total": len(results)}


def transcript_fields(results: Sequence[CheckResult]) -> dict[str, Any]:
    """What a run's transcript record gets: every result in full."""
    return {"checks": [r.as_dict() for r in results]}
