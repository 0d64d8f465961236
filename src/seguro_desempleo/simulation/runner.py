"""Running a design: partitions, blocks, engines, memory checks.

The population of ``persons`` ids is cut into ``partitions`` contiguous id ranges; each is an
independent task (a process, a Dask worker). Within a partition the fast engine works through
blocks of ``block`` persons (generate, run every month, keep only the accumulators), so its memory
does not grow with the population; the numpy engine holds the whole partition month by month and
is refused, with the number of partitions to use, when it would not fit. Because every draw is
keyed by (seed, person id, month, stream), the totals are the same for any partitions, blocks or
threads (tested).
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from seguro_desempleo.errors import CapacityError, InputError
from seguro_desempleo.simulation import engine, rng
from seguro_desempleo.simulation.calibration import ModelTables, build_model, load_targets
from seguro_desempleo.simulation.designs import (
    DEFAULT_DESIGN,
    Design,
    DesignTables,
    compile_design,
    load_design,
    snapshot,
)
from seguro_desempleo.simulation.population import BYTES_PER_PERSON, generate

DEFAULT_BLOCK = 1 << 20
NUMPY_BYTES_PER_PERSON = 600
"""Peak bytes per person of the numpy engine (measured ≈ 380 with 1 M persons: state, a month's 64-bit
temporaries, the claim batch; 600 leaves a margin)."""
FAST_BYTES_PER_PERSON = BYTES_PER_PERSON + 40
ENGINES = ("auto", "fast", "numpy")
AUTO_NUMPY_MAX_PERSON_MONTHS = 40_000_000
"""``auto`` engine: while the compiled kernels are not cached (first run on a fresh install), runs up to
this many person-months use the numpy reference engine (≈ 0.2 µs a person-month, so ≤ about 8 s; the
results are identical), larger runs compile (25-50 s once). See ``_cache.py`` and bench/bench_cold_start.py."""


def resolve_engine(spec: RunSpec) -> RunSpec:
    """*spec* with ``engine='auto'`` replaced by ``fast`` or ``numpy`` (see AUTO_NUMPY_MAX_PERSON_MONTHS)."""
    if spec.engine != "auto":
        return spec
    import dataclasses

    from seguro_desempleo.simulation._cache import kernels_cached

    small = spec.persons * (spec.months + spec.burn_in) <= AUTO_NUMPY_MAX_PERSON_MONTHS
    engine_name = "numpy" if small and not kernels_cached() else "fast"
    if engine_name == "numpy" and spec.persons * NUMPY_BYTES_PER_PERSON > (spec.memory_limit or available_memory()):
        engine_name = "fast"
    return dataclasses.replace(spec, engine=engine_name)


def available_memory() -> int:
    """Bytes the process may use: MemAvailable from /proc/meminfo (fallback 4 GiB)."""
    try:
        with open("/proc/meminfo", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:  # pragma: no cover
        pass
    return 4 << 30


@dataclass(frozen=True)
class RunSpec:
    """What to simulate (picklable: it travels to worker processes and Dask workers)."""

    design: str = DEFAULT_DESIGN
    persons: int = 200_000
    months: int = 120
    seed: int = 1
    burn_in: int = 24
    engine: str = "fast"
    partitions: int = 1
    block: int = DEFAULT_BLOCK
    targets: str | None = None
    memory_limit: int | None = None
    threads: int | None = None

    def validate(self) -> None:
        if self.persons < 1:
            raise InputError("must be at least 1", field="persons")
        if self.persons >= 1 << 40:
            raise CapacityError(f"{self.persons:,} persons is beyond any labour force", field="persons")
        if self.months < 1 or self.months > 1200:
            raise InputError("must be between 1 and 1200", field="months")
        if self.burn_in < 0 or self.burn_in > 600:
            raise InputError("must be between 0 and 600", field="burn_in")
        if self.engine not in ENGINES:
            raise InputError(f"unknown engine '{self.engine}' (auto, fast or numpy)", field="engine")
        if self.partitions < 1 or self.partitions > self.persons:
            raise InputError("must be between 1 and the number of persons", field="partitions")
        if self.block < 1:
            raise InputError("must be at least 1", field="block")

    def memory_needed(self) -> int:
        """Estimated peak bytes of one partition."""
        per_part = math.ceil(self.persons / self.partitions)
        if self.engine == "numpy":
            return per_part * NUMPY_BYTES_PER_PERSON
        return min(per_part, self.block) * FAST_BYTES_PER_PERSON + (64 << 20)

    def check_memory(self, workers: int = 1) -> None:
        limit = self.memory_limit if self.memory_limit is not None else available_memory()
        need = self.memory_needed() * max(1, workers)
        if need > limit:
            per = NUMPY_BYTES_PER_PERSON if self.engine == "numpy" else FAST_BYTES_PER_PERSON
            parts = math.ceil(self.persons * per * max(1, workers) / max(1, limit - (64 << 20) * workers))
            hint = (f"use --partitions {max(parts, self.partitions + 1)} (or more)" if self.engine == "numpy"
                    else f"use a smaller --block (at most {max(1, limit // per // max(1, workers)):,})")
            raise CapacityError(
                f"{self.persons:,} persons in {self.partitions} partition(s) need about "
                f"{need / (1 << 30):.1f} GiB with the {self.engine} engine, more than the "
                f"{limit / (1 << 30):.1f} GiB available; {hint}", field="persons")


@dataclass
class Result:
    """Accumulated outputs of one design × seed (integers; money in céntimos)."""

    spec: RunSpec
    design: str
    label: str
    acc: np.ndarray            # (N_ACC, N_CELL)
    mon: np.ndarray            # (N_MON, months)
    hist: np.ndarray           # (12,) payments by benefit month
    working_age_population: int
    gdp: int
    rmv: int
    poverty_line: int
    contribution_rate: int
    meta: dict[str, Any] = field(default_factory=dict)

    def __add__(self, other: Result) -> Result:
        return Result(self.spec, self.design, self.label, self.acc + other.acc, self.mon + other.mon,
                      self.hist + other.hist, self.working_age_population, self.gdp, self.rmv,
                      self.poverty_line, self.contribution_rate, dict(self.meta))


_MODEL_CACHE: dict[str | None, ModelTables] = {}


def model_for(targets: str | None) -> ModelTables:
    if targets not in _MODEL_CACHE:
        if targets is None:
            _MODEL_CACHE[None] = build_model()
        else:
            path = Path(targets)
            _MODEL_CACHE[targets] = build_model(load_targets(path), where=path.name)
    return _MODEL_CACHE[targets]


def prepare(spec: RunSpec) -> tuple[ModelTables, Design, DesignTables]:
    spec.validate()
    model = model_for(spec.targets)
    design = load_design(spec.design)
    return model, design, compile_design(design, model)


def run_partition(spec: RunSpec, part: int, progress: Callable[[int], None] | None = None) -> Result:
    """Simulate partition *part* of *spec* (persons ``part*n//P .. (part+1)*n//P - 1``).

    ``progress`` is called with the number of person-months just simulated.
    """
    spec = resolve_engine(spec)
    model, design, d = prepare(spec)
    if spec.threads:
        import numba

        numba.set_num_threads(min(spec.threads, int(getattr(numba.config, "NUMBA_NUM_THREADS", 1))))
    start = part * spec.persons // spec.partitions
    stop = (part + 1) * spec.persons // spec.partitions
    key = rng.seed_key(spec.seed)
    acc, mon, hist = engine.new_accumulators(spec.months)
    total = spec.burn_in + spec.months
    if spec.engine == "numpy":
        snap = snapshot(design)
        st = generate(model, key, start, stop - start)
        for t in range(total):
            engine.step_numpy(st, t, model, d, snap, acc, mon, hist, spec.burn_in)
            if progress:
                progress(stop - start)
    else:
        for b0 in range(start, stop, spec.block):
            b1 = min(stop, b0 + spec.block)
            st = generate(model, key, b0, b1 - b0, fast=True)
            engine.run_fast(st, 0, total, spec.burn_in, model, d, acc, mon, hist)
            del st
            if progress:
                progress((b1 - b0) * total)
    return Result(spec=spec, design=design.name, label=design.label, acc=acc, mon=mon, hist=hist,
                  working_age_population=model.working_age_population, gdp=model.gdp, rmv=d.rmv,
                  poverty_line=model.poverty_line, contribution_rate=d.contribution_rate,
                  meta={"description": design.description, "source": design.source,
                        "structural": design.structural})


def run(spec: RunSpec, progress: Callable[[int], None] | None = None) -> Result:
    """All partitions of *spec* in this process, summed."""
    spec.validate()
    spec = resolve_engine(spec)
    spec.check_memory()
    result: Result | None = None
    for p in range(spec.partitions):
        r = run_partition(spec, p, progress)
        result = r if result is None else result + r
    assert result is not None
    return result


def default_threads() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
