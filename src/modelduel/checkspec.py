"""The `[[checks]]` of a task file: automatic checks, validated when the task loads.

Each check has a `name` (unique in its task), a `kind`, the rubric `part` it informs
(`quality`, `correctness`, `format` or `rework`: the 0–5 rubric's parts, see
`core.scoring`), and the parameters of its kind:

    [[checks]]
    name = "schema"
    kind = "json_schema"          # the answer (or its first fenced JSON block) validates
    part = "format"
    schema_file = "fixtures/incidents/schema.json"   # or schema = { ... } inline
    # allow_fence = true          # false: a fenced answer fails

    [[checks]]                    # kind = "regex": pattern = "...", flags = "ims"
    name = "answer-length"        # kind = "contains" / "not_contains": text, ignore_case
    kind = "max_words"            # kind = "max_words": max, and optionally section
    part = "format"               # kind = "sections": headings = ["Plan", "Fix"], level
    max = 80
    section = "Answer"

    [[checks]]
    name = "tests"
    kind = "python_tests"         # pytest on the answer's code, in a sandbox
    part = "correctness"
    fixture = "fixtures/retry"    # copied into a throwaway folder first (optional)
    answer = "diff"               # "code": the first python block is written to `file`
    tests = ["fixtures/retry-tests/test_hidden.py"]
    # timeout_s = 60, memory_mb = 1024

This module only describes and validates; `core.checks` runs them. Paths are relative
to the task file and are resolved (and a schema file read and checked against its
metaschema) by `check_files.resolve_checks` when the task loads, so a bad check is a
one-line error before any model is called.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

__all__ = [
    "CHECK_KINDS",
    "RUBRIC_PARTS",
    "Check",
    "ContainsCheck",
    "JsonSchemaCheck",
    "MaxWordsCheck",
    "NotContainsCheck",
    "PythonTestsCheck",
    "RegexCheck",
    "RubricPart",
    "SectionsCheck",
    "check_json_schema",
    "is_plain_relative",
]

RubricPart = Literal["quality", "correctness", "format", "rework"]
RUBRIC_PARTS: tuple[str, ...] = get_args(RubricPart)
"""The rubric parts a check may inform, in `core.scoring`'s order (a test keeps them equal)."""

_NAME_RE = r"^[A-Za-z0-9][A-Za-z0-9_.-]*$"
_REGEX_FLAGS = {"i": re.IGNORECASE, "m": re.MULTILINE, "s": re.DOTALL, "x": re.VERBOSE}


def _one_line(text: str, limit: int = 200) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def check_json_schema(schema: Any) -> None:
    """Validate a JSON Schema against its own metaschema (its `$schema`, else 2020-12).

    Raises:
        ValueError: one line saying what is wrong and where in the schema.
    """
    from jsonschema import Draft202012Validator, SchemaError  # noqa: PLC0415
    from jsonschema.validators import validator_for  # noqa: PLC0415

    if not isinstance(schema, dict | bool):
        raise ValueError(f"a JSON Schema is an object or a boolean, not {type(schema).__name__}")
    cls = validator_for(schema, default=Draft202012Validator)
    try:
        cls.check_schema(schema)  # type: ignore[arg-type]  # booleans are schemas too
    except SchemaError as exc:
        raise ValueError(
            f"not a valid JSON Schema: {_one_line(exc.message)} (at {exc.json_path})"
        ) from None


class _CheckBase(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)

    name: str = Field(pattern=_NAME_RE, max_length=60)
    part: RubricPart


class JsonSchemaCheck(_CheckBase):
    """The answer (or its first fenced JSON block) parses and validates against a schema."""

    kind: Literal["json_schema"]
    schema_: dict[str, Any] | None = Field(default=None, alias="schema")
    schema_file: str | None = None
    allow_fence: bool = True

    @field_validator("schema_")
    @classmethod
    def _valid_schema(cls, value: dict[str, Any] | None) -> dict[str, Any] | None:
        if value is not None:
            check_json_schema(value)
        return value

    @model_validator(mode="after")
    def _one_source(self) -> JsonSchemaCheck:
        if (self.schema_ is None) == (self.schema_file is None):
            raise ValueError("schema: give exactly one of 'schema' (inline) or 'schema_file'")
        return self


class RegexCheck(_CheckBase):
    """The answer contains a match of `pattern` (re.search; flags from "imsx")."""

    kind: Literal["regex"]
    pattern: str = Field(min_length=1)
    flags: str = ""

    @field_validator("flags")
    @classmethod
    def _known_flags(cls, value: str) -> str:
        unknown = sorted(set(value) - set(_REGEX_FLAGS))
        if unknown:
            raise ValueError(f"unknown flag(s) {''.join(unknown)!r}: use letters from 'imsx'")
        return value

    @model_validator(mode="after")
    def _compiles(self) -> RegexCheck:
        try:
            self.compiled()
        except re.error as exc:
            raise ValueError(f"pattern: not a valid regular expression ({exc})") from None
        return self

    def compiled(self) -> re.Pattern[str]:
        """The pattern compiled with its flags."""
        flags = 0
        for letter in self.flags:
            flags |= _REGEX_FLAGS[letter]
        return re.compile(self.pattern, flags)


class ContainsCheck(_CheckBase):
    """The answer contains `text`."""

    kind: Literal["contains"]
    text: str = Field(min_length=1)
    ignore_case: bool = False


class NotContainsCheck(_CheckBase):
    """The answer does not contain `text`."""

    kind: Literal["not_contains"]
    text: str = Field(min_length=1)
    ignore_case: bool = False


class MaxWordsCheck(_CheckBase):
    """At most `max` words in the answer, or in one Markdown section of it."""

    kind: Literal["max_words"]
    max: int = Field(ge=1)
    section: str | None = Field(default=None, min_length=1)


class SectionsCheck(_CheckBase):
    """The answer has these Markdown headings, in this order (others may sit between)."""

    kind: Literal["sections"]
    headings: list[str] = Field(min_length=1)
    level: int | None = Field(default=None, ge=1, le=6)

    @field_validator("headings")
    @classmethod
    def _not_blank(cls, value: list[str]) -> list[str]:
        for i, item in enumerate(value, 1):
            if not item.strip():
                raise ValueError(f"heading {i} is blank")
        return value


class PythonTestsCheck(_CheckBase):
    """The task's pytest tests run against the answer's code, in a sandbox (`core.sandbox`)."""

    kind: Literal["python_tests"]
    tests: list[str] = Field(min_length=1)
    fixture: str | None = None
    answer: Literal["code", "diff"] = "code"
    file: str | None = None
    timeout_s: float = Field(default=60.0, gt=0, le=600)
    memory_mb: int = Field(default=1024, ge=64, le=65536)

    @model_validator(mode="after")
    def _file_for_code(self) -> PythonTestsCheck:
        if self.answer == "code" and not self.file:
            raise ValueError(
                "file: missing; answer = 'code' needs the name the answer's code is saved as"
            )
        if self.file is not None and not is_plain_relative(self.file):
            raise ValueError(f"file: {self.file!r} must be a relative path inside the fixture")
        return self


Check = Annotated[
    JsonSchemaCheck
    | RegexCheck
    | ContainsCheck
    | NotContainsCheck
    | MaxWordsCheck
    | SectionsCheck
    | PythonTestsCheck,
    Field(discriminator="kind"),
]
CHECK_KINDS: tuple[str, ...] = (
    "json_schema",
    "regex",
    "contains",
    "not_contains",
    "max_words",
    "sections",
    "python_tests",
)


def is_plain_relative(name: str) -> bool:
    """Whether `name` is a relative path that stays inside its folder (no `..`, not blank)."""
    path = Path(name)
    return bool(name.strip()) and not path.is_absolute() and ".." not in path.parts
