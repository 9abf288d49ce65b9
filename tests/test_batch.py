"""Which runs a batch still has to do, given what the CSV already holds."""

from __future__ import annotations

from collections.abc import Callable

from modelduel.core.batch import BatchItem, DuelRecords, Sent, plan_batch


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


def _row(
    task: str,
    model: str,
    duel: str,
    finish: str = "stop",
    pane: int = 0,
    *,
    effort: str = "",
    max_output_tokens: int = 4096,
) -> dict[str, str]:
    return {
        "task_id": task,
        "model": model,
        "duel_id": duel,
        "finish_reason": finish,
        "pane": str(pane),
        "run_id": f"{duel}-{model}-{finish}",
        "effort": effort,
        "max_output_tokens": str(max_output_tokens),
    }


def _now(
    effort: str | None = None, max_output_tokens: int = 4096, attached: str = ""
) -> Callable[[str, str], Sent | None]:
    """What every model would be sent now (Say 0., no system prompt)."""
    return lambda task_id, model: Sent(
        "Say 0.", None, effort, max_output_tokens, _first("Say 0." + attached)
    )


def _first(text: str) -> dict[str, object]:
    return {"role": "user", "parts": [{"type": "text", "text": text, "provider_data": None}]}


def _records(
    rows: list[dict[str, str]],
    sent_to: dict[str, list[str]] | None = None,
    now: Callable[[str, str], Sent | None] | None = None,
    **record: object,
) -> DuelRecords:
    """The duels of `rows` as recorded: each row's transcript record says the duel was sent
    to the models `sent_to` gives (default: the models of its rows)."""
    lineups: dict[str, list[str]] = {}
    for row in rows:
        lineups.setdefault(row["duel_id"], []).append(row["model"])
    lineups |= sent_to or {}
    transcripts = {
        row["run_id"]: {
            "run_id": row["run_id"],
            "duel_id": row["duel_id"],
            "model": row["model"],
            "prompt": "Say 0.",
            "system": None,
            "duel_models": lineups[row["duel_id"]],
        }
        | record
        for row in rows
    }
    return DuelRecords(rows, lambda: transcripts, now or _now())


def test_a_duel_cut_short_is_resumed_in_place_not_as_a_new_duel() -> None:
    # ctrl+c mid-duel: a/x and c/z saved, b/y saved as cancelled, all in duel d1
    rows = [
        _row("t1", "a/x", "d1", pane=0),
        _row("t1", "c/z", "d1", pane=2),
        _row("t1", "b/y", "d1", "cancelled", pane=1),
    ]
    items = plan_batch(["t1"], ["a/x", "b/y", "c/z"], 1, rows, _records(rows))
    assert items == [BatchItem(0, 0, ("b/y",), duel_id="d1", panes=(1,))]


def test_a_duel_with_a_run_never_saved_is_completed_too() -> None:
    # killed hard (or the disk filled): b/y has no row at all, but the transcript of the
    # duel's saved runs says it was sent to b/y too; its pane is its lineup place
    rows = [_row("t1", "a/x", "d1", pane=0), _row("t1", "c/z", "d1", pane=2)]
    records = _records(rows, {"d1": ["a/x", "b/y", "c/z"]})
    items = plan_batch(["t1"], ["a/x", "b/y", "c/z"], 1, rows, records)
    assert items == [BatchItem(0, 0, ("b/y",), duel_id="d1", panes=(1,))]


def test_a_finished_duel_is_not_joined_by_a_model_added_later() -> None:
    # an A/B duel of last week, finished; the lineup now has c/z too: c/z gets a duel of
    # its own, not a place in a duel it was never part of
    rows = [_row("t1", "a/x", "d1"), _row("t1", "b/y", "d1", pane=1)]
    assert plan_batch(["t1"], ["a/x", "b/y", "c/z"], 1, rows) == [BatchItem(0, 0, ("c/z",))]
    items = plan_batch(["t1"], ["a/x", "b/y", "c/z"], 1, rows, _records(rows))
    assert items == [BatchItem(0, 0, ("c/z",))]


def test_a_duel_cut_short_is_not_joined_by_a_model_added_since() -> None:
    # ctrl+c with b/y cancelled; the lineup now has c/z too: b/y completes the duel, but
    # c/z was never sent its prompt with the others, so it gets a duel of its own (as for
    # a finished duel), and the item says which duel it did not join and why
    rows = [_row("t1", "a/x", "d1"), _row("t1", "b/y", "d1", "cancelled", pane=1)]
    expected = [
        BatchItem(0, 0, ("b/y",), duel_id="d1", panes=(1,)),
        BatchItem(0, 0, ("c/z",), not_joined=(("d1", "it was not sent to c/z"),)),
    ]
    for records in (_records(rows), None):
        assert plan_batch(["t1"], ["a/x", "b/y", "c/z"], 1, rows, records) == expected


def test_a_killed_duel_is_completed_only_by_the_models_it_was_sent_to() -> None:
    # killed hard: b/y has no row, the transcript says d1 was sent to a/x and b/y; c/z and
    # d/w were added to the lineup since: they make one new duel together
    rows = [_row("t1", "a/x", "d1")]
    records = _records(rows, {"d1": ["a/x", "b/y@fault=slow"]})
    items = plan_batch(["t1"], ["a/x", "c/z", "b/y", "d/w"], 1, rows, records)
    assert items == [
        BatchItem(0, 0, ("b/y",), duel_id="d1", panes=(2,)),
        BatchItem(0, 0, ("c/z", "d/w"), not_joined=(("d1", "it was not sent to c/z, d/w"),)),
    ]


def test_each_repeat_resumes_its_own_duel() -> None:
    rows = [
        _row("t1", "a/x", "d1"),
        _row("t1", "b/y", "d1", pane=1),
        _row("t1", "a/x", "d2"),
        _row("t1", "b/y", "d2", "cancelled", pane=1),
    ]
    items = plan_batch(["t1"], ["a/x", "b/y"], 3, rows, _records(rows))
    assert items == [
        BatchItem(0, 1, ("b/y",), duel_id="d2", panes=(1,)),
        BatchItem(0, 2, ("a/x", "b/y")),
    ]


def test_a_duel_sent_another_prompt_is_not_joined() -> None:
    # the task file changed since: the answers would not be to the same prompt
    rows = [_row("t1", "a/x", "d1"), _row("t1", "b/y", "d1", "cancelled", pane=1)]
    for record, why in [
        ({"prompt": "Say 0 (old)."}, "the prompt differs"),
        ({"system": "Be brief."}, "the system prompt differs"),
    ]:
        items = plan_batch(["t1"], ["a/x", "b/y"], 1, rows, _records(rows, **record))
        assert items == [BatchItem(0, 0, ("b/y",), not_joined=(("d1", why),))]


def test_a_duel_sent_other_settings_is_not_joined() -> None:
    # a duel is fair only if every model gets the same budget and effort: a resumed
    # command with another --effort or --max-output-tokens starts a new duel, and says why
    rows = [
        _row("t1", "a/x", "d1", effort="high"),
        _row("t1", "b/y", "d1", "cancelled", pane=1, effort="high"),
    ]
    specs = ["a/x", "b/y"]
    cases = [
        (_now("low"), "effort differs: high vs low"),
        (_now(None), "effort differs: high vs default"),
        (_now("high", 1000), "max_output_tokens differs: 4096 vs 1000"),
        (_now("high", attached="\n\nnotes.txt: ..."), "the attached files differ"),
    ]
    for now, why in cases:
        items = plan_batch(["t1"], specs, 1, rows, _records(rows, now=now))
        assert items == [BatchItem(0, 0, ("b/y",), not_joined=(("d1", why),))], why
    items = plan_batch(["t1"], specs, 1, rows, _records(rows, now=_now("high")))
    assert items == [BatchItem(0, 0, ("b/y",), duel_id="d1", panes=(1,))]


def test_each_model_is_compared_with_what_it_would_be_sent_now() -> None:
    # the effort word is per model (mapped from --effort, or none for a model that takes
    # none): each recorded row is compared with what that model would be sent now
    rows = [
        _row("t1", "a/x", "d1", effort=""),  # a/x takes no effort setting
        _row("t1", "b/y", "d1", "cancelled", pane=1, effort="high"),
    ]

    def now(task_id: str, model: str) -> Sent:
        return Sent("Say 0.", None, None if model == "a/x" else "high", 4096, _first("Say 0."))

    items = plan_batch(["t1"], ["a/x", "b/y"], 1, rows, _records(rows, now=now))
    assert items == [BatchItem(0, 0, ("b/y",), duel_id="d1", panes=(1,))]


def test_a_duel_with_attachments_recorded_is_joined_only_with_the_same() -> None:
    rows = [_row("t1", "a/x", "d1"), _row("t1", "b/y", "d1", "cancelled", pane=1)]
    sent = {"system": None, "messages": [_first("Say 0.\n\nnotes.txt: ...")]}
    records = _records(rows, now=_now(attached="\n\nnotes.txt: ..."), conversation=sent)
    items = plan_batch(["t1"], ["a/x", "b/y"], 1, rows, records)
    assert items == [BatchItem(0, 0, ("b/y",), duel_id="d1", panes=(1,))]
    records = _records(rows, now=_now(), conversation=sent)
    items = plan_batch(["t1"], ["a/x", "b/y"], 1, rows, records)
    assert items == [BatchItem(0, 0, ("b/y",), not_joined=(("d1", "the attached files differ"),))]


def test_a_duel_with_nothing_recorded_of_what_it_was_sent_is_not_joined() -> None:
    rows = [_row("t1", "a/x", "d1"), _row("t1", "b/y", "d1", "cancelled", pane=1)]
    records = DuelRecords(rows, lambda: {}, _now())
    items = plan_batch(["t1"], ["a/x", "b/y"], 1, rows, records)
    why = "its transcript does not say what it was sent"
    assert items == [BatchItem(0, 0, ("b/y",), not_joined=(("d1", why),))]
    # recorded, but of no model known now: nothing to compare with
    items = plan_batch(["t1"], ["a/x", "b/y"], 1, rows, _records(rows, now=lambda t, m: None))
    assert items == [BatchItem(0, 0, ("b/y",), not_joined=(("d1", why),))]


def test_a_duel_of_other_models_only_or_without_an_id_is_not_joined() -> None:
    rows = [
        _row("t1", "z/other", "d1", "cancelled"),
        {"task_id": "t1", "model": "a/x", "finish_reason": "cancelled"},  # no duel_id
    ]
    assert plan_batch(["t1"], ["a/x"], 1, rows) == [BatchItem(0, 0, ("a/x",))]


def test_a_duel_holding_the_model_done_is_not_joined_for_another_repeat() -> None:
    rows = [_row("t1", "a/x", "d1"), _row("t1", "b/y", "d1", pane=1), _row("t1", "a/x", "d2")]
    records = _records(rows, {"d2": ["a/x", "b/y"]})
    items = plan_batch(["t1"], ["a/x", "b/y"], 2, rows, records)
    assert items == [BatchItem(0, 1, ("b/y",), duel_id="d2", panes=(1,))]


def test_two_models_never_share_a_pane_of_the_duel_they_complete() -> None:
    # d1 was sent to b/y (pane 0, cancelled), a/x (pane 1, done) and c/z (killed: no row);
    # the lineup is now [c/z, b/y, a/x]: c/z has no recorded pane, and its lineup place 0
    # is b/y's pane in d1: b/y keeps pane 0, c/z takes the next one free
    rows = [_row("t1", "b/y", "d1", "cancelled", pane=0), _row("t1", "a/x", "d1", pane=1)]
    records = _records(rows, {"d1": ["b/y", "a/x", "c/z"]})
    items = plan_batch(["t1"], ["c/z", "b/y", "a/x"], 1, rows, records)
    assert items == [BatchItem(0, 0, ("c/z", "b/y"), duel_id="d1", panes=(2, 0))]


def test_a_model_added_later_never_takes_a_pane_of_the_duel_cut_short() -> None:
    # the reviewer's case: d1 has a/x in pane 0 (done), b/y in pane 1 (cancelled); with
    # the lineup [c/z, b/y, a/x], c/z (never sent d1) makes a duel of its own, in which
    # panes are its lineup order: no pane of d1 is given out twice
    rows = [_row("t1", "a/x", "d1", pane=0), _row("t1", "b/y", "d1", "cancelled", pane=1)]
    for records in (_records(rows), None):
        items = plan_batch(["t1"], ["c/z", "b/y", "a/x"], 1, rows, records)
        assert items == [
            BatchItem(0, 0, ("b/y",), duel_id="d1", panes=(1,)),
            BatchItem(0, 0, ("c/z",), not_joined=(("d1", "it was not sent to c/z"),)),
        ]


def test_rows_naming_the_model_with_a_fault_suffix_count_as_done() -> None:
    # rows written before rows named models without the simulator's fault suffix
    rows = [{"task_id": "t1", "model": "a/x@fault=auth"}]
    assert plan_batch(["t1"], ["a/x@fault=auth"], 1, rows) == []
    assert plan_batch(["t1"], ["a/x"], 1, rows) == []


def test_a_duel_cut_short_with_fault_suffixed_rows_is_completed() -> None:
    # an old duel: b/y@fault=slow was saved cancelled under its suffixed name
    rows = [
        _row("t1", "a/x@fault=slow", "d1", pane=0),
        _row("t1", "b/y@fault=slow", "d1", "cancelled", pane=1),
    ]
    specs = ["a/x@fault=slow", "b/y@fault=slow"]
    items = plan_batch(["t1"], specs, 1, rows)
    assert items == [BatchItem(0, 0, ("b/y@fault=slow",), duel_id="d1", panes=(1,))]
    # a duel holding the model done under its suffixed name is not joined again
    rows = [
        _row("t1", "a/x", "d1"),
        _row("t1", "b/y@fault=slow", "d1", pane=1),
        _row("t1", "a/x", "d2"),
        _row("t1", "b/y", "d2", "cancelled", pane=1),
    ]
    items = plan_batch(["t1"], ["a/x", "b/y"], 2, rows, _records(rows))
    assert items == [BatchItem(0, 1, ("b/y",), duel_id="d2", panes=(1,))]


def test_every_duel_refused_is_said_not_only_the_last() -> None:
    # two duels cut short, both sent another prompt: each refusal is reported
    rows = [
        _row("t1", "a/x", "d1"),
        _row("t1", "b/y", "d1", "cancelled", pane=1),
        _row("t1", "a/x", "d2"),
        _row("t1", "b/y", "d2", "cancelled", pane=1),
    ]
    records = _records(rows, prompt="Say 0 (old).")
    items = plan_batch(["t1"], ["a/x", "b/y"], 1, rows, records)
    why = "the prompt differs"
    assert items == [BatchItem(0, 0, ("b/y",), not_joined=(("d1", why), ("d2", why)))]


def test_a_duel_refused_is_said_when_a_later_one_is_completed() -> None:
    # d1 was sent another prompt, d2 the same: b/y completes d2, and d1's refusal is said
    rows = [
        _row("t1", "a/x", "d1"),
        _row("t1", "b/y", "d1", "cancelled", pane=1),
        _row("t1", "a/x", "d2"),
        _row("t1", "b/y", "d2", "cancelled", pane=1),
    ]
    transcripts = {
        row["run_id"]: {
            "run_id": row["run_id"],
            "duel_id": row["duel_id"],
            "model": row["model"],
            "prompt": "Say 0 (old)." if row["duel_id"] == "d1" else "Say 0.",
            "system": None,
            "duel_models": ["a/x", "b/y"],
        }
        for row in rows
    }
    records = DuelRecords(rows, lambda: transcripts, _now())
    items = plan_batch(["t1"], ["a/x", "b/y"], 1, rows, records)
    refused = (("d1", "the prompt differs"),)
    assert items == [BatchItem(0, 0, ("b/y",), duel_id="d2", panes=(1,), not_joined=refused)]


NEVER_SENT = {"kind": "cancelled", "message": "cancelled by the user before its request was sent"}


def test_a_run_never_sent_says_nothing_of_the_attached_files() -> None:
    # an older transcript: b/y was cancelled before its first step, its record has no
    # conversation (it was sent nothing); a/x's says what the duel was sent
    rows = [_row("t1", "a/x", "d1"), _row("t1", "b/y", "d1", "cancelled", pane=1)]
    attached = "\n\nnotes.txt: ..."
    sent = {"system": None, "messages": [_first("Say 0." + attached)]}

    def records(now: Callable[[str, str], Sent | None], *only: str) -> DuelRecords:
        transcripts = {
            row["run_id"]: {
                "run_id": row["run_id"],
                "duel_id": "d1",
                "model": row["model"],
                "prompt": "Say 0.",
                "system": None,
                "duel_models": ["a/x", "b/y"],
            }
            | ({"conversation": sent} if row["model"] == "a/x" else {"error": NEVER_SENT})
            for row in rows
            if not only or row["model"] in only
        }
        return DuelRecords(rows, lambda: transcripts, now)

    items = plan_batch(["t1"], ["a/x", "b/y"], 1, rows, records(_now(attached=attached)))
    assert items == [BatchItem(0, 0, ("b/y",), duel_id="d1", panes=(1,))]
    items = plan_batch(["t1"], ["a/x", "b/y"], 1, rows, records(_now()))
    assert items == [BatchItem(0, 0, ("b/y",), not_joined=(("d1", "the attached files differ"),))]
    # only a run never sent is recorded: nothing says what the duel was sent
    items = plan_batch(["t1"], ["a/x", "b/y"], 1, rows, records(_now(), "b/y"))
    why = "its transcript does not say what it was sent"
    assert items == [BatchItem(0, 0, ("b/y",), not_joined=(("d1", why),))]
