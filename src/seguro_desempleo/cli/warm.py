"""CLI: ``warm`` — compile every numba kernel ahead, into the per-user cache (issue 29, cold start).

    seguro-desempleo warm [--only simulation|stochastic|rules|payroll]

A fresh install has an empty kernel cache: the first compiled run of a command would spend 25-50 s
compiling. ``warm`` compiles every kernel once, with tiny inputs, into numba's cache
(``simulation/_cache.py``: a per-user directory, never the package), so the first real run of every
command is a warm run. The README's demo command and ``.ci/run`` run it after installing. A kernel already
cached for the current source loads in a fraction of a second, so ``warm`` is cheap to repeat.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from typing import Annotated

import typer

from seguro_desempleo.errors import InputError


def _simulation() -> None:
    from seguro_desempleo.simulation._cache import warm_up

    warm_up()  # the microsimulation's compiled engine (simulate, compare, microsim-* sets, bridge)


def _stochastic() -> None:
    from seguro_desempleo.actuarial.assumptions import load_assumptions
    from seguro_desempleo.actuarial.stochastic import simulate

    simulate(load_assumptions("ilo-2021"), runs=2, seed=1, years=1, engine="numba")  # valuation stochastic


def _rules() -> None:
    import datetime as dt

    import numpy as np

    from seguro_desempleo.parameters import default_parameters
    from seguro_desempleo.rules.evaluate import ClaimBatch, evaluate_batch, history_length

    snap = default_parameters().at(dt.date(2026, 1, 15))
    n, h = 2, history_length(snap)
    sep = np.full(n, np.datetime64("2026-01-15"), dtype="datetime64[D]")
    claim = np.full(n, np.datetime64("2026-02-14"), dtype="datetime64[D]")
    pay = np.full((n, h), 150_000, dtype=np.int64)
    batch = ClaimBatch(
        separation_date=sep, claim_date=claim, termination_cause=np.full(n, 3),
        employer_size=np.full(n, 4), sector=np.zeros(n, dtype=np.int64), contract_type=np.full(n, 1),
        registered=np.ones(n, dtype=bool), pay=pay, declared=pay > 0, paid=np.ones((n, h), dtype=bool),
        rmv=np.full(h, 113_000, dtype=np.int64), window_end_month=np.full(n, 24_312, dtype=np.int64),
    )
    evaluate_batch(batch, snap, fast=True)  # the fused decision of national batches (evaluate, claims)


def _payroll() -> None:
    import numpy as np

    from seguro_desempleo.formats import payroll_csv, rem_scan

    rem_scan.scan_clean(b"1|x\n", np.array([4], dtype=np.int64))  # payroll import's fast scan
    payroll_csv._line_fields(np.frombuffer(b"a,b\nc,d\n", dtype=np.uint8))


STEPS: dict[str, tuple[str, Callable[[], None]]] = {
    "simulation": ("microsimulation engine (simulate, compare, microsim-* sets, valuation bridge)", _simulation),
    "stochastic": ("stochastic valuation (valuation stochastic)", _stochastic),
    "rules": ("fused claim decision (evaluate, claims)", _rules),
    "payroll": ("payroll file scan (payroll import)", _payroll),
}


def register(app: typer.Typer) -> None:
    @app.command("warm")
    def warm(
        only: Annotated[str | None, typer.Option("--only", help="One group: " + ", ".join(STEPS) + ".")] = None,
    ) -> None:
        """Compile the numba kernels ahead into the per-user cache, so the first run of every command is warm."""
        if only is not None and only not in STEPS:
            raise InputError(f"unknown group '{only}' ({', '.join(STEPS)})", field="--only")
        typer.echo(f"numba cache: {os.environ.get('NUMBA_CACHE_DIR') or '(numba default)'}")
        total = time.perf_counter()
        for name, (label, step) in STEPS.items():
            if only is not None and name != only:
                continue
            t0 = time.perf_counter()
            step()
            typer.echo(f"  {name:11s} {time.perf_counter() - t0:6.1f} s  {label}")
        typer.echo(f"kernels ready in {time.perf_counter() - total:.1f} s")
