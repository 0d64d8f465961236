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

import math
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


def new_job(model: ModelTables, r: npt.NDArray[np.uint64], sex: npt.NDArray[np.int8]
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
    wage = model.wage_table[sex.astype(np.int64), cls, q]
    return public.astype(np.int8), size.astype(np.int8), contract.astype(np.int8), wage.astype(np.int64)


def generate(model: ModelTables, key: int, pid_start: int, n: int) -> State:
    """Initial population of persons ``pid_start .. pid_start + n - 1`` (start of month 0)."""
    keys = rng.person_keys(key, pid_start, n)
    r4 = rng.draw_np(keys, -1, rng.STREAM_INIT)
    sex = search16(model.sex_cum, r4 & np.uint64(0xFFFF)).astype(np.int8)
    region = search16(model.region_cum, (r4 >> np.uint64(16)) & np.uint64(0xFFFF)).astype(np.int8)
    band = search16(model.age_cum, (r4 >> np.uint64(32)) & np.uint64(0xFFFF))
    lo = np.array([a for a, _ in AGE_BANDS], dtype=np.int64)[band]
    span = (np.array([b - a + 1 for a, b in AGE_BANDS], dtype=np.int64) * 12)[band]
    age = (lo * 12 + ((r4 >> np.uint64(48)).astype(np.int64) % span)).astype(np.int16)

    r5 = rng.draw_np(keys, -1, rng.STREAM_INIT + 1)
    deps = ((r5 >> np.uint64(48)).astype(np.int64) < model.deps_thr)
    cum = np.zeros((model.stocks.shape[0] * model.stocks.shape[1], 4), dtype=np.int64)
    for s in range(model.stocks.shape[0]):
        for g in range(model.stocks.shape[1]):
            row = np.cumsum([thr32(p) for p in model.stocks[s, g] / model.stocks[s, g].sum()])
            row[-1] = 1 << 32
            cum[s * model.stocks.shape[1] + g] = row
    cell = sex.astype(np.int64) * model.stocks.shape[1] + region
    u = (r5 & np.uint64(0xFFFFFFFF)).astype(np.int64)
    status = (u[:, None] >= cum[cell]).sum(axis=1).astype(np.int8)
    status = np.minimum(status, INACTIVE).astype(np.int8)

    sector, size, contract, wage = new_job(model, rng.draw_np(keys, -1, rng.STREAM_JOB), sex)
    formal = status == FORMAL
    ever = formal | (((r5 >> np.uint64(32)) & np.uint64(0xFFFF)).astype(np.int64) < (1 << 15))

    r6 = rng.draw_np(keys, -1, rng.STREAM_INIT + 2)
    r7 = rng.draw_np(keys, -1, rng.STREAM_INIT + 3)
    # tenure: geometric with the average separation rate; unemployment gap of the others: 0-7 months
    s_avg = (model.rates["separation_indefinite"] + model.rates["separation_modal"]) / 2
    uu = ((r6 & np.uint64(0xFFFFFFFF)).astype(np.float64) + 0.5) / float(1 << 32)
    tenure = np.minimum(255, np.floor(-np.log(uu) / s_avg)).astype(np.int16)
    gap = ((r6 >> np.uint64(32)) & np.uint64(7)).astype(np.int64)
    older = (r7 & (r7 >> np.uint64(32)) & np.uint64(0xFFFFFFFF)).astype(np.uint64)  # ≈25 % of months
    ones = np.uint64(0xFFFFFFFF)
    t_bits = np.minimum(tenure.astype(np.int64), 32).astype(np.uint64)
    low = np.where(t_bits >= 32, ones, (np.uint64(1) << t_bits) - np.uint64(1))
    mask_f = (low | (older & ~low)) & ones
    mask_o = (((older | np.uint64(1)) << gap.astype(np.uint64)) & ones)
    mask = np.where(formal, mask_f, np.where(ever & (status != INACTIVE), mask_o, np.uint64(0))).astype(np.uint32)
    wage = np.where(ever, wage, 0).astype(np.int64)
    size = np.where(ever, size, SIZE_NONE).astype(np.int8)
    sector = np.where(ever, sector, 0).astype(np.int8)
    contract = np.where(ever, contract, 0).astype(np.int8)

    ring = np.zeros((n, RING), dtype=np.int64)
    for j in range(RING):  # month -1-j
        bit = ((mask.astype(np.uint64) >> np.uint64(j)) & np.uint64(1)).astype(bool)
        ring[:, (-1 - j) % RING] = np.where(bit, wage, 0)
    imask = np.where(status == 1, np.uint16(0xFFF), np.uint16(0)).astype(np.uint16)
    return State(
        key=keys, sex=sex, region=region, deps=deps, age=age, status=status, sector=sector, size=size,
        contract=contract, wage=wage, tenure=np.where(formal, tenure, 0).astype(np.int16), mask=mask,
        imask=imask, ring=ring, ben_left=np.zeros(n, np.int8), ben_k=np.zeros(n, np.int8),
        ben_ir=np.zeros(n, np.int64), nc_left=np.zeros(n, np.int8),
    )


def memory_bytes(persons: int, engine: str = "fast") -> int:
    """Estimated peak memory of one partition of *persons* (bytes)."""
    per = BYTES_PER_PERSON * (1.5 if engine == "fast" else 6.0) + (60 if engine == "fast" else 200)
    return math.ceil(persons * per)
