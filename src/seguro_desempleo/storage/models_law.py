"""Tables of issue 26 / issue 25 (the law read faithfully): the dated history of employer sizes.

An employer's size class (Ley 30056) decides whether its months are charged and count (art. 3 and
the Segunda disposición final's phases). It comes from SUNAT sales or a staff confirmation; an
employer's own declaration is *pending* until staff review it and never changes the size in force
nor erases recorded sales. Each row is in force from ``valid_from`` until the next confirmed row of
the same employer; coverage reads the size in force in each month
(:mod:`seguro_desempleo.storage.employer_sizes`). Created by migration ``0304_law``.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import CheckConstraint, Date, DateTime, ForeignKey, Index, Integer, Numeric, String, text
from sqlalchemy.orm import Mapped, mapped_column

from seguro_desempleo.storage.models import Base

SIZE_SOURCES = ("sales", "staff", "declared", "registry")
"""sales: computed from SUNAT annual sales; staff: set or confirmed by staff; declared: the
employer's own declaration (pending until reviewed); registry: the size recorded before this
history existed (migration 0304's backfill)."""

SIZE_STATUSES = ("pending", "confirmed", "rejected")


class EmployerSizeRow(Base):
    __tablename__ = "employer_size"
    __table_args__ = (
        CheckConstraint("size_class IN ('micro', 'small', 'medium', 'large')", name="size_class"),
        CheckConstraint("source IN ('sales', 'staff', 'declared', 'registry')", name="source"),
        CheckConstraint("status IN ('pending', 'confirmed', 'rejected')", name="status"),
        # A declaration is only in force once a staff member other than nobody reviewed it.
        CheckConstraint("source <> 'declared' OR status = 'pending' OR reviewed_by IS NOT NULL", name="reviewed"),
        CheckConstraint("source <> 'sales' OR annual_sales_uit IS NOT NULL", name="sales_given"),
        CheckConstraint("annual_sales_uit IS NULL OR annual_sales_uit >= 0", name="sales_not_negative"),
        Index("ix_employer_size_employer", "employer_id", "valid_from"),
        # One confirmed size per employer and date: the size in force is never ambiguous.
        Index("uq_employer_size_confirmed", "employer_id", "valid_from", unique=True,
              sqlite_where=text("status = 'confirmed'"), postgresql_where=text("status = 'confirmed'")),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    employer_id: Mapped[int] = mapped_column(ForeignKey("employer.id"))
    valid_from: Mapped[dt.date] = mapped_column(Date)
    size_class: Mapped[str] = mapped_column(String(10))
    source: Mapped[str] = mapped_column(String(10))
    status: Mapped[str] = mapped_column(String(10))
    annual_sales_uit: Mapped[object | None] = mapped_column(Numeric(14, 2))
    recorded_by: Mapped[str] = mapped_column(String(80))
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime)
    reviewed_by: Mapped[str | None] = mapped_column(String(80))
    reviewed_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
