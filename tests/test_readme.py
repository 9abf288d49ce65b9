"""The README's promises stay true word for word: CI installs and tests as it says."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text()
CI = (ROOT / ".ci" / "run").read_text()


def fenced_after(heading: str) -> list[str]:
    section = README.split(heading, 1)[1]
    block = re.search(r"```sh\n(.*?)```", section, re.S)
    assert block is not None, heading
    return [line for line in block.group(1).splitlines() if line and not line.startswith("#")]


def test_ci_installs_exactly_as_the_readme_says() -> None:
    install = fenced_after("## Install")[-1]
    assert install == "python -m pip install -e '.[dev]'"
    assert install in CI.splitlines()[-30:] or f"\n{install}\n" in CI


def test_ci_runs_the_readme_test_command() -> None:
    (command,) = fenced_after("## Run the tests")
    assert CI.rstrip().endswith(command)


def test_the_run_command_is_the_demo_and_exists() -> None:
    (command,) = fenced_after("## Run it")
    assert command == "modelduel --demo"
    from modelduel.cli import build_parser

    args = build_parser().parse_args(command.split()[1:])
    assert args.demo and args.command is None
