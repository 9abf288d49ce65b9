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

import tomllib
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from modelduel.attachments import AttachmentError, fence_for, load_attachment
from modelduel.check_files import CheckSpecError, resolve_checks
from modelduel.conversation import UserMessage, user_message
from modelduel.errors import TaskFileError
from modelduel.fixturefs import FixtureError, resolve_fixture_dir, scan_fixture_tree
from modelduel.task_errors import _ALLOWED, _error_line, _toml_error_line
from modelduel.task_model import DEFAULT_SYSTEM_PROMPT, Task
from modelduel.toolspec import ToolDecl

__all__ = [
    "DEFAULT_SYSTEM_PROMPT",
    "Task",
    "load_suite",
    "load_task",
    "render_prompt",
    "task_user_messages",
]


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
