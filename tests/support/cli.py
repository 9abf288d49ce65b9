"""Running the real `modelduel` command in a child process, on the simulator, fast."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import modelduel

KEY_VARS = ("OPENAI_API_KEY", "ANTHROPIC_API_KEY", "GEMINI_API_KEY", "GOOGLE_API_KEY")

FAST = "anthropic/claude-opus-4-7"  # answers at once, in well under a second
SLOW = "openai/gpt-5.5"  # streams for minutes: still running whenever a test acts
_SRC = str(Path(modelduel.__file__).resolve().parents[1])

PROFILES = """\
[simulator."claude-opus-4-7"]
ttft_ms = 20
reasoning_ms = 0
tps = 3000
answer_tokens = 40
[simulator."gpt-5.5"]
ttft_ms = 20
reasoning_ms = 0
tps = 15
answer_tokens = 4000
[simulator."gemini-3.1-pro-preview"]
ttft_ms = 20
reasoning_ms = 0
tps = 3000
answer_tokens = 40
"""


def write_config(directory: Path, extra: str = "") -> Path:
    """A config file with fast simulator profiles (and SLOW slow), plus `extra`."""
    path = directory / "config.toml"
    path.write_text(extra + "\n" + PROFILES, encoding="utf-8")
    return path


# Not passed on to a child: a terminal's size exported by the machine (`COLUMNS`, `LINES`)
# is taken over the pty's by Textual and Rich (shutil.get_terminal_size), so the duel
# screen in a 140x40 tmux pane was drawn 50x12 and never showed "Ready.".
TERMINAL_SIZE_VARS = ("COLUMNS", "LINES")


def clean_env(directory: Path) -> dict[str, str]:
    """This environment without provider keys, a user config or an exported terminal size
    (so demo mode is used, and a child in a pty sees the pty's size)."""
    env = {k: v for k, v in os.environ.items() if k not in KEY_VARS + TERMINAL_SIZE_VARS}
    env.pop("MODELDUEL_CONFIG", None)
    env["XDG_CONFIG_HOME"] = str(directory)
    env["PYTHONUNBUFFERED"] = "1"
    return env


def modelduel(
    *args: str | Path,
    cwd: Path,
    stdin: bytes | None = None,
    timeout: float = 60,
    prelude: str = "",
) -> subprocess.CompletedProcess[bytes]:
    """Run `modelduel ARGS` to completion; `prelude` is Python run first (to break things)."""
    code = f"{prelude}\nfrom modelduel.cli import main\nmain()"
    return subprocess.run(
        [sys.executable, "-c", code, *map(str, args)],
        cwd=cwd,
        env=clean_env(cwd),
        input=stdin if stdin is not None else b"",
        capture_output=True,
        timeout=timeout,
    )


def start(*args: str | Path, cwd: Path) -> subprocess.Popen[bytes]:
    """Start `modelduel ARGS` in the background (its own session, like a terminal's job)."""
    return subprocess.Popen(
        [sys.executable, "-m", "modelduel", *map(str, args)],
        cwd=cwd,
        env=clean_env(cwd),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )


def wait_for(predicate: Callable[[], bool], timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


# Python run before the command: every write of a results CSV writes half its bytes and
# then fails as a full disk does (ENOSPC), after the first `ok_writes` writes succeed
# (Linux: the file written is told by /proc/self/fd).
FULL_DISK = """
import errno, os
import modelduel.storage.csvrewrite as _csvrewrite
import modelduel.storage.durable as _durable
_real = _durable.write_all
assert _csvrewrite.write_all is _real  # patched below: a move of the rewrite must move this
_count = [0]
def _full(fd, data):
    if os.readlink(f"/proc/self/fd/{{fd}}").endswith(".jsonl"):
        return _real(fd, data)  # the transcript beside the CSV is written as usual
    _count[0] += 1
    if _count[0] <= {ok_writes}:
        return _real(fd, data)
    os.write(fd, bytes(data)[: max(1, len(data) // 2)])
    raise OSError(errno.ENOSPC, "No space left on device")
_csvrewrite.write_all = _durable.write_all = _full  # the CSV's rewrites and its appends
"""


def run_demo_suite(
    directory: Path, task_toml: str, *models: str, config: Path | None = None
) -> tuple[subprocess.CompletedProcess[str], dict[str, dict[str, str]], Path]:
    """`modelduel run SUITE --demo --csv out.csv -m ...` over one task file, to its end.

    Returns:
        The finished process, the CSV's rows by model, and the CSV's path (its transcript
        is beside it, `.jsonl`).
    """
    import csv

    suite = directory / "suite"
    suite.mkdir()
    (suite / "t.toml").write_text(task_toml, encoding="utf-8")
    out = directory / "out.csv"
    argv = [sys.executable, "-m", "modelduel", "run", str(suite), "--demo"]
    if config is not None:
        argv += ["--config", str(config)]
    argv += ["--csv", str(out)]
    for model in models:
        argv += ["-m", model]
    done = subprocess.run(
        argv,
        capture_output=True,
        text=True,
        # the modelduel this test imports (a mutated copy under bench/mutation*.py, too)
        env={"PATH": "/usr/bin:/bin", "HOME": str(directory), "PYTHONPATH": _SRC},
        timeout=300,
    )
    rows = {r["model"]: r for r in csv.DictReader(out.open(encoding="utf-8"))}
    return done, rows, out
