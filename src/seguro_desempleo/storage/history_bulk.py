"""The bulk twin of the claim's reading of a history (issue 26): the months the law counts for
many workers at once — post-termination pay left out, art. 3 by month, the charged base, the
subsidised months — and the re-employment starts, for batch decisions (``claims auto-decide``)
and any simulation fed from the database. Moved out of :mod:`seguro_desempleo.storage.history`
(issue 24: no file over 600 lines), which still answers these names."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from sqlalchemy import Connection, bindparam, select, text
from sqlalchemy.orm import Session

from seguro_desempleo.parameters import ParameterSet
from seguro_desempleo.periods import first_day, period_of
from seguro_desempleo.rules.evaluate import ContributionMonth
from seguro_desempleo.storage.history import (
    _PAID,
    ACTIVE,
    BoolArray,
    HistoryArrays,
    IntArray,
    _conn,
    _day,
    contract_types_by_month,
)

# --------------------------------------------------------------------------------------------
# Issue 26 for the bulk path: the same months the claim counts, for many workers at once


_EMPLOYER_MONTHS_BULK = text(
    f"SELECT c.worker_id, c.period, d.employer_id, e.sector, SUM(c.insurable_pay), "
    f"MAX(CASE WHEN {_PAID} THEN 1 ELSE 0 END) "
    "FROM contribution c JOIN declaration d ON d.id = c.declaration_id JOIN employer e ON e.id = d.employer_id "
    f"WHERE c.worker_id IN :ids AND {ACTIVE} AND c.period BETWEEN :a AND :b "
    "GROUP BY c.worker_id, c.period, d.employer_id, e.sector").bindparams(bindparam("ids", expanding=True))
_PERIODS_BULK = text(
    "SELECT worker_id, employer_id, start_date, end_date FROM employment_period WHERE worker_id IN :ids"
).bindparams(bindparam("ids", expanding=True))


def _spans_bulk(conn: Connection, ids: Sequence[int]) -> dict[int, dict[int, list[tuple[dt.date, dt.date | None]]]]:
    """worker → employer → the worker's T-Registro periods with that employer (start, end)."""
    out: dict[int, dict[int, list[tuple[dt.date, dt.date | None]]]] = {}
    for start in range(0, len(ids), 20_000):
        part = list(ids[start:start + 20_000])
        if not part:
            continue
        for w, e, s, end in conn.execute(_PERIODS_BULK, {"ids": part}).all():
            begin = _day(s)
            assert begin is not None
            out.setdefault(int(w), {}).setdefault(int(e), []).append((begin, _day(end)))
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

    def contribution_months(self, i: int) -> tuple[ContributionMonth, ...]:
        """Row *i* as the claim's ``ContributionMonth`` tuple (declared months, oldest first)."""
        return tuple(ContributionMonth(int(self.months[j]), int(self.pay[i, j]), bool(self.paid[i, j]),
                                       covered=bool(self.counted[i, j]), subsidised=bool(self.subsidised[i, j]))
                     for j in np.flatnonzero(self.declared[i]))


def charged_history_bulk(session: Session | Connection, worker_ids: Sequence[int] | IntArray, first_month: int,
                         last_month: int, params: ParameterSet, *, chunk: int = 20_000) -> LawHistoryArrays:
    """The histories of many workers as the law counts them — the bulk twin of the claim's reading
    (post-termination pay left out, then ``charged_months``'s art. 3 by month and charged base),
    for batch decisions and any simulation fed from the database. One query per *chunk* workers
    for the pay, one for the periods, one for the sizes, one for the subsidies; the contract types
    through the one seam :func:`contract_types_by_month` (per worker with declared months)."""
    from seguro_desempleo.rules.coverage import contract_charged, employer_covered
    from seguro_desempleo.rules.post_termination import months_without_a_job
    from seguro_desempleo.storage.employer_sizes import sizes_by_month

    ids = np.asarray(worker_ids, dtype=np.int64)
    months = np.arange(first_month, last_month + 1, dtype=np.int64)
    n, h = len(ids), len(months)
    pay = np.zeros((n, h), dtype=np.int64)
    declared = np.zeros((n, h), dtype=bool)
    paid = np.zeros((n, h), dtype=bool)
    counted = np.ones((n, h), dtype=bool)
    subsidised = np.zeros((n, h), dtype=bool)
    row_of = {int(w): i for i, w in enumerate(ids)}
    conn = _conn(session)
    rows_by_worker: dict[int, list[tuple[int, int, str, int, bool]]] = {}
    for start in range(0, n, chunk):
        part = [int(w) for w in ids[start:start + chunk]]       # bound (expanding), never SQL text
        if not part:
            continue
        for w, p, e, sector, s, pd in conn.execute(_EMPLOYER_MONTHS_BULK,
                                                   {"ids": part, "a": first_month, "b": last_month}).all():
            rows_by_worker.setdefault(int(w), []).append((int(p), int(e), str(sector), int(s), bool(pd)))
    spans = _spans_bulk(conn, [int(w) for w in ids])
    employers = sorted({e for rows in rows_by_worker.values() for _, e, _, _, _ in rows})
    periods = sorted({p for rows in rows_by_worker.values() for p, _, _, _, _ in rows})
    sizes = sizes_by_month(conn, employers, periods)
    sub = _subsidised_bulk(conn, [int(w) for w in ids], first_month, last_month)
    rmv = {int(p): int(r) for p, r in zip(periods, params.monthly_series("economy.rmv", periods), strict=True)} \
        if periods else {}
    for w, rows in rows_by_worker.items():
        i = row_of[w]
        total: dict[int, int] = {}
        for p, _, _, s, _ in rows:
            total[p] = total.get(p, 0) + s
        declared_months = sorted(total)
        drop = months_without_a_job([p for p in declared_months if total[p] > 0],
                                    [(p, e) for p, e, _, s, _ in rows if s > 0], spans.get(w, {}),
                                    declared_months[-1])
        kept = [r for r in rows if r[0] not in drop]
        if not kept:
            continue
        contracts = contract_types_by_month(session, w, sorted({e for _, e, _, _, _ in kept}),
                                            sorted({p for p, _, _, _, _ in kept}))
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
        for p, parts in per.items():
            j = p - first_month
            declared[i, j] = True
            subsidised[i, j] = p in sub.get(w, ())
            covered = [x for x in parts if x[0]]
            if covered:
                pay[i, j] = sum(b for _, b, _, _ in covered)
                paid[i, j] = any(pd for _, _, _, pd in covered)
            else:
                pay[i, j] = sum(s for _, _, s, _ in parts)
                paid[i, j] = any(pd for _, _, _, pd in parts)
                counted[i, j] = False
    return LawHistoryArrays(worker_ids=ids, months=months, pay=pay, declared=declared, paid=paid,
                            counted=counted, subsidised=subsidised)


def _subsidised_bulk(conn: Connection, ids: Sequence[int], first: int, last: int) -> dict[int, set[int]]:
    """worker → months with EsSalud-subsidised days (the rule of :func:`subsidised_periods`)."""
    from seguro_desempleo.storage.intake import SUBSIDISED_TYPES, suspension_days

    s = suspension_days.c
    out: dict[int, set[int]] = {}
    for start in range(0, len(ids), 20_000):
        part = list(ids[start:start + 20_000])
        if not part:
            continue
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
    spans = _spans_bulk(conn, ids)
    lo = min(period_of(d) for _, d in separations) + 1
    hi = max(period_of(d) for _, d in separations) + months_after
    paying: dict[int, list[tuple[int, int]]] = {}
    for start in range(0, len(ids), 20_000):
        part = ids[start:start + 20_000]
        for w, p, e, s, _ in conn.execute(_EMPLOYER_MONTHS_BULK_PAY, {"ids": part, "a": lo, "b": hi}).all():
            if int(s) > 0:
                paying.setdefault(int(w), []).append((int(p), int(e)))
    out: list[dt.date | None] = []
    for w, after in separations:
        mine = spans.get(int(w), {})
        found = [s for ss in mine.values() for s, _ in ss if s > after]
        last = period_of(after) + months_after
        month = first_job_month([(p, e) for p, e in paying.get(int(w), []) if p <= last], mine, period_of(after))
        if month is not None:
            found.append(first_day(month))
        out.append(min(found) if found else None)
    return out


_EMPLOYER_MONTHS_BULK_PAY = text(
    "SELECT c.worker_id, c.period, d.employer_id, c.insurable_pay, 0 FROM contribution c "
    f"JOIN declaration d ON d.id = c.declaration_id WHERE c.worker_id IN :ids AND {ACTIVE} "
    "AND c.period BETWEEN :a AND :b AND c.insurable_pay > 0").bindparams(bindparam("ids", expanding=True))
