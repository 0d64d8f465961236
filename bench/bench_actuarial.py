"""Benchmark: stochastic valuation paths, and the deterministic Decimal projection and solvers.

Target (issue #3, this 2-core machine): 100,000 stochastic paths × 10 years monthly in ≤ 1 s.
Prints each figure and its ratio to a straightforward per-path Python loop (same draws, same
formulas) measured in the same run on a subset of paths and scaled per path.

    .venv/bin/python bench/bench_actuarial.py [--runs 100000] [--loop-runs 1000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from decimal import Decimal

import numpy as np

from seguro_desempleo.actuarial.assumptions import load_assumptions
from seguro_desempleo.actuarial.projection import project
from seguro_desempleo.actuarial.solvers import solve_reserve_multiple
from seguro_desempleo.actuarial.stochastic import simulate, simulate_loop


def best_of(repeat: int, fn: Callable[[], object]) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--runs", type=int, default=100_000)
    ap.add_argument("--years", type=int, default=10)
    ap.add_argument("--loop-runs", type=int, default=1_000)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    a = load_assumptions("ilo-2021")

    # parity first: the two engines agree on the subset
    v = simulate(a, runs=200, seed=9, years=args.years)
    loop = simulate_loop(a, runs=200, seed=9, years=args.years)
    assert np.allclose(v.reserve, loop.reserve, rtol=1e-12, atol=1e-6)

    simulate(a, runs=10, seed=1, engine="numba")  # compile (cached on disk after the first run)
    t_np = best_of(args.repeat, lambda: simulate(a, runs=args.runs, seed=1, years=args.years, engine="numpy"))
    t_vec = best_of(args.repeat, lambda: simulate(a, runs=args.runs, seed=1, years=args.years, engine="numba"))
    rng = np.random.default_rng(1)
    t_rng = best_of(args.repeat, lambda: [(rng.standard_normal(args.runs), rng.random(args.runs))
                                          for _ in range(args.years * 12)])
    t_loop = best_of(1, lambda: simulate_loop(a, runs=args.loop_runs, seed=1, years=args.years))
    t_loop_scaled = t_loop * args.runs / args.loop_runs
    months = args.years * 12
    print(f"stochastic numpy engine: {args.runs:,} paths × {args.years} years monthly in {t_np:.3f} s")
    print(f"random draws alone (numpy PCG64, normal + uniform per path-month): {t_rng:.3f} s")
    print(f"stochastic numba engine: {args.runs:,} paths × {args.years} years monthly in {t_vec:.3f} s "
          f"({args.runs * months / t_vec / 1e6:.1f} M path-months/s); target ≤ 1 s: {'OK' if t_vec <= 1 else 'MISSED'}")
    print(f"per-path loop baseline: {args.loop_runs:,} paths in {t_loop:.3f} s → {t_loop_scaled:.1f} s for "
          f"{args.runs:,} (scaled per path); speed-up numba {t_loop_scaled / t_vec:.0f}×, numpy {t_loop_scaled / t_np:.0f}×")
    t10k = best_of(args.repeat, lambda: simulate(a, runs=10_000, seed=1, years=args.years))
    print(f"stochastic vectorised: 10,000 paths in {t10k * 1000:.1f} ms")

    t_proj = best_of(args.repeat * 10, lambda: project(a))
    t_solve = best_of(args.repeat, lambda: solve_reserve_multiple(a, Decimal(2)))
    print(f"deterministic Decimal projection 2021-2028: {t_proj * 1000:.2f} ms; "
          f"solve rate for reserve = 2 × spending: {t_solve * 1000:.1f} ms")


if __name__ == "__main__":
    main()
