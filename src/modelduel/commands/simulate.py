"""`modelduel simulate`: the provider simulator in the foreground."""

from __future__ import annotations

import argparse

from modelduel.options import add_config_option

__all__ = ["add_parser", "run", "run_simulate"]


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """The `simulate` subcommand's arguments."""
    sim = sub.add_parser(
        "simulate",
        help="run the provider simulator on loopback",
        description="Serve simulated OpenAI, Anthropic and Gemini APIs on 127.0.0.1 "
        "(no keys needed); prints the base URLs and variables to point a client at it.",
    )
    sim.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    sim.add_argument("--port", type=int, default=0, help="port (default: a free one)")
    sim.add_argument("--seed", type=int, default=0, help="seed for answers and timing")
    add_config_option(sim)


def run_simulate(args: argparse.Namespace) -> int:
    """Serve the simulator until Ctrl+C; it prints its base URLs and env vars."""
    from modelduel.config import load_config
    from modelduel.simulator import serve

    # the config's [simulator."MODEL"] latency profiles apply here as in demo mode
    profiles = load_config(args.config).simulator or None
    serve(host=args.host, port=args.port, seed=args.seed, profiles=profiles)
    return 0


run = run_simulate  # the command table's interface (`cli.COMMANDS`)
