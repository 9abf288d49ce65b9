"""`python -m modelduel.simulator [--host H] [--port N] [--seed N] [--profiles JSON]`.

Without `--child`, the same as `modelduel simulate`. With `--child` (used by
`start_in_child`), serve on a free loopback port, print it on stdout, and exit
when stdin reaches end of file.
"""

from __future__ import annotations

import argparse
import json
import sys

from modelduel.errors import ModelduelError
from modelduel.simulator.child import child_main
from modelduel.simulator.server import serve


def main(argv: list[str] | None = None) -> int:
    """Parse the arguments and run the simulator; returns the exit status."""
    parser = argparse.ArgumentParser(prog="python -m modelduel.simulator")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--profiles",
        type=json.loads,
        default=None,
        metavar="JSON",
        help='per-model profile overrides, e.g. {"gpt-5.5": {"ttft_ms": 500}}',
    )
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    # with --child: serve on this inherited listening socket (the parent knows its port)
    parser.add_argument("--fd", type=int, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    try:
        if args.child:
            return child_main(args.seed, args.profiles, args.fd)
        serve(host=args.host, port=args.port, seed=args.seed, profiles=args.profiles)
    except ModelduelError as exc:
        print(f"modelduel: {exc}", file=sys.stderr)
        return exc.exit_code
    return 0


if __name__ == "__main__":
    sys.exit(main())
