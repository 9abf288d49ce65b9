"""The `Task` model: a task file's fields, their types and the rules each one follows."""

from __future__ import annotations

from pathlib import Path

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    field_validator,
    model_validator,
)

from modelduel.checkspec import Check
from modelduel.toolspec import (
    DEFAULT_MAX_TOOL_ROUNDS,
    FIXTURE_TOOL_NAMES,
    ToolDecl,
    TurnSpec,
)

# One SYSTEM line, word for word, for every model: each gets the same instructions.
DEFAULT_SYSTEM_PROMPT = (
    "You are an assistant completing one production task. Be concise and explicit. "
    "If uncertain, say what is missing."
)

_ID_RE = r"^[A-Za-z0-9][A-Za-z0-9_.-]*$"
_TYPE_RE = r"^[a-z][a-z0-9_]*$"


class Task(BaseModel):
    """One task of a suite, as validated from its TOML file.

    Attributes:
        id: unique within a suite; the CSV's `task_id`.
        type: the workload kind routes are chosen for, e.g. `coding_bug_fix`.
        title: a short human label.
        prompt: the task description (the template's USER part, before the criteria).
        criteria: the success criteria, numbered in the prompt.
        output_format: the required format of the answer.
        system: the system prompt (default: `DEFAULT_SYSTEM_PROMPT`).
        context_files: documents inlined after the prompt, relative to the task file.
        checks: automatic checks of a finished answer (`[[checks]]`), run by `core.checks`.
        max_output_tokens: the output budget of every model on this task.
        tools: the task's scripted tools (`[[tools]]`), answered by `core.toolworld`; each
            `result_file` is inlined into `result` when the task loads.
        fixtures: a folder (relative to the task file, inside its folder) served read-only
            by the built-in tools list_files, read_file and search.
        max_tool_rounds: answered tool rounds before the loop ends with `tool_limit`.
        turns: scripted follow-up prompts (`[[turns]]`), after the first answer.
        attachments: files sent with the first prompt (images or UTF-8 text).
        path: the task file itself; set by `load_task`, never read from the TOML.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field(pattern=_ID_RE, max_length=200)
    type: str = Field(pattern=_TYPE_RE, max_length=100)
    title: str = Field(min_length=1)
    prompt: str = Field(min_length=1)
    criteria: list[str] = Field(min_length=1)
    output_format: str = Field(min_length=1)
    system: str | None = DEFAULT_SYSTEM_PROMPT
    context_files: list[str] = Field(default_factory=list)
    checks: list[Check] = Field(default_factory=list)
    max_output_tokens: int | None = Field(default=None, gt=0)
    """The output budget of every model on this task (the command line's wins)."""
    tools: list[ToolDecl] = Field(default_factory=list)
    fixtures: str | None = None
    max_tool_rounds: int = Field(default=DEFAULT_MAX_TOOL_ROUNDS, ge=1, le=100)
    turns: list[TurnSpec] = Field(default_factory=list)
    attachments: list[str] = Field(default_factory=list)
    # exclude=True keeps it out of dumps; load_task refuses it as a TOML key.
    path: Path = Field(default=Path("task.toml"), exclude=True)

    @field_validator("title", "prompt", "output_format")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must not be blank")
        return value

    @field_validator("criteria")
    @classmethod
    def _criteria_not_blank(cls, value: list[str]) -> list[str]:
        for i, item in enumerate(value, 1):
            if not item.strip():
                raise ValueError(f"criterion {i} is blank")
        return value

    @field_validator("context_files")
    @classmethod
    def _context_not_blank(cls, value: list[str]) -> list[str]:
        for item in value:
            if not item.strip():
                raise ValueError("a context file path is blank")
        return value

    @field_validator("checks")
    @classmethod
    def _check_names_unique(cls, value: list[Check]) -> list[Check]:
        seen: set[str] = set()
        for check in value:
            if check.name in seen:
                raise ValueError(f"two checks are named {check.name!r}; names must be unique")
            seen.add(check.name)
        return value

    @field_validator("tools")
    @classmethod
    def _tool_names_unique(cls, value: list[ToolDecl]) -> list[ToolDecl]:
        seen: set[str] = set()
        for tool in value:
            if tool.name in seen:
                raise ValueError(f"two tools are named {tool.name!r}; names must be unique")
            seen.add(tool.name)
        return value

    @model_validator(mode="after")
    def _tools_consistent(self) -> Task:
        if self.fixtures is not None:
            for i, tool in enumerate(self.tools):
                if tool.name in FIXTURE_TOOL_NAMES:
                    raise ValueError(
                        f"tools[{i}].name: {tool.name!r} is a built-in tool of 'fixtures' "
                        f"({', '.join(FIXTURE_TOOL_NAMES)}); choose another name"
                    )
        if "max_tool_rounds" in self.model_fields_set and not self.has_tools:
            raise ValueError(
                "max_tool_rounds: the task declares no [[tools]] and no fixtures, "
                "so there is no tool loop to cap"
            )
        return self

    @property
    def has_tools(self) -> bool:
        """Whether a run of this task is a tool loop (declared tools or a fixture folder)."""
        return bool(self.tools) or self.fixtures is not None

    def context_paths(self) -> list[Path]:
        """The context files, resolved relative to the task file."""
        return [self.path.parent / name for name in self.context_files]
