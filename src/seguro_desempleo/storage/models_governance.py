"""Tables of the fund's governance (issue 28): legal instruments, the board's proposals and votes,
experience studies and board alerts. Same declarative ``Base`` as :mod:`.models`; created by the
Alembic revision ``0305_governance``.

The database keeps the invariants that protect the law's values and the board's decisions:

- ``gov_instrument``: one row per (type, number); its type is one of the four legal instruments;
  its effective date is not before its date; an art. 9 transfer is positive. Append-only
  (triggers refuse UPDATE and DELETE): an instrument is revoked by another instrument.
- ``gov_vote``: one vote per director and proposal; the sector is State, employers or workers; the
  choice yes, no or abstain. Append-only.
- ``gov_proposal``: its kind and status are from closed lists; a rate revision cannot exist
  without the valuation that supports it (art. 8: "deberá considerar los estudios financieros
  actuariales"); an approved proposal names its decision date.
- ``gov_alert``: one alert of a kind per day.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from seguro_desempleo.storage.models import Base

INSTRUMENT_TYPES_SQL = "type in ('ley', 'decreto_supremo', 'resolucion', 'acuerdo_directorio')"
PROPOSAL_KINDS = ("rate_revision", "waiting_period", "coverage_phase", "transfer_request", "investment_policy",
                  "other_parameter")
SECTORS = ("state", "employers", "workers")


class ProposalRow(Base):
    __tablename__ = "gov_proposal"
    __table_args__ = (
        CheckConstraint("kind in ('rate_revision', 'waiting_period', 'coverage_phase', 'transfer_request', "
                        "'investment_policy', 'other_parameter')", name="kind"),
        CheckConstraint("status in ('open', 'approved', 'rejected')", name="status"),
        CheckConstraint("kind <> 'rate_revision' or valuation is not null", name="rate_needs_valuation"),
        CheckConstraint("status = 'open' or decided_on is not null", name="decided_on"),
        CheckConstraint("transfer_cents is null or transfer_cents > 0", name="transfer_positive"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(Text, default="")
    params: Mapped[Any] = mapped_column(JSON)                 # {parameter: value} proposed (may be {})
    effective_date: Mapped[dt.date | None] = mapped_column(Date)
    transfer_cents: Mapped[int | None] = mapped_column(BigInteger)
    documents: Mapped[Any] = mapped_column(JSON)              # [{"title": ..., "href": ...}]
    valuation: Mapped[Any | None] = mapped_column(JSON)       # the supporting valuation's summary
    status: Mapped[str] = mapped_column(String(10), default="open")
    outcome: Mapped[str] = mapped_column(String(200), default="")
    drafted_by: Mapped[str] = mapped_column(String(80))
    created_on: Mapped[dt.date] = mapped_column(Date)
    decided_on: Mapped[dt.date | None] = mapped_column(Date)


class InstrumentRow(Base):
    __tablename__ = "gov_instrument"
    __table_args__ = (
        UniqueConstraint("type", "number", name="uq_gov_instrument_type_number"),
        CheckConstraint(INSTRUMENT_TYPES_SQL, name="type"),
        CheckConstraint("effective_date >= issued_on", name="effective_after_issue"),
        CheckConstraint("transfer_cents is null or transfer_cents > 0", name="transfer_positive"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    type: Mapped[str] = mapped_column(String(20))
    number: Mapped[str] = mapped_column(String(40))
    issued_on: Mapped[dt.date] = mapped_column(Date)
    effective_date: Mapped[dt.date] = mapped_column(Date)
    publication: Mapped[str] = mapped_column(String(200), default="")
    approved_by: Mapped[str] = mapped_column(String(200), default="")
    params: Mapped[Any] = mapped_column(JSON)                 # {parameter: value as text or list}
    transfer_cents: Mapped[int | None] = mapped_column(BigInteger)   # art. 9 transfer set by it
    proposal_id: Mapped[int | None] = mapped_column(ForeignKey("gov_proposal.id"))
    recorded_by: Mapped[str] = mapped_column(String(80))
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime)


class VoteRow(Base):
    __tablename__ = "gov_vote"
    __table_args__ = (
        UniqueConstraint("proposal_id", "member", name="uq_gov_vote_member"),
        CheckConstraint("sector in ('state', 'employers', 'workers')", name="sector"),
        CheckConstraint("choice in ('yes', 'no', 'abstain')", name="choice"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("gov_proposal.id"))
    sector: Mapped[str] = mapped_column(String(10))
    member: Mapped[str] = mapped_column(String(80))
    choice: Mapped[str] = mapped_column(String(8))
    cast_on: Mapped[dt.date] = mapped_column(Date)


class StudyRow(Base):
    __tablename__ = "gov_study"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    year: Mapped[int] = mapped_column(Integer)
    run_on: Mapped[dt.date] = mapped_column(Date)
    next_due: Mapped[dt.date] = mapped_column(Date)
    inputs: Mapped[Any] = mapped_column(JSON)                 # the figures read from the books
    report: Mapped[Any] = mapped_column(JSON)                 # the study's summary
    assumptions_yaml: Mapped[str] = mapped_column(Text)       # the experience-YYYY assumption set
    run_by: Mapped[str] = mapped_column(String(80))


class AlertRow(Base):
    __tablename__ = "gov_alert"
    __table_args__ = (
        UniqueConstraint("kind", "raised_on", name="uq_gov_alert_kind_day"),
        CheckConstraint("kind in ('reserve_below_target', 'reserve_below_half', 'depletion_probability')", name="kind"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(24))
    raised_on: Mapped[dt.date] = mapped_column(Date)
    measured: Mapped[Any] = mapped_column(Numeric(18, 6))
    threshold: Mapped[Any] = mapped_column(Numeric(18, 6))
    message: Mapped[str] = mapped_column(String(300))
    proposal_id: Mapped[int | None] = mapped_column(ForeignKey("gov_proposal.id"))
