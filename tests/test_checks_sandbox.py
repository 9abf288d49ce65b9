"""`python_tests`: the answer's code under the task's tests, in the sandbox.

Pass, fail, crash and timeout; and the sandbox's promises, each shown to hold by code
that tries to break it: no environment variable of the parent (a fake API key), no
socket to a loopback listener this test opens, a memory limit, a throwaway copy, and
tests the answer cannot replace.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from modelduel.core.check_result import CheckResult
from modelduel.core.checks import run_checks
from modelduel.core.sandbox import network_isolation, run_pytest_sandboxed
from modelduel.tasks import Task, load_task

HEAD = """\
id = "code"
type = "coding_bug_fix"
title = "T"
prompt = "Write add()."
criteria = ["a", "b", "c"]
output_format = "One python code block."
"""

TESTS = """\
from m import add


def test_small():
    assert add(2, 3) == 5


def test_negative():
    assert add(-2, -3) == -5
"""

GOOD = "Here it is:\n\n```python\ndef add(a, b):\n    return a + b\n```\n"
BAD = "```python\ndef add(a, b):\n    return a + abs(b)\n```\n"


def make_task(tmp_path: Path, tests: str = TESTS, extra: str = "", fixture: bool = False) -> Task:
    (tmp_path / "checks").mkdir(exist_ok=True)
    (tmp_path / "checks" / "test_m.py").write_text(tests, encoding="utf-8")
    body = (
        '[[checks]]\nname = "tests"\nkind = "python_tests"\npart = "correctness"\n'
        'tests = ["checks/test_m.py"]\n'
    )
    if fixture:
        (tmp_path / "fixture").mkdir(exist_ok=True)
        (tmp_path / "fixture" / "m.py").write_text(
            "def add(a, b):\n    return a - b\n", encoding="utf-8"
        )
        body += 'fixture = "fixture"\nanswer = "diff"\n'
    else:
        body += 'answer = "code"\nfile = "m.py"\n'
    path = tmp_path / "task.toml"
    path.write_text(HEAD + body + extra, encoding="utf-8")
    return load_task(path)


def check(task: Task, answer: str, **kw: object) -> CheckResult:
    (result,) = run_checks(task, answer, **kw)  # type: ignore[arg-type]
    return result


# ---------------------------------------------------------------- verdicts


def test_a_correct_answer_passes(tmp_path: Path) -> None:
    result = check(make_task(tmp_path), GOOD)
    assert (result.status, result.passed, result.total) == ("pass", 2, 2)
    assert result.label == "✓ tests 2/2"
    assert result.reason == "2/2 tests passed"


def test_a_wrong_answer_fails_with_counts_and_the_first_failure(tmp_path: Path) -> None:
    result = check(make_task(tmp_path), BAD)
    assert (result.status, result.passed, result.total) == ("fail", 1, 2)
    assert result.label == "✗ tests 1/2"
    assert "first failure: test_m.py::test_negative: assert 1 == -5" in result.reason
    assert "assert add(-2, -3) == -5" in result.detail


def test_a_diff_is_applied_to_the_fixture_in_a_throwaway_copy(tmp_path: Path) -> None:
    task = make_task(tmp_path, fixture=True)
    diff = (
        "```diff\n--- a/m.py\n+++ b/m.py\n@@ -1,2 +1,2 @@\n"
        " def add(a, b):\n-    return a - b\n+    return a + b\n```\n"
    )
    assert check(task, diff).status == "pass"
    assert (tmp_path / "fixture" / "m.py").read_text() == "def add(a, b):\n    return a - b\n"
    unpatched = check(task, "I would change the minus to a plus.")
    assert unpatched.status == "fail" and unpatched.reason == "the answer has no unified diff"
    stale = diff.replace("return a - b", "return a * b")
    not_applied = check(task, stale)
    assert not_applied.status == "fail"
    assert not_applied.reason.startswith("the diff does not apply: hunk 1 of 'm.py'")


def test_no_code_block_fails(tmp_path: Path) -> None:
    result = check(make_task(tmp_path), "add returns a + b")
    assert result.status == "fail" and result.reason == "the answer has no python code block"
    assert result.total is None


def test_code_that_does_not_import_fails_as_a_collection_error(tmp_path: Path) -> None:
    result = check(make_task(tmp_path), "```python\ndef add(a, b)\n    return a + b\n```")
    assert result.status == "fail"
    assert result.reason.startswith("the tests could not be collected (test_m.py)")
    assert "SyntaxError" in result.detail


def test_the_answer_cannot_replace_the_tests_or_reconfigure_pytest(tmp_path: Path) -> None:
    task = make_task(tmp_path, fixture=True)
    cheat = (
        "```diff\n"
        "--- /dev/null\n+++ b/test_m.py\n@@ -0,0 +1,2 @@\n+def test_small():\n+    pass\n"
        "--- /dev/null\n+++ b/conftest.py\n@@ -0,0 +1,3 @@\n"
        "+import pytest\n+def pytest_collection_modifyitems(items):\n+    items.clear()\n"
        "--- /dev/null\n+++ b/pytest.ini\n@@ -0,0 +1,2 @@\n+[pytest]\n+addopts = -k nothing\n"
        "```\n"
    )
    result = check(task, cheat)
    assert (result.status, result.passed, result.total) == ("fail", 0, 2)


# ---------------------------------------------------------------- errors, never verdicts


def test_a_hang_times_out_as_an_error(tmp_path: Path) -> None:
    task = make_task(tmp_path, extra="timeout_s = 3\n")
    result = check(task, "```python\nimport time\ntime.sleep(120)\n```")
    assert result.status == "error"
    assert result.reason == "check failed to run: timed out after 3 s"
    assert result.passed is None and result.total is None


def test_a_busy_loop_in_a_test_times_out_as_an_error(tmp_path: Path) -> None:
    task = make_task(tmp_path, extra="timeout_s = 3\n")
    result = check(task, "```python\ndef add(a, b):\n    while True:\n        pass\n```")
    assert result.status == "error" and "timed out" in result.reason


def test_a_sandbox_that_dies_without_a_report_is_an_error(tmp_path: Path) -> None:
    result = check(make_task(tmp_path), "```python\nimport os\nos._exit(7)\n```")
    assert result.status == "error"
    assert result.reason.startswith("check failed to run: pytest ended without a report")
    assert "exit code 7" in result.reason


def test_a_missing_interpreter_is_an_error(tmp_path: Path) -> None:
    task = make_task(tmp_path)
    (result,) = [r for r in run_checks(task, GOOD, python=str(tmp_path / "nope"))]
    assert result.status == "error" and result.reason.startswith("check failed to run:")


def test_tests_that_collect_nothing_are_an_error(tmp_path: Path) -> None:
    result = check(make_task(tmp_path, tests="X = 1\n"), GOOD)
    assert result.status == "error"
    assert result.reason == "check failed to run: the task's tests collected no test"


# ---------------------------------------------------------------- the sandbox's promises

ENV_TESTS = """\
import os
import subprocess
import sys


def test_no_parent_variable():
    assert "OPENAI_API_KEY" not in os.environ
    assert "MODELDUEL_PARENT_MARKER" not in os.environ
    assert "sk-parent-secret" not in repr(dict(os.environ))


def test_only_the_sandbox_variables():
    allowed = {"PATH", "HOME", "TMPDIR", "PYTHONPATH", "PYTHONDONTWRITEBYTECODE",
               "PYTHONHASHSEED", "PYTHONUTF8", "PYTEST_DISABLE_PLUGIN_AUTOLOAD", "LC_ALL",
               "PYTEST_CURRENT_TEST", "PYTEST_VERSION"}
    assert set(os.environ) <= allowed, sorted(set(os.environ) - allowed)


def test_not_even_through_a_shell():
    out = subprocess.run(["sh", "-c", "env"], capture_output=True, text=True).stdout
    assert "sk-parent-secret" not in out
"""


@pytest.mark.parametrize("isolation", ["netns", "python-guard"])
def test_a_check_cannot_read_the_parents_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, isolation: str
) -> None:
    if isolation == "netns" and network_isolation() != "netns":
        pytest.skip("no user/network namespaces here")
    monkeypatch.setenv("OPENAI_API_KEY", "sk-parent-secret")
    monkeypatch.setenv("MODELDUEL_PARENT_MARKER", "1")
    result = check(make_task(tmp_path, tests=ENV_TESTS), GOOD, isolation=isolation)
    assert result.status == "pass", result.reason + "\n" + result.detail
    assert result.total == 3


PROC_ENVIRON_TESTS = """\
import pathlib


def test_print_every_environment_it_can_read():
    seen = []
    for environ in pathlib.Path("/proc").glob("[0-9]*/environ"):
        try:
            entries = environ.read_bytes().decode(errors="replace").split("\\0")
        except OSError:
            continue
        seen += [e for e in entries if e.startswith(("MY_SERVER_TOKEN=", "OPENAI_API_KEY="))]
    assert False, " ".join(seen) or "nothing readable"
"""


@pytest.mark.parametrize("isolation", ["netns", "python-guard"])
def test_a_secret_a_check_reads_elsewhere_never_leaves_in_its_verdict(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, isolation: str
) -> None:
    # The sandbox's own environment is empty, but a test could read another process's
    # (/proc/PID/environ, modelduel's own): its own PID namespace with its own /proc
    # hides them, and whatever a failure prints is redacted before it is kept.
    if isolation == "netns" and network_isolation() != "netns":
        pytest.skip("no user/network namespaces here")
    secret = "local-server-token-0123456789"
    env = {"MY_SERVER_TOKEN": secret, "OPENAI_API_KEY": "sk-parent-secret-abcdef"}
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    # a process of the user's that holds them from its start, as modelduel's own does
    holder = subprocess.Popen(["sleep", "60"], env={**env, "PATH": "/usr/bin:/bin"})
    try:
        result = check(make_task(tmp_path, tests=PROC_ENVIRON_TESTS), GOOD, isolation=isolation)
    finally:
        holder.kill()
        holder.wait()
    assert result.status == "fail", result.reason
    if isolation == "netns":  # its own /proc: nothing of the user's processes is there
        assert "nothing readable" in result.reason
    kept = result.reason + result.detail + str(result.as_dict())
    assert secret not in kept and "sk-parent-secret-abcdef" not in kept


@pytest.fixture
def listener() -> Iterator[tuple[int, list[object]]]:
    """A TCP listener on 127.0.0.1 that records every connection it accepts."""
    server = socket.create_server(("127.0.0.1", 0))
    server.settimeout(0.2)
    accepted: list[object] = []
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            accepted.append(conn)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield server.getsockname()[1], accepted
    stop.set()
    thread.join(timeout=5)
    server.close()


def socket_tests(port: int) -> str:
    return f"""\
import socket
import subprocess
import sys

import pytest


def test_connect_is_refused():
    sock = socket.socket()
    sock.settimeout(3)
    with pytest.raises(OSError):
        sock.connect(("127.0.0.1", {port}))


def test_not_from_a_child_python_either():
    code = "import socket; socket.socket().connect(('127.0.0.1', {port}))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode != 0, done.stderr


def test_no_dns():
    with pytest.raises(OSError):
        socket.getaddrinfo("localhost", 80)
"""


@pytest.mark.parametrize("isolation", ["netns", "python-guard"])
def test_a_check_cannot_open_a_socket(
    tmp_path: Path, listener: tuple[int, list[object]], isolation: str
) -> None:
    if isolation == "netns" and network_isolation() != "netns":
        pytest.skip("no user/network namespaces here")
    port, accepted = listener
    result = check(make_task(tmp_path, tests=socket_tests(port)), GOOD, isolation=isolation)
    assert result.status == "pass", result.reason + "\n" + result.detail
    assert accepted == []


def run_connect(tmp_path: Path, port: int, isolation: str, guard: bool) -> int | None:
    """Exit code of a sandboxed test that connects to `port` and fails if it can."""
    work, boot = tmp_path / "work", tmp_path / "boot"
    work.mkdir(parents=True)
    boot.mkdir()
    (work / "test_c.py").write_text(
        "import socket\n\ndef test_c():\n"
        "    sock = socket.socket()\n    sock.settimeout(3)\n"
        f"    sock.connect(('127.0.0.1', {port}))\n"
    )
    run = run_pytest_sandboxed(
        work,
        boot,
        ["test_c.py"],
        timeout_s=60,
        memory_mb=1024,
        isolation=isolation,  # type: ignore[arg-type]
        python_guard=guard,
    )
    assert run.report is not None, run.output
    return run.exit_code


def test_each_layer_blocks_the_network_alone(
    tmp_path: Path, listener: tuple[int, list[object]]
) -> None:
    port, accepted = listener
    # Control: with both layers off the same test does connect, so the others can fail.
    assert run_connect(tmp_path / "off", port, "python-guard", guard=False) == 0
    assert len(accepted) == 1
    assert run_connect(tmp_path / "guard", port, "python-guard", guard=True) == 1
    if network_isolation() == "netns":
        assert run_connect(tmp_path / "netns", port, "netns", guard=False) == 1
    assert len(accepted) == 1


def test_memory_is_limited(tmp_path: Path) -> None:
    tests = "from m import add\n\ndef test_big():\n    add(1, 2)\n"
    task = make_task(tmp_path, tests=tests, extra="memory_mb = 512\n")
    hog = "```python\ndef add(a, b):\n    block = bytearray(2 * 1024 ** 3)\n    return a + b\n```"
    result = check(task, hog)
    assert result.status == "fail"
    assert "MemoryError" in result.reason


def test_the_throwaway_copy_is_deleted(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import tempfile

    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    assert check(make_task(tmp_path), GOOD).status == "pass"
    assert list(scratch.iterdir()) == []


def _running_with(marker: str) -> list[int]:
    found = []
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            try:
                cmdline = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            except OSError:
                continue
            if marker in cmdline:
                found.append(int(proc.name))
    return found


def test_processes_a_test_leaves_behind_die_with_the_sandbox(tmp_path: Path) -> None:
    if network_isolation() != "netns":
        pytest.skip("PID namespaces need user namespaces")
    marker = "4321.0123"  # a sleep no one else runs
    work, boot = tmp_path / "work", tmp_path / "boot"
    work.mkdir()
    boot.mkdir()
    (work / "test_leave.py").write_text(
        "import subprocess\n\ndef test_leave():\n"
        f"    subprocess.Popen(['sleep', '{marker}'], start_new_session=True)\n"
    )
    run = run_pytest_sandboxed(work, boot, ["test_leave.py"], timeout_s=60, memory_mb=1024)
    assert run.exit_code == 0, run.output
    # setsid escapes a process-group kill; the PID namespace's end takes it anyway.
    import time

    deadline = time.monotonic() + 10
    while _running_with(marker) and time.monotonic() < deadline:
        time.sleep(0.1)
    left = _running_with(marker)
    for pid in left:  # a failing run must not leave its sleep behind
        os.kill(pid, signal.SIGKILL)
    assert left == []
