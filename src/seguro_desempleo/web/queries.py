"""Read-only queries the pages need that the repositories do not offer (aggregates for the
dashboard, a worker's months by employer, an employer's months declared and paid).

They read through the request's unit of work (``uow.connection()``), never write, and return
plain dataclasses with céntimos as ``int``. Dashboard counts are published with small cells
suppressed (:func:`suppress`): no personal data leaves these functions for the public pages.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import text

from seguro_desempleo.domain.ledger import ACCOUNTS, balance_of
from seguro_desempleo.periods import format_period, month_index
from seguro_desempleo.storage.uow import SqlUnitOfWork

SMALL_CELL = 5
"""Counts from 1 to 4 are not published (shown as "< 5"): they could point to a person."""

_PAID = ("(SELECT COALESCE(SUM(p.amount), 0) FROM employer_payment p "
         "WHERE p.employer_id = d.employer_id AND p.period = d.period)")


def suppress(n: int, k: int = SMALL_CELL) -> int | None:
    """*n*, or ``None`` when it is a small cell (0 < n < k)."""
    return None if 0 < n < k else n


# ---------------------------------------------------------------- worker

@dataclass(frozen=True)
class EmployerMonth:
    ruc: str
    name: str
    pay: int          # insurable pay, céntimos
    paid: bool        # the employer paid that month's contributions in full


@dataclass
class MeterMonth:
    period: int
    employers: list[EmployerMonth] = field(default_factory=list)
    counts: bool = False

    @property
    def label(self) -> str:
        return format_period(self.period)

    @property
    def pay(self) -> int:
        return sum(e.pay for e in self.employers)

    @property
    def declared(self) -> bool:
        return bool(self.employers)

    @property
    def paid(self) -> bool:
        return any(e.paid for e in self.employers)


def worker_meter(uow: SqlUnitOfWork, worker_id: int, end_month: int, window: int,
                 count_unpaid: bool) -> list[MeterMonth]:
    """The art. 7 window month by month (oldest first) with each employer's declaration."""
    first = end_month - window + 1
    rows = uow.connection().execute(text(
        f"SELECT c.period, e.ruc, e.name, SUM(c.insurable_pay), MAX(CASE WHEN {_PAID} >= d.total_due "
        "THEN 1 ELSE 0 END) FROM contribution c JOIN declaration d ON d.id = c.declaration_id "
        "JOIN employer e ON e.id = d.employer_id WHERE c.worker_id = :w AND d.status = 'active' "
        "AND c.period BETWEEN :a AND :b GROUP BY c.period, e.ruc, e.name ORDER BY c.period, e.ruc"),
        {"w": worker_id, "a": first, "b": end_month}).all()
    months = {p: MeterMonth(p) for p in range(first, end_month + 1)}
    for period, ruc, name, pay, paid in rows:
        months[int(period)].employers.append(EmployerMonth(ruc, name or "", int(pay or 0), bool(paid)))
    for m in months.values():
        m.counts = m.pay > 0 and (m.paid or count_unpaid)
    return list(months.values())


@dataclass(frozen=True)
class Job:
    ruc: str
    name: str
    size_class: str | None
    sector: str
    start: dt.date
    end: dt.date | None
    cause: str | None


def worker_jobs(uow: SqlUnitOfWork, worker_id: int) -> list[Job]:
    rows = uow.connection().execute(text(
        "SELECT e.ruc, e.name, e.size_class, e.sector, p.start_date, p.end_date, p.termination_cause "
        "FROM employment_period p JOIN employer e ON e.id = p.employer_id WHERE p.worker_id = :w "
        "ORDER BY p.start_date DESC"), {"w": worker_id}).all()
    return [Job(r[0], r[1] or "", r[2], r[3] or "private", _date(r[4]), _date(r[5]) if r[5] else None, r[6])
            for r in rows]


def _date(v: object) -> dt.date:
    return v if isinstance(v, dt.date) else dt.date.fromisoformat(str(v)[:10])


# ---------------------------------------------------------------- employer

@dataclass(frozen=True)
class DeclaredMonth:
    period: int
    version: int
    workers: int
    due: int
    employer_due: int
    cts_due: int
    paid: int

    @property
    def label(self) -> str:
        return format_period(self.period)

    @property
    def outstanding(self) -> int:
        return max(self.due - self.paid, 0)


def employer_months(uow: SqlUnitOfWork, employer_id: int) -> list[DeclaredMonth]:
    rows = uow.connection().execute(text(
        f"SELECT d.period, d.version, d.workers, d.total_due, d.employer_due, d.cts_due, {_PAID} "
        "FROM declaration d WHERE d.employer_id = :e AND d.status = 'active' ORDER BY d.period DESC"),
        {"e": employer_id}).all()
    return [DeclaredMonth(*(int(x or 0) for x in r)) for r in rows]


# ---------------------------------------------------------------- dashboard

@dataclass
class MonthFlows:
    period: int
    declared: int = 0            # contributions declared (art. 8)
    collected: int = 0           # employer payments received
    benefits: int = 0            # benefits expense booked
    fund: int = 0                # cash + investments at the end of the month
    reserve_ratio: float | None = None   # fund / benefits + admin costs of the last 12 months (model ratio)

    @property
    def label(self) -> str:
        return format_period(self.period)


def monthly_flows(uow: SqlUnitOfWork) -> list[MonthFlows]:
    conn = uow.connection()
    out: dict[int, MonthFlows] = {}

    def get(p: int) -> MonthFlows:
        return out.setdefault(p, MonthFlows(p))

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


def fund_position(uow: SqlUnitOfWork) -> dict[str, int]:
    """Balances of the accounts the board reads first (normal side), céntimos."""
    totals = uow.ledger.totals()
    return {code: balance_of(code, *totals.get(code, (0, 0))) for code in ACCOUNTS}


AGE_BANDS = ((18, 24), (25, 34), (35, 44), (45, 54), (55, 64), (65, 120))


def age_band(birth: dt.date | None, at: dt.date) -> str:
    if birth is None:
        return "—"
    age = at.year - birth.year - ((at.month, at.day) < (birth.month, birth.day))
    for lo, hi in AGE_BANDS:
        if lo <= age <= hi:
            return f"{lo}+" if hi == 120 else f"{lo}-{hi}"
    return "<18"


@dataclass(frozen=True)
class Breakdown:
    dimension: str                      # sex | age_band | region | sector
    rows: list[tuple[str, int | None]]  # (category, count or None when suppressed)


def coverage(uow: SqlUnitOfWork, period: int) -> tuple[int, list[Breakdown]]:
    """Insured workers with insurable pay declared in *period*, by sex, age band, region and sector."""
    rows = uow.connection().execute(text(
        "SELECT DISTINCT c.worker_id, w.sex, w.birth_date, COALESCE(w.region, e.region), e.sector "
        "FROM contribution c JOIN declaration d ON d.id = c.declaration_id JOIN worker w ON w.id = c.worker_id "
        "JOIN employer e ON e.id = d.employer_id "
        "WHERE c.period = :p AND d.status = 'active' AND c.insurable_pay > 0"), {"p": period}).all()
    seen: dict[int, tuple[str, str, str, str]] = {}
    year, m0 = divmod(period, 12)
    at = dt.date(year, m0 + 1, 1)
    for wid, sex, birth, region, sector in rows:
        seen.setdefault(int(wid), (sex or "—", age_band(_date(birth) if birth else None, at), region or "—",
                                   sector or "—"))
    return len(seen), breakdowns(seen.values())


def breakdowns(items: Iterable[tuple[str, str, str, str]]) -> list[Breakdown]:
    counts: list[dict[str, int]] = [defaultdict(int) for _ in range(4)]
    for item in items:
        for i, v in enumerate(item):
            counts[i][v] += 1
    return [Breakdown(dim, suppress_cells(sorted(c.items())))
            for dim, c in zip(("sex", "age_band", "region", "sector"), counts, strict=True)]


def suppress_cells(cells: list[tuple[str, int]]) -> list[tuple[str, int | None]]:
    """Small cells hidden, plus one more when a single cell would be hidden: with the total
    published, one hidden cell could be recomputed (complementary suppression)."""
    hidden = {k for k, v in cells if suppress(v) is None}
    if len(hidden) == 1:
        others = sorted((v, k) for k, v in cells if k not in hidden and v > 0)
        if others:
            hidden.add(others[0][1])
    return [(k, None if k in hidden else v) for k, v in cells]
