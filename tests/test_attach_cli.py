"""`--attach PATH` on `ask` and `run`: text under its name, images as images, bad files refused.

Through the command line against the demo simulator: the image reaches all three default
models (each bills it with its own formula, read back from its usage), the text file is
in the prompt under its name, and a missing or oversize file is one line, exit 2, before
any model runs.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from modelduel.simulator.image_billing import (
    anthropic_image_tokens,
    gemini_image_tokens,
    openai_image_tokens,
)
from tests.test_tool_loop_sim import png

ROOT = Path(__file__).resolve().parents[1]
IMAGE_TOKENS = {
    "openai/gpt-5.5": openai_image_tokens("gpt-5.5", 1024, 768),
    "anthropic/claude-opus-4-7": anthropic_image_tokens("claude-opus-4-7", 1024, 768),
    "gemini/gemini-3.1-pro-preview": gemini_image_tokens(1024, 768),
}


def modelduel(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.endswith("_API_KEY")}
    env |= {"MODELDUEL_CONFIG": "", "HOME": str(cwd), "XDG_CONFIG_HOME": str(cwd / "config")}
    env |= {"XDG_STATE_HOME": str(cwd / "state")}
    return subprocess.run(
        [sys.executable, "-m", "modelduel", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


def records(csv_path: Path) -> dict[str, dict[str, Any]]:
    lines = csv_path.with_suffix(".jsonl").read_text(encoding="utf-8").splitlines()
    return {r["model"]: r for r in map(json.loads, lines)}


def answers(out: str) -> dict[str, dict[str, Any]]:
    return {d["model"]: d for d in map(json.loads, out.splitlines())}


def test_an_image_and_a_text_file_reach_all_three_models(tmp_path: Path) -> None:
    (tmp_path / "chart.png").write_bytes(png(1024, 768))
    (tmp_path / "notes.md").write_text("the alpha value is 42\n", encoding="utf-8")
    plain = modelduel("ask", "--demo", "What does it show?", "--json", cwd=tmp_path)
    done = modelduel(
        "ask", "--demo", "What does it show?", "--json", "--csv", "a.csv",
        "--attach", "chart.png", "--attach", "notes.md", cwd=tmp_path,
    )  # fmt: skip
    assert plain.returncode == 0 and done.returncode == 0, done.stderr
    before, after = answers(plain.stdout), answers(done.stdout)
    assert set(after) == set(IMAGE_TOKENS)
    for model, image_tokens in IMAGE_TOKENS.items():
        # the provider billed the image (its own formula) and the text file's tokens on top
        extra = after[model]["input_tokens"] - before[model]["input_tokens"]
        assert extra > image_tokens, (model, extra, image_tokens)
        assert extra < image_tokens + 40, (model, extra, image_tokens)
    for model, record in records(tmp_path / "a.csv").items():
        (first,) = record["conversation"]["messages"][:1]
        text, image = first["parts"]
        assert text["text"].startswith("What does it show?\n\nAttached file: notes.md\n```\n")
        assert "the alpha value is 42" in text["text"]
        assert (image["type"], image["name"], image["media_type"]) == (
            "image",
            "chart.png",
            "image/png",
        ), model


def test_a_missing_attachment_is_one_line_and_nothing_runs(tmp_path: Path) -> None:
    for command in (
        ["ask", "--demo", "hi", "--csv", "a.csv"],
        ["run", str(ROOT / "tasks/starter"), "--demo", "--csv", "a.csv"],
    ):
        done = modelduel(*command, "--attach", "nope.png", cwd=tmp_path)
        assert done.returncode == 2, done.stderr
        lines = done.stderr.strip().splitlines()
        assert lines[-1] == "modelduel: --attach nope.png: no such file", lines
        assert "Traceback" not in done.stderr
        assert not (tmp_path / "a.jsonl").exists()  # no run was recorded


def test_an_image_over_a_providers_limit_names_the_file_and_the_limit(tmp_path: Path) -> None:
    big = png(64, 64) + b"\x00" * (6 * 1024 * 1024)  # 6 MB: over Anthropic's 5 MB per image
    (tmp_path / "big.png").write_bytes(big)
    done = modelduel("ask", "--demo", "hi", "--attach", "big.png", cwd=tmp_path)
    assert done.returncode == 2
    (line,) = done.stderr.strip().splitlines()
    assert line.startswith("modelduel: --attach big.png: image of 6.0 MB is over anthropic's")
    assert "5 MB per image" in line
    # without Claude in the lineup the same file is within every limit
    only_openai = ("-m", "openai/gpt-5.5", "--attach", "big.png", "--json")
    ok = modelduel("ask", "--demo", "hi", *only_openai, cwd=tmp_path)
    assert ok.returncode == 0, ok.stderr


def test_run_adds_the_attachments_to_every_tasks_first_message(tmp_path: Path) -> None:
    (tmp_path / "chart.png").write_bytes(png(1024, 768))
    done = modelduel(
        "run", str(ROOT / "tasks/starter"), "--demo", "--task", "json-provider-incidents",
        "-m", "anthropic/claude-opus-4-7", "--attach", "chart.png", "--csv", "r.csv",
        cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    record = records(tmp_path / "r.csv")["anthropic/claude-opus-4-7"]
    text, image = record["conversation"]["messages"][0]["parts"]
    assert text["text"] == record["prompt"]  # the task's own prompt, unchanged
    assert (image["type"], image["name"]) == ("image", "chart.png")
    assert record["error"] is None
