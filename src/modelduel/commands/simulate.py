"""`modelduel simulate`: the provider simulator in the foreground."""

from __future__ import annotations

import argparse

__all__ = ["run_simulate"]


def run_simulate(args: argparse.Namespace) -> int:
    """Serve the simulator until Ctrl+C; it prints its base URLs and env vars."""
    from modelduel.config import load_config
    from modelduel.simulator import serve

    # the config's [simulator."MODEL"] latency profiles apply here as in demo mode
    profiles = load_config(args.config).simulator or None
    serve(host=args.host, port=args.port, seed=args.seed, profiles=profiles)
    return 0
