"""What the user sees, from outside: the real app in a real terminal (tmux).

Run: `python bench/bench_screen.py [lag|flood|rss|launch|all] [--runs 3]` (needs tmux).

- lag: `modelduel` runs in a tmux window against a replay server (in its own process)
  that streams three scripted markdown answers over the OpenAI Chat Completions wire
  protocol and records, with `time.monotonic_ns()`, when it wrote each chunk. Every
  ~12th token of an answer is a unique marker (`A00042`); this process polls
  `tmux capture-pane` and notes when each marker first appears on the screen, on the
  same clock. bytes -> screen lag = first seen - written. Scenarios: 3 x 100 and
  3 x 300 tok/s of prose (2k tokens), and 3 x 300 tok/s of one 4k-token code block.
  Prints p50 / p95 / max per run (the poll interval, also printed, bounds the error).
- flood: pane A floods (~2,000 deltas/s, ~12k tok/s, code blocks and tables), B and C
  stream at 100 tok/s: B and C's lag percentiles, and how long after A's last write
  A's last marker shows.
- rss: three ~200,000-character answers at high rate, then the resident memory of the
  app and its runner child together (MB) once they are on screen.
- launch: launch to first painted frame in tmux, `modelduel --demo` against a bare
  Textual app, alternating in the same run: the ratio of medians.
"""

from __future__ import annotations

import argparse
import itertools
import json
import multiprocessing as mp
import os
import re
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
MARKER = re.compile(r"\b([A-C])(\d{5})\b")
SCENARIO = ""  # --scenario TEXT: only the lag scenarios whose name has TEXT
AGAINST = ""  # --against SRC: every duel also runs from that source tree, alternating
PROFILE = ""  # --profile PATH: each duel's app is sampled by py-spy into PATH.N
_PROFILES = itertools.count()
WORDS = ["the", "tree", "splits", "a", "node", "when", "it", "overflows", "and", "pushes"]


# ---------------------------------------------------------------- answers


def answer_tokens(letter: str, tokens: int, shape: str) -> tuple[list[str], dict[int, int]]:
    """Token texts of one answer, and marker number -> index of the token holding it."""
    out: list[str] = []
    markers: dict[int, int] = {}
    n = 0
    line_words = 0
    if shape == "code":
        out.append("Here is the file:\n\n```python\n")
    while len(out) < tokens:
        i = len(out)
        if i % 12 == 0:
            markers[n] = len(out)
            word = f"{letter}{n:05d}"
            n += 1
        else:
            word = WORDS[i % len(WORDS)]
        if shape == "code":
            text = f"    value_{word} = call({i})  # {word}\n" if i % 3 == 0 else f" {word}"
        elif shape == "flood":
            j = i % 400
            if j == 0:
                text = "\n\n```python\n"
            elif j == 60:
                text = "\n```\n\n| key | value |\n|---|---|\n"
            elif 60 < j < 120 and j % 4 == 0:
                text = f"| {word} | {i} |\n"
            elif j == 120:
                text = "\n"
            else:
                text = f" {word}"
        else:
            line_words += 1
            text = f" {word}"
            if line_words % 70 == 0:
                text += "\n\n"
            elif line_words % 70 == 50:
                text += "\n\n- "
        out.append(text)
    if shape == "code":
        out.append("\n```\n")
    return out, markers


def chat_frames(tokens: list[str], per_chunk: int) -> list[bytes]:
    base = {"id": "c", "object": "chat.completion.chunk", "model": "m"}
    frames = [{**base, "choices": [{"index": 0, "delta": {"role": "assistant"}}]}]
    for i in range(0, len(tokens), per_chunk):
        content = "".join(tokens[i : i + per_chunk])
        frames.append({**base, "choices": [{"index": 0, "delta": {"content": content}}]})
    frames.append({**base, "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]})
    usage = {"prompt_tokens": 5, "completion_tokens": len(tokens), "total_tokens": len(tokens)}
    frames.append({**base, "choices": [], "usage": usage})
    out = [f"data: {json.dumps(f)}\n\n".encode() for f in frames]
    return [*out, b"data: [DONE]\n\n"]


# ---------------------------------------------------------------- the server process


def _serve(conn: Any, plans: dict[str, tuple[int, str, float, int]]) -> None:
    """Replay server: model name -> (tokens, shape, tokens/s, tokens per chunk)."""
    import asyncio

    from tests.support.replay_server import Script, running_server

    async def main() -> None:
        def route(got: Any) -> Any:
            model = got.json()["model"]
            tokens, shape, tps, per_chunk = plans[model]
            frames = chat_frames(answer_tokens(model[-1].upper(), tokens, shape)[0], per_chunk)
            delay = per_chunk / tps
            return Script([(0.0, frames[0]), *((delay, f) for f in frames[1:])])

        async with running_server(route) as server:
            conn.send(server.base)
            while not conn.poll():
                await asyncio.sleep(0.1)
            conn.recv()
            conn.send([(json.loads(r.body)["model"], r.written_ns) for r in server.requests])

    asyncio.run(main())


# ---------------------------------------------------------------- tmux


def tmux(*args: str) -> str:
    return subprocess.run(["tmux", *args], check=True, capture_output=True, text=True).stdout


def _in_env(env: dict[str, str], cmd: str) -> str:
    """`cmd` run with exactly `env`, whatever tmux server runs it.

    A tmux session takes its environment from the server's (copied when the server
    started), not from the client that asks for the session: with a server already
    running (another bench's, or a session kept open), every later session ran with the
    first one's PYTHONPATH and base URL, so `--against` measured the wrong tree and duels
    connected to a server long gone.
    """
    pairs = " ".join(shlex.quote(f"{k}={v}") for k, v in sorted(env.items()))
    return f"env -i {pairs} sh -c {shlex.quote(cmd)}"


def _env(tmp: str, base: str | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.endswith("_API_KEY")}
    env.pop("MODELDUEL_CONFIG", None)
    env["XDG_CONFIG_HOME"] = tmp
    if base is not None:
        env.update({"OPENAI_API_KEY": "sk-bench", "OPENAI_BASE_URL": f"{base}/v1"})
    return env


def _tree_rss_parts(pid: int) -> list[tuple[str, float]]:
    """Each process of the tree from `pid` (its command line, shortened) and its RSS in MB."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    parts: list[tuple[str, float]] = []
    todo = [pid]
    while todo:
        p = todo.pop()
        todo += children.get(p, [])
        try:
            argv = Path(f"/proc/{p}/cmdline").read_bytes().split(b"\0")
            name = " ".join(a.decode(errors="replace") for a in argv[1:3])[:40]
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    parts.append((name, int(line.split()[1]) / 1024))
        except OSError:
            pass
    return parts


def run_duel(
    plans: dict[str, tuple[int, str, float, int]], timeout: float, src: str = ""
) -> dict[str, Any]:
    """One duel in tmux; marker first-seen times, write times, RSS at the end.

    `src`: run the app from this source tree instead (`--against`, an A/B in one run).
    """
    ctx = mp.get_context("spawn")
    conn, child = ctx.Pipe()
    server = ctx.Process(target=_serve, args=(child, plans), daemon=True)
    server.start()
    base = conn.recv()
    session = f"bench-screen-{os.getpid()}"
    with tempfile.TemporaryDirectory() as tmp:
        models = " ".join(f"-m openai-chat/{m}" for m in plans)
        app = f"{sys.executable} -m modelduel {models} --csv {tmp}/r.csv"
        if PROFILE:
            # py-spy (not a project dependency) samples the app while it draws
            spy = Path(sys.executable).with_name("py-spy")
            app = f"{spy} record -r 250 -d 12 -f raw -o {PROFILE}.{next(_PROFILES)} -- {app}"
        env = {**_env(tmp, base), **({"PYTHONPATH": src} if src else {})}
        if not src:
            env.pop("PYTHONPATH", None)
        cmd = _in_env(env, f"cd {shlex.quote(tmp)} && {app}; sleep 60")
        size = ["-x", "210", "-y", "50"]
        subprocess.run(
            ["tmux", "new-session", "-d", "-s", session, *size, cmd], check=True, cwd=tmp
        )
        try:
            deadline = time.monotonic() + 30
            while "Ready." not in tmux("capture-pane", "-p", "-t", session):
                if time.monotonic() > deadline:
                    raise SystemExit(
                        "the app did not start:\n" + tmux("capture-pane", "-p", "-t", session)
                    )
                time.sleep(0.1)
            tmux("send-keys", "-t", session, "Explain B-trees")
            time.sleep(0.3)
            tmux("send-keys", "-t", session, "C-j")
            seen: dict[str, int] = {}
            polls: list[int] = []
            last_new = time.monotonic()
            end = time.monotonic() + timeout
            while time.monotonic() < end:
                t = time.monotonic_ns()
                screen = tmux("capture-pane", "-p", "-t", session)
                polls.append(t)
                for m in MARKER.finditer(screen):
                    if m.group(0) not in seen:
                        seen[m.group(0)] = t
                        last_new = time.monotonic()
                if screen.count(" done") >= len(plans) and time.monotonic() - last_new > 2:
                    break
            pid = int(tmux("display", "-p", "-t", session, "#{pane_pid}").strip())
            rss_parts = _tree_rss_parts(pid)
            rss = sum(mb for _, mb in rss_parts)
        finally:
            subprocess.run(["tmux", "kill-session", "-t", session], capture_output=True)
    conn.send("stop")
    written = conn.recv()
    server.terminate()
    server.join(5)
    gaps = [b - a for a, b in itertools.pairwise(polls)]
    return {
        "seen": seen,
        "written": written,
        "rss_mb": rss,
        "rss_parts": rss_parts,
        "poll_ms": _median_ms(gaps),
    }


def _median_ms(ns: list[int]) -> float:
    return statistics.median(ns) / 1e6 if ns else float("nan")


def marker_lags(
    result: dict[str, Any], plans: dict[str, tuple[int, str, float, int]], letters: str
) -> tuple[list[float], dict[str, tuple[int, int | None]]]:
    """Lags (ms) of the given panes' markers seen; per pane, its last marker's
    (write time, first seen or None)."""
    lags: list[float] = []
    ends: dict[str, tuple[int, int | None]] = {}
    for model, written_ns in result["written"]:
        letter = model[-1].upper()
        tokens, shape, _, per_chunk = plans[model]
        _, markers = answer_tokens(letter, tokens, shape)
        last: tuple[int, int | None] = (0, None)
        for n, token_index in markers.items():
            frame = 1 + token_index // per_chunk  # frame 0 is the role delta
            if frame >= len(written_ns):
                # the server never wrote it: the app read its stream too slowly to finish
                # within the bench's wait (the socket's back-pressure held the server)
                ends[letter] = (0, None)
                break
            seen = result["seen"].get(f"{letter}{n:05d}")
            if seen is not None and letter in letters:
                lags.append((seen - written_ns[frame]) / 1e6)
            last = (written_ns[frame], seen)
        else:
            ends[letter] = last
    return lags, ends


def _pcts(values: list[float]) -> str:
    if len(values) < 2:
        return f"n={len(values)}"
    q = statistics.quantiles(values, n=100)
    return f"p50 {q[49]:.0f} ms, p95 {q[94]:.0f} ms, max {max(values):.0f} ms (n={len(values)})"


def bench_lag(runs: int) -> None:
    scenarios = {
        "3 x 100 tok/s, prose 2k tokens": (2000, "prose", 100.0),
        "3 x 300 tok/s, prose 2k tokens": (2000, "prose", 300.0),
        "3 x 300 tok/s, one 4k-token code block": (4000, "code", 300.0),
    }
    only = {k: v for k, v in scenarios.items() if SCENARIO in k}
    scenarios = only or scenarios
    for name, (tokens, shape, tps) in scenarios.items():
        for _ in range(runs):
            plans = {f"bench-{x}": (tokens, shape, tps, 1) for x in "abc"}
            p50s = []
            for label, src in _variants():
                result = run_duel(plans, timeout=tokens / tps + 30, src=src)
                lags, _ = marker_lags(result, plans, "ABC")
                p50s.append(statistics.median(lags) if lags else float("nan"))
                print(
                    f"bytes->screen {name}{label}: {_pcts(lags)}; poll {result['poll_ms']:.0f} ms"
                )
            if len(p50s) == 2:
                print(f"  p50 ratio this tree / --against: {p50s[0] / p50s[1]:.2f}")


def _variants() -> list[tuple[str, str]]:
    """This tree, then (with --against SRC) the other tree, in the same run."""
    if not AGAINST:
        return [("", "")]
    return [(" [this tree]", ""), (" [--against]", AGAINST)]


def bench_flood(runs: int) -> None:
    for _ in range(runs):
        plans = {
            "bench-a": (120_000, "flood", 12_000.0, 6),
            "bench-b": (1000, "prose", 100.0, 1),
            "bench-c": (1000, "prose", 100.0, 1),
        }
        for label, src in _variants():
            result = run_duel(plans, timeout=60, src=src)
            lags, ends = marker_lags(result, plans, "BC")
            write_end, seen_end = ends.get("A", (0, None))
            tail = "never" if seen_end is None else f"{(seen_end - write_end) / 1e9:.2f} s"
            a_written = dict(result["written"]).get("bench-a", [])
            # the server writes no faster than the app reads (the socket's back-pressure):
            # a stream that took much longer than its 10 s was held back by the app
            took = (a_written[-1] - a_written[0]) / 1e9 if a_written else float("nan")
            print(f"  the flooding stream: {len(a_written)} frames written in {took:.1f} s")
            print(
                f"flood{label}: the other panes' bytes->screen {_pcts(lags)}; the flooding"
                f" pane's last marker shows {tail} after it was written;"
                f" poll {result['poll_ms']:.0f} ms"
            )


def bench_rss(runs: int) -> None:
    for _ in range(runs):
        # ~4.3 characters per token here: 47k tokens is about 200,000 characters
        plans = {f"bench-{x}": (47_000, "prose", 4000.0, 4) for x in "abc"}
        for label, src in _variants():
            result = run_duel(plans, timeout=90, src=src)
            print(
                f"RSS after three ~200,000-character answers{label}:"
                f" {result['rss_mb']:.0f} MB (app + child)"
            )
            for name, mb in result["rss_parts"]:
                if mb >= 1:
                    print(f"    {mb:5.0f} MB  {name}")


_BARE = (
    "from textual.app import App\nfrom textual.widgets import Static\n"
    "class A(App):\n  def compose(self):\n    yield Static('bare-ready')\nA().run()\n"
)


# Compiled bytecode per tree, kept across the launches of one bench run: a user's second
# launch finds its __pycache__ (a wheel install compiles at install time), while this
# sandbox sets PYTHONDONTWRITEBYTECODE, which made every measured launch compile
# modelduel's modules from source (Textual's came precompiled), ~0.6 s of the ~1.3 s.
_PYCACHE = tempfile.mkdtemp(prefix="bench-pycache-")


def _launch(kind: str, src: str = "") -> float:
    session = f"bench-launch-{os.getpid()}-{time.monotonic_ns()}"
    with tempfile.TemporaryDirectory() as tmp:
        if kind == "bare":
            Path(tmp, "bare.py").write_text(_BARE)
            cmd, ready = f"{sys.executable} {tmp}/bare.py", "bare-ready"
        else:
            cmd, ready = f"{sys.executable} -m modelduel --demo --csv {tmp}/r.csv", "Ready."
        env = {**_env(tmp, None), **({"PYTHONPATH": src} if src else {})}
        if not src:
            env.pop("PYTHONPATH", None)
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        tree = "bare" if kind == "bare" else ("this" if not src else f"against-{abs(hash(src))}")
        env["PYTHONPYCACHEPREFIX"] = os.path.join(_PYCACHE, tree)
        start = time.monotonic()
        subprocess.run(
            [
                "tmux",
                "new-session",
                "-d",
                "-s",
                session,
                "-x",
                "160",
                "-y",
                "48",
                _in_env(env, f"cd {shlex.quote(tmp)} && {cmd}; sleep 30"),
            ],
            check=True,
            cwd=tmp,
        )
        try:
            while ready not in tmux("capture-pane", "-p", "-t", session):
                if time.monotonic() - start > 30:
                    raise SystemExit(f"{kind} did not paint")
                time.sleep(0.005)
            return time.monotonic() - start
        finally:
            subprocess.run(["tmux", "kill-session", "-t", session], capture_output=True)


def bench_launch(runs: int) -> None:
    """Bare Textual, this tree and (with --against) the other tree, alternating."""
    bare, ours, theirs = [], [], []
    # a session kept open meanwhile: killing the last session stops the tmux server, and
    # the next launch racing its exit failed ("server exited unexpectedly")
    keep = f"bench-keep-{os.getpid()}"
    subprocess.run(["tmux", "new-session", "-d", "-s", keep, "sleep 3600"], check=True)
    try:
        # one launch of each, not counted: it writes the bytecode the counted ones read
        _launch("bare")
        _launch("modelduel")
        if AGAINST:
            _launch("modelduel", AGAINST)
        for _ in range(max(runs, 5)):
            bare.append(_launch("bare"))
            ours.append(_launch("modelduel"))
            if AGAINST:
                theirs.append(_launch("modelduel", AGAINST))
    finally:
        subprocess.run(["tmux", "kill-session", "-t", keep], capture_output=True)
    ratio = statistics.median(ours) / statistics.median(bare)
    print(
        f"launch to first frame in tmux: modelduel --demo {min(ours):.2f}-{max(ours):.2f} s,"
        f" bare Textual {min(bare):.2f}-{max(bare):.2f} s; ratio of medians {ratio:.2f}x"
    )
    if theirs:
        print(
            f"  --against: {min(theirs):.2f}-{max(theirs):.2f} s, ratio of medians to bare"
            f" {statistics.median(theirs) / statistics.median(bare):.2f}x,"
            f" this tree / --against {statistics.median(ours) / statistics.median(theirs):.2f}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "what", nargs="?", default="all", choices=["lag", "flood", "rss", "launch", "all"]
    )
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--scenario", default="", help="only lag scenarios naming this")
    parser.add_argument(
        "--against", default="", help="also run each duel from this src/ tree, alternating"
    )
    parser.add_argument("--profile", default="", help="py-spy each duel into PROFILE.N")
    args = parser.parse_args()
    global PROFILE, AGAINST, SCENARIO
    SCENARIO = args.scenario
    PROFILE = args.profile
    AGAINST = args.against
    if shutil.which("tmux") is None:
        raise SystemExit("bench_screen needs tmux")
    for name, fn in (
        ("lag", bench_lag),
        ("flood", bench_flood),
        ("rss", bench_rss),
        ("launch", bench_launch),
    ):
        if args.what in (name, "all"):
            fn(args.runs)


if __name__ == "__main__":
    main()
