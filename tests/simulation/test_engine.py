"""The numpy reference step and the compiled kernel agree exactly; draws are counter-based."""

from __future__ import annotations

import numba
import numpy as np
import pytest

from seguro_desempleo.simulation import _kernel, engine, rng
from seguro_desempleo.simulation.designs import compile_design, list_designs, load_design
from seguro_desempleo.simulation.population import generate
from seguro_desempleo.simulation.runner import RunSpec, run
from tests.simulation.helpers import MODEL, run_both


@pytest.mark.parametrize("design", list_designs())
def test_numpy_and_fast_engines_agree_exactly(design: str) -> None:
    s_np, s_fast, a_np, a_fast = run_both(design)
    for name, arr in s_np.arrays().items():
        np.testing.assert_array_equal(arr, s_fast.arrays()[name], err_msg=f"state {name}")
    for x, y, what in zip(a_np, a_fast, ("accumulators", "monthly", "durations"), strict=True):
        np.testing.assert_array_equal(x, y, err_msg=what)
    acc = a_np[0]
    assert acc[engine.A["separations"]].sum() > 0
    assert acc[engine.A["beneficiaries"]].sum() > 0, "the small run must exercise claims"


def test_generators_agree_exactly() -> None:
    a = generate(MODEL, rng.seed_key(11), 12345, 5000)
    b = generate(MODEL, rng.seed_key(11), 12345, 5000, fast=True)
    for name, arr in a.arrays().items():
        np.testing.assert_array_equal(arr, b.arrays()[name], err_msg=name)


def test_compiled_draw_equals_numpy_draw() -> None:
    keys = rng.person_keys(rng.seed_key(3), 0, 50)
    for month, stream in ((-1, 4), (0, 0), (119, 2), (5000, 7)):
        ref = rng.draw_np(keys, month, stream)
        got = np.array([_kernel._draw(k, month, stream) for k in keys], dtype=np.uint64)
        np.testing.assert_array_equal(ref, got)


def test_a_person_draws_the_same_numbers_in_any_partition() -> None:
    whole = generate(MODEL, rng.seed_key(2), 0, 1000)
    part = generate(MODEL, rng.seed_key(2), 600, 400)
    for name, arr in whole.arrays().items():
        np.testing.assert_array_equal(arr[600:], part.arrays()[name], err_msg=name)
    assert not np.array_equal(rng.person_keys(rng.seed_key(1), 0, 10), rng.person_keys(rng.seed_key(2), 0, 10))


def _totals(spec: RunSpec) -> tuple[np.ndarray, ...]:
    r = run(spec)
    return r.acc, r.mon, r.hist


@pytest.mark.parametrize("engine_name", ["fast", "numpy"])
def test_results_do_not_depend_on_partitions_or_blocks(engine_name: str) -> None:
    base = RunSpec(persons=4000, months=12, burn_in=6, seed=9, engine=engine_name)
    ref = _totals(base)
    for spec in (RunSpec(**{**base.__dict__, "partitions": 3}), RunSpec(**{**base.__dict__, "block": 700})):
        for x, y in zip(ref, _totals(spec), strict=True):
            np.testing.assert_array_equal(x, y)


def test_results_do_not_depend_on_threads_or_chunks() -> None:
    des = load_design("bill")
    d = compile_design(des, MODEL)
    outs = []
    before = numba.get_num_threads()
    try:
        for threads, chunks in ((1, 1), (int(getattr(numba.config, "NUMBA_NUM_THREADS", 2)), 64), (1, 7)):
            numba.set_num_threads(threads)
            st = generate(MODEL, rng.seed_key(4), 0, 3000)
            acc = engine.new_accumulators(12)
            engine.run_fast(st, 0, 18, 6, MODEL, d, *acc, chunks=chunks)
            outs.append((acc, st.mask.copy()))
    finally:
        numba.set_num_threads(before)
    for acc, mask in outs[1:]:
        for x, y in zip(outs[0][0], acc, strict=True):
            np.testing.assert_array_equal(x, y)
        np.testing.assert_array_equal(outs[0][1], mask)


def test_seeds_change_the_sample() -> None:
    a = run(RunSpec(persons=2000, months=6, burn_in=0, seed=1)).acc
    b = run(RunSpec(persons=2000, months=6, burn_in=0, seed=2)).acc
    assert not np.array_equal(a, b)


def test_the_fast_engine_as_a_one_month_step_equals_the_numpy_step() -> None:
    des = load_design("bill_noncontributory")
    d = compile_design(des, MODEL)
    from seguro_desempleo.simulation.designs import snapshot

    snap = snapshot(des)
    st = generate(MODEL, rng.seed_key(8), 0, 2500)
    s_np, s_step, s_whole = st.copy(), st.copy(), st.copy()
    a_np, a_step, a_whole = (engine.new_accumulators(9) for _ in range(3))
    for t in range(15):
        engine.step_numpy(s_np, t, MODEL, d, snap, *a_np, burn_in=6)
        engine.run_fast(s_step, t, t + 1, 6, MODEL, d, *a_step)
        for name, arr in s_np.arrays().items():
            np.testing.assert_array_equal(arr, s_step.arrays()[name], err_msg=f"month {t}: {name}")
    engine.run_fast(s_whole, 0, 15, 6, MODEL, d, *a_whole)
    for x, y, z in zip(a_np, a_step, a_whole, strict=True):
        np.testing.assert_array_equal(x, y)
        np.testing.assert_array_equal(x, z)
