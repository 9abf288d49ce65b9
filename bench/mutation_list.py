"""The hand-made mutations every promise test must kill, applied one at a time.

    python bench/mutation_list.py            # every listed mutation; killed / survived
    python bench/mutation_list.py blind sse  # only those whose name contains a word
    python bench/mutation_list.py --list     # the mutations and their tests, nothing run

Each entry breaks one promise the README makes (the request-sent stamp, retry rules,
the meter's reset, prices, routing confidence, the CSV's crash safety, resume, the
records' flags, `export --since`, the TUI's rubric keys and routing report, the SSE
grammar, the blind veil): an exact text replacement in one source file, and the tests
that must fail on it. The sources are copied to a temporary directory first and the
mutation is made there (`PYTHONPATH` points the tests and every process they start at
the copy), so the working tree is never touched, even when the run is stopped.

A mutation is *killed* when its tests fail, *survived* when they pass; *stale* when its
text is no longer in the file (the code moved: update the entry). Before the mutations,
the tests run once unmutated (`--no-baseline` skips that): a test that fails there
proves nothing. Exit status 0 only when every mutation is killed.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

ENGINE = "tests/test_promises_engine.py"
STORAGE = "tests/test_promises_storage.py"
RECORDS = "tests/test_promises_records.py"
BLIND = "tests/test_tui_blind.py"
MID_RACE = f"{BLIND}::test_blind_panes_mid_race_all_look_the_same"


@dataclass(frozen=True)
class Mutation:
    """One broken promise: `old` replaced by `new` in `path` (under src/modelduel)."""

    name: str
    path: str
    old: str
    new: str
    tests: tuple[str, ...]


MUTATIONS = (
    Mutation(
        "request-sent stamped before the connection, not at the trace mark",
        "providers/http.py",
        """                else:
                    yield Stamped(marks.sent_ns or before_send, RequestSent(connect_ns))""",
        """                else:
                    yield Stamped(before_send, RequestSent(connect_ns))""",
        (f"{ENGINE}::test_request_sent_is_stamped_once_connected_never_before",),
    ),
    Mutation(
        "retry after content arrived",
        "core/duel.py",
        "if saw_content or not error.retryable or attempt >= self._retries:",
        "if not error.retryable or attempt >= self._retries:",
        (f"{ENGINE}::test_a_failure_after_content_arrived_is_never_retried",),
    ),
    Mutation(
        "meter not reset on retry",
        "core/meter.py",
        """            if self._boundaries == 0:
                self._reset_attempt()""",
        """            if self._boundaries == 0:
                pass""",
        (f"{ENGINE}::test_the_meter_describes_only_the_attempt_that_answered",),
    ),
    Mutation(
        "meter keeps a failed round-2 request's usage on retry",
        "core/meter.py",
        """                # a later request is retried only before its first token: its usage goes
                self._usage = Usage()""",
        """                # a later request is retried only before its first token: its usage goes
                pass""",
        (
            "tests/test_promises_meter.py::"
            "test_a_retry_in_round_two_drops_what_the_failed_request_reported",
        ),
    ),
    Mutation(
        "price override bills cached input twice",
        "core/pricing.py",
        "(inp - cached - written) * override.input_per_mtok",
        "(inp - written) * override.input_per_mtok",
        ("tests/test_promises_cost.py::test_a_config_price_bills_each_input_token_once",),
    ),
    Mutation(
        "model id priced with its @fault= suffix",
        "core/pricing.py",
        """return model_id.split("@", 1)[0].rsplit("/", 1)[-1]""",
        """return model_id.rsplit("/", 1)[-1]""",
        (
            "tests/test_promises_cost.py::"
            "test_model_ids_are_priced_without_fault_suffix_or_vendor_prefix",
        ),
    ),
    Mutation(
        "model id priced with its vendor prefix",
        "core/pricing.py",
        """return model_id.split("@", 1)[0].rsplit("/", 1)[-1]""",
        """return model_id.split("@", 1)[0]""",
        (
            "tests/test_promises_cost.py::"
            "test_model_ids_are_priced_without_fault_suffix_or_vendor_prefix",
        ),
    ),
    Mutation(
        "bootstrap ties counted as wins",
        "core/routing_bootstrap.py",
        "        wins += ka < kb\n",
        "        wins += ka <= kb\n",
        ("tests/test_promises_routing.py::test_a_resample_where_the_runner_up_ties_is_not_a_win",),
    ),
    Mutation(
        "a lone model always confident",
        "core/routing.py",
        "confident = best.runs >= MIN_RUNS_FOR_CONFIDENCE",
        "confident = True",
        ("tests/test_promises_routing.py::test_a_lone_model_is_confident_only_with_enough_runs",),
    ),
    Mutation(
        "CSV rewritten in place instead of temp-and-rename",
        "storage/csvrewrite.py",
        """fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")""",
        """fd, tmp = os.open(path, os.O_WRONLY | os.O_TRUNC), str(path)""",
        (
            f"{STORAGE}::test_an_update_replaces_the_file_so_a_reader_never_sees_a_mix",
            f"{STORAGE}::test_an_update_that_meets_a_full_disk_leaves_the_csv_as_it_was",
        ),
    ),
    Mutation(
        "no truncate after a failed append",
        "storage/durable.py",
        "os.ftruncate(fd, size)  # never leave a torn row",
        "pass  # never leave a torn row",
        (f"{STORAGE}::test_an_append_that_meets_a_full_disk_leaves_no_partial_row",),
    ),
    Mutation(
        "a row appended in two writes",
        "storage/durable.py",
        """        try:
            write_all(fd, payload)""",
        """        try:
            write_all(fd, payload[: len(payload) // 2])
            write_all(fd, payload[len(payload) // 2 :])""",
        (f"{STORAGE}::test_a_writer_killed_after_any_write_leaves_only_complete_rows",),
    ),
    Mutation(
        "cancelled rows counted as done on resume",
        "core/batch.py",
        """        if row.get("finish_reason") != "cancelled"
    )""",
        """        if row.get("finish_reason") != "never"
    )""",
        (
            f"{RECORDS}::test_cancelled_runs_are_run_again_on_resume",
            f"{RECORDS}::test_a_run_cancelled_twice_still_leaves_its_repeat_to_do",
        ),
    ),
    Mutation(
        "simulated always false",
        "core/records.py",
        """"simulated": lambda r: r.slot.model.simulated,""",
        """"simulated": lambda r: False,""",
        (f"{RECORDS}::test_demo_runs_are_marked_simulated_in_the_csv",),
    ),
    Mutation(
        "tokens_exact always true on reopen",
        "core/recorded_stats.py",
        """tokens_exact=columns.typed_cell("tokens_exact", row.get("tokens_exact") or "")
        in (None, True),""",
        """tokens_exact=True,""",
        (f"{RECORDS}::test_an_estimated_count_stays_marked_as_such_when_reopened",),
    ),
    Mutation(
        "export --since ignored",
        "commands/export.py",
        """    if since is not None:
        rows = [r for r in rows if _on_or_after""",
        """    if False:
        rows = [r for r in rows if _on_or_after""",
        (f"{RECORDS}::test_export_since_keeps_only_runs_on_or_after_that_day",),
    ),
    Mutation(
        "an empty routing report in the TUI",
        "tui/openers.py",
        "    app.push_screen(ReportScreen(report, title))",
        "    app.push_screen(ReportScreen([], title))",
        ("tests/test_promises_tui.py::test_the_routing_report_shows_the_routes_of_the_csv",),
    ),
    Mutation(
        "f/w rubric bindings swapped",
        "tui/duelscreen.py",
        """        Binding("f", "rubric('format')", "Format", id="score.format"),
        Binding("w", "rubric('rework')", "No rework", id="score.rework"),""",
        """        Binding("f", "rubric('rework')", "Format", id="score.format"),
        Binding("w", "rubric('format')", "No rework", id="score.rework"),""",
        ("tests/test_promises_tui.py::test_f_scores_format_and_w_scores_no_rework",),
    ),
    Mutation(
        "SSE id:/retry: fields treated as garbage",
        "providers/sse.py",
        """_FIELDS = (b"data", b"event", b"id", b"retry")""",
        """_FIELDS = (b"data", b"event")""",
        (f"{ENGINE}::test_sse_id_and_retry_fields_are_fields_not_garbage",),
    ),
    Mutation(
        "SSE colon-less lines treated as garbage",
        "providers/sse.py",
        """            name, value = line, b\"\"""",
        """            name, value = b"", line""",
        (f"{ENGINE}::test_sse_line_without_a_colon_is_a_field_with_an_empty_value",),
    ),
    Mutation(
        "blind: answers shown before every run ended",
        "tui/pane.py",
        """        if m.hidden and not duel_done:
            return""",
        """        if False:
            return""",
        (MID_RACE,),
    ),
    Mutation(
        "blind: the real status word while the race runs",
        "tui/pane.py",
        """self._status = "failed" if failed else "running\"""",
        """self._status = status_word(stats)""",
        (MID_RACE,),
    ),
    Mutation(
        "blind: the real status style while the race runs",
        "tui/pane.py",
        "style = _status_style(veiled_status if self._veiled else stats.status)",
        "style = _status_style(stats.status)",
        (MID_RACE,),
    ),
    Mutation(
        "blind: elapsed time shown while the race runs",
        "tui/pane.py",
        "if not m.hidden and stats.elapsed_s is not None:",
        "if stats.elapsed_s is not None:",
        (MID_RACE,),
    ),
    Mutation(
        "blind: a suite's checks line shown as each run ends, mid-race",
        "tui/pane.py",
        "if m.checks_line and not self._veiled:",
        "if m.checks_line:",
        (MID_RACE,),
    ),
    Mutation(
        "blind: reasoning shown before the names",
        "tui/pane.py",
        "if len(stats.reasoning_text) > self._reasoning_shown and not m.hidden:",
        "if len(stats.reasoning_text) > self._reasoning_shown:",
        ("tests/test_tui_flow.py::test_blind_mid_race_a_finished_pane_shows_no_token_count",),
    ),
    Mutation(
        "blind: an error naming the provider while the race runs",
        "tui/pane.py",
        """        if self.model.hidden:
            what = "cancelled\"""",
        """        if False:
            what = "cancelled\"""",
        (MID_RACE,),
    ),
    Mutation(
        "blind: names revealed before every run ended",
        "tui/duelview.py",
        "if done and self.all_ended:",
        "if done:",
        (MID_RACE,),
    ),
    Mutation(
        "blind: the order never shuffled",
        "tui/duelview.py",
        "(rng or random.Random()).shuffle(order)",
        "(rng or random.Random())",
        (
            f"{BLIND}::test_blind_order_is_shuffled_by_the_injected_generator",
            f"{BLIND}::test_recorded_blind_duels_are_shuffled_by_the_injected_generator",
        ),
    ),
    Mutation(
        "CSV preflight only looks, never tries a write",
        "storage/csvstore.py",
        """        parsed_results(path, data)
    _try_writing(path)""",
        """        parsed_results(path, data)""",
        (
            "tests/test_csv_preflight.py::test_a_directory_that_takes_no_files_is_refused_with_its_reason",
        ),
    ),
    Mutation(
        "a run cancelled before its first step ends with no final event",
        "core/duel.py",
        "            self._sink(run_id, Stamped(self._clock(), StreamFailed(error)))",
        "            del error",
        (
            "tests/test_cancel_before_start.py::"
            "test_a_run_cancelled_before_its_first_step_ends_cancelled_having_sent_nothing",
        ),
    ),
    Mutation(
        "the simulator's fault suffix kept in a row's model",
        "config/resolve.py",
        "    return spec.partition(SIMULATED_FAULT)[0]",
        "    return spec",
        (
            "tests/test_fault_suffix_row.py::"
            "test_the_row_of_a_faulted_run_names_the_model_and_says_it_failed",
        ),
    ),
    Mutation(
        "the rubric's first quality press gives 1, not the best",
        "core/scoring.py",
        "quality=2 if not current else current - 1",
        "quality=1 if not current else current - 1",
        (
            "tests/test_tui_key_fixes.py::test_the_first_press_of_every_rubric_part_gives_its_best_value",
        ),
    ),
    Mutation(
        "a multi-line paste into the note keeps only its first line",
        "tui/note_input.py",
        "        text = one_line(event.text)",
        '        text = event.text.splitlines()[0] if event.text.strip() else ""',
        ("tests/test_note_paste.py::test_a_multi_line_paste_into_the_note_is_saved_whole",),
    ),
    Mutation(
        "a cancelled row's score counted by route",
        "core/counted.py",
        """    return "" if is_cancelled_row(row) else row.get("score") or \"\"""",
        """    return row.get("score") or \"\"""",
        ("tests/test_cancelled_not_counted.py",),
    ),
    Mutation(
        "route's byte path counts a cancelled row's score",
        "core/routing_fast.py",
        "        score[np.concatenate(cancelled)] = np.nan",
        "        pass",
        (
            "tests/test_cancelled_not_counted.py::test_route_table_ignores_a_cancelled_row_with_a_score",
        ),
    ),
    Mutation(
        "the partial repaint drops its lines",
        "tui/banded_compositor.py",
        "            chops[line] = chops_line",
        "            pass",
        ("tests/test_banded_compositor.py",),
    ),
    Mutation(
        "a later tool round's reasoning runs into the earlier one's",
        "core/meter.py",
        "            self._reasoning_round_break = True",
        "            pass",
        ("tests/test_reasoning_rounds.py",),
    ),
    Mutation(
        "a chop touching a span's end left empty (its cursor move lost)",
        "tui/banded_compositor.py",
        "                    chops_line[cut] = _MOVE_ONLY",
        "                    pass",
        ("tests/test_banded_compositor.py",),
    ),
    Mutation(
        "the byte-scan route path reads a cancelled row's rank",
        "core/routing_fast.py",
        """        arrays["rank"][np.concatenate(cancelled)] = ranks.array_of(np, [""])[0]""",
        "        pass",
        ("tests/test_cancelled_not_counted.py",),
    ),
    Mutation(
        "the row-checked route path reads a cancelled row's rank",
        "core/routing_chunk.py",
        """    arrays["rank"][mask] = ranks.array_of(np, [""])[0]""",
        "    pass",
        ("tests/test_cancelled_not_counted.py",),
    ),
    Mutation(
        "a run cancelled before its first token has no send time (Gemini)",
        "providers/http.py",
        "            if not sent_reported and marks.sent_ns is not None:",
        "            if False:",
        ("tests/test_cancel_before_first_token.py",),
    ),
    Mutation(
        "ctrl+q mid-race quits at once",
        "tui/quitting.py",
        "    if answering and now - app.quit_pressed_at > QUIT_AGAIN_S:",
        "    if False:",
        ("tests/test_quit_mid_race.py",),
    ),
    Mutation(
        "a score the quit dropped is not said after exit",
        "tui/quitting.py",
        """        _add_exit_note(app, f"{text} (cancelled as the app quit; not counted)")""",
        "        pass",
        ("tests/test_quit_mid_race.py",),
    ),
    Mutation(
        "a layout change freezes a following pane",
        "tui/stream_markdown.py",
        "        following = self.follow and "
        "(at_end if self._user_moved else self._was_following or at_end)",
        "        following = self.follow and at_end",
        ("tests/test_pane_scroll_keys.py",),
    ),
    Mutation(
        "a scroll that is not following's own is not the user's",
        "tui/stream_markdown.py",
        "        if not self._scrolling and not clamped:",
        "        if False:",
        ("tests/test_pane_scroll_keys.py", "tests/test_render_budget.py"),
    ),
    Mutation(
        "Textual clamping the view on a resize counts as the user's scroll",
        "tui/stream_markdown.py",
        "        clamped = new_value < old_value and round(new_value) >= self.max_scroll_y",
        "        clamped = False",
        ("tests/test_pane_scroll_keys.py",),
    ),
    Mutation(
        "an ended stream keeps half a view of blank below it",
        "tui/stream_markdown.py",
        "        if following and not self._live:",
        "        if False:",
        ("tests/test_follow_scroll.py",),
    ),
    Mutation(
        "the body's style ignores its ancestors' changes",
        "tui/stream_markdown.py",
        "        key = tuple(node.styles._cache_key for node in self.ancestors_with_self)",
        "        key = (self.styles._cache_key,)",
        ("tests/test_pane_body_caches.py",),
    ),
    Mutation(
        "the body's console options ignore a new width",
        "tui/stream_markdown.py",
        "        if self._options is None or self._options[0] != width:",
        "        if self._options is None:",
        ("tests/test_pane_body_caches.py",),
    ),
    Mutation(
        "a list item that may become a thematic break ends the item above",
        "tui/tail_chunks.py",
        """        return bool(content.strip(" \\t" if item.marker in ".)" """
        """else " \\t" + item.marker))""",
        "        return bool(content.strip())",
        ("tests/test_tail_chunks.py",),
    ),
    Mutation(
        "a fence chunk is cut inside a docstring",
        "tui/answer_lines.py",
        """        return newline if kind in PlainText and value.endswith("\\n") else -1""",
        "        return newline",
        ("tests/test_stream_markdown.py",),
    ),
    Mutation(
        "an unfinished closing fence line is drawn as code",
        "tui/answer_lines.py",
        "        return line_start if closes else len(text)",
        "        return len(text)",
        ("tests/test_stream_markdown.py",),
    ),
    Mutation(
        "stats lines repaint the wrong line",
        "tui/pane_lines.py",
        "                self.refresh(*(Region(0, i, width, 1) for i in changed))",
        "                self.refresh(*(Region(0, 0, width, 1) for i in changed))",
        ("tests/test_stats_lines_repaint.py",),
    ),
    Mutation(
        "the body scrollbar repaints only its first changed row",
        "tui/body_scrollbar.py",
        "        changed = [y for y, row in enumerate(rows) if row != painted[1][y]]",
        "        changed = [y for y, row in enumerate(rows) if row != painted[1][y]][:1]",
        ("tests/test_body_scrollbar.py",),
    ),
    Mutation(
        "the body scrollbar ignores a style of its own",
        "tui/body_scrollbar.py",
        "        return (self.size, self.styles._cache_key)",
        "        return (self.size,)",
        ("tests/test_body_scrollbar.py",),
    ),
    Mutation(
        "the final exact usage is priced by the estimate's rate",
        "core/meter.py",
        "            cost = None if exact else self._estimate_price(usage)",
        "            cost = self._estimate_price(usage)",
        ("tests/test_meter_price_cache.py",),
    ),
    Mutation(
        "a live estimate's rate survives a new usage report",
        "core/meter.py",
        "        if rate is None or rate[0] != rest:",
        "        if rate is None:",
        ("tests/test_meter_price_cache.py",),
    ),
    Mutation(
        "every provider client builds its own TLS context",
        "providers/http.py",
        "        verify=tls_context(),",
        "",
        ("tests/test_adapters.py",),
    ),
    Mutation(
        "a blind race cancelled whole says every pane was scored",
        "tui/duelrun.py",
        "        if any(p.score.is_scored for p in view.panes):",
        "        if True:",
        ("tests/test_blind_all_cancelled.py",),
    ),
    Mutation(
        "the letters after a refused rank run their own keys",
        "tui/keyorder.py",
        "            if letter in self.refused_letters:",
        "            if False:",
        ("tests/test_rank_refused_letters.py",),
    ),
    Mutation(
        "a non-finite [simulator] number is named as four keys",
        "config/schema.py",
        "    errors = _unions_merged(exc.errors())",
        "    errors = exc.errors()",
        ("tests/test_config_errors.py",),
    ),
)


def _pytest(tests: list[str], src: Path) -> tuple[int, float]:
    """Run `tests` (from the repository, importing modelduel from `src`): exit code, time."""
    env = {**os.environ, "PYTHONPATH": str(src)}
    cmd = [sys.executable, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider", *tests]
    start = time.monotonic()
    done = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, check=False)
    return done.returncode, time.monotonic() - start


def _copy_sources(into: Path) -> Path:
    """The sources, copied, with the data directories the code finds beside `src/`."""
    shutil.copytree(
        ROOT / "src", into / "src", ignore=shutil.ignore_patterns("__pycache__", "*.egg-info")
    )
    for data in ("tasks", "themes"):
        (into / data).symlink_to(ROOT / data)
    return into / "src"


def _imports_the_copy(src: Path) -> bool:
    """Python started with `PYTHONPATH=src` imports modelduel from the copy (not the tree)."""
    probe = "import modelduel; print(modelduel.__file__)"
    env = {**os.environ, "PYTHONPATH": str(src)}
    out = subprocess.run(
        [sys.executable, "-c", probe], env=env, capture_output=True, text=True, check=True
    ).stdout
    return Path(out.strip()).resolve().is_relative_to(src.resolve())


def run(chosen: list[Mutation], *, baseline: bool) -> int:
    """Apply each mutation in a copy of the sources, run its tests; print and count."""
    with tempfile.TemporaryDirectory(prefix="modelduel-mutations-") as tmp:
        src = _copy_sources(Path(tmp))
        if not _imports_the_copy(src):
            print("the copy of the sources is not what Python imports: PYTHONPATH ignored?")
            return 2
        if baseline:
            tests = sorted({t for m in chosen for t in m.tests})
            code, took = _pytest(tests, src)
            print(f"baseline: {len(tests)} tests unmutated, exit {code} ({took:.0f} s)")
            if code != 0:
                print("the tests fail without any mutation: fix them first")
                return 2
        counts = {"killed": 0, "survived": 0, "stale": 0, "error": 0}
        for m in chosen:
            target = src / "modelduel" / m.path
            original = target.read_text(encoding="utf-8")
            if original.count(m.old) != 1:
                status, took = "stale", 0.0
            else:
                target.write_text(original.replace(m.old, m.new), encoding="utf-8")
                try:
                    code, took = _pytest(list(m.tests), src)
                finally:
                    target.write_text(original, encoding="utf-8")
                # pytest: 1 = tests failed; 2-5 = interrupted, internal or usage error
                status = "survived" if code == 0 else "killed" if code == 1 else "error"
            counts[status] += 1
            print(f"{status:<9} {took:5.0f} s  {m.name}  ({m.path})", flush=True)
    total = len(chosen)
    print(
        f"\n{counts['killed']}/{total} killed, {counts['survived']} survived, "
        f"{counts['stale']} stale, {counts['error']} errors"
    )
    return 0 if counts["killed"] == total else 1


def main() -> int:
    """Run the listed mutations (all, or those whose name contains a given word)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("words", nargs="*", help="only mutations whose name contains a word")
    parser.add_argument("--list", action="store_true", help="print the mutations, run nothing")
    parser.add_argument(
        "--no-baseline", action="store_true", help="skip the unmutated run of the tests"
    )
    args = parser.parse_args()
    chosen = [m for m in MUTATIONS if not args.words or any(w in m.name for w in args.words)]
    if not chosen:
        parser.error(f"no mutation's name contains {' or '.join(args.words)!r}")
    if args.list:
        for m in chosen:
            print(f"{m.name}  ({m.path})")
            for test in m.tests:
                print(f"    {test}")
        return 0
    return run(chosen, baseline=not args.no_baseline)


if __name__ == "__main__":
    sys.exit(main())
