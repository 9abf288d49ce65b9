"""A pane receiving more than it can draw does cheaper work and less often (issue 13, item 1).

No timing is asserted: a fake clock drives the pane, and the work is counted (how many
times the body is rebuilt, which renderables are drawn).
"""

from __future__ import annotations

import asyncio
import dataclasses

import pytest
from rich.text import Text
from textual.app import App, ComposeResult
from textual.strip import Strip

import modelduel.tui.pane as pane_module
from modelduel.core.metrics import StreamStats
from modelduel.tui.answer_lines import AnswerLines
from modelduel.tui.pane import FLOOD_FRAME_S, TICK_BODY_S, PaneModel, ResponsePane
from modelduel.tui.themes import APP_VARIABLE_DEFAULTS
from modelduel.tui.wrapped_text import strip_text

TABLE = "| key | value |\n|---|---|\n| a | 1 |\n| b | 2 |"


def _stats(text: str, status: str = "streaming") -> StreamStats:
    names = [f.name for f in dataclasses.fields(StreamStats) if f.default is dataclasses.MISSING]
    values: dict[str, object] = dict.fromkeys(names)
    values.update(status=status, text=text, reasoning_text="", tokens_exact=True, retries=0)
    return StreamStats(**values)  # type: ignore[arg-type]


def _recording_lines() -> tuple[AnswerLines, list[object]]:
    drawn: list[object] = []

    def draw(renderable: object) -> list[Strip]:
        drawn.append(renderable)
        text = renderable.plain if isinstance(renderable, Text) else "md"
        return [Strip.blank(40) for _ in text.split("\n")]

    lines = AnswerLines(draw, lambda: Strip.blank(40))  # type: ignore[arg-type]
    lines.lazy = True
    return lines, drawn


def test_a_cheap_pane_draws_blocks_coming_into_view_as_plain_text_then_markdown() -> None:
    lines, drawn = _recording_lines()
    lines.cheap_tail = True
    lines.update(f"{TABLE}\n\nnext paragraph\n\n")
    drawn.clear()
    lines.block(0)  # the table scrolls into view while the pane floods
    assert [type(r) for r in drawn] == [Text]
    assert lines.plain == {0}
    lines.cheap_tail = False
    lines.unplain()  # the flood is over: what was plain is drawn as markdown when seen
    assert not lines.is_drawn(0) and not lines.plain
    drawn.clear()
    lines.block(0)
    assert [type(r).__name__ for r in drawn] != ["Text"] and len(drawn) == 1


def test_a_pane_at_a_normal_rate_draws_blocks_as_markdown() -> None:
    lines, drawn = _recording_lines()
    lines.update(f"{TABLE}\n\n")
    drawn.clear()
    lines.block(0)
    assert len(drawn) == 1 and not isinstance(drawn[0], Text)
    assert not lines.plain


class PaneApp(App[None]):
    def get_theme_variable_defaults(self) -> dict[str, str]:
        return dict(APP_VARIABLE_DEFAULTS)

    def compose(self) -> ComposeResult:
        yield ResponsePane(PaneModel(label="m", spec="openai/m"), 0)


def test_a_flooding_pane_is_brought_up_to_date_at_most_once_per_flood_frame(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    clock = [1000.0]
    monkeypatch.setattr(pane_module, "_now", lambda: clock[0])

    async def main() -> None:
        async with PaneApp().run_test(size=(60, 30)) as pilot:
            pane = pilot.app.query_one(ResponsePane)
            body = pane.body
            rebuilds = [0]
            original = body.set_answer

            def counting(text: str) -> None:
                rebuilds[0] += 1
                original(text)

            body.set_answer = counting  # type: ignore[method-assign]
            text = ""
            step = 0.002  # a poke every 2 ms, 60 characters each: 30,000 characters/s
            cheap_from = None
            for i in range(1000):
                text += f"word{i:05d} " * 6 + ("\n\n" if i % 5 == 4 else "")
                clock[0] += step
                pane.show_text(_stats(text), duel_done=False)
                if cheap_from is None and body.cheap:
                    cheap_from = i  # the rate is known (after 0.2 s): plain text from here
                    rebuilds[0] = 0
            assert body.cheap and cheap_from is not None
            seconds = (1000 - cheap_from) * step
            # the pacer poked it 1,000 times; the body was brought up to date a few times
            assert rebuilds[0] <= seconds / FLOOD_FRAME_S + 3, rebuilds[0]
            assert rebuilds[0] >= seconds / FLOOD_FRAME_S - 3, rebuilds[0]
            # mid-stream the pane shows its tail as of its last frame, not older
            shown = "\n".join(strip_text(s) for s in body.drawn_lines)
            assert f"word{1000 - int(FLOOD_FRAME_S / step) - 1:05d}" in shown
            # the stream ends: everything is drawn at once, as markdown
            pane.show_text(_stats(text, status="done"), duel_done=True)
            assert not body.cheap
            shown = "\n".join(strip_text(s) for s in body.drawn_lines)
            assert "word00999" in shown

    asyncio.run(main())


def test_a_pane_at_a_normal_rate_is_drawn_on_every_poke(monkeypatch: pytest.MonkeyPatch) -> None:
    clock = [1000.0]
    monkeypatch.setattr(pane_module, "_now", lambda: clock[0])

    async def main() -> None:
        async with PaneApp().run_test(size=(60, 30)) as pilot:
            pane = pilot.app.query_one(ResponsePane)
            text = ""
            for i in range(200):
                text += f"w{i} "  # ~1,000 characters/s
                clock[0] += 0.005
                pane.show_text(_stats(text), duel_done=False)
                assert f"w{i}" in strip_text(pane.body.drawn_lines[-1])
            assert not pane.body.cheap

    asyncio.run(main())


def test_the_tick_leaves_a_body_the_pacer_drew_recently_to_the_pacer(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    clock = [1000.0]
    monkeypatch.setattr(pane_module, "_now", lambda: clock[0])

    async def main() -> None:
        async with PaneApp().run_test(size=(60, 30)) as pilot:
            pane = pilot.app.query_one(ResponsePane)
            pane.show_text(_stats("first "), duel_done=False)  # the pacer's draw
            drawn: list[str] = []
            original = pane.show_text

            def spy(stats: StreamStats, duel_done: bool) -> None:
                drawn.append(stats.text)
                original(stats, duel_done)

            pane.show_text = spy  # type: ignore[method-assign]
            clock[0] += TICK_BODY_S / 2  # newer text, the pacer has not got to it yet
            await pane.show(_stats("first second "), duel_done=False)
            assert drawn == []  # the tick did not draw it: the pacer's share holds
            clock[0] += TICK_BODY_S  # a poke was missed: the tick catches up
            await pane.show(_stats("first second "), duel_done=False)
            assert drawn == ["first second "]

    asyncio.run(main())
