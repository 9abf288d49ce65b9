"""The duel screen's garbage-collector policy: no full collection mid-stream, one when idle."""

from __future__ import annotations

import asyncio
import gc


def test_full_collections_wait_for_an_idle_app() -> None:
    from modelduel.tui.gcpolicy import tame_gc as _tame_gc

    before = gc.get_threshold()
    try:

        async def main() -> None:
            _tame_gc()
            # young collections as usual; a full collection never starts by itself
            assert gc.get_threshold()[:2] == (700, 10)
            assert gc.get_threshold()[2] >= 1_000_000
            assert gc.get_freeze_count() > 0  # what was alive at start-up is left alone
            full = gc.get_stats()[2]["collections"]
            gc.collect(1)  # busy: objects promoted since the last look
            # The idle checks are timers on this loop, due every 2 s: each sleep ends after
            # the check due before it, however loaded the machine (no timing asserted).
            await asyncio.sleep(2.2)
            assert gc.get_stats()[2]["collections"] == full  # busy at the first check
            await asyncio.sleep(2.2)
            assert gc.get_stats()[2]["collections"] > full  # idle at the second: collected

        asyncio.run(main())
    finally:
        gc.unfreeze()
        gc.set_threshold(*before)
