# mypy: ignore-errors
# (numba kernels: scalar code typed by numba at compile time, not by mypy)
"""The compiled engine: every person through every month in one pass (numba).

Same model and same integer arithmetic as :func:`seguro_desempleo.simulation.engine.step_numpy`
(see its docstring for the order of the month); the parity tests compare final states and every
accumulator. Lookup tables come from the rules modules (coverage, contingency, benefit rates),
so the law is read from one place. Persons are split into chunks (``prange``); each chunk adds
into its own accumulators, and integer sums do not depend on the order, so the result is the
same for any number of threads. :func:`run_kernel` hands each chunk to :func:`_run_chunk`, which takes
each person through every month (:func:`_run_person`); :func:`_month` is one month, in parts named
after the steps of ``step_numpy`` (``_count_month``, ``_pay_benefit``, ``_separate``, ``_move``...).
"""

from __future__ import annotations

from typing import NamedTuple

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
NEWCOMER = (ENTRY_AGE, 3, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0)
"""The state of the 15-year-old who takes the id of a person reaching 70: inactive, never formal (size 4)."""
SEP_DEST_STATUS = np.array([0, 2, 1, 3], dtype=np.int64)
"""The status after a separation, by its drawn destination (formal, unemployed, informal, inactive)."""

# The monthly kernel's helpers are compiled without numba's reference counting (``_nrt=False``). They
# allocate nothing, and counting the references to the arrays they are passed (an atomic operation per
# array and call, on memory both threads share) made the kernel split into helpers 6 to 40 times slower
# than the same code in one function (measured, issue 24). The helpers that take the tables as named
# tuples and run every month or at every separation (``_run_person``, ``_month``, ``_separate``,
# ``_decide_claim``) are inlined by numba: a call would copy every field of the tuples. The others are
# small, and LLVM inlines them, or rare and stay calls. Inlining every helper by numba compiled 2.4 times
# as long (the cold start, issue 29).
hot = njit(cache=True, nogil=True, _nrt=False)
inlined = njit(inline="always", cache=True, nogil=True, _nrt=False)

class People(NamedTuple):
    """The persons' state (``population.State``'s arrays, same names): read at the start of a run,
    written back at its end."""

    key: np.ndarray
    sex: np.ndarray
    region: np.ndarray
    deps: np.ndarray
    age: np.ndarray
    status: np.ndarray
    sector: np.ndarray
    size: np.ndarray
    contract: np.ndarray
    wage: np.ndarray
    tenure: np.ndarray
    mask: np.ndarray
    imask: np.ndarray
    ring: np.ndarray
    ben_left: np.ndarray
    ben_k: np.ndarray
    ben_ir: np.ndarray
    nc_left: np.ndarray


class Market(NamedTuple):
    """The labour market's tables (``calibration.ModelTables``) the monthly kernel reads."""

    band_of_year: np.ndarray
    trans_thr: np.ndarray
    dest_code: np.ndarray
    sep_thr: np.ndarray
    sep_dest_cum: np.ndarray
    cause_codes: np.ndarray
    cause_cum: np.ndarray
    public_thr: np.int64
    size_cum: np.ndarray
    contract_codes: np.ndarray
    contract_cum: np.ndarray
    modal: np.ndarray
    wage_table: np.ndarray
    days_max: np.int64
    informal_invol_thr: np.int64
    poverty_line: np.int64


class Law(NamedTuple):
    """A design's coverage, claim and financing rules (``designs.DesignTables``), with the waiting
    period in force and the days of the benefit months (``engine.benefit_month_days``)."""

    cov_sector: np.ndarray
    cov_size: np.ndarray
    cov_contract: np.ndarray
    cause_ok: np.ndarray
    window: np.int64
    qualifying: np.int64
    reference: np.int64
    include_sep: bool
    divide_by_months: bool
    rmv_floor: bool
    rmv: np.int64
    waiting_law: np.int64
    registration_required: bool
    dur_min: np.ndarray
    dur_months: np.ndarray
    min_tenure: np.int64
    recent_months: np.int64
    recent_min: np.int64
    waiting_extra: np.int64
    takeup_thr: np.int64
    nc_amount: np.int64
    nc_months: np.int64
    nc_min_informal: np.int64
    nc_takeup_thr: np.int64
    contribution_rate: np.int64
    ref_offset: np.int64
    wait_eff: np.int64
    bdays: np.ndarray


class Amounts(NamedTuple):
    """A design's benefit formula (``designs.monthly_amount``): rates by month, floor, cap, brackets,
    fixed amount, dependants' supplement."""

    rates: np.ndarray
    floor: np.int64
    cap: np.int64
    br_upper: np.ndarray
    br_rate: np.ndarray
    fixed_amount: np.int64
    supplement: np.int64


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


@hot
def _amount(ir, k, deps, amounts):  # pragma: no cover - compiled
    """Benefit month *k* of a claimant with insurable remuneration *ir* (``designs.monthly_amount``)."""
    rates, floor, cap, br_upper, br_rate, fixed_amount, supplement = amounts
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
def run_kernel(t0, t1, burn_in, n_chunks, people, market, law, amounts, acc, mon, hist):  # pragma: no cover
    """Every person of *people* through months ``t0 .. t1 - 1``; chunk *c* of the persons adds into
    ``acc[c]``, ``mon[c]`` and ``hist[c]``."""
    n = people.key.shape[0]
    for c in prange(n_chunks):
        loc = np.zeros(12, dtype=np.int64)  # a person's running totals in the current cell
        _run_chunk(c, c * n // n_chunks, (c + 1) * n // n_chunks, t0, t1, burn_in, people, market, law, amounts,
                   acc, mon, hist, loc)


@njit(cache=True, nogil=True, _nrt=False)
def _run_chunk(c, lo, hi, t0, t1, burn_in, people, market, law, amounts, acc, mon, hist, loc):  # pragma: no cover
    """Persons ``lo .. hi - 1``, one after the other (a call per chunk: the tables are passed once)."""
    for i in range(lo, hi):
        _run_person(people, i, c, t0, t1, burn_in, market, law, amounts, acc, mon, hist, loc)


@inlined
def _run_person(people, i, c, t0, t1, burn_in, market, law, amounts, acc, mon, hist, loc):  # pragma: no cover
    """Person *i* through every month: the state is read once, kept in registers and written back."""
    p = people
    key, sex, region, deps = p.key[i], np.int64(p.sex[i]), np.int64(p.region[i]), p.deps[i]
    s = (np.int64(p.age[i]), np.int64(p.status[i]), np.int64(p.sector[i]), np.int64(p.size[i]),
         np.int64(p.contract[i]), np.int64(p.wage[i]), np.int64(p.tenure[i]), np.int64(p.mask[i]),
         np.int64(p.imask[i]), np.int64(p.ben_left[i]), np.int64(p.ben_k[i]), np.int64(p.ben_ir[i]),
         np.int64(p.nc_left[i]))
    cur = -1  # the group cell whose running totals are in *loc*
    r0 = np.uint64(0)
    for t in range(t0, t1):
        if (t & 1) == 0 or t == t0:
            r0 = _draw(key, t >> 1, 0)  # one 64-bit draw serves two months
        s, cur = _month(p.ring, i, c, t, burn_in, key, sex, region, deps, r0, s, cur, market, law, amounts,
                        acc, mon, hist, loc)
    if cur >= 0:
        _flush(acc, c, cur, loc)
    (p.age[i], p.status[i], p.sector[i], p.size[i], p.contract[i], p.wage[i], p.tenure[i], p.mask[i], p.imask[i],
     p.ben_left[i], p.ben_k[i], p.ben_ir[i], p.nc_left[i]) = s


@inlined
def _month(ring, i, c, t, burn_in, key, sex, region, deps, r0, s, cur, market, law, amounts,
           acc, mon, hist, loc):  # pragma: no cover - compiled
    """Month *t* of person *i*, in the order of ``engine.step_numpy``'s docstring. *s* is the state at
    the start of the month (age, status, sector, size, contract, wage, tenure, mask, imask, ben_left,
    ben_k, ben_ir, nc_left); returns the state at its end and the group cell of the running totals."""
    age, status, sector, size, contract, wage, tenure, mask, imask, ben_left, ben_k, ben_ir, nc_left = s
    measured = t >= burn_in
    mi = t - burn_in
    if age >= MAX_AGE:
        age, status, sector, size, contract, wage, tenure, mask, imask, ben_left, ben_k, ben_ir, nc_left = NEWCOMER
        for j in range(RING):
            ring[i, j] = 0
    band = market.band_of_year[min(age // 12, 69)]
    cell = ((sex * 5 + band) * 4 + region) * 5 + size
    if cell != cur:
        if cur >= 0:
            _flush(acc, c, cur, loc)
        cur = cell
    covered = status == 0 and law.cov_sector[sector] and law.cov_size[size] and law.cov_contract[contract]
    if measured:
        _count_month(status, covered, wage, contract, sector, market, law, c, mi, mon, loc)
    # history
    mask = ((mask << 1) | (1 if covered else 0)) & 0xFFFFFFFF
    imask = ((imask << 1) | (1 if status == 1 else 0)) & 0xFFF
    ring[i, t % RING] = wage if covered else 0
    # benefits in course
    pay, ben_left, ben_k = _pay_benefit(status, deps, ben_left, ben_k, ben_ir, amounts, measured, c, cell, mi,
                                        acc, mon, hist)
    pay, nc_left = _pay_noncontributory(status, pay, nc_left, law.nc_amount, measured, c, cell, mi, acc, mon)
    if measured and status == 2:
        g = market.poverty_line - pay
        loc[10] += g if g > 0 else 0
        loc[11] += market.poverty_line
    # transition at the end of the month
    u32 = np.int64((r0 >> np.uint64(32 * (t & 1))) & np.uint64(0xFFFFFFFF))
    hire = False
    new_status = status
    if status == 0:
        if u32 < market.sep_thr[1 if market.modal[contract] else 0]:
            new_status, ben_left, ben_k, ben_ir = _separate(
                ring, i, t, key, deps, sector, size, contract, tenure, mask, ben_left, ben_k, ben_ir,
                market, law, amounts, measured, c, cell, mi, acc, mon, hist)
            tenure = 0
            hire = new_status == 0
        else:
            tenure = tenure + 1 if tenure < 255 else 255
    else:
        new_status, nc_left = _move(key, t, u32, status, (sex * 4 + region) * 5 + band, imask, nc_left,
                                    market, law, measured, c, cell, acc)
        hire = new_status == 0
    if hire:
        if measured:
            acc[c, HIRES, cell] += 1
        sector, size, contract, wage = _new_job(key, t, sex, band, market)
        tenure = 0
    return (age + 1, new_status, sector, size, contract, wage, tenure, mask, imask, ben_left, ben_k, ben_ir,
            nc_left), cur


@hot
def _count_month(status, covered, wage, contract, sector, market, law, c, mi, mon, loc):  # pragma: no cover
    """The month's person-months by status and, for a formal month, its covered insurable pay
    (``rules.remuneration.insurable_base``) and contribution (``rules.financing``)."""
    loc[status] += 1
    if status == 0:
        base = 0
        if covered and wage > 0:
            base = law.rmv if (law.rmv_floor and law.rmv > wage) else wage
        con = _apply_rate(base, law.contribution_rate)
        if covered:
            loc[4] += 1
            mon[c, MCOV, mi] += 1
        loc[5] += base
        loc[6] += con
        loc[7] += wage
        if market.modal[contract]:
            loc[8] += 1
        if sector == 1:
            loc[9] += 1
        mon[c, MF, mi] += 1
        mon[c, MINS, mi] += base
        mon[c, MCON, mi] += con
    elif status == 2:
        mon[c, MU, mi] += 1


@hot
def _pay_benefit(status, deps, ben_left, ben_k, ben_ir, amounts, measured, c, cell, mi,
                 acc, mon, hist):  # pragma: no cover - compiled
    """The benefit in course: month 1 always, later months while unemployed or informal; a formal
    job or inactivity ends it for good. Returns (amount paid, months left, next month)."""
    pay = 0
    if ben_left > 0:
        if ben_k == 0 or status == 2 or status == 1:
            pay = _amount(ben_ir, ben_k, deps, amounts)
            if measured:
                acc[c, BMONTHS, cell] += 1
                acc[c, BPAID, cell] += pay
                acc[c, IRPAID, cell] += ben_ir
                hist[c, ben_k] += 1
                mon[c, MBEN, mi] += 1
                mon[c, MPAID, mi] += pay
            ben_k += 1
            ben_left -= 1
        else:
            ben_left = 0
    return pay, ben_left, ben_k


@hot
def _pay_noncontributory(status, pay, nc_left, nc_amount, measured, c, cell, mi, acc, mon):  # pragma: no cover
    """The art. 9 benefit in course, while unemployed or informal. Returns (paid in all, months left)."""
    if nc_left > 0:
        if status == 2 or status == 1:
            pay += nc_amount
            if measured:
                acc[c, NCMONTHS, cell] += 1
                acc[c, NCPAID, cell] += nc_amount
                mon[c, MNCB, mi] += 1
                mon[c, MNCP, mi] += nc_amount
            nc_left -= 1
        else:
            nc_left = 0
    return pay, nc_left


@inlined
def _separate(ring, i, t, key, deps, sector, size, contract, tenure, mask, ben_left, ben_k, ben_ir,
              market, law, amounts, measured, c, cell, mi, acc, mon, hist):  # pragma: no cover - compiled
    """A formal separation: its Tabla 17 cause and destination, and the claim decided at once.
    Returns (the new status, and the benefit in course: months left, next month, remuneration)."""
    r1 = _draw(key, t, 1)
    cls = 1 if market.modal[contract] else 0
    cause = market.cause_codes[_search(market.cause_cum[cls], np.int64(r1 & np.uint64(0xFFFF)))]
    dest = SEP_DEST_STATUS[_search(market.sep_dest_cum, np.int64(r1 >> np.uint64(48)))]
    days = -1  # days to the next job when the separation is job-to-job
    if dest == 0:
        days = np.int64((r1 >> np.uint64(16)) & np.uint64(0xFFFF)) % market.days_max
    registered = np.int64((r1 >> np.uint64(32)) & np.uint64(0xFFFF)) < law.takeup_thr
    inv, cov, elig, ir, nmonths = _decide_claim(ring, i, t, sector, size, contract, tenure, mask, cause, days,
                                                law, amounts.rates.shape[0])
    benef = elig and (registered or not law.registration_required)
    if measured:
        _count_claim(inv, cov, elig, benef, ir, c, cell, mi, acc, mon, hist)
    if benef and days >= 0:
        _pay_until_rehired(t, days, ir, nmonths, deps, law, amounts, measured, c, cell, mi, acc, mon, hist)
    elif benef:
        ben_left, ben_k, ben_ir = nmonths, 0, ir
    return dest, ben_left, ben_k, ben_ir


@inlined
def _decide_claim(ring, i, t, sector, size, contract, tenure, mask, cause, days, law, n_rates):  # pragma: no cover
    """The claim at a separation in month *t*, as ``rules.evaluate.evaluate_batch`` decides it: returns
    (involuntary, covered job, eligible but for registration, insurable remuneration, benefit months)."""
    shift = 0 if law.include_sep else 1
    m = mask >> shift
    count = _contribution_months(m, law.window, law.include_sep)
    ir = _insurable_remuneration(ring, i, t - shift - law.ref_offset, law.reference, law.rmv_floor, law.rmv,
                                 law.divide_by_months)
    cov = law.cov_sector[sector] and law.cov_size[size] and law.cov_contract[contract]
    inv = law.cause_ok[cause]
    qual = count >= law.qualifying
    # served when back at work after its last day (rules.waiting: a start on the last day leaves it
    # one day short)
    wait = days < 0 or days > law.waiting_law
    struct = tenure + 1 >= law.min_tenure and (days < 0 or law.waiting_extra == 0 or days > law.waiting_extra)
    if law.recent_months > 0 and _popcount(m & np.int64((1 << law.recent_months) - 1)) < law.recent_min:
        struct = False
    nmonths = n_rates
    if law.dur_min.shape[0] > 0:
        nmonths = 0
        for b in range(law.dur_min.shape[0]):
            if count >= law.dur_min[b]:
                nmonths = law.dur_months[b]
    elig = cov and inv and qual and wait and struct and nmonths > 0
    return inv, cov, elig, ir, nmonths


@hot
def _contribution_months(m, window, include_sep):  # pragma: no cover - compiled
    """Art. 7: the covered months in the window ending with bit 0 of *m*."""
    wmask = np.int64((1 << window) - 1) if window < 63 else np.int64(-1)
    count = _popcount(m & wmask)
    if include_sep:  # the window may slide back one month (rules.kernels: slide)
        c2 = _popcount((m >> 1) & wmask)
        if c2 > count:
            count = c2
    return count


@hot
def _insurable_remuneration(ring, i, last, reference, rmv_floor, rmv, divide_by_months):  # pragma: no cover
    """Art. 8: the average covered pay of the *reference* months ending with month *last*, half-up."""
    total = 0
    months_pay = 0
    for j in range(reference):
        p = ring[i, (last - j) % RING]
        if p > 0:
            total += rmv if (rmv_floor and rmv > p) else p
            months_pay += 1
    dv = months_pay if divide_by_months else reference
    return (2 * total + dv) // (2 * dv) if dv > 0 else 0


@hot
def _count_claim(inv, cov, elig, benef, ir, c, cell, mi, acc, mon, hist):  # pragma: no cover - compiled
    """A measured separation and its claim in the cell's accumulators."""
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


@hot
def _pay_until_rehired(t, days, ir, nmonths, deps, law, amounts, measured, c, cell, mi,
                       acc, mon, hist):  # pragma: no cover - compiled
    """A claimant back at work within *days*: the benefit days before the new job, pro rata of the
    benefit months (payments.schedule, issue 26 item 2), paid at the decision."""
    rem = days - law.wait_eff - 1
    k = 0
    while rem > 0 and k < nmonths and k < law.bdays.shape[1]:
        dk = law.bdays[t, k]
        full = _amount(ir, k, deps, amounts)
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


@hot
def _move(key, t, u32, status, ksr, imask, nc_left, market, law, measured, c, cell, acc):  # pragma: no cover
    """The month-end transition of a person not in formal work (row *ksr* of the thresholds); an informal
    job lost may open the art. 9 benefit. Returns (the new status, art. 9 months left)."""
    j = 0
    while j < 3 and u32 >= market.trans_thr[ksr, status, j]:
        j += 1
    if j == 3:
        return status, nc_left
    dest = market.dest_code[status, j]
    if status == 1 and dest == 2:
        if measured:
            acc[c, ILOSS, cell] += 1
        r3 = _draw(key, t, 3)
        if (law.nc_months > 0 and np.int64(r3 & np.uint64(0xFFFF)) < market.informal_invol_thr
                and _popcount(imask) >= law.nc_min_informal
                and np.int64((r3 >> np.uint64(16)) & np.uint64(0xFFFF)) < law.nc_takeup_thr):
            nc_left = law.nc_months
            if measured:
                acc[c, NCNEW, cell] += 1
    if status == 2 and dest != 3 and measured:
        acc[c, UEXITS, cell] += 1
        if dest == 0:
            acc[c, U2F, cell] += 1
    return dest, nc_left


@hot
def _new_job(key, t, sex, band, market):  # pragma: no cover - compiled
    """A formal job drawn at a hire in month *t*: (sector, size, contract, wage)."""
    r2 = _draw(key, t, 2)
    public = np.int64(r2 & np.uint64(0xFFFF)) < market.public_thr
    size = _search(market.size_cum, np.int64((r2 >> np.uint64(16)) & np.uint64(0xFFFF)))
    if public:
        size = 3
    contract = market.contract_codes[_search(market.contract_cum, np.int64((r2 >> np.uint64(32)) & np.uint64(0xFFFF)))]
    wage = market.wage_table[sex, band, 4 if public else size, np.int64(r2 >> np.uint64(56))]
    return (1 if public else 0), size, contract, wage


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
