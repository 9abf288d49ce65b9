"""Task files: TOML in, a validated `Task` out, and the prompt every model is sent.

A task file looks like this (paths in `context_files` are relative to the file):

    id = "fix-median"
    type = "coding_bug_fix"
    title = "Fix the off-by-one in median()"
    prompt = "The function below ..."
    criteria = ["...", "...", "..."]
    output_format = "A unified diff, then one sentence on the cause."
    # optional
    system = "You are ..."
    context_files = ["context/notes.md"]
    max_output_tokens = 32000
    [[checks]]               # automatic checks of the answer: see `modelduel.checkspec`
    name = "sections"
    kind = "sections"
    part = "format"
    headings = ["Fix", "Why"]
    # tools, conversations, attachments (preview: validated here, the engine's loop is
    # not wired yet); see `modelduel.toolspec` for [[tools]] and their matching rule
    attachments = ["context/screenshot.png"]   # images by magic bytes, else UTF-8 text
    fixtures = "fixtures/repo"  # read-only files behind list_files / read_file / search
    max_tool_rounds = 8
    [[tools]]
    name = "run_command"
    description = "..."
    parameters = { type = "object", properties = { command = { type = "string" } } }
    [[tools.rules]]
    match = { command = 'git show.*' }
    result_file = "tool-results/git-show.txt"
    [[turns]]                # scripted follow-ups, sent after each answer ends
    prompt = "Now add a regression test."

A suite is a folder of such files, taken in filename order. Every problem is reported
as one line naming the file and the field, so a typo never costs a batch run.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from modelduel.attachments import AttachmentError, fence_for, load_attachment
from modelduel.checkspec import CHECK_KINDS, Check, CheckSpecError, resolve_checks
from modelduel.conversation import UserMessage, user_message
from modelduel.errors import TaskFileError
from modelduel.fixturefs import FixtureError, resolve_fixture_dir, scan_fixture_tree
from modelduel.toolspec import (
    DEFAULT_MAX_TOOL_ROUNDS,
    FIXTURE_TOOL_NAMES,
    ToolDecl,
    ToolRule,
    TurnSpec,
)

__all__ = [
    "DEFAULT_SYSTEM_PROMPT",
    "Task",
    "load_suite",
    "load_task",
    "render_prompt",
    "task_user_messages",
]

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


_FIELD_HINTS = {
    "id": "a short name such as 'fix-median' (letters, digits, '_', '-', '.')",
    "type": "a snake_case task type such as 'coding_bug_fix'",
    "title": "a short human label",
    "prompt": "the task description, usually a multi-line string",
    "criteria": 'a list of strings, e.g. criteria = ["...", "...", "..."]',
    "output_format": "the required format of the answer, a string",
    "system": "a system prompt string (omit it for the default)",
    "context_files": 'a list of paths relative to the task file, e.g. ["context/a.md"]',
    "checks": "[[checks]] tables with name, kind, part and the kind's parameters",
    "tools": "[[tools]] tables with name, description, parameters and result or rules",
    "fixtures": "a folder relative to the task file, inside the task's folder",
    "max_tool_rounds": "an integer from 1 to 100 (default 8)",
    "turns": "[[turns]] tables, each with a prompt",
    "attachments": 'a list of paths relative to the task file, e.g. ["context/chart.png"]',
}
_TOOL_HINTS = {
    "name": "letters, digits, '_' and '-', starting with a letter or '_', at most 64",
    "parameters": 'a JSON Schema object, e.g. { type = "object", properties = { ... } }',
    "latency_ms": "an integer number of milliseconds from 0 to 600000",
    "match": "a table of parameter name -> regular expression (matched with fullmatch)",
}
_CHECK_HINTS = {
    "name": "a short name such as 'schema' (letters, digits, '_', '-', '.')",
    "kind": f"one of {', '.join(CHECK_KINDS)}",
    "part": "the rubric part the check informs: quality, correctness, format or rework",
    "tests": 'pytest files or folders relative to the task file, e.g. ["fixtures/t/test_x.py"]',
}
_ALLOWED = ", ".join(k for k in Task.model_fields if k != "path")


def _describe(value: Any) -> str:
    names = {str: "a string", int: "an integer", float: "a number", bool: "a boolean"}
    names |= {list: "a list", dict: "a table"}
    return names.get(type(value), type(value).__name__)


def _error_line(path: Path, exc: ValidationError, raw: dict[str, Any]) -> str:
    """One line for the first validation error: file, field, what is wrong, a hint."""
    err = exc.errors()[0]
    loc = err["loc"]
    if len(loc) >= 2 and loc[0] == "checks" and isinstance(loc[1], int):
        return _check_error_line(path, err)
    if len(loc) >= 2 and loc[0] in ("tools", "turns") and isinstance(loc[1], int):
        return _nested_error_line(path, err)
    if not loc:
        # A task-level rule names its field first ("tools[0].name: ..."): put it in the location.
        msg = str(err["msg"]).removeprefix("Value error, ")
        named = _NAMED_RE.match(msg)
        if named:
            return f"{path}: field '{named.group(1)}': {named.group(2)}"
    field = str(loc[0]) if loc else "?"
    where = field + "".join(f"[{p}]" for p in loc[1:])
    kind = err["type"]
    if kind == "extra_forbidden":
        return f"{path}: field '{where}': unknown field (allowed: {_ALLOWED})"
    hint = _FIELD_HINTS.get(field, "")
    if kind == "missing":
        return f"{path}: field '{where}': missing (expected {hint})"
    if kind == "string_pattern_mismatch":
        return f"{path}: field '{where}': {raw.get(field)!r} is not valid (expected {hint})"
    msg = str(err["msg"]).removeprefix("Value error, ")
    if kind.endswith("_type"):
        got = _describe(err.get("input"))
        return f"{path}: field '{where}': {msg[:1].lower() + msg[1:]}, got {got} ({hint})"
    return f"{path}: field '{where}': {msg[:1].lower() + msg[1:]} ({hint})"


def _check_error_line(path: Path, err: Any) -> str:
    """One line for an error inside `checks[i]`, e.g. `field 'checks[0].pattern': ...`."""
    loc = list(err["loc"])
    index = loc[1]
    rest = [str(p) for p in loc[2:]]
    if rest and rest[0] in CHECK_KINDS:
        rest = rest[1:]  # the discriminated union's tag, not a field of the file
    where = f"checks[{index}]" + "".join(f".{p}" if not p.isdigit() else f"[{p}]" for p in rest)
    kind = err["type"]
    msg = str(err["msg"]).removeprefix("Value error, ")
    msg = msg[:1].lower() + msg[1:]
    # A check-level rule names its field first ("file: missing; ..."): put it in the location.
    named = re.match(r"([a-z_]+): (.*)", msg)
    if not rest and named:
        rest, msg = [named.group(1)], named.group(2)
        where += f".{rest[0]}"
    if kind == "extra_forbidden":
        msg = "unknown field for this kind of check"
    elif kind == "union_tag_not_found":
        where += ".kind"
        msg = "missing"
    elif kind == "union_tag_invalid":
        where += ".kind"
        msg = f"{err['ctx'].get('tag')!r} is not a kind of check"
    elif kind == "missing":
        msg = "missing"
    hint = _CHECK_HINTS.get(rest[0] if rest else "kind" if where.endswith(".kind") else "", "")
    if kind == "literal_error" and rest and rest[0] == "part":
        msg = f"{err.get('input')!r} is not a rubric part"
    return f"{path}: field '{where}': {msg}" + (f" (expected {hint})" if hint else "")


_NAMED_RE = re.compile(r"([a-z_]+(?:\[\d+\])?(?:\.[A-Za-z0-9_-]+|\[\d+\])*): (.*)")


def _nested_error_line(path: Path, err: Any) -> str:
    """One line for an error inside `tools[i]` or `turns[i]`, e.g. `tools[0].rules[1].match`."""
    loc = list(err["loc"])
    where = f"{loc[0]}[{loc[1]}]" + "".join(
        f"[{p}]" if isinstance(p, int) else f".{p}" for p in loc[2:]
    )
    msg = str(err["msg"]).removeprefix("Value error, ")
    msg = msg[:1].lower() + msg[1:]
    named = _NAMED_RE.match(msg)
    if named:
        where, msg = f"{where}.{named.group(1)}", named.group(2)
    kind = err["type"]
    last = next((str(p) for p in reversed(loc) if isinstance(p, str)), "")
    if kind == "extra_forbidden":
        model = TurnSpec if loc[0] == "turns" else ToolRule if "rules" in loc else ToolDecl
        msg = f"unknown field (allowed: {', '.join(model.model_fields)})"
    elif kind == "missing":
        msg = "missing"
    elif kind == "string_pattern_mismatch":
        msg = f"{err.get('input')!r} is not valid"
    hint = _TOOL_HINTS.get(last, "") if loc[0] == "tools" else ""
    return f"{path}: field '{where}': {msg}" + (f" (expected {hint})" if hint else "")


def _toml_error_line(path: Path, exc: tomllib.TOMLDecodeError) -> str:
    text = str(exc)
    # Python 3.11's decoder puts the position only in the message: "... (at line 3, column 7)".
    m = re.search(r"\(at line (\d+), column (\d+)\)", text)
    if m:
        reason = text[: m.start()].strip()
        return f"{path}:{m.group(1)}: TOML syntax error at column {m.group(2)}: {reason}"
    return f"{path}: TOML syntax error: {text}"


def load_task(path: Path) -> Task:
    """Read and validate one task file.

    Args:
        path: the TOML file.

    Returns:
        The validated task; its `path` is `path`, so context files resolve next to it.

    Raises:
        TaskFileError: the file is unreadable, not TOML, fails validation, or names a
            context file that does not exist; the message names the file and field.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise TaskFileError(f"{path}: no such task file") from None
    except UnicodeDecodeError:
        raise TaskFileError(f"{path}: not UTF-8 text") from None
    except OSError as exc:
        raise TaskFileError(f"{path}: cannot read ({exc.strerror or exc})") from None
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise TaskFileError(_toml_error_line(path, exc)) from None
    if "path" in raw:
        # The file's own location is not something a file may claim.
        raise TaskFileError(f"{path}: field 'path': unknown field (allowed: {_ALLOWED})")
    try:
        task = Task.model_validate({**raw, "path": path})
    except ValidationError as exc:
        raise TaskFileError(_error_line(path, exc, raw)) from None
    for name, full in zip(task.context_files, task.context_paths(), strict=True):
        if not full.is_file():
            raise TaskFileError(
                f"{path}: field 'context_files': {name!r} not found "
                f"(looked for {full}; paths are relative to the task file)"
            )
    if task.checks:
        try:
            checks = resolve_checks(path.parent, task.checks)
        except CheckSpecError as exc:
            raise TaskFileError(f"{path}: field 'checks[{exc.index}].{exc.field}': {exc}") from None
        task = task.model_copy(update={"checks": checks})
    return _resolve_world(path, task)


def _inside_task_dir(path: Path, field: str, name: str) -> Path:
    base = path.parent.resolve()
    full = (path.parent / name).resolve()
    if Path(name).is_absolute() or not full.is_relative_to(base):
        raise TaskFileError(
            f"{path}: field '{field}': {name!r} is outside the task's folder {base} "
            "(give a path relative to the task file, inside its folder)"
        )
    return full


def _resolve_world(path: Path, task: Task) -> Task:
    """Check the files the tools, fixtures and attachments name; inline tool result files."""
    tools: list[ToolDecl] = []
    for i, tool in enumerate(task.tools):
        update: dict[str, Any] = {}
        if tool.result_file is not None:
            update["result"] = _read_result(path, f"tools[{i}].result_file", tool.result_file)
        rules = []
        for j, rule in enumerate(tool.rules):
            if rule.result_file is not None:
                field = f"tools[{i}].rules[{j}].result_file"
                text = _read_result(path, field, rule.result_file)
                rule = rule.model_copy(update={"result": text})
            rules.append(rule)
        if rules:
            update["rules"] = rules
        tools.append(tool.model_copy(update=update) if update else tool)
    if task.fixtures is not None:
        try:
            scan_fixture_tree(resolve_fixture_dir(path.parent, task.fixtures))
        except FixtureError as exc:
            raise TaskFileError(f"{path}: field 'fixtures': {exc}") from None
    listed = [("attachments", task.attachments)]
    listed += [(f"turns[{i}].attachments", turn.attachments) for i, turn in enumerate(task.turns)]
    for field, names in listed:
        for name in names:
            try:
                load_attachment(path.parent / name, name=name)
            except AttachmentError as exc:
                raise TaskFileError(f"{path}: field '{field}': {exc}") from None
    return task.model_copy(update={"tools": tools}) if task.tools else task


def _read_result(path: Path, field: str, name: str) -> str:
    full = _inside_task_dir(path, field, name)
    try:
        return full.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise TaskFileError(
            f"{path}: field '{field}': {name!r} not found "
            f"(looked for {full}; paths are relative to the task file)"
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise TaskFileError(f"{path}: field '{field}': cannot read {name!r} ({exc})") from None


def load_suite(folder: Path) -> list[Task]:
    """Load every `*.toml` task file of a folder, in filename order.

    Args:
        folder: the suite folder (subfolders, e.g. `context/`, are not scanned).

    Returns:
        The tasks, sorted by filename.

    Raises:
        TaskFileError: the folder is missing or has no task files, a file is invalid,
            or two files share an id.
    """
    if not folder.is_dir():
        raise TaskFileError(f"{folder}: not a folder of task files")
    files = sorted((p for p in folder.glob("*.toml") if p.is_file()), key=lambda p: p.name)
    if not files:
        raise TaskFileError(f"{folder}: no task files (*.toml) in this folder")
    tasks: list[Task] = []
    seen: dict[str, Path] = {}
    for file in files:
        task = load_task(file)
        if task.id in seen:
            raise TaskFileError(
                f"{file}: field 'id': duplicate id {task.id!r} (also in {seen[task.id].name})"
            )
        seen[task.id] = file
        tasks.append(task)
    return tasks


def render_prompt(task: Task) -> str:
    """The USER message template, filled in for `task`.

    The shape is the task description; each context file under a
    `Context file: NAME` header, fenced (blocks separated by a blank line); then, on the
    next lines, `Success criteria: 1) ... 2) ...` and `Output format: ...`.

    Args:
        task: a loaded task.

    Returns:
        The prompt text, identical for every model.

    Raises:
        TaskFileError: a context file cannot be read as UTF-8 text.
    """
    parts = [task.prompt.strip()]
    for name, full in zip(task.context_files, task.context_paths(), strict=True):
        try:
            content = full.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise TaskFileError(
                f"{task.path}: field 'context_files': cannot read {name!r} as UTF-8 text ({exc})"
            ) from None
        fence = fence_for(content)
        body = content if content.endswith("\n") else content + "\n"
        parts.append(f"Context file: {name}\n{fence}\n{body}{fence}")
    criteria = " ".join(f"{i}) {c.strip()}" for i, c in enumerate(task.criteria, 1))
    return (
        "\n\n".join(parts)
        + f"\nSuccess criteria: {criteria}\nOutput format: {task.output_format.strip()}"
    )


def task_user_messages(task: Task) -> list[UserMessage]:
    """The user messages of a task's conversation: the first prompt, then each `[[turns]]`.

    The first is `render_prompt(task)` with the task's `attachments`; each follow-up is its
    prompt with its own attachments (text ones added under their names, images as images).

    Raises:
        TaskFileError: an attachment changed since the task loaded and no longer loads.
    """
    base = task.path.parent
    listed = [("attachments", render_prompt(task), task.attachments)]
    listed += [
        (f"turns[{i}].attachments", turn.prompt.strip(), turn.attachments)
        for i, turn in enumerate(task.turns)
    ]
    messages = []
    for field, text, names in listed:
        try:
            loaded = [load_attachment(base / name, name=name) for name in names]
        except AttachmentError as exc:
            raise TaskFileError(f"{task.path}: field '{field}': {exc}") from None
        messages.append(user_message(text, loaded))
    return messages
