"""The scoring flow, measured: keystrokes and seconds per scored duel over a suite session.

Run: `python bench/bench_scoring_flow.py [--tasks N] [--strategy digits|accept] [--rank]`.
Talks only to 127.0.0.1: `tasks/starter` runs on the provider simulator (the demo's, in
a child process) through the app's real child-process runner and checks, headless, blind,
as `modelduel suite tasks/starter --demo` does. A scripted person scores every duel:

- digits: one score key per pane (the focus moves on by itself), then `enter`;
- accept: `a` where the checks' suggestions cover the whole rubric, otherwise `a` (if any
  suggestion) and the rubric keys for the parts left, then `enter`;
- `--rank` adds `o` and the letter of the best pane (a pairwise preference) to each duel.

Per duel it reports the keys pressed (the `escape` that leaves the prompt once, at the
start, is counted in the first duel), the seconds from every answer and check being in
to the next task on screen (the app's own time to take those keys: a person adds
reading time), and the seconds the race and checks took. The scores are the script's,
not a judgement: the bench measures the flow, not the models.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from modelduel.config import Config, resolve_model  # noqa: E402
from modelduel.core.scoring import RUBRIC_MAX  # noqa: E402
from modelduel.demo import demo_environment  # noqa: E402
from modelduel.storage import read_rows  # noqa: E402
from modelduel.tasks import load_suite  # noqa: E402
from modelduel.tui.app import AppSettings, ModelduelApp  # noqa: E402
from modelduel.tui.launch import child_runner_factory  # noqa: E402
from modelduel.tui.pane import ResponsePane  # noqa: E402

SPECS = ["openai/gpt-5.5", "anthropic/claude-opus-4-7", "gemini/gemini-3.1-pro-preview"]
RUBRIC_KEYS = {"quality": ["q", "q", "q"], "correctness": ["c"], "format": ["f"], "rework": ["w"]}
"""The keys that set each part to its top value (the script's person approves it)."""


def keys_for(pane: ResponsePane, strategy: str) -> list[str]:
    """The script's keys for one pane."""
    if strategy == "digits":
        return ["4"]
    suggestions = pane.model.suggestions
    keys = ["a"] if suggestions else []
    for part in RUBRIC_MAX:
        if part not in suggestions:
            keys += RUBRIC_KEYS[part]
    return keys


async def wait_answers(app: ModelduelApp, pilot: Any, limit_s: float = 300) -> None:
    """Until every run of the duel on screen ended and its checks are done."""
    deadline = time.monotonic() + limit_s
    while time.monotonic() < deadline:
        view = app.view
        if view is not None and view.all_ended and not app._check_tasks:
            await pilot.pause(0.05)
            return
        await pilot.pause(0.05)
    raise SystemExit("the duel did not end in time")


async def session(tasks: int, strategy: str, rank: bool) -> list[dict[str, float]]:
    """One scripted suite session; per duel: keys, seconds to score, seconds of race."""
    config = Config()
    suite = tuple(load_suite(ROOT / "tasks" / "starter"))[:tasks]
    results: list[dict[str, float]] = []
    with tempfile.TemporaryDirectory() as tmp, demo_environment(True, config) as env:
        models = [resolve_model(s, config, env) for s in SPECS]
        csv_path = Path(tmp) / "bench.csv"
        settings = AppSettings(config, models, csv_path, blind=True, tasks=suite, env=env)
        app = ModelduelApp(settings, child_runner_factory(config, env))  # type: ignore[arg-type]
        async with app.run_test(size=(160, 48)) as pilot:
            first = True
            for index in range(len(suite)):
                race0 = time.perf_counter()
                await wait_answers(app, pilot)
                race = time.perf_counter() - race0
                keys: list[str] = ["escape"] if first else []
                first = False
                t0 = time.perf_counter()
                if keys:
                    await pilot.press(*keys)
                view = app.view
                assert view is not None
                for _ in range(len(view.panes)):
                    pane = app.focused
                    if not isinstance(pane, ResponsePane) or pane.model.score.is_scored:
                        break  # nothing left to score (a run failed with no output)
                    pane_keys = keys_for(pane, strategy)
                    await pilot.press(*pane_keys)
                    keys += pane_keys
                if rank:
                    await pilot.press("o", "a")
                    keys += ["o", "a"]
                scored = all(p.score.is_scored for p in view.panes)
                if index + 1 < len(suite):
                    await pilot.press("enter")  # the next task
                    keys.append("enter")
                    while app.task_index != index + 1:
                        await pilot.pause(0.01)
                seconds = time.perf_counter() - t0
                results.append(
                    {"keys": len(keys), "seconds": seconds, "race_s": race, "scored": scored}
                )
        rows = read_rows(csv_path)
    scored_rows = sum(1 for r in rows if r["score"])
    print(f"{len(rows)} runs recorded, {scored_rows} scored", file=sys.stderr)
    return results


def main() -> None:
    """Run the session and print the figures per duel and their medians."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tasks", type=int, default=10)
    parser.add_argument("--strategy", choices=["digits", "accept"], default="digits")
    parser.add_argument("--rank", action="store_true")
    args = parser.parse_args()
    results = asyncio.run(session(args.tasks, args.strategy, args.rank))
    for i, r in enumerate(results, 1):
        print(
            f"duel {i:2d}: {int(r['keys'])} keys, {r['seconds']:.2f} s to score and go on, "
            f"race+checks {r['race_s']:.1f} s{'' if r['scored'] else '  (not all scored)'}"
        )
    keys = [r["keys"] for r in results]
    seconds = [r["seconds"] for r in results]
    print(
        f"{args.strategy}{' +rank' if args.rank else ''}: {len(results)} duels, keys per duel "
        f"median {statistics.median(keys):g} (total {sum(keys):g}), seconds per duel median "
        f"{statistics.median(seconds):.2f} (max {max(seconds):.2f})"
    )


if __name__ == "__main__":
    main()
