"""Duel-screen benchmarks: loop lag, sustained stream rate, CPU, TTFT under a flood, startup.

Run: `python bench/bench_tui.py` (everything), or `--only lag,cpu` for some parts;
`--against OLD/src --runs N` measures the loop lag and CPU of this tree and of another
source tree (`git archive`) alternating in the same run, each in a fresh process, and
prints each run's figures and the ratios of their medians. Talks only to 127.0.0.1: the
simulator runs in its own process (so it does not share this process's GIL) and records, with
`time.monotonic_ns()`, when it received each request and wrote each event; the app
runs headless with its real child-process runner.

- loop lag: a 10 ms timer inside the app; lag = how late each tick fires, while three
  panes stream at 200 tokens/s each.
- sustained rate: three panes at N tokens/s; a rate is sustained when every pane
  shows all of its text one tick after the end (the loop lag is printed beside it).
- CPU: this process plus the runner child, three panes at 100 tokens/s.
- TTFT under flood: one pane's first token arrives while two others stream at
  2,000 tokens/s; error = the pane's ttft - (server's first write - request received).
- startup: launch to first painted screen, modelduel vs a bare Textual app (headless).
"""

from __future__ import annotations

import asyncio
import multiprocessing as mp
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

# BENCH_SRC: the source tree measured (`--against` runs this script on another one)
sys.path.insert(
    0, os.environ.get("BENCH_SRC") or str(Path(__file__).resolve().parent.parent / "src")
)

from modelduel.config import Config, resolve_model
from modelduel.tui.app import AppSettings, ModelduelApp
from modelduel.tui.launch import child_runner_factory

SPECS = ["openai/gpt-5.5", "anthropic/claude-opus-4-7", "gemini/gemini-3.1-pro-preview"]


def _serve(conn: Any) -> None:
    from modelduel.simulator import run_in_thread

    with run_in_thread(seed=1, ground_truth=True) as handle:
        conn.send(handle.env())
        conn.recv()  # stop
        conn.send(handle.ground_truth())


class Simulator:
    """The simulator in a process of its own, with its ground-truth log."""

    def __enter__(self) -> Simulator:
        ctx = mp.get_context("spawn")
        self.conn, child = ctx.Pipe()
        self.proc = ctx.Process(target=_serve, args=(child,), daemon=True)
        self.proc.start()
        self.env: dict[str, str] = self.conn.recv()
        return self

    def truth(self) -> list[dict[str, Any]]:
        self.conn.send("stop")
        records: list[dict[str, Any]] = self.conn.recv()
        return records

    def __exit__(self, *exc: object) -> None:
        self.proc.terminate()
        self.proc.join(5)


def _cpu_of(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def _duel(
    env: dict[str, str],
    headers: list[dict[str, str]],
    tmp: Path,
    answer_tokens: int,
    on_start: Any = None,
) -> dict[str, Any]:
    config = Config()
    models = [resolve_model(s, config, env) for s in SPECS]
    settings = AppSettings(config, models, tmp / "bench.csv")
    app = ModelduelApp(settings, child_runner_factory(config, env))  # type: ignore[arg-type]
    lags: list[float] = []
    result: dict[str, Any] = {}
    async with app.run_test(size=(160, 48)) as pilot:
        last = time.perf_counter()

        def tick() -> None:
            nonlocal last
            now = time.perf_counter()
            lags.append(max(0.0, now - last - 0.01))
            last = now

        app.set_interval(0.01, tick)
        from modelduel.core.session import DuelState

        duel = DuelState.create(models, "Explain how a B-tree splits nodes", None)
        from modelduel.tui.duelview import DuelView

        view = DuelView.from_live(duel, False)
        app.views.append(view)
        for slot in duel.slots:
            app._runs[slot.run_id] = (view, slot)
        await app.show_view(view)
        plans = []
        for i, slot in enumerate(duel.slots):
            # a pane's own headers win (the late pane of the flood run answers briefly)
            extra = {"x-simulate-answer-tokens": str(answer_tokens), **headers[i]}
            plans.append(duel.plan(slot, extra_headers=tuple(extra.items())))
        runner = app.runner
        assert runner is not None
        child_pid = runner._proc.pid  # type: ignore[attr-defined]
        cpu0 = time.process_time() + 0.0
        child0 = _cpu_of(child_pid)
        wall0 = time.perf_counter()
        lags.clear()
        if on_start is not None:
            on_start()  # the streams start now
        await runner.start(plans)
        while not view.all_ended:
            await pilot.pause(0.05)
        wall = time.perf_counter() - wall0
        result["cpu_cores"] = (time.process_time() - cpu0 + _cpu_of(child_pid) - child0) / wall
        await pilot.pause(0.15)  # one refresh tick after the end
        await app.refresh_panes()
        panes = list(app.screen.query("ResponsePane"))
        result["caught_up"] = all(
            p._shown == len(view.stats(p.index).text)  # type: ignore[attr-defined]
            for p in panes
        )
        result["lag_p99_ms"] = statistics.quantiles(lags, n=100)[98] * 1000 if lags else 0.0
        result["lags_ms"] = [lag * 1000 for lag in lags]
        result["ttft"] = [s.stats().ttft_s for s in duel.slots]
        result["sent_ns"] = [s.meter._sent_ns for s in duel.slots]
    return result


def _fixed(tps: float, ttft_ms: float = 200, reasoning_ms: float = 0) -> dict[str, str]:
    return {
        "x-simulate-tps": str(tps),
        "x-simulate-ttft-ms": str(ttft_ms),
        "x-simulate-reasoning-ms": str(reasoning_ms),
        "x-simulate-jitter": "0",
    }


def _startup(bare: bool) -> float:
    code = "import sys,time;t0=float(sys.argv[1]);" + (
        "from textual.app import App\n"
        "class A(App):\n"
        "  def on_mount(self): self.call_after_refresh(self.done)\n"
        "  def done(self): print(time.time()-t0); self.exit()\n"
        "A().run(headless=True)"
        if bare
        else "from modelduel.tui import app as A\n"
        "from modelduel.config import Config, resolve_model\n"
        "from pathlib import Path\n"
        "c=Config();env={'OPENAI_API_KEY':'x','ANTHROPIC_API_KEY':'x','GEMINI_API_KEY':'x'}\n"
        "m=[resolve_model(s,c,env) for s in c.default_models]\n"
        "first=A.DuelScreen.on_mount\n"
        "def on_mount(self):\n"
        "  first(self); self.call_after_refresh(done, self.app)\n"
        "def done(app): print(time.time()-t0); app.exit()\n"
        "A.DuelScreen.on_mount=on_mount\n"
        "A.ModelduelApp(A.AppSettings(c,m,Path('/tmp/x.csv')), lambda a: A.Runner()).run("
        "headless=True)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, repr(time.time())], capture_output=True, text=True, check=True
    )
    return float(out.stdout.strip().splitlines()[-1])


def _lag(env: dict[str, str], tmp: Path) -> float:
    r = asyncio.run(_duel(env, [_fixed(200)] * 3, tmp, 1200))
    print(f"loop lag, 3 panes x 200 tok/s: p99 {r['lag_p99_ms']:.1f} ms", flush=True)
    return float(r["lag_p99_ms"])


def _cpu(env: dict[str, str], tmp: Path) -> float:
    r = asyncio.run(_duel(env, [_fixed(100)] * 3, tmp, 600))
    print(f"CPU, 3 panes x 100 tok/s: {r['cpu_cores']:.2f} cores (app + runner child)", flush=True)
    return float(r["cpu_cores"])


def _rates(env: dict[str, str], tmp: Path) -> None:
    for tps in (500, 1000, 2000, 4000):
        r = asyncio.run(_duel(env, [_fixed(tps)] * 3, tmp, tps * 3))
        # "keeps up": every pane shows all its text one tick after the stream ends
        verdict = "keeps up" if r["caught_up"] else "falls behind"
        print(f"{tps} tok/s per pane: {verdict}; loop lag p99 {r['lag_p99_ms']:.1f} ms")


def _ttft(env: dict[str, str], tmp: Path, sim: Simulator) -> None:
    first_token_ns: list[int] = []
    for _ in range(10):
        late = {**_fixed(60, 700), "x-simulate-answer-tokens": "60"}
        flood = [_fixed(2000, 0), _fixed(2000, 0), late]
        r = asyncio.run(_duel(env, flood, tmp, 3000))
        first_token_ns.append(r["sent_ns"][2] + round(r["ttft"][2] * 1e9))
    truth = sim.truth()
    # The late pane's requests, in order. Both processes read time.monotonic_ns (one
    # clock on Linux), so the client's first-token stamp minus the server's write of
    # that event is the measurement's own error: loopback transit plus client delay.
    late = [t for t in truth if t.get("model") == "gemini-3.1-pro-preview"][-10:]
    diffs = []
    for stamped, record in zip(first_token_ns, late, strict=True):
        first = next(e["written_ns"] for e in record["events"] if e.get("tokens"))
        diffs.append((stamped - first) / 1e6)
    diffs.sort()
    print(
        f"ttft error while two panes flood at 2000 tok/s: n={len(diffs)} "
        f"median {statistics.median(diffs):.2f} ms p90 {diffs[8]:.2f} ms max {diffs[-1]:.2f} ms"
    )


PARTS = ("lag", "cpu", "rates", "ttft", "startup")


def _against(src: str, runs: int, parts: list[str]) -> None:
    """Lag and CPU of this tree and of `src`, alternating, each run in a fresh process."""
    figures: dict[tuple[str, str], list[float]] = {}
    for _ in range(runs):
        for label, tree in (("this tree", ""), ("--against", src)):
            for part in parts:
                out = subprocess.run(
                    [sys.executable, __file__, "--only", part],
                    capture_output=True,
                    text=True,
                    check=True,
                    env={**os.environ, "BENCH_SRC": tree},
                )
                line = out.stdout.strip().splitlines()[-1]
                print(f"[{label}] {line}", flush=True)
                value = float(
                    line.split("p99 ")[-1].split()[0]
                    if part == "lag"
                    else line.split(": ")[1].split()[0]
                )
                figures.setdefault((part, label), []).append(value)
    for part in parts:
        ours = statistics.median(figures[(part, "this tree")])
        theirs = statistics.median(figures[(part, "--against")])
        print(f"{part}: median this tree / --against: {ours / theirs:.2f}")


def main() -> None:
    """Run the measurements asked for and print one line each."""
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--only", default=",".join(PARTS), help="comma-separated: " + ", ".join(PARTS)
    )
    parser.add_argument("--against", default="", help="another source tree: lag and CPU A/B")
    parser.add_argument("--runs", type=int, default=2)
    args = parser.parse_args()
    parts = [p for p in args.only.split(",") if p]
    unknown = sorted(set(parts) - set(PARTS))
    if unknown:
        raise SystemExit(f"--only: unknown part {unknown[0]!r}; choose from {', '.join(PARTS)}")
    if args.against:
        _against(args.against, args.runs, [p for p in parts if p in ("lag", "cpu")])
        return
    tmp = Path(os.environ.get("TMPDIR", "/tmp")) / "modelduel-bench"
    tmp.mkdir(exist_ok=True)
    with Simulator() as sim:
        env = {**os.environ, **sim.env, "MODELDUEL_DEMO": "1"}
        if "lag" in parts:
            _lag(env, tmp)
        if "cpu" in parts:
            _cpu(env, tmp)
        if "rates" in parts:
            _rates(env, tmp)
        if "ttft" in parts:
            _ttft(env, tmp, sim)
    if "startup" in parts:
        bare = statistics.median(_startup(True) for _ in range(3))
        ours = statistics.median(_startup(False) for _ in range(3))
        print(
            f"startup to first paint (headless): bare Textual {bare:.3f} s, modelduel {ours:.3f} s"
        )


if __name__ == "__main__":
    main()
