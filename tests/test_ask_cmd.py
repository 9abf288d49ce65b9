"""`modelduel ask` end to end: the real command on the simulator, its output and its exits."""

from __future__ import annotations

import json
from pathlib import Path

from modelduel.core.records import ASK_JSON_KEYS
from modelduel.storage import read_rows, read_transcripts
from tests.support.cli import FAST, FULL_DISK, modelduel, write_config

GEMINI = "gemini/gemini-3.1-pro-preview"


def ask(tmp_path: Path, *args: str | Path, **kw: object) -> tuple[int, str, str]:
    config = write_config(tmp_path)
    result = modelduel("ask", "--demo", "--config", config, *args, cwd=tmp_path, **kw)  # type: ignore[arg-type]
    return result.returncode, result.stdout.decode(), result.stderr.decode()


def test_piped_output_has_each_answer_under_its_model_then_the_table(tmp_path: Path) -> None:
    code, out, err = ask(tmp_path, "-m", FAST, "-m", GEMINI, "Explain CRDTs")
    assert code == 0, err
    first, second, table = out.index(f"## {FAST}"), out.index(f"## {GEMINI}"), out.index("results")
    assert first < second < table
    # the answers themselves, not only their names
    assert "CRDTs" in out[first:second] and "CRDTs" in out[second:table]
    assert "Traceback" not in err


def test_quiet_prints_only_answers_and_table_only_only_the_table(tmp_path: Path) -> None:
    code, out, _ = ask(tmp_path, "-m", FAST, "--quiet", "Explain CRDTs")
    assert code == 0
    assert f"## {FAST}" in out and "CRDTs" in out
    assert "results" not in out and "ttft" not in out
    code, out, _ = ask(tmp_path, "-m", FAST, "--table-only", "Explain CRDTs")
    assert code == 0
    assert "ttft" in out and f"## {FAST}" not in out


def test_json_joins_to_the_csv_and_says_simulated(tmp_path: Path) -> None:
    csv_path = tmp_path / "r.csv"
    code, out, err = ask(tmp_path, "-m", FAST, "--json", "--csv", csv_path, "Explain CRDTs")
    assert code == 0, err
    records = [json.loads(line) for line in out.splitlines()]
    assert len(records) == 1 and list(records[0]) == list(ASK_JSON_KEYS)
    (row,) = read_rows(csv_path)
    assert records[0]["run_id"] == row["run_id"] and records[0]["duel_id"] == row["duel_id"]
    assert records[0]["simulated"] is True
    assert read_transcripts(csv_path)[row["run_id"]]["text"] == records[0]["text"]


def test_non_utf8_stdin_is_one_line_naming_the_byte_offset(tmp_path: Path) -> None:
    code, _, err = ask(tmp_path, "-m", FAST, "-", stdin=b"caf\xe9 au lait")
    assert code == 2
    assert "not UTF-8" in err and "offset 3" in err and "0xe9" in err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1


def test_non_utf8_argument_is_one_line_naming_the_byte_offset(tmp_path: Path) -> None:
    import os

    prompt = os.fsdecode(b"ab\xffcd")  # what Python makes of such bytes in argv
    code, _, err = ask(tmp_path, "-m", FAST, prompt)
    assert code == 2
    assert "not UTF-8" in err and "offset 2" in err
    assert "Traceback" not in err


def test_a_key_in_a_provider_error_reaches_no_output(tmp_path: Path) -> None:
    csv_path = tmp_path / "r.csv"
    spec = "openai/gpt-5.5@fault=auth"  # the simulator echoes a partly masked key
    code, out, err = ask(tmp_path, "-m", spec, "--json", "--csv", csv_path, "hi")
    assert code == 1
    message = json.loads(out)["error"]["message"]
    assert "Incorrect API key provided: [redacted]" in message
    text = out + err + csv_path.read_text() + csv_path.with_suffix(".jsonl").read_text()
    assert "sk-" not in text
    code, out, err = ask(tmp_path, "-m", spec, "hi")
    assert "[redacted]" in out and "sk-" not in out + err


def test_json_csv_with_a_full_disk_says_what_was_not_saved(tmp_path: Path) -> None:
    csv_path = tmp_path / "r.csv"
    code, out, err = ask(
        tmp_path,
        "-m",
        FAST,
        "-m",
        GEMINI,
        "--json",
        "--csv",
        csv_path,
        "Explain CRDTs",
        prelude=FULL_DISK.format(ok_writes=1),
    )
    assert code == 2, err
    assert "Traceback" not in err
    assert err.count("NOT saved") == 1 and "No space left" in err
    assert len(out.splitlines()) == 2  # both answers still reported
    assert len(read_rows(csv_path)) == 1  # the half-written row was undone


def test_empty_default_models_is_a_config_error(tmp_path: Path) -> None:
    config = write_config(tmp_path, "default_models = []")
    result = modelduel("ask", "--demo", "--config", config, "hi", cwd=tmp_path)
    err = result.stderr.decode()
    assert result.returncode == 2
    assert "default_models" in err and str(config) in err


def test_a_reader_that_quits_early_is_no_error(tmp_path: Path) -> None:
    import fcntl
    import os
    import subprocess
    import sys

    from tests.support.cli import clean_env

    config = write_config(tmp_path)
    fast = "tps = 3000\nanswer_tokens = 40\n"  # the first profile: FAST's
    config.write_text(config.read_text().replace(fast, "tps = 100000\nanswer_tokens = 20000\n", 1))
    # a pipe smaller than the output, so the write is still going when the reader quits
    read_end, write_end = os.pipe()
    fcntl.fcntl(write_end, fcntl.F_SETPIPE_SZ, 4096)
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "modelduel",
            "ask",
            "--demo",
            "--config",
            str(config),
            "-m",
            FAST,
            "x",
        ],
        cwd=tmp_path,
        env=clean_env(tmp_path),
        stdout=write_end,
        stderr=subprocess.PIPE,
    )
    os.close(write_end)
    with os.fdopen(read_end, "rb") as reader:
        assert reader.readline().startswith(f"## {FAST}".encode())
    assert proc.stderr is not None
    err = proc.stderr.read()
    assert proc.wait(timeout=60) == 141, err  # 128 + SIGPIPE, as every command (test_brokenpipe)
    assert b"Traceback" not in err and b"BrokenPipe" not in err


def test_the_results_table_shows_every_figure_whole_at_80_columns() -> None:
    # In an ordinary terminal the numbers are what `ask` exists to show: the model name
    # wraps before any figure is cut to an ellipsis.
    import io

    from rich.console import Console

    from modelduel.ask_view import summary_table
    from modelduel.config import Config, resolve_model
    from modelduel.core.session import DuelState
    from modelduel.events import RequestSent, Stamped, TextDelta
    from modelduel.events import Usage as UsageEvent

    specs = ["openai/gpt-5.5", "anthropic/claude-opus-4-7", "gemini/gemini-3.1-pro-preview"]
    env = {"OPENAI_API_KEY": "k", "ANTHROPIC_API_KEY": "k", "GEMINI_API_KEY": "k"}
    duel = DuelState.create([resolve_model(s, Config(), env) for s in specs], "hi", None)
    out = io.StringIO()
    for slot in duel.slots:  # figures as wide as real ones
        slot.meter.observe(Stamped(1_000_000_000, RequestSent(10_000_000)))
        slot.meter.observe(Stamped(1_800_000_000, TextDelta("x" * 4000)))
        slot.meter.observe(
            Stamped(
                9_300_000_000, UsageEvent(123_456, output_tokens=54_321, reasoning_tokens=9_999)
            )
        )
    for width in (80, 100):
        out = io.StringIO()
        Console(file=out, width=width, color_system=None).print(summary_table(duel, width))
        text = out.getvalue()
        assert "…" not in text, text
        assert all(len(line) <= width for line in text.splitlines())
        for figure in ("connect", "first useful", "tok/s", "cost", "0.80s", "123,456"):
            assert figure in text, text


def test_json_carries_the_notices_the_pane_would_show(tmp_path: Path) -> None:
    code, out, err = ask(
        tmp_path, "-m", "anthropic/claude-opus-4-7", "--json", "--max-output-tokens", "900000", "Hi"
    )
    assert code == 0, err
    (record,) = [json.loads(line) for line in out.splitlines()]
    assert any("900000" in n or "900,000" in n for n in record["notices"]), record["notices"]
