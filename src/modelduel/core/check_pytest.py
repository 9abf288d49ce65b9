"""The `python_tests` check: the answer's code under the task's tests, in the sandbox.

Steps: a fresh temporary folder; the task's fixture copied in; the answer applied (its
first python block saved as `file`, or its unified diff applied to the fixture); the
task's tests copied over last (so an answer cannot replace them); pytest run by
`core.sandbox`; the folder deleted. An answer with no code or a diff that does not apply
fails (the answer did not deliver what the format asks for); a sandbox that crashes or
hits its time limit is "check failed to run", never a verdict.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Any

from modelduel.checkspec import PythonTestsCheck
from modelduel.core.answer_text import DiffError, apply_unified_diff, extract_diff, python_blocks
from modelduel.core.check_result import CheckResult, failed_to_run
from modelduel.core.check_stop import CheckStop
from modelduel.core.sandbox import Isolation, run_pytest_sandboxed

__all__ = ["run_python_tests"]


def _fail(check: PythonTestsCheck, reason: str, detail: str = "") -> CheckResult:
    return CheckResult(check.name, check.kind, check.part, "fail", reason, detail)


def _read_tree(root: Path) -> dict[str, str]:
    files: dict[str, str] = {}
    for path in sorted(root.rglob("*")):
        if path.is_file():
            try:
                files[path.relative_to(root).as_posix()] = path.read_text(encoding="utf-8")
            except UnicodeDecodeError:
                continue  # a binary fixture: a diff cannot patch it anyway
    return files


def _apply_answer(check: PythonTestsCheck, answer: str, work: Path) -> str | None:
    """Write the answer's code into `work`; the reason it cannot be, else None."""
    if check.answer == "code":
        blocks = python_blocks(answer)
        if not blocks:
            return "the answer has no python code block"
        assert check.file is not None
        target = work / check.file
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(blocks[0].text, encoding="utf-8")
        return None
    diff = extract_diff(answer)
    if diff is None:
        return "the answer has no unified diff"
    try:
        changes = apply_unified_diff(_read_tree(work), diff)
    except DiffError as exc:
        return f"the diff does not apply: {exc}"
    for name, text in changes.items():
        path = work / name
        if text is None:
            path.unlink(missing_ok=True)
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
    return None


def _copy_tests(base: Path, check: PythonTestsCheck, work: Path) -> list[str]:
    names = []
    for name in check.tests:
        source = base / name
        dest = work / source.name
        if source.is_dir():
            shutil.rmtree(dest, ignore_errors=True)
            shutil.copytree(source, dest)
        else:
            shutil.copyfile(source, dest)
        names.append(source.name)
    return names


def _verdict(check: PythonTestsCheck, report: dict[str, Any], output: str) -> CheckResult:
    code = report.get("exit_code")
    tests: dict[str, dict[str, str]] = report.get("tests") or {}
    errors: list[dict[str, str]] = report.get("collect_errors") or []
    if errors:
        first = errors[0]
        lines = [line for line in first.get("text", "").splitlines() if line.startswith("E ")]
        why = lines[-1][1:].strip() if lines else "see the detail"
        return _fail(
            check,
            f"the tests could not be collected ({first.get('nodeid')}): {why}",
            first.get("text", "")[-3000:],
        )
    if code in (3, 4):
        return failed_to_run(check, f"pytest stopped with exit code {code}", output[-3000:])
    ran = {k: v for k, v in tests.items() if v.get("outcome") != "skipped"}
    if code == 5 or not ran:
        return failed_to_run(check, "the task's tests collected no test", output[-3000:])
    passed = sum(1 for v in ran.values() if v.get("outcome") == "passed")
    total = len(ran)
    failing = [(k, v) for k, v in ran.items() if v.get("outcome") == "failed"]
    if not failing:
        return CheckResult(
            check.name,
            check.kind,
            check.part,
            "pass",
            f"{passed}/{total} tests passed",
            passed=passed,
            total=total,
        )
    nodeid, first_failure = failing[0]
    message = " ".join((first_failure.get("message") or "failed").split())[:160]
    return CheckResult(
        check.name,
        check.kind,
        check.part,
        "fail",
        f"{passed}/{total} tests passed; first failure: {nodeid}: {message}",
        (first_failure.get("text") or "")[-3000:],
        passed,
        total,
    )


def run_python_tests(
    base: Path,
    check: PythonTestsCheck,
    answer: str,
    *,
    python: str | None = None,
    isolation: Isolation | None = None,
    stop: CheckStop | None = None,
) -> CheckResult:
    """Run one `python_tests` check on an answer (blocking; call it off the UI loop).

    Args:
        base: the task file's folder (the check's paths are relative to it).
        check: the check.
        answer: the finished answer's text.
        python: the interpreter for the sandbox (default: this one).
        isolation: force an isolation level (tests); default: the best available.
        stop: cancels the check (its sandbox is killed); default: never cancelled.

    Raises:
        ChecksCancelled: `stop` was cancelled (no verdict; the folder is deleted).
    """
    root = Path(tempfile.mkdtemp(prefix="modelduel-check-"))
    try:
        work, boot = root / "work", root / "boot"
        if check.fixture is not None:
            shutil.copytree(base / check.fixture, work)
        else:
            work.mkdir()
        boot.mkdir()
        problem = _apply_answer(check, answer, work)
        if problem is not None:
            return _fail(check, problem)
        test_args = _copy_tests(base, check, work)
        run = run_pytest_sandboxed(
            work,
            boot,
            test_args,
            timeout_s=check.timeout_s,
            memory_mb=check.memory_mb,
            python=python,
            isolation=isolation,
            stop=stop,
        )
        if run.timed_out:
            return failed_to_run(check, f"timed out after {check.timeout_s:g} s", run.output)
        if run.report is None:
            tail = run.output.strip().splitlines()[-1:] or ["no output"]
            return failed_to_run(
                check,
                f"pytest ended without a report (exit code {run.exit_code}): {tail[0][:160]}",
                run.output,
            )
        return _verdict(check, run.report, run.output)
    except OSError as exc:
        return failed_to_run(check, f"cannot prepare the sandbox ({exc})")
    finally:
        shutil.rmtree(root, ignore_errors=True)
