"""The duel worker's pipe: what the parent and its child process say to each other.

One JSON object per line:
    parent -> child (stdin):  {"op": "start", "runs": [plan...]}
                              {"op": "cancel", "run_id": ID} | {"op": "cancel_all"}
                              (either with "reason": what the cancelled runs' error says)
    child -> parent (stdout): `READY_LINE` once, when it can take runs; then core.codec
                              event lines, and `ended_line(run_id)` when a run has fully
                              ended.

Both ends import this module: the parent's client (`core.worker`) and the child's serve
loop (`core.workerchild`). It holds the message format only, not either end's loop.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from typing import Any

from modelduel.conversation import DEFAULT_MAX_TOOL_ROUNDS, UserMessage
from modelduel.conversation_json import message_from_json, message_to_json
from modelduel.core.plan import RunPlan
from modelduel.providers.base import ModelRequest, StreamTarget

__all__ = ["READY_LINE", "ended_line", "ended_run_id", "plan_from_json", "plan_to_json"]

READY_LINE = b'["", 0, "R"]\n'
"""The child's first line: its imports are done and it reads commands."""

_ENDED = "E"
_ENDED_SUFFIX = b', 0, "E"]\n'


def ended_line(run_id: str) -> bytes:
    """The line saying run `run_id` has fully ended (its last event was sent before it)."""
    return (json.dumps([run_id, 0, _ENDED]) + "\n").encode()


def ended_run_id(line: bytes) -> str | None:
    """The run id of an `ended_line`, None for any other line (an event)."""
    if line.startswith(b'["') and line.endswith(_ENDED_SUFFIX):
        run_id = json.loads(line)[0]
        return run_id if isinstance(run_id, str) else None
    return None


def plan_to_json(plan: RunPlan) -> dict[str, Any]:
    """A plan as JSON; the key itself never crosses the pipe, only the name of its variable."""
    t, r = plan.target, plan.request
    return {
        "run_id": plan.run_id,
        "client_key": plan.client_key,
        "target": {
            "kind": t.kind,
            "base_url": t.base_url,
            "key_env": t.key_env,
            "key_required": t.key_required,
            "name": t.name,
        },
        "request": r.to_json(),
    } | _loop_json(plan)


def _loop_json(plan: RunPlan) -> dict[str, Any]:
    """The conversation loop's part of a plan (absent for a plain run: its line is as before).

    The world travels whole (tool declarations with their results, the fixture snapshot):
    the child never reads the task folder, so no tool can see more than the parent loaded.
    """
    out: dict[str, Any] = {}
    if plan.world is not None:
        out["world"] = plan.world.to_json()
        out["max_tool_rounds"] = plan.max_tool_rounds
    if plan.followups:
        out["followups"] = [message_to_json(m) for m in plan.followups]
    if plan.keep_conversation:
        out["keep_conversation"] = True
    return out


def _env_key(name: str | None) -> Callable[[], str | None]:
    def get() -> str | None:
        return os.environ.get(name) if name else None

    return get


def plan_from_json(data: dict[str, Any]) -> RunPlan:
    """The plan a parent sent; the key is read from this process's environment at send time."""
    t, r = data["target"], data["request"]
    request = ModelRequest.from_json(r)
    target = StreamTarget(
        kind=t["kind"],
        base_url=t["base_url"],
        api_key=_env_key(t["key_env"]),
        key_env=t["key_env"],
        key_required=t["key_required"],
        name=t.get("name"),
    )
    followups = tuple(message_from_json(m) for m in data.get("followups", ()))
    if not all(isinstance(m, UserMessage) for m in followups):
        raise ValueError("a plan's followups are user messages")
    world = data.get("world")
    if world is not None:
        # a tool task's only: the tools and their schema validation (jsonschema, pydantic
        # task models) stay out of the parent and out of a plain duel's child
        from modelduel.core.toolworld import ToolWorld  # noqa: PLC0415

        world = ToolWorld.from_json(world)
    return RunPlan(
        data["run_id"],
        data["client_key"],
        target,
        request,
        world=world,
        max_tool_rounds=data.get("max_tool_rounds", DEFAULT_MAX_TOOL_ROUNDS),
        followups=followups,  # type: ignore[arg-type]
        keep_conversation=bool(data.get("keep_conversation")),
    )
