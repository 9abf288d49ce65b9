"""Duel-screen benchmarks: loop lag, sustained stream rate, CPU, TTFT under a flood, startup.

Run: `python bench/bench_tui.py` (everything), or `--only lag,cpu` for some parts;
`--against OLD/src --runs N` measures the loop lag and CPU of this tree and of another
source tree (`git archive`) alternating in the same run, each in a fresh process, and
prints each run's figures and the ratios of their medians. Talks only to 127.0.0.1: the
simulator runs in its own process (so it does not share this process's GIL) and records, with
`time.monotonic_ns()`, when it received each request and wrote each event; the app
runs headless with its real child-process runner.

- loop lag: a 10 ms timer inside the app; lag = how late each tick fires, while three
  panes stream at 200 tokens/s each for 30 s (the first 2 s left out): p99, max, and the
  ticks over 100 ms.
- stalls: the same timer while three panes stream 30k tokens at 1,000 tokens/s each: the
  worst tick (target: none over 100 ms).
- sustained rate: three panes at N tokens/s; a rate is sustained when every pane
  shows all of its text one tick after the end (the loop lag is printed beside it).
- CPU: this process plus the runner child, three panes at 100 tokens/s for 15 s.
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
    skip_s: float = 0.0,
    probe: bool = True,
) -> dict[str, Any]:
    """One duel of three panes; `probe=False` (the CPU run) leaves out what only the
    loop-lag figures need: the 10 ms timer, and waiting for the end with `pilot.pause`
    (each pause sends a message to every widget and waits for all: ~9 % of the app's CPU
    in a profile of the CPU run, the harness's and not the app's)."""
    config = Config()
    models = [resolve_model(s, config, env) for s in SPECS]
    settings = AppSettings(config, models, tmp / "bench.csv")
    app = ModelduelApp(settings, child_runner_factory(config, env))  # type: ignore[arg-type]
    lags: list[float] = []
    result: dict[str, Any] = {}
    repaints = [0]
    display = app._display

    def counted(screen: Any, renderable: Any) -> None:
        # a compositor pass that produced an update (headless: not written out)
        if renderable is not None:
            repaints[0] += 1
        display(screen, renderable)

    app._display = counted  # type: ignore[method-assign]
    async with app.run_test(size=(160, 48)) as pilot:
        last = time.perf_counter()

        def tick() -> None:
            nonlocal last
            now = time.perf_counter()
            if now - wall0 >= skip_s:  # the streams' start is left out (see `_lag`)
                lags.append(max(0.0, now - last - 0.01))
            last = now

        wall0 = float("inf")  # set when the streams start

        if probe:
            app.set_interval(0.01, tick)
        from modelduel.core.session import DuelState

        duel = DuelState.create(models, "Explain how a B-tree splits nodes", None)
        from modelduel.tui.duelview import DuelView

        view = DuelView.from_live(duel, False)
        app.views.append(view)
        for slot in duel.slots:
            app.runs[slot.run_id] = (view, slot)
        await app.show_view(view)
        plans = []
        for i, slot in enumerate(duel.slots):
            # a pane's own headers win (the late pane of the flood run answers briefly)
            extra = {"x-simulate-answer-tokens": str(answer_tokens), **headers[i]}
            plans.append(duel.plan(slot, extra_headers=tuple(extra.items())))
        await app.wait_runner()  # the runner child is opened after the first frame
        runner = app.runner
        assert runner is not None
        child_pid = runner._proc.pid  # type: ignore[attr-defined]
        cpu0 = time.process_time() + 0.0
        child0 = _cpu_of(child_pid)
        frames0, repaints0 = app.pacer.frames, repaints[0]
        wall0 = time.perf_counter()
        lags.clear()
        if on_start is not None:
            on_start()  # the streams start now
        await runner.start(plans)
        while not view.all_ended:
            if probe:
                await pilot.pause(0.05)
            else:
                await asyncio.sleep(0.05)
        wall = time.perf_counter() - wall0
        app_s = time.process_time() - cpu0
        child_s = _cpu_of(child_pid) - child0
        result["app_cores"] = app_s / wall
        result["child_cores"] = child_s / wall
        result["cpu_cores"] = result["app_cores"] + result["child_cores"]
        tokens = sum(s.stats().output_tokens or 0 for s in duel.slots)
        result["tokens"] = tokens
        # CPU seconds for the same work, whatever the wall time: the streams' tokens are
        # fixed, so CPU per token compares two trees fairly when the machine is loaded
        result["cpu_ms_per_ktok"] = (app_s + child_s) * 1e6 / max(1, tokens)
        result["frames"] = app.pacer.frames - frames0
        result["repaints"] = repaints[0] - repaints0
        result["app_ms_per_repaint"] = app_s * 1e3 / max(1, result["repaints"])
        await pilot.pause(0.15)  # one refresh tick after the end
        await app.refresh_panes()
        panes = list(app.screen.query("ResponsePane"))
        result["caught_up"] = all(
            p._shown == len(view.stats(p.index).text)  # type: ignore[attr-defined]
            for p in panes
        )
        result["lag_p99_ms"] = (
            statistics.quantiles(lags, n=100)[98] * 1000 if len(lags) > 1 else 0.0
        )
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


LAG_TOKENS = 6000
"""Each pane's answer in the loop-lag run: 30 s at 200 tok/s, so its p99 is of ~2,500
ticks, not the few worst of a stream over in seconds."""
LAG_SKIP_S = 2.0
"""The ticks of the streams' first seconds are left out of the loop lag: the panes' first
layout and the runs' start are a launch cost, once per duel, and they were the worst tick
of every short run."""
STALL_TOKENS = 30_000
"""Each pane's answer in the stall run (3 x 1000 tok/s: 30 s)."""


def _lag_line(r: dict[str, Any]) -> str:
    lags = r["lags_ms"]
    over = sum(1 for lag in lags if lag > 100)
    top = max(lags, default=0.0)
    return f"p99 {r['lag_p99_ms']:.1f} ms, max {top:.0f} ms, over 100 ms {over} (n={len(lags)})"


def _lag(env: dict[str, str], tmp: Path) -> float:
    r = asyncio.run(_duel(env, [_fixed(200)] * 3, tmp, LAG_TOKENS, skip_s=LAG_SKIP_S))
    print(
        f"loop lag, 3 panes x 200 tok/s x {LAG_TOKENS} tokens, first {LAG_SKIP_S:.0f} s"
        f" left out: {_lag_line(r)}",
        flush=True,
    )
    return float(r["lag_p99_ms"])


def _stall(env: dict[str, str], tmp: Path) -> float:
    r = asyncio.run(_duel(env, [_fixed(1000)] * 3, tmp, STALL_TOKENS, skip_s=LAG_SKIP_S))
    print(
        f"loop stalls, 3 panes x 1000 tok/s x {STALL_TOKENS} tokens, first"
        f" {LAG_SKIP_S:.0f} s left out: {_lag_line(r)}",
        flush=True,
    )
    return max(r["lags_ms"], default=0.0)


CPU_TOKENS = 1500
"""Each pane's answer in the CPU run (15 s at 100 tok/s: the start is a small part)."""


def _cpu(env: dict[str, str], tmp: Path) -> float:
    r = asyncio.run(_duel(env, [_fixed(100)] * 3, tmp, CPU_TOKENS, probe=False))
    print(
        f"CPU, 3 panes x 100 tok/s: {r['cpu_cores']:.2f} cores (app + runner child:"
        f" {r['app_cores']:.2f} + {r['child_cores']:.2f}; load {os.getloadavg()[0]:.2f});"
        f" {r['cpu_ms_per_ktok']:.0f} ms CPU per 1k tokens ({r['tokens']} tokens),"
        f" {r['frames']} pacer frames, {r['repaints']} screen repaints"
        f" ({r['app_ms_per_repaint']:.1f} ms app CPU per repaint)",
        flush=True,
    )
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


PARTS = ("lag", "stall", "cpu", "rates", "ttft", "startup")


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
                if part == "lag":
                    figure = line.split("p99 ")[-1].split()[0]
                elif part == "stall":
                    figure = line.split("max ")[-1].split()[0]
                else:
                    figure = line.split(": ")[1].split()[0]
                value = float(figure)
                figures.setdefault((part, label), []).append(value)
                if part == "cpu":  # the load-independent figures of the same line
                    per_ktok = float(line.split(" ms CPU per 1k tokens")[0].split()[-1])
                    repaints = float(line.split(" screen repaints")[0].split()[-1])
                    figures.setdefault(("cpu ms/1k tokens", label), []).append(per_ktok)
                    figures.setdefault(("cpu repaints", label), []).append(repaints)
    names = [p for p in parts if p != "cpu"]
    if "cpu" in parts:
        names += ["cpu", "cpu ms/1k tokens", "cpu repaints"]
    for name in names:
        ours_all = figures[(name, "this tree")]
        theirs_all = figures[(name, "--against")]
        ours, theirs = statistics.median(ours_all), statistics.median(theirs_all)
        print(
            f"{name}: median this tree / --against: {ours / theirs:.2f}"
            f" (this tree {min(ours_all):g}-{max(ours_all):g},"
            f" --against {min(theirs_all):g}-{max(theirs_all):g})"
        )


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
        _against(args.against, args.runs, [p for p in parts if p in ("lag", "stall", "cpu")])
        return
    tmp = Path(os.environ.get("TMPDIR", "/tmp")) / "modelduel-bench"
    tmp.mkdir(exist_ok=True)
    with Simulator() as sim:
        env = {**os.environ, **sim.env, "MODELDUEL_DEMO": "1"}
        if "lag" in parts:
            _lag(env, tmp)
        if "stall" in parts:
            _stall(env, tmp)
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
