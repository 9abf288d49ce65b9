"""Opening the duel screen: the settings from the command line and the config, the
runner child's factory, then the app until the user quits.

What runs before the first frame is kept to what it draws (tests/test_launch_path.py):
heavy modules load inside the functions that need them, after the first paint where
they can. The commands that open the screen (`modelduel`, `score`, `suite`) call
`run_tui`; stopping on a signal is `tui.stopsignals`.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from modelduel.errors import ModelduelError, SpecError
from modelduel.tui.stopsignals import exit_on_signals

if TYPE_CHECKING:
    from modelduel.config import Config
    from modelduel.core.worker import ChildDuelRunner
    from modelduel.tasks import Task
    from modelduel.tui.app import ModelduelApp, Runner
    from modelduel.tui.duelview import DuelView

__all__ = [
    "DEMO_BANNER",
    "MAX_PANES",
    "check_theme",
    "child_runner_factory",
    "run_tui",
    "tell_from_thread",
    "theme_saver",
]

MAX_PANES = 6
DEMO_BANNER = (
    "DEMO: simulated providers on 127.0.0.1, not real model output. "
    "Set OPENAI_API_KEY, ANTHROPIC_API_KEY or GEMINI_API_KEY for real models."
)


def child_runner_factory(
    config: Config, env: dict[str, str], made: list[ChildDuelRunner] | None = None
) -> object:
    """A factory giving the app a child-process runner wired to its sink.

    Args:
        config: timeouts and retries.
        env: the runs' environment.
        made: each runner made is appended here (so a stop signal can tell it why).
    """
    from modelduel.core.worker import ChildDuelRunner

    def make(app: ModelduelApp) -> Runner:
        runner = ChildDuelRunner(
            app.sink,
            retries=config.retries,
            timeout_s=config.timeout_s,
            stall_timeout_s=config.stall_timeout_s,
            connect_timeout_s=config.connect_timeout_s,
            env=env,
            on_run_ended=app.run_ended,
        )
        if made is not None:
            made.append(runner)
        return runner  # type: ignore[return-value]

    return make


def run_tui(
    args: argparse.Namespace,
    recorded: Callable[[], tuple[DuelView, ...]] | None = None,
    tasks: tuple[Task, ...] = (),
) -> int:
    """Open the duel screen; returns when the user quits.

    `recorded` reads the recorded duels to open (`score`, `suite`); it is called once
    every check has passed, so a start-up that fails touches no file (reading a CSV
    repairs a torn last row). Without it the CSV's duels are read for the history.

    Raises:
        ModelduelError: a user mistake (config, models, theme), or no terminal to draw on
            and read keys from (stdin or stderr, where Textual writes, is not a tty).
    """
    # No garbage collection until the first frame: importing the ~600 modules it needs
    # (Textual, pydantic, the screen's) ran ~160 collections, one of them full, 60-100 ms
    # of a launch's CPU, to free import-time garbage. The collector runs again after the
    # first frame (`resume`), where `gcpolicy.tame_gc` collects once and freezes what the
    # screen holds; it is on again whenever this returns or raises.
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _open(args, recorded, tasks, resume=gc.enable if collecting else gc.disable)
    finally:
        if collecting:
            gc.enable()


def _has_a_terminal() -> bool:
    """Whether keys can be read and the screen drawn (Textual draws on stderr)."""
    return all(stream is not None and stream.isatty() for stream in (sys.stdin, sys.stderr))


def _open(
    args: argparse.Namespace,
    recorded: Callable[[], tuple[DuelView, ...]] | None,
    tasks: tuple[Task, ...],
    resume: Callable[[], None],
) -> int:
    from modelduel.config import load_config
    from modelduel.demo import demo_environment_in_background

    config = load_config(args.config)
    csv_path: Path = args.csv or Path(config.csv_path)
    specs = list(args.models or config.default_models)
    if not 1 <= len(specs) <= MAX_PANES:
        raise SpecError(f"give 1 to {MAX_PANES} models (got {len(specs)})")
    with contextlib.ExitStack() as stack:
        # demo mode: the simulator's socket is bound now, its child starts after the first frame
        demo = demo_environment_in_background(stack, args.demo, config, announce=False)
        after_first_frame = (lambda: demo.start(lambda why: tell_from_thread(app_ref, why)), resume)
        app_ref: list[ModelduelApp] = []
        return _run_app(
            args, config, csv_path, specs, demo.env, after_first_frame, app_ref, recorded, tasks
        )


def _run_app(
    args: argparse.Namespace,
    config: Config,
    csv_path: Path,
    specs: list[str],
    env: dict[str, str],
    after_first_frame: tuple[Callable[[], None], ...],
    app_ref: list[ModelduelApp],
    recorded: Callable[[], tuple[DuelView, ...]] | None,
    tasks: tuple[Task, ...],
) -> int:
    """The screen's settings, checked (user mistakes end here, before any screen), then the app.

    Nothing is written or repaired until every check has passed: the CSV's preflight
    (which takes its lock, leaving the lock's file) and the reading of its duels (which
    moves a torn last row aside) come after the theme, the models and the terminal.
    """
    from modelduel import locations
    from modelduel.config import DEMO_ENV, DuelSettings, resolve_model
    from modelduel.core.cancelreasons import stop_reason
    from modelduel.storage import ensure_writable
    from modelduel.tui.app import AppSettings, ModelduelApp
    from modelduel.tui.themeload import load_themes, theme_dirs

    themes, problems = load_themes(theme_dirs(args.themes))
    config_file = args.config or locations.config_path()
    check_theme(args.theme, config.theme, [t.name for t in themes], config_file)

    def tell(message: str) -> None:
        for app in app_ref:
            app.notify(message, severity="error", timeout=10)

    save_theme = theme_saver(config_file, tell)

    duel = DuelSettings(getattr(args, "effort", None), getattr(args, "max_output_tokens", None))
    models = [resolve_model(spec, config, env, duel) for spec in specs]
    if not _has_a_terminal():  # after the settings' checks: their mistakes are said first
        raise ModelduelError(
            "the duel screen needs a terminal (stdin or stderr is not one); without one, "
            "use `modelduel ask PROMPT` for a duel or `modelduel run` for a batch"
        )
    ensure_writable(csv_path)
    shown: tuple[DuelView, ...] = recorded() if recorded is not None else ()
    history: tuple[DuelView, ...] = ()
    history_notes: list[str] = []
    if recorded is None and not tasks:
        from modelduel.tui.recorded import recorded_views

        # reopening a CSV lists its duels in the history, for re-scoring
        history = tuple(recorded_views(csv_path, blind=False, notes=history_notes))
    settings = AppSettings(
        config=config,
        models=models,
        csv_path=csv_path,
        blind=args.blind,
        theme=args.theme or config.theme,
        themes=tuple(themes),
        theme_problems=tuple(problems),
        banner=DEMO_BANNER if env.get(DEMO_ENV) else "",
        env=env,
        save_theme=save_theme,
        recorded=shown,
        tasks=tasks,
        history=history,
        history_notes=tuple(history_notes),
        after_first_frame=after_first_frame,
    )
    runners: list[ChildDuelRunner] = []
    app = ModelduelApp(settings, child_runner_factory(config, env, runners))  # type: ignore[arg-type]
    app_ref.append(app)

    def stop(signum: int) -> None:
        # the runs the app cancels on its way out say which signal, not "by the user"
        for runner in runners:
            runner.cancel_reason = stop_reason(signum)
        app.exit()

    with exit_on_signals(stop) as received:
        app.run()
    if app.recovery_note:
        # the screen is restored by now: this line stays in the terminal
        for line in app.recovery_note.splitlines():
            print(f"modelduel: {line}", file=sys.stderr)
    return 128 + received[0] if received else 0


def tell_from_thread(app_ref: list[ModelduelApp], message: str) -> None:
    """A notice from another thread (the simulator's starter), if the app still runs."""
    for app in app_ref:
        with contextlib.suppress(RuntimeError):  # the app has stopped meanwhile
            app.call_from_thread(app.notify, f"demo: {message}", severity="error", timeout=10)


def check_theme(given: str | None, configured: str, ours: list[str], config_file: Path) -> None:
    """A theme that does not exist is a mistake said before the screen opens, not a toast.

    Raises:
        ModelduelError: the theme named by `--theme` (or the config's `theme`) is neither
            one of ours (shipped or the user's) nor one of Textual's own.
    """
    from textual.theme import BUILTIN_THEMES

    name = given or configured
    if not name or name in ours or name in BUILTIN_THEMES:
        return
    where = "--theme" if given else f"{config_file}: theme"
    raise ModelduelError(
        f"{where}: no theme {name!r}; choose from {', '.join(sorted(ours))} "
        f"(or a Textual theme such as textual-dark), or add a theme file"
    )


def theme_saver(config_file: Path, tell: Callable[[str], None]) -> Callable[[str], None]:
    """What the app calls when the user picks a theme: save it, or `tell` why it was not."""

    def save(name: str) -> None:
        from modelduel.config import save_theme_choice

        try:
            save_theme_choice(config_file, name)
        except ModelduelError as exc:
            tell(f"theme {name} not saved: {exc}")

    return save
