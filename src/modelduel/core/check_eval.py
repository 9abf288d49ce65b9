"""The text checks (every kind but `python_tests`): pure functions of (check, answer).

`core.checks.run_checks` runs them in a child process (`python -m
modelduel.core.check_eval`, JSON in on stdin, one JSON result a line out) so that a
pathological pattern or schema is stopped at a time limit instead of freezing the app.
"""

from __future__ import annotations

import json
import re
import sys
from typing import Any

from pydantic import TypeAdapter

from modelduel.checkspec import (
    Check,
    ContainsCheck,
    JsonSchemaCheck,
    MaxWordsCheck,
    NotContainsCheck,
    PythonTestsCheck,
    RegexCheck,
    SectionsCheck,
)
from modelduel.core.answer_text import Heading, fenced_blocks, headings
from modelduel.core.check_result import CheckResult, failed_to_run

__all__ = ["evaluate", "main"]


def _result(check: Check, ok: bool, reason: str, detail: str = "") -> CheckResult:
    return CheckResult(check.name, check.kind, check.part, "pass" if ok else "fail", reason, detail)


def _short(text: str, limit: int = 80) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def _line_of(text: str, index: int) -> int:
    return text.count("\n", 0, index) + 1


def _json_of(check: JsonSchemaCheck, answer: str) -> tuple[Any, str] | str:
    """The JSON value and where it came from, or the reason there is none."""
    try:
        return json.loads(answer), "the answer"
    except ValueError as exc:
        whole_error = exc
    blocks = fenced_blocks(answer)
    block = next((b for b in blocks if b.lang in ("json", "jsonc", "json5")), None)
    if block is None:
        block = next((b for b in blocks if not b.lang and b.text.lstrip()[:1] in "{["), None)
    if block is None:
        return f"the answer is not JSON ({_decode_reason(whole_error)})"
    if not check.allow_fence:
        return "the JSON is inside a code fence; this check wants the bare JSON object"
    try:
        return json.loads(block.text), f"the JSON block at line {block.line + 1}"
    except ValueError as exc:
        return f"the JSON block at line {block.line + 1} is not JSON ({_decode_reason(exc)})"


def _decode_reason(exc: ValueError) -> str:
    if isinstance(exc, json.JSONDecodeError):
        return f"{exc.msg} at line {exc.lineno}, column {exc.colno}"
    return str(exc)


def _json_schema(check: JsonSchemaCheck, answer: str) -> CheckResult:
    from jsonschema import Draft202012Validator  # noqa: PLC0415
    from jsonschema.exceptions import best_match  # noqa: PLC0415
    from jsonschema.validators import validator_for  # noqa: PLC0415

    found = _json_of(check, answer)
    if isinstance(found, str):
        return _result(check, False, found)
    value, where = found
    schema = check.schema_
    assert schema is not None  # resolve_checks inlined schema_file
    cls = validator_for(schema, default=Draft202012Validator)
    validator = cls(schema, format_checker=cls.FORMAT_CHECKER)
    errors = list(validator.iter_errors(value))
    if not errors:
        return _result(check, True, f"{where} validates against the schema")
    first = best_match(errors)
    assert first is not None
    more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
    detail = "\n".join(f"{e.json_path}: {_short(e.message, 300)}" for e in errors[:20])
    return _result(check, False, f"{first.json_path}: {_short(first.message)}{more}", detail)


def _regex(check: RegexCheck, answer: str) -> CheckResult:
    match = check.compiled().search(answer)
    if match is None:
        return _result(check, False, f"no match for /{_short(check.pattern, 60)}/")
    return _result(check, True, f"matches at line {_line_of(answer, match.start())}")


def _find(text: str, needle: str, ignore_case: bool) -> int:
    return text.lower().find(needle.lower()) if ignore_case else text.find(needle)


def _contains(check: ContainsCheck | NotContainsCheck, answer: str) -> CheckResult:
    at = _find(answer, check.text, check.ignore_case)
    shown = repr(_short(check.text, 60))
    if isinstance(check, ContainsCheck):
        if at < 0:
            return _result(check, False, f"{shown} is not in the answer")
        return _result(check, True, f"{shown} found at line {_line_of(answer, at)}")
    if at >= 0:
        return _result(check, False, f"{shown} is in the answer (line {_line_of(answer, at)})")
    return _result(check, True, f"{shown} is not in the answer")


def _norm(title: str) -> str:
    title = re.sub(r"^[*_`]+|[*_`]+$", "", title.strip())
    return " ".join(title.lower().split()).rstrip(":").strip()


def _same_heading(found: str, wanted: str) -> bool:
    """A heading matches when it is the wanted text, or starts with it then a non-word."""
    a, b = _norm(found), _norm(wanted)
    return a == b or (a.startswith(b) and not a[len(b)].isalnum())


def _section_lines(answer: str, title: str) -> tuple[Heading, str] | None:
    heads = headings(answer)
    lines = answer.splitlines()
    for i, head in enumerate(heads):
        if _same_heading(head.text, title):
            end = next((h.line for h in heads[i + 1 :] if h.level <= head.level), len(lines))
            return head, "\n".join(lines[head.line + 1 : end])
    return None


def _max_words(check: MaxWordsCheck, answer: str) -> CheckResult:
    where = "the answer"
    text = answer
    if check.section is not None:
        section = _section_lines(answer, check.section)
        if section is None:
            return _result(check, False, f"no '{check.section}' section to count")
        where, text = f"section '{section[0].text}'", section[1]
    words = len(re.findall(r"\S+", text))
    verdict = "at most" if words <= check.max else "more than"
    return _result(check, words <= check.max, f"{where}: {words} words ({verdict} {check.max})")


def _sections(check: SectionsCheck, answer: str) -> CheckResult:
    heads = [h for h in headings(answer) if check.level is None or h.level == check.level]
    marks = "#" * (check.level or 2)
    at = 0
    for n, wanted in enumerate(check.headings):
        position = next(
            (k for k in range(at, len(heads)) if _same_heading(heads[k].text, wanted)), None
        )
        if position is None:
            earlier = any(_same_heading(h.text, wanted) for h in heads[:at])
            if earlier:
                before = check.headings[n - 1]
                reason = f"'{marks} {wanted}' is out of order (it should come after '{before}')"
            else:
                reason = f"missing '{marks} {wanted}'"
            found = ", ".join(repr(h.text) for h in heads) or "none"
            return _result(check, False, reason, f"headings found: {found}")
        at = position + 1
    return _result(check, True, f"all {len(check.headings)} sections, in order")


def evaluate(check: Check, answer: str) -> CheckResult:
    """Run one text check on a finished answer, in this process (no time limit).

    A check that raises is reported as status "error", never as a pass or a fail.
    `python_tests` checks are not text checks: see `core.check_pytest`.
    """
    try:
        if isinstance(check, JsonSchemaCheck):
            return _json_schema(check, answer)
        if isinstance(check, RegexCheck):
            return _regex(check, answer)
        if isinstance(check, ContainsCheck | NotContainsCheck):
            return _contains(check, answer)
        if isinstance(check, MaxWordsCheck):
            return _max_words(check, answer)
        if isinstance(check, SectionsCheck):
            return _sections(check, answer)
        assert not isinstance(check, PythonTestsCheck), "python_tests runs in the sandbox"
        raise TypeError(f"unknown kind of check {check.kind!r}")
    except Exception as exc:  # a crashing check must never read as a verdict on the answer
        return failed_to_run(check, f"{type(exc).__name__}: {_short(str(exc), 200)}")


_CHECKS = TypeAdapter(list[Check])


def main() -> None:
    """The child process: {"checks": [...], "answer": "..."} on stdin, results out.

    Each result is written (and flushed) as soon as it is known, so a time limit that
    stops the child keeps the results already reached.
    """
    request = json.loads(sys.stdin.buffer.read().decode("utf-8"))
    checks = _CHECKS.validate_python(request["checks"])
    answer = str(request["answer"])
    out = sys.stdout.buffer
    for check in checks:
        out.write(json.dumps(evaluate(check, answer).as_dict()).encode("utf-8") + b"\n")
        out.flush()


if __name__ == "__main__":
    main()
