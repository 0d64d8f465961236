"""Property: for any design, seed, population slice and horizon the two engines agree exactly."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from seguro_desempleo.simulation.designs import list_designs
from tests.simulation.helpers import run_both


@settings(max_examples=12, deadline=None)
@given(design=st.sampled_from(list_designs()), seed=st.integers(0, 2**31), start=st.integers(0, 10**9),
       n=st.integers(1, 600), months=st.integers(1, 40), burn_in=st.integers(0, 12))
def test_engines_agree_for_any_run(design: str, seed: int, start: int, n: int, months: int, burn_in: int) -> None:
    burn_in = min(burn_in, months - 1)
    s_np, s_fast, a_np, a_fast = run_both(design, n=n, months=months, burn_in=burn_in, seed=seed, start=start)
    for name, arr in s_np.arrays().items():
        np.testing.assert_array_equal(arr, s_fast.arrays()[name], err_msg=name)
    for x, y in zip(a_np, a_fast, strict=True):
        np.testing.assert_array_equal(x, y)
