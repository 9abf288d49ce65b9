"""`modelduel route` on 5k / 50k / 200k rows: wall time, peak RSS, and the part spent loading.

Run: `python bench/bench_route.py [--rows 5000,50000,200000] [--runs 3]`.

A CSV of N rows is generated once per size (10 task types x 5 models, the brief's columns
plus run_id and timestamp, seeded), then `modelduel route FILE` runs in a fresh process
`--runs` times; each line prints min / median / max wall time and peak RSS (the child's
`ru_maxrss`) over the runs, the time per 10k rows (linear in rows when it stays flat), and
how much of the median went to reading and validating the CSV (`load_route_rows` alone,
measured in the same way) versus the statistics and the bootstrap.
"""

from __future__ import annotations

import argparse
import csv
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TASK_TYPES = [f"type_{i}" for i in range(10)]
MODELS = ["openai/gpt-5.5", "anthropic/claude-opus-4-7", "gemini/gemini-3.1-pro-preview"]
MODELS += ["ollama/qwen3-coder", "openai-chat/mistral-large"]
HEADER = [
    "task_id",
    "task_type",
    "model",
    "score",
    "time_to_first_useful_s",
    "wall_time_s",
    "input_tokens",
    "output_tokens",
    "cost_usd",
    "manual_corrections",
    "notes",
    "run_id",
    "timestamp",
]


def write_csv(path: Path, rows: int, seed: int = 13) -> None:
    """A results CSV of `rows` scored runs spread over 10 task types x 5 models."""
    rng = random.Random(seed)
    with path.open("w", newline="", encoding="utf-8") as f:
        out = csv.writer(f)
        out.writerow(HEADER)
        for i in range(rows):
            m = i % len(MODELS)
            t = (i // len(MODELS)) % len(TASK_TYPES)
            score = min(5, max(0, round(rng.gauss(2.5 + 0.3 * m, 1.2))))
            cost = round(rng.uniform(0.001, 0.05) * (1 + m), 6)
            week = 1 + (i * 52) // rows
            out.writerow(
                [
                    f"task{t}-{i // 50}",
                    TASK_TYPES[t],
                    MODELS[m],
                    score,
                    f"{rng.uniform(0.3, 4.0):.3f}",
                    f"{rng.uniform(2, 40):.3f}",
                    rng.randint(100, 5000),
                    rng.randint(50, 3000),
                    cost,
                    rng.randint(0, 2),
                    "",
                    f"run-{i}",
                    f"2026-W{week:02d}-1T10:00:00Z",
                ]
            )


_CHILD = """
import resource, sys, time
t0 = time.perf_counter()
{body}
peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
sys.stderr.write(f"BENCH {{time.perf_counter() - t0}} {{peak_kb}}\\n")
"""

_ROUTE = """
from modelduel.cli import main
try:
    main(["route", sys.argv[1]])
except SystemExit:
    pass
"""

_LOAD = """
from pathlib import Path
from modelduel.commands.route import load_route_rows
load_route_rows([Path(sys.argv[1])])
"""


def run_child(body: str, path: Path) -> tuple[float, float]:
    """(seconds inside the child from before the import to the end, peak RSS in MB)."""
    code = _CHILD.format(body=body)
    proc = subprocess.run(
        [sys.executable, "-c", code, str(path)],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    )
    line = next((ln for ln in proc.stderr.splitlines() if ln.startswith("BENCH ")), None)
    if line is None:
        raise SystemExit(f"route failed:\n{proc.stderr[-2000:]}")
    _, seconds, rss_kb = line.split()
    return float(seconds), int(rss_kb) / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", default="5000,50000,200000")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    sizes = [int(s) for s in args.rows.split(",")]
    with tempfile.TemporaryDirectory() as tmp:
        for rows in sizes:
            path = Path(tmp) / f"r{rows}.csv"
            write_csv(path, rows)
            walls, rsss, loads = [], [], []
            for _ in range(args.runs):
                start = time.perf_counter()
                _, rss = run_child(_ROUTE, path)
                walls.append(time.perf_counter() - start)
                rsss.append(rss)
                loads.append(run_child(_LOAD, path)[0])
            med = statistics.median(walls)
            print(
                f"route {rows:>7} rows: wall {min(walls):.2f} / {med:.2f} / {max(walls):.2f} s"
                f" (min/median/max of {args.runs}), {med / rows * 1e4:.3f} s per 10k rows,"
                f" peak RSS {min(rsss):.0f}-{max(rsss):.0f} MB,"
                f" loading+validating {statistics.median(loads) / med:.0%} of the median"
            )


if __name__ == "__main__":
    main()
