"""Benchmark: the whole labour force through ten years of months, and the fast/numpy ratio.

Target (issue #7, this 2-core machine): 18,000,000 persons × 120 months in ≤ 60 s and ≤ 6 GiB.
Prints the wall time and peak memory (ru_maxrss) of the fast engine (compiled population
generator + compiled monthly kernel, blocks of ``--block`` persons), then the throughput of the
numpy reference step and of the fast step on the same sample in the same run, and their ratio.
Numba compilation is warmed up (and cached) before timing.

    .venv/bin/python bench/bench_simulation.py [--persons 18000000] [--months 120] [--design bill]
"""

from __future__ import annotations

import argparse
import resource
import time

from seguro_desempleo.simulation import engine, rng
from seguro_desempleo.simulation.designs import compile_design, load_design, snapshot
from seguro_desempleo.simulation.population import generate
from seguro_desempleo.simulation.runner import DEFAULT_BLOCK, RunSpec, model_for, run


def peak_gib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / (1 << 20)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--persons", type=int, default=18_000_000)
    ap.add_argument("--months", type=int, default=120)
    ap.add_argument("--design", default="bill")
    ap.add_argument("--block", type=int, default=DEFAULT_BLOCK)
    ap.add_argument("--baseline-persons", type=int, default=100_000)
    ap.add_argument("--baseline-months", type=int, default=24)
    args = ap.parse_args()

    # warm-up: compile (or load from the cache) both kernels
    run(RunSpec(design=args.design, persons=2_000, months=2, burn_in=0))

    spec = RunSpec(design=args.design, persons=args.persons, months=args.months, burn_in=0, block=args.block)
    t0 = time.perf_counter()
    result = run(spec)
    wall = time.perf_counter() - t0
    peak = peak_gib()
    pm = args.persons * args.months
    print(f"fast engine: {args.persons:,} persons × {args.months} months = {pm:,} person-months "
          f"in {wall:.1f} s ({wall / pm * 1e9:.1f} ns per person-month); peak memory {peak:.2f} GiB "
          f"(target ≤ 60 s, ≤ 6 GiB)")
    print(f"  claims awarded: {int(result.acc[engine.A['beneficiaries']].sum()):,}; "
          f"benefit months paid: {int(result.acc[engine.A['benefit_months']].sum()):,}")

    # same sample, both engines, monthly step only (population generated once, outside the timing)
    model = model_for(None)
    design = load_design(args.design)
    d = compile_design(design, model)
    snap = snapshot(design)
    n, months = args.baseline_persons, args.baseline_months
    st = generate(model, rng.seed_key(1), 0, n)
    s_np, s_fast = st.copy(), st.copy()
    a_np, a_fast = engine.new_accumulators(months), engine.new_accumulators(months)
    t0 = time.perf_counter()
    engine.run_numpy(s_np, 0, months, 0, model, d, snap, *a_np)
    t_np = time.perf_counter() - t0
    t0 = time.perf_counter()
    engine.run_fast(s_fast, 0, months, 0, model, d, *a_fast)
    t_fast = time.perf_counter() - t0
    same = all((x == y).all() for x, y in zip(a_np, a_fast, strict=True))
    print(f"monthly step on {n:,} persons × {months} months: numpy {t_np:.2f} s, fast {t_fast:.3f} s, "
          f"fast/numpy speed ratio {t_np / t_fast:.1f}× (identical results: {same})")


if __name__ == "__main__":
    main()
