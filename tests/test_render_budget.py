"""Issue 13: the frame budget the panes share, O(1) work per update, memory that follows
what is visible. No timing is asserted: a fake clock, event counts and drawn lines."""

from __future__ import annotations

import asyncio
import random

import pytest
from rich.text import Text
from textual.app import App, ComposeResult
from textual.geometry import Region
from textual.strip import Strip

from modelduel.display import sanitize_terminal
from modelduel.tui.answer_lines import AnswerLines
from modelduel.tui.body_lines import KEEP_SCREENS
from modelduel.tui.framepacer import FRAME_S, MAX_FRAME_S, FramePacer
from modelduel.tui.pane import Sanitized
from modelduel.tui.stream_markdown import PaneBody
from modelduel.tui.themes import APP_VARIABLE_DEFAULTS
from modelduel.tui.wrapped_text import WrappedText, strip_text

# ---------------------------------------------------------------- incremental = whole


def test_sanitizing_piece_by_piece_equals_sanitizing_the_whole() -> None:
    rng = random.Random(13)
    alphabet = ["a", "b", " ", "\n", "\t", "\x1b", "[31m", "\x07", "\x9b", "é", "\x7f", "\r"]
    text = "".join(rng.choice(alphabet) for _ in range(3000))
    sanitized = Sanitized()
    pos = 0
    while pos < len(text):
        pos = min(len(text), pos + rng.randrange(1, 40))
        assert sanitized.update(text[:pos]) == sanitize_terminal(text[:pos])
    # a text that does not extend the last one (a re-run) starts over
    assert sanitized.update("new \x1b run") == "new  run"


def _plain_draw(width: int):  # type: ignore[no-untyped-def]
    from rich.console import Console

    console = Console(width=width, color_system=None)

    def draw(text: str) -> list[Strip]:
        options = console.options.update_width(width)
        return [Strip(line, width) for line in console.render_lines(Text(text), options)]

    return draw


def test_reasoning_wrapped_piece_by_piece_equals_wrapping_the_whole() -> None:
    draw = _plain_draw(23)
    rng = random.Random(7)
    words = ["think", "about", "it", "carefully", "\n", "\n\n", "a-very-long-word-here"]
    text = " ".join(rng.choice(words) for _ in range(400))
    wrapped = WrappedText(draw)
    pos = 0
    while pos < len(text):
        pos = min(len(text), pos + rng.randrange(1, 30))
        wrapped.update(text[:pos])
        assert [strip_text(s) for s in wrapped.lines] == [strip_text(s) for s in draw(text[:pos])]
    assert len(wrapped) == len(draw(text))


# ---------------------------------------------------------------- the pacer


def test_a_flooding_pane_gets_a_bounded_share_and_the_others_go_first() -> None:
    cost = {0: 0.030, 1: 0.001, 2: 0.001}  # pane 0's drawing is 30x the others'
    clock = [0.0]
    spent = {0: 0.0, 1: 0.0, 2: 0.0}

    async def sleep(seconds: float) -> None:
        clock[0] += seconds
        await asyncio.sleep(0)

    async def draw(index: int) -> None:
        clock[0] += cost[index]
        spent[index] += cost[index]

    async def main() -> FramePacer:
        pacer = FramePacer(draw, lambda: range(3), clock=lambda: clock[0], sleep=sleep)
        while clock[0] < 3.0:  # every pane has news every 2 ms for 3 s
            for index in range(3):
                pacer.poke(index)
            clock[0] += 0.002
            await asyncio.sleep(0)
        end = clock[0]
        while not pacer.idle:
            await asyncio.sleep(0)
        # everything that arrived is drawn within MAX_FRAME_S of the stream's end
        assert clock[0] - end <= MAX_FRAME_S + max(cost.values())
        return pacer

    pacer = asyncio.run(main())
    draws = pacer.draws
    assert draws[0] >= 3  # never starved either
    assert draws[1] >= 3 * draws[0] and draws[2] >= 3 * draws[0], draws
    assert spent[0] <= 0.3 * clock[0], (spent, clock)


def _pacer_run(
    draw_s: dict[int, float], paint_s: dict[int, float], late_s: float = 0.0
) -> tuple[FramePacer, dict[int, float], float]:
    """Three panes with news every 2 ms for 3 s of fake time. A draw advances the clock by
    its drawing; its paint is charged later, when the pacer yields (the compositor runs
    between frames), and the draw after reports it, as the body does. A sleep wakes
    `late_s` late (the loop busy elsewhere)."""
    clock = [0.0]
    spent = dict.fromkeys(draw_s, 0.0)
    unpainted = [0.0]  # the compositor's work waiting for the loop
    painted = dict.fromkeys(draw_s, 0.0)  # each pane's paint not reported yet

    async def sleep(seconds: float) -> None:
        clock[0] += seconds + unpainted[0] + (late_s if seconds > 0 else 0.0)
        unpainted[0] = 0.0
        await asyncio.sleep(0)

    async def draw(index: int) -> float:
        clock[0] += draw_s[index]
        unpainted[0] += paint_s[index]
        spent[index] += draw_s[index] + paint_s[index]
        reported, painted[index] = painted[index], paint_s[index]
        return reported

    async def main() -> FramePacer:
        pacer = FramePacer(draw, lambda: range(3), clock=lambda: clock[0], sleep=sleep)
        while clock[0] < 3.0:
            for index in range(3):
                pacer.poke(index)
            clock[0] += 0.002
            await asyncio.sleep(0)
        while not pacer.idle:
            await asyncio.sleep(0)
        return pacer

    return asyncio.run(main()), spent, clock[0]


def test_a_pane_cheap_to_draw_but_dear_to_paint_gets_a_bounded_share() -> None:
    # pane 0 draws in 1 ms, but the compositor then spends 30 ms painting what it changed
    # (a flooding pane scrolls its whole view each frame): its paint counts in its share
    pacer, spent, end = _pacer_run({0: 0.001, 1: 0.001, 2: 0.001}, {0: 0.030, 1: 0.0, 2: 0.0})
    assert pacer.draws[0] >= 3
    assert pacer.draws[1] >= 3 * pacer.draws[0], pacer.draws
    assert spent[0] <= 0.3 * end, (spent, end)


def test_equally_dear_panes_are_spaced_by_their_drawing_not_their_paint() -> None:
    # three code blocks: each pane draws in 5 ms and paints in 20 ms. Counting the paint
    # spaced every pane 100 ms apart (each frame carrying more lines, later) for no
    # pane's gain: among equals only the drawing sets the spacing
    pacer, _, end = _pacer_run({0: 0.005, 1: 0.005, 2: 0.005}, {0: 0.02, 1: 0.02, 2: 0.02})
    # a frame of all three costs ~75 ms of the fake loop; spaced 4 x (5 + 20) ms it was
    # one frame per ~100 ms + the frame itself
    assert min(pacer.draws.values()) >= end / 0.09, (pacer.draws, end)


def test_a_busy_loop_spaces_out_the_dear_pane_not_the_cheap_ones() -> None:
    # every wake is 40 ms late (the loop busy painting the dear pane 0): spacing every
    # pane by twice that made the cheap panes wait ~105 ms a frame for the flooding one
    pacer, _, end = _pacer_run(
        {0: 0.030, 1: 0.001, 2: 0.001}, {0: 0.0, 1: 0.0, 2: 0.0}, late_s=0.040
    )
    # a cheap pane is drawn at every wake (every ~frame + lateness), not every 2 x lateness
    assert pacer.draws[1] >= end / (FRAME_S + 0.040 + 0.01), (pacer.draws, end)
    assert pacer.draws[0] <= end / (2 * 0.040), pacer.draws


def test_a_pane_is_drawn_once_for_many_pokes_within_a_frame() -> None:
    clock = [0.0]

    async def sleep(seconds: float) -> None:
        clock[0] += seconds
        await asyncio.sleep(0)

    async def draw(index: int) -> None:
        clock[0] += 0.001

    async def main() -> FramePacer:
        pacer = FramePacer(draw, lambda: range(1), clock=lambda: clock[0], sleep=sleep)
        for _ in range(100):  # 100 deltas in 10 ms of fake time
            pacer.poke(0)
            clock[0] += 0.0001
        while not pacer.idle:
            await asyncio.sleep(0)
        return pacer

    assert asyncio.run(main()).draws[0] <= 2


# ---------------------------------------------------------------- the body


class BodyApp(App[None]):
    def get_theme_variable_defaults(self) -> dict[str, str]:
        return dict(APP_VARIABLE_DEFAULTS)  # the body's style reads $reasoning, as in the app

    def compose(self) -> ComposeResult:
        yield PaneBody()


def _answer(paragraphs: int) -> str:
    parts = []
    for i in range(paragraphs):
        if i % 7 == 3:
            parts.append(f"- item {i} one\n- item {i} two")
        elif i % 11 == 5:
            parts.append(f"```python\ndef f{i}():\n    return {i}\n```")
        else:
            parts.append(" ".join(f"p{i}w{j}" for j in range(30)))
    return "\n\n".join(parts) + "\n\n"


def _view(body: PaneBody) -> list[str]:
    return [strip_text(body.render_line(y)).rstrip() for y in range(body.size.height)]


def test_blocks_far_off_screen_are_dropped_and_drawn_again_identically() -> None:
    text = _answer(120)

    async def main() -> None:
        async with BodyApp().run_test(size=(60, 20)) as pilot:
            body = pilot.app.query_one(PaneBody)
            pos = 0
            most_kept = 0
            while pos < len(text):
                pos = min(len(text), pos + 97)
                body.set_answer(text[:pos])
                most_kept = max(most_kept, body.kept_blocks)
            await pilot.pause()
            # memory follows what is visible: a view plus KEEP_SCREENS views each side
            assert most_kept <= 2 * KEEP_SCREENS * 20 + 20, most_kept
            assert body.kept_blocks < 30
            # every block drawn eagerly, laid out by hand: what the lazy body must show
            eager = AnswerLines(body._draw, lambda: Strip.blank(58))
            eager.update(text)
            whole: list[str] = []
            for block in eager.block_lines:
                whole += [strip_text(s).rstrip() for s in block] + [""]
            whole += [strip_text(s).rstrip() for s in eager.tail_lines]
            assert [strip_text(s).rstrip() for s in body.drawn_lines] == whole
            body.scroll_home(animate=False, immediate=True)
            await pilot.pause()
            assert _view(body) == whole[:20]
            body.scroll_to(y=len(whole) // 2, animate=False, immediate=True)
            await pilot.pause()
            top = body.scroll_offset.y
            assert _view(body) == whole[top : top + 20]

    asyncio.run(main())


def test_growing_text_repaints_only_the_lines_that_changed() -> None:
    async def main() -> None:
        async with BodyApp().run_test(size=(60, 20)) as pilot:
            body = pilot.app.query_one(PaneBody)
            regions: list[tuple[Region, ...]] = []
            original = body.refresh

            def spy(*args: Region, **kwargs: bool) -> PaneBody:
                regions.append(args)
                return original(*args, **kwargs)

            body.refresh = spy  # type: ignore[method-assign]
            text = ""
            full = 0
            for i in range(400):
                text += f" word{i}" + ("\n\n" if i % 40 == 39 else "")
                regions.clear()
                body.set_answer(text)
                await pilot.pause()
                # a full repaint happens at a jump (about every half view), never creeping
                full += sum(1 for r in regions if not r or r[0].height > 2)
                # what is on screen is what drawing the whole answer shows
                top = body.scroll_offset.y
                drawn = [strip_text(s).rstrip() for s in body.drawn_lines[top : top + 3]]
                assert _view(body)[:3] == [*drawn, "", "", ""][:3]
            assert full <= 400 // 10 + 20, full

    asyncio.run(main())


# ---------------------------------------------------------------- launch


def test_the_duel_screen_imports_no_checks_tasks_or_simulator() -> None:
    import subprocess
    import sys

    loaded = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys, modelduel.tui.app, modelduel.commands.tui_cmd\n"
            "print(' '.join(m for m in ('modelduel.core.checks', 'modelduel.tasks',"
            " 'modelduel.simulator', 'modelduel.core.pricing', 'rich.markdown',"
            " 'markdown_it', 'pygments') if m in sys.modules))",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    # each loads after the first frame, when a task, a demo, a price or an answer needs it
    assert loaded == []


def test_panes_with_news_at_the_same_time_are_drawn_together() -> None:
    # three panes that always have news; each drawing takes 1 ms, so each pane would come
    # due 1 ms after the one drawn before it. Drawn together, one compositor pass paints
    # all three; drawn apart, the screen is composited three times as often.
    clock = [0.0]

    async def sleep(seconds: float) -> None:
        clock[0] += seconds
        await asyncio.sleep(0)

    async def main() -> FramePacer:
        async def draw(index: int) -> None:
            clock[0] += 0.001
            if clock[0] < 2.0:
                pacer.poke(index)  # more news already

        pacer = FramePacer(draw, lambda: range(3), clock=lambda: clock[0], sleep=sleep)
        pacer.poke_all()
        while not pacer.idle:
            await asyncio.sleep(0)
        return pacer

    pacer = asyncio.run(main())
    draws = sum(pacer.draws.values())
    assert draws >= 3 * 2.0 / (2 * FRAME_S), pacer.draws  # every pane kept being drawn
    assert pacer.frames <= draws / 3 + 5, (pacer.frames, draws)


def test_the_body_reports_the_time_its_lines_took_to_paint_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import modelduel.tui.stream_markdown as body_module

    ticks = [0.0]

    def clock() -> float:
        ticks[0] += 0.5  # every reading half a second on: a paint "takes" 0.5 s
        return ticks[0]

    async def main() -> None:
        async with BodyApp().run_test(size=(40, 12)) as pilot:
            body = pilot.app.query_one(PaneBody)
            body.set_answer(_answer(3))
            await pilot.pause()
            monkeypatch.setattr(body_module, "_paint_clock", clock)
            body.take_paint_s()
            body.refresh()
            await pilot.pause()  # the compositor paints the body: timed
            assert body.take_paint_s() >= 0.5
            assert body.take_paint_s() == 0.0  # reported once, to the pacer's next draw

    asyncio.run(main())
