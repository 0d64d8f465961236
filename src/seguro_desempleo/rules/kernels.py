"""Fused kernels for the national batch: one pass over each worker's history.

:func:`history_summary_numpy` is the reference (plain numpy, several passes over the arrays);
:func:`history_summary_fast` is the same arithmetic in one compiled, parallel pass. Both return
``(count_in_window, reference_total, reference_months_with_pay)`` and must agree exactly (tested).
The rules modules stay the definition of the law; these kernels only fuse their steps.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

try:  # numba is a declared dependency; the numpy path remains the reference
    from numba import njit, prange

    HAVE_NUMBA = True
except ImportError:  # pragma: no cover
    HAVE_NUMBA = False

IntArray = npt.NDArray[np.int64]


def history_summary_numpy(pay: npt.NDArray[np.int64], declared: npt.NDArray[np.bool_],
                          paid: npt.NDArray[np.bool_], rmv: npt.NDArray[np.int64], window: int,
                          reference: int, count_unpaid: bool, rmv_floor: bool
                          ) -> tuple[IntArray, IntArray, IntArray]:
    """Reference implementation (plain numpy) of the per-worker history summary."""
    h = pay.shape[1]
    contributed = (pay > 0) & declared
    if not count_unpaid:
        contributed &= paid
    count = contributed[:, h - window:].sum(axis=1, dtype=np.int64)
    ref = pay[:, h - reference:]
    r = rmv[..., h - reference:]
    base = np.where(ref > 0, np.maximum(ref, r), 0) if rmv_floor else np.where(ref > 0, ref, 0)
    return count, base.sum(axis=1, dtype=np.int64), (ref > 0).sum(axis=1, dtype=np.int64)


if HAVE_NUMBA:

    @njit(parallel=True, cache=True, nogil=True)
    def _summary_kernel(pay, declared, paid, rmv2d, window, reference, count_unpaid, rmv_floor,
                        count, total, months):  # pragma: no cover - compiled
        n, h = pay.shape
        row_step = np.int64(1) if rmv2d.shape[0] > 1 else np.int64(0)
        for i in prange(n):
            ri = np.int64(i) * row_step  # one shared RMV row (step 0), or one row per worker (step 1)
            c = 0
            t = 0
            m = 0
            for j in range(h - window, h):
                p = pay[i, j]
                if p > 0 and declared[i, j] and (count_unpaid or paid[i, j]):
                    c += 1
            for j in range(h - reference, h):
                p = pay[i, j]
                if p > 0:
                    r = rmv2d[ri, j]
                    t += r if (rmv_floor and r > p) else p
                    m += 1
            count[i] = c
            total[i] = t
            months[i] = m


def history_summary_fast(pay: npt.NDArray[np.int64], declared: npt.NDArray[np.bool_],
                         paid: npt.NDArray[np.bool_], rmv: npt.NDArray[np.int64], window: int,
                         reference: int, count_unpaid: bool, rmv_floor: bool
                         ) -> tuple[IntArray, IntArray, IntArray]:
    """Same result as :func:`history_summary_numpy`, one parallel pass (numba)."""
    if not HAVE_NUMBA:  # pragma: no cover
        return history_summary_numpy(pay, declared, paid, rmv, window, reference, count_unpaid, rmv_floor)
    n = pay.shape[0]
    rmv2d = np.atleast_2d(np.asarray(rmv, dtype=np.int64))
    count = np.empty(n, dtype=np.int64)
    total = np.empty(n, dtype=np.int64)
    months = np.empty(n, dtype=np.int64)
    _summary_kernel(np.ascontiguousarray(pay, dtype=np.int64), np.ascontiguousarray(declared, dtype=np.bool_),
                    np.ascontiguousarray(paid, dtype=np.bool_), rmv2d, window, reference,
                    bool(count_unpaid), bool(rmv_floor), count, total, months)
    return count, total, months


NAT = np.iinfo(np.int64).min
"""``numpy.datetime64('NaT')`` viewed as int64: no re-employment date."""

if HAVE_NUMBA:

    @njit(parallel=True, cache=True, nogil=True)
    def _decide_kernel(pay, declared, paid, rmv2d, window, reference, count_unpaid, rmv_floor, divide_by_months,
                       qualifying, sector, size, contract, cause, sector_ok, size_ok, contract_ok, cause_ok,
                       sep_days, claim_days, reemp_days, waiting_days, registered, registration_required,
                       rates, floor, cap,
                       count, ref_total, ref_months, insurable, covered, contingency, contrib_met, waiting_met,
                       registration_met, eligible, benefits, total):  # pragma: no cover - compiled
        n, h = pay.shape
        row_step = np.int64(1) if rmv2d.shape[0] > 1 else np.int64(0)
        months = rates.shape[0]
        for i in prange(n):
            ri = np.int64(i) * row_step
            c = 0
            t = 0
            m = 0
            for j in range(h - window, h):
                p = pay[i, j]
                if p > 0 and declared[i, j] and (count_unpaid or paid[i, j]):
                    c += 1
            for j in range(h - reference, h):
                p = pay[i, j]
                if p > 0:
                    r = rmv2d[ri, j]
                    t += r if (rmv_floor and r > p) else p
                    m += 1
            d = m if divide_by_months else reference
            ir = (2 * t + d) // (2 * d) if d > 0 else 0
            cov = sector_ok[sector[i]] and size_ok[size[i]] and contract_ok[contract[i]]
            con = cause_ok[cause[i]]
            qual = c >= qualifying
            wend = sep_days[i] + waiting_days
            wait = claim_days[i] >= wend and (reemp_days[i] == NAT or reemp_days[i] > wend)
            reg = registered[i] or not registration_required
            ok = cov and con and qual and wait and reg
            count[i] = c
            ref_total[i] = t
            ref_months[i] = m
            insurable[i] = ir
            covered[i] = cov
            contingency[i] = con
            contrib_met[i] = qual
            waiting_met[i] = wait
            registration_met[i] = reg
            eligible[i] = ok
            s = 0
            for k in range(months):
                a = 0
                if ok and ir > 0:
                    a = (2 * ir * rates[k] + 1_000_000) // 2_000_000
                    if floor > 0 and a < floor:
                        a = floor
                    if cap > 0 and a > cap:
                        a = cap
                benefits[i, k] = a
                s += a
            total[i] = s


def decide_fast(pay, declared, paid, rmv, window: int, reference: int, count_unpaid: bool, rmv_floor: bool,
                divide_by_months: bool, qualifying: int, sector, size, contract, cause, tables, sep_days,
                claim_days, reemp_days, waiting_days: int, registered, registration_required: bool, rates,
                floor: int, cap: int) -> dict[str, np.ndarray]:
    """Every requirement, the insurable pay and the benefit schedule in one compiled pass.

    The arithmetic is that of the rules modules (the numpy path of ``evaluate_batch``); the parity
    tests check the two agree exactly.
    """
    n = pay.shape[0]
    m = len(rates)
    out = {k: np.empty(n, dtype=np.int64) for k in ("count", "ref_total", "ref_months", "insurable", "total")}
    out.update({k: np.empty(n, dtype=np.bool_) for k in ("covered", "contingency", "contrib_met", "waiting_met",
                                                          "registration_met", "eligible")})
    out["benefits"] = np.empty((n, m), dtype=np.int64)
    sector_ok, size_ok, contract_ok, cause_ok = tables
    _decide_kernel(
        np.ascontiguousarray(pay, dtype=np.int64), np.ascontiguousarray(declared, dtype=np.bool_),
        np.ascontiguousarray(paid, dtype=np.bool_), np.atleast_2d(np.asarray(rmv, dtype=np.int64)),
        window, reference, bool(count_unpaid), bool(rmv_floor), bool(divide_by_months), qualifying,
        np.asarray(sector, dtype=np.int64), np.asarray(size, dtype=np.int64), np.asarray(contract, dtype=np.int64),
        np.asarray(cause, dtype=np.int64), sector_ok, size_ok, contract_ok, cause_ok,
        sep_days, claim_days, reemp_days, np.int64(waiting_days), np.asarray(registered, dtype=np.bool_),
        bool(registration_required), np.asarray(rates, dtype=np.int64), np.int64(floor), np.int64(cap),
        out["count"], out["ref_total"], out["ref_months"], out["insurable"], out["covered"], out["contingency"],
        out["contrib_met"], out["waiting_met"], out["registration_met"], out["eligible"], out["benefits"],
        out["total"],
    )
    return out
