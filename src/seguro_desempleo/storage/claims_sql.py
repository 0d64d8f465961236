"""Two claims ports over the payroll storage of issue 4 (moved from ``claims/sql_adapters.py``: an
adapter lives in ``storage/``, issue 24 — decision 0396).

- :class:`SqlHistoryProvider` implements :class:`~seguro_desempleo.claims.ports.HistoryProvider`
  over the registry, T-Registro periods and payroll contributions of a :class:`SqlUnitOfWork`.
  ``worker_ref`` is the registry's worker id as text.
- :class:`SqlLedgerPoster` implements :class:`~seguro_desempleo.claims.ports.LedgerPoster` with
  balanced double entries through :func:`seguro_desempleo.services.ledger.post`, idempotent on the
  entry key (stored as the ledger entry's ``ref``).

The claim, payment, appeal and audit stores are in :mod:`seguro_desempleo.storage.claims_repositories`.

Readings: the separation is the latest T-Registro period with an end date; re-employment is the
earliest of a later period start or a later month declared with pay by any employer (the first
day of that month). Registration with the employment service (art. 7) is read from the table
``es_registration`` with the worker (its earliest date): registered on a date when a registration
dated on or before it exists (a callable given to the provider overrides it, for tests).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
from collections.abc import Callable
from typing import Any, NamedTuple

from sqlalchemy import Date, String, text

from seguro_desempleo.claims.ports import LedgerEntry, LedgerKind, Payee, Separation
from seguro_desempleo.domain.identifiers import parse_worker_ref
from seguro_desempleo.domain.ledger import ACCOUNTS, Accounts, Line
from seguro_desempleo.errors import ConflictError, InputError, NotFoundError
from seguro_desempleo.parameters import ParameterSet, default_parameters
from seguro_desempleo.payments.bank_file import payee_name
from seguro_desempleo.periods import first_day, period_of
from seguro_desempleo.rules.evaluate import ContributionMonth
from seguro_desempleo.rules.post_termination import employed_in  # the one rule (the bulk path's too)
from seguro_desempleo.services import ledger as ledger_service
from seguro_desempleo.storage.history import (
    MONTHS_PG,
    ChargedReads,
    charged_months,
    contribution_history,
)
from seguro_desempleo.storage.uow import SqlUnitOfWork, driver_connection

log = logging.getLogger(__name__)

HISTORY_MONTHS = 48
"""Months of history read before the separation month (covers the 24-month window and reforms)."""

REEMPLOYMENT_MONTHS = 120
"""Months after the separation searched for a new declaration with pay."""

OVERPAYMENT_ACCOUNT = "1240"
"""Asset account for overpaid benefits to recover; not yet in the chart (requested from the lead)."""


def _worker_id(worker_ref: str) -> int:
    """The registry id under the one strict policy (:func:`parse_worker_ref`): ``" 527"``,
    ``"0527"``, ``"+527"``, ``"5_27"`` or ``"٥٢٧"`` are refused (422), never read as 527."""
    return parse_worker_ref(worker_ref)


class _Period(NamedTuple):
    """A T-Registro period with what a decision needs of its employer (one joined read)."""

    start_date: dt.date
    end_date: dt.date | None
    contract_type: str | None
    termination_cause: str | None
    employer_ruc: str
    employer_size: str | None
    employer_sector: str


class _Worker(NamedTuple):
    doc_type: str
    doc_number: str
    full_name: str | None
    periods: list[_Period]
    first_registration: dt.date | None      # art. 7: the earliest registration with the employment service


_WORKER_PERIODS_SQL = (
    "SELECT w.doc_type, w.doc_number, w.full_name, p.start_date, p.end_date, p.contract_type, "
    "p.termination_cause, e.ruc, e.size_class, e.sector, "
    "(SELECT min(r.registered_on) FROM es_registration r WHERE r.worker_id = w.id) AS first_registration "
    "FROM worker w "
    "LEFT JOIN employment_period p ON p.worker_id = w.id LEFT JOIN employer e ON e.id = p.employer_id "
    "WHERE w.id = :w")
_WORKER_PERIODS = text(_WORKER_PERIODS_SQL).columns(doc_type=String, doc_number=String, full_name=String,
                                                    start_date=Date, end_date=Date, first_registration=Date)
_REGISTERED_BETWEEN = text("SELECT 1 FROM es_registration WHERE worker_id = :w "
                           "AND registered_on BETWEEN :a AND :b LIMIT 1")
_MONTHS_PG = MONTHS_PG
""":func:`seguro_desempleo.storage.history.contribution_history`'s query (PostgreSQL, driver cursor)."""
_WORKER_PERIODS_PG = (
    "SELECT w.doc_type, w.doc_number, w.full_name, p.start_date, p.end_date, p.contract_type, "
    "p.termination_cause, e.ruc, e.size_class, e.sector, "
    "(SELECT min(r.registered_on) FROM es_registration r WHERE r.worker_id = w.id) AS first_registration "
    "FROM worker w "
    "LEFT JOIN employment_period p ON p.worker_id = w.id LEFT JOIN employer e ON e.id = p.employer_id "
    "WHERE w.id = %s")
""":data:`_WORKER_PERIODS_SQL` with the driver's placeholder (the same text otherwise, tested)."""
_DECISION_READS_PG = (
    # the worker's rows of _WORKER_PERIODS_SQL, when not read yet (the sub-select runs only then)
    "SELECT CASE WHEN %(with_worker)s THEN (SELECT json_agg(json_build_array(w.doc_type, w.doc_number, "
    "w.full_name, p.start_date, p.end_date, p.contract_type, p.termination_cause, e.ruc, e.size_class, e.sector)) "
    "FROM worker w "
    "LEFT JOIN employment_period p ON p.worker_id = w.id LEFT JOIN employer e ON e.id = p.employer_id "
    "WHERE w.id = %(w)s) END AS worker, "
    "(SELECT json_agg(json_build_array(v.period, v.status)) FROM declaration_review v "
    "WHERE v.worker_id = %(w)s) AS reviews, "
    "(SELECT json_agg(r.registered_on ORDER BY r.registered_on) FROM es_registration r "
    "WHERE r.worker_id = %(w)s) AS registrations, "
    # what storage.history.charged_months reads (art. 3 by month), as five JSON columns: the
    # employer-months (RUC, whether a record has pay), the employers' confirmed sizes, the T-Registro
    # periods and .tra contracts, the subsidised months (Tabla 21, SUBSIDISED_TYPES)
    "(SELECT json_agg(json_build_array(x.period, x.employer_id, x.sector, x.pay, x.paid, x.ruc, x.with_pay) "
    "ORDER BY x.period, x.employer_id) FROM ("
    "SELECT c.period, d.employer_id, e.sector, SUM(c.insurable_pay) AS pay, MAX(CASE WHEN (SELECT "
    "COALESCE(SUM(p.amount), 0) FROM employer_payment p WHERE p.employer_id = d.employer_id AND p.period = d.period) "
    ">= d.total_due THEN 1 ELSE 0 END) AS paid, "
    "e.ruc, MAX(CASE WHEN c.insurable_pay > 0 THEN 1 ELSE 0 END) AS with_pay "
    "FROM contribution c JOIN declaration d ON d.id = c.declaration_id JOIN employer e ON e.id = d.employer_id "
    "WHERE c.worker_id = %(w)s AND d.status = 'active' AND c.period BETWEEN %(lo)s AND %(hi)s "
    "GROUP BY c.period, d.employer_id, e.sector, e.ruc) x) AS employer_months, "
    "(SELECT json_agg(json_build_array(s.employer_id, s.valid_from, s.size_class) ORDER BY s.employer_id, s.valid_from) "
    "FROM employer_size s WHERE s.status = 'confirmed' AND s.employer_id IN ("
    "SELECT d.employer_id FROM contribution c JOIN declaration d ON d.id = c.declaration_id "
    "WHERE c.worker_id = %(w)s AND d.status = 'active' AND c.period BETWEEN %(lo)s AND %(hi)s)) AS sizes, "
    "(SELECT json_agg(json_build_array(p.employer_id, p.start_date, p.end_date, p.contract_type) "
    "ORDER BY p.start_date, p.id) "
    "FROM employment_period p WHERE p.worker_id = %(w)s) AS periods, "
    "(SELECT json_agg(json_build_array(t.employer_id, t.recorded_on, t.contract_type) ORDER BY t.recorded_on) "
    "FROM worker_contract t WHERE t.worker_id = %(w)s) AS tra, "
    "(SELECT json_agg(DISTINCT n.period) FROM suspension_days n WHERE n.worker_id = %(w)s "
    "AND n.suspension_type = ANY(%(types)s) AND n.days > 0 AND n.period BETWEEN %(lo)s AND %(hi)s) AS subsidised")
"""What deciding a claim reads, in one round trip (issue 25: speed): the worker's rows of
:data:`_WORKER_PERIODS_SQL` when ``with_worker`` (a decision of a claim filed earlier: the worker
is not read yet; else ``NULL``), the worker's flagged months and their review (the review queue,
:meth:`SqlHistoryProvider.month_reviews`), the worker's registrations with the employment service
(art. 7), and the declared months with what art. 3 by month needs
(:class:`~seguro_desempleo.storage.history.ChargedReads`: one round trip instead of five); the months are summed from the
employer-months (as :data:`_MONTHS_PG` sums them). One literal statement (issue 24: SQL is
never assembled from pieces), so the driver prepares one plan for both cases."""


def _day(v: Any) -> dt.date | None:
    return None if v is None else dt.date.fromisoformat(v)


def _worker_from_rows(rows: Any) -> _Worker | None:
    """The worker from the rows of :data:`_WORKER_PERIODS_SQL` (one per period; ``None`` if none)."""
    if not rows:
        return None
    periods = [_Period(r[3], r[4], r[5], r[6], r[7], r[8], r[9] or "private") for r in rows if r[3] is not None]
    return _Worker(rows[0][0], rows[0][1], rows[0][2], periods, rows[0][10])


class SqlHistoryProvider:
    def __init__(self, uow: SqlUnitOfWork, *, registered: Callable[[str, dt.date], bool] | None = None,
                 params: ParameterSet | None = None) -> None:
        self.uow = uow
        self.params = params or default_parameters()
        self._registered = registered
        self._workers: dict[int, _Worker | None] = {}
        self._history: dict[int, tuple[int, int, list[ContributionMonth]]] = {}
        self._charged: dict[int, ChargedReads] = {}        # what art. 3 by month reads (prefetch)
        self._registrations: dict[int, list[dt.date]] = {}  # es_registration dates, oldest first (prefetch)
        self._reviews: dict[int, dict[int, str]] = {}       # flagged month -> review status (prefetch)

    def prefetch(self, worker_ref: str, separation_date: dt.date) -> None:
        """Read at once what deciding a claim separated on *separation_date* reads: the worker
        with periods and employers (unless read already: a filing decided at once), the
        registrations with the employment service, and the declared months of the window
        :meth:`contributions` and :meth:`reemployment_start` ask for with what art. 3 by month
        needs of them (PostgreSQL: one round trip; elsewhere nothing — the reads happen when asked)."""
        if self.uow.dialect != "postgresql":
            return
        try:
            wid = _worker_id(worker_ref)
        except (NotFoundError, InputError):
            return
        if wid in self._workers and wid in self._charged:
            return
        up_to = period_of(separation_date)
        lo, hi = up_to - 2 * HISTORY_MONTHS + 1, up_to + REEMPLOYMENT_MONTHS
        from seguro_desempleo.storage.intake import SUBSIDISED_TYPES

        with_worker = wid not in self._workers
        raw: Any = driver_connection(self.uow.session)
        with raw.cursor() as cur:
            cur.execute(_DECISION_READS_PG, {"with_worker": with_worker, "w": wid, "lo": lo, "hi": hi,
                                             "types": list(SUBSIDISED_TYPES)})
            row = cur.fetchone()
        worker, row = row[0], row[1:]
        self._reviews[wid] = {int(p): str(st) for p, st in row[0] or ()}
        row = row[1:]
        registrations = [d for d in (_day(v) for v in row[0] or ()) if d is not None]
        reads = self._charged[wid] = ChargedReads.from_json(lo, hi, *row[1:6])
        self._registrations[wid] = registrations
        self._history[wid] = (lo, hi, reads.months(lo, hi))
        if with_worker:
            self._workers[wid] = None if not worker else _Worker(
                worker[0][0], worker[0][1], worker[0][2],
                [_Period(_day(r[3]), _day(r[4]), r[5], r[6], r[7], r[8], r[9] or "private")  # type: ignore[arg-type]
                 for r in worker if r[3] is not None],
                registrations[0] if registrations else None)

    def _worker(self, wid: int) -> _Worker | None:
        """The worker, T-Registro periods and their employers in one query, once per unit of work."""
        if wid in self._workers:
            return self._workers[wid]
        rows: Any
        if self.uow.dialect == "postgresql":      # the hot path: the fixed statement on the driver cursor
            raw: Any = driver_connection(self.uow.session)
            with raw.cursor() as cur:
                cur.execute(_WORKER_PERIODS_PG, (wid,))
                rows = cur.fetchall()
        else:
            rows = self.uow.session.execute(_WORKER_PERIODS, {"w": wid}).all()
        got = self._workers[wid] = _worker_from_rows(rows)
        return got

    def forget(self, worker_ref: str) -> None:
        """Drop what this unit of work read of the worker (after recording something about them)."""
        with contextlib.suppress(NotFoundError, InputError):
            wid = _worker_id(worker_ref)
            self._workers.pop(wid, None)
            self._charged.pop(wid, None)
            self._registrations.pop(wid, None)
            self._reviews.pop(wid, None)

    def month_reviews(self, worker_ref: str) -> dict[int, str]:
        """period → status of the worker's flagged months (the review queue): read by
        :meth:`prefetch` on PostgreSQL, else (or not prefetched) one query."""
        wid = _worker_id(worker_ref)
        known = self._reviews.get(wid)
        if known is not None:
            return dict(known)
        from seguro_desempleo.storage.money_safety import reviews_of

        return reviews_of(self.uow.session, wid)

    def _periods_of(self, wid: int) -> list[_Period]:
        w = self._worker(wid)
        return w.periods if w is not None else []

    def known_worker(self, worker_ref: str) -> bool:
        return self._worker(_worker_id(worker_ref)) is not None

    def last_separation(self, worker_ref: str, on_or_before: dt.date | None = None) -> Separation | None:
        periods = [p for p in self._periods_of(_worker_id(worker_ref))
                   if p.end_date is not None and (on_or_before is None or p.end_date <= on_or_before)]
        if not periods:
            return None
        p = max(periods, key=lambda x: (x.end_date or x.start_date, x.start_date))
        assert p.end_date is not None
        if p.employer_size is None:
            raise ConflictError("the employer's size class is not known yet; update the registry",
                                field="employer_size", where=f"employer {p.employer_ruc}")
        return Separation(date=p.end_date, termination_cause=p.termination_cause or "",
                          employer_ruc=p.employer_ruc, employer_size=p.employer_size, sector=p.employer_sector,
                          contract_type=p.contract_type or "01")

    def _months(self, wid: int, first: int, last: int) -> list[ContributionMonth]:
        """Declared months in ``[first, last]``; one query per worker and unit of work when the
        windows overlap (a decision reads 48 months before the separation and 120 after it)."""
        cached = self._history.get(wid)
        if cached is None or first < cached[0] or last > cached[1]:
            lo = min(first, cached[0]) if cached else first
            hi = max(last, cached[1]) if cached else last
            if cached is None:                          # read the usual decision window at once
                lo, hi = first - HISTORY_MONTHS, last + REEMPLOYMENT_MONTHS
            cached = self._history[wid] = (lo, hi, self._read_months(wid, lo, hi))
        return [m for m in cached[2] if first <= m.period <= last]

    def _read_months(self, wid: int, lo: int, hi: int) -> list[ContributionMonth]:
        if self.uow.dialect != "postgresql":
            return contribution_history(self.uow.session, wid, lo, hi)
        # The same query as :func:`contribution_history`, as a fixed statement on the driver cursor.
        raw: Any = driver_connection(self.uow.session)
        with raw.cursor() as cur:
            cur.execute(_MONTHS_PG, (wid, lo, hi))
            return [ContributionMonth(period=int(p), remuneration=int(pay), paid=bool(paid))
                    for p, pay, paid in cur.fetchall()]

    def contributions(self, worker_ref: str, up_to_period: int) -> tuple[ContributionMonth, ...]:
        wid = _worker_id(worker_ref)
        months = self._months(wid, up_to_period - HISTORY_MONTHS + 1, up_to_period)
        months = self._without_post_termination_pay(wid, months)
        # Art. 3 by month and the charged base (issue 26, items 1 and 4): storage.history.charged_months,
        # from what prefetch read when it covers the months
        reads = self._charged.get(wid)
        got = reads.charged(months, self.params) if reads is not None else None
        return got if got is not None else charged_months(self.uow.session, wid, months, self.params)

    def _without_post_termination_pay(self, wid: int, months: list[ContributionMonth]) -> list[ContributionMonth]:
        """Drop the months whose only pay is a former employer's after its period ended (vacaciones
        truncas, CTS, gratificación trunca: SUNAT Tabla 22's post-termination concepts). Such a month
        is not a month of contribution with an RMV floor (issue 26 item 3); a month with pay from a
        job (a period covering it, or an employer without T-Registro periods) keeps its whole pay.
        Read only when some period ended before the last month (one more query, then)."""
        periods = self._periods_of(wid)
        ends = [period_of(p.end_date) for p in periods if p.end_date is not None]
        if not months or not ends or min(ends) >= months[-1].period:
            return months
        suspect = [m for m in months if m.period > min(ends) and m.remuneration > 0]
        if not suspect:
            return months
        job: dict[int, bool] = {}
        for period, ruc in self._paying_employers(wid, suspect[0].period, suspect[-1].period):
            job[period] = job.get(period, False) or _employed_in(periods, ruc, period)
        return [m for m in months if job.get(m.period, True)]

    def registered_with_employment_service(self, worker_ref: str, on: dt.date,
                                           since: dt.date | None = None) -> bool:
        if self._registered is not None:
            return self._registered(worker_ref, on)
        if since is not None:  # art. 7: reported on or after the separation (issue 26, item 7)
            known = self._registrations.get(_worker_id(worker_ref))
            if known is not None:       # read by prefetch
                return any(since <= d <= on for d in known)
            return self.uow.session.execute(_REGISTERED_BETWEEN, {"w": _worker_id(worker_ref), "a": since,
                                                                  "b": on}).first() is not None
        # "A registration dated on or before *on* exists" = the earliest one is on or before it;
        # read with the worker's periods (one query per unit of work, not one per check).
        w = self._worker(_worker_id(worker_ref))
        first = w.first_registration if w is not None else None
        return first is not None and first <= on

    def reemployment_start(self, worker_ref: str, after: dt.date) -> dt.date | None:
        """The first new job after *after*: a T-Registro period starting later, or the first later
        month with pay from an employer the worker was still (or again) employed by that month.

        Pay a former employer declares after the period ended — vacaciones truncas, CTS,
        gratificación trunca, the other post-termination concepts of SUNAT Tabla 22 — is not a new
        job (issue 26 item 3): an employer's month counts only if one of its T-Registro periods with
        the worker covers it, or if the worker has no T-Registro period with it (payroll only)."""
        wid = _worker_id(worker_ref)
        periods = self._periods_of(wid)
        starts = [p.start_date for p in periods if p.start_date > after]
        lo, hi = period_of(after) + 1, period_of(after) + REEMPLOYMENT_MONTHS
        later = [m for m in self._months(wid, lo, hi) if m.remuneration > 0]
        if later:      # some pay after the separation: whose, and was it a job that month?
            for period, ruc in self._paying_employers(wid, lo, later[-1].period):
                if _employed_in(periods, ruc, period):
                    starts.append(first_day(period))
                    break
        return min(starts) if starts else None

    def _paying_employers(self, wid: int, first: int, last: int) -> list[tuple[int, str]]:
        """(month, employer RUC) of every active declaration with pay for the worker, oldest first."""
        reads = self._charged.get(wid)
        known = reads.paying_employers(first, last) if reads is not None else None
        if known is not None:           # read by prefetch
            return known
        rows = self.uow.session.execute(_PAYING_EMPLOYERS, {"w": wid, "a": first, "b": last}).all()
        return [(int(p), str(r)) for p, r in rows]

    def kept_job(self, worker_ref: str, separation: dt.date) -> bool:
        """Another T-Registro period still open after *separation* that started on or before it:
        the worker kept a second job (issue 26 item 3; art. 6, the contingency is unemployment)."""
        return any(p.start_date <= separation and (p.end_date is None or p.end_date > separation)
                   for p in self._periods_of(_worker_id(worker_ref)))

    def payee(self, worker_ref: str) -> Payee:
        w = self._worker(_worker_id(worker_ref))
        if w is None:
            raise NotFoundError("no insured worker with this reference", field="worker")
        # The name as registered (never logged); the placeholder when the registry has none.
        return Payee(w.doc_type, w.doc_number, payee_name(w.full_name, worker_ref))


_PAYING_EMPLOYERS = text(
    "SELECT c.period, e.ruc FROM contribution c JOIN declaration d ON d.id = c.declaration_id "
    "JOIN employer e ON e.id = d.employer_id WHERE c.worker_id = :w AND d.status = 'active' "
    "AND c.period BETWEEN :a AND :b AND c.insurable_pay > 0 ORDER BY c.period, e.ruc")


def _employed_in(periods: list[_Period], ruc: str, period: int) -> bool:
    """Pay of *ruc* in month *period* is from a job: a period with that employer covers the month,
    or the worker has no T-Registro period with it at all (a payroll-only employment)."""
    return employed_in([(p.start_date, p.end_date) for p in periods if p.employer_ruc == ruc], period)


def ledger_lines(entry: LedgerEntry) -> tuple[Line, ...] | None:
    """The balanced lines of a claims ledger entry, or ``None`` if the chart lacks the account."""
    a = entry.amount
    if entry.kind is LedgerKind.BENEFIT_PAYMENT:
        return ((Accounts.BENEFITS_EXPENSE, a, 0), (Accounts.BANK, 0, a))
    if entry.kind is LedgerKind.PAYMENT_RETURNED:
        return ((Accounts.BANK, a, 0), (Accounts.BENEFITS_EXPENSE, 0, a))
    if OVERPAYMENT_ACCOUNT not in ACCOUNTS:
        return None
    return ((OVERPAYMENT_ACCOUNT, a, 0), (Accounts.BENEFITS_EXPENSE, 0, a))


class SqlLedgerPoster:
    def __init__(self, uow: SqlUnitOfWork) -> None:
        self.uow = uow

    def available_cash(self) -> int:
        """The fund's cash: the bank account's balance (issue 25: a run never pays beyond it)."""
        return self.uow.controls.available_cash()

    def post(self, entry: LedgerEntry) -> bool:
        if self.uow.ledger.entries(ref=entry.key):
            return False
        lines = ledger_lines(entry)
        if lines is None:
            log.warning("ledger has no account %s; %s kept in the audit log only", OVERPAYMENT_ACCOUNT, entry.kind)
            return False
        ledger_service.post(self.uow, f"claims.{entry.kind.value}", lines, ref=entry.key, at=entry.on)
        return True
