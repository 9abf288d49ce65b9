"""What `route` does to stay cheap on big CSVs keeps its answers and the process's state."""

from __future__ import annotations

import gc
import math
import os
import statistics
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
    real = routing_rows.chunk_part

    def spy(*args: object) -> object:
        seen.append(gc.isenabled())
        return real(*args)  # type: ignore[arg-type]

    good = _one_scored_row(tmp_path)
    monkeypatch.setattr(routing_rows, "chunk_part", spy)
    routing_rows.load_route_table([good])
    assert seen == [False]  # validated with the collector paused
    assert gc.isenabled()
    with pytest.raises(CsvError):
        routing_rows.load_route_table([path])
    assert gc.isenabled()


def test_route_keeps_openblas_to_one_thread_unless_the_user_says(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    good = _one_scored_row(tmp_path)
    monkeypatch.delenv("OPENBLAS_NUM_THREADS", raising=False)
    with pytest.raises(SystemExit):
        cli.main(["--version"])
    assert "OPENBLAS_NUM_THREADS" not in os.environ  # other commands leave it alone
    with pytest.raises(SystemExit):
        cli.main(["route", str(good)])
    assert os.environ["OPENBLAS_NUM_THREADS"] == "1"
    monkeypatch.setenv("OPENBLAS_NUM_THREADS", "2")
    with pytest.raises(SystemExit):
        cli.main(["route", str(good)])
    assert os.environ["OPENBLAS_NUM_THREADS"] == "2"
