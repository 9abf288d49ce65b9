"""A task suite on the app (`modelduel suite`): the task shown, stepping through, resuming.

Which task to resume and the progress counts are the Textual-free
`core.suite_progress`; this module shows a task's recorded duel or runs it.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from modelduel.tui.suite_hint import load_suite_hints
from modelduel.tui.taskpanel import TaskInfo

if TYPE_CHECKING:
    from modelduel.tasks import Task
    from modelduel.tui.app import ModelduelApp
    from modelduel.tui.duelview import DuelView

__all__ = ["goto_task", "shown_task", "task_budget", "task_info", "task_of"]


def shown_task(app: ModelduelApp) -> tuple[str | None, str]:
    """(task id, task type) of the task on screen; (None, "adhoc") for none."""
    if app.settings.tasks:
        task = app.settings.tasks[app.task_index]
        return task.id, task.type
    view = app.view
    if view is not None and view.task_type != "adhoc" and view.task_id:
        return view.task_id, view.task_type
    return None, "adhoc"


def task_of(app: ModelduelApp, view: DuelView) -> Task | None:
    """The suite task a duel ran, if it is one of this session's."""
    return next((t for t in app.settings.tasks if t.id == view.task_id), None)


def task_info(app: ModelduelApp, view: DuelView) -> TaskInfo | None:
    """What the task panel shows for a duel: its suite task, or its prompt if reopened."""
    task = task_of(app, view)
    if task is not None:
        return TaskInfo(f"{task.id} · {task.title}", task.prompt, task.criteria, task.output_format)
    reopened = view.live is None or (app.views and view is not app.views[-1])
    if reopened and view.prompt:
        return TaskInfo(f"Prompt · {view.task_id}", view.prompt)
    return None


def task_budget(app: ModelduelApp, task_id: str | None) -> int | None:
    """A suite task's own output budget, as `modelduel run` sends it (the command line's
    and the config's budget still win inside `plan_request`)."""
    task = next((t for t in app.settings.tasks if t.id == task_id), None)
    return task.max_output_tokens if task is not None else None


async def goto_task(app: ModelduelApp, index: int) -> None:
    """Show a suite task: its recorded duel if there is one, else run it now."""
    tasks = app.settings.tasks
    app.task_index = max(0, min(index, len(tasks) - 1))
    task = tasks[app.task_index]
    views = [v for v in app.views if v.task_id == task.id]
    if views:
        await app.show_view(views[-1])
    else:
        # a suite has loaded its tasks already: this only binds the name
        from modelduel.tasks import render_prompt  # noqa: PLC0415  tasks: ~19 ms off launch

        await app.start_duel(
            render_prompt(task), task.system or "", task_id=task.id, task_type=task.type, task=task
        )
    # the CSV's verdicts, refreshed
    job = asyncio.ensure_future(load_suite_hints(app, announce=not app.hint_jobs))
    app.hint_jobs.add(job)
    app.update_status()
