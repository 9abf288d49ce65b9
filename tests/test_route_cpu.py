"""What `route` does to stay cheap on big CSVs keeps its answers and the process's state."""

from __future__ import annotations

import gc
import json
import math
import os
import statistics
import subprocess
import sys
from pathlib import Path

import pytest

from modelduel import cli
from modelduel.core import routing_rows
from modelduel.core.gc_pause import paused_cyclic_gc
from modelduel.core.welch import t_cdf, t_quantile
from modelduel.errors import CsvError


def _bisect_200(q: float, df: float) -> float:
    low, high = -1e3, 1e3
    for _ in range(200):
        mid = (low + high) / 2
        if t_cdf(mid, df) < q:
            low = mid
        else:
            high = mid
    return (low + high) / 2


@pytest.mark.parametrize("df", [1.0, 2.5, 9.0, 37.3, 1000.0, 4321.5])
@pytest.mark.parametrize("q", [0.001, 0.025, 0.5, 0.8, 0.975, 0.999])
def test_the_early_stopping_quantile_is_the_200_step_bisection(q: float, df: float) -> None:
    assert t_quantile(q, df) == _bisect_200(q, df)


def test_the_quantile_is_the_normal_one_for_infinite_df() -> None:
    assert t_quantile(0.975, math.inf) == statistics.NormalDist().inv_cdf(0.975)


def test_the_collector_is_paused_inside_and_restored_after_even_on_error() -> None:
    assert gc.isenabled()
    with pytest.raises(RuntimeError), paused_cyclic_gc():
        assert not gc.isenabled()
        raise RuntimeError
    assert gc.isenabled()
    gc.disable()
    try:
        with paused_cyclic_gc():
            pass
        assert not gc.isenabled()  # it was off before: it stays off
    finally:
        gc.enable()


def _one_scored_row(tmp_path: Path) -> Path:
    good = tmp_path / "good.csv"
    good.write_text(
        "task_id,task_type,model,score,time_to_first_useful_s,wall_time_s,input_tokens,"
        "output_tokens,cost_usd,manual_corrections,notes\n"
        "t1,coding,m,4,1,1,1,1,0.1,0,\n",
        encoding="utf-8",
    )
    return good


def test_a_route_load_that_fails_leaves_the_collector_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "r.csv"
    path.write_text("task_id,task_type\n", encoding="utf-8")
    seen: list[bool] = []

    def spy(name: str) -> object:
        real = getattr(routing_rows, name)

        def spied(*args: object) -> object:
            seen.append(gc.isenabled())
            return real(*args)

        return spied

    good = _one_scored_row(tmp_path)
    # the file goes the byte-scanning way (fast_file_part) or the row-checked one
    for name in ("chunk_part", "fast_file_part"):
        monkeypatch.setattr(routing_rows, name, spy(name))
    routing_rows.load_route_table([good])
    assert seen == [False]  # validated with the collector paused
    assert gc.isenabled()
    with pytest.raises(CsvError):
        routing_rows.load_route_table([path])
    assert gc.isenabled()


# Run in a fresh interpreter (pytest's has numpy loaded already): does what the argument
# names, then prints OpenBLAS's thread count, asked of the library numpy loaded, and
# whether the variable is still in the environment a later child process would inherit.
_THREADS_AFTER = """
import ctypes, json, os, pathlib, sys, types
path = pathlib.Path(sys.argv[2])
if sys.argv[1] == "route":
    from modelduel import cli
    try:
        cli.main(["route", str(path)])
    except SystemExit:
        pass
else:  # the TUI's ctrl+r, on a stand-in for the app
    from modelduel.tui.openers import open_report
    shown = []
    app = types.SimpleNamespace(
        settings=types.SimpleNamespace(csv_path=path),
        views=[],  # no duel on screen (a blind one would stay out of the report)
        notify=lambda *a, **k: shown.append(("notify", a)),
        push_screen=lambda screen, *a: shown.append(("screen", type(screen).__name__)),
    )
    open_report(app)
    assert shown == [("screen", "ReportScreen")], shown
import numpy
libs = sorted((pathlib.Path(numpy.__file__).parent.parent / "numpy.libs").glob("*openblas*.so*"))
blas = ctypes.CDLL(str(libs[0])) if libs else None
get = getattr(blas, "scipy_openblas_get_num_threads64_", None)
print(json.dumps([None if get is None else get(), os.environ.get("OPENBLAS_NUM_THREADS")]))
"""


def _blas_threads_after(what: str, path: Path, user_setting: str | None) -> tuple[int, str | None]:
    env = {k: v for k, v in os.environ.items() if k != "OPENBLAS_NUM_THREADS"}
    if user_setting is not None:
        env["OPENBLAS_NUM_THREADS"] = user_setting
    out = subprocess.run(
        [sys.executable, "-c", _THREADS_AFTER, what, str(path)],
        capture_output=True,
        text=True,
        env=env,
        check=True,
        timeout=120,
    )
    threads, left = json.loads(out.stdout.splitlines()[-1])
    if threads is None:
        pytest.skip("numpy's BLAS here is not the bundled OpenBLAS")
    return threads, left


@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="one core: one thread either way")
@pytest.mark.parametrize("what", ["route", "tui report"])
def test_the_routing_report_holds_openblas_to_one_thread_unless_the_user_says(
    what: str, tmp_path: Path
) -> None:
    # `route` and the TUI's routing report (ctrl+r) alike: one OpenBLAS thread, and the
    # variable gone again, so the duel worker or a check's sandbox started later inherits
    # the environment as it was; a user's own setting wins
    path = _duels_csv(tmp_path)
    assert _blas_threads_after(what, path, None) == (1, None)
    assert _blas_threads_after(what, path, "2") == (2, "2")


def _duels_csv(tmp_path: Path) -> Path:
    """Two models over three duels: enough for a runner-up and a Bradley–Terry table."""
    path = tmp_path / "duels.csv"
    lines = ["task_id,task_type,model,score,time_to_first_useful_s,wall_time_s,"
             "input_tokens,output_tokens,cost_usd,manual_corrections,notes,duel_id"]  # fmt: skip
    for duel, (a, b) in enumerate([(5, 3), (4, 4), (5, 2)]):
        lines += [f"t{duel},coding,m/a,{a},1,1,1,1,0.1,0,,d{duel}",
                  f"t{duel},coding,m/b,{b},1,1,1,1,0.1,0,,d{duel}"]  # fmt: skip
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_other_commands_leave_the_blas_setting_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OPENBLAS_NUM_THREADS", raising=False)
    with pytest.raises(SystemExit):
        cli.main(["--version"])
    assert "OPENBLAS_NUM_THREADS" not in os.environ
