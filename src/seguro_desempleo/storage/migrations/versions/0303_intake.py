"""Schema for issue 31 (intake as payroll software writes it): what the other PLAME and
T-Registro files say, and the employers' EsSalud flags for "otros conceptos" (decision 0334).

Tables: ``worker_contract`` (``.tra``), ``suspension_days`` (``.snl``), ``work_time`` (``.jor``),
``worker_document_country`` (``.per`` field 3), ``pending_termination`` (a baja with no known
period yet), ``employer_concept_flag`` (Tabla 22, 1001–1040). See ``storage.intake``.

Revision ID: 0303_intake
Revises: 0302_accounts
Create Date: 2026-12-07 02:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0303_intake"
down_revision: str | None = "0302_accounts"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _fk(table: str, column: str, target: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint([column], [f"{target}.id"], name=f"fk_{table}_{column}_{target}")


def upgrade() -> None:
    op.create_table(
        "worker_contract",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("employer_id", sa.Integer(), nullable=False),
        sa.Column("worker_id", sa.Integer(), nullable=False),
        sa.Column("contract_type", sa.String(2), nullable=False),
        sa.Column("recorded_on", sa.Date(), nullable=False),
        _fk("worker_contract", "employer_id", "employer"), _fk("worker_contract", "worker_id", "worker"),
        sa.PrimaryKeyConstraint("id", name="pk_worker_contract"),
        sa.UniqueConstraint("employer_id", "worker_id", "recorded_on", name="uq_worker_contract_recorded"),
        sa.CheckConstraint("length(contract_type) = 2", name="ck_worker_contract_contract_type_code"),
    )
    op.create_index("ix_worker_contract_worker", "worker_contract", ["worker_id", "employer_id"])
    op.create_table(
        "suspension_days",
        sa.Column("employer_id", sa.Integer(), nullable=False),
        sa.Column("worker_id", sa.Integer(), nullable=False),
        sa.Column("period", sa.Integer(), nullable=False),
        sa.Column("suspension_type", sa.String(2), nullable=False),
        sa.Column("days", sa.Integer(), nullable=False),
        _fk("suspension_days", "employer_id", "employer"), _fk("suspension_days", "worker_id", "worker"),
        sa.PrimaryKeyConstraint("employer_id", "period", "worker_id", "suspension_type", name="pk_suspension_days"),
        sa.CheckConstraint("days >= 0 and days <= 31", name="ck_suspension_days_days_in_month"),
    )
    op.create_index("ix_suspension_days_worker", "suspension_days", ["worker_id", "period"])
    op.create_table(
        "work_time",
        sa.Column("employer_id", sa.Integer(), nullable=False),
        sa.Column("worker_id", sa.Integer(), nullable=False),
        sa.Column("period", sa.Integer(), nullable=False),
        sa.Column("ordinary_minutes", sa.Integer(), nullable=False),
        sa.Column("overtime_minutes", sa.Integer(), nullable=False),
        _fk("work_time", "employer_id", "employer"), _fk("work_time", "worker_id", "worker"),
        sa.PrimaryKeyConstraint("employer_id", "period", "worker_id", name="pk_work_time"),
        sa.CheckConstraint("ordinary_minutes >= 0 and ordinary_minutes <= 21659", name="ck_work_time_ordinary_range"),
        sa.CheckConstraint("overtime_minutes >= 0 and overtime_minutes <= 21659", name="ck_work_time_overtime_range"),
    )
    op.create_index("ix_work_time_worker", "work_time", ["worker_id", "period"])
    op.create_table(
        "worker_document_country",
        sa.Column("worker_id", sa.Integer(), nullable=False),
        sa.Column("country", sa.String(3), nullable=False),
        _fk("worker_document_country", "worker_id", "worker"),
        sa.PrimaryKeyConstraint("worker_id", name="pk_worker_document_country"),
        sa.CheckConstraint("length(country) = 3", name="ck_worker_document_country_country_code"),
    )
    op.create_table(
        "pending_termination",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("employer_id", sa.Integer(), nullable=False),
        sa.Column("worker_id", sa.Integer(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=False),
        sa.Column("cause", sa.String(2), nullable=False),
        _fk("pending_termination", "employer_id", "employer"), _fk("pending_termination", "worker_id", "worker"),
        sa.PrimaryKeyConstraint("id", name="pk_pending_termination"),
        sa.UniqueConstraint("employer_id", "worker_id", "end_date", name="uq_pending_termination"),
    )
    op.create_table(
        "employer_concept_flag",
        sa.Column("employer_id", sa.Integer(), nullable=False),
        sa.Column("concept", sa.String(4), nullable=False),
        sa.Column("essalud", sa.Boolean(), nullable=False),
        _fk("employer_concept_flag", "employer_id", "employer"),
        sa.PrimaryKeyConstraint("employer_id", "concept", name="pk_employer_concept_flag"),
        sa.CheckConstraint("concept >= '1001' and concept <= '1040' and length(concept) = 4",
                           name="ck_employer_concept_flag_other_concept"),
    )


def downgrade() -> None:
    op.drop_table("employer_concept_flag")
    op.drop_table("pending_termination")
    op.drop_table("worker_document_country")
    op.drop_index("ix_work_time_worker", table_name="work_time")
    op.drop_table("work_time")
    op.drop_index("ix_suspension_days_worker", table_name="suspension_days")
    op.drop_table("suspension_days")
    op.drop_index("ix_worker_contract_worker", table_name="worker_contract")
    op.drop_table("worker_contract")
