"""The dated history of employer sizes (issue 25: "an employer sets its own size"; issue 26 item 1).

Rules of the record (``employer_size``, :mod:`seguro_desempleo.storage.models_law`):

- a size computed from SUNAT annual sales (source ``sales``) or set by staff (``staff``) is
  *confirmed* at once; an employer's own declaration (``declared``) is *pending* until a staff
  member reviews it (:func:`review`), and a pending or rejected row is never in force;
- recording a size never erases the sales on record (the employer row keeps its sales unless new
  sales are given);
- a confirmed size is in force from ``valid_from`` until the next confirmed row; the first size
  ever recorded for an employer is in force from :data:`SINCE_ALWAYS` (what it was before it was
  recorded is not known otherwise, and the migration backfills the same way);
- the employer row's ``size_class`` mirrors the size in force today (what the screens show).

Coverage reads the size in force in each month (:func:`sizes_by_month`).
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

import numpy as np
import numpy.typing as npt
from sqlalchemy import Connection, select
from sqlalchemy.orm import Session

from seguro_desempleo.errors import ConflictError, InputError, NotFoundError
from seguro_desempleo.parameters import ParameterSet
from seguro_desempleo.periods import first_day, format_date_pe
from seguro_desempleo.storage.models import EmployerRow
from seguro_desempleo.storage.models_law import EmployerSizeRow

SINCE_ALWAYS = dt.date(1990, 1, 1)
SIZES = ("micro", "small", "medium", "large")


@dataclass(frozen=True)
class SizeRecord:
    id: int
    employer_id: int
    valid_from: dt.date
    size_class: str
    source: str
    status: str
    annual_sales_uit: Decimal | None
    recorded_by: str
    reviewed_by: str | None

    def to_dict(self) -> dict[str, object]:
        return {"id": self.id, "valid_from": self.valid_from.isoformat(), "size_class": self.size_class,
                "source": self.source, "status": self.status,
                "annual_sales_uit": None if self.annual_sales_uit is None else format(self.annual_sales_uit, "f"),
                "recorded_by": self.recorded_by, "reviewed_by": self.reviewed_by}


def _record(r: EmployerSizeRow) -> SizeRecord:
    sales = r.annual_sales_uit
    return SizeRecord(r.id, r.employer_id, r.valid_from, r.size_class, r.source, r.status,
                      Decimal(str(sales)) if sales is not None else None, r.recorded_by, r.reviewed_by)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def history(session: Session, employer_id: int) -> list[SizeRecord]:
    """Every size recorded for the employer, oldest first (pending and rejected ones included)."""
    rows = session.scalars(select(EmployerSizeRow).where(EmployerSizeRow.employer_id == employer_id)
                           .order_by(EmployerSizeRow.valid_from, EmployerSizeRow.id))
    return [_record(r) for r in rows]


def size_in_force(session: Session, employer_id: int, on: dt.date) -> str | None:
    """The confirmed size in force on *on* (``None``: none recorded by then)."""
    row = session.scalars(select(EmployerSizeRow).where(
        EmployerSizeRow.employer_id == employer_id, EmployerSizeRow.status == "confirmed",
        EmployerSizeRow.valid_from <= on).order_by(EmployerSizeRow.valid_from.desc()).limit(1)).first()
    return row.size_class if row is not None else None


def record_size(session: Session, employer_id: int, size: str, *, source: str, by: str,
                valid_from: dt.date | None = None, sales_uit: Decimal | None = None,
                today: dt.date | None = None) -> SizeRecord:
    """Record a size: confirmed when it comes from sales or staff, pending when declared.

    *valid_from* defaults to the first day of *today*'s month; the first size of an employer is in
    force since always. A confirmed size replaces a confirmed one of the same date (staff correct
    the record; the old row becomes ``rejected`` so the history keeps it)."""
    if size not in SIZES:
        raise InputError(f"unknown size class '{size}' ({', '.join(SIZES)})", field="size_class")
    if source not in ("sales", "staff", "declared"):
        raise InputError(f"unknown size source '{source}'", field="size_source")
    today = today or dt.date.today()
    employer = session.get(EmployerRow, employer_id)
    if employer is None:
        raise NotFoundError(f"no employer with id {employer_id}", field="employer")
    if valid_from is not None and valid_from > today:
        raise InputError(f"a size cannot be in force from a future date ({format_date_pe(valid_from)})",
                         field="valid_from")
    has_confirmed = session.scalar(select(EmployerSizeRow.id).where(
        EmployerSizeRow.employer_id == employer_id, EmployerSizeRow.status == "confirmed").limit(1)) is not None
    start = valid_from or (first_day(today.year * 12 + today.month - 1) if has_confirmed else SINCE_ALWAYS)
    status = "pending" if source == "declared" else "confirmed"
    if status == "confirmed":
        _supersede(session, employer_id, start)
    row = EmployerSizeRow(employer_id=employer_id, valid_from=start, size_class=size, source=source, status=status,
                          annual_sales_uit=sales_uit, recorded_by=by, recorded_at=_now())
    session.add(row)
    session.flush()
    if status == "confirmed":
        _mirror(session, employer, today, sales_uit, source)
    return _record(row)


def review(session: Session, size_id: int, *, accept: bool, by: str, today: dt.date | None = None) -> SizeRecord:
    """A staff member accepts (in force from its date) or rejects a pending declared size."""
    row = session.get(EmployerSizeRow, size_id)
    if row is None:
        raise NotFoundError(f"no size record {size_id}", field="size_id")
    if row.status != "pending":
        raise ConflictError(f"size record {size_id} is already {row.status}; only a pending one is reviewed")
    if accept and row.recorded_by == by:
        raise ConflictError("the person who declared a size cannot confirm it (four eyes)")
    if accept:
        _supersede(session, row.employer_id, row.valid_from)
    row.status = "confirmed" if accept else "rejected"
    row.reviewed_by, row.reviewed_at = by, _now()
    session.flush()
    if accept:
        employer = session.get(EmployerRow, row.employer_id)
        assert employer is not None
        _mirror(session, employer, today or dt.date.today(), None, "staff")
    return _record(row)


def pending(session: Session, limit: int = 100) -> list[SizeRecord]:
    """Declared sizes waiting for staff review, oldest first (the review queue)."""
    rows = session.scalars(select(EmployerSizeRow).where(EmployerSizeRow.status == "pending")
                           .order_by(EmployerSizeRow.recorded_at, EmployerSizeRow.id).limit(limit))
    return [_record(r) for r in rows]


def _supersede(session: Session, employer_id: int, start: dt.date) -> None:
    for old in session.scalars(select(EmployerSizeRow).where(
            EmployerSizeRow.employer_id == employer_id, EmployerSizeRow.status == "confirmed",
            EmployerSizeRow.valid_from == start)):
        old.status = "rejected"
    session.flush()


def _mirror(session: Session, employer: EmployerRow, today: dt.date, sales_uit: Decimal | None, source: str) -> None:
    """The employer row shows the size in force today; sales are replaced only by new sales."""
    employer.size_class = size_in_force(session, employer.id, today)
    employer.size_source = "sales" if source == "sales" else "staff"
    if sales_uit is not None:
        employer.annual_sales_uit = sales_uit
    session.flush()


def sizes_by_month(conn: Session | Connection, employer_ids: Iterable[int], months: Sequence[int]
                   ) -> dict[tuple[int, int], str | None]:
    """The confirmed size in force on the first day of each month, for each employer (one query)."""
    ids = sorted({int(e) for e in employer_ids})
    out: dict[tuple[int, int], str | None] = {}
    if not ids:
        return out
    c = conn.connection() if isinstance(conn, Session) else conn
    by_employer: dict[int, tuple[list[dt.date], list[str]]] = {}
    for start in range(0, len(ids), 1000):
        part = ids[start:start + 1000]
        rows = c.execute(select(EmployerSizeRow.employer_id, EmployerSizeRow.valid_from, EmployerSizeRow.size_class)
                         .where(EmployerSizeRow.status == "confirmed", EmployerSizeRow.employer_id.in_(part))
                         .order_by(EmployerSizeRow.employer_id, EmployerSizeRow.valid_from)).all()
        for eid, since, size in rows:
            day = since if isinstance(since, dt.date) else dt.date.fromisoformat(str(since))
            dates, sizes = by_employer.setdefault(int(eid), ([], []))
            dates.append(day)
            sizes.append(str(size))
    for eid in ids:
        dates, sizes = by_employer.get(eid, ([], []))
        for m in months:
            k = bisect.bisect_right(dates, first_day(int(m))) - 1
            out[(eid, int(m))] = sizes[k] if k >= 0 else None
    return out


def employer_months_charged(conn: Session | Connection, rucs: Sequence[str], periods: Sequence[int],
                            params: ParameterSet) -> npt.NDArray[np.bool_]:
    """For each (RUC, month) pair: whether the employer-month is charged art. 8's contribution
    (issue 26, item 1) — inside the phase in force by the size in force in that month
    (``rules.coverage.employer_covered``); an employer not on record or of unknown size by
    ``coverage.unknown_size_charged``. What the payroll import calls before summing dues: a month
    not charged is not dunned, not booked as fund income, and not an aportación."""
    from seguro_desempleo.rules.coverage import employer_covered

    n = len(rucs)
    out = np.ones(n, dtype=bool)
    if n == 0:
        return out
    c = conn.connection() if isinstance(conn, Session) else conn
    wanted = sorted(set(rucs))
    known: dict[str, tuple[int, str]] = {}
    for start in range(0, len(wanted), 1000):
        for eid, ruc, sector in c.execute(select(EmployerRow.id, EmployerRow.ruc, EmployerRow.sector)
                                          .where(EmployerRow.ruc.in_(wanted[start:start + 1000]))).all():
            known[str(ruc)] = (int(eid), str(sector))
    months = sorted({int(p) for p in periods})
    sizes = sizes_by_month(c, [e for e, _ in known.values()], months)
    cache: dict[tuple[str, int], bool] = {}
    for i, (ruc, p) in enumerate(zip(rucs, (int(x) for x in periods), strict=True)):
        key = (ruc, p)
        hit = cache.get(key)
        if hit is None:
            eid, sector = known.get(ruc, (None, "private"))
            size = sizes.get((eid, p)) if eid is not None else None
            if size is None:
                snap = params.at(first_day(p))
                hit = bool(snap["coverage.unknown_size_charged"]) and sector in snap["coverage.sectors"]
            else:
                hit = employer_covered(size, sector, p, params)
            cache[key] = hit
        out[i] = hit
    return out


# --------------------------------------------------------------------------------------------
# The unit of work's one employer-size port (``uow.employer_sizes``): what the API, the CLI and the
# review page read, and what the service ``services.employer_size`` reads and writes (recording,
# review, re-liquidation after a size confirmed with an earlier date: issue 26 item 1's follow-up).


@dataclass(frozen=True)
class DeclaredMonth:
    """An employer's active declaration of one month, with its dues and its workers' insurable pay."""

    declaration_id: int
    period: int
    total_due: int
    employer_due: int
    cts_due: int
    pays: tuple[int, ...]


class SqlEmployerSizes:
    """The employer-size port of a unit of work (``uow.employer_sizes``), in the caller's transaction.

    Reads (never write): :meth:`history`, :meth:`record`, :meth:`pending_queue`, :meth:`employer`,
    :meth:`declared_months`, :meth:`months_charged`. Writes (through ``services.employer_size``,
    which re-liquidates what a confirmed size changes): :meth:`record_size`, :meth:`review`,
    :meth:`set_dues`."""

    def __init__(self, session: Session) -> None:
        self.session = session

    # ------------------------------------------------------------ reads

    def history(self, employer_id: int) -> list[SizeRecord]:
        """Every size recorded for the employer, oldest first (:func:`history`)."""
        return history(self.session, employer_id)

    def record(self, size_id: int) -> SizeRecord | None:
        row = self.session.get(EmployerSizeRow, size_id)
        return _record(row) if row is not None else None

    def pending_queue(self, limit: int = 200) -> list[dict[str, object]]:
        """The declared sizes waiting for review (oldest first), each with its employer and the size
        in force."""
        waiting = pending(self.session, limit=limit)
        ids = sorted({p.employer_id for p in waiting})
        employers = {int(i): (str(r), n or "", s) for i, r, n, s in self.session.execute(
            select(EmployerRow.id, EmployerRow.ruc, EmployerRow.name, EmployerRow.size_class)
            .where(EmployerRow.id.in_(ids))).all()} if ids else {}
        out: list[dict[str, object]] = []
        for p in waiting:
            ruc, name, current = employers.get(p.employer_id, ("—", "", None))
            out.append({"id": p.id, "ruc": ruc, "name": name, "current": current, "size": p.size_class,
                        "valid_from": p.valid_from, "recorded_by": p.recorded_by})
        return out

    def employer(self, employer_id: int) -> tuple[str, str] | None:
        """(RUC, sector) of the employer, ``None`` when unknown."""
        row = self.session.get(EmployerRow, employer_id)
        return (row.ruc, row.sector) if row is not None else None

    def declared_months(self, employer_id: int, first_period: int) -> list[DeclaredMonth]:
        """The employer's active declarations from *first_period* on, oldest first, each with the
        insurable pay of its contribution records (one query for the declarations, one for the pay)."""
        from seguro_desempleo.storage.models import ContributionRow, DeclarationRow

        decls = self.session.execute(
            select(DeclarationRow.id, DeclarationRow.period, DeclarationRow.total_due, DeclarationRow.employer_due,
                   DeclarationRow.cts_due)
            .where(DeclarationRow.employer_id == employer_id, DeclarationRow.status == "active",
                   DeclarationRow.period >= first_period)
            .order_by(DeclarationRow.period)).all()
        if not decls:
            return []
        pays: dict[int, list[int]] = {}
        ids = [int(d[0]) for d in decls]
        for start in range(0, len(ids), 1000):
            for did, pay in self.session.execute(
                    select(ContributionRow.declaration_id, ContributionRow.insurable_pay)
                    .where(ContributionRow.declaration_id.in_(ids[start:start + 1000]))).all():
                pays.setdefault(int(did), []).append(int(pay))
        return [DeclaredMonth(int(i), int(p), int(t), int(e), int(c), tuple(pays.get(int(i), ())))
                for i, p, t, e, c in decls]

    def months_charged(self, ruc: str, periods: Sequence[int], params: ParameterSet) -> list[bool]:
        """Whether each month of the employer is charged by the size in force now on record
        (:func:`employer_months_charged`, the import's own rule)."""
        return [bool(x) for x in employer_months_charged(self.session, [ruc] * len(periods), list(periods), params)]

    # ------------------------------------------------------------ writes

    def record_size(self, employer_id: int, size: str, *, source: str, by: str, valid_from: dt.date | None = None,
                    sales_uit: Decimal | None = None, today: dt.date | None = None) -> SizeRecord:
        """:func:`record_size` (re-liquidation is the service's: ``services.employer_size.record_size``)."""
        return record_size(self.session, employer_id, size, source=source, by=by, valid_from=valid_from,
                           sales_uit=sales_uit, today=today)

    def review(self, size_id: int, *, accept: bool, by: str, today: dt.date | None = None) -> SizeRecord:
        """:func:`review` (re-liquidation is the service's: ``services.employer_size.review_size``)."""
        return review(self.session, size_id, accept=accept, by=by, today=today)

    def set_dues(self, declaration_id: int, total_due: int, employer_due: int, cts_due: int) -> None:
        """The declaration's liquidation (what the fund charges for it) after a re-liquidation; the
        declared pay is not touched, and the ledger gets the difference as a new entry."""
        from seguro_desempleo.storage.models import DeclarationRow

        row = self.session.get(DeclarationRow, declaration_id)
        if row is None:
            raise NotFoundError(f"no declaration {declaration_id}", field="declaration")
        row.total_due, row.employer_due, row.cts_due = total_due, employer_due, cts_due
        self.session.flush()
