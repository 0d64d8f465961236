"""The monthly step: labour transitions, contribution history, claims decided by the law, benefits.

Two engines run the same model and must agree exactly (tested):

* :func:`step_numpy` — the reference: one month for every person, vectorised numpy; separations
  are decided by :func:`seguro_desempleo.rules.evaluate.evaluate_batch` (the law's own code) and
  amounts by :func:`seguro_desempleo.rules.benefits.benefit_schedule`;
* :func:`run_fast` — a numba kernel that takes each person through all months in one pass
  (person-major, state in registers), with lookup tables taken from the same rules modules
  (``coverage.coverage_tables``, ``contingency.cause_table``, ``benefits.scaled_rates``).

Month *t* for one person (status at the start of the month):

1. age 70 → the person leaves and a 15-year-old takes the id (same sex, region, dependants);
2. accounting of the month by group cell (sex × age band × region × firm size): status, covered
   insurable pay (``rules.remuneration.insurable_base``) and contribution (``rules.financing``);
3. history: bit 0 of the ``uint32`` mask ← formal this month; the pay ring ← this month's pay;
4. benefit in course: month 1 is always paid (the waiting period was served unemployed); later
   months while unemployed or in informal work (the insurer cannot see informal work), stopping
   for good on a formal job or inactivity ("cinco meses continuos", art. 5); same for the art. 9
   benefit; poverty-gap proxy for the unemployed. A claimant back at work within days of the
   separation is paid, at the decision, the benefit days between the waiting period and the new
   job, pro rata of the benefit months as operations count them (issue 26 item 2:
   :func:`benefit_month_days`, ``payments.schedule``);
5. transition at the end of the month; a formal separation draws its Tabla 17 cause and
   destination and is decided as a claim at once (art. 7's window ends with the separation month
   by default); the benefit starts next month.

All arithmetic is integer; every random number is a counter-based draw (:mod:`.rng`).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from seguro_desempleo.parameters import Snapshot
from seguro_desempleo.rules.evaluate import ClaimBatch, evaluate_batch, history_length
from seguro_desempleo.rules.financing import contribution_due
from seguro_desempleo.rules.kernels import HAVE_NUMBA
from seguro_desempleo.rules.remuneration import insurable_base
from seguro_desempleo.simulation import rng
from seguro_desempleo.simulation.calibration import (
    AGE_BANDS,
    FORMAL,
    INACTIVE,
    INFORMAL,
    N_AGE,
    N_CELL,
    N_REGION,
    N_SIZE,
    SIZE_NONE,
    UNEMPLOYED,
    ModelTables,
)
from seguro_desempleo.simulation.designs import DesignTables, benefit_months, monthly_amount
from seguro_desempleo.simulation.population import RING, State, new_job, search16

ACC_NAMES: tuple[str, ...] = (
    "pm_formal", "pm_informal", "pm_unemployed", "pm_inactive",  # person-months by status
    "pm_covered",            # formal person-months in a covered job (art. 3)
    "insurable_pay",         # céntimos, covered months (art. 8 base)
    "contributions",         # céntimos due at financing.contribution_rate
    "formal_pay",            # céntimos, all formal months (calibration)
    "pm_temporary",          # formal months on a modal (fixed-term) contract
    "separations",           # formal separations
    "separations_involuntary",  # cause covered (art. 6)
    "separations_covered",   # covered job and covered cause
    "eligible",              # all requirements but registration (take-up denominator)
    "beneficiaries",         # new benefits awarded (claims)
    "benefit_months",        # monthly payments
    "benefit_paid",          # céntimos
    "ir_paid",               # Σ insurable remuneration over paid months (replacement rate)
    "nc_new", "nc_months", "nc_paid",  # art. 9 component
    "gap_with", "gap_without",  # poverty gap of the unemployed with / without benefits (céntimos)
    "hires_formal",          # entries into a formal job
    "unemployed_exits",      # unemployed → job
    "informal_losses",       # informal → unemployed
    "pm_public",             # formal person-months in the public sector
    "unemployed_to_formal",  # unemployed → formal job
)
A = {name: i for i, name in enumerate(ACC_NAMES)}
MON_NAMES: tuple[str, ...] = (
    "formal", "covered", "unemployed", "insurable_pay", "contributions", "claims", "beneficiaries",
    "benefit_paid", "nc_beneficiaries", "nc_paid", "separations_covered",
)
M = {name: i for i, name in enumerate(MON_NAMES)}
N_DUR = 12
"""hist[0:12]: payments by benefit month (1st, 2nd, ...)."""
IR_BIN, N_IR_BINS = 25_000, 48
"""hist[12:60]: new beneficiaries by insurable remuneration, bins of S/ 250 (last bin: S/ 11,750 and more)."""
N_ACC, N_MON, N_HIST = len(ACC_NAMES), len(MON_NAMES), N_DUR + N_IR_BINS
BAND_OF_YEAR = np.zeros(70, dtype=np.int64)
for _b, (_lo, _hi) in enumerate(AGE_BANDS):
    BAND_OF_YEAR[_lo:_hi + 1] = _b
BAND_OF_YEAR[:15] = 0
MAX_AGE = 70 * 12
ENTRY_AGE = 15 * 12
SIM_START = np.datetime64("2026-01", "M")


def new_accumulators(months: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    return (np.zeros((N_ACC, N_CELL), np.int64), np.zeros((N_MON, months), np.int64), np.zeros(N_HIST, np.int64))


def cell_of(sex: np.ndarray, age: np.ndarray, region: np.ndarray, size: np.ndarray) -> npt.NDArray[np.int64]:
    band = BAND_OF_YEAR[np.minimum(age.astype(np.int64) // 12, 69)]
    return (((sex.astype(np.int64) * N_AGE + band) * N_REGION + region) * N_SIZE + size).astype(np.int64)


def _popcount(x: np.ndarray) -> npt.NDArray[np.int64]:
    return np.bitwise_count(x).astype(np.int64)


def _add(row: np.ndarray, cell: np.ndarray, weights: np.ndarray | None = None) -> None:
    if weights is None:
        row += np.bincount(cell, minlength=row.shape[0])
    else:
        np.add.at(row, cell, weights.astype(np.int64))


def effective_waiting(d: DesignTables) -> int:
    """Days of waiting before the benefit starts: the law's (art. 7) or a design's longer one."""
    return max(int(d.waiting_law), int(d.waiting_extra))


_MONTH_DAYS: dict[tuple[int, int, int], np.ndarray] = {}
_MONTH_ROWS: dict[tuple[int, int, int], np.ndarray] = {}


def benefit_month_row(t: int, waiting: int, months: int) -> npt.NDArray[np.int64]:
    """Row *t* of :func:`benefit_month_days`, computed once per (month, waiting, months): the numpy step
    asks for one row a month (it used to rebuild the whole table up to *t* each month, O(T²) date
    arithmetic that dominated a cold run's overhead)."""
    import datetime as _dt

    from seguro_desempleo.payments.schedule import benefit_month_dates, benefit_start

    key = (t, waiting, months)
    got = _MONTH_ROWS.get(key)
    if got is not None:
        return got
    out = np.zeros(max(months, 1), dtype=np.int64)
    sep = (SIM_START + t).astype("datetime64[D]").astype(_dt.date) + _dt.timedelta(days=14)
    start = benefit_start(sep + _dt.timedelta(days=waiting))
    for k in range(months):
        first, last = benefit_month_dates(start, k + 1)
        out[k] = (last - first).days + 1
    _MONTH_ROWS[key] = out
    return out


def benefit_month_days(t1: int, waiting: int, months: int) -> npt.NDArray[np.int64]:
    """Days of benefit months 1..*months* for a separation in each simulated month 0..t1-1 (on the
    15th): months from the day after the waiting period, as operations count them
    (``payments.schedule.benefit_month_dates``, issue 26 item 2). Shape ``(t1, months)``."""
    key = (t1, waiting, months)
    got = _MONTH_DAYS.get(key)
    if got is not None:
        return got
    out = np.zeros((max(t1, 1), max(months, 1)), dtype=np.int64)
    for t in range(t1):
        out[t] = benefit_month_row(t, waiting, months)
    _MONTH_DAYS[key] = out
    return out


def prorate_months(full: npt.NDArray[np.int64], days_out: npt.NDArray[np.int64], row: npt.NDArray[np.int64],
                   months: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """What each claimant back at work is paid per benefit month: ``full[:, k]`` (the month's whole
    amount) × the days out of work in benefit month *k* / its days ``row[k]``, half-up; 0 from the
    month the new job starts in (``days_out`` = days between the waiting period and the new job).
    The compiled kernel does the same arithmetic inline (engine parity); the operations' schedule
    is ``payments.schedule.plan_installments`` (parity tested)."""
    n, k_max = full.shape
    out = np.zeros((n, k_max), dtype=np.int64)
    rem = np.asarray(days_out, dtype=np.int64).copy()
    for k in range(min(k_max, row.shape[0])):
        go = (rem > 0) & (k < months)
        dk = int(row[k])
        part = np.minimum(rem, dk)
        out[:, k] = np.where(go, (2 * full[:, k] * part + dk) // (2 * dk), 0)
        rem = rem - dk
    return out


def decide_claims(st: State, idx: np.ndarray, t: int, cause: np.ndarray, days: np.ndarray,
                  registered: np.ndarray, d: DesignTables, snap: Snapshot
                  ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Decide the claims of the persons *idx* separating in month *t* with the law's own code.

    Returns (involuntary, covered & involuntary, eligible but for registration, beneficiary,
    insurable remuneration, benefit months).
    """
    n = idx.shape[0]
    shift = 0 if d.include_sep else 1
    h = history_length(snap)
    mask = st.mask[idx].astype(np.uint64)
    pay = np.zeros((n, h), dtype=np.int64)
    for c in range(h):
        j = shift + (h - 1 - c)  # bit j of the mask = month t - j
        if j <= RING - 1:
            pay[:, c] = st.ring[idx, (t - j) % RING]
        elif j < 32:
            pay[:, c] = ((mask >> np.uint64(j)) & np.uint64(1)).astype(np.int64)  # counted, not averaged
    sep = (SIM_START + t).astype("datetime64[D]") + np.timedelta64(14, "D")
    sep_dates = np.full(n, sep, dtype="datetime64[D]")
    reemp = np.where(days >= 0, sep_dates + days.astype("timedelta64[D]"), np.datetime64("NaT", "D"))
    batch = ClaimBatch(
        separation_date=sep_dates, claim_date=(sep_dates + np.timedelta64(30, "D")).astype("datetime64[D]"),
        termination_cause=cause.astype(np.int64), employer_size=st.size[idx].astype(np.int64),
        sector=st.sector[idx].astype(np.int64), contract_type=st.contract[idx].astype(np.int64),
        registered=registered, pay=pay, declared=pay > 0, paid=np.ones((n, h), dtype=bool),
        rmv=np.full(h, d.rmv, dtype=np.int64), window_end_month=np.full(n, t - shift, dtype=np.int64),
        reemployment_date=reemp,
    )
    res = evaluate_batch(batch, snap, fast=False)
    m = mask >> np.uint64(shift)
    struct = ((st.tenure[idx].astype(np.int64) + 1 >= d.min_tenure)
              & ((days < 0) | (d.waiting_extra == 0) | (days > d.waiting_extra)))  # as the law's period
    if d.recent_months > 0:
        recent = m & np.uint64((1 << d.recent_months) - 1)
        struct &= _popcount(recent) >= d.recent_min
    months = benefit_months(res.contributions_in_window, d)
    elig = res.covered & res.contingency & res.contributions_met & res.waiting_met & struct & (months > 0)
    benef = elig & res.registration_met
    return (res.contingency, res.covered & res.contingency, elig, benef, res.insurable_remuneration, months)


def step_numpy(st: State, t: int, model: ModelTables, d: DesignTables, snap: Snapshot,
               acc: np.ndarray, mon: np.ndarray, hist: np.ndarray, burn_in: int) -> None:
    """Advance every person of *st* through month *t* (the reference engine), in the order of the
    module's docstring."""
    measured = t >= burn_in
    mi = t - burn_in
    _retire(st)
    status = st.status.astype(np.int64)
    cell = cell_of(st.sex, st.age, st.region, st.size)
    r0 = rng.draw_np(st.key, t >> 1, rng.STREAM_MAIN)  # one 64-bit draw serves two months
    is_i = status == INFORMAL
    is_u = status == UNEMPLOYED
    fi = np.nonzero(status == FORMAL)[0]
    covered_f = (d.cov_sector[st.sector[fi]] & d.cov_size[st.size[fi]] & d.cov_contract[st.contract[fi]])
    if measured:
        _count_month(st, status, cell, fi, covered_f, is_u, model, d, snap, acc, mon, mi)
    _record_history(st, t, fi, covered_f, is_i)
    pay = _pay_in_course(st, cell, is_u | is_i, d, snap, measured, acc, mon, hist, mi)
    if measured:  # the poverty gap of the unemployed, with and without the benefits
        ui = np.nonzero(is_u)[0]
        _add(acc[A["gap_with"]], cell[ui], np.maximum(0, model.poverty_line - pay[ui]))
        _add(acc[A["gap_without"]], cell[ui], np.full(ui.shape[0], model.poverty_line, dtype=np.int64))

    # transitions at the end of the month
    u32 = ((r0 >> np.uint64(32 * (t & 1))) & np.uint64(0xFFFFFFFF)).astype(np.int64)
    new_status = status.copy()
    hire = np.zeros(len(st), dtype=bool)
    _end_formal_month(st, t, fi, u32[fi], cell, new_status, hire, model, d, snap, measured, acc, mon, hist, mi)
    _move_others(st, t, np.nonzero(status != FORMAL)[0], status, u32, cell, new_status, hire, model, d,
                 measured, acc)
    _hire(st, t, np.nonzero(hire)[0], cell, model, measured, acc)
    st.status[:] = new_status.astype(np.int8)
    st.age += 1


def _retire(st: State) -> None:
    """Age 70: the person leaves and a 15-year-old takes the id (same sex, region, dependants)."""
    old = st.age >= MAX_AGE
    if old.any():
        st.age[old] = ENTRY_AGE
        st.status[old] = INACTIVE
        for name in ("sector", "contract", "tenure", "ben_left", "ben_k", "nc_left"):
            getattr(st, name)[old] = 0
        st.size[old] = SIZE_NONE
        st.wage[old] = 0
        st.ben_ir[old] = 0
        st.mask[old] = 0
        st.imask[old] = 0
        st.ring[old] = 0


def _count_month(st: State, status: np.ndarray, cell: np.ndarray, fi: np.ndarray, covered_f: np.ndarray,
                 is_u: np.ndarray, model: ModelTables, d: DesignTables, snap: Snapshot, acc: np.ndarray,
                 mon: np.ndarray, mi: int) -> None:
    """The month by group cell: person-months by status; for the formal persons *fi*, the covered
    insurable pay (``rules.remuneration.insurable_base``) and contribution (``rules.financing``)."""
    # person-months by status: one bincount over (status, cell) for the four consecutive rows
    p0 = A["pm_formal"]
    acc[p0:p0 + 4] += np.bincount(status * N_CELL + cell, minlength=4 * N_CELL).reshape(4, N_CELL)
    cf = cell[fi]
    base = insurable_base(st.wage[fi], d.rmv, snap)
    base = np.where(covered_f, base, 0)
    contrib = contribution_due(base, snap).total
    _add(acc[A["pm_covered"]], cf[covered_f])
    _add(acc[A["insurable_pay"]], cf, base)
    _add(acc[A["contributions"]], cf, contrib)
    _add(acc[A["formal_pay"]], cf, st.wage[fi])
    _add(acc[A["pm_temporary"]], cf[model.modal[st.contract[fi]]])
    _add(acc[A["pm_public"]], cf[st.sector[fi] == 1])
    mon[M["formal"], mi] += fi.shape[0]
    mon[M["covered"], mi] += int(covered_f.sum())
    mon[M["unemployed"], mi] += int(is_u.sum())
    mon[M["insurable_pay"], mi] += int(base.sum())
    mon[M["contributions"], mi] += int(contrib.sum())


def _record_history(st: State, t: int, fi: np.ndarray, covered_f: np.ndarray, is_i: np.ndarray) -> None:
    """Bit 0 of the contribution mask ← a covered month (art. 3: only a covered job's month is an
    aportación), of the informal mask ← an informal month; the pay ring ← the covered pay."""
    cov_all = np.zeros(st.status.shape[0], dtype=bool)
    cov_all[fi] = covered_f
    st.mask[:] = (((st.mask.astype(np.uint64) << np.uint64(1)) | cov_all.astype(np.uint64))
                  & np.uint64(0xFFFFFFFF)).astype(np.uint32)
    st.imask[:] = (((st.imask.astype(np.uint32) << 1) | is_i.astype(np.uint32)) & 0xFFF).astype(np.uint16)
    st.ring[:, t % RING] = np.where(cov_all, st.wage, 0)


def _pay_in_course(st: State, cell: np.ndarray, out_of_work: np.ndarray, d: DesignTables, snap: Snapshot,
                   measured: bool, acc: np.ndarray, mon: np.ndarray, hist: np.ndarray, mi: int
                   ) -> npt.NDArray[np.int64]:
    """The benefits in course (month 1 always, later months while unemployed or informal, stopping for
    good otherwise; the art. 9 benefit while unemployed or informal). Returns each person's pay."""
    pay = np.zeros(len(st), dtype=np.int64)
    due = st.ben_left > 0
    go = due & ((st.ben_k == 0) | out_of_work)
    st.ben_left[due & ~go] = 0
    gi = np.nonzero(go)[0]
    if gi.shape[0]:
        k = st.ben_k[gi].astype(np.int64)
        amt = monthly_amount(st.ben_ir[gi], k, st.deps[gi], d, snap)
        pay[gi] = amt
        if measured:
            cg = cell[gi]
            _add(acc[A["benefit_months"]], cg)
            _add(acc[A["benefit_paid"]], cg, amt)
            _add(acc[A["ir_paid"]], cg, st.ben_ir[gi])
            hist[:N_DUR] += np.bincount(k, minlength=N_DUR)[:N_DUR]
            mon[M["beneficiaries"], mi] += gi.shape[0]
            mon[M["benefit_paid"], mi] += int(amt.sum())
        st.ben_k[gi] += 1
        st.ben_left[gi] -= 1
    ncdue = st.nc_left > 0
    ncgo = ncdue & out_of_work
    st.nc_left[ncdue & ~ncgo] = 0
    ni = np.nonzero(ncgo)[0]
    if ni.shape[0]:
        pay[ni] += d.nc_amount
        if measured:
            _add(acc[A["nc_months"]], cell[ni])
            _add(acc[A["nc_paid"]], cell[ni], np.full(ni.shape[0], d.nc_amount, dtype=np.int64))
            mon[M["nc_beneficiaries"], mi] += ni.shape[0]
            mon[M["nc_paid"], mi] += ni.shape[0] * d.nc_amount
        st.nc_left[ni] -= 1
    return pay


def _end_formal_month(st: State, t: int, fi: np.ndarray, u32f: np.ndarray, cell: np.ndarray,
                      new_status: np.ndarray, hire: np.ndarray, model: ModelTables, d: DesignTables,
                      snap: Snapshot, measured: bool, acc: np.ndarray, mon: np.ndarray, hist: np.ndarray,
                      mi: int) -> None:
    """The formal persons *fi* at the end of the month: a month more of tenure, or a separation with its
    Tabla 17 cause and destination, decided as a claim at once (the benefit starts next month)."""
    cls = model.modal[st.contract[fi]].astype(np.int64)
    sep_f = u32f < model.sep_thr[cls]
    si = fi[sep_f]
    stay = fi[~sep_f]
    st.tenure[stay] = np.minimum(st.tenure[stay] + 1, 255)
    if not si.shape[0]:
        return
    cause, dest, days, registered = _separation_draws(st.key[si], t, cls[sep_f], model, d)
    invol, cov_inv, elig, benef, ir, months = decide_claims(st, si, t, cause, days, registered, d, snap)
    if measured:
        cs = cell[si]
        _add(acc[A["separations"]], cs)
        _add(acc[A["separations_involuntary"]], cs[invol])
        _add(acc[A["separations_covered"]], cs[cov_inv])
        _add(acc[A["eligible"]], cs[elig])
        _add(acc[A["beneficiaries"]], cs[benef])
        mon[M["claims"], mi] += int(benef.sum())
        hist[N_DUR:] += np.bincount(np.minimum(ir[benef] // IR_BIN, N_IR_BINS - 1), minlength=N_IR_BINS)
        mon[M["separations_covered"], mi] += int(cov_inv.sum())
    direct = benef & (days >= 0)
    later = benef & ~direct
    bi = si[later]
    st.ben_left[bi] = months[later]
    st.ben_k[bi] = 0
    st.ben_ir[bi] = ir[later]
    di = np.nonzero(direct)[0]
    if measured and di.shape[0]:
        _count_paid_until_rehired(st, t, si, di, days, ir, months, cell, d, snap, acc, mon, hist, mi)
    new_status[si] = dest
    st.tenure[si] = 0
    hire[si[dest == FORMAL]] = True


def _separation_draws(key: np.ndarray, t: int, cls: np.ndarray, model: ModelTables, d: DesignTables
                      ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """A separation's draws: (Tabla 17 cause by contract class *cls*, destination status, days to the
    next job (-1 unless job-to-job), registered)."""
    r1 = rng.draw_np(key, t, rng.STREAM_SEPARATION)
    c16 = r1 & np.uint64(0xFFFF)
    ci = np.where(cls == 1, search16(model.cause_cum[1], c16), search16(model.cause_cum[0], c16))
    cause = model.cause_codes[ci]
    dest = np.array([FORMAL, UNEMPLOYED, INFORMAL, INACTIVE], dtype=np.int64)[search16(model.sep_dest_cum,
                                                                                         r1 >> np.uint64(48))]
    days = np.where(dest == FORMAL, ((r1 >> np.uint64(16)) & np.uint64(0xFFFF)).astype(np.int64) % model.days_max,
                    -1)
    registered = ((r1 >> np.uint64(32)) & np.uint64(0xFFFF)).astype(np.int64) < d.takeup_thr
    return cause, dest, days, registered


def _count_paid_until_rehired(st: State, t: int, si: np.ndarray, di: np.ndarray, days: np.ndarray,
                              ir: np.ndarray, months: np.ndarray, cell: np.ndarray, d: DesignTables,
                              snap: Snapshot, acc: np.ndarray, mon: np.ndarray, hist: np.ndarray, mi: int) -> None:
    """The claimants ``si[di]`` back at work within days: the benefit days between the waiting period and
    the new job, pro rata of the benefit months (issue 26 item 2), paid at the decision."""
    row = benefit_month_row(t, effective_waiting(d), len(d.rates))
    rem = days[di] - effective_waiting(d) - 1
    kk = row.shape[0]
    full = np.stack([monthly_amount(ir[di], np.full(di.shape[0], kb, dtype=np.int64), st.deps[si[di]], d, snap)
                     for kb in range(kk)], axis=1)
    amts = prorate_months(full, rem, row, months[di])
    for kb in range(kk):
        go = (rem - int(row[:kb].sum()) > 0) & (kb < months[di])
        if not go.any():
            break
        idx = di[go]
        dk = int(row[kb])
        part = np.minimum(rem[go] - int(row[:kb].sum()), dk)
        cg = cell[si[idx]]
        _add(acc[A["benefit_months"]], cg)
        _add(acc[A["benefit_paid"]], cg, amts[go, kb])
        _add(acc[A["ir_paid"]], cg, (2 * ir[idx] * part + dk) // (2 * dk))  # the months' share
        hist[kb] += idx.shape[0]
        mon[M["beneficiaries"], mi] += idx.shape[0]
        mon[M["benefit_paid"], mi] += int(amts[go, kb].sum())


def _move_others(st: State, t: int, oi: np.ndarray, status: np.ndarray, u32: np.ndarray, cell: np.ndarray,
                 new_status: np.ndarray, hire: np.ndarray, model: ModelTables, d: DesignTables, measured: bool,
                 acc: np.ndarray) -> None:
    """The persons *oi* not in formal work at the end of the month: the calibrated transitions; an
    informal job lost may open the art. 9 benefit."""
    if not oi.shape[0]:
        return
    band = BAND_OF_YEAR[np.minimum(st.age[oi].astype(np.int64) // 12, 69)]
    k = (st.sex[oi].astype(np.int64) * N_REGION + st.region[oi]) * N_AGE + band
    so = status[oi]
    flat = model.trans_thr.reshape(-1, 3)  # one 1-D gather per threshold (cheaper than a 2-D fancy index)
    row = k * model.trans_thr.shape[1] + so
    uo = u32[oi]
    j = ((uo >= flat[:, 0][row]).astype(np.int64) + (uo >= flat[:, 1][row]) + (uo >= flat[:, 2][row]))
    moving = j < 3
    dest = model.dest_code[so, np.minimum(j, 2)]
    mv = oi[moving]
    new_status[mv] = dest[moving]
    hire[mv[dest[moving] == FORMAL]] = True
    lost = mv[(so[moving] == INFORMAL) & (dest[moving] == UNEMPLOYED)]
    uexit = mv[(so[moving] == UNEMPLOYED) & (dest[moving] != INACTIVE)]
    if measured:
        _add(acc[A["informal_losses"]], cell[lost])
        _add(acc[A["unemployed_exits"]], cell[uexit])
        _add(acc[A["unemployed_to_formal"]], cell[mv[(so[moving] == UNEMPLOYED) & (dest[moving] == FORMAL)]])
    if d.nc_months > 0 and lost.shape[0]:
        r3 = rng.draw_np(st.key[lost], t, rng.STREAM_INFORMAL)
        ok = (((r3 & np.uint64(0xFFFF)).astype(np.int64) < model.informal_invol_thr)
              & (_popcount(st.imask[lost]) >= d.nc_min_informal)
              & (((r3 >> np.uint64(16)) & np.uint64(0xFFFF)).astype(np.int64) < d.nc_takeup_thr))
        li = lost[ok]
        st.nc_left[li] = d.nc_months
        if measured:
            _add(acc[A["nc_new"]], cell[li])


def _hire(st: State, t: int, hi: np.ndarray, cell: np.ndarray, model: ModelTables, measured: bool,
          acc: np.ndarray) -> None:
    """The persons *hi* entering a formal job: its sector, size, contract and wage drawn."""
    if not hi.shape[0]:
        return
    if measured:
        _add(acc[A["hires_formal"]], cell[hi])
    hband = BAND_OF_YEAR[np.minimum(st.age[hi].astype(np.int64) // 12, 69)]
    sector, size, contract, wage = new_job(model, rng.draw_np(st.key[hi], t, rng.STREAM_JOB), st.sex[hi], hband)
    st.sector[hi] = sector
    st.size[hi] = size
    st.contract[hi] = contract
    st.wage[hi] = wage
    st.tenure[hi] = 0


def run_numpy(st: State, t0: int, t1: int, burn_in: int, model: ModelTables, d: DesignTables, snap: Snapshot,
              acc: np.ndarray, mon: np.ndarray, hist: np.ndarray) -> None:
    for t in range(t0, t1):
        step_numpy(st, t, model, d, snap, acc, mon, hist, burn_in)


if HAVE_NUMBA:
    from seguro_desempleo.simulation._kernel import Amounts, Law, Market, People, run_kernel


def kernel_tables(t1: int, model: ModelTables, d: DesignTables) -> tuple[Market, Law, Amounts]:
    """The model and the design as the compiled kernel reads them (integers as ``np.int64``, flags as
    ``bool``: the same types on every call, so one compiled specialisation serves every design)."""
    i64 = np.int64
    market = Market(
        BAND_OF_YEAR, model.trans_thr, model.dest_code, model.sep_thr, model.sep_dest_cum, model.cause_codes,
        model.cause_cum, i64(model.public_thr), model.size_cum, model.contract_codes, model.contract_cum,
        model.modal, model.wage_table, i64(model.days_max), i64(model.informal_invol_thr), i64(model.poverty_line))
    wait = effective_waiting(d)
    law = Law(
        d.cov_sector, d.cov_size, d.cov_contract, d.cause_ok, i64(d.window), i64(d.qualifying), i64(d.reference),
        bool(d.include_sep), bool(d.divide_by_months), bool(d.rmv_floor), i64(d.rmv), i64(d.waiting_law),
        bool(d.registration_required), d.dur_min, d.dur_months, i64(d.min_tenure), i64(d.recent_months),
        i64(d.recent_min), i64(d.waiting_extra), i64(d.takeup_thr), i64(d.nc_amount), i64(d.nc_months),
        i64(d.nc_min_informal), i64(d.nc_takeup_thr), i64(d.contribution_rate), i64(d.ref_offset), i64(wait),
        benefit_month_days(t1, wait, len(d.rates)))
    amounts = Amounts(d.rates, i64(d.floor), i64(d.cap), d.br_upper, d.br_rate, i64(d.fixed_amount),
                      i64(d.supplement))
    return market, law, amounts


def run_fast(st: State, t0: int, t1: int, burn_in: int, model: ModelTables, d: DesignTables,
             acc: np.ndarray, mon: np.ndarray, hist: np.ndarray, chunks: int = 64) -> None:
    """Advance every person through months ``t0 .. t1 - 1`` in one compiled pass (same result)."""
    if not HAVE_NUMBA:  # pragma: no cover
        raise RuntimeError("numba is not installed; use the numpy engine")
    n = len(st)
    chunks = max(1, min(chunks, n))
    a = np.zeros((chunks, N_ACC, N_CELL), np.int64)
    m = np.zeros((chunks, N_MON, mon.shape[1]), np.int64)
    h = np.zeros((chunks, N_HIST), np.int64)
    run_kernel(np.int64(t0), np.int64(t1), np.int64(burn_in), np.int64(chunks), People(**st.arrays()),
               *kernel_tables(t1, model, d), a, m, h)
    acc += a.sum(axis=0)
    mon += m.sum(axis=0)
    hist += h.sum(axis=0)
