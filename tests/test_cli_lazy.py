"""A command named on the command line gets a parser of that command only: its module is
the one command module imported (`modelduel route` used to import all ten, ~0.1 s), and
what the user sees (the namespace, `--help`, every error) is what the full parser gives."""

from __future__ import annotations

import contextlib
import io
import subprocess
import sys

import pytest

from modelduel import cli

ARGVS = [
    ["ask", "hi"],
    ["ask", "hi", "--effort", "low", "-m", "a/b", "--demo"],
    ["--effort", "high", "ask", "hi"],
    ["-m", "a/b", "check"],
    ["--config", "c.toml", "config", "show"],
    ["config", "show"],
    ["run", "tasks/starter", "--csv", "r.csv"],
    ["--max-output-tokens", "900", "run", "s", "--csv", "r.csv"],
    ["score", "r.csv", "--theme", "t"],
    ["--theme", "t", "score", "r.csv"],
    ["suite", "tasks/starter", "-m", "a/b", "--demo"],
    ["route", "r.csv"],
    ["route", "a.csv", "b.csv", "--json"],
    ["export", "r.csv"],
    ["models"],
    ["simulate"],
]


def _outcome(parse: object, argv: list[str]) -> tuple[str, str, str]:
    """What the user sees: the namespace (or the exit status), stdout and stderr."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            result = repr(sorted(vars(parse(argv)).items()))  # type: ignore[operator]
        except SystemExit as exc:
            result = f"exit {exc.code}"
    return result, out.getvalue(), err.getvalue()


BAD = [
    ["route"],
    ["route", "--bogus"],
    ["ask"],
    ["ask", "hi", "--effort", "huge"],
    ["run", "s", "--max-output-tokens", "x"],
    ["config", "nope"],
    ["score", "r.csv", "extra", "args"],
    ["models", "--bogus"],
]
HELP = [[name, "--help"] for name in cli.COMMANDS] + [["config", "show", "--help"]]


@pytest.mark.parametrize("argv", ARGVS + BAD + HELP, ids=" ".join)
def test_a_named_command_parses_as_the_full_parser_does(argv: list[str]) -> None:
    assert _outcome(cli.parse_command_line, argv) == _outcome(cli.build_parser().parse_args, argv)


def test_a_named_command_imports_its_own_module_only() -> None:
    code = (
        "import sys; from modelduel import cli\n"
        "args = cli.parse_command_line(['route', 'r.csv'])\n"
        "print(args.command, ' '.join(sorted(m for m in sys.modules"
        " if m.startswith('modelduel.commands.'))))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.split() == ["route", "modelduel.commands.route"]
