"""Stochastic engine: reproducible, agrees with the per-path loop and with the annual projection."""

from __future__ import annotations

import numpy as np
import pytest

from seguro_desempleo.actuarial.assumptions import load_assumptions
from seguro_desempleo.actuarial.projection import project
from seguro_desempleo.actuarial.stochastic import (
    RegimeModel,
    rate_for_depletion_probability,
    simulate,
    simulate_loop,
)
from seguro_desempleo.errors import InputError

ILO = load_assumptions("ilo-2021")


def test_seeded_runs_are_reproducible() -> None:
    a = simulate(ILO, runs=500, seed=7)
    b = simulate(ILO, runs=500, seed=7)
    c = simulate(ILO, runs=500, seed=8)
    assert np.array_equal(a.reserve, b.reserve)
    assert not np.array_equal(a.reserve, c.reserve)


def test_vectorised_equals_per_path_loop() -> None:
    v = simulate(ILO, runs=60, seed=3, years=10)
    loop = simulate_loop(ILO, runs=60, seed=3, years=10)
    assert np.allclose(v.reserve, loop.reserve, rtol=1e-12, atol=1e-6)
    assert np.array_equal(v.depletion_month, loop.depletion_month)


def test_numba_engine_equals_numpy_engine_bit_for_bit() -> None:
    x = simulate(ILO, runs=400, seed=21, years=10, engine="numpy")
    y = simulate(ILO, runs=400, seed=21, years=10, engine="numba")
    assert np.array_equal(x.reserve, y.reserve) and np.array_equal(x.spending, y.spending)
    assert np.array_equal(x.depletion_month, y.depletion_month) and np.array_equal(x.min_reserve, y.min_reserve)


def test_without_shocks_the_monthly_engine_tracks_the_annual_projection() -> None:
    flat = simulate(ILO, runs=1, seed=0, model=RegimeModel(p_enter=0, sigma=0))
    annual = [float(row.reserve) for row in project(ILO).rows]
    assert np.allclose(flat.reserve[0], annual, rtol=2e-4)


def test_fan_and_depletion_outputs_are_consistent() -> None:
    r = simulate(ILO, runs=2000, seed=11, years=10)
    fan = r.fan()
    assert all(np.all(fan[5] <= fan[50]) and np.all(fan[50] <= fan[95]) for _ in [0])
    prob = r.depletion_probability()
    assert np.all(np.diff(prob) >= 0) and 0 <= prob[-1] < 1
    assert len(r.time_to_depletion_years()) == round(float(prob[-1]) * 2000)


def test_rate_for_depletion_probability_is_higher_for_a_stricter_alpha() -> None:
    loose = rate_for_depletion_probability(ILO, alpha=0.10, runs=400, seed=5, years=10, tol=1e-4)
    strict = rate_for_depletion_probability(ILO, alpha=0.01, runs=400, seed=5, years=10, tol=1e-4)
    assert strict > loose > 0.009
    assert simulate(ILO, runs=400, seed=5, years=10, rate=strict).depletion_probability()[-1] <= 0.01


def test_bad_input() -> None:
    with pytest.raises(InputError, match="runs"):
        simulate(ILO, runs=0, seed=1)
    with pytest.raises(InputError, match="rate"):
        simulate(ILO, runs=5, seed=1, rate=-0.01)
    with pytest.raises(InputError, match="engine"):
        simulate(ILO, runs=5, seed=1, engine="gpu")
    with pytest.raises(InputError, match="p_enter"):
        simulate(ILO, runs=5, seed=1, model=RegimeModel(p_enter=2))
