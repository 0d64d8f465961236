"""Benchmark: eligibility + benefit for a national batch, and one claim with its full trace.

Targets (issue #2, this 2-core machine): 5,000,000 workers × 24 months in ≤ 0.5 s; one claim
with its full trace in ≤ 0.2 ms. Prints each figure and its ratio to a plain-numpy baseline run
in the same process (the same rules with the multi-pass numpy history summary).

    .venv/bin/python bench/bench_rules.py [--workers 5000000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import datetime as dt
import time

import numpy as np

from seguro_desempleo.parameters import default_parameters
from seguro_desempleo.rules.evaluate import (
    ClaimBatch,
    ClaimCase,
    ContributionMonth,
    evaluate_batch,
    evaluate_case,
)


def make_batch(n: int, seed: int = 7) -> ClaimBatch:
    rng = np.random.default_rng(seed)
    h = 24
    pay = rng.lognormal(np.log(2_500_00), 0.6, size=(n, h)).astype(np.int64)
    pay[rng.random((n, h)) < 0.25] = 0  # gaps
    sep = np.datetime64("2025-06-15") + rng.integers(0, 30, n).astype("timedelta64[D]")
    return ClaimBatch(
        separation_date=sep,
        claim_date=sep + rng.integers(0, 40, n).astype("timedelta64[D]"),
        termination_cause=rng.choice(np.array([1, 3, 4, 7, 8]), n),
        employer_size=rng.integers(0, 4, n),
        sector=np.zeros(n, dtype=np.int64),
        contract_type=rng.choice(np.array([1, 2, 3, 9]), n),
        registered=rng.random(n) < 0.9,
        pay=pay,
        declared=np.ones((n, h), dtype=bool),
        paid=rng.random((n, h)) < 0.97,
        rmv=np.full(h, 113_000, dtype=np.int64),
        window_end_month=np.full(n, 2025 * 12 + 5, dtype=np.int64),
    )


def best_of(fn, repeat: int) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--workers", type=int, default=5_000_000)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()

    params = default_parameters()
    snap = params.at(dt.date(2025, 7, 31))
    batch = make_batch(args.workers)
    evaluate_batch(make_batch(1000), snap, fast=True)  # compile outside the timing

    fast = best_of(lambda: evaluate_batch(batch, snap, fast=True), args.repeat)
    base = best_of(lambda: evaluate_batch(batch, snap, fast=False), args.repeat)
    a = evaluate_batch(batch, snap, fast=True)
    b = evaluate_batch(batch, snap, fast=False)
    assert (a.total == b.total).all() and (a.eligible == b.eligible).all()
    print(f"national batch: {args.workers:,} workers x 24 months: {fast:.3f} s "
          f"(target <= 0.5 s); plain-numpy baseline {base:.3f} s; ratio baseline/fast = {base / fast:.2f}x; "
          f"eligible {int(a.eligible.sum()):,}")

    case = ClaimCase(
        id="bench", separation_date=dt.date(2025, 3, 15), claim_date=dt.date(2025, 3, 25),
        termination_cause="03", employer_size="large", registered_with_employment_service=True,
        contributions=tuple(ContributionMonth(2024 * 12 + m, 240_000) for m in range(3, 15)),
    )
    evaluate_case(case, params).to_dict()
    k = 2000
    one = best_of(lambda: [evaluate_case(case, params).to_dict() for _ in range(k)], args.repeat) / k
    # Baseline for one claim: the same decision without building the trace (rules only).
    snap1 = params.at(case.claim_date)
    from seguro_desempleo.rules.evaluate import batch_from_cases

    one_batch = batch_from_cases([case], params, snap1)
    rules_only = best_of(lambda: [evaluate_batch(one_batch, snap1, fast=False) for _ in range(k)], args.repeat) / k
    print(f"one claim with full trace: {one * 1e3:.3f} ms (target <= 0.2 ms); rules only (no trace, "
          f"prebuilt arrays) {rules_only * 1e3:.3f} ms; ratio trace/rules = {one / rules_only:.2f}x")


if __name__ == "__main__":
    main()
