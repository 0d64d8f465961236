"""Contribution history of workers: the monthly insurable pay across all employers, with paid flags.

This is what the claims work reads to build ``rules.evaluate.ClaimCase`` / ``ClaimBatch``:

- :func:`contribution_history` — one worker, a list of ``ContributionMonth`` (period, insurable
  pay summed over every employer's active declaration, paid);
- :func:`contribution_history_bulk` — many workers at once as ``(n, H)`` arrays (``pay``,
  ``declared``, ``paid``) aligned on a month range, ready for ``ClaimBatch``;
- :func:`window_summary_sql` — the art. 7 count and the art. 5 reference total computed in the
  database; :func:`window_summary_arrays` — the same from the bulk arrays with the vectorised
  rules. Both give identical numbers (tested);
- :func:`last_separation`, :func:`reemployment_start`, :func:`worker_document` — what a claim
  needs besides the contributions (T-Registro end and cause, the employer's size and sector).

Readings: only active declarations count (a rectification replaces the month); a month is *paid*
when at least one employer of the worker paid that month's contributions in full (the month is
then a paid contribution for the worker); a month declared with no insurable pay is declared with
pay 0 (not a contribution).
"""

from __future__ import annotations

import bisect
import datetime as dt
import functools
from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Self

import numpy as np
import numpy.typing as npt
from sqlalchemy import BigInteger, Connection, Integer, and_, bindparam, case, column, func, select, text
from sqlalchemy.orm import Session

from seguro_desempleo.errors import NotFoundError
from seguro_desempleo.parameters import ParameterSet, Snapshot
from seguro_desempleo.periods import first_day, period_of
from seguro_desempleo.rules.evaluate import ContributionMonth
from seguro_desempleo.rules.kernels import history_summary_numpy

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

_PAID = ("(SELECT COALESCE(SUM(p.amount), 0) FROM employer_payment p "
         "WHERE p.employer_id = d.employer_id AND p.period = d.period) >= d.total_due")
"""A declaration's month is paid when the employer's payments of that month reach what it was due.
Every statement below writes this fragment out (SQL is never assembled from pieces, issue 24);
``tests/storage/test_history_sql.py`` holds each copy to this text."""

HELD_BY_IMPORT_FLAG = ("AND NOT EXISTS (SELECT 1 FROM declaration_review r WHERE r.worker_id = c.worker_id "
                       "AND r.period = c.period AND r.source = 'import' AND r.status <> 'accepted') ")
"""A month the payroll import flagged (decision 0413: a first declaration long after it was due,
or one that alone qualifies) does not count until staff accept it: the history leaves it out."""

ACTIVE = "d.status = 'active'"
"""The condition on the joined declaration ``d`` that keeps the contribution records in force
(written out in each statement, as :data:`_PAID`)."""


_HISTORY_BULK = text(
    "SELECT c.worker_id, c.period, SUM(c.insurable_pay), MAX(CASE WHEN (SELECT COALESCE(SUM(p.amount), 0) "
    "FROM employer_payment p WHERE p.employer_id = d.employer_id AND p.period = d.period) >= d.total_due "
    "THEN 1 ELSE 0 END) "
    "FROM contribution c JOIN declaration d ON d.id = c.declaration_id "
    "WHERE c.worker_id IN :ids AND d.status = 'active' AND c.period BETWEEN :a AND :b "
    "GROUP BY c.worker_id, c.period").bindparams(bindparam("ids", expanding=True))
_LAST_SEPARATION = (
    "SELECT p.end_date, p.termination_cause, e.ruc, e.size_class, e.sector, p.contract_type "
    "FROM employment_period p JOIN employer e ON e.id = p.employer_id "
    "WHERE p.worker_id = :w AND p.end_date IS NOT NULL ORDER BY p.end_date DESC, p.id DESC")
_LAST_SEPARATION_ON = (
    "SELECT p.end_date, p.termination_cause, e.ruc, e.size_class, e.sector, p.contract_type "
    "FROM employment_period p JOIN employer e ON e.id = p.employer_id "
    "WHERE p.worker_id = :w AND p.end_date IS NOT NULL AND p.end_date <= :d ORDER BY p.end_date DESC, p.id DESC")


def _conn(session: Session | Connection) -> Connection:
    return session.connection() if isinstance(session, Session) else session


MONTHS_SQL = (
    "SELECT c.period, SUM(c.insurable_pay), MAX(CASE WHEN (SELECT COALESCE(SUM(p.amount), 0) FROM employer_payment p "
    "WHERE p.employer_id = d.employer_id AND p.period = d.period) >= d.total_due THEN 1 ELSE 0 END) "
    "FROM contribution c JOIN declaration d ON d.id = c.declaration_id "
    "WHERE c.worker_id = :w AND d.status = 'active' AND c.period BETWEEN :a AND :b "
    "AND NOT EXISTS (SELECT 1 FROM declaration_review r WHERE r.worker_id = c.worker_id "
    "AND r.period = c.period AND r.source = 'import' AND r.status <> 'accepted') "
    "GROUP BY c.period ORDER BY c.period")
"""One worker's declared months (period, insurable pay of all employers, paid flag) in
``[:a, :b]``, oldest first, the months the import holds for review left out
(:data:`HELD_BY_IMPORT_FLAG`): what :func:`contribution_history` runs."""
MONTHS_PG = (
    "SELECT c.period, SUM(c.insurable_pay), MAX(CASE WHEN (SELECT COALESCE(SUM(p.amount), 0) FROM employer_payment p "
    "WHERE p.employer_id = d.employer_id AND p.period = d.period) >= d.total_due THEN 1 ELSE 0 END) "
    "FROM contribution c JOIN declaration d ON d.id = c.declaration_id "
    "WHERE c.worker_id = %s AND d.status = 'active' AND c.period BETWEEN %s AND %s "
    "AND NOT EXISTS (SELECT 1 FROM declaration_review r WHERE r.worker_id = c.worker_id "
    "AND r.period = c.period AND r.source = 'import' AND r.status <> 'accepted') "
    "GROUP BY c.period ORDER BY c.period")
""":data:`MONTHS_SQL` with the driver's positional placeholders (worker, first, last): the claims'
fixed driver statement (:mod:`seguro_desempleo.storage.claims_sql`). The same text otherwise (tested)."""
_MONTHS = MONTHS_SQL


def contribution_history(session: Session | Connection, worker_id: int, first_month: int,
                         last_month: int) -> list[ContributionMonth]:
    """Declared months of one worker in ``[first_month, last_month]`` (month indices), oldest first."""
    rows = _conn(session).execute(text(_MONTHS),
                                  {"w": worker_id, "a": first_month, "b": last_month}).all()
    return [ContributionMonth(period=int(p), remuneration=int(pay), paid=bool(paid)) for p, pay, paid in rows]


def chunks(ids: Sequence[int] | IntArray, size: int = 20_000) -> Iterator[list[int]]:
    """*ids* in lists of at most *size* plain ints, each bound to one query (expanding), never SQL text."""
    for start in range(0, len(ids), size):
        yield [int(w) for w in ids[start:start + size]]


@dataclass
class HistoryArrays:
    """Monthly history of ``worker_ids`` over ``months`` (oldest → newest)."""

    worker_ids: IntArray       # (n,)
    months: IntArray           # (H,) month indices
    pay: IntArray              # (n, H) céntimos, all employers
    declared: BoolArray        # (n, H)
    paid: BoolArray            # (n, H)

    @classmethod
    def zeros(cls, worker_ids: Sequence[int] | IntArray, first_month: int, last_month: int) -> Self:
        """No month declared yet for *worker_ids* over ``[first_month, last_month]`` (the bulk
        readings fill it)."""
        ids = np.asarray(worker_ids, dtype=np.int64)
        months = np.arange(first_month, last_month + 1, dtype=np.int64)
        shape = (len(ids), len(months))
        return cls(worker_ids=ids, months=months, pay=np.zeros(shape, dtype=np.int64),
                   declared=np.zeros(shape, dtype=bool), paid=np.zeros(shape, dtype=bool))

    def row_of(self) -> dict[int, int]:
        """worker id → its row."""
        return {int(w): i for i, w in enumerate(self.worker_ids)}


def contribution_history_bulk(session: Session | Connection, worker_ids: Sequence[int] | IntArray,
                              first_month: int, last_month: int, *, chunk: int = 20_000) -> HistoryArrays:
    """The histories of many workers as arrays (one query per *chunk* workers)."""
    out = HistoryArrays.zeros(worker_ids, first_month, last_month)
    row_of = out.row_of()
    conn = _conn(session)
    for part in chunks(out.worker_ids, chunk):
        rows = conn.execute(_HISTORY_BULK, {"ids": part, "a": first_month, "b": last_month}).all()
        if not rows:
            continue
        arr = np.array([(row_of[int(w)], int(p) - first_month, int(s), int(pd)) for w, p, s, pd in rows],
                       dtype=np.int64)
        out.pay[arr[:, 0], arr[:, 1]] = arr[:, 2]
        out.declared[arr[:, 0], arr[:, 1]] = True
        out.paid[arr[:, 0], arr[:, 1]] = arr[:, 3] > 0
    return out


@dataclass
class WindowSummary:
    """Per worker: contributions in the art. 7 window, and the art. 5 reference sums."""

    worker_ids: IntArray
    contributions_in_window: IntArray
    reference_total: IntArray       # Σ monthly base (pay floored at the RMV) over the reference months
    reference_months_with_pay: IntArray


def _window(snap: Snapshot) -> tuple[int, int]:
    return int(snap["requirements.qualifying_window_months"]), int(snap["benefits.reference_months"])


def window_summary_arrays(hist: HistoryArrays, params: ParameterSet, snap: Snapshot) -> WindowSummary:
    """The window summary from bulk arrays with the vectorised rules (``rules.kernels``).

    The history's last month is the window's end month.
    """
    window, reference = _window(snap)
    rmv = params.monthly_series("economy.rmv", hist.months)
    count, total, months = history_summary_numpy(
        hist.pay, hist.declared, hist.paid, rmv, window, reference,
        bool(snap["requirements.count_declared_unpaid_months"]), bool(snap["insurable_pay.rmv_minimum_base"]))
    return WindowSummary(hist.worker_ids, count, total, months)


_MONTHS_BY_WORKER = text(
    "SELECT c.worker_id AS worker_id, c.period AS period, SUM(c.insurable_pay) AS pay, "
    "MAX(CASE WHEN (SELECT COALESCE(SUM(p.amount), 0) FROM employer_payment p WHERE p.employer_id = d.employer_id "
    "AND p.period = d.period) >= d.total_due THEN 1 ELSE 0 END) AS paid "
    "FROM contribution c JOIN declaration d ON d.id = c.declaration_id "
    "WHERE c.worker_id IN :ids AND d.status = 'active' AND c.period BETWEEN :first AND :end "
    "GROUP BY c.worker_id, c.period").bindparams(bindparam("ids", expanding=True)).columns(
    column("worker_id", BigInteger), column("period", Integer), column("pay", BigInteger), column("paid", Integer))
"""The declared months of many workers (pay of all employers, paid flag), :func:`window_summary_sql`'s rows."""


def window_summary_sql(session: Session | Connection, worker_ids: Sequence[int] | IntArray, end_month: int,
                       params: ParameterSet, snap: Snapshot) -> WindowSummary:
    """The same summary computed by the database (the RMV of each month passed, bound, in a CASE)."""
    window, reference = _window(snap)
    count_unpaid = bool(snap["requirements.count_declared_unpaid_months"])
    floor = bool(snap["insurable_pay.rmv_minimum_base"])
    ids = np.asarray(worker_ids, dtype=np.int64)
    ref_first = end_month - reference + 1
    win_first = end_month - window + 1
    months = np.arange(min(ref_first, win_first), end_month + 1, dtype=np.int64)
    rmv = params.monthly_series("economy.rmv", months)
    m = _MONTHS_BY_WORKER.subquery("m")
    with_pay = m.c.pay > 0
    rmv_of_month = case({int(p): int(r) for p, r in zip(months, rmv, strict=True)}, value=m.c.period)
    base = case((with_pay, case((m.c.pay < rmv_of_month, rmv_of_month), else_=m.c.pay)), else_=0) if floor \
        else case((with_pay, m.c.pay), else_=0)
    counted = with_pay if count_unpaid else and_(with_pay, m.c.paid == 1)
    in_reference = m.c.period >= bindparam("rf")
    query = select(m.c.worker_id,
                   func.sum(case((and_(m.c.period >= bindparam("wf"), counted), 1), else_=0)),
                   func.sum(case((in_reference, base), else_=0)),
                   func.sum(case((and_(in_reference, with_pay), 1), else_=0))).group_by(m.c.worker_id)
    out_count = np.zeros(len(ids), dtype=np.int64)
    out_total = np.zeros(len(ids), dtype=np.int64)
    out_months = np.zeros(len(ids), dtype=np.int64)
    row_of = {int(w): i for i, w in enumerate(ids)}
    conn = _conn(session)
    for part in chunks(ids):
        rows = conn.execute(query, {"ids": part, "wf": win_first, "rf": ref_first, "first": int(months[0]),
                                    "end": end_month}).all()
        for w, c, t, n in rows:
            i = row_of[int(w)]
            out_count[i], out_total[i], out_months[i] = int(c), int(t), int(n)
    return WindowSummary(ids, out_count, out_total, out_months)


_WORKERS_BY_NUMBER = text("SELECT id, doc_type, doc_number FROM worker WHERE doc_number IN :numbers").bindparams(
    bindparam("numbers", expanding=True))


def worker_ids_by_document(session: Session | Connection, documents: Sequence[tuple[str, str]]) -> dict[tuple[str, str], int]:
    """Map (document type, number) → worker id for the documents that are registered.

    The numbers are bound (expanding); the rows of another document type with the same number are
    dropped here (the registry's unique key starts with the number, so the read uses it)."""
    conn = _conn(session)
    out: dict[tuple[str, str], int] = {}
    for i in range(0, len(documents), 2000):
        chunk = set(documents[i:i + 2000])
        for wid, t, n in conn.execute(_WORKERS_BY_NUMBER, {"numbers": sorted({n for _, n in chunk})}):
            if (t, n) in chunk:
                out[(t, n)] = int(wid)
    return out


@dataclass(frozen=True)
class SeparationRecord:
    """The end of a worker's employment as T-Registro recorded it (cause: SUNAT Tabla 17)."""

    date: dt.date
    termination_cause: str
    employer_ruc: str
    employer_size: str | None      # micro | small | medium | large; None if the registry does not know it
    sector: str
    contract_type: str | None      # Tabla 12, when known


def last_separation(session: Session | Connection, worker_id: int,
                    on_or_before: dt.date | None = None) -> SeparationRecord | None:
    """The latest ended employment period of the worker (on or before a date), with its employer."""
    params: dict[str, object] = {"w": worker_id, "d": on_or_before}
    row = _conn(session).execute(text(_LAST_SEPARATION if on_or_before is None else _LAST_SEPARATION_ON),
                                 params).first()
    if row is None:
        return None
    end = row[0] if isinstance(row[0], dt.date) else dt.date.fromisoformat(str(row[0]))
    return SeparationRecord(end, str(row[1] or ""), str(row[2]), row[3], str(row[4]), row[5])


def reemployment_start(session: Session | Connection, worker_id: int, after: dt.date) -> dt.date | None:
    """The first sign of new employment after *after*: a T-Registro period starting later, or the
    first day of a later month declared with insurable pay (any employer). ``None`` if none."""
    conn = _conn(session)
    start = conn.execute(text("SELECT MIN(start_date) FROM employment_period WHERE worker_id = :w "
                              "AND start_date > :d"), {"w": worker_id, "d": after}).scalar()
    month = conn.execute(text("SELECT MIN(c.period) FROM contribution c JOIN declaration d ON d.id = c.declaration_id "
                              "WHERE c.worker_id = :w AND d.status = 'active' AND c.insurable_pay > 0 "
                              "AND c.period > :m"),
                         {"w": worker_id, "m": period_of(after)}).scalar()
    found: list[dt.date] = []
    if start is not None:
        found.append(start if isinstance(start, dt.date) else dt.date.fromisoformat(str(start)))
    if month is not None:
        found.append(first_day(int(month)))
    return min(found) if found else None


def worker_document(session: Session | Connection, worker_id: int) -> tuple[str, str, str | None]:
    """(document type, number, full name) of a worker, for a bank payment file only (never log it)."""
    row = _conn(session).execute(text("SELECT doc_type, doc_number, full_name FROM worker WHERE id = :w"),
                                 {"w": worker_id}).first()
    if row is None:
        raise NotFoundError(f"no worker with id {worker_id}", field="worker_id")
    return str(row[0]), str(row[1]), row[2]


# --------------------------------------------------------------------------------------------
# Issue 26: which months are aportaciones (art. 3 by month), the charged base (art. 5)

_EMPLOYER_MONTHS = text(
    "SELECT c.period, d.employer_id, e.sector, SUM(c.insurable_pay), MAX(CASE WHEN (SELECT COALESCE(SUM(p.amount), 0) "
    "FROM employer_payment p WHERE p.employer_id = d.employer_id AND p.period = d.period) >= d.total_due "
    "THEN 1 ELSE 0 END) "
    "FROM contribution c JOIN declaration d ON d.id = c.declaration_id JOIN employer e ON e.id = d.employer_id "
    "WHERE c.worker_id = :w AND d.status = 'active' AND c.period BETWEEN :a AND :b "
    "GROUP BY c.period, d.employer_id, e.sector ORDER BY c.period, d.employer_id")


def contract_types_by_month(session: Session | Connection, worker_id: int, employer_ids: Sequence[int],
                            months: Sequence[int]) -> dict[tuple[int, int], str | None]:
    """The one reader of contract types for coverage by month (issue 26, item 5): the Tabla 12
    contract of the worker with each employer in each month, ``None`` where unknown. The T-Registro
    period's own (``employment_period.contract_type``) first; else what an Estructura 5 ``.tra``
    recorded (issue 31; ``storage.intake.worker_contract``, the rule of ``intake.contract_type_at``).
    The rule itself is :func:`_contracts_at`; many workers at once read the same rows set-based
    (``storage.history_bulk.contract_types_bulk``, issue 24: equal, tested)."""
    out: dict[tuple[int, int], str | None] = {}
    if not employer_ids or not months:
        return out
    rows = _conn(session).execute(text(
        "SELECT employer_id, start_date, end_date, contract_type FROM employment_period "
        "WHERE worker_id = :w ORDER BY start_date, id"), {"w": worker_id}).all()
    periods = []
    for eid, start, end, ctype in rows:
        s = start if isinstance(start, dt.date) or start is None else dt.date.fromisoformat(str(start))
        e = end if isinstance(end, dt.date) or end is None else dt.date.fromisoformat(str(end))
        periods.append((int(eid), s, e, ctype))
    # Estructura 5 (.tra, issue 31): a contract recorded without dates, by the day it was imported
    from seguro_desempleo.storage.intake import worker_contract

    c = worker_contract.c
    tra: dict[int, list[tuple[dt.date, str]]] = {}
    for eid, recorded, ctype in _conn(session).execute(
            select(c.employer_id, c.recorded_on, c.contract_type)
            .where(c.worker_id == worker_id, c.employer_id.in_([int(e) for e in employer_ids]))
            .order_by(c.recorded_on)).all():
        day = recorded if isinstance(recorded, dt.date) else dt.date.fromisoformat(str(recorded))
        tra.setdefault(int(eid), []).append((day, str(ctype)))
    return _contracts_at(periods, tra, employer_ids, months)


def _contracts_at(periods: Sequence[tuple[int, dt.date | None, dt.date | None, str | None]],
                  tra: dict[int, list[tuple[dt.date, str]]], employer_ids: Sequence[int],
                  months: Sequence[int]) -> dict[tuple[int, int], str | None]:
    """:func:`contract_types_by_month` from what it read: the worker's T-Registro periods
    (employer, start, end, contract; by start date) and ``.tra`` records by employer (oldest first)."""
    out: dict[tuple[int, int], str | None] = {}
    for eid in employer_ids:
        for m in months:
            lo, hi = first_day(int(m)), first_day(int(m) + 1) - dt.timedelta(days=1)
            found = [c for pe, s, e, c in periods
                     if pe == eid and c and (s is None or s <= hi) and (e is None or e >= lo)]
            if not found and tra.get(int(eid)):
                # the last .tra recorded by the month's end, else the first one (a .tra says the
                # contract as of its import; an earlier month is read with the earliest record)
                recs = tra[int(eid)]
                upto = [t for d, t in recs if d <= hi]
                found = [upto[-1] if upto else recs[0][1]]
            out[(int(eid), int(m))] = found[-1] if found else None
    return out


def charged_months(session: Session | Connection, worker_id: int, months: Sequence[ContributionMonth],
                   params: ParameterSet) -> tuple[ContributionMonth, ...]:
    """The worker's months as the law counts them (issue 26, items 1 and 4).

    A month is an aportación only through an employer inside the phase in force in that month (its
    size in force then, ``storage.employer_sizes``; ``rules.coverage.employer_covered``) under a
    covered contract (``rules.coverage.contract_charged``); an employer of unknown size counts when
    ``coverage.unknown_size_charged``. Such a month's remuneration is the base contributions were
    charged on: each covered employer's pay floored at the RMV (Ley 26790 art. 6), summed — not
    max(Σ pay, RMV). A month with no covered employer keeps its pay but is flagged
    ``covered=False`` (not an aportación, not averaged).
    """
    from seguro_desempleo.storage.employer_sizes import sizes_by_month

    if not months:
        return ()
    first, last = min(m.period for m in months), max(m.period for m in months)
    rows = _conn(session).execute(_EMPLOYER_MONTHS, {"w": worker_id, "a": first, "b": last}).all()
    employers = sorted({int(r[1]) for r in rows})
    periods = sorted({int(r[0]) for r in rows})
    sizes = sizes_by_month(session, employers, periods)
    contracts = contract_types_by_month(session, worker_id, employers, periods)
    subsidised = subsidised_periods(session, worker_id, first, last)
    return _charged(months, rows, sizes, contracts, subsidised, params)


_CHARGED_MEMO = "storage.history.charged"
_RMV_MEMO = "storage.history.rmv"    # the RMV in force in the snapshot's month, céntimos


def _new_memo(_snap: Snapshot) -> dict[tuple[Any, ...], tuple[bool, bool]]:
    return {}


def _rmv_cents(params: ParameterSet, month: int, _snap: Snapshot) -> int:
    return int(params.monthly_series("economy.rmv", [month])[0])


def _charged(months: Sequence[ContributionMonth], rows: Sequence[Any], sizes: dict[tuple[int, int], str | None],
             contracts: dict[tuple[int, int], str | None], subsidised: Collection[int],
             params: ParameterSet) -> tuple[ContributionMonth, ...]:
    """:func:`charged_months` from what it read: *rows* ``(period, employer, sector, pay, paid)``
    of the months' employers, the sizes and contracts by (employer, month), the subsidised months."""
    from seguro_desempleo.rules.coverage import contract_charged, employer_covered

    per: dict[int, list[tuple[bool, int, bool]]] = {}
    for period, eid, sector, pay, paid in rows:
        p, e = int(period), int(eid)
        size, contract = sizes.get((e, p)), contracts.get((e, p))
        snap = params.at(first_day(p))
        # the answer for (size, sector, contract) in this month, kept on the month's parameter
        # snapshot (immutable): claims of the same months do not ask the coverage rules again
        known: dict[tuple[Any, ...], tuple[bool, bool]] = snap.memo(_CHARGED_MEMO, _new_memo)
        hit = known.get((size, sector, contract))
        if hit is None:
            if size is None:
                ok = bool(snap["coverage.unknown_size_charged"]) and sector in snap["coverage.sectors"]
            else:
                ok = employer_covered(size, str(sector), p, params)
            ok = ok and contract_charged(contract, p, params)
            hit = known[(size, sector, contract)] = (ok, bool(ok and snap["insurable_pay.rmv_minimum_base"]))
        ok, floored = hit
        base = int(pay)
        if floored and base > 0:
            base = max(base, snap.memo(_RMV_MEMO, functools.partial(_rmv_cents, params, p)))
        per.setdefault(p, []).append((ok, base, bool(paid)))
    out = []
    for m in months:
        sub = m.subsidised or m.period in subsidised
        parts = per.get(m.period)
        if not parts:
            out.append(m if sub == m.subsidised else ContributionMonth(m.period, m.remuneration, m.paid,
                                                                        covered=m.covered, subsidised=sub))
            continue
        covered = [x for x in parts if x[0]]
        if covered:
            out.append(ContributionMonth(m.period, sum(b for _, b, _ in covered), any(pd for _, _, pd in covered),
                                         covered=True, subsidised=sub))
        else:
            out.append(ContributionMonth(m.period, m.remuneration, m.paid, covered=False, subsidised=sub))
    return tuple(out)


def subsidised_periods(session: Session | Connection, worker_id: int, first: int, last: int) -> set[int]:
    """The months (index) in [first, last] in which an employer's ``.snl`` (Estructura 17, issue 31)
    declared EsSalud-subsidised days for the worker: Tabla 21 types 21 (incapacidad temporal) and
    22 (maternidad). Read by the rules as ``ContributionMonth.subsidised`` (issue 26, item 10;
    ``requirements.subsidised_months``)."""
    from seguro_desempleo.storage.intake import SUBSIDISED_TYPES, suspension_days

    s = suspension_days.c
    rows = _conn(session).execute(select(s.period).where(
        s.worker_id == worker_id, s.suspension_type.in_(SUBSIDISED_TYPES), s.days > 0,
        s.period >= first, s.period <= last)).all()
    return {int(r[0]) for r in rows}


# --------------------------------------------------------------------------------------------
# Issue 25 (speed): what charged_months reads for one claim, read at once with the history:
# the statement is storage.claims_sql._DECISION_READS_PG (written out once, there), whose five JSON
# columns employer_months, sizes, periods, tra and subsidised ChargedReads.from_json takes.

def _day(v: Any) -> dt.date | None:
    return None if v is None else v if isinstance(v, dt.date) else dt.date.fromisoformat(str(v)[:10])


@dataclass(frozen=True)
class ChargedReads:
    """What :func:`charged_months` reads of one worker, for every month in ``[lo, hi]``, read once
    (the five JSON columns of :data:`seguro_desempleo.storage.claims_sql._DECISION_READS_PG`);
    :meth:`charged` gives what :func:`charged_months` gives."""

    lo: int
    hi: int
    employer_months: tuple[tuple[int, int, Any, int, int, str, bool], ...]
    """(period, employer, sector, pay, paid, RUC, a record with pay > 0), by period and employer."""
    sizes: dict[int, tuple[list[dt.date], list[str]]]               # confirmed sizes by employer, oldest first
    periods: tuple[tuple[int, dt.date | None, dt.date | None, str | None], ...]
    tra: dict[int, list[tuple[dt.date, str]]]
    subsidised: frozenset[int]

    @classmethod
    def from_json(cls, lo: int, hi: int, employer_months: Any, sizes: Any, periods: Any, tra: Any,
                  subsidised: Any) -> ChargedReads:
        by_employer: dict[int, tuple[list[dt.date], list[str]]] = {}
        for eid, since, size in sizes or ():
            dates, classes = by_employer.setdefault(int(eid), ([], []))
            dates.append(_day(since))  # type: ignore[arg-type]
            classes.append(str(size))
        recorded: dict[int, list[tuple[dt.date, str]]] = {}
        for eid, day, ctype in tra or ():
            recorded.setdefault(int(eid), []).append((_day(day), str(ctype)))  # type: ignore[arg-type]
        return cls(lo, hi,
                   tuple((int(p), int(e), s, int(pay), int(paid), str(ruc), bool(with_pay))
                         for p, e, s, pay, paid, ruc, with_pay in employer_months or ()),
                   by_employer,
                   tuple((int(e), _day(s), _day(t), c) for e, s, t, c in periods or ()),
                   recorded, frozenset(int(p) for p in subsidised or ()))

    def months(self, first: int, last: int) -> list[ContributionMonth]:
        """The declared months in ``[first, last]`` as :func:`contribution_history` reads them
        (each month's pay summed over its employers, paid if one employer paid in full)."""
        per: dict[int, list[int]] = {}
        for p, _e, _s, pay, paid, _r, _w in self.employer_months:
            if first <= p <= last:
                acc = per.setdefault(p, [0, 0])
                acc[0] += pay
                acc[1] = max(acc[1], paid)
        return [ContributionMonth(period=p, remuneration=v[0], paid=bool(v[1])) for p, v in sorted(per.items())]

    def paying_employers(self, first: int, last: int) -> list[tuple[int, str]] | None:
        """(month, employer RUC) of the employer-months in ``[first, last]`` with pay, by month and
        RUC (what ``storage.claims_sql``'s paying-employers query reads); ``None`` outside ``[lo, hi]``."""
        if first < self.lo or last > self.hi:
            return None
        return sorted((p, ruc) for p, _e, _s, _pay, _paid, ruc, with_pay in self.employer_months
                      if with_pay and first <= p <= last)

    def charged(self, months: Sequence[ContributionMonth], params: ParameterSet) -> tuple[ContributionMonth, ...] | None:
        """:func:`charged_months` of *months*; ``None`` when they are outside ``[lo, hi]``."""
        if not months:
            return ()
        first, last = min(m.period for m in months), max(m.period for m in months)
        if first < self.lo or last > self.hi:
            return None
        rows = [r[:5] for r in self.employer_months if first <= r[0] <= last]
        employers = sorted({r[1] for r in rows})
        periods = sorted({r[0] for r in rows})
        sizes: dict[tuple[int, int], str | None] = {}
        for eid in employers:       # as sizes_by_month: the size confirmed in force on the month's first day
            dates, classes = self.sizes.get(eid, ([], []))
            for m in periods:
                k = bisect.bisect_right(dates, first_day(m)) - 1
                sizes[(eid, m)] = classes[k] if k >= 0 else None
        contracts = _contracts_at(self.periods, self.tra, employers, periods) if employers and periods else {}
        return _charged(months, rows, sizes, contracts, self.subsidised, params)


_BULK_NAMES = frozenset({"LawHistoryArrays", "charged_history_bulk", "reemployment_starts_bulk"})


def __getattr__(name: str) -> Any:
    """The bulk readings live in :mod:`seguro_desempleo.storage.history_bulk` (issue 24); their old
    import path still answers (lazily: that module imports this one)."""
    if name in _BULK_NAMES:
        from seguro_desempleo.storage import history_bulk

        return getattr(history_bulk, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

