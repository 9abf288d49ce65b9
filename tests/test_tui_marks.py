"""The theme's own colours on screen: provider accents (never while blind), fast/slow first
tokens, estimates, reasoning, and the winner once the scores are in."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

from rich.style import Style
from rich.text import Text
from textual.color import Color

from modelduel.core.scoring import Score
from modelduel.tui.app import ModelduelApp
from modelduel.tui.marks import ACCENTS, latency_marks, provider_accent, winner_index
from modelduel.tui.pane import ResponsePane
from modelduel.tui.wrapped_text import strip_text
from tests.test_tui import ScriptedRunner, make_app, send, settle
from tests.test_tui_blind import make, wait_mid_race

PROVIDER_CLASSES = {f"-provider-{accent}" for accent in ACCENTS}


def colour(app: ModelduelApp, variable: str) -> Color:
    """A theme variable's colour in the running app."""
    return Color.parse(app.get_css_variables()[variable])


def rich_colour(app: ModelduelApp, variable: str) -> str:
    """The same colour as a Rich style gets it."""
    triplet = colour(app, variable).rich_color.triplet
    assert triplet is not None
    return triplet.hex


def panes(app: ModelduelApp) -> list[ResponsePane]:
    return sorted(app.screen.query(ResponsePane), key=lambda p: p.index)


def stats_text(pane: ResponsePane) -> Text:
    text = pane.query_one(".pane-stats").render()
    assert isinstance(text, Text)
    return text


def style_after(text: Text, prefix: str) -> tuple[str, Style]:
    """The figure that follows `prefix` in `text` and its style."""
    start = text.plain.index(prefix) + len(prefix)
    end = text.plain.find(" ", start)
    figure = text.plain[start : end if end >= 0 else None]
    styles = [
        s.style if isinstance(s.style, Style) else Style.parse(s.style)
        for s in text.spans
        if s.start <= start < s.end
    ]
    return figure, Style.combine(styles) if styles else Style()


def hex_of(style: Style) -> str | None:
    return style.color.triplet.hex if style.color and style.color.triplet else None


async def tick(pilot: Any, app: ModelduelApp) -> None:
    """Two refreshes: each pane compares itself with the others' figures of the last one."""
    for _ in range(2):
        await app.refresh_panes()
        await pilot.pause()


# --- the rules -----------------------------------------------------------------------------


def test_provider_accent_is_the_vendor_of_a_built_in_provider_else_other() -> None:
    assert provider_accent("openai/gpt-5.5") == "openai"
    assert provider_accent("openai-chat/gpt-4.1") == "openai"  # the same vendor's other API
    assert provider_accent("anthropic/claude-opus-4-7") == "anthropic"
    assert provider_accent("gemini/gemini-3.1-pro-preview") == "gemini"
    assert provider_accent("local/llama-3") == "other"  # a [providers.local] server
    assert provider_accent("?") == "other"


def test_latency_marks_need_a_clear_gap_between_measured_figures() -> None:
    assert latency_marks([0.3, 2.8, 1.3]) == ["fast", "slow", "slow"]
    assert latency_marks([1.0, 1.2]) == [None, None]  # 1.2x: no one is slow
    assert latency_marks([0.04, 0.09]) == [None, None]  # 2x, but 50 ms: no one waits for it
    assert latency_marks([1.0, 1.5]) == ["fast", "slow"]  # exactly 1.5x and 0.5 s later
    assert latency_marks([2.0, None, 0.5]) == ["slow", None, "fast"]  # no figure: not compared
    assert latency_marks([0.5, 0.5, 3.0]) == ["fast", "fast", "slow"]
    assert latency_marks([0.5]) == [None]  # one figure: nothing to compare with
    assert latency_marks([]) == []


def test_the_winner_is_the_one_highest_score_once_every_answer_is_scored() -> None:
    s = Score().set_direct
    assert winner_index([(s(4), True), (s(2), True), (s(3), True)]) == 0
    assert winner_index([(s(4), True), (Score(), True)]) is None  # not all in yet
    assert winner_index([(s(4), True), (s(4), True), (s(1), True)]) is None  # a tie
    assert winner_index([(s(2), True), (Score(), False), (s(5), True)]) == 2  # no answer
    assert winner_index([(s(5), True), (Score(), False)]) is None  # one scored: no duel


# --- on screen -----------------------------------------------------------------------------


async def test_each_pane_wears_its_providers_accent(tmp_path: Path) -> None:
    app, _ = make_app(tmp_path)
    async with app.run_test(size=(140, 40)) as pilot:
        await send(pilot, "explain crdts")
        await settle(pilot, app)
        await tick(pilot, app)
        for pane, accent in zip(panes(app), ("openai", "anthropic", "gemini"), strict=True):
            assert pane.classes & PROVIDER_CLASSES == {f"-provider-{accent}"}
            assert pane.styles.border_top == ("round", colour(app, f"provider-{accent}"))
            header = pane.query_one(".pane-header")
            assert header.styles.color == colour(app, f"provider-{accent}")


async def test_blind_panes_wear_no_accent_until_names_are_revealed(tmp_path: Path) -> None:
    app = make(tmp_path, blind=True, rng=random.Random(7))
    async with app.run_test(size=(140, 40)) as pilot:
        await send(pilot, "which is best")
        await wait_mid_race(pilot, app)
        await tick(pilot, app)
        assert app.view is not None and not app.view.all_ended  # mid-race
        shown = panes(app)
        for pane in shown:
            assert not pane.classes & PROVIDER_CLASSES, pane.classes
        # one neutral border and header colour for all: none tells a provider
        assert len({p.styles.border_top for p in shown}) == 1
        assert len({p.query_one(".pane-header").styles.color for p in shown}) == 1
        assert {p.styles.border_top[1] for p in shown} != {colour(app, "provider-openai")}
        runner = app.runner
        assert isinstance(runner, ScriptedRunner)
        runner.release.set()
        await settle(pilot, app)
        await tick(pilot, app)
        for pane in shown:  # the race is over, but names are still hidden until scored
            assert not pane.classes & PROVIDER_CLASSES, pane.classes
        await pilot.press("escape", "3", "4", "2")
        await tick(pilot, app)
        assert all(p.model.revealed for p in shown)
        accents = {provider_accent(p.model.spec) for p in shown}
        assert {c for p in shown for c in p.classes & PROVIDER_CLASSES} == {
            f"-provider-{a}" for a in accents
        }


async def test_the_first_token_figure_is_coloured_fast_or_slow_against_the_others(
    tmp_path: Path,
) -> None:
    app, _ = make_app(tmp_path)
    async with app.run_test(size=(140, 40)) as pilot:
        await send(pilot, "explain crdts")
        await settle(pilot, app)
        await tick(pilot, app)
        gpt, claude, gemini = panes(app)  # first tokens at 2.8 s, 0.3 s and 1.3 s
        assert (gpt.latency, claude.latency, gemini.latency) == ("slow", "fast", "slow")
        figure, style = style_after(stats_text(claude), "ttft ")
        assert figure.startswith("0.3") and hex_of(style) == rich_colour(app, "latency-fast")
        figure, style = style_after(stats_text(gpt), "ttft ")
        assert figure.startswith("2.8") and hex_of(style) == rich_colour(app, "latency-slow")


async def test_estimated_figures_wear_the_estimate_colour_until_the_counts_are_exact(
    tmp_path: Path,
) -> None:
    app, _ = make_app(tmp_path, hold=True)
    async with app.run_test(size=(140, 40)) as pilot:
        await send(pilot, "explain crdts")
        for _ in range(100):  # mid-stream: text in, the provider's usage not yet
            await pilot.pause(0.02)
            if app.view is not None and all(app.view.stats(i).text for i in range(3)):
                break
        await tick(pilot, app)
        pane = panes(app)[0]
        figure, style = style_after(stats_text(pane), "out ")
        assert figure.startswith("~") and hex_of(style) == rich_colour(app, "estimate")
        runner = app.runner
        assert isinstance(runner, ScriptedRunner)
        runner.release.set()
        await settle(pilot, app)
        await tick(pilot, app)
        figure, style = style_after(stats_text(pane), "out ")
        assert not figure.startswith("~") and hex_of(style) != rich_colour(app, "estimate")


async def test_reasoning_text_wears_the_reasoning_colour(tmp_path: Path) -> None:
    app, _ = make_app(tmp_path)
    async with app.run_test(size=(140, 40)) as pilot:
        await send(pilot, "explain crdts")
        await settle(pilot, app)
        pane = panes(app)[0]
        if pane.body.reasoning_folded:
            pane.toggle_reasoning()
        await pilot.pause()
        lines = [s for s in pane.body.drawn_lines if "thinking about it" in strip_text(s)]
        assert lines
        styles = [seg.style for seg in lines[0] if "thinking" in seg.text]
        assert styles and all(
            s is not None and hex_of(s) == rich_colour(app, "reasoning") for s in styles
        )


async def test_the_winner_is_highlighted_once_every_pane_is_scored(tmp_path: Path) -> None:
    app, _ = make_app(tmp_path)
    async with app.run_test(size=(140, 40)) as pilot:
        await send(pilot, "explain crdts")
        await settle(pilot, app)
        await pilot.press("escape", "2", "4")  # the third pane is not scored yet
        await tick(pilot, app)
        assert not any(p.has_class("-winner") for p in panes(app))
        await pilot.press("3")
        await tick(pilot, app)
        assert [p.has_class("-winner") for p in panes(app)] == [False, True, False]
        winner = panes(app)[1]
        assert winner.styles.border_top[0] == "double"
        if not winner.has_focus_within:
            assert winner.styles.border_top == ("double", colour(app, "winner"))
        app.screen.set_focus(panes(app)[2])
        await pilot.press("4")  # now 2, 4, 4: a tie has no winner
        await tick(pilot, app)
        assert [p.model.score.total for p in panes(app)] == [2, 4, 4]
        assert not any(p.has_class("-winner") for p in panes(app))


async def test_no_winner_while_a_run_still_streams_even_if_every_pane_is_scored(
    tmp_path: Path,
) -> None:
    app, _ = make_app(tmp_path, hold=True)
    async with app.run_test(size=(140, 40)) as pilot:
        await send(pilot, "explain crdts")
        for _ in range(100):  # every answer has text, no run has ended
            await pilot.pause(0.02)
            if app.view is not None and all(app.view.stats(i).text for i in range(3)):
                break
        await pilot.press("escape", "2", "4", "3")
        await tick(pilot, app)
        assert app.view is not None and not app.view.all_ended
        assert [p.model.score.total for p in panes(app)] == [2, 4, 3]
        assert not any(p.has_class("-winner") for p in panes(app))
        runner = app.runner
        assert isinstance(runner, ScriptedRunner)
        runner.release.set()
        await settle(pilot, app)
        await tick(pilot, app)
        assert [p.has_class("-winner") for p in panes(app)] == [False, True, False]
