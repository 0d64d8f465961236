"""Small runs shared by the simulation tests."""

from __future__ import annotations

import numpy as np

from seguro_desempleo.simulation import engine, rng
from seguro_desempleo.simulation.calibration import build_model
from seguro_desempleo.simulation.designs import compile_design, load_design, snapshot
from seguro_desempleo.simulation.population import State, generate

MODEL = build_model()


def run_both(design: str, n: int = 3000, months: int = 30, burn_in: int = 6, seed: int = 5, start: int = 0
             ) -> tuple[State, State, tuple[np.ndarray, ...], tuple[np.ndarray, ...]]:
    des = load_design(design)
    d = compile_design(des, MODEL)
    st = generate(MODEL, rng.seed_key(seed), start, n)
    s_np, s_fast = st.copy(), st.copy()
    a_np = engine.new_accumulators(months - burn_in)
    a_fast = engine.new_accumulators(months - burn_in)
    engine.run_numpy(s_np, 0, months, burn_in, MODEL, d, snapshot(des), *a_np)
    engine.run_fast(s_fast, 0, months, burn_in, MODEL, d, *a_fast)
    return s_np, s_fast, a_np, a_fast
