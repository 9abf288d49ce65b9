"""Issue 14's routing statistics on 200,000 rows: Bradley–Terry + duel bootstrap + power.

Run: `python bench/bench_route_stats.py [--duels 40000] [--models 5] [--types 10] [--runs 5]`.

Rows are generated in memory, seeded: `--duels` duels spread over `--types` task types,
each duel one run of every one of `--models` models (40,000 x 5 = 200,000 rows), scores
0-5 drawn around a per-model mean, a quarter of the duels also ranked (the `rank`
column), costs and times set. Per repetition it times, in this process, what
`modelduel route` adds for issue 14 on top of the routing rule (`compute_stats` and
`choose_routes` are s13route's and timed apart, as context):

- `preference`: `core.preference.preference_table` with the 1,000-resample bootstrap
  (the comparisons, the fit and the intervals);
- `power`: `core.power.separations` over the routes;
- `stats total`: both, i.e. `report_stats.route_statistics`.

It prints min / p50 / p90 / max over `--runs` repetitions of wall time (`perf_counter`)
and CPU time (`process_time`: on a shared machine wall time includes waiting for a core),
plus the bootstrap's share. No assertion: the unit tests never assert timings.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from collections.abc import Callable

import numpy as np

from modelduel.core.power import separations
from modelduel.core.preference import preference_table
from modelduel.core.routing import choose_routes, compute_stats
from modelduel.report_stats import BOOTSTRAP_SEED

MODELS = ["openai/gpt-5.5", "anthropic/claude-opus-4-7", "gemini/gemini-3.1-pro-preview"]
MODELS += ["ollama/qwen3-coder", "openai-chat/mistral-large"]


def make_rows(duels: int, models: int, types: int, seed: int = 14) -> list[dict[str, str]]:
    """`duels` duels of `models` models each over `types` task types, as CSV-text rows."""
    rng = random.Random(seed)
    names = [MODELS[m % len(MODELS)] + ("" if m < len(MODELS) else f"-{m}") for m in range(models)]
    rows: list[dict[str, str]] = []
    for d in range(duels):
        task_type = f"type_{d % types}"
        scores = [min(5, max(0, round(rng.gauss(2.5 + 0.3 * m, 1.2)))) for m in range(models)]
        ranked = rng.random() < 0.25
        order = sorted(range(models), key=lambda m: (-scores[m], rng.random()))
        rank = {m: str(i + 1) for i, m in enumerate(order)}
        for m, name in enumerate(names):
            rows.append(
                {
                    "task_id": f"task{d % (types * 3)}",
                    "task_type": task_type,
                    "model": name,
                    "score": str(scores[m]),
                    "time_to_first_useful_s": f"{rng.uniform(0.3, 4.0):.3f}",
                    "cost_usd": f"{rng.uniform(0.001, 0.05) * (1 + m):.6f}",
                    "run_id": f"run-{d}-{m}",
                    "duel_id": f"duel-{d}",
                    "rank": rank[m] if ranked else "",
                }
            )
    return rows


def timed(fn: Callable[[], object]) -> tuple[float, float]:
    """(wall seconds, CPU seconds) of one call."""
    wall, cpu = time.perf_counter(), time.process_time()
    fn()
    return time.perf_counter() - wall, time.process_time() - cpu


def summary(name: str, values: list[float]) -> str:
    ordered = sorted(values)
    p90 = ordered[min(len(ordered) - 1, round(0.9 * (len(ordered) - 1)))]
    return (
        f"{name:<22} min {ordered[0]:.3f}  p50 {statistics.median(ordered):.3f}  "
        f"p90 {p90:.3f}  max {ordered[-1]:.3f} s"
    )


def main() -> None:
    """Generate the rows once, time the statistics `--runs` times, print percentiles."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duels", type=int, default=40_000)
    parser.add_argument("--models", type=int, default=5)
    parser.add_argument("--types", type=int, default=10)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    rows = make_rows(args.duels, args.models, args.types)
    stats = compute_stats(rows)
    routes = choose_routes(stats)
    print(
        f"{len(rows):,} rows: {args.duels:,} duels x {args.models} models over {args.types} "
        f"task types; {args.runs} runs"
    )
    results: dict[str, list[float]] = {}
    for _ in range(args.runs):
        steps: dict[str, Callable[[], object]] = {
            "preference (no CI)": lambda: preference_table(rows),
            "preference + bootstrap": lambda: preference_table(
                rows, rng=np.random.default_rng(BOOTSTRAP_SEED)
            ),
            "power": lambda: separations(stats, routes),
            "routing rule (context)": lambda: choose_routes(compute_stats(rows)),
        }
        for name, fn in steps.items():
            wall, cpu = timed(fn)
            results.setdefault(f"{name} wall", []).append(wall)
            results.setdefault(f"{name} cpu", []).append(cpu)
        total = [
            results["preference + bootstrap wall"][-1] + results["power wall"][-1],
            results["preference + bootstrap cpu"][-1] + results["power cpu"][-1],
        ]
        results.setdefault("stats total wall", []).append(total[0])
        results.setdefault("stats total cpu", []).append(total[1])
    for name, values in results.items():
        print(summary(name, values))


if __name__ == "__main__":
    main()
