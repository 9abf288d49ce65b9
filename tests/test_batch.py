"""Which runs a batch still has to do, given what the CSV already holds."""

from __future__ import annotations

from modelduel.core.batch import BatchItem, plan_batch


def test_fresh_batch_runs_everything() -> None:
    items = plan_batch(["t1", "t2"], ["a/x", "b/y"], 2, [])
    assert items == [
        BatchItem(0, 0, ("a/x", "b/y")),
        BatchItem(0, 1, ("a/x", "b/y")),
        BatchItem(1, 0, ("a/x", "b/y")),
        BatchItem(1, 1, ("a/x", "b/y")),
    ]


def test_resume_skips_what_is_done_and_keeps_the_rest() -> None:
    rows = [
        {"task_id": "t1", "model": "a/x"},
        {"task_id": "t1", "model": "b/y"},
        {"task_id": "t1", "model": "a/x"},
        {"task_id": "t2", "model": "b/y"},
        {"task_id": "other", "model": "a/x"},
    ]
    items = plan_batch(["t1", "t2"], ["a/x", "b/y"], 2, rows)
    assert items == [
        BatchItem(0, 1, ("b/y",)),
        BatchItem(1, 0, ("a/x",)),
        BatchItem(1, 1, ("a/x", "b/y")),
    ]


def test_everything_done_means_nothing_to_do() -> None:
    rows = [{"task_id": "t", "model": "a/x"}]
    assert plan_batch(["t"], ["a/x"], 1, rows) == []


def _row(task: str, model: str, duel: str, finish: str = "stop", pane: int = 0) -> dict[str, str]:
    return {
        "task_id": task,
        "model": model,
        "duel_id": duel,
        "finish_reason": finish,
        "pane": str(pane),
    }


def test_a_duel_cut_short_is_resumed_in_place_not_as_a_new_duel() -> None:
    # ctrl+c mid-duel: a/x and c/z saved, b/y saved as cancelled, all in duel d1
    rows = [
        _row("t1", "a/x", "d1", pane=0),
        _row("t1", "c/z", "d1", pane=2),
        _row("t1", "b/y", "d1", "cancelled", pane=1),
    ]
    items = plan_batch(["t1"], ["a/x", "b/y", "c/z"], 1, rows)
    assert items == [BatchItem(0, 0, ("b/y",), duel_id="d1", panes=(1,))]


def test_a_duel_with_a_run_never_saved_is_completed_too() -> None:
    # killed hard (or the disk filled): b/y has no row at all; its pane is its lineup place
    rows = [_row("t1", "a/x", "d1", pane=0), _row("t1", "c/z", "d1", pane=2)]
    items = plan_batch(["t1"], ["a/x", "b/y", "c/z"], 1, rows)
    assert items == [BatchItem(0, 0, ("b/y",), duel_id="d1", panes=(1,))]


def test_each_repeat_resumes_its_own_duel() -> None:
    rows = [
        _row("t1", "a/x", "d1"),
        _row("t1", "b/y", "d1", pane=1),
        _row("t1", "a/x", "d2"),
        _row("t1", "b/y", "d2", "cancelled", pane=1),
    ]
    items = plan_batch(["t1"], ["a/x", "b/y"], 3, rows)
    assert items == [
        BatchItem(0, 1, ("b/y",), duel_id="d2", panes=(1,)),
        BatchItem(0, 2, ("a/x", "b/y")),
    ]


def test_a_duel_sent_another_prompt_is_not_joined() -> None:
    # the task file changed since: the answers would not be to the same prompt
    rows = [_row("t1", "a/x", "d1"), _row("t1", "b/y", "d1", "cancelled", pane=1)]
    items = plan_batch(["t1"], ["a/x", "b/y"], 1, rows, same_prompt=lambda t, d: False)
    assert items == [BatchItem(0, 0, ("b/y",))]
    asked: list[tuple[str, str]] = []

    def same(task_id: str, duel_id: str) -> bool:
        asked.append((task_id, duel_id))
        return True

    items = plan_batch(["t1"], ["a/x", "b/y"], 1, rows, same_prompt=same)
    assert asked == [("t1", "d1")]
    assert items == [BatchItem(0, 0, ("b/y",), duel_id="d1", panes=(1,))]


def test_a_duel_of_other_models_only_or_without_an_id_is_not_joined() -> None:
    rows = [
        _row("t1", "z/other", "d1"),
        {"task_id": "t1", "model": "a/x", "finish_reason": "cancelled"},  # no duel_id
    ]
    assert plan_batch(["t1"], ["a/x"], 1, rows) == [BatchItem(0, 0, ("a/x",))]


def test_a_duel_holding_the_model_done_is_not_joined_for_another_repeat() -> None:
    rows = [_row("t1", "a/x", "d1"), _row("t1", "b/y", "d1", pane=1), _row("t1", "a/x", "d2")]
    items = plan_batch(["t1"], ["a/x", "b/y"], 2, rows)
    assert items == [BatchItem(0, 1, ("b/y",), duel_id="d2", panes=(1,))]


def test_prompt_matches_reads_what_each_duel_was_sent() -> None:
    from modelduel.core.batch import prompt_matches

    records = {
        "r1": {"duel_id": "d1", "prompt": "Say 0.", "system": None},
        "r2": {"duel_id": "d1", "prompt": "Say 0.", "system": None},
        "r3": {"duel_id": "d2", "prompt": "Say 0 (old).", "system": None},
        "r4": {"duel_id": "d3", "prompt": "Say 0.", "system": "Be brief."},
    }
    same = prompt_matches(lambda: records, {"t1": ("Say 0.", None)})
    assert same("t1", "d1")
    assert not same("t1", "d2"), "another prompt"
    assert not same("t1", "d3"), "another system prompt"
    assert not same("t1", "d4"), "nothing recorded: not known to be the same"
    assert not same("t2", "d1"), "a task not in the batch"
