"""The bulk twin of the claim's reading of a history (issue 26): the months the law counts for
many workers at once — post-termination pay left out, art. 3 by month, the charged base, the
subsidised months — and the re-employment starts, for batch decisions (``claims auto-decide``)
and any simulation fed from the database. Moved out of :mod:`seguro_desempleo.storage.history`
(issue 24: no file over 600 lines), which still answers these names."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from sqlalchemy import Connection, bindparam, select, text
from sqlalchemy.orm import Session

from seguro_desempleo.parameters import ParameterSet
from seguro_desempleo.periods import first_day, period_of
from seguro_desempleo.rules.evaluate import ContributionMonth
from seguro_desempleo.storage.history import (
    BoolArray,
    HistoryArrays,
    IntArray,
    _conn,
    _contracts_at,
    _day,
    chunks,
)

# --------------------------------------------------------------------------------------------
# Issue 26 for the bulk path: the same months the claim counts, for many workers at once


_EMPLOYER_MONTHS_BULK = text(
    "SELECT c.worker_id, c.period, d.employer_id, e.sector, SUM(c.insurable_pay), "
    "MAX(CASE WHEN (SELECT COALESCE(SUM(p.amount), 0) FROM employer_payment p WHERE p.employer_id = d.employer_id "
    "AND p.period = d.period) >= d.total_due THEN 1 ELSE 0 END) "
    "FROM contribution c JOIN declaration d ON d.id = c.declaration_id JOIN employer e ON e.id = d.employer_id "
    "WHERE c.worker_id IN :ids AND d.status = 'active' AND c.period BETWEEN :a AND :b "
    "GROUP BY c.worker_id, c.period, d.employer_id, e.sector").bindparams(bindparam("ids", expanding=True))
_PERIODS_BULK = text(
    "SELECT worker_id, employer_id, start_date, end_date, contract_type FROM employment_period "
    "WHERE worker_id IN :ids ORDER BY worker_id, start_date, id").bindparams(bindparam("ids", expanding=True))
_CONTRACTS_BULK = text(
    "SELECT worker_id, employer_id, recorded_on, contract_type FROM worker_contract "
    "WHERE worker_id IN :ids ORDER BY worker_id, recorded_on, id").bindparams(bindparam("ids", expanding=True))

Period = tuple[int, dt.date | None, dt.date | None, str | None]
"""A T-Registro period: (employer, start, end, Tabla 12 contract or ``None``)."""
Spans = dict[int, list[tuple[dt.date, dt.date | None]]]
"""employer → the worker's T-Registro periods with that employer (start, end)."""


def employment_periods_bulk(session: Session | Connection, worker_ids: Sequence[int]) -> dict[int, list[Period]]:
    """worker → the worker's T-Registro periods, by start date (then id, as
    :func:`~seguro_desempleo.storage.history.contract_types_by_month` reads them): one query per
    20,000 workers, the ids bound."""
    out: dict[int, list[Period]] = {}
    for part in chunks(worker_ids):
        for w, e, start, end, ctype in _conn(session).execute(_PERIODS_BULK, {"ids": part}).all():
            out.setdefault(int(w), []).append((int(e), _day(start), _day(end), ctype))
    return out


def spans_of(periods: Sequence[Period]) -> Spans:
    """A worker's periods (:func:`employment_periods_bulk`) as employer → (start, end)."""
    out: Spans = {}
    for e, start, end, _ in periods:
        assert start is not None
        out.setdefault(e, []).append((start, end))
    return out


def worker_contracts_bulk(session: Session | Connection,
                          worker_ids: Sequence[int]) -> dict[int, dict[int, list[tuple[dt.date, str]]]]:
    """worker → employer → the contracts its Estructura 5 ``.tra`` files recorded (day recorded,
    Tabla 12 code), oldest first: the other half of what
    :func:`~seguro_desempleo.storage.history.contract_types_by_month` reads, for many workers."""
    out: dict[int, dict[int, list[tuple[dt.date, str]]]] = {}
    for part in chunks(worker_ids):
        for w, e, day, ctype in _conn(session).execute(_CONTRACTS_BULK, {"ids": part}).all():
            recorded = _day(day)
            assert recorded is not None
            out.setdefault(int(w), {}).setdefault(int(e), []).append((recorded, str(ctype)))
    return out


def contract_types_bulk(session: Session | Connection, wanted: Mapping[int, tuple[Sequence[int], Sequence[int]]],
                        periods: Mapping[int, Sequence[Period]] | None = None) -> dict[int, dict[tuple[int, int], str | None]]:
    """:func:`~seguro_desempleo.storage.history.contract_types_by_month` of many workers at once
    (*wanted*: worker → (employer ids, months)): the same rule on the same rows, read set-based —
    the periods (unless given, as :func:`employment_periods_bulk` reads them) and the ``.tra``
    records in one query per 20,000 workers instead of two per worker."""
    ids = sorted(w for w, (employers, months) in wanted.items() if employers and months)
    if periods is None:
        periods = employment_periods_bulk(session, ids)
    tra = worker_contracts_bulk(session, ids)
    out: dict[int, dict[tuple[int, int], str | None]] = {w: {} for w in wanted}
    for w in ids:
        employers, months = wanted[w]
        out[w] = _contracts_at(periods.get(w, ()), tra.get(w, {}), employers, months)
    return out


@dataclass
class LawHistoryArrays(HistoryArrays):
    """:class:`HistoryArrays` as the law counts them (issue 26): ``pay`` is a covered month's charged
    base (each covered employer's pay floored at the RMV, summed) or, in a month with no covered
    employer, the declared pay; ``counted`` is False where no employer was inside the phase in
    force (art. 3) under a covered contract; ``subsidised`` marks EsSalud-subsidised months. A
    month whose only pay is a former employer's after its period ended is not declared at all
    (``rules.post_termination``). Row *i* equals what the claim reads for worker *i*
    (``SqlHistoryProvider.contributions``) over the same months."""

    counted: BoolArray = None  # type: ignore[assignment]
    subsidised: BoolArray = None  # type: ignore[assignment]

    def __post_init__(self) -> None:
        if self.counted is None:        # every month counted until the law says otherwise
            self.counted = np.ones(self.pay.shape, dtype=bool)
        if self.subsidised is None:
            self.subsidised = np.zeros(self.pay.shape, dtype=bool)

    def contribution_months(self, i: int) -> tuple[ContributionMonth, ...]:
        """Row *i* as the claim's ``ContributionMonth`` tuple (declared months, oldest first)."""
        return tuple(ContributionMonth(int(self.months[j]), int(self.pay[i, j]), bool(self.paid[i, j]),
                                       covered=bool(self.counted[i, j]), subsidised=bool(self.subsidised[i, j]))
                     for j in np.flatnonzero(self.declared[i]))


EmployerMonth = tuple[int, int, str, int, bool]
"""(month, employer, sector, declared pay, paid in full) of one worker."""


def charged_history_bulk(session: Session | Connection, worker_ids: Sequence[int] | IntArray, first_month: int,
                         last_month: int, params: ParameterSet, *, chunk: int = 20_000) -> LawHistoryArrays:
    """The histories of many workers as the law counts them — the bulk twin of the claim's reading
    (post-termination pay left out, then ``charged_months``'s art. 3 by month and charged base),
    for batch decisions and any simulation fed from the database. Set-based: one query per *chunk*
    workers for the pay, the T-Registro periods (spans and contracts), the ``.tra`` contracts and
    the subsidies, one for the sizes — never a query per worker (a national population)."""
    from seguro_desempleo.storage.employer_sizes import sizes_by_month

    out = LawHistoryArrays.zeros(worker_ids, first_month, last_month)
    conn = _conn(session)
    rows_by_worker: dict[int, list[EmployerMonth]] = {}
    for part in chunks(out.worker_ids, chunk):
        for w, p, e, sector, s, pd in conn.execute(_EMPLOYER_MONTHS_BULK,
                                                   {"ids": part, "a": first_month, "b": last_month}).all():
            rows_by_worker.setdefault(int(w), []).append((int(p), int(e), str(sector), int(s), bool(pd)))
    workers = sorted(rows_by_worker)
    periods = employment_periods_bulk(conn, workers)
    kept_by_worker = {w: kept for w, rows in rows_by_worker.items()
                      if (kept := _with_a_job(rows, spans_of(periods.get(w, ()))))}
    contracts = contract_types_bulk(conn, {w: (sorted({e for _, e, _, _, _ in kept}), sorted({p for p, *_ in kept}))
                                           for w, kept in kept_by_worker.items()}, periods)
    employers = sorted({e for rows in rows_by_worker.values() for _, e, _, _, _ in rows})
    months = sorted({p for rows in rows_by_worker.values() for p, _, _, _, _ in rows})
    sizes = sizes_by_month(conn, employers, months)
    sub = _subsidised_bulk(conn, workers, first_month, last_month)
    rmv = {int(p): int(r) for p, r in zip(months, params.monthly_series("economy.rmv", months), strict=True)} \
        if months else {}
    row_of = out.row_of()
    for w, kept in kept_by_worker.items():
        _charge_row(out, row_of[w], kept, sizes, contracts[w], sub.get(w, set()), rmv, params)
    return out


def _with_a_job(rows: Sequence[EmployerMonth], spans: Spans) -> list[EmployerMonth]:
    """A worker's employer-months without the months whose only pay is a former employer's after
    its period ended (``rules.post_termination``)."""
    from seguro_desempleo.rules.post_termination import months_without_a_job

    total: dict[int, int] = {}
    for p, _, _, s, _ in rows:
        total[p] = total.get(p, 0) + s
    declared_months = sorted(total)
    drop = months_without_a_job([p for p in declared_months if total[p] > 0],
                                [(p, e) for p, e, _, s, _ in rows if s > 0], spans, declared_months[-1])
    return [r for r in rows if r[0] not in drop]


def _charge_row(out: LawHistoryArrays, i: int, kept: Sequence[EmployerMonth], sizes: Mapping[tuple[int, int], str | None],
                contracts: Mapping[tuple[int, int], str | None], subsidised: set[int], rmv: Mapping[int, int],
                params: ParameterSet) -> None:
    """Row *i* of *out* from the worker's kept employer-months: art. 3 by month (the employer inside
    the phase in force, the contract covered) and the charged base (pay floored at the RMV)."""
    from seguro_desempleo.rules.coverage import contract_charged, employer_covered

    per: dict[int, list[tuple[bool, int, int, bool]]] = {}
    for p, e, sector, s, pd in kept:
        size = sizes.get((e, p))
        snap = params.at(first_day(p))
        if size is None:
            ok = bool(snap["coverage.unknown_size_charged"]) and sector in snap["coverage.sectors"]
        else:
            ok = employer_covered(size, sector, p, params)
        ok = ok and contract_charged(contracts.get((e, p)), p, params)
        base = s
        if ok and base > 0 and snap["insurable_pay.rmv_minimum_base"]:
            base = max(base, rmv[p])
        per.setdefault(p, []).append((ok, base, s, pd))
    first_month = int(out.months[0])
    for p, parts in per.items():
        j = p - first_month
        out.declared[i, j] = True
        out.subsidised[i, j] = p in subsidised
        covered = [x for x in parts if x[0]]
        if covered:
            out.pay[i, j] = sum(b for _, b, _, _ in covered)
            out.paid[i, j] = any(pd for _, _, _, pd in covered)
        else:
            out.pay[i, j] = sum(s for _, _, s, _ in parts)
            out.paid[i, j] = any(pd for _, _, _, pd in parts)
            out.counted[i, j] = False


def _subsidised_bulk(conn: Connection, ids: Sequence[int], first: int, last: int) -> dict[int, set[int]]:
    """worker → months with EsSalud-subsidised days (the rule of :func:`subsidised_periods`)."""
    from seguro_desempleo.storage.intake import SUBSIDISED_TYPES, suspension_days

    s = suspension_days.c
    out: dict[int, set[int]] = {}
    for part in chunks(ids):
        for w, p in conn.execute(select(s.worker_id, s.period).where(
                s.worker_id.in_(part), s.suspension_type.in_(SUBSIDISED_TYPES), s.days > 0,
                s.period >= first, s.period <= last)).all():
            out.setdefault(int(w), set()).add(int(p))
    return out


def reemployment_starts_bulk(session: Session | Connection, separations: Sequence[tuple[int, dt.date]],
                             *, months_after: int = 120) -> list[dt.date | None]:
    """For each (worker id, separation date): the first new job after it — the bulk twin of the
    claim's ``SqlHistoryProvider.reemployment_start``: a T-Registro period starting later, or the
    first later month with pay from an employer that was a job that month (a former employer's pay
    after its period ended is not, ``rules.post_termination``); ``None`` if none."""
    from seguro_desempleo.rules.post_termination import first_job_month

    if not separations:
        return []
    conn = _conn(session)
    ids = sorted({int(w) for w, _ in separations})
    periods = employment_periods_bulk(conn, ids)
    lo = min(period_of(d) for _, d in separations) + 1
    hi = max(period_of(d) for _, d in separations) + months_after
    paying: dict[int, list[tuple[int, int]]] = {}
    for part in chunks(ids):
        for w, p, e, s, _ in conn.execute(_EMPLOYER_MONTHS_BULK_PAY, {"ids": part, "a": lo, "b": hi}).all():
            if int(s) > 0:
                paying.setdefault(int(w), []).append((int(p), int(e)))
    out: list[dt.date | None] = []
    for w, after in separations:
        mine = spans_of(periods.get(int(w), ()))
        found = [s for ss in mine.values() for s, _ in ss if s > after]
        last = period_of(after) + months_after
        month = first_job_month([(p, e) for p, e in paying.get(int(w), []) if p <= last], mine, period_of(after))
        if month is not None:
            found.append(first_day(month))
        out.append(min(found) if found else None)
    return out


_EMPLOYER_MONTHS_BULK_PAY = text(
    "SELECT c.worker_id, c.period, d.employer_id, c.insurable_pay, 0 FROM contribution c "
    "JOIN declaration d ON d.id = c.declaration_id WHERE c.worker_id IN :ids AND d.status = 'active' "
    "AND c.period BETWEEN :a AND :b AND c.insurable_pay > 0").bindparams(bindparam("ids", expanding=True))
