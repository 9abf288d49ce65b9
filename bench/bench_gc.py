"""Garbage-collector policies for the duel screen: worst loop lag while three panes stream.

Run: `python bench/bench_gc.py [--runs 2] [--tokens 30000] [--tps 1000] [--policy NAME]`.

The app runs headless with its real child runner against the simulator (in its own
process), three panes at `--tps` tokens/s of mixed markdown for `--tokens` tokens each;
a 10 ms timer inside the app records how late each tick fires, and a `gc.callbacks`
hook times every collection (the collector's own pauses, which the machine's other
load disturbs far less than the loop lag). Each policy replaces
`modelduel.tui.app._tame_gc` (called once the first screen is up) for that run; runs
alternate between policies. Per policy it prints the range over runs of the longest
collection pause, the worst loop lag, the p99 lag, and the ticks later than 100 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_tui

import modelduel.tui.app as app_module


def _as_before() -> None:
    # the first policy: freeze, then rare young collections and rarer full ones
    gc.collect()
    gc.freeze()
    gc.set_threshold(20_000, 50, 100)


def _default() -> None:
    gc.set_threshold(700, 10, 10)


def _freeze_default() -> None:
    gc.collect()
    gc.freeze()
    gc.set_threshold(700, 10, 10)


def _freeze_no_auto_full() -> None:
    # young and middle generations as usual; a full collection never runs by itself
    gc.collect()
    gc.freeze()
    gc.set_threshold(700, 10, 1_000_000)


def _refreeze() -> None:
    # after each middle collection, survivors are frozen: full collections stay small
    gc.collect()
    gc.freeze()
    gc.set_threshold(700, 10, 10)

    def refreeze(phase: str, info: dict[str, int]) -> None:
        if phase == "stop" and info["generation"] == 1:
            gc.freeze()

    gc.callbacks.append(refreeze)


POLICIES: dict[str, Callable[[], None]] = {
    "shipped": app_module._tame_gc,
    "as-before": _as_before,
    "default": _default,
    "freeze+default": _freeze_default,
    "freeze+no-auto-full": _freeze_no_auto_full,
    "refreeze-survivors": _refreeze,
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--tokens", type=int, default=30_000)
    parser.add_argument("--tps", type=float, default=1000)
    parser.add_argument("--policy", action="append", choices=sorted(POLICIES))
    args = parser.parse_args()
    names = args.policy or list(POLICIES)
    tmp = Path(os.environ.get("TMPDIR", "/tmp")) / "modelduel-bench"
    tmp.mkdir(exist_ok=True)
    results: dict[str, list[tuple[float, float, int, float]]] = {n: [] for n in names}
    pauses: list[float] = []
    by_generation: dict[int, float] = {}
    started: list[float] = []

    def time_collections(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            started[:] = [time.perf_counter(), time.process_time()]
        elif started:
            pauses.append((time.perf_counter() - started[0]) * 1000)
            cpu = (time.process_time() - started[1]) * 1000
            generation = info["generation"]
            by_generation[generation] = max(by_generation.get(generation, 0.0), cpu)

    def start() -> None:
        pauses.clear()
        by_generation.clear()

    with bench_tui.Simulator() as sim:
        env = {**os.environ, **sim.env, "MODELDUEL_DEMO": "1"}
        headers = [{**bench_tui._fixed(args.tps), "x-simulate-shape": "mixed"}] * 3
        for _ in range(args.runs):
            for name in names:
                # a fresh collector state per run: undo the previous policy
                gc.callbacks.clear()
                gc.unfreeze()
                gc.set_threshold(700, 10, 10)
                gc.collect()
                gc.callbacks.append(time_collections)
                app_module._tame_gc = POLICIES[name]
                r = asyncio.run(bench_tui._duel(env, headers, tmp, args.tokens, start))
                lags = r["lags_ms"]
                worst = max(lags) if lags else 0.0
                gc_max = max(pauses, default=0.0)
                over = sum(1 for x in lags if x > 100)
                results[name].append((worst, r["lag_p99_ms"], over, gc_max))
                cpu = ", ".join(f"gen{g} {ms:.0f}" for g, ms in sorted(by_generation.items()))
                by_generation.clear()
                print(
                    f"  {name}: gc pause max {gc_max:.0f} ms (CPU ms per generation, max: {cpu}),"
                    f" worst lag {worst:.0f} ms,"
                    f" p99 {r['lag_p99_ms']:.0f} ms",
                    flush=True,
                )
    print(f"3 panes x {args.tps:.0f} tok/s, {args.tokens} tokens each, {args.runs} runs:")
    for name, rows in results.items():
        worsts = [w for w, _, _, _ in rows]
        p99s = [p for _, p, _, _ in rows]
        over = [o for _, _, o, _ in rows]
        gcs = [g for _, _, _, g in rows]
        print(
            f"{name:>20}: longest gc pause {min(gcs):.0f}-{max(gcs):.0f} ms,"
            f" worst lag {min(worsts):.0f}-{max(worsts):.0f} ms,"
            f" p99 {min(p99s):.0f}-{max(p99s):.0f} ms, ticks over 100 ms {min(over)}-{max(over)}"
            f" (median worst {statistics.median(worsts):.0f} ms)"
        )


if __name__ == "__main__":
    main()
