"""The blind judge over loopback: one verdict from a `JudgeRunner` on the simulator."""

from __future__ import annotations

from modelduel.config import DEMO_ENV, Config, JudgeConfig, parse_config, resolve_model
from modelduel.conversation import Conversation
from modelduel.core.duel import ClientPool, DuelRunner
from modelduel.core.judge import JudgeRunner, judge_runner
from modelduel.core.judge_input import JudgedTask
from modelduel.core.judge_verdict import JudgeVerdict
from modelduel.core.plan import RunPlan
from modelduel.providers.http import Timeouts
from modelduel.simulator import SimulatorHandle


def demo_env(handle: SimulatorHandle) -> dict[str, str]:
    """The environment of a demo run against `handle`."""
    return handle.env() | {DEMO_ENV: "1"}


async def judge_verdict(
    handle: SimulatorHandle,
    task: JudgedTask,
    judge_spec: str,
    answered_by: str,
    answer: str,
    *,
    allow_self: bool = False,
    timeout_s: float = 60.0,
    conversation: Conversation | None = None,
) -> JudgeVerdict:
    """The verdict of judge `judge_spec` on `answer` (by `answered_by`), sent for real."""
    env = demo_env(handle)
    settings = JudgeConfig(model=judge_spec, allow_self=allow_self)
    judge: JudgeRunner | None = None

    def sink(run_id: str, stamped: object) -> None:
        assert judge is not None and judge.sink(run_id, stamped)  # type: ignore[arg-type]

    pool = ClientPool(Timeouts(connect=2, stall=5))
    runner = DuelRunner(sink, pool, timeout_s=timeout_s)

    async def start(plans: list[RunPlan]) -> None:
        for run in runner.start(plans):
            run.add_done_callback(lambda t: judge is not None and judge.on_ended(t.get_name()))

    # the scripted judge ids are in no price library: priced here, as a user would
    price = {"price": {"input_per_mtok": 1.0, "output_per_mtok": 2.0}}
    config = parse_config({"models": {judge_spec: price}}, "test")
    judge = judge_runner(settings, lambda spec: resolve_model(spec, config, env), start)
    assert judge is not None
    model = resolve_model(answered_by, Config(), env)
    try:
        return await judge.verdict(task, model, answer, conversation)
    finally:
        await runner.wait()
        await pool.aclose()
