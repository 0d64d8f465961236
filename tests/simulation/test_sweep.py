"""Sweeps over designs × seeds give the same totals in-process, in local processes and on Dask."""

from __future__ import annotations

import numpy as np

from seguro_desempleo.simulation.runner import RunSpec
from seguro_desempleo.simulation.sweep import dask_executor, local_executor, pool_seeds, sweep

SPECS = [RunSpec(design=d, persons=3_000, months=6, burn_in=6, seed=s, partitions=2, threads=1)
         for d in ("bill", "uruguay") for s in (1, 2)]


def _same(a: dict, b: dict) -> None:
    assert set(a) == set(b)
    for k in a:
        np.testing.assert_array_equal(a[k].acc, b[k].acc)
        np.testing.assert_array_equal(a[k].mon, b[k].mon)


def test_process_pool_equals_sequential() -> None:
    ref = sweep(SPECS)
    assert set(ref) == {("bill", 1), ("bill", 2), ("uruguay", 1), ("uruguay", 2)}
    with local_executor(2) as ex:
        _same(ref, sweep(SPECS, ex))
    pooled = pool_seeds(ref)
    assert pooled["bill"].spec.persons == 6_000
    np.testing.assert_array_equal(pooled["bill"].acc, ref[("bill", 1)].acc + ref[("bill", 2)].acc)


def test_dask_local_cluster_equals_sequential() -> None:
    from dask.distributed import LocalCluster

    ref = sweep(SPECS[:2])
    with LocalCluster(n_workers=1, threads_per_worker=2, processes=False, dashboard_address=None) as cluster, \
            dask_executor(cluster) as ex:
        _same(ref, sweep(SPECS[:2], ex))
