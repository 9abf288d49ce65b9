"""The `[[tools]]` of a task file: a scripted world the models' tool calls are answered from.

    max_tool_rounds = 8                 # the loop stops with finish reason `tool_limit` after
                                        # this many answered rounds (default 8)
    fixtures = "fixtures/tokensvc"      # optional: a read-only file system from this folder,
                                        # served by the built-in tools list_files, read_file,
                                        # search (see `core.toolworld`)
    [[tools]]
    name = "run_command"                # letters, digits, '_' and '-'; starts with a letter or '_'
    description = "Run a shell command in the checkout and return its output."
    latency_ms = 400                    # optional: the engine waits this long before answering
    default = "bash: command not found" # the answer when no rule matches (an error result)
    [tools.parameters]                  # a JSON Schema of an object (the call's arguments)
    type = "object"
    required = ["command"]
    properties.command = { type = "string" }

    [[tools.rules]]                     # the first rule whose every `match` key matches wins
    match = { command = 'git\\s+show(\\s+HEAD)?' }
    result_file = "tool-results/git-show.txt"    # or result = "..." inline
    # error = true                      # the result is reported as a failed call

A tool has either a fixed result (`result` or `result_file`, no rules) or an ordered list of
rules with an optional `default`.

Matching rule (one, documented, tested): each key of `match` names a parameter of the
tool's schema; its value is a Python regular expression that must match the *whole*
argument (`re.fullmatch`). A string argument is matched as it is; any other argument (a
number, a boolean, a list, an object) as its compact JSON text (`5`, `true`,
`["a","b"]`, keys sorted). An argument absent from the call never matches. All keys must
match; `match = {}` matches every call. Use inline flags for case or dot-all,
e.g. `(?i)git show.*`.

Bad input is refused when the task loads, one line naming the field: a schema that is not
valid JSON Schema (checked with `jsonschema`'s metaschema check) or not an object schema,
a rule whose regex does not compile, names a key that is not a parameter, can match no
value of an `enum` parameter, or comes after a rule that matches everything; a result file
that does not exist or lies outside the task's folder.
"""

from __future__ import annotations

import json
import re
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from modelduel.checkspec import check_json_schema
from modelduel.conversation import DEFAULT_MAX_TOOL_ROUNDS

__all__ = [
    "DEFAULT_MAX_TOOL_ROUNDS",
    "FIXTURE_TOOL_NAMES",
    "MISSING_RULE_DEFAULT",
    "ToolDecl",
    "ToolRule",
    "TurnSpec",
    "argument_text",
]

FIXTURE_TOOL_NAMES: tuple[str, ...] = ("list_files", "read_file", "search")
"""The built-in tools a task with `fixtures` gets; a `[[tools]]` entry may not reuse them."""

MISSING_RULE_DEFAULT = "error: nothing is scripted for these arguments"
"""The result of a call no rule matches when the tool sets no `default`."""

# The intersection of what the providers accept as a function name: OpenAI and Anthropic
# `^[a-zA-Z0-9_-]{1,64}$`, Gemini also wants a letter or '_' first.
_TOOL_NAME_RE = r"^[A-Za-z_][A-Za-z0-9_-]{0,63}$"


def argument_text(value: Any) -> str:
    """The text a rule's regex is matched against for one argument value.

    Strings are themselves; anything else is its compact JSON (keys sorted), so
    `5`, `true`, `null`, `["a","b"]` are what a pattern sees.
    """
    if isinstance(value, str):
        return value
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


class ToolRule(BaseModel):
    """One scripted answer: when every `match` pattern fullmatches its argument, reply."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    match: dict[str, str] = Field(default_factory=dict)
    result: str | None = None
    result_file: str | None = None
    error: bool = False

    @field_validator("match")
    @classmethod
    def _patterns_compile(cls, value: dict[str, str]) -> dict[str, str]:
        for key, pattern in value.items():
            try:
                re.compile(pattern)
            except re.error as exc:
                raise ValueError(
                    f"{key}: {pattern!r} is not a valid regular expression ({exc})"
                ) from None
        return value

    @model_validator(mode="after")
    def _one_result(self) -> ToolRule:
        if (self.result is None) == (self.result_file is None):
            raise ValueError("result: give exactly one of 'result' (inline) or 'result_file'")
        return self

    def matches(self, arguments: dict[str, Any]) -> bool:
        """Whether this rule answers a call with these (schema-valid) arguments."""
        for key, pattern in self.match.items():
            if key not in arguments:
                return False
            if re.fullmatch(pattern, argument_text(arguments[key])) is None:
                return False
        return True


class ToolDecl(BaseModel):
    """One `[[tools]]` entry: the declaration every model sees, and where its results come from.

    Attributes:
        name: the function name the model calls.
        description: what the tool does, shown to the model.
        parameters: a JSON Schema of an object: the call's arguments.
        result / result_file: a fixed result for every valid call (then no `rules`).
        rules: ordered (pattern → result) rules; the first match answers.
        default: the answer when no rule matches (reported as an error result).
        latency_ms: how long the engine waits before answering (simulated slowness).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(pattern=_TOOL_NAME_RE)
    description: str = Field(min_length=1, max_length=4000)
    parameters: dict[str, Any] = Field(default_factory=lambda: {"type": "object", "properties": {}})
    result: str | None = None
    result_file: str | None = None
    rules: list[ToolRule] = Field(default_factory=list)
    default: str | None = None
    latency_ms: int = Field(default=0, ge=0, le=600_000)

    @field_validator("description")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must not be blank")
        return value

    @field_validator("parameters")
    @classmethod
    def _object_schema(cls, value: dict[str, Any]) -> dict[str, Any]:
        check_json_schema(value)
        if value.get("type") != "object":
            raise ValueError(
                'the arguments schema must be an object schema (type = "object"), '
                "as every provider requires"
            )
        props = value.get("properties", {})
        if not isinstance(props, dict):
            raise ValueError("properties must be a table of parameter schemas")
        return value

    @model_validator(mode="after")
    def _results(self) -> ToolDecl:
        fixed = self.result is not None or self.result_file is not None
        if self.result is not None and self.result_file is not None:
            raise ValueError("result: give one of 'result' or 'result_file', not both")
        if fixed and self.rules:
            raise ValueError("rules: a tool has either a fixed result or rules, not both")
        if not fixed and not self.rules:
            raise ValueError(
                "result: missing; give 'result', 'result_file' or [[tools.rules]] tables"
            )
        if self.default is not None and not self.rules:
            raise ValueError("default: only a tool with rules has a default")
        self._check_rules()
        return self

    def _check_rules(self) -> None:
        props: dict[str, Any] = self.parameters.get("properties", {})
        for i, rule in enumerate(self.rules):
            for key, pattern in rule.match.items():
                if key not in props:
                    known = ", ".join(props) or "none"
                    raise ValueError(
                        f"rules[{i}].match.{key}: not a parameter of {self.name!r} "
                        f"(parameters: {known}); this rule could never match"
                    )
                enum = props[key].get("enum") if isinstance(props[key], dict) else None
                if isinstance(enum, list) and not any(
                    re.fullmatch(pattern, argument_text(v)) for v in enum
                ):
                    raise ValueError(
                        f"rules[{i}].match.{key}: {pattern!r} matches none of the allowed "
                        f"values {enum}; this rule could never match"
                    )
            if not rule.match and i < len(self.rules) - 1:
                raise ValueError(
                    f"rules[{i + 1}]: can never match, rules[{i}] has an empty match "
                    "and answers every call (put catch-alls last, or use 'default')"
                )

    def default_result(self) -> str:
        """The answer for a call no rule matches."""
        return self.default if self.default is not None else MISSING_RULE_DEFAULT


class TurnSpec(BaseModel):
    """One scripted follow-up (`[[turns]]`): sent after the model's previous answer ends."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    prompt: str = Field(min_length=1)
    attachments: list[str] = Field(default_factory=list)

    @field_validator("prompt")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must not be blank")
        return value
