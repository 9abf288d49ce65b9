"""`modelduel simulate`: the provider simulator in the foreground."""

from __future__ import annotations

import argparse

__all__ = ["run_simulate"]


def run_simulate(args: argparse.Namespace) -> int:
    """Serve the simulator until Ctrl+C; it prints its base URLs and env vars."""
    from modelduel.simulator import serve

    serve(host=args.host, port=args.port, seed=args.seed)
    return 0
