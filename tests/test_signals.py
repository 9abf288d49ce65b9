"""Every way modelduel ends short of SIGKILL saves what ran: the CSV is the assertion.

A closed terminal sends SIGHUP, `kill` sends SIGTERM. `ask` and `run` must cancel the
runs still streaming, save them as cancelled with their text, and exit without a
traceback (none from the worker either: its parent closing the pipe is not an error).
"""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path

import pytest

from modelduel.storage import read_rows, read_transcripts
from tests.support.cli import (
    FAST,
    FULL_DISK,
    SLOW,
    modelduel,
    start,
    wait_for,
    write_config,
)
from tests.support.tmux_app import NEEDS_TMUX, demo_command, send_first_prompt, tmux_app

TASKS = Path(__file__).resolve().parent.parent / "tasks" / "starter"


# What a run cancelled by each signal says happened (its `error` cell): never "by the user"
CANCELLED_BY = {
    signal.SIGTERM: "cancelled: modelduel received SIGTERM",
    signal.SIGHUP: "cancelled: the terminal closed (SIGHUP)",
}


def assert_cancelled_with_text(csv_path: Path, rows: list[dict[str, str]], signum: int) -> None:
    transcripts = read_transcripts(csv_path)
    slow = [r for r in rows if r["model"] == SLOW]
    assert slow, rows
    for row in slow:
        assert row["finish_reason"] == "cancelled", row
        assert row["error"] == CANCELLED_BY[signum], row
        record = transcripts[row["run_id"]]
        # GPT-5.5 streams its reasoning summary first: what streamed is kept, either way
        assert record["text"] or record["reasoning_text"], "the streamed text is kept"


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP])
def test_ask_saves_in_flight_runs_as_cancelled(tmp_path: Path, signum: int) -> None:
    csv_path = tmp_path / "r.csv"
    config = write_config(tmp_path)
    args = ("ask", "--demo", "--config", config, "--csv", csv_path, "-m", FAST, "-m", SLOW)
    proc = start(*args, "Explain CRDTs", cwd=tmp_path)
    try:
        # the fast model's row is on disk: the slow one is streaming now
        assert wait_for(lambda: len(read_rows(csv_path)) == 1, 60)
        os.killpg(proc.pid, signum)  # the whole group, as a closing terminal does
        _, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 128 + signum
    assert b"Traceback" not in err and b"BrokenPipeError" not in err
    rows = read_rows(csv_path)
    assert len(rows) == 2
    assert_cancelled_with_text(csv_path, rows, signum)


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP])
def test_run_saves_in_flight_runs_as_cancelled_and_resumes_them(
    tmp_path: Path, signum: int
) -> None:
    csv_path = tmp_path / "r.csv"
    config = write_config(tmp_path)
    args = ("run", TASKS, "--demo", "--config", config, "--csv", csv_path, "-m", FAST, "-m", SLOW)
    proc = start(*args, cwd=tmp_path)
    try:
        assert wait_for(lambda: len(read_rows(csv_path)) == 1, 60)
        os.killpg(proc.pid, signum)
        _, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 128 + signum, err
    assert b"Traceback" not in err and b"BrokenPipeError" not in err
    assert b"run the same command again to resume" in err
    rows = read_rows(csv_path)
    assert len(rows) == 2
    assert_cancelled_with_text(csv_path, rows, signum)


def write_suite(directory: Path, count: int) -> Path:
    """A suite of `count` tasks without checks: every row is a run's, none a verdict's."""
    suite = directory / "suite"
    suite.mkdir()
    for n in range(count):
        (suite / f"t{n}.toml").write_text(
            f'id = "t{n}"\ntype = "research_summary"\ntitle = "T"\nprompt = "Say {n}."\n'
            'criteria = ["a"]\noutput_format = "Text."\n',
            encoding="utf-8",
        )
    return suite


def test_run_stops_on_ctrl_c_with_one_line_and_the_same_command_resumes(tmp_path: Path) -> None:
    csv_path = tmp_path / "r.csv"
    config = write_config(tmp_path)
    suite = write_suite(tmp_path, 2)
    common = (suite, "--demo", "--config", config, "--csv", csv_path)
    # one run of the four is in the CSV already: the stop line counts it as done
    assert modelduel("run", *common, "--task", "t0", "-m", FAST, cwd=tmp_path).returncode == 0
    args = ("run", *common, "-m", FAST, "-m", SLOW, "--concurrency", "2")
    proc = start(*args, cwd=tmp_path)  # its own process group, as a terminal's job
    try:
        assert wait_for(lambda: len(read_rows(csv_path)) == 2, 60)  # SLOW streams twice
        os.killpg(proc.pid, signal.SIGINT)  # ctrl+c: the whole foreground group
        out, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 130, err
    assert out == b"", "stdout is for results: the progress goes to stderr"
    text = err.decode()
    assert "Traceback" not in text
    stopped = [line for line in text.splitlines() if line.startswith("stopped (ctrl+c): ")]
    assert len(stopped) == 1, text
    assert stopped[0].startswith("stopped (ctrl+c): 2 of 4 runs done (0 failed, 2 cancelled")
    assert "run the same command again to resume" in stopped[0]
    before = read_rows(csv_path)
    assert sorted((r["task_id"], r["model"], r["finish_reason"]) for r in before) == [
        ("t0", FAST, "stop"),
        ("t0", SLOW, "cancelled"),
        ("t1", FAST, "stop"),
        ("t1", SLOW, "cancelled"),
    ]
    cancelled = [r for r in before if r["finish_reason"] == "cancelled"]
    assert {r["error"] for r in cancelled} == {"cancelled: cancelled by the user (Ctrl+C)"}

    # the same command again (SLOW made quick, through the config the command names)
    config.write_text(config.read_text().replace("tps = 15\n", "tps = 3000\n"), encoding="utf-8")
    again = modelduel(*args, cwd=tmp_path, timeout=120)
    assert again.returncode == 0, again.stderr
    assert again.stdout == b""
    assert b"resuming: 2 of 4 runs already in" in again.stderr
    after = read_rows(csv_path)
    assert after[:4] == before, "the rows written before ctrl+c stay as they were"
    assert sorted((r["task_id"], r["model"]) for r in after[4:]) == [("t0", SLOW), ("t1", SLOW)]
    assert {r["finish_reason"] for r in after[4:]} == {"stop"}


def test_run_stops_with_one_line_when_the_disk_fills(tmp_path: Path) -> None:
    csv_path = tmp_path / "r.csv"
    config = write_config(tmp_path)
    # Tasks without checks: every write counted below is a row's, none a verdict's.
    suite = write_suite(tmp_path, 4)
    result = modelduel(
        "run",
        suite,
        "--demo",
        "--config",
        config,
        "--csv",
        csv_path,
        "-m",
        FAST,
        cwd=tmp_path,
        timeout=120,  # before the fix the batch hung here for good
        prelude=FULL_DISK.format(ok_writes=2),
    )
    err = result.stderr.decode()
    assert result.returncode == 2, err
    assert "Traceback" not in err
    stopped = [line for line in err.splitlines() if line.startswith("modelduel: stopped:")]
    assert len(stopped) == 1 and "No space left on device" in stopped[0]
    # the batch stopped at the first failed save: no later run was tried and lost too
    assert "; 1 run not saved (2 saved)" in stopped[0], stopped[0]
    # two rows went in whole; the third, written half-way, was undone; no more were tried
    assert len(read_rows(csv_path)) == 2
    assert csv_path.read_bytes().endswith(b"\n")


@NEEDS_TMUX
@pytest.mark.parametrize("how", ["SIGTERM", "closed terminal"])
def test_tui_saves_in_flight_runs_as_cancelled(tmp_path: Path, how: str) -> None:
    csv_path = tmp_path / "r.csv"
    command = "exec " + demo_command(csv_path, write_config(tmp_path), (FAST, SLOW))
    name = f"sig-{how.replace(' ', '-')}"
    with tmux_app(name, command, tmp_path, remain_on_exit=True) as tmux:
        send_first_prompt(tmux, csv_path)  # FAST's row: SLOW is streaming
        pid = int(tmux.pane("pane_pid"))
        if how == "SIGTERM":
            os.kill(pid, signal.SIGTERM)
            assert wait_for(lambda: tmux.pane("pane_dead") == "1", 30)
            screen = tmux.screen(history=200)
            assert "Traceback" not in screen and "Error" not in screen, screen
        else:
            tmux.run("kill-session", "-t", tmux.session)  # the terminal goes away: SIGHUP
            assert wait_for(lambda: not _alive(pid), 30)
        rows = read_rows(csv_path)
        assert len(rows) == 2
        signum = signal.SIGTERM if how == "SIGTERM" else signal.SIGHUP
        assert_cancelled_with_text(csv_path, rows, signum)


@NEEDS_TMUX
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP])
def test_tui_stopped_by_a_signal_saves_and_gives_the_terminal_back(
    tmp_path: Path, signum: int
) -> None:
    """A SIGHUP whose terminal is still there (`kill -HUP`, a multiplexer's detach) takes
    SIGTERM's path: runs saved, the terminal restored (cooked mode), status 128 + signal."""
    csv_path = tmp_path / "r.csv"
    after = tmp_path / "after.txt"
    # the shell outlives the app: what it finds of the terminal is what the app left
    app = demo_command(csv_path, write_config(tmp_path), (FAST, SLOW))
    then = f"echo status=$? > {after}.tmp; stty -a >> {after}.tmp; mv {after}.tmp {after}"
    command = f"exec sh -c '{app}; {then}; sleep 60'"  # the pane's process is this sh
    with tmux_app(f"back-{signum}", command, tmp_path) as tmux:
        send_first_prompt(tmux, csv_path)  # FAST's row: SLOW is streaming
        (pid,) = _children(int(tmux.pane("pane_pid")))
        os.kill(pid, signum)
        assert wait_for(after.exists, 40)
        report = after.read_text()
        assert f"status={128 + signum}" in report, report
        modes = report.split()
        assert "icanon" in modes and "echo" in modes, report  # not left in raw mode
        screen = tmux.screen(history=200)
        assert "Traceback" not in screen and "Error" not in screen, screen
        rows = read_rows(csv_path)
        assert len(rows) == 2
        assert_cancelled_with_text(csv_path, rows, signum)


def test_a_terminal_that_closed_is_told_from_one_still_there() -> None:
    """Only a hung-up terminal gets the closed-terminal treatment (descriptors to
    /dev/null, a forced exit after a grace period); one still there is given back."""
    import pty

    from modelduel.tui import stopsignals

    leader, terminal = pty.openpty()
    try:
        assert not stopsignals._hung_up([terminal])
        os.close(leader)  # what a closing terminal window does: the other side hangs up
        assert stopsignals._hung_up([terminal])
    finally:
        os.close(terminal)


def _children(pid: int) -> list[int]:
    """The processes whose parent is `pid`."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (FileNotFoundError, ProcessLookupError):
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


@NEEDS_TMUX
def test_ask_live_view_in_a_terminal_saves_on_sigterm(tmp_path: Path) -> None:
    """In a terminal `ask` runs in the child worker with a live view: the same promise."""
    csv_path = tmp_path / "r.csv"
    config = write_config(tmp_path)
    command = (
        f"exec {sys.executable} -m modelduel ask --demo --config {config} --csv {csv_path} "
        f"-m {FAST} -m {SLOW} 'Explain CRDTs'"
    )
    with tmux_app("ask", command, tmp_path, remain_on_exit=True) as tmux:
        assert wait_for(lambda: len(read_rows(csv_path)) == 1, 60)
        os.kill(int(tmux.pane("pane_pid")), signal.SIGTERM)
        assert wait_for(lambda: tmux.pane("pane_dead") == "1", 30)
        screen = tmux.screen(history=200)
        assert "Traceback" not in screen and "BrokenPipe" not in screen, screen
        assert f"{FAST}" in screen and "results" in screen  # answers and table were shown
        rows = read_rows(csv_path)
        assert len(rows) == 2
        assert_cancelled_with_text(csv_path, rows, signal.SIGTERM)


def _alive(pid: int) -> bool:
    """Running, not a zombie (with tmux's server gone, nobody may reap it in a container)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"
