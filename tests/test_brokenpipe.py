"""A reader that quits early (`modelduel ... | head -1`) ends every command the same way:
exit status 141 (128 + SIGPIPE, what a shell reports), nothing at all on stderr.
"""

from __future__ import annotations

import fcntl
import os
import subprocess
import sys
from pathlib import Path

import pytest

from modelduel import brokenpipe
from tests.support.cli import FAST, clean_env, write_config

HEADER = (
    "task_id,task_type,model,score,time_to_first_useful_s,wall_time_s,"
    "input_tokens,output_tokens,cost_usd,manual_corrections,notes\n"
)


def first_line_then_close(*args: str | Path, cwd: Path) -> tuple[bytes, int, bytes]:
    """`modelduel ARGS` with stdout a pipe whose reader closes it after the first line.

    Returns:
        The line read, the exit status and everything written on stderr.
    """
    read_end, write_end = os.pipe()
    # the smallest pipe: an output of a few pages is still being written when the reader
    # quits, so the write fails for sure (rather than landing whole in the pipe first)
    fcntl.fcntl(write_end, fcntl.F_SETPIPE_SZ, 4096)
    proc = subprocess.Popen(
        [sys.executable, "-m", "modelduel", *map(str, args)],
        cwd=cwd,
        env=clean_env(cwd),
        stdin=subprocess.DEVNULL,
        stdout=write_end,
        stderr=subprocess.PIPE,
    )
    os.close(write_end)
    line = b""
    while not line.endswith(b"\n"):  # byte by byte: nothing past the first line is read
        byte = os.read(read_end, 1)
        if not byte:
            break
        line += byte
    os.close(read_end)
    _, err = proc.communicate(timeout=120)
    return line, proc.returncode, err


@pytest.mark.parametrize("form", [(), ("--json",)], ids=["text", "json"])
def test_route_report_into_a_reader_that_quits_exits_141_silently(
    tmp_path: Path, form: tuple[str, ...]
) -> None:
    # text goes through rich (which turns a broken pipe into SystemExit(1)), JSON is print()
    csv_path = tmp_path / "runs.csv"
    rows = [
        f"t{n},type_{n:02d},{model},{4 + n % 2},1.5,9.0,1000,500,0.02,0,\n"
        for n in range(60)
        for model in ("gpt-5.5", "claude-opus-4-7")
    ]
    csv_path.write_text(HEADER + "".join(rows), encoding="utf-8")
    whole = subprocess.run(
        [sys.executable, "-m", "modelduel", "route", *form, str(csv_path)],
        cwd=tmp_path,
        env=clean_env(tmp_path),
        capture_output=True,
        timeout=120,
    )
    assert whole.returncode == 0, whole.stderr
    assert len(whole.stdout) > 3 * 4096  # more than the pipe holds, however it is read

    line, status, err = first_line_then_close("route", *form, csv_path, cwd=tmp_path)
    assert line.startswith(b"{" if form else b"Routing by")
    assert status == brokenpipe.EXIT_STATUS == 141
    assert err == b""


def test_ask_into_a_reader_that_quits_exits_141_silently(tmp_path: Path) -> None:
    config = write_config(tmp_path)
    fast = "tps = 3000\nanswer_tokens = 40\n"  # the first profile: FAST's
    config.write_text(config.read_text().replace(fast, "tps = 100000\nanswer_tokens = 20000\n", 1))
    args = ("ask", "--demo", "--config", config, "-m", FAST, "x")
    line, status, err = first_line_then_close(*args, cwd=tmp_path)
    assert line.startswith(f"## {FAST}".encode())
    assert status == 141
    assert err == b""


def test_only_a_broken_pipe_is_a_quiet_exit() -> None:
    # rich reports a broken pipe as SystemExit(1) raised while handling it
    try:
        try:
            raise BrokenPipeError
        except BrokenPipeError:
            raise SystemExit(1) from None
    except SystemExit as exc:
        from_rich = exc
    assert brokenpipe.reader_gone(from_rich)
    assert brokenpipe.reader_gone(BrokenPipeError())
    assert not brokenpipe.reader_gone(SystemExit(2))  # argparse, a command's own exit
    assert not brokenpipe.reader_gone(ConnectionResetError())


def test_what_is_still_buffered_cannot_print_exception_ignored(tmp_path: Path) -> None:
    # Buffered stdout (no PYTHONUNBUFFERED): what is written after the failed write (a
    # `finally`'s last line) waits in the buffer, and the interpreter's last flush would
    # fail on it, saying so on stderr, unless stdout is /dev/null by then.
    code = (
        "import sys\n"
        "from modelduel.brokenpipe import quiet_exit\n"
        "try:\n"
        "    for n in range(100000):\n"
        "        print(n)\n"
        "except BrokenPipeError as exc:\n"
        "    print('still buffered')\n"
        "    sys.exit(quiet_exit(exc))\n"
    )
    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader is gone before the first byte
    env = clean_env(tmp_path)
    env.pop("PYTHONUNBUFFERED")
    done = subprocess.run(
        [sys.executable, "-c", code], stdout=write_end, stderr=subprocess.PIPE, env=env, timeout=60
    )
    os.close(write_end)
    assert done.returncode == 141
    assert done.stderr == b""


@pytest.mark.parametrize("buffered", [False, True], ids=["unbuffered", "buffered"])
@pytest.mark.parametrize(
    "args",
    [("--help",), ("-h",), ("--version",), ("route", "--help"), ("ask", "-h"), ("config", "-h")],
    ids=" ".join,
)
def test_help_into_a_reader_already_gone_exits_141_silently(
    tmp_path: Path, args: tuple[str, ...], buffered: bool
) -> None:
    # `modelduel --help | true`: argparse swallows the failed write (exit 0, unbuffered) or
    # leaves it to the last flush ("Exception ignored", exit 120, buffered); a help text
    # is stdout like any other, so it ends as every command does
    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader is gone before the first byte
    env = clean_env(tmp_path)
    if buffered:
        env.pop("PYTHONUNBUFFERED")
    done = subprocess.run(
        [sys.executable, "-m", "modelduel", *args],
        cwd=tmp_path,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=write_end,
        stderr=subprocess.PIPE,
        timeout=120,
    )
    os.close(write_end)
    assert (done.returncode, done.stderr) == (141, b"")
