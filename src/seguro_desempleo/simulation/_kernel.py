# mypy: ignore-errors
# (numba kernels: scalar code typed by numba at compile time, not by mypy)
"""The compiled engine: every person through every month in one pass (numba).

Same model and same integer arithmetic as :func:`seguro_desempleo.simulation.engine.step_numpy`
(see its docstring for the order of the month); the parity tests compare final states and every
accumulator. Lookup tables come from the rules modules (coverage, contingency, benefit rates),
so the law is read from one place. Persons are split into chunks (``prange``); each chunk adds
into its own accumulators, and integer sums do not depend on the order, so the result is the
same for any number of threads.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

from seguro_desempleo.simulation.rng import GOLDEN, GOLDEN2, M1, M2, N_STREAMS

# indexes into the accumulators (must match engine.ACC_NAMES / MON_NAMES)
PM0, COVERED, INSURABLE, CONTRIB, FPAY, TEMP = 0, 4, 5, 6, 7, 8
SEP, SEP_INV, SEP_COV, ELIG, BENEF, BMONTHS, BPAID, IRPAID = 9, 10, 11, 12, 13, 14, 15, 16
NCNEW, NCMONTHS, NCPAID, GAPW, GAPWO, HIRES, UEXITS, ILOSS = 17, 18, 19, 20, 21, 22, 23, 24
PMPUB, U2F = 25, 26
MF, MCOV, MU, MINS, MCON, MCLAIMS, MBEN, MPAID, MNCB, MNCP, MSEPCOV = 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10
RING = 13
N_DUR, IR_BIN, N_IR_BINS = 12, 25_000, 48
MAX_AGE = 840
ENTRY_AGE = 180


@njit(inline="always", cache=True)
def _draw(key, month, stream):  # pragma: no cover - compiled
    z = key + np.uint64((month + 2) * N_STREAMS + stream) * np.uint64(GOLDEN2)
    z = z ^ (z >> np.uint64(30))
    z = z * np.uint64(M1)
    z = z ^ (z >> np.uint64(27))
    z = z * np.uint64(M2)
    return z ^ (z >> np.uint64(31))


@njit(inline="always", cache=True)
def _popcount(x):  # pragma: no cover - compiled
    x = np.int64(x) & 0xFFFFFFFF
    x = x - ((x >> 1) & 0x55555555)
    x = (x & 0x33333333) + ((x >> 2) & 0x33333333)
    x = (x + (x >> 4)) & 0x0F0F0F0F
    return ((x * 0x01010101) & 0xFFFFFFFF) >> 24


@njit(inline="always", cache=True)
def _search(cum, x):  # pragma: no cover - compiled
    j = 0
    while j < cum.shape[0] and x >= cum[j]:
        j += 1
    return j


@njit(inline="always", cache=True)
def _apply_rate(x, r):  # pragma: no cover - compiled
    return (2 * x * r + 1_000_000) // 2_000_000


@njit(inline="always", cache=True)
def _floor_cap(a, floor, cap):  # pragma: no cover - compiled
    if floor > 0 and a < floor:
        a = floor
    if cap > 0 and a > cap:
        a = cap
    return a


@njit(cache=True)
def _amount(ir, k, deps, rates, floor, cap, br_upper, br_rate, fixed_amount, supplement):  # pragma: no cover
    if br_upper.shape[0] > 0:
        a = 0
        lower = 0
        for b in range(br_upper.shape[0]):
            part = ir - lower
            if part < 0:
                part = 0
            if part > br_upper[b] - lower:
                part = br_upper[b] - lower
            a += _apply_rate(part, br_rate[b])
            lower = br_upper[b]
        a = _floor_cap(a, floor, cap) if ir > 0 else 0
    elif fixed_amount > 0:
        a = _floor_cap(fixed_amount, floor, cap)
    else:
        a = _floor_cap(_apply_rate(ir, rates[k]), floor, cap) if ir > 0 else 0
    if supplement != 0 and deps:
        a += _apply_rate(a, supplement)
    return a


@njit(inline="always", cache=True)
def _flush(acc, c, cell, loc):  # pragma: no cover - compiled
    """Add a person's running totals for one group cell to the chunk's accumulators."""
    for k in range(4):
        acc[c, PM0 + k, cell] += loc[k]
    acc[c, COVERED, cell] += loc[4]
    acc[c, INSURABLE, cell] += loc[5]
    acc[c, CONTRIB, cell] += loc[6]
    acc[c, FPAY, cell] += loc[7]
    acc[c, TEMP, cell] += loc[8]
    acc[c, PMPUB, cell] += loc[9]
    acc[c, GAPW, cell] += loc[10]
    acc[c, GAPWO, cell] += loc[11]
    for k in range(12):
        loc[k] = 0


@njit(parallel=True, cache=True, nogil=True)
def run_kernel(t0, t1, burn_in, n_chunks,
               key, sex_a, region_a, deps_a, age_a, status_a, sector_a, size_a, contract_a, wage_a,
               tenure_a, mask_a, imask_a, ring, ben_left_a, ben_k_a, ben_ir_a, nc_left_a,
               band_of_year, trans_thr, dest_code, sep_thr, sep_dest_cum, cause_codes, cause_cum, public_thr,
               size_cum, contract_codes, contract_cum, modal, wage_table, days_max, informal_invol_thr, poverty_line,
               cov_sector, cov_size, cov_contract, cause_ok, window, qualifying, reference, include_sep,
               divide_by_months, rmv_floor, rmv, waiting_law, registration_required, rates, floor, cap, dur_min,
               dur_months, br_upper, br_rate, fixed_amount, supplement, min_tenure, recent_months, recent_min,
               waiting_extra, takeup_thr, nc_amount, nc_months, nc_min_informal, nc_takeup_thr, contribution_rate,
               ref_offset, wait_eff, bdays, acc, mon, hist):  # pragma: no cover - compiled
    n = key.shape[0]
    sep_dest_status = np.array([0, 2, 1, 3], dtype=np.int64)
    wmask = np.int64((1 << window) - 1) if window < 63 else np.int64(-1)
    rmask = np.int64((1 << recent_months) - 1)
    shift = 0 if include_sep else 1
    n_rates = rates.shape[0]
    for c in prange(n_chunks):
        lo = c * n // n_chunks
        hi = (c + 1) * n // n_chunks
        loc = np.zeros(12, dtype=np.int64)  # a person's running totals in the current cell
        for i in range(lo, hi):
            cur = -1
            pkey = key[i]
            sex = np.int64(sex_a[i])
            region = np.int64(region_a[i])
            deps = deps_a[i]
            age = np.int64(age_a[i])
            status = np.int64(status_a[i])
            sector = np.int64(sector_a[i])
            size = np.int64(size_a[i])
            contract = np.int64(contract_a[i])
            wage = np.int64(wage_a[i])
            tenure = np.int64(tenure_a[i])
            mask = np.int64(mask_a[i])
            imask = np.int64(imask_a[i])
            ben_left = np.int64(ben_left_a[i])
            ben_k = np.int64(ben_k_a[i])
            ben_ir = np.int64(ben_ir_a[i])
            nc_left = np.int64(nc_left_a[i])
            for t in range(t0, t1):
                measured = t >= burn_in
                mi = t - burn_in
                if age >= MAX_AGE:
                    age = ENTRY_AGE
                    status = 3
                    sector = 0
                    contract = 0
                    tenure = 0
                    ben_left = 0
                    ben_k = 0
                    nc_left = 0
                    size = 4
                    wage = 0
                    ben_ir = 0
                    mask = 0
                    imask = 0
                    for j in range(RING):
                        ring[i, j] = 0
                yr = age // 12
                if yr > 69:
                    yr = 69
                band = band_of_year[yr]
                ksr = (sex * 4 + region) * 5 + band
                cell = ((sex * 5 + band) * 4 + region) * 5 + size
                if cell != cur:
                    if cur >= 0:
                        _flush(acc, c, cur, loc)
                    cur = cell
                if (t & 1) == 0 or t == t0:
                    r0 = _draw(pkey, t >> 1, 0)  # one 64-bit draw serves two months
                is_f = status == 0
                is_i = status == 1
                is_u = status == 2
                covered = False
                if is_f:
                    covered = cov_sector[sector] and cov_size[size] and cov_contract[contract]
                if measured:
                    loc[status] += 1
                    if is_f:
                        base = 0
                        if covered and wage > 0:
                            base = rmv if (rmv_floor and rmv > wage) else wage
                        con = _apply_rate(base, contribution_rate)
                        if covered:
                            loc[4] += 1
                            mon[c, MCOV, mi] += 1
                        loc[5] += base
                        loc[6] += con
                        loc[7] += wage
                        if modal[contract]:
                            loc[8] += 1
                        if sector == 1:
                            loc[9] += 1
                        mon[c, MF, mi] += 1
                        mon[c, MINS, mi] += base
                        mon[c, MCON, mi] += con
                    elif is_u:
                        mon[c, MU, mi] += 1
                # history
                mask = ((mask << 1) | (1 if covered else 0)) & 0xFFFFFFFF
                imask = ((imask << 1) | (1 if is_i else 0)) & 0xFFF
                ring[i, t % RING] = wage if covered else 0
                # benefits in course
                pay = 0
                if ben_left > 0:
                    if ben_k == 0 or is_u or is_i:
                        amt = _amount(ben_ir, ben_k, deps, rates, floor, cap, br_upper, br_rate, fixed_amount,
                                      supplement)
                        pay += amt
                        if measured:
                            acc[c, BMONTHS, cell] += 1
                            acc[c, BPAID, cell] += amt
                            acc[c, IRPAID, cell] += ben_ir
                            hist[c, ben_k] += 1
                            mon[c, MBEN, mi] += 1
                            mon[c, MPAID, mi] += amt
                        ben_k += 1
                        ben_left -= 1
                    else:
                        ben_left = 0
                if nc_left > 0:
                    if is_u or is_i:
                        pay += nc_amount
                        if measured:
                            acc[c, NCMONTHS, cell] += 1
                            acc[c, NCPAID, cell] += nc_amount
                            mon[c, MNCB, mi] += 1
                            mon[c, MNCP, mi] += nc_amount
                        nc_left -= 1
                    else:
                        nc_left = 0
                if measured and is_u:
                    g = poverty_line - pay
                    loc[10] += g if g > 0 else 0
                    loc[11] += poverty_line
                # transition at the end of the month
                u32 = np.int64((r0 >> np.uint64(32 * (t & 1))) & np.uint64(0xFFFFFFFF))
                hire = False
                new_status = status
                if is_f:
                    cls = 1 if modal[contract] else 0
                    if u32 < sep_thr[cls]:
                        r1 = _draw(pkey, t, 1)
                        cause = cause_codes[_search(cause_cum[cls], np.int64(r1 & np.uint64(0xFFFF)))]
                        dest = sep_dest_status[_search(sep_dest_cum, np.int64(r1 >> np.uint64(48)))]
                        days = -1
                        if dest == 0:
                            days = np.int64((r1 >> np.uint64(16)) & np.uint64(0xFFFF)) % days_max
                        registered = np.int64((r1 >> np.uint64(32)) & np.uint64(0xFFFF)) < takeup_thr
                        # the claim, as rules.evaluate.evaluate_batch decides it
                        m = mask >> shift
                        count = _popcount(m & wmask)
                        if include_sep:  # the window may slide back one month (rules.kernels: slide)
                            c2 = _popcount((m >> 1) & wmask)
                            if c2 > count:
                                count = c2
                        total = 0
                        months_pay = 0
                        for j in range(reference):
                            p = ring[i, (t - shift - ref_offset - j) % RING]
                            if p > 0:
                                total += rmv if (rmv_floor and rmv > p) else p
                                months_pay += 1
                        dv = months_pay if divide_by_months else reference
                        ir = (2 * total + dv) // (2 * dv) if dv > 0 else 0
                        cov = cov_sector[sector] and cov_size[size] and cov_contract[contract]
                        inv = cause_ok[cause]
                        qual = count >= qualifying
                        # served when back at work after its last day (rules.waiting: a start on
                        # the last day leaves it one day short)
                        wait = days < 0 or days > waiting_law
                        reg = registered or not registration_required
                        struct = tenure + 1 >= min_tenure and (days < 0 or waiting_extra == 0 or days > waiting_extra)
                        if recent_months > 0 and _popcount(m & rmask) < recent_min:
                            struct = False
                        nmonths = n_rates
                        if dur_min.shape[0] > 0:
                            nmonths = 0
                            for b in range(dur_min.shape[0]):
                                if count >= dur_min[b]:
                                    nmonths = dur_months[b]
                        elig = cov and inv and qual and wait and struct and nmonths > 0
                        benef = elig and reg
                        if measured:
                            acc[c, SEP, cell] += 1
                            if inv:
                                acc[c, SEP_INV, cell] += 1
                                if cov:
                                    acc[c, SEP_COV, cell] += 1
                                    mon[c, MSEPCOV, mi] += 1
                            if elig:
                                acc[c, ELIG, cell] += 1
                            if benef:
                                acc[c, BENEF, cell] += 1
                                mon[c, MCLAIMS, mi] += 1
                                ib = ir // IR_BIN
                                hist[c, N_DUR + (ib if ib < N_IR_BINS else N_IR_BINS - 1)] += 1
                        if benef and days >= 0:
                            # back at work within days: the benefit days before the new job, pro
                            # rata (payments.schedule, issue 26 item 2), paid now
                            rem = days - wait_eff - 1
                            k = 0
                            while rem > 0 and k < nmonths and k < bdays.shape[1]:
                                dk = bdays[t, k]
                                full = _amount(ir, k, deps, rates, floor, cap, br_upper, br_rate, fixed_amount,
                                               supplement)
                                part = rem if rem < dk else dk
                                amt = (2 * full * part + dk) // (2 * dk)
                                if measured:
                                    acc[c, BMONTHS, cell] += 1
                                    acc[c, BPAID, cell] += amt
                                    acc[c, IRPAID, cell] += (2 * ir * part + dk) // (2 * dk)
                                    hist[c, k] += 1
                                    mon[c, MBEN, mi] += 1
                                    mon[c, MPAID, mi] += amt
                                rem -= dk
                                k += 1
                        elif benef:
                            ben_left = nmonths
                            ben_k = 0
                            ben_ir = ir
                        new_status = dest
                        tenure = 0
                        if dest == 0:
                            hire = True
                    else:
                        tenure = tenure + 1 if tenure < 255 else 255
                else:
                    j = 0
                    while j < 3 and u32 >= trans_thr[ksr, status, j]:
                        j += 1
                    if j < 3:
                        dest = dest_code[status, j]
                        new_status = dest
                        if dest == 0:
                            hire = True
                        if status == 1 and dest == 2:
                            if measured:
                                acc[c, ILOSS, cell] += 1
                            r3 = _draw(pkey, t, 3)
                            if (nc_months > 0 and np.int64(r3 & np.uint64(0xFFFF)) < informal_invol_thr
                                    and _popcount(imask) >= nc_min_informal
                                    and np.int64((r3 >> np.uint64(16)) & np.uint64(0xFFFF)) < nc_takeup_thr):
                                nc_left = nc_months
                                if measured:
                                    acc[c, NCNEW, cell] += 1
                        if status == 2 and dest != 3 and measured:
                            acc[c, UEXITS, cell] += 1
                            if dest == 0:
                                acc[c, U2F, cell] += 1
                if hire:
                    if measured:
                        acc[c, HIRES, cell] += 1
                    r2 = _draw(pkey, t, 2)
                    public = np.int64(r2 & np.uint64(0xFFFF)) < public_thr
                    size = _search(size_cum, np.int64((r2 >> np.uint64(16)) & np.uint64(0xFFFF)))
                    if public:
                        size = 3
                    contract = contract_codes[_search(contract_cum, np.int64((r2 >> np.uint64(32)) & np.uint64(0xFFFF)))]
                    sector = 1 if public else 0
                    wcls = 4 if public else size
                    wage = wage_table[sex, band, wcls, np.int64(r2 >> np.uint64(56))]
                    tenure = 0
                status = new_status
                age += 1
            if cur >= 0:
                _flush(acc, c, cur, loc)
            age_a[i] = age
            status_a[i] = status
            sector_a[i] = sector
            size_a[i] = size
            contract_a[i] = contract
            wage_a[i] = wage
            tenure_a[i] = tenure
            mask_a[i] = mask
            imask_a[i] = imask
            ben_left_a[i] = ben_left
            ben_k_a[i] = ben_k
            ben_ir_a[i] = ben_ir
            nc_left_a[i] = nc_left


@njit(parallel=True, cache=True, nogil=True)
def generate_kernel(seed_key, pid_start, sex_cum, region_cum, age_cum, lo_age, span_age, deps_thr, status_cum, geo,
                    public_thr, size_cum, contract_codes, contract_cum, wage_table,
                    key_a, sex_a, region_a, deps_a, age_a, status_a, sector_a, size_a, contract_a, wage_a,
                    tenure_a, mask_a, imask_a, ring):  # pragma: no cover - compiled
    """Compiled twin of ``population.generate`` (same draws, same integer arithmetic)."""
    n = key_a.shape[0]
    for i in prange(n):
        z = seed_key ^ (np.uint64(pid_start + i) * np.uint64(GOLDEN))
        z = z ^ (z >> np.uint64(30))
        z = z * np.uint64(M1)
        z = z ^ (z >> np.uint64(27))
        z = z * np.uint64(M2)
        k = z ^ (z >> np.uint64(31))
        key_a[i] = k
        r4 = _draw(k, -1, 4)
        sex = _search(sex_cum, np.int64(r4 & np.uint64(0xFFFF)))
        region = _search(region_cum, np.int64((r4 >> np.uint64(16)) & np.uint64(0xFFFF)))
        band = _search(age_cum, np.int64((r4 >> np.uint64(32)) & np.uint64(0xFFFF)))
        age = lo_age[band] * 12 + np.int64(r4 >> np.uint64(48)) % span_age[band]
        r5 = _draw(k, -1, 5)
        deps = np.int64(r5 >> np.uint64(48)) < deps_thr
        u = np.int64(r5 & np.uint64(0xFFFFFFFF))
        row = (sex * 4 + region) * 5 + band
        status = 0
        for j in range(4):
            if u >= status_cum[row, j]:
                status += 1
        if status > 3:
            status = 3
        r2 = _draw(k, -1, 2)
        public = np.int64(r2 & np.uint64(0xFFFF)) < public_thr
        size = _search(size_cum, np.int64((r2 >> np.uint64(16)) & np.uint64(0xFFFF)))
        if public:
            size = 3
        contract = contract_codes[_search(contract_cum, np.int64((r2 >> np.uint64(32)) & np.uint64(0xFFFF)))]
        wage = wage_table[sex, band, 4 if public else size, np.int64(r2 >> np.uint64(56))]
        sector = 1 if public else 0
        formal = status == 0
        ever = formal or np.int64((r5 >> np.uint64(32)) & np.uint64(0xFFFF)) < 32768
        r6 = _draw(k, -1, 6)
        r7 = _draw(k, -1, 7)
        tenure = _search(geo, np.int64(r6 & np.uint64(0xFFFFFFFF)))
        gap = np.int64((r6 >> np.uint64(32)) & np.uint64(7))
        older = np.int64(r7 & (r7 >> np.uint64(32)) & np.uint64(0xFFFFFFFF))
        t_bits = tenure if tenure < 32 else 32
        low = (np.int64(1) << t_bits) - 1
        if formal:
            mask = (low | (older & ~low)) & 0xFFFFFFFF
        elif ever and status != 3:
            mask = ((older | 1) << gap) & 0xFFFFFFFF
        else:
            mask = 0
        if not ever:
            wage = 0
            size = 4
            sector = 0
            contract = 0
        sex_a[i] = sex
        region_a[i] = region
        deps_a[i] = deps
        age_a[i] = age
        status_a[i] = status
        sector_a[i] = sector
        size_a[i] = size
        contract_a[i] = contract
        wage_a[i] = wage
        tenure_a[i] = tenure if formal else 0
        mask_a[i] = mask
        imask_a[i] = 0xFFF if status == 1 else 0
        for j in range(RING):
            ring[i, (-1 - j) % RING] = wage if (mask >> j) & 1 else 0
