"""`modelduel route` on 5k / 50k / 200k rows, timed from outside as the user runs it.

Run: `.venv/bin/python bench/bench_route.py [--rows 5000,50000,200000] [--runs 5]
[--columns all|brief] [--against OTHER/src]`.

A results CSV of N rows is generated once per size (10 task types x 5 models, seeded; the
header is `storage.columns`' table: every column modelduel writes, or with
`--columns brief` the brief's 11 plus run_id and timestamp). Then `python -m modelduel
route FILE` runs as a fresh process `--runs` times, its output thrown away; the time is
the parent's clock around the whole process (start-up and imports included) and the
peak RSS is that child's own `ru_maxrss` (`os.wait4`). Each size prints p50 / p95 / max
wall time, the same of its CPU time (user + system: on a shared machine the steadier
figure) and the max RSS over the runs; the last lines give two ratios: p50(200k) /
p50(50k) (4.0 would be proportional; start-up makes it less) and the cost of a row
between 50k and 200k over the cost of a row between 5k and 50k (1.0 = linear in rows).
With `--against SRC` each run of this tree is followed by one of that tree (an untouched
base, so both see the same load on a shared machine) and each size adds the ratio of the
p50s; the row-cost lines are this tree's.

`--compiled` first writes the .pyc files of both trees' modelduel packages (compileall,
into their own __pycache__), so the runs time the command as an installed package runs
it. Without it, where PYTHONDONTWRITEBYTECODE is set (as in some sandboxes) and the tree
has no .pyc yet, every run compiles each of route's ~45 modelduel modules from source
first: ~45 ms of CPU a run that no installed copy pays.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import modelduel
from modelduel.storage.columns import BRIEF_COLUMNS, COLUMNS

TASK_TYPES = [f"type_{i}" for i in range(10)]
MODELS = ["openai/gpt-5.5", "anthropic/claude-opus-4-7", "gemini/gemini-3.1-pro-preview"]
MODELS += ["ollama/qwen3-coder", "openai-chat/mistral-large"]


def header(kind: str) -> list[str]:
    """The CSV's columns, from the column table (never a list of our own)."""
    if kind == "brief":
        return [*BRIEF_COLUMNS, "run_id", "timestamp"]
    return list(COLUMNS)


def write_csv(path: Path, rows: int, columns: list[str], seed: int = 13) -> None:
    """A results CSV of `rows` scored runs spread over 10 task types x 5 models."""
    rng = random.Random(seed)
    with path.open("w", newline="", encoding="utf-8") as f:
        out = csv.writer(f)
        out.writerow(columns)
        for i in range(rows):
            m = i % len(MODELS)
            t = (i // len(MODELS)) % len(TASK_TYPES)
            week = 1 + (i * 52) // rows
            provider, model_id = MODELS[m].split("/", 1)
            row: dict[str, object] = {
                "task_id": f"task{t}-{i // 50}",
                "task_type": TASK_TYPES[t],
                "model": MODELS[m],
                "score": min(5, max(0, round(rng.gauss(2.5 + 0.3 * m, 1.2)))),
                "time_to_first_useful_s": f"{rng.uniform(0.3, 4.0):.3f}",
                "wall_time_s": f"{rng.uniform(2, 40):.3f}",
                "input_tokens": rng.randint(100, 5000),
                "output_tokens": rng.randint(50, 3000),
                "cost_usd": round(rng.uniform(0.001, 0.05) * (1 + m), 6),
                "manual_corrections": rng.randint(0, 2),
                "notes": "" if i % 7 else 'reworked, then "fine"\nsecond line',
                "run_id": f"run-{i}",
                "duel_id": f"duel-{i // len(MODELS)}",
                "timestamp": f"2026-W{week:02d}-1T10:00:00Z",
                "provider": provider,
                "model_id": model_id,
                "pane": m,
                "blind": "false",
                "simulated": "false",
                "finish_reason": "stop",
                "tokens_exact": "true",
            }
            out.writerow([row.get(name, "") for name in columns])


def run_route(path: Path, src: Path | None = None) -> tuple[float, float, float]:
    """`python -m modelduel route PATH`: (wall seconds, CPU seconds, peak RSS in MB).

    With `src`, that tree's `modelduel` package runs instead (first on `PYTHONPATH`).
    """
    env = dict(os.environ)
    if src is not None:
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(src), env.get("PYTHONPATH")]))
    with tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(
            [sys.executable, "-m", "modelduel", "route", str(path)],
            stdout=subprocess.DEVNULL,
            stderr=err,
            env=env,
        )
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode != 0:
            err.seek(0)
            raise SystemExit(f"route failed ({proc.returncode}):\n{err.read()[-2000:].decode()}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024  # KB on Linux


# What `run_route` does, phase by phase (its imports, then each step), timed in the child.
PHASES_SCRIPT = """
import io, json, sys, time
marks, last = {}, time.process_time()
def mark(name):
    global last
    now = time.process_time()
    marks[name], last = now - last, now
from pathlib import Path
from rich.console import Console
from modelduel.core.blas_threads import import_numpy_with_one_blas_thread
import_numpy_with_one_blas_thread()
from modelduel.core.routing import choose_routes, compute_table_stats
from modelduel.core.routing_rows import load_route_table
from modelduel.report import render_report
from modelduel.report_stats import route_statistics
mark("imports")
loaded = load_route_table([Path(sys.argv[1])])
mark("load")
stats = compute_table_stats(loaded.table, 4.0)
mark("cells")
routes = choose_routes(stats, "quality-per-cost")
mark("bootstrap")
statistics = route_statistics(loaded.table.coded_runs(), stats, routes)
mark("BT+power")
console = Console(file=io.StringIO(), highlight=False, width=400)
for part in render_report(stats, routes, objective="quality-per-cost", success_score=4.0,
                          simulated=None, statistics=statistics):
    console.print(part)
mark("render")
print(json.dumps(marks))
"""


def run_phases(path: Path, src: Path | None = None) -> dict[str, float]:
    """CPU seconds of each phase of `route PATH` in a fresh process (`PHASES_SCRIPT`)."""
    env = dict(os.environ)
    if src is not None:
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(src), env.get("PYTHONPATH")]))
    out = subprocess.run(
        [sys.executable, "-c", PHASES_SCRIPT, str(path)],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    marks: dict[str, float] = json.loads(out.splitlines()[-1])
    return marks


def phases_main(
    sizes: list[int], runs: int, columns: str, trees: list[tuple[str, Path | None]]
) -> None:
    """`--phases`: per size and tree, each phase's CPU p50 and range over the runs."""
    with tempfile.TemporaryDirectory() as tmp:
        for rows in sizes:
            path = Path(tmp) / f"r{rows}.csv"
            write_csv(path, rows, header(columns))
            marks: dict[str, list[dict[str, float]]] = {label: [] for label, _ in trees}
            for _ in range(runs):
                for label, src in trees:  # alternately, as the wall-time runs
                    marks[label].append(run_phases(path, src))
            for label, _ in trees:
                parts = []
                for name in marks[label][0]:
                    values = [m[name] for m in marks[label]]
                    parts.append(
                        f"{name} {statistics.median(values):.3f}"
                        f" ({min(values):.3f}-{max(values):.3f})"
                    )
                print(f"phases {rows:>7} rows, {label}: " + ", ".join(parts), flush=True)


def compile_trees(trees: list[tuple[str, Path | None]]) -> None:
    """Write the .pyc files of each tree's modelduel package (`--compiled`)."""
    for _, src in trees:
        package = Path(modelduel.__file__).parent if src is None else src / "modelduel"
        subprocess.run([sys.executable, "-m", "compileall", "-q", str(package)], check=True)


def percentile(values: list[float], q: float) -> float:
    """The q-quantile (0..1), interpolated between the nearest ranks."""
    ordered = sorted(values)
    pos = q * (len(ordered) - 1)
    low = int(pos)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (pos - low)


def _summary(label: str, walls: list[float], cpus: list[float], rss: list[float]) -> str:
    return (
        f"{label}: p50 {statistics.median(walls):.2f} s, p95 {percentile(walls, 0.95):.2f} s,"
        f" max {max(walls):.2f} s over {len(walls)} runs; CPU p50"
        f" {statistics.median(cpus):.2f} s, p95 {percentile(cpus, 0.95):.2f} s;"
        f" max RSS {max(rss):.0f} MB"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--rows", default="5000,50000,200000", help="sizes, comma-separated")
    parser.add_argument("--runs", type=int, default=5, help="runs per size")
    parser.add_argument("--columns", choices=("all", "brief"), default="all")
    parser.add_argument(
        "--against",
        type=Path,
        metavar="SRC",
        help="another tree's src/ (e.g. an untouched base) run alternately with this one;"
        " prints its figures and this tree's p50 wall and CPU over its",
    )
    parser.add_argument(
        "--phases",
        action="store_true",
        help="CPU per phase of the route's own work (p50 and range), instead of whole runs",
    )
    parser.add_argument(
        "--compiled",
        action="store_true",
        help="write both trees' .pyc files first (as an installed package has them)",
    )
    args = parser.parse_args()
    sizes = [int(s) for s in args.rows.split(",")]
    trees: list[tuple[str, Path | None]] = [("this tree", None)]
    if args.against is not None:
        trees.append(("against", args.against.resolve()))
    if args.compiled:
        compile_trees(trees)
    if args.phases:
        phases_main(sizes, args.runs, args.columns, trees)
        return
    p50: dict[int, float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for rows in sizes:
            path = Path(tmp) / f"r{rows}.csv"
            write_csv(path, rows, header(args.columns))
            runs: dict[str, tuple[list[float], list[float], list[float]]] = {
                label: ([], [], []) for label, _ in trees
            }
            for _ in range(args.runs):
                for label, src in trees:  # alternately, so both see the same load
                    for figures, value in zip(runs[label], run_route(path, src), strict=True):
                        figures.append(value)
            p50[rows] = statistics.median(runs["this tree"][0])
            size_mb = path.stat().st_size / 1e6
            for label, _ in trees:
                head = f"route {rows:>7} rows ({size_mb:.0f} MB, {args.columns} columns), {label}"
                print(_summary(head, *runs[label]), flush=True)
            if args.against is not None:
                (walls, cpus, _), (base_walls, base_cpus, _) = runs["this tree"], runs["against"]
                print(
                    f"  this tree / against: wall p50 x"
                    f"{statistics.median(walls) / statistics.median(base_walls):.2f},"
                    f" CPU p50 x{statistics.median(cpus) / statistics.median(base_cpus):.2f}",
                    flush=True,
                )
    if {50_000, 200_000} <= p50.keys():
        print(f"p50(200k) / p50(50k) = {p50[200_000] / p50[50_000]:.2f} (4.0 = proportional)")
    if {5_000, 50_000, 200_000} <= p50.keys():
        late = (p50[200_000] - p50[50_000]) / 150_000
        early = (p50[50_000] - p50[5_000]) / 45_000
        print(f"cost per row 50k-200k / 5k-50k = {late / early:.2f} (1.0 = linear in rows)")


if __name__ == "__main__":
    main()
