"""The command table: every command is one module with add_parser(sub) and run(args)."""

from __future__ import annotations

import argparse
import importlib
from pathlib import Path

import pytest

from modelduel import cli

ARGV = {
    "ask": ["ask", "hi"],
    "config": ["config", "show"],
    "run": ["run", "tasks/starter", "--csv", "r.csv"],
    "score": ["score", "r.csv"],
    "suite": ["suite", "tasks/starter"],
    "route": ["route", "r.csv"],
    "export": ["export", "r.csv"],
    "check": ["check"],
    "models": ["models"],
    "simulate": ["simulate"],
}


def test_every_command_in_the_table_is_a_module_with_add_parser_and_run() -> None:
    assert set(cli.COMMANDS) == set(ARGV)  # a new command gets a line here too
    for name, module_name in cli.COMMANDS.items():
        module = importlib.import_module(module_name)
        assert callable(module.add_parser) and callable(module.run), name
        assert {"add_parser", "run"} <= set(module.__all__), name


@pytest.mark.parametrize("name", sorted(ARGV))
def test_each_command_runs_its_own_modules_run(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[str] = []
    for module_name in set(cli.COMMANDS.values()) | {cli.DEFAULT_COMMAND}:
        module = importlib.import_module(module_name)

        def fake(args: argparse.Namespace, module_name: str = module_name) -> int:
            seen.append(module_name)
            return 7

        monkeypatch.setattr(module, "run", fake)
    assert cli._dispatch(cli.parse_command_line(ARGV[name])) == 7
    assert seen == [cli.COMMANDS[name]]


def test_no_command_opens_the_duel_screen(monkeypatch: pytest.MonkeyPatch) -> None:
    module = importlib.import_module(cli.DEFAULT_COMMAND)
    monkeypatch.setattr(module, "run", lambda args: 3)
    assert cli._dispatch(cli.parse_command_line(["--demo"])) == 3


@pytest.mark.parametrize("argv", [["--demo"], ["ask", "x", "--demo"], ["run", "s", "--demo"]])
def test_shared_options_are_spelled_and_stored_alike(argv: list[str]) -> None:
    args = cli.build_parser().parse_args([*argv, "--csv", "r.csv", "-m", "a/b", "--config", "c"])
    assert args.models == ["a/b"] and args.demo is True and str(args.config) == "c"


def test_score_and_suite_share_the_theme_and_model_options() -> None:
    parser = cli.build_parser()
    for argv in (["score", "r.csv"], ["suite", "s"]):
        args = parser.parse_args([*argv, "--theme", "t", "-m", "a/b", "--demo"])
        assert args.theme == "t" and args.models == ["a/b"] and args.demo is True


@pytest.mark.parametrize(
    ("argv", "dest", "value"),
    [
        (["--effort", "high", "ask", "hi"], "effort", "high"),
        (["--max-output-tokens", "900", "run", "s", "--csv", "r.csv"], "max_output_tokens", 900),
        (["--demo", "ask", "hi"], "demo", True),
        (["-m", "a/b", "check"], "models", ["a/b"]),
        (["--config", "c.toml", "config", "show"], "config", Path("c.toml")),
        (["--theme", "t", "score", "r.csv"], "theme", "t"),
        (["ask", "hi", "--effort", "low"], "effort", "low"),
        (["ask", "hi"], "effort", None),
    ],
)
def test_a_shared_option_given_before_the_command_is_kept(
    argv: list[str], dest: str, value: object
) -> None:
    # argparse lets a subparser's default overwrite a value the main parser already read
    assert getattr(cli.build_parser().parse_args(argv), dest) == value


@pytest.mark.parametrize(
    "argv",
    [
        [],
        ["--demo"],
        ["--demo", "--blind", "-m", "a/b", "-m", "c/d", "--csv", "r.csv", "--theme", "t"],
        ["--effort", "high", "--max-output-tokens", "900", "--config", "c.toml", "--themes", "d"],
        ["--csv", "ask"],  # an option's value that is a command's name is still the value
        ["--demo", "ask", "hi"],
        ["-m", "a/b", "suite", "tasks/starter", "--no-blind"],
    ],
)
def test_the_quick_default_launch_parse_equals_the_full_parse(argv: list[str]) -> None:
    assert cli.parse_command_line(argv) == cli.build_parser().parse_args(argv)


@pytest.mark.parametrize(
    "argv", [["--effort", "huge"], ["--max-output-tokens", "0"], ["--bogus"], ["nosuchcommand"]]
)
def test_a_mistake_at_the_default_launch_is_worded_by_the_full_parser(
    argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as quick:
        cli.parse_command_line(argv)
    said = capsys.readouterr().err
    with pytest.raises(SystemExit) as full:
        cli.build_parser().parse_args(argv)
    assert quick.value.code == full.value.code == 2
    assert said == capsys.readouterr().err
    assert "COMMAND" in said  # the usage line is the full parser's
