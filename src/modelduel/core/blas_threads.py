"""numpy loaded with OpenBLAS held to one thread, for the routing statistics.

The routing report's matrix products are of a few dozen cells (the Bradley–Terry
bootstrap): OpenBLAS would start a thread per core for them, and on a busy machine those
threads spin and double the CPU for no gain. OpenBLAS reads `OPENBLAS_NUM_THREADS` once,
when numpy first loads it, so every place that may be the first to import numpy for a
report (`route`, the TUI's routing report, the routing modules' lazy imports) calls
`import_numpy_with_one_blas_thread` first. This module holds no numerics itself.
"""

from __future__ import annotations

import os
import sys

OPENBLAS_THREADS = "OPENBLAS_NUM_THREADS"


def import_numpy_with_one_blas_thread() -> None:
    """Import numpy, if it is not yet, with OpenBLAS held to one thread.

    The variable is set only while numpy loads and removed again, so a process started
    later (the duel worker, a check's sandbox) inherits the environment as it was. A
    user's own `OPENBLAS_NUM_THREADS` wins; numpy imported before this call keeps the
    threads it started with.
    """
    if "numpy" in sys.modules or OPENBLAS_THREADS in os.environ:
        return  # too late to choose; or the user chose
    os.environ[OPENBLAS_THREADS] = "1"
    try:
        import numpy  # noqa: F401, PLC0415 - OpenBLAS reads the variable as it loads
    finally:
        os.environ.pop(OPENBLAS_THREADS, None)
