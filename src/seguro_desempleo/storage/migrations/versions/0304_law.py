"""Schema for issue 26 (the law read faithfully) and issue 25's employer size: the dated history
of employer sizes (``employer_size``, :mod:`seguro_desempleo.storage.models_law`).

Backfill: every employer with a recorded size gets one confirmed row in force since 1990-01-01
(source ``sales`` when its size came from sales, else ``registry``), so coverage reads the same
size as before; staff review them from then on.

Revision ID: 0304_law
Revises: 0303_intake
Create Date: 2026-12-07 02:30:00
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0304_law"
down_revision: str | None = "0303_intake"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "employer_size",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("employer_id", sa.Integer(), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("size_class", sa.String(10), nullable=False),
        sa.Column("source", sa.String(10), nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("annual_sales_uit", sa.Numeric(14, 2), nullable=True),
        sa.Column("recorded_by", sa.String(80), nullable=False),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.Column("reviewed_by", sa.String(80), nullable=True),
        sa.Column("reviewed_at", sa.DateTime(), nullable=True),
        sa.CheckConstraint("size_class IN ('micro', 'small', 'medium', 'large')",
                           name=op.f("ck_employer_size_size_class")),
        sa.CheckConstraint("source IN ('sales', 'staff', 'declared', 'registry')", name=op.f("ck_employer_size_source")),
        sa.CheckConstraint("status IN ('pending', 'confirmed', 'rejected')", name=op.f("ck_employer_size_status")),
        sa.CheckConstraint("source <> 'declared' OR status = 'pending' OR reviewed_by IS NOT NULL",
                           name=op.f("ck_employer_size_reviewed")),
        sa.CheckConstraint("source <> 'sales' OR annual_sales_uit IS NOT NULL", name=op.f("ck_employer_size_sales_given")),
        sa.CheckConstraint("annual_sales_uit IS NULL OR annual_sales_uit >= 0",
                           name=op.f("ck_employer_size_sales_not_negative")),
        sa.ForeignKeyConstraint(["employer_id"], ["employer.id"], name=op.f("fk_employer_size_employer_id_employer")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_employer_size")),
    )
    op.create_index("ix_employer_size_employer", "employer_size", ["employer_id", "valid_from"])
    op.create_index("uq_employer_size_confirmed", "employer_size", ["employer_id", "valid_from"], unique=True,
                    sqlite_where=sa.text("status = 'confirmed'"), postgresql_where=sa.text("status = 'confirmed'"))
    op.get_bind().execute(sa.text(
        "INSERT INTO employer_size (employer_id, valid_from, size_class, source, status, annual_sales_uit, "
        "recorded_by, recorded_at) "
        "SELECT id, :since, size_class, "
        "CASE WHEN size_source = 'sales' AND annual_sales_uit IS NOT NULL THEN 'sales' ELSE 'registry' END, "
        "'confirmed', annual_sales_uit, 'migration 0304', :now "
        "FROM employer WHERE size_class IN ('micro', 'small', 'medium', 'large')").bindparams(
        sa.bindparam("since", dt.date(1990, 1, 1), type_=sa.Date()),
        sa.bindparam("now", dt.datetime.now(dt.UTC).replace(tzinfo=None), type_=sa.DateTime())))


def downgrade() -> None:
    op.drop_index("uq_employer_size_confirmed", table_name="employer_size")
    op.drop_index("ix_employer_size_employer", table_name="employer_size")
    op.drop_table("employer_size")
