"""Sweeps over designs × seeds × partitions through any ``concurrent.futures.Executor``.

Each (design, seed, partition) is one task, :func:`runner.run_partition`; results of a design and
seed are summed over partitions, then over seeds (the seeds pooled as one larger sample). The
default executor is a local :class:`~concurrent.futures.ProcessPoolExecutor` (spawned processes,
one numba thread each so the workers do not oversubscribe the cores); :func:`dask_executor` gives
the executor of a Dask distributed cluster (``client.get_executor()``), so the same code runs on
a laptop or a cluster. Totals do not depend on the executor (tested).
"""

from __future__ import annotations

import dataclasses
import multiprocessing
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, Future, ProcessPoolExecutor, as_completed
from contextlib import contextmanager
from typing import Any

from seguro_desempleo.errors import InputError
from seguro_desempleo.simulation.runner import Result, RunSpec, run_partition


@contextmanager
def local_executor(workers: int) -> Iterator[Executor]:
    with ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn")) as ex:
        yield ex


@contextmanager
def dask_executor(address: str | Any, timeout: str = "10s") -> Iterator[Executor]:
    """The executor of a Dask cluster at *address* (or of a ``LocalCluster`` object)."""
    from dask.distributed import Client

    try:
        client = Client(address, timeout=timeout)
    except (OSError, TimeoutError, ValueError) as exc:
        raise InputError(f"cannot reach the Dask scheduler: {exc}", field="--dask") from None
    try:
        yield client.get_executor()
    finally:
        client.close()


def sweep(specs: list[RunSpec], executor: Executor | None = None,
          on_done: Callable[[RunSpec, int], None] | None = None) -> dict[tuple[str, int], Result]:
    """Run every partition of every spec; returns {(design, seed): summed result}."""
    for s in specs:
        s.validate()
    parts: dict[tuple[str, int], list[Result]] = {}

    def collect(spec: RunSpec, part: int, r: Result) -> None:
        parts.setdefault((spec.design, spec.seed), []).append(r)
        if on_done:
            on_done(spec, part)

    if executor is None:
        for s in specs:
            for p in range(s.partitions):
                collect(s, p, run_partition(s, p))
    else:
        futures: dict[Future[Result], tuple[RunSpec, int]] = {}
        for s in specs:
            for p in range(s.partitions):
                futures[executor.submit(run_partition, s, p)] = (s, p)
        for f in as_completed(futures):
            s, p = futures[f]
            collect(s, p, f.result())
    out = {}
    for key, rs in parts.items():
        total = rs[0]
        for r in rs[1:]:
            total = total + r
        out[key] = total
    return out


def pool_seeds(results: dict[tuple[str, int], Result]) -> dict[str, Result]:
    """One result per design: seeds pooled (persons add up)."""
    by_design: dict[str, list[Result]] = {}
    for (design, _seed), r in sorted(results.items()):
        by_design.setdefault(design, []).append(r)
    out = {}
    for design, rs in by_design.items():
        total = rs[0]
        for r in rs[1:]:
            total = total + r
        total.spec = dataclasses.replace(rs[0].spec, persons=sum(r.spec.persons for r in rs))
        out[design] = total
    return out
