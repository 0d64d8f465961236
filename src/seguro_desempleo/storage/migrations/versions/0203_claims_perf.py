"""The audit outbox (issue 5, performance): audit records written with the business change, linked
into the hash chain afterwards by a sequencer.

``audit_outbox`` holds records not yet chained: who, when, what, before/after, in the order of
``id``. A transaction inserts its records here without taking the chain's lock; the sequencer
(:func:`seguro_desempleo.storage.claims_repositories.drain_audit_outbox`) takes the lock, moves the
rows into ``audit_log`` with their ``seq``, ``prev_hash`` and ``hash``, and deletes them — one
transaction, so a record is either waiting here or chained, never both and never lost. Outbox
rows cannot be updated (trigger); only the sequencer deletes them.

Revision ID: 0203_claims_perf
Revises: 0202_employment_registration
Create Date: 2026-11-25 14:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0203_claims_perf"
down_revision: str | None = "0202_employment_registration"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "audit_outbox",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("who", sa.String(80), nullable=False),
        sa.Column("at", sa.String(40), nullable=False),
        sa.Column("action", sa.String(60), nullable=False),
        sa.Column("entity", sa.String(80), nullable=False),
        sa.Column("before", sa.JSON(), nullable=True),
        sa.Column("after", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_outbox")),
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE OR REPLACE FUNCTION audit_outbox_no_update() RETURNS trigger LANGUAGE plpgsql AS "
                   "$$ BEGIN RAISE EXCEPTION 'audit outbox records are not changed'; END $$")
        op.execute("CREATE TRIGGER audit_outbox_no_update BEFORE UPDATE ON audit_outbox "
                   "FOR EACH ROW EXECUTE FUNCTION audit_outbox_no_update()")
    else:
        op.execute("CREATE TRIGGER audit_outbox_no_update BEFORE UPDATE ON audit_outbox BEGIN "
                   "SELECT RAISE(ABORT, 'audit outbox records are not changed'); END")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_outbox_no_update ON audit_outbox")
        op.execute("DROP FUNCTION IF EXISTS audit_outbox_no_update()")
    else:
        op.execute("DROP TRIGGER IF EXISTS audit_outbox_no_update")
    op.drop_table("audit_outbox")
