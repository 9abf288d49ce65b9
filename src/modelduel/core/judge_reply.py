"""Reading the judge's reply: one JSON object checked against `VERDICT_SCHEMA`.

The judge answers per rubric part scores and a one-line reason, checked with
`jsonschema`. An answer that does not parse or validate is said so in one line, never
guessed into scores. The verdict made of it is `core.judge_verdict`.
"""

from __future__ import annotations

import json
from typing import Any

from modelduel.core.answer_text import fenced_blocks
from modelduel.core.scoring import RUBRIC_MAX

__all__ = ["VERDICT_SCHEMA", "parse_verdict"]

VERDICT_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "properties": {
        **{
            part: {"type": "integer", "minimum": 0, "maximum": top}
            for part, top in RUBRIC_MAX.items()
        },
        "reason": {"type": "string", "minLength": 1, "maxLength": 400, "pattern": r"^[^\r\n]+$"},
    },
    "required": [*RUBRIC_MAX, "reason"],
    "additionalProperties": False,
}
"""The judge's answer: an integer per rubric part within its range, and a one-line reason."""


def _json_text(text: str) -> str:
    """The first fenced JSON block (```json, else an untagged one), else the whole text."""
    blocks = fenced_blocks(text)
    for wanted in ("json", ""):
        for block in blocks:
            if block.lang == wanted:
                return block.text
    return text.strip()


def parse_verdict(text: str) -> tuple[dict[str, int], str] | str:
    """The judge's scores and reason from its answer, or why the answer is not valid.

    Returns:
        (scores per rubric part, reason) when the answer's JSON validates against
        `VERDICT_SCHEMA`; otherwise one line saying what is wrong (never a guess).
    """
    from jsonschema import Draft202012Validator  # noqa: PLC0415
    from jsonschema.exceptions import best_match  # noqa: PLC0415

    if not text.strip():
        return "the judge's answer is empty"
    try:
        value = json.loads(_json_text(text))
    except ValueError as exc:
        reason = f"{exc.msg} at line {exc.lineno}" if isinstance(exc, json.JSONDecodeError) else exc
        return f"not JSON ({reason})"
    errors = list(Draft202012Validator(VERDICT_SCHEMA).iter_errors(value))
    if errors:
        first = best_match(errors)
        assert first is not None
        return f"{first.json_path}: {first.message[:160]}"
    scores = {part: int(value[part]) for part in RUBRIC_MAX}
    return scores, str(value["reason"]).strip()
