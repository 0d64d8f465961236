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

SUBSIDY_NEITHER, SUBSIDY_COUNT, SUBSIDY_EXTEND = 0, 1, 2
"""``requirements.subsidised_months`` as an int: ``neither``, ``count``, ``extend``."""
SUBSIDY_MODES: tuple[str, ...] = ("neither", "count", "extend")


def history_summary_numpy(pay: npt.NDArray[np.int64], declared: npt.NDArray[np.bool_],
                          paid: npt.NDArray[np.bool_], rmv: npt.NDArray[np.int64], window: int,
                          reference: int, count_unpaid: bool, rmv_floor: bool, *,
                          counted: npt.NDArray[np.bool_] | None = None,
                          subsidised: npt.NDArray[np.bool_] | None = None, ref_offset: int = 0,
                          slide: bool = False, subsidy_mode: int = SUBSIDY_NEITHER, ext_max: int = 0
                          ) -> tuple[IntArray, IntArray, IntArray]:
    """Reference implementation (plain numpy) of the per-worker history summary.

    The last column is the window's end month. Optional readings (issue 26; defaults = none):

    * ``counted`` (n, H): False where a month's pay must not count as an aportación — the
      employer was outside the phase in force (art. 3) or the month is before the insurance;
    * ``subsidised`` (n, H): months with an EsSalud maternity/sickness subsidy; with
      ``subsidy_mode`` :data:`SUBSIDY_COUNT` a declared subsidised month counts as an aportación,
      with :data:`SUBSIDY_EXTEND` the window reaches back one month per subsidised month in it (at
      most ``ext_max``); either way a subsidised month is left out of the reference average;
    * ``ref_offset``: the reference months end this many columns before the last (art. 5: the
      12 complete months before the separation month);
    * ``slide``: the count is the better of the window ending with the last column and the one
      ending the column before (a separation on the 1st does not cost a month, art. 7).
    """
    n, h = pay.shape
    contributed = (pay > 0) & declared
    if not count_unpaid:
        contributed &= paid
    sub = np.zeros((n, h), dtype=bool) if subsidised is None else np.asarray(subsidised, dtype=bool)
    if subsidy_mode == SUBSIDY_COUNT:
        contributed |= sub & declared
    if counted is not None:
        contributed &= np.asarray(counted, dtype=bool)
    cs = np.zeros((n, h + 1), dtype=np.int64)
    np.cumsum(contributed, axis=1, out=cs[:, 1:])
    scs = np.zeros((n, h + 1), dtype=np.int64)
    np.cumsum(sub, axis=1, out=scs[:, 1:])
    rows = np.arange(n)

    def window_count(end: int) -> IntArray:  # columns [end - window - e + 1, end]
        e = np.zeros(n, dtype=np.int64)
        if subsidy_mode == SUBSIDY_EXTEND:
            e = np.minimum(scs[:, end + 1] - scs[:, end + 1 - window], ext_max)
        lo = np.maximum(end + 1 - window - e, 0)
        return (cs[:, end + 1] - cs[rows, lo]).astype(np.int64)

    count = window_count(h - 1)
    if slide:
        count = np.maximum(count, window_count(h - 2))
    last = h - ref_offset
    ref = pay[:, last - reference:last]
    use = ref > 0
    if subsidy_mode != SUBSIDY_NEITHER:
        use &= ~sub[:, last - reference:last]
    r = rmv[..., last - reference:last]
    if counted is not None:  # the base of the benefit is the base contributions were charged on
        use &= np.asarray(counted, dtype=bool)[:, last - reference:last]
    base = np.where(use, np.maximum(ref, r), 0) if rmv_floor else np.where(use, ref, 0)
    return count, base.sum(axis=1, dtype=np.int64), use.sum(axis=1, dtype=np.int64)


if HAVE_NUMBA:

    @njit(cache=True, nogil=True, inline="always")
    def _window_count(pay, declared, paid, counted, sub, i, end, window, count_unpaid, mode,
                      ext_max):  # pragma: no cover - compiled
        e = 0
        if mode == 2:
            for j in range(end + 1 - window, end + 1):
                if sub[i, j]:
                    e += 1
            if e > ext_max:
                e = ext_max
        lo = end + 1 - window - e
        if lo < 0:
            lo = 0
        c = 0
        for j in range(lo, end + 1):
            ok = pay[i, j] > 0 and declared[i, j] and (count_unpaid or paid[i, j])
            if mode == 1 and sub[i, j] and declared[i, j]:
                ok = True
            if ok and counted[i, j]:
                c += 1
        return c

    @njit(cache=True, nogil=True, inline="always")
    def _row_summary(pay, declared, paid, counted, sub, rmv2d, i, ri, window, reference, count_unpaid,
                     rmv_floor, ref_offset, slide, mode, ext_max):  # pragma: no cover - compiled
        h = pay.shape[1]
        c = _window_count(pay, declared, paid, counted, sub, i, h - 1, window, count_unpaid, mode, ext_max)
        if slide:
            c2 = _window_count(pay, declared, paid, counted, sub, i, h - 2, window, count_unpaid, mode, ext_max)
            if c2 > c:
                c = c2
        t = 0
        m = 0
        last = h - ref_offset
        for j in range(last - reference, last):
            p = pay[i, j]
            if p > 0 and counted[i, j] and (mode == 0 or not sub[i, j]):
                r = rmv2d[ri, j]
                t += r if (rmv_floor and r > p) else p
                m += 1
        return c, t, m

    @njit(parallel=True, cache=True, nogil=True)
    def _summary_kernel(pay, declared, paid, counted, sub, rmv2d, window, reference, count_unpaid, rmv_floor,
                        ref_offset, slide, mode, ext_max, count, total, months):  # pragma: no cover - compiled
        n = pay.shape[0]
        row_step = np.int64(1) if rmv2d.shape[0] > 1 else np.int64(0)
        for i in prange(n):
            ri = np.int64(i) * row_step  # one shared RMV row (step 0), or one row per worker (step 1)
            c, t, m = _row_summary(pay, declared, paid, counted, sub, rmv2d, i, ri, window, reference,
                                   count_unpaid, rmv_floor, ref_offset, slide, mode, ext_max)
            count[i] = c
            total[i] = t
            months[i] = m


def _masks(shape: tuple[int, ...], counted: npt.ArrayLike | None,
           subsidised: npt.ArrayLike | None) -> tuple[npt.NDArray[np.bool_], npt.NDArray[np.bool_]]:
    cnt = np.ones(shape, dtype=np.bool_) if counted is None else np.ascontiguousarray(counted, dtype=np.bool_)
    sub = np.zeros(shape, dtype=np.bool_) if subsidised is None else np.ascontiguousarray(subsidised, dtype=np.bool_)
    return cnt, sub


def history_summary_fast(pay: npt.NDArray[np.int64], declared: npt.NDArray[np.bool_],
                         paid: npt.NDArray[np.bool_], rmv: npt.NDArray[np.int64], window: int,
                         reference: int, count_unpaid: bool, rmv_floor: bool, *,
                         counted: npt.NDArray[np.bool_] | None = None,
                         subsidised: npt.NDArray[np.bool_] | None = None, ref_offset: int = 0,
                         slide: bool = False, subsidy_mode: int = SUBSIDY_NEITHER, ext_max: int = 0
                         ) -> tuple[IntArray, IntArray, IntArray]:
    """Same result as :func:`history_summary_numpy`, one parallel pass (numba)."""
    if not HAVE_NUMBA:  # pragma: no cover
        return history_summary_numpy(pay, declared, paid, rmv, window, reference, count_unpaid, rmv_floor,
                                     counted=counted, subsidised=subsidised, ref_offset=ref_offset, slide=slide,
                                     subsidy_mode=subsidy_mode, ext_max=ext_max)
    n = pay.shape[0]
    rmv2d = np.atleast_2d(np.asarray(rmv, dtype=np.int64))
    cnt, sub = _masks(pay.shape, counted, subsidised)
    count = np.empty(n, dtype=np.int64)
    total = np.empty(n, dtype=np.int64)
    months = np.empty(n, dtype=np.int64)
    _summary_kernel(np.ascontiguousarray(pay, dtype=np.int64), np.ascontiguousarray(declared, dtype=np.bool_),
                    np.ascontiguousarray(paid, dtype=np.bool_), cnt, sub, rmv2d, window, reference,
                    bool(count_unpaid), bool(rmv_floor), np.int64(ref_offset), bool(slide), np.int64(subsidy_mode),
                    np.int64(ext_max), count, total, months)
    return count, total, months


NAT = np.iinfo(np.int64).min
"""``numpy.datetime64('NaT')`` viewed as int64: no re-employment date."""

if HAVE_NUMBA:

    @njit(parallel=True, cache=True, nogil=True)
    def _decide_kernel(pay, declared, paid, counted, sub, rmv2d, window, reference, count_unpaid, rmv_floor,
                       ref_offset, slide, mode, ext_max, divide_by_months,
                       qualifying, sector, size, contract, cause, sector_ok, size_ok, contract_ok, cause_ok,
                       sep_days, claim_days, reemp_days, waiting_days, registered, registration_required,
                       rates, floor, cap,
                       count, ref_total, ref_months, insurable, covered, contingency, contrib_met, waiting_met,
                       registration_met, eligible, benefits, total):  # pragma: no cover - compiled
        n = pay.shape[0]
        row_step = np.int64(1) if rmv2d.shape[0] > 1 else np.int64(0)
        months = rates.shape[0]
        for i in prange(n):
            ri = np.int64(i) * row_step
            c, t, m = _row_summary(pay, declared, paid, counted, sub, rmv2d, i, ri, window, reference,
                                   count_unpaid, rmv_floor, ref_offset, slide, mode, ext_max)
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
                floor: int, cap: int, *, counted: npt.ArrayLike | None = None, subsidised: npt.ArrayLike | None = None,
                ref_offset: int = 0, slide: bool = False, subsidy_mode: int = SUBSIDY_NEITHER,
                ext_max: int = 0) -> dict[str, np.ndarray]:
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
    cnt, sub = _masks(pay.shape, counted, subsidised)
    _decide_kernel(
        np.ascontiguousarray(pay, dtype=np.int64), np.ascontiguousarray(declared, dtype=np.bool_),
        np.ascontiguousarray(paid, dtype=np.bool_), cnt, sub, np.atleast_2d(np.asarray(rmv, dtype=np.int64)),
        window, reference, bool(count_unpaid), bool(rmv_floor), np.int64(ref_offset), bool(slide),
        np.int64(subsidy_mode), np.int64(ext_max), bool(divide_by_months), qualifying,
        np.asarray(sector, dtype=np.int64), np.asarray(size, dtype=np.int64), np.asarray(contract, dtype=np.int64),
        np.asarray(cause, dtype=np.int64), sector_ok, size_ok, contract_ok, cause_ok,
        sep_days, claim_days, reemp_days, np.int64(waiting_days), np.asarray(registered, dtype=np.bool_),
        bool(registration_required), np.asarray(rates, dtype=np.int64), np.int64(floor), np.int64(cap),
        out["count"], out["ref_total"], out["ref_months"], out["insurable"], out["covered"], out["contingency"],
        out["contrib_met"], out["waiting_met"], out["registration_met"], out["eligible"], out["benefits"],
        out["total"],
    )
    return out
