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
