"""The runner child's memory: VmRSS when it is ready, and after three ~200,000-character
answers streamed through it side by side (the `bench_screen.py rss` duel, without the app).

Run: `python bench/bench_child_rss.py [--runs N] [--against SRC]`. Talks only to 127.0.0.1.
Each measurement is a fresh process running `ChildDuelRunner` from this tree (or, with
`--against`, from SRC, alternating), so the two trees are compared in the same run. The
plans keep their conversation, as the TUI's do (every TUI duel goes through the loop).
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PIECE = " word"  # 5 characters a chunk
CHARS = 200_000


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for {pid}")


async def _inner() -> dict[str, float]:
    sys.path.insert(0, str(ROOT))
    from tests.support.replay_server import Script, running_server
    from tests.test_engine_loopback import chat_chunks

    from modelduel.core.plan import RunPlan
    from modelduel.core.worker import ChildDuelRunner
    from modelduel.providers.base import ModelRequest, StreamTarget

    chunks = chat_chunks([PIECE] * (CHARS // len(PIECE)))
    ended: list[str] = []
    async with running_server(lambda r: Script(chunks)) as srv:
        child = ChildDuelRunner(
            lambda run_id, stamped: None,
            env={**os.environ, "OPENAI_API_KEY": "sk-bench"},
            on_run_ended=ended.append,
        )
        await child.open()
        await asyncio.sleep(2.0)  # the base tree has no ready line: its imports finish meanwhile
        pid = child._proc.pid  # type: ignore[union-attr]
        ready = _rss_mb(pid)
        target = StreamTarget("openai-chat", f"{srv.base}/v1", lambda: "sk-bench", "OPENAI_API_KEY")
        plans = [
            dataclasses.replace(
                RunPlan(f"r{i}", "local", target, ModelRequest(model_id="m", prompt="hi")),
                keep_conversation=True,
            )
            for i in range(3)
        ]
        await child.start(plans)
        await asyncio.wait_for(child.wait(), 300)
        after = _rss_mb(pid)
        await child.aclose()
    assert len(ended) == 3
    return {"ready_mb": ready, "after_mb": after}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--against", default="", help="also measure this src/ tree, alternating")
    parser.add_argument("--inner", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.inner:
        print(json.dumps(asyncio.run(_inner())))
        return
    variants = [("this tree", "")] + ([("--against", args.against)] if args.against else [])
    for _ in range(args.runs):
        for label, src in variants:
            env = dict(os.environ)
            if src:
                env["PYTHONPATH"] = src
            out = subprocess.run(
                [sys.executable, __file__, "--inner"],
                env=env,
                capture_output=True,
                text=True,
                check=True,
            ).stdout
            r = json.loads(out.splitlines()[-1])
            print(
                f"child RSS [{label}]: ready {r['ready_mb']:.1f} MB, after three"
                f" ~{CHARS:,}-character answers {r['after_mb']:.1f} MB"
            )


if __name__ == "__main__":
    main()
