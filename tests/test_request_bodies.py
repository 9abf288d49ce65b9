"""docs/request-bodies.md is what modelduel and the official SDKs really send (issue 9)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def load_bench() -> object:
    spec = importlib.util.spec_from_file_location(
        "request_bodies", ROOT / "bench" / "request_bodies.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


async def test_every_default_body_matches_the_sdks_and_the_doc_is_current() -> None:
    bench = load_bench()
    rows = await bench.capture()  # type: ignore[attr-defined]
    assert len(rows) == 30
    table = bench.render(rows)  # type: ignore[attr-defined]
    assert "| no |" not in table
    assert (ROOT / "docs" / "request-bodies.md").read_text(encoding="utf-8") == table
