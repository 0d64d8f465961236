"""The single-claim path and the vectorised path agree exactly; so do the numpy and compiled kernels."""

from __future__ import annotations

import datetime as dt

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from seguro_desempleo.parameters import default_parameters
from seguro_desempleo.rules import kernels
from seguro_desempleo.rules.evaluate import batch_from_cases, evaluate_batch, evaluate_case
from tests.rules.strategies import claim_cases

PARAMS = default_parameters()


@settings(max_examples=40, deadline=None)
@given(st.lists(claim_cases(), min_size=1, max_size=40), st.sampled_from([None, "divide_by_twelve", "small_firms"]))
def test_one_case_equals_the_batch(cases, reform) -> None:  # type: ignore[no-untyped-def]
    params = PARAMS.with_reform(reform) if reform else PARAMS
    cases = [c.__class__(**{**c.__dict__, "id": f"c{i}"}) for i, c in enumerate(cases)]
    at = dt.date(2026, 11, 1)
    snap = params.at(at)
    batch = batch_from_cases(cases, params, snap)
    for fast in (False, True):
        result = evaluate_batch(batch, snap, fast=fast)
        for i, case in enumerate(cases):
            one = evaluate_case(case, params, at)
            assert one.eligible == bool(result.eligible[i])
            assert one.contributions_in_window == int(result.contributions_in_window[i])
            assert one.insurable_remuneration == int(result.insurable_remuneration[i])
            assert one.total == int(result.total[i])
            for r in one.requirements:
                assert r.met == bool(result.requirement(r.key)[i])


@settings(max_examples=60, deadline=None)
@given(n=st.integers(1, 200), h=st.integers(24, 36), seed=st.integers(0, 2**32 - 1),
       count_unpaid=st.booleans(), rmv_floor=st.booleans(), shared_rmv=st.booleans())
def test_compiled_kernel_equals_numpy_reference(n, h, seed, count_unpaid, rmv_floor, shared_rmv) -> None:  # type: ignore[no-untyped-def]
    rng = np.random.default_rng(seed)
    pay = np.where(rng.random((n, h)) < 0.3, 0, rng.integers(1, 1_000_000, (n, h))).astype(np.int64)
    declared = rng.random((n, h)) < 0.95
    paid = rng.random((n, h)) < 0.9
    rmv = rng.integers(85_000, 113_000, h if shared_rmv else (n, h)).astype(np.int64)
    ref = kernels.history_summary_numpy(pay, declared, paid, rmv, 24, 12, count_unpaid, rmv_floor)
    fast = kernels.history_summary_fast(pay, declared, paid, rmv, 24, 12, count_unpaid, rmv_floor)
    for a, b in zip(ref, fast, strict=True):
        np.testing.assert_array_equal(a, b)


@settings(max_examples=60, deadline=None)
@given(n=st.integers(1, 120), h=st.integers(26, 40), seed=st.integers(0, 2**32 - 1),
       count_unpaid=st.booleans(), rmv_floor=st.booleans(), ref_offset=st.integers(0, 1), slide=st.booleans(),
       mode=st.integers(0, 2), ext_max=st.integers(0, 2))
def test_compiled_kernel_equals_numpy_with_issue26_readings(n, h, seed, count_unpaid, rmv_floor, ref_offset, slide,
                                                            mode, ext_max) -> None:  # type: ignore[no-untyped-def]
    """Months not counted (art. 3), subsidised months (count / extend), the reference ending before
    the separation month and the window's slide: the compiled kernel agrees with numpy exactly."""
    rng = np.random.default_rng(seed)
    pay = np.where(rng.random((n, h)) < 0.3, 0, rng.integers(1, 1_000_000, (n, h))).astype(np.int64)
    declared = rng.random((n, h)) < 0.95
    paid = rng.random((n, h)) < 0.9
    counted = rng.random((n, h)) < 0.8
    subsidised = rng.random((n, h)) < 0.1
    rmv = rng.integers(85_000, 113_000, h).astype(np.int64)
    kw = dict(counted=counted, subsidised=subsidised, ref_offset=ref_offset, slide=slide, subsidy_mode=mode,
              ext_max=ext_max)
    ref = kernels.history_summary_numpy(pay, declared, paid, rmv, 24, 12, count_unpaid, rmv_floor, **kw)
    fast = kernels.history_summary_fast(pay, declared, paid, rmv, 24, 12, count_unpaid, rmv_floor, **kw)
    for a, b in zip(ref, fast, strict=True):
        np.testing.assert_array_equal(a, b)
    # The slide never lowers the count; a month not counted is never an aportación.
    plain = kernels.history_summary_numpy(pay, declared, paid, rmv, 24, 12, count_unpaid, rmv_floor,
                                          **{**kw, "slide": False})
    assert (ref[0] >= plain[0]).all()
    none = kernels.history_summary_numpy(pay, declared, paid, rmv, 24, 12, count_unpaid, rmv_floor,
                                         **{**kw, "counted": np.zeros((n, h), dtype=bool)})
    assert (none[0] == 0).all() and (none[1] == 0).all()
