"""The files a task's checks name, checked (and schema files read) when the task loads.

Paths are relative to the task file. A `json_schema` check's `schema_file` is read, parsed
and checked against its metaschema, then inlined, so running the check reads no file; a
`python_tests` check's tests and fixture must exist. Each problem is a `CheckSpecError`
naming the field, so a bad check is a one-line error before any model is called. What a
check is and its own validation is `checkspec`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from modelduel.checkspec import (
    Check,
    JsonSchemaCheck,
    PythonTestsCheck,
    check_json_schema,
    is_plain_relative,
)

__all__ = ["CheckSpecError", "resolve_checks"]


class CheckSpecError(ValueError):
    """A check's resources are wrong: `field` is where, relative to the check."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.index = -1  # the check's position in the task's list, set by resolve_checks


def _load_schema_file(base: Path, name: str) -> dict[str, Any]:
    full = base / name
    try:
        text = full.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise CheckSpecError(
            "schema_file", f"{name!r} not found (looked for {full}; relative to the task file)"
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise CheckSpecError("schema_file", f"cannot read {name!r} ({exc})") from None
    try:
        schema = json.loads(text)
    except json.JSONDecodeError as exc:
        where = f"line {exc.lineno}, column {exc.colno}"
        raise CheckSpecError("schema_file", f"{name!r} is not JSON ({where}: {exc.msg})") from None
    try:
        check_json_schema(schema)
    except ValueError as exc:
        raise CheckSpecError("schema_file", f"{name!r}: {exc}") from None
    if not isinstance(schema, dict):
        raise CheckSpecError("schema_file", f"{name!r}: use an object schema")
    return schema


def resolve_checks(base: Path, checks: list[Check]) -> list[Check]:
    """Check the files a task's checks name, and inline schema files.

    Args:
        base: the task file's folder; check paths are relative to it.
        checks: the validated checks.

    Returns:
        The checks, each `json_schema` one with its schema loaded (so running it reads no
        file).

    Raises:
        CheckSpecError: with `.index`, `.field` and a one-line message.
    """
    out: list[Check] = []
    for index, check in enumerate(checks):
        try:
            out.append(_resolve(base, check))
        except CheckSpecError as exc:
            exc.index = index
            raise
    return out


def _resolve(base: Path, check: Check) -> Check:
    if isinstance(check, JsonSchemaCheck) and check.schema_file is not None:
        return check.model_copy(update={"schema_": _load_schema_file(base, check.schema_file)})
    if isinstance(check, PythonTestsCheck):
        for name in check.tests:
            if not is_plain_relative(name):
                raise CheckSpecError("tests", f"{name!r} must be a relative path inside the suite")
            if not (base / name).exists():
                raise CheckSpecError(
                    "tests",
                    f"{name!r} not found (looked for {base / name}; relative to the task file)",
                )
        if check.fixture is not None and not (base / check.fixture).is_dir():
            raise CheckSpecError(
                "fixture", f"{check.fixture!r} is not a folder (looked for {base / check.fixture})"
            )
    return check
