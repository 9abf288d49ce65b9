"""`StreamMeter.stats()` cost as an answer grows: does a tick cost more at 50k chunks?

Run: `python bench/bench_meter.py [--runs 5]`. Feeds a meter N text chunks (1 ms apart,
jittered), then times `stats()` (the call every pane makes every frame); prints, per N,
the median microseconds per call over the runs and the ratio to the cost at 500 chunks
(1.0x = the cost does not grow with the answer).
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

from modelduel.core.meter import StreamMeter
from modelduel.events import RequestSent, Stamped, TextDelta

SIZES = (500, 5_000, 50_000)


def cost_us(chunks: int, rng: random.Random, calls: int = 200) -> float:
    """Microseconds per `stats()` call on a live meter that has seen `chunks` chunks."""
    meter = StreamMeter()
    meter.observe(Stamped(0, RequestSent()))
    t = 0
    for i in range(chunks):
        t += 1_000_000 + rng.randrange(-300_000, 300_000)
        meter.observe(Stamped(t, TextDelta(f"tok{i} ")))
    start = time.perf_counter()
    for j in range(calls):
        # a chunk between reads, as when a stream is live
        meter.observe(Stamped(t + j + 1, TextDelta("x")))
        meter.stats(now_ns=t + j + 1)
    return (time.perf_counter() - start) / calls * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    rng = random.Random(13)
    results = {n: [cost_us(n, rng) for _ in range(args.runs)] for n in SIZES}
    base = statistics.median(results[SIZES[0]])
    for n, values in results.items():
        med = statistics.median(values)
        print(
            f"stats() at {n:>6} chunks: {min(values):.0f}-{max(values):.0f} us"
            f" (median {med:.0f}), {med / base:.1f}x the cost at {SIZES[0]}"
        )


if __name__ == "__main__":
    main()
