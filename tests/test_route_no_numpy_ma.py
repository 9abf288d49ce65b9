"""`route` does not import numpy.ma (~10 ms at start-up), and its percentiles are numpy's."""

from __future__ import annotations

import math
import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from modelduel.core.preference import _percentiles


def test_route_does_not_import_numpy_ma() -> None:
    """`np.unique` without counts asks `np.ma.is_masked`, importing numpy.ma (~10 ms)."""
    code = (
        "import numpy as np, sys\n"
        "from modelduel.core import preference\n"
        "rows = [dict(task_type='t', model=m, duel_id=str(d), score=str(s), rank='')\n"
        "        for d in range(6) for m, s in (('a', d % 3), ('b', 2), ('c', 1))]\n"
        "preference.preference_table(rows, rng=np.random.default_rng(1), samples=20)\n"
        "print('numpy.ma' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # inf - inf, as numpy's own
@settings(max_examples=300, deadline=None)
@given(
    st.integers(min_value=1, max_value=60),
    st.integers(min_value=1, max_value=4),
    st.lists(
        st.one_of(
            st.floats(min_value=-50, max_value=50),
            st.sampled_from([0.0, -0.0, 1.0, math.nan, math.inf, -math.inf]),
        ),
        min_size=240,
        max_size=240,
    ),
    st.sampled_from([(2.5, 97.5), (0.0, 100.0), (50.0,), (10.0, 90.0, 33.3)]),
)
def test_percentiles_are_numpys_to_the_bit(
    samples: int, models: int, pool: list[float], percents: tuple[float, ...]
) -> None:
    draws = np.asarray(pool[: samples * models], dtype=np.float64)
    draws = np.resize(draws, (samples, models))
    want = np.percentile(draws, percents, axis=0)
    got = _percentiles(draws, percents)
    assert got.shape == want.shape
    assert got.tobytes() == want.tobytes()  # NaN and the sign of a zero included


def test_the_bootstrap_percentiles_of_a_real_fit_are_numpys() -> None:
    draws = np.random.default_rng(5).normal(size=(1000, 5))
    draws -= draws.mean(axis=1, keepdims=True)
    want = np.percentile(draws, [2.5, 97.5], axis=0)
    assert _percentiles(draws, (2.5, 97.5)).tobytes() == want.tobytes()
