"""What the other PLAME and T-Registro files say (issue 31, migration ``0303_intake``), and the
EsSalud flags employers register for their "otros conceptos" (Tabla 22, 1001–1040).

Tables (SQLAlchemy Core, on the same MetaData as :mod:`seguro_desempleo.storage.models`):

- ``worker_contract`` — the contract type (Tabla 12) a T-Registro ``.tra`` (Estructura 5,
  field 10) gives for a worker with an employer, with the day it was recorded;
- ``suspension_days`` — the days of each suspension type (Tabla 21) a PLAME ``.snl``
  (Estructura 15) declares for a worker-month; 21 (incapacidad temporal, subsidised) and 22
  (maternidad, subsidised) are the subsidised months;
- ``work_time`` — ordinary and overtime minutes of a worker-month from a PLAME ``.jor``
  (Estructura 14);
- ``worker_document_country`` — the issuing country (Tabla 26) of a passport (07) or foreign
  identity document (24), from a ``.per`` (Estructura 11, field 3);
- ``pending_termination`` — a T-Registro baja (a ``.per`` line with an end date and no start)
  for which no period and no pay with that employer is known yet: kept, reported, and applied
  when a later import gives the period or the pay;
- ``employer_concept_flag`` — the EsSalud affectation an employer sets for a concept
  1001–1040.

Read functions for the law-as-code area: :func:`contract_type_at`, :func:`subsidised_months`,
:func:`worked_minutes`, :func:`issuing_country`, :func:`concept_flags`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any, TypeVar

import polars as pl
from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    Connection,
    Date,
    ForeignKey,
    Integer,
    PrimaryKeyConstraint,
    String,
    Table,
    UniqueConstraint,
    and_,
    delete,
    func,
    insert,
    or_,
    select,
    update,
)

from seguro_desempleo.domain.registry import FOREIGN_DOCUMENTS
from seguro_desempleo.periods import first_day, period_of
from seguro_desempleo.storage.models import (
    Base,
    ContributionRow,
    DeclarationRow,
    EmployerRow,
    EmploymentPeriodRow,
    WorkerRow,
)

_T = TypeVar("_T")

metadata = Base.metadata

worker_contract = Table(
    "worker_contract", metadata,
    Column("id", Integer, primary_key=True),
    Column("employer_id", Integer, ForeignKey("employer.id"), nullable=False),
    Column("worker_id", Integer, ForeignKey("worker.id"), nullable=False),
    Column("contract_type", String(2), nullable=False),
    Column("recorded_on", Date, nullable=False),
    UniqueConstraint("employer_id", "worker_id", "recorded_on", name="uq_worker_contract_recorded"),
    CheckConstraint("length(contract_type) = 2", name="contract_type_code"),
)

suspension_days = Table(
    "suspension_days", metadata,
    Column("employer_id", Integer, ForeignKey("employer.id"), nullable=False),
    Column("worker_id", Integer, ForeignKey("worker.id"), nullable=False),
    Column("period", Integer, nullable=False),
    Column("suspension_type", String(2), nullable=False),
    Column("days", Integer, nullable=False),
    PrimaryKeyConstraint("employer_id", "period", "worker_id", "suspension_type", name="pk_suspension_days"),
    CheckConstraint("days >= 0 and days <= 31", name="days_in_month"),
)

work_time = Table(
    "work_time", metadata,
    Column("employer_id", Integer, ForeignKey("employer.id"), nullable=False),
    Column("worker_id", Integer, ForeignKey("worker.id"), nullable=False),
    Column("period", Integer, nullable=False),
    Column("ordinary_minutes", Integer, nullable=False),
    Column("overtime_minutes", Integer, nullable=False),
    PrimaryKeyConstraint("employer_id", "period", "worker_id", name="pk_work_time"),
    CheckConstraint("ordinary_minutes >= 0 and ordinary_minutes <= 21659", name="ordinary_range"),
    CheckConstraint("overtime_minutes >= 0 and overtime_minutes <= 21659", name="overtime_range"),
)

worker_document_country = Table(
    "worker_document_country", metadata,
    Column("worker_id", Integer, ForeignKey("worker.id"), primary_key=True),
    Column("country", String(3), nullable=False),
    CheckConstraint("length(country) = 3", name="country_code"),
)

pending_termination = Table(
    "pending_termination", metadata,
    Column("id", Integer, primary_key=True),
    Column("employer_id", Integer, ForeignKey("employer.id"), nullable=False),
    Column("worker_id", Integer, ForeignKey("worker.id"), nullable=False),
    Column("end_date", Date, nullable=False),
    Column("cause", String(2), nullable=False),
    # migration 0308 (decision 0412): when it was first kept, and whether it expired
    Column("recorded_on", Date),
    Column("status", String(10), nullable=False, server_default="pending"),
    Column("expired_on", Date),
    UniqueConstraint("employer_id", "worker_id", "end_date", name="uq_pending_termination"),
    CheckConstraint("status in ('pending', 'expired')", name="status"),
)

PENDING_TERMINATION_MONTHS = 3
"""How long a baja without a known period is retried (decision 0412): three months after it was
first kept — the months in which the employer's next PLAME declarations (due monthly) or its
T-Registro alta should arrive. Then it *expires*: it is no longer retried, the employer is told
(notice ``termination_expired`` on its next import, and its page lists it), and it stays in
``pending_termination`` with ``status = 'expired'`` for staff (:func:`expired_terminations`)."""

employer_concept_flag = Table(
    "employer_concept_flag", metadata,
    Column("employer_id", Integer, ForeignKey("employer.id"), nullable=False),
    Column("concept", String(4), nullable=False),
    Column("essalud", Boolean, nullable=False),
    PrimaryKeyConstraint("employer_id", "concept", name="pk_employer_concept_flag"),
    CheckConstraint("concept >= '1001' and concept <= '1040' and length(concept) = 4", name="other_concept"),
)

SUBSIDISED_TYPES = ("21", "22")
"""Tabla 21: 21 S.I. incapacidad temporal (subsidiado), 22 S.I. maternidad pre y post natal."""


def _employer_id(conn: Connection, ruc: str) -> int | None:
    return conn.execute(select(EmployerRow.id).where(EmployerRow.ruc == ruc)).scalar()


def contract_type_at(conn: Connection, worker_id: int, ruc: str, on: dt.date) -> str | None:
    """The worker's contract type (Tabla 12) with the employer *ruc* on *on*: the employment
    period's own (T-Registro) when one covering *on* has it; otherwise the last one a ``.tra``
    recorded on or before *on*, or, when every record is later (a ``.tra`` has no dates: it
    says the contract as of when it was imported), the first one recorded. None: not known."""
    employer_id = _employer_id(conn, ruc)
    if employer_id is None:
        return None
    p = EmploymentPeriodRow
    own = conn.execute(select(p.contract_type).where(
        p.employer_id == employer_id, p.worker_id == worker_id, p.start_date <= on,
        or_(p.end_date.is_(None), p.end_date >= on), p.contract_type.is_not(None))
        .order_by(p.start_date.desc())).scalar()
    if own is not None:
        return str(own)
    c = worker_contract.c
    mine = and_(c.employer_id == employer_id, c.worker_id == worker_id)
    before = conn.execute(select(c.contract_type).where(mine, c.recorded_on <= on)
                          .order_by(c.recorded_on.desc())).scalar()
    if before is not None:
        return str(before)
    first = conn.execute(select(c.contract_type).where(mine).order_by(c.recorded_on)).scalar()
    return None if first is None else str(first)


def subsidised_months(conn: Connection, worker_id: int) -> list[tuple[int, str, int]]:
    """(month index, Tabla 21 type, days) of every worker-month a ``.snl`` declared with
    subsidised days (21 incapacidad temporal, 22 maternidad), all employers, in month order."""
    s = suspension_days.c
    rows = conn.execute(select(s.period, s.suspension_type, s.days)
                        .where(s.worker_id == worker_id, s.suspension_type.in_(SUBSIDISED_TYPES), s.days > 0)
                        .order_by(s.period, s.suspension_type)).all()
    return [(int(a), str(b), int(d)) for a, b, d in rows]


def suspensions(conn: Connection, worker_id: int) -> list[tuple[int, str, int]]:
    """(month index, Tabla 21 type, days) of every suspension a ``.snl`` declared (all types)."""
    s = suspension_days.c
    rows = conn.execute(select(s.period, s.suspension_type, s.days).where(s.worker_id == worker_id)
                        .order_by(s.period, s.suspension_type)).all()
    return [(int(a), str(b), int(d)) for a, b, d in rows]


def worked_minutes(conn: Connection, worker_id: int) -> list[tuple[int, int, int]]:
    """(month index, ordinary minutes, overtime minutes) a ``.jor`` declared, summed over employers."""
    w = work_time.c
    rows = conn.execute(select(w.period, w.ordinary_minutes, w.overtime_minutes)
                        .where(w.worker_id == worker_id).order_by(w.period)).all()
    out: dict[int, list[int]] = {}
    for period, o, t in rows:
        acc = out.setdefault(int(period), [0, 0])
        acc[0] += int(o)
        acc[1] += int(t)
    return [(k, v[0], v[1]) for k, v in sorted(out.items())]


def issuing_country(conn: Connection, worker_id: int) -> str | None:
    """The issuing country (Tabla 26) of the worker's document, part of the identity since
    migration 0308: ``604`` for the documents Peru issues, the 07/24's country, None when no
    T-Registro file has given it yet."""
    found = conn.execute(select(WorkerRow.doc_country).where(WorkerRow.id == worker_id)).scalar()
    if found:
        return str(found)
    return conn.execute(select(worker_document_country.c.country)
                        .where(worker_document_country.c.worker_id == worker_id)).scalar()


def expired_terminations(conn: Connection, employer_id: int | None = None) -> list[dict[str, Any]]:
    """The bajas that expired unresolved (decision 0412), for staff and for the employer's page:
    ``id, ruc, worker_id, end_date, cause, recorded_on, expired_on`` (no document number)."""
    p = pending_termination.c
    q = (select(p.id, EmployerRow.ruc, p.worker_id, p.end_date, p.cause, p.recorded_on, p.expired_on)
         .join(EmployerRow, EmployerRow.id == p.employer_id).where(p.status == "expired").order_by(p.id))
    if employer_id is not None:
        q = q.where(p.employer_id == employer_id)
    return [dict(r._mapping) for r in conn.execute(q)]


def last_declaration_id(conn: Connection) -> int:
    """The newest declaration's id (0 for none): what an import wrote has a larger one."""
    return int(conn.execute(select(func.max(DeclarationRow.id))).scalar() or 0)


def employers_declared_after(conn: Connection, after: int) -> set[int]:
    """The employers of the declarations with an id above *after* (one import's)."""
    return {int(e) for (e,) in conn.execute(select(DeclarationRow.employer_id)
                                            .where(DeclarationRow.id > after).distinct())}


def expire_pending(conn: Connection, cutoff: dt.date, today: dt.date) -> list[tuple[str, dt.date]]:
    """Mark ``expired`` (on *today*) the pending bajas first kept on or before *cutoff*
    (decision 0412); their employers' RUCs and end dates."""
    p = pending_termination.c
    due = conn.execute(select(p.id, EmployerRow.ruc, p.end_date).join(EmployerRow, EmployerRow.id == p.employer_id)
                       .where(p.status == "pending", p.recorded_on <= cutoff).order_by(p.id)).all()
    if due:
        conn.execute(update(pending_termination).where(p.id.in_([r[0] for r in due]))
                     .values(status="expired", expired_on=today))
    return [(str(r), e) for _, r, e in due]


def ambiguous_documents(conn: Connection) -> set[str]:
    """``doc_type + doc_number`` of every 07/24 number two issuing countries hold (decision
    0411; the partial index ``ix_worker_foreign_document``: nothing is read for the DNIs)."""
    w = WorkerRow
    rows = conn.execute(select(w.doc_type, w.doc_number).where(w.doc_type.in_(FOREIGN_DOCUMENTS))
                        .group_by(w.doc_type, w.doc_number).having(func.count() > 1)).all()
    return {str(t) + str(n) for t, n in rows}


def country_not_known(conn: Connection, worker_ids: list[int]) -> None:
    """New 07/24 workers of lines without a country field: their country is not known (``''``)."""
    for i in range(0, len(worker_ids), 1000):
        conn.execute(update(WorkerRow).where(WorkerRow.id.in_(worker_ids[i:i + 1000])).values(doc_country=""))


def concept_flags(conn: Connection, rucs: list[str]) -> pl.DataFrame:
    """``ruc``, ``concepto``, ``essalud``: the flags the employers *rucs* registered."""
    f = employer_concept_flag.c
    rows = conn.execute(select(EmployerRow.ruc, f.concept, f.essalud)
                        .join(EmployerRow, EmployerRow.id == f.employer_id)
                        .where(EmployerRow.ruc.in_(sorted(set(rucs))))).all() if rucs else []
    return pl.DataFrame([(str(r), str(c), bool(e)) for r, c, e in rows],
                        schema={"ruc": pl.Utf8, "concepto": pl.Utf8, "essalud": pl.Boolean}, orient="row")


def set_concept_flag(conn: Connection, employer_id: int, concept: str, essalud: bool) -> None:
    """Register (or change) the employer's EsSalud flag for a concept 1001–1040."""
    f = employer_concept_flag
    conn.execute(delete(f).where(f.c.employer_id == employer_id, f.c.concept == concept))
    conn.execute(f.insert().values(employer_id=employer_id, concept=concept, essalud=essalud))


def replace_month(conn: Connection, table: Table, employer_id: int, period: int,
                  rows: list[dict[str, Any]]) -> None:
    """A ``.snl`` or ``.jor`` is the employer's whole month: its rows replace the month's."""
    conn.execute(delete(table).where(table.c.employer_id == employer_id, table.c.period == period))
    if rows:
        conn.execute(table.insert(), rows)


def set_open_period_contract(conn: Connection, employer_id: int, worker_id: int, contract_type: str) -> None:
    """The worker's open period with the employer (the latest started) takes the T-Registro
    contract type, when there is one."""
    open_period = conn.execute(select(EmploymentPeriodRow.id).where(
        EmploymentPeriodRow.employer_id == employer_id, EmploymentPeriodRow.worker_id == worker_id,
        EmploymentPeriodRow.end_date.is_(None)).order_by(EmploymentPeriodRow.start_date.desc())).scalar()
    if open_period is not None:
        conn.execute(update(EmploymentPeriodRow).where(EmploymentPeriodRow.id == open_period)
                     .values(contract_type=contract_type))


def close_or_open_period(conn: Connection, employer_id: int, worker_id: int, end: dt.date,
                         cause: str) -> str | None:
    """A baja (termination) on *end*: close the worker's open period with the employer
    (``termination_closed``), else open one from the first month of the unbroken run of months
    with pay up to the baja's month and close it (``termination_opened``), else ``None``."""
    p = EmploymentPeriodRow
    row = conn.execute(select(p.id, p.end_date).where(
        p.employer_id == employer_id, p.worker_id == worker_id, p.start_date <= end,
        or_(p.end_date.is_(None), p.end_date == end)).order_by(p.start_date.desc())).first()
    if row is not None:
        conn.execute(update(p).where(p.id == row[0]).values(end_date=end, termination_cause=cause))
        return "termination_closed"
    months = [int(m) for (m,) in conn.execute(
        select(ContributionRow.period).join(DeclarationRow, DeclarationRow.id == ContributionRow.declaration_id)
        .where(ContributionRow.worker_id == worker_id, DeclarationRow.employer_id == employer_id,
               DeclarationRow.status == "active", ContributionRow.insurable_pay > 0,
               ContributionRow.period <= period_of(end))
        .order_by(ContributionRow.period.desc())).all()]
    if not months:
        return None
    first = months[0]
    for m in months[1:]:
        if m != first - 1:
            break
        first = m
    start = first_day(first)
    later = conn.execute(select(p.id).where(p.employer_id == employer_id, p.worker_id == worker_id,
                                            p.start_date == start)).scalar()
    if later is not None:  # a period from that day, closed on another day: the baja's date stands
        conn.execute(update(p).where(p.id == later).values(end_date=end, termination_cause=cause))
    else:
        conn.execute(insert(p).values(employer_id=employer_id, worker_id=worker_id, start_date=start, end_date=end,
                                      termination_cause=cause))
    return "termination_opened"


def read_apart(conn: Connection, read: Callable[[Connection], _T]) -> _T:
    """*read* on a second, read-only connection of *conn*'s engine (while a writer thread uses
    *conn*)."""
    from seguro_desempleo.storage.db import READ_ONLY_OPTION

    with conn.engine.connect().execution_options(**{READ_ONLY_OPTION: True}) as other:
        return read(other)
