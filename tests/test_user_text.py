"""User-facing text names the rule, never a document outside the repository."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

import pytest

from modelduel.cli import build_parser

_OUTSIDE = re.compile(r"\bthe brief\b|\bbrief's\b|\bissue \d+\b", re.IGNORECASE)

ROOT = Path(__file__).resolve().parents[1]
# modules whose docstrings and comments users and newcomers read first
_SOURCES = (
    "src/modelduel/commands/export.py",
    "src/modelduel/commands/route.py",
    "src/modelduel/commands/run_cmd.py",
    "src/modelduel/storage/export.py",
    "src/modelduel/storage/csvstore.py",
    "src/modelduel/storage/csvrewrite.py",
)


def _help(parser: argparse.ArgumentParser, command: str) -> str:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return str(action.choices[command].format_help())
    raise AssertionError("no subcommands")


@pytest.mark.parametrize("command", ["export", "route"])
def test_help_names_no_outside_document(command: str) -> None:
    text = " ".join(_help(build_parser(), command).split())  # argparse wraps lines
    assert "11 core columns" in text
    assert not _OUTSIDE.search(text), _OUTSIDE.search(text)


@pytest.mark.parametrize("path", _SOURCES)
def test_source_text_names_no_outside_document(path: str) -> None:
    text = (ROOT / path).read_text(encoding="utf-8")
    found = _OUTSIDE.search(text)
    assert found is None, f"{path}: {found.group(0) if found else ''}"
