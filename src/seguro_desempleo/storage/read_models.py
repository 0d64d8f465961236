"""Read models of the web pages and the API (issue 24): the SQL that used to sit in ``web/``
(``web/queries.py``, the dashboard's claims figures, the claim lists) and in the API's employer
declarations, moved down to storage unchanged. Offered as ``uow.reads``.

Everything here reads through the unit of work's session, never writes, binds every value as a
parameter, and returns plain records (``domain/read_models.py``) or tuples, céntimos as ``int``.
Suppressing small cells and the other publishing choices stay with the pages.

The employer-size history and its review queue are the size port's (``uow.employer_sizes``,
``storage/employer_sizes.py``).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from sqlalchemy import bindparam, select, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from seguro_desempleo.domain import read_models as records
from seguro_desempleo.periods import month_index

T = TypeVar("T")


_GROUP_ATTRS = text(
    "SELECT w.id, w.sex, w.birth_date, w.region, (SELECT e.sector FROM employment_period p "
    "JOIN employer e ON e.id = p.employer_id WHERE p.worker_id = w.id "
    "ORDER BY COALESCE(p.end_date, p.start_date) DESC "
    "LIMIT 1) FROM worker w WHERE w.id IN :ids").bindparams(bindparam("ids", expanding=True))


def _date(v: object) -> dt.date:
    return v if isinstance(v, dt.date) else dt.date.fromisoformat(str(v)[:10])


class SqlReadModels:
    """The pages' and the API's aggregate reads in the caller's transaction."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def in_savepoint(self, work: Callable[[], T]) -> T | None:
        """*work* inside a savepoint; ``None`` when the database refuses it (the claims tables not
        installed in this database: the dashboard then omits its claims section)."""
        try:
            with self.session.begin_nested():
                return work()
        except SQLAlchemyError:
            return None

    # ------------------------------------------------------------ worker

    def worker_meter(self, worker_id: int, end_month: int, window: int, count_unpaid: bool) -> list[records.MeterMonth]:
        """The art. 7 window month by month (oldest first) with each employer's declaration."""
        first = end_month - window + 1
        rows = self.session.connection().execute(text(
            "SELECT c.period, e.ruc, e.name, SUM(c.insurable_pay), MAX(CASE WHEN (SELECT COALESCE(SUM(p.amount), 0) "
            "FROM employer_payment p WHERE p.employer_id = d.employer_id AND p.period = d.period) >= d.total_due "
            "THEN 1 ELSE 0 END) FROM contribution c JOIN declaration d ON d.id = c.declaration_id "
            "JOIN employer e ON e.id = d.employer_id WHERE c.worker_id = :w AND d.status = 'active' "
            "AND c.period BETWEEN :a AND :b GROUP BY c.period, e.ruc, e.name ORDER BY c.period, e.ruc"),
            {"w": worker_id, "a": first, "b": end_month}).all()
        months = {p: records.MeterMonth(p) for p in range(first, end_month + 1)}
        for period, ruc, name, pay, paid in rows:
            months[int(period)].employers.append(records.EmployerMonth(ruc, name or "", int(pay or 0), bool(paid)))
        for m in months.values():
            m.counts = m.pay > 0 and (m.paid or count_unpaid)
        return list(months.values())

    def worker_jobs(self, worker_id: int) -> list[records.Job]:
        rows = self.session.connection().execute(text(
            "SELECT e.ruc, e.name, e.size_class, e.sector, p.start_date, p.end_date, p.termination_cause "
            "FROM employment_period p JOIN employer e ON e.id = p.employer_id WHERE p.worker_id = :w "
            "ORDER BY p.start_date DESC"), {"w": worker_id}).all()
        return [records.Job(r[0], r[1] or "", r[2], r[3] or "private", _date(r[4]), _date(r[5]) if r[5] else None, r[6])
                for r in rows]

    def worker_attributes(self, worker_ids: list[int], on: dt.date) -> dict[str, tuple[str, str, str, str]]:
        """(sex, age band at *on*, region, sector of the latest employer) by worker id as text."""
        attrs: dict[str, tuple[str, str, str, str]] = {}
        conn = self.session.connection()
        for i in range(0, len(worker_ids), 5000):
            rows = conn.execute(_GROUP_ATTRS, {"ids": worker_ids[i:i + 5000]}).all()
            for wid, sex, birth, region, sector in rows:
                born = birth if isinstance(birth, dt.date) or birth is None else dt.date.fromisoformat(str(birth)[:10])
                attrs[str(wid)] = (sex or "—", records.age_band(born, on), region or "—", sector or "—")
        return attrs

    def worker_regions(self) -> list[str]:
        """Every region a worker is registered in, sorted."""
        return sorted({r for (r,) in self.session.connection().execute(
            text("SELECT DISTINCT region FROM worker WHERE region IS NOT NULL"))})

    def claim_ids_of_worker(self, worker_ref: str) -> list[str]:
        return [i for (i,) in self.session.connection().execute(
            text("SELECT id FROM claim WHERE worker_ref = :w ORDER BY id"), {"w": worker_ref})]

    def contribution_history(self, worker_id: int, first_month: int, last_month: int) -> list[Any]:
        """The worker's declared months in ``[first_month, last_month]`` with their paid flag
        (``storage/history.contribution_history``), oldest first."""
        from seguro_desempleo.storage.history import contribution_history

        return contribution_history(self.session, worker_id, first_month, last_month)

    # ------------------------------------------------------------ employer

    def employer_months(self, employer_id: int) -> list[records.DeclaredMonth]:
        rows = self.session.connection().execute(text(
            "SELECT d.period, d.version, d.workers, d.total_due, d.employer_due, d.cts_due, (SELECT "
            "COALESCE(SUM(p.amount), 0) FROM employer_payment p WHERE p.employer_id = d.employer_id "
            "AND p.period = d.period) "
            "FROM declaration d WHERE d.employer_id = :e AND d.status = 'active' ORDER BY d.period DESC"),
            {"e": employer_id}).all()
        return [records.DeclaredMonth(*(int(x or 0) for x in r)) for r in rows]

    def active_declarations(self, employer_id: int | None) -> Iterable[Any]:
        """The employer's declarations in force, by month (rows with ``period``, ``version``,
        ``workers``, ``total_due``, ``employer_due``, ``cts_due``)."""
        from seguro_desempleo.storage.models import DeclarationRow

        return self.session.execute(select(DeclarationRow).where(DeclarationRow.employer_id == employer_id,
                                                                 DeclarationRow.status == "active")
                                    .order_by(DeclarationRow.period)).scalars()

    # ------------------------------------------------------------ dashboard

    def monthly_flows(self) -> list[records.MonthFlows]:
        conn = self.session.connection()
        out: dict[int, records.MonthFlows] = {}

        def get(p: int) -> records.MonthFlows:
            return out.setdefault(p, records.MonthFlows(p))

        for period, due in conn.execute(text(
                "SELECT period, SUM(total_due) FROM declaration WHERE status = 'active' GROUP BY period")):
            get(int(period)).declared = int(due or 0)
        for period, amount in conn.execute(text("SELECT period, SUM(amount) FROM employer_payment GROUP BY period")):
            get(int(period)).collected = int(amount or 0)
        by_day = conn.execute(text(
            "SELECT e.at, l.account, SUM(l.debit), SUM(l.credit) FROM ledger_line l "
            "JOIN ledger_entry e ON e.id = l.entry_id GROUP BY e.at, l.account ORDER BY e.at")).all()
        fund_moves: dict[int, int] = defaultdict(int)
        spend: dict[int, int] = defaultdict(int)
        for at, account, debit, credit in by_day:
            day = _date(at)
            p = month_index(day.year, day.month)
            d, c = int(debit or 0), int(credit or 0)
            if account in ("1010", "1100"):
                fund_moves[p] += d - c
            if account == "5100":
                get(p).benefits += d - c
            if account in ("5100", "5200"):
                spend[p] += d - c
        if not out and not fund_moves:
            return []
        months = range(min([*out, *fund_moves]), max([*out, *fund_moves]) + 1)
        running = 0
        for p in months:
            running += fund_moves.get(p, 0)
            m = get(p)
            m.fund = running
            yearly = sum(spend.get(q, 0) for q in range(p - 11, p + 1))
            m.reserve_ratio = running / yearly if yearly > 0 else None
        return [out[p] for p in months]

    def insured(self, period: int) -> dict[int, tuple[str, str, str, str]]:
        """Insured workers with insurable pay declared in *period*: (sex, age band, region, sector)
        by worker id."""
        rows = self.session.connection().execute(text(
            "SELECT DISTINCT c.worker_id, w.sex, w.birth_date, COALESCE(w.region, e.region), e.sector "
            "FROM contribution c JOIN declaration d ON d.id = c.declaration_id JOIN worker w ON w.id = c.worker_id "
            "JOIN employer e ON e.id = d.employer_id "
            "WHERE c.period = :p AND d.status = 'active' AND c.insurable_pay > 0"), {"p": period}).all()
        seen: dict[int, tuple[str, str, str, str]] = {}
        year, m0 = divmod(period, 12)
        at = dt.date(year, m0 + 1, 1)
        for wid, sex, birth, region, sector in rows:
            seen.setdefault(int(wid), (sex or "—", records.age_band(_date(birth) if birth else None, at), region or "—",
                                       sector or "—"))
        return seen

    def dashboard_fingerprint(self) -> tuple[int, ...]:
        """Changes whenever a figure of the dashboard can change (new entries, declarations, claim events)."""
        conn = self.session.connection()
        out = []
        for q in ("SELECT COALESCE(MAX(id), 0) FROM ledger_entry", "SELECT COALESCE(MAX(id), 0) FROM declaration",
                  "SELECT COALESCE(MAX(id), 0) FROM employer_payment", "SELECT COUNT(*) FROM worker"):
            out.append(int(conn.execute(text(q)).scalar() or 0))
        try:
            with self.session.begin_nested():
                out.append(int(conn.execute(text("SELECT COALESCE(MAX(seq), 0) FROM audit_log")).scalar() or 0))
        except SQLAlchemyError:
            out.append(-1)
        return tuple(out)

    def benefit_payment_totals(self) -> tuple[int, int, int]:
        """(claims paid, payments, céntimos paid) over every benefit payment."""
        people, n_paid, total_paid = (int(x or 0) for x in self.session.connection().execute(text(
            "SELECT COUNT(DISTINCT claim_id), COUNT(*), SUM(amount) FROM benefit_payment")).one())
        return people, n_paid, total_paid

    def benefit_payments_by_month(self) -> list[tuple[int, int, int]]:
        """(period, claims paid, céntimos paid) by month of the installment."""
        rows = self.session.connection().execute(text(
            "SELECT period, COUNT(DISTINCT claim_id), SUM(amount) FROM benefit_payment GROUP BY period ORDER BY period"
        )).all()
        return [(int(p), int(n), int(total)) for p, n, total in rows]


    # ------------------------------------------------------------ the summary report

    def active_declaration_totals(self) -> tuple[int, int]:
        """(worker-months, céntimos due) over the declarations in force."""
        from sqlalchemy import func

        from seguro_desempleo.storage.models import DeclarationRow

        contrib = self.session.execute(select(func.coalesce(func.sum(DeclarationRow.workers), 0),
                                              func.coalesce(func.sum(DeclarationRow.total_due), 0))
                                       .where(DeclarationRow.status == "active")).one()
        return int(contrib[0]), int(contrib[1])

    def claims_with_sex(self) -> list[tuple[str, Any, str | None]]:
        """Every claim's (state, stored decision, the worker's sex or None)."""
        from sqlalchemy import Integer, cast

        from seguro_desempleo.storage.claims_models import ClaimRow
        from seguro_desempleo.storage.models import WorkerRow

        return [tuple(r) for r in self.session.execute(
            select(ClaimRow.state, ClaimRow.decision, WorkerRow.sex)
            .join(WorkerRow, WorkerRow.id == cast(ClaimRow.worker_ref, Integer), isouter=True)).all()]

    def benefits_paid_by_sex(self) -> list[tuple[str | None, int, int]]:
        """(the worker's sex or None, payments, céntimos paid) over every benefit payment."""
        from sqlalchemy import Integer, cast, func

        from seguro_desempleo.storage.claims_models import BenefitPaymentRow, ClaimRow
        from seguro_desempleo.storage.models import WorkerRow

        return [tuple(r) for r in self.session.execute(
            select(WorkerRow.sex, func.count(), func.coalesce(func.sum(BenefitPaymentRow.amount), 0))
            .select_from(BenefitPaymentRow)
            .join(ClaimRow, ClaimRow.id == BenefitPaymentRow.claim_id)
            .join(WorkerRow, WorkerRow.id == cast(ClaimRow.worker_ref, Integer), isouter=True)
            .group_by(WorkerRow.sex)).all()]
