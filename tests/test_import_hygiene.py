"""The measuring core is headless, and start-up imports stay lean."""

from __future__ import annotations

import json
import subprocess
import sys

HEADLESS = [
    "modelduel.events",
    "modelduel.core.metrics",
    "modelduel.core.meter",
    "modelduel.core.duel",
    "modelduel.core.worker",
    "modelduel.core.workerchild",
    "modelduel.core.session",
    "modelduel.core.session_saves",
    "modelduel.core.suite_progress",
    "modelduel.core.rank_entry",
    "modelduel.core.records",
    "modelduel.core.codec",
    "modelduel.core.batch",
    "modelduel.providers.http",
    "modelduel.display",
    "modelduel.ask_view",
    "modelduel.commands.ask",
]


def loaded_after(code: str) -> set[str]:
    out = subprocess.run(
        [sys.executable, "-c", f"{code}\nimport sys, json; print(json.dumps(sorted(sys.modules)))"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return set(json.loads(out.splitlines()[-1]))


def test_engine_never_imports_textual() -> None:
    modules = loaded_after("\n".join(f"import {m}" for m in HEADLESS))
    assert not any(m == "textual" or m.startswith("textual.") for m in modules)
    assert not any(m.startswith("modelduel.tui") for m in modules)


def test_cli_parser_imports_no_network_or_ui_stack() -> None:
    modules = loaded_after("from modelduel.cli import build_parser; build_parser()")
    # numpy, jsonschema and PyYAML are lazy imports for this reason (each with its noqa)
    heavy_ones = ("textual", "httpx2", "rich", "genai_prices", "uvicorn", "pydantic")
    for heavy in (*heavy_ones, "numpy", "jsonschema", "yaml"):
        assert heavy not in modules, heavy


def test_the_engine_ships_one_http_stack() -> None:
    # httpx2 only: the old `httpx` package loaded beside it would be a second stack
    modules = loaded_after("import modelduel.core.worker, modelduel.providers.http")
    assert "httpx2" in modules
    assert "httpx" not in modules and not any(m.startswith("httpx.") for m in modules)


def test_the_duel_screen_does_not_import_the_network_stack_at_start() -> None:
    # the runner child does the networking; the app's start-up stays lighter without it
    modules = loaded_after("import modelduel.tui.app")
    assert "httpx2" not in modules and "genai_prices" not in modules
    # nor what only a report, a check or an export needs (their imports are lazy)
    for heavy in ("numpy", "jsonschema", "yaml", "uvicorn"):
        assert heavy not in modules, heavy
