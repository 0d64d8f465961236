"""Registration with the employment service (art. 7: "haya informado de la contingencia a los
servicios de empleo"): one row per recorded registration of a worker.

Revision ID: 0202_employment_registration
Revises: 0201_claims
Create Date: 2026-11-25 13:50:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0202_employment_registration"
down_revision: str | None = "0201_claims"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "es_registration",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("worker_id", sa.Integer(), nullable=False),
        sa.Column("registered_on", sa.Date(), nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("reference", sa.String(120), nullable=False),
        sa.Column("recorded_by", sa.String(80), nullable=False),
        sa.Column("created_at", sa.String(40), nullable=False),
        sa.ForeignKeyConstraint(["worker_id"], ["worker.id"], name=op.f("fk_es_registration_worker_id_worker")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_es_registration")),
    )
    op.create_index("ix_es_registration_worker", "es_registration", ["worker_id", "registered_on"])


def downgrade() -> None:
    op.drop_index("ix_es_registration_worker", table_name="es_registration")
    op.drop_table("es_registration")
