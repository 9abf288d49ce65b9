"""`modelduel` with no command: the duel screen."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING

from modelduel.errors import ModelduelError, SpecError

if TYPE_CHECKING:
    from modelduel.config import Config
    from modelduel.core.worker import ChildDuelRunner
    from modelduel.tasks import Task
    from modelduel.tui.app import ModelduelApp, Runner
    from modelduel.tui.duelview import DuelView

__all__ = [
    "child_runner_factory",
    "exit_on_signals",
    "run",
    "run_tui",
    "theme_saver",
]

# A closed terminal (SIGHUP), a `kill` (SIGTERM) or a `kill -INT` (the screen's raw mode
# makes ctrl+c a key, so a SIGINT comes from outside) end the app the way ctrl+q does: runs
# still going are cancelled and saved (text kept), and the exit status is 128 + the
# signal's number, as `ask` and `run` give (130 for SIGINT).
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)

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
    recorded: tuple[DuelView, ...] = (),
    tasks: tuple[Task, ...] = (),
) -> int:
    """Open the duel screen; returns when the user quits."""
    from modelduel import locations
    from modelduel.config import DEMO_ENV, DuelSettings, load_config, resolve_model
    from modelduel.core.cancelreasons import stop_reason
    from modelduel.demo import demo_environment
    from modelduel.storage import ensure_writable
    from modelduel.tui.app import AppSettings, ModelduelApp
    from modelduel.tui.themes import load_themes, theme_dirs

    config = load_config(args.config)
    csv_path: Path = args.csv or Path(config.csv_path)
    ensure_writable(csv_path)
    specs = list(args.models or config.default_models)
    if not 1 <= len(specs) <= MAX_PANES:
        raise SpecError(f"give 1 to {MAX_PANES} models (got {len(specs)})")
    themes, problems = load_themes(theme_dirs(args.themes))
    config_file = args.config or locations.config_path()
    _check_theme(args.theme, config.theme, [t.name for t in themes], config_file)
    history: tuple[DuelView, ...] = ()
    if not recorded and not tasks:
        from modelduel.commands.review import recorded_views

        # reopening a CSV lists its duels in the history, for re-scoring
        history = tuple(recorded_views(csv_path, blind=False))
    app_ref: list[ModelduelApp] = []

    def tell(message: str) -> None:
        for app in app_ref:
            app.notify(message, severity="error", timeout=10)

    save_theme = theme_saver(config_file, tell)

    with demo_environment(args.demo, config, announce=False) as env:
        duel = DuelSettings(getattr(args, "effort", None), getattr(args, "max_output_tokens", None))
        models = [resolve_model(spec, config, env, duel) for spec in specs]
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
            recorded=recorded,
            tasks=tasks,
            history=history,
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
        print(f"modelduel: {app.recovery_note}", file=sys.stderr)
    return 128 + received[0] if received else 0


def _check_theme(given: str | None, configured: str, ours: list[str], config_file: Path) -> None:
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


@contextlib.contextmanager
def exit_on_signals(exit_app: Callable[[int], object]) -> Iterator[list[int]]:
    """While the block runs, SIGINT, SIGTERM and SIGHUP call `exit_app(signum)` in the app's loop.

    Textual leaves these signals at their defaults, which kill the process at once (or,
    for SIGINT, end it with status 0 through a KeyboardInterrupt) and lose the runs in
    flight. Here the first one asks the app to quit as ctrl+q does (its
    unmount cancels and saves the runs); a second one, if quitting hangs, kills as before.

    Yields:
        The signals received, in order (empty when the app ended by itself).
    """
    received: list[int] = []
    previous = {signum: signal.getsignal(signum) for signum in STOP_SIGNALS}

    def handler(signum: int, frame: FrameType | None) -> None:
        received.append(signum)
        if len(received) > 1:
            signal.signal(signum, signal.SIG_DFL)
            os.kill(os.getpid(), signum)
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # the app is not running (yet, or any more)
            raise SystemExit(128 + signum) from None
        if signum == signal.SIGHUP:
            _terminal_gone()
        # thread-safe: it wakes the loop through its self-pipe from inside a signal handler
        loop.call_soon_threadsafe(exit_app, signum)

    for signum in STOP_SIGNALS:
        signal.signal(signum, handler)
    try:
        yield received
    finally:
        for signum, old in previous.items():
            signal.signal(signum, old)


QUIT_GRACE_S = 20.0
"""How long a quit after the terminal closed may take (saving the runs) before it is forced."""


def _terminal_gone() -> None:
    """The terminal closed: writes to it now fail, which would hang Textual's exit.

    Textual writes the screen from a thread; once a write to the closed terminal raises,
    that thread is gone and the app's last writes (leaving the alternate screen) wait on
    its full queue for ever. So the terminal's descriptors are pointed at /dev/null, and,
    should the exit hang all the same, the process ends after a grace period: what was
    saved is on disk (each row is one atomic write), and nothing is left running.
    """
    with contextlib.suppress(OSError):
        devnull = os.open(os.devnull, os.O_RDWR)
        for fd in (0, 1, 2):
            os.dup2(devnull, fd)
        os.close(devnull)

    def force_exit() -> None:
        time.sleep(QUIT_GRACE_S)
        os._exit(128 + signal.SIGHUP)

    threading.Thread(target=force_exit, name="modelduel-quit-grace", daemon=True).start()


# the command run with no command name (`cli.DEFAULT_COMMAND`)
run = run_tui
