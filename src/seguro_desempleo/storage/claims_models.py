"""Tables of the claims area (issue 5): claims, appeals, benefit payments, the audit log and the
employment-service records. Same declarative ``Base`` as :mod:`.models`; created by the Alembic
revision ``0201_claims``.

- ``claim.open_worker`` holds ``worker_ref`` while the claim is open and NULL otherwise; it is
  UNIQUE, so the database itself refuses a second open claim for a worker (portable to SQLite:
  NULLs never collide). ``claim.version`` is the compare-and-set column.
- ``benefit_payment.key`` (``<claim>#<n>``) is the primary key: the idempotency of payment runs.
- ``audit_log`` is append-only (triggers refuse UPDATE and DELETE); ``seq`` and ``hash`` are unique.
- ``audit_outbox`` (PostgreSQL's write path, revision ``0203_claims_perf``): records committed with
  their change and waiting to be linked into the chain; never updated, deleted only as they are
  chained.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, BigInteger, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from seguro_desempleo.storage.models import Base


class ClaimRow(Base):
    __tablename__ = "claim"
    __table_args__ = (
        Index("ix_claim_worker_ref", "worker_ref"),
        Index("ix_claim_state", "state"),
    )
    id: Mapped[str] = mapped_column(String(24), primary_key=True)
    worker_ref: Mapped[str] = mapped_column(String(24))
    filed_on: Mapped[dt.date] = mapped_column(Date)
    separation_date: Mapped[dt.date] = mapped_column(Date)
    state: Mapped[str] = mapped_column(String(12))
    version: Mapped[int] = mapped_column(Integer)
    decided_on: Mapped[dt.date | None] = mapped_column(Date)
    first_period: Mapped[int | None] = mapped_column(Integer)
    reemployment_date: Mapped[dt.date | None] = mapped_column(Date)
    suspension_reason: Mapped[str | None] = mapped_column(String(16))
    decision: Mapped[Any | None] = mapped_column(JSON)
    open_worker: Mapped[str | None] = mapped_column(String(24), unique=True)


class ClaimAppealRow(Base):
    __tablename__ = "claim_appeal"
    __table_args__ = (Index("ix_claim_appeal_claim", "claim_id"),)
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    claim_id: Mapped[str] = mapped_column(ForeignKey("claim.id"))
    kind: Mapped[str] = mapped_column(String(16))
    notified_on: Mapped[dt.date] = mapped_column(Date)
    filed_on: Mapped[dt.date] = mapped_column(Date)
    filing_deadline: Mapped[dt.date] = mapped_column(Date)
    resolution_due: Mapped[dt.date] = mapped_column(Date)
    outcome: Mapped[str] = mapped_column(String(14))
    resolved_on: Mapped[dt.date | None] = mapped_column(Date)
    grounds: Mapped[str] = mapped_column(Text, default="")


class BenefitPaymentRow(Base):
    __tablename__ = "benefit_payment"
    __table_args__ = (
        Index("ix_benefit_payment_claim", "claim_id"),
        Index("ix_benefit_payment_paid_on", "paid_on"),
    )
    key: Mapped[str] = mapped_column(String(32), primary_key=True)
    claim_id: Mapped[str] = mapped_column(ForeignKey("claim.id"))
    number: Mapped[int] = mapped_column(Integer)
    period: Mapped[int] = mapped_column(Integer)
    amount: Mapped[int] = mapped_column(BigInteger)
    paid_on: Mapped[dt.date] = mapped_column(Date)


class AuditLogRow(Base):
    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_entity", "entity"),)
    seq: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True,
                                     autoincrement=False)
    who: Mapped[str] = mapped_column(String(80))
    at: Mapped[str] = mapped_column(String(40))          # ISO 8601 with offset, exactly as hashed
    action: Mapped[str] = mapped_column(String(60))
    entity: Mapped[str] = mapped_column(String(80))
    before: Mapped[Any | None] = mapped_column(JSON)
    after: Mapped[Any | None] = mapped_column(JSON)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)


class AuditOutboxRow(Base):
    """Audit records written with their business change and not yet linked into the chain
    (revision ``0203_claims_perf``); the sequencer moves them into ``audit_log`` in ``id`` order."""

    __tablename__ = "audit_outbox"
    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True,
                                    autoincrement=True)
    who: Mapped[str] = mapped_column(String(80))
    at: Mapped[str] = mapped_column(String(40))
    action: Mapped[str] = mapped_column(String(60))
    entity: Mapped[str] = mapped_column(String(80))
    before: Mapped[Any | None] = mapped_column(JSON)
    after: Mapped[Any | None] = mapped_column(JSON)


class EsObligationRow(Base):
    __tablename__ = "es_obligation"
    __table_args__ = (
        Index("ix_es_obligation_claim", "claim_id"),
        Index("ix_es_obligation_recorded_on", "recorded_on"),
    )
    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    claim_id: Mapped[str] = mapped_column(ForeignKey("claim.id"))
    kind: Mapped[str] = mapped_column(String(20))
    due_date: Mapped[dt.date] = mapped_column(Date)
    outcome: Mapped[str] = mapped_column(String(14))
    recorded_on: Mapped[dt.date | None] = mapped_column(Date)
    just_cause: Mapped[str] = mapped_column(String(8), default="")
    recorded_by: Mapped[str] = mapped_column(String(80), default="")


class EsPlacementRow(Base):
    __tablename__ = "es_placement"
    __table_args__ = (Index("ix_es_placement_claim", "claim_id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    claim_id: Mapped[str] = mapped_column(ForeignKey("claim.id"))
    start_date: Mapped[dt.date] = mapped_column(Date)
    employer_ruc: Mapped[str] = mapped_column(String(11))
    source: Mapped[str] = mapped_column(String(20))


class EsRegistrationRow(Base):
    """Art. 7: the worker "haya informado de la contingencia a los servicios de empleo" — the
    registration with the employment service (revision ``0202_employment_registration``)."""

    __tablename__ = "es_registration"
    __table_args__ = (Index("ix_es_registration_worker", "worker_id", "registered_on"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    worker_id: Mapped[int] = mapped_column(ForeignKey("worker.id"))
    registered_on: Mapped[dt.date] = mapped_column(Date)
    channel: Mapped[str] = mapped_column(String(16))
    reference: Mapped[str] = mapped_column(String(120), default="")
    recorded_by: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[str] = mapped_column(String(40))    # ISO 8601 with offset
