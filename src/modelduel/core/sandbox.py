"""Running untrusted test code (an answer's code under the task's tests) with pytest, fenced.

What is guaranteed, on every platform with Python's `resource` module (Linux, macOS):

* **Another process.** pytest runs in a child interpreter, never in modelduel's process.
* **An empty environment.** The child gets only PATH (the interpreter's folder, /usr/bin,
  /bin), HOME and TMPDIR (empty folders of the throwaway sandbox), PYTHONPATH (the
  sandbox's guard), and a few fixed Python/pytest switches. None of the user's
  variables (API keys included) is passed on.
* **A throwaway copy.** The code runs in a fresh temporary folder (the task's fixture
  copied in, the answer applied, the task's tests copied over last) that is deleted
  afterwards; the task's own files are never written.
* **Limits.** Wall time (the whole process group is killed at the limit), CPU time,
  address space (memory), file size, and no core dumps, set with `resource.setrlimit`
  in the child before pytest is imported.
* **No network, at the Python level.** An audit hook (`sys.addaudithook`, which cannot
  be removed) refuses socket connect/bind/sendto and DNS look-ups in the child and in
  every Python process it starts (the hook is loaded by `sitecustomize` via PYTHONPATH).

And where the OS allows it (Linux with user namespaces: `unshare --user --net`, which
`network_isolation()` probes once), the child also runs **in its own network namespace**
with only a loopback device that is down, so nothing, not even native code, reaches any
network, 127.0.0.1 of the host included; and in its own PID namespace, so every process
it started dies with it.

What is NOT guaranteed: the child runs as the user, so it can read files the user can
read (it cannot send them anywhere, but it could print them into its report) and it can
write outside the sandbox; without network namespaces, native code (ctypes, a C
extension) can bypass the audit hook; an answer can tamper with its own pytest report.
The checks measure answers; they are not a jail for hostile code.
"""

from __future__ import annotations

import functools
import json
import os
import shutil
import signal
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from modelduel.core.check_stop import CheckStop

__all__ = ["Isolation", "SandboxRun", "network_isolation", "run_pytest_sandboxed", "sandbox_env"]

Isolation = Literal["netns", "python-guard"]

# --mount-proc: the child's /proc shows its own PID namespace only, so it cannot read
# the environment of modelduel's processes (/proc/PID/environ) where the keys are.
_UNSHARE = (
    "unshare",
    "--user",
    "--map-root-user",
    "--net",
    "--pid",
    "--fork",
    "--kill-child",
    "--mount-proc",
)

# Loaded by every Python process in the sandbox (PYTHONPATH): the portable network guard.
_SITECUSTOMIZE = """\
import sys

_BLOCKED = frozenset({
    "socket.connect", "socket.bind", "socket.sendto", "socket.sendmsg",
    "socket.getaddrinfo", "socket.gethostbyname", "socket.gethostbyaddr",
    "socket.getnameinfo",
})


def _no_network(event, args):
    if event in _BLOCKED:
        raise PermissionError(f"network access is disabled in a modelduel check ({event})")


sys.addaudithook(_no_network)
"""

# The child's entry point: limits first, then pytest with a plugin that records outcomes.
_BOOT = """\
import json
import resource
import sys

limits = json.loads(sys.argv[1])
report_path = sys.argv[2]
for name, value in limits.items():
    resource.setrlimit(getattr(resource, name), (value, value))

import pytest


class Collect:
    def __init__(self):
        self.tests = {}
        self.collect_errors = []

    def pytest_collectreport(self, report):
        if report.failed:
            self.collect_errors.append({"nodeid": report.nodeid, "text": str(report.longrepr)})

    def pytest_runtest_logreport(self, report):
        blank = {"outcome": "passed", "message": "", "text": ""}
        test = self.tests.setdefault(report.nodeid, blank)
        if report.failed and test["outcome"] != "failed":
            crash = getattr(report.longrepr, "reprcrash", None)
            test["outcome"] = "failed"
            test["message"] = crash.message if crash is not None else ""
            test["text"] = report.longreprtext
        elif report.skipped and test["outcome"] == "passed" and report.when != "teardown":
            test["outcome"] = "skipped"


collect = Collect()
code = pytest.main(sys.argv[3:], plugins=[collect])
with open(report_path, "w", encoding="utf-8") as out:
    json.dump({"exit_code": int(code), "tests": collect.tests,
               "collect_errors": collect.collect_errors}, out)
sys.exit(int(code))
"""


@functools.cache
def network_isolation() -> Isolation:
    """ "netns" when `unshare` can give a child its own user, network and PID namespaces
    here (probed once), else "python-guard" (the audit hook alone)."""
    if not sys.platform.startswith("linux") or shutil.which("unshare") is None:
        return "python-guard"
    try:
        done = subprocess.run(
            [*_UNSHARE, "true"],
            stdin=subprocess.DEVNULL,
            capture_output=True,
            timeout=10,
            env={"PATH": "/usr/bin:/bin"},
        )
    except (OSError, subprocess.SubprocessError):
        return "python-guard"
    return "netns" if done.returncode == 0 else "python-guard"


def sandbox_env(python: str, boot: Path) -> dict[str, str]:
    """The whole environment of a sandboxed child: nothing of the user's."""
    return {
        "PATH": os.pathsep.join([str(Path(python).parent), "/usr/bin", "/bin"]),
        "HOME": str(boot / "home"),
        "TMPDIR": str(boot / "tmp"),
        "PYTHONPATH": str(boot / "guard"),
        "PYTHONDONTWRITEBYTECODE": "1",
        "PYTHONHASHSEED": "0",
        "PYTHONUTF8": "1",
        "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1",
        "LC_ALL": "C.UTF-8",
    }


@dataclass(frozen=True)
class SandboxRun:
    """What a sandboxed pytest run left behind.

    Attributes:
        report: the plugin's record ({"exit_code", "tests", "collect_errors"}), or None
            if pytest ended without writing it (crash, killed, `os._exit` in a test).
        exit_code: the child's exit status; None when it was killed at the time limit.
        timed_out: the wall-time limit was reached.
        output: the tail of pytest's console output.
        isolation: how the network was cut off.
    """

    report: dict[str, Any] | None
    exit_code: int | None
    timed_out: bool
    output: str
    isolation: Isolation
    limits: dict[str, int] = field(default_factory=dict)


def _kill_group(proc: subprocess.Popen[bytes]) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        proc.kill()


def run_pytest_sandboxed(
    work: Path,
    boot: Path,
    test_args: list[str],
    *,
    timeout_s: float,
    memory_mb: int,
    python: str | None = None,
    isolation: Isolation | None = None,
    python_guard: bool = True,
    stop: CheckStop | None = None,
) -> SandboxRun:
    """Run pytest on `work` (the throwaway copy) under the limits above.

    Args:
        work: the folder the tests run in (cwd and rootdir); deleted by the caller.
        boot: an empty folder outside `work` for the guard, the report and the output.
        test_args: test paths relative to `work`.
        timeout_s: wall-time limit; CPU time is limited to the same.
        memory_mb: address-space limit of the child and each process it starts.
        python: the interpreter (default: this one, whose pytest is installed).
        isolation: force "python-guard" (tests); default: `network_isolation()`.
        python_guard: False leaves the audit hook out, so a test can show that the
            network namespace alone holds.
        stop: cancels the run (its child is killed); default: never cancelled.

    Raises:
        ChecksCancelled: `stop` was cancelled before the child started or while it ran.
    """
    python = python or sys.executable
    isolation = isolation or network_isolation()
    work, boot = work.resolve(), boot.resolve()
    for sub in ("guard", "home", "tmp"):
        (boot / sub).mkdir(parents=True, exist_ok=True)
    if python_guard:
        (boot / "guard" / "sitecustomize.py").write_text(_SITECUSTOMIZE, encoding="utf-8")
    (boot / "boot.py").write_text(_BOOT, encoding="utf-8")
    (boot / "pytest.ini").write_text("[pytest]\n", encoding="utf-8")
    limits = {
        "RLIMIT_AS": memory_mb * 1024 * 1024,
        "RLIMIT_CPU": max(1, int(timeout_s) + 1),
        "RLIMIT_FSIZE": 64 * 1024 * 1024,
        "RLIMIT_CORE": 0,
    }
    report_path = boot / "report.json"
    args = [
        python,
        str(boot / "boot.py"),
        json.dumps(limits),
        str(report_path),
        # Our own empty ini and no conftest: an answer cannot reconfigure the test run.
        "-c",
        str(boot / "pytest.ini"),
        "--rootdir",
        str(work),
        "--noconftest",
        "-p",
        "no:cacheprovider",
        "-q",
        "--tb=short",
        *test_args,
    ]
    if isolation == "netns":
        args = [*_UNSHARE, *args]
    output_path = boot / "output.txt"
    with output_path.open("wb") as output:
        stop = stop or CheckStop()
        proc = stop.popen(
            args,
            group=True,  # its own process group, killed whole at the limit
            cwd=work,
            env=sandbox_env(python, boot),
            stdin=subprocess.DEVNULL,
            stdout=output,
            stderr=subprocess.STDOUT,
            close_fds=True,
        )
        timed_out = False
        try:
            proc.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            timed_out = True
        finally:
            _kill_group(proc)  # also anything a test left running
            proc.wait()
            stop.ended(proc)  # raises when a cancel killed it: no verdict
    text = output_path.read_bytes()[-8000:].decode("utf-8", "replace")
    report: dict[str, Any] | None = None
    if not timed_out:
        try:
            loaded = json.loads(report_path.read_text(encoding="utf-8"))
            report = loaded if isinstance(loaded, dict) else None
        except (OSError, ValueError):
            report = None
    return SandboxRun(
        report=report,
        exit_code=None if timed_out else proc.returncode,
        timed_out=timed_out,
        output=text,
        isolation=isolation,
        limits=limits,
    )
