"""Counter-based random numbers: a draw is a pure function of (seed, person, month, stream).

Every random number of the simulation is ``draw(person_key, month, stream)``, where
``person_key = mix(seed_key XOR person_id × φ)`` and ``mix`` is the SplitMix64 finaliser (a
bijective 64-bit mixer). No generator state is carried from one person or month to the next, so
the result does not depend on how persons are split into partitions, chunks or threads, nor on
the order in which they are processed. ``seed_key`` comes from :class:`numpy.random.SeedSequence`
so that nearby seeds give unrelated streams. The numpy functions and the compiled ones are the
same integer arithmetic as the compiled ``_kernel._draw`` (tested bit for bit).

A draw is 64 bits; the engine slices it: 32 bits decide a transition against a 32-bit threshold,
16-bit fields a category against 16-bit cumulative thresholds, the top 8 bits a wage quantile.
Streams: 0 the monthly transition (draw ``t >> 1``: its low half serves even months, its high half
odd months), 1 a separation (cause, days to a new job, registration, destination), 2 a new job
(sector, size, contract, wage), 3 an informal job loss (involuntary, take-up), 4-7 the initial
population.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

U64 = npt.NDArray[np.uint64]

GOLDEN = 0x9E3779B97F4A7C15
GOLDEN2 = 0xD1B54A32D192ED03
M1 = 0xBF58476D1CE4E5B9
M2 = 0x94D049BB133111EB
N_STREAMS = 8
STREAM_MAIN, STREAM_SEPARATION, STREAM_JOB, STREAM_INFORMAL = 0, 1, 2, 3
STREAM_INIT = 4  # 4..7


def seed_key(seed: int) -> int:
    """64-bit key of a seed (SeedSequence spreads nearby seeds apart)."""
    return int(np.random.SeedSequence(int(seed)).generate_state(1, dtype=np.uint64)[0])


def mix_np(z: U64) -> U64:
    z = z.astype(np.uint64, copy=True)
    z ^= z >> np.uint64(30)
    z *= np.uint64(M1)
    z ^= z >> np.uint64(27)
    z *= np.uint64(M2)
    z ^= z >> np.uint64(31)
    return z


def person_keys(key: int, pid_start: int, n: int) -> U64:
    """Keys of persons ``pid_start .. pid_start + n - 1``."""
    pid = np.arange(pid_start, pid_start + n, dtype=np.uint64)
    return mix_np(np.uint64(key) ^ (pid * np.uint64(GOLDEN)))


def counter(month: int, stream: int) -> np.uint64:
    """The counter of (month, stream); months from -1 (the initial population) up."""
    return np.uint64((((month + 2) * N_STREAMS + stream) * GOLDEN2) & 0xFFFFFFFFFFFFFFFF)


def draw_np(keys: U64, month: int, stream: int) -> U64:
    return mix_np(keys + counter(month, stream))

