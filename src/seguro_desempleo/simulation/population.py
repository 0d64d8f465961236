"""The synthetic population as a struct of arrays (one numpy array per attribute).

A person is a row index; ``key`` is the person's random key (see :mod:`.rng`), so the same
person id gets the same life whatever partition it falls in. Static attributes: sex, region,
dependants. Dynamic state: age in months, labour status, the current or last formal job (sector,
employer size, Tabla 12 contract, monthly pay in céntimos, tenure), the contribution history as a
``uint32`` bitmask (bit *j* = month *t − 1 − j* had declared insurable pay), the informal-work
history (``uint16``, last 12 months), the pay of the last 13 months (12 reference months plus the
separation month, a ring indexed by month mod 13), and the benefit in course.

:func:`generate` draws the initial population from the calibrated stationary stocks; the same
arrays feed the numpy reference engine and the compiled one.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np
import numpy.typing as npt

from seguro_desempleo.simulation import rng
from seguro_desempleo.simulation.calibration import (
    AGE_BANDS,
    FORMAL,
    INACTIVE,
    PUBLIC_CLASS,
    SIZE_NONE,
    ModelTables,
    thr32,
)

RING = 13
"""Pay months kept: the 12 reference months of art. 5 plus the month of separation."""

BYTES_PER_PERSON = 8 + 3 + 2 + 1 + 3 + 8 + 2 + 4 + 2 + RING * 8 + 2 + 8 + 1
"""State memory per person (the numpy engine needs about 4× this in temporaries)."""


@dataclass
class State:
    key: npt.NDArray[np.uint64]
    sex: npt.NDArray[np.int8]
    region: npt.NDArray[np.int8]
    deps: npt.NDArray[np.bool_]
    age: npt.NDArray[np.int16]        # months
    status: npt.NDArray[np.int8]
    sector: npt.NDArray[np.int8]
    size: npt.NDArray[np.int8]        # 0-3 SIZE_CODES, 4 = never formal
    contract: npt.NDArray[np.int8]    # Tabla 12 code as int
    wage: npt.NDArray[np.int64]       # céntimos per month, current or last formal job
    tenure: npt.NDArray[np.int16]     # completed months in the current formal job
    mask: npt.NDArray[np.uint32]      # contribution months, bit j = month t-1-j
    imask: npt.NDArray[np.uint16]     # informal-work months, last 12
    ring: npt.NDArray[np.int64]       # (n, 13) pay of month m at column m % 13
    ben_left: npt.NDArray[np.int8]    # benefit months still due
    ben_k: npt.NDArray[np.int8]       # index of the next benefit month
    ben_ir: npt.NDArray[np.int64]     # insurable remuneration of the benefit in course
    nc_left: npt.NDArray[np.int8]     # non-contributory (art. 9) months still due

    def __len__(self) -> int:
        return int(self.key.shape[0])

    def arrays(self) -> dict[str, np.ndarray]:
        return {f.name: getattr(self, f.name) for f in fields(self)}

    def copy(self) -> State:
        return State(**{k: v.copy() for k, v in self.arrays().items()})


def search16(cum: npt.NDArray[np.int64], x: npt.NDArray[np.uint64]) -> npt.NDArray[np.int64]:
    """Category of each 16-bit draw against cumulative thresholds (first j with x < cum[j])."""
    return np.searchsorted(cum, x.astype(np.int64), side="right").astype(np.int64)


def new_job(model: ModelTables, r: npt.NDArray[np.uint64], sex: npt.NDArray[np.int8], band: npt.NDArray[np.int64]
            ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(sector, size, contract, wage) of new formal jobs from one 64-bit draw each.

    Public-sector jobs are recorded with the 'large' size class (public entities are large
    employers; coverage of the public sector is decided by the sector, art. 3).
    """
    public = (r & np.uint64(0xFFFF)).astype(np.int64) < model.public_thr
    size = search16(model.size_cum, (r >> np.uint64(16)) & np.uint64(0xFFFF))
    size = np.where(public, 3, size)
    contract = model.contract_codes[search16(model.contract_cum, (r >> np.uint64(32)) & np.uint64(0xFFFF))]
    cls = np.where(public, PUBLIC_CLASS, size)
    q = (r >> np.uint64(56)).astype(np.int64)
    wage = model.wage_table[sex.astype(np.int64), band, cls, q]
    return public.astype(np.int8), size.astype(np.int8), contract.astype(np.int8), wage.astype(np.int64)


def init_tables(model: ModelTables) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64],
                                                npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """(status thresholds by sex×region×age band, geometric tenure thresholds, band lower ages, spans)."""
    ns, nr, na = model.stocks.shape[0], model.stocks.shape[1], model.stocks.shape[2]
    cum = np.zeros((ns * nr * na, 4), dtype=np.int64)
    for s in range(ns):
        for g in range(nr):
            for a in range(na):
                row = np.cumsum([thr32(p) for p in model.stocks[s, g, a] / model.stocks[s, g, a].sum()])
                row[-1] = 1 << 32
                cum[(s * nr + g) * na + a] = row
    s_avg = (model.rates["separation_indefinite"] + model.rates["separation_modal"]) / 2
    geo = np.array([thr32(1 - (1 - s_avg) ** (k + 1)) for k in range(255)], dtype=np.int64)
    lo = np.array([a for a, _ in AGE_BANDS], dtype=np.int64)
    span = np.array([b - a + 1 for a, b in AGE_BANDS], dtype=np.int64) * 12
    return cum, geo, lo, span


def empty_state(n: int) -> State:
    return State(
        key=np.empty(n, np.uint64), sex=np.empty(n, np.int8), region=np.empty(n, np.int8),
        deps=np.empty(n, np.bool_), age=np.empty(n, np.int16), status=np.empty(n, np.int8),
        sector=np.empty(n, np.int8), size=np.empty(n, np.int8), contract=np.empty(n, np.int8),
        wage=np.empty(n, np.int64), tenure=np.empty(n, np.int16), mask=np.empty(n, np.uint32),
        imask=np.empty(n, np.uint16), ring=np.empty((n, RING), np.int64), ben_left=np.zeros(n, np.int8),
        ben_k=np.zeros(n, np.int8), ben_ir=np.zeros(n, np.int64), nc_left=np.zeros(n, np.int8))


def generate(model: ModelTables, key: int, pid_start: int, n: int, *, fast: bool = False) -> State:
    """Initial population of persons ``pid_start .. pid_start + n - 1`` (start of month 0).

    ``fast`` runs the same integer arithmetic compiled (``_kernel.generate_kernel``); the result
    is identical (tested).
    """
    cum, geo, lo_age, span_age = init_tables(model)
    if fast:
        from seguro_desempleo.simulation._kernel import generate_kernel

        st = empty_state(n)
        generate_kernel(np.uint64(key), np.int64(pid_start), model.sex_cum, model.region_cum, model.age_cum,
                        lo_age, span_age, np.int64(model.deps_thr), cum, geo, np.int64(model.public_thr),
                        model.size_cum, model.contract_codes, model.contract_cum, model.wage_table,
                        st.key, st.sex, st.region, st.deps, st.age, st.status, st.sector, st.size, st.contract,
                        st.wage, st.tenure, st.mask, st.imask, st.ring)
        return st
    keys = rng.person_keys(key, pid_start, n)
    r4 = rng.draw_np(keys, -1, rng.STREAM_INIT)
    sex = search16(model.sex_cum, r4 & np.uint64(0xFFFF)).astype(np.int8)
    region = search16(model.region_cum, (r4 >> np.uint64(16)) & np.uint64(0xFFFF)).astype(np.int8)
    band = search16(model.age_cum, (r4 >> np.uint64(32)) & np.uint64(0xFFFF))
    age = (lo_age[band] * 12 + ((r4 >> np.uint64(48)).astype(np.int64) % span_age[band])).astype(np.int16)

    r5 = rng.draw_np(keys, -1, rng.STREAM_INIT + 1)
    deps = ((r5 >> np.uint64(48)).astype(np.int64) < model.deps_thr)
    cell = (sex.astype(np.int64) * model.stocks.shape[1] + region) * model.stocks.shape[2] + band
    u = (r5 & np.uint64(0xFFFFFFFF)).astype(np.int64)
    status = np.minimum((u[:, None] >= cum[cell]).sum(axis=1), INACTIVE).astype(np.int8)

    sector, size, contract, wage = new_job(model, rng.draw_np(keys, -1, rng.STREAM_JOB), sex, band)
    formal = status == FORMAL
    ever = formal | (((r5 >> np.uint64(32)) & np.uint64(0xFFFF)).astype(np.int64) < (1 << 15))

    r6 = rng.draw_np(keys, -1, rng.STREAM_INIT + 2)
    r7 = rng.draw_np(keys, -1, rng.STREAM_INIT + 3)
    # tenure: geometric with the average separation rate; unemployment gap of the others: 0-7 months
    tenure = np.searchsorted(geo, (r6 & np.uint64(0xFFFFFFFF)).astype(np.int64), side="right").astype(np.int64)
    gap = ((r6 >> np.uint64(32)) & np.uint64(7)).astype(np.int64)
    older = (r7 & (r7 >> np.uint64(32)) & np.uint64(0xFFFFFFFF)).astype(np.int64)  # ≈25 % of months
    t_bits = np.minimum(tenure, 32)
    low = (np.int64(1) << t_bits) - 1
    mask_f = (low | (older & ~low)) & 0xFFFFFFFF
    mask_o = ((older | 1) << gap) & 0xFFFFFFFF
    mask = np.where(formal, mask_f, np.where(ever & (status != INACTIVE), mask_o, 0)).astype(np.uint32)
    wage = np.where(ever, wage, 0).astype(np.int64)
    size = np.where(ever, size, SIZE_NONE).astype(np.int8)
    sector = np.where(ever, sector, 0).astype(np.int8)
    contract = np.where(ever, contract, 0).astype(np.int8)

    js = np.arange(RING, dtype=np.uint32)  # column (-1 - j) % RING holds month -1-j
    cols = (-1 - np.arange(RING)) % RING
    ring = np.empty((n, RING), dtype=np.int64)
    ring[:, cols] = np.where(((mask[:, None] >> js[None, :]) & np.uint32(1)).astype(bool), wage[:, None], 0)
    imask = np.where(status == 1, np.uint16(0xFFF), np.uint16(0)).astype(np.uint16)
    return State(
        key=keys, sex=sex, region=region, deps=deps, age=age, status=status, sector=sector, size=size,
        contract=contract, wage=wage, tenure=np.where(formal, tenure, 0).astype(np.int16), mask=mask,
        imask=imask, ring=ring, ben_left=np.zeros(n, np.int8), ben_k=np.zeros(n, np.int8),
        ben_ir=np.zeros(n, np.int64), nc_left=np.zeros(n, np.int8),
    )
