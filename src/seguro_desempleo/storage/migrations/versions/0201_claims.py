"""Claims, appeals, benefit payments, the hash-chained audit log, employment-service records (issue 5).

``claim.open_worker`` is UNIQUE (one open claim per worker); ``benefit_payment.key`` is the
primary key (a payment run never pays an installment twice); ``audit_log`` is append-only
(triggers refuse UPDATE and DELETE on both engines). On PostgreSQL claim numbers come from the
sequence ``claim_number_seq``.

Revision ID: 0201_claims
Revises: 0101_core
Create Date: 2026-11-25 12:20:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0201_claims"
down_revision: str | None = "0101_core"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    _claim_table()
    _claim_appeal_table()
    _benefit_payment_table()
    _audit_log_table()
    _es_obligation_table()
    _es_placement_table()
    _claim_numbers_and_append_only_audit()


def _claim_table() -> None:
    op.create_table(
        "claim",
        sa.Column("id", sa.String(24), nullable=False),
        sa.Column("worker_ref", sa.String(24), nullable=False),
        sa.Column("filed_on", sa.Date(), nullable=False),
        sa.Column("separation_date", sa.Date(), nullable=False),
        sa.Column("state", sa.String(12), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("decided_on", sa.Date(), nullable=True),
        sa.Column("first_period", sa.Integer(), nullable=True),
        sa.Column("reemployment_date", sa.Date(), nullable=True),
        sa.Column("suspension_reason", sa.String(16), nullable=True),
        sa.Column("decision", sa.JSON(), nullable=True),
        sa.Column("open_worker", sa.String(24), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_claim")),
        sa.UniqueConstraint("open_worker", name=op.f("uq_claim_open_worker")),
    )
    op.create_index("ix_claim_worker_ref", "claim", ["worker_ref"])
    op.create_index("ix_claim_state", "claim", ["state"])


def _claim_appeal_table() -> None:
    op.create_table(
        "claim_appeal",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("claim_id", sa.String(24), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("notified_on", sa.Date(), nullable=False),
        sa.Column("filed_on", sa.Date(), nullable=False),
        sa.Column("filing_deadline", sa.Date(), nullable=False),
        sa.Column("resolution_due", sa.Date(), nullable=False),
        sa.Column("outcome", sa.String(14), nullable=False),
        sa.Column("resolved_on", sa.Date(), nullable=True),
        sa.Column("grounds", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["claim_id"], ["claim.id"], name=op.f("fk_claim_appeal_claim_id_claim")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_claim_appeal")),
    )
    op.create_index("ix_claim_appeal_claim", "claim_appeal", ["claim_id"])


def _benefit_payment_table() -> None:
    op.create_table(
        "benefit_payment",
        sa.Column("key", sa.String(32), nullable=False),
        sa.Column("claim_id", sa.String(24), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("period", sa.Integer(), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("paid_on", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(["claim_id"], ["claim.id"], name=op.f("fk_benefit_payment_claim_id_claim")),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_benefit_payment")),
    )
    op.create_index("ix_benefit_payment_claim", "benefit_payment", ["claim_id"])
    op.create_index("ix_benefit_payment_paid_on", "benefit_payment", ["paid_on"])


def _audit_log_table() -> None:
    op.create_table(
        "audit_log",
        sa.Column("seq", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=False,
                  nullable=False),
        sa.Column("who", sa.String(80), nullable=False),
        sa.Column("at", sa.String(40), nullable=False),
        sa.Column("action", sa.String(60), nullable=False),
        sa.Column("entity", sa.String(80), nullable=False),
        sa.Column("before", sa.JSON(), nullable=True),
        sa.Column("after", sa.JSON(), nullable=True),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_audit_log")),
        sa.UniqueConstraint("hash", name=op.f("uq_audit_log_hash")),
    )
    op.create_index("ix_audit_log_entity", "audit_log", ["entity"])


def _es_obligation_table() -> None:
    op.create_table(
        "es_obligation",
        sa.Column("id", sa.String(40), nullable=False),
        sa.Column("claim_id", sa.String(24), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column("outcome", sa.String(14), nullable=False),
        sa.Column("recorded_on", sa.Date(), nullable=True),
        sa.Column("just_cause", sa.String(8), nullable=False),
        sa.Column("recorded_by", sa.String(80), nullable=False),
        sa.ForeignKeyConstraint(["claim_id"], ["claim.id"], name=op.f("fk_es_obligation_claim_id_claim")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_es_obligation")),
    )
    op.create_index("ix_es_obligation_claim", "es_obligation", ["claim_id"])
    op.create_index("ix_es_obligation_recorded_on", "es_obligation", ["recorded_on"])


def _es_placement_table() -> None:
    op.create_table(
        "es_placement",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("claim_id", sa.String(24), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("employer_ruc", sa.String(11), nullable=False),
        sa.Column("source", sa.String(20), nullable=False),
        sa.ForeignKeyConstraint(["claim_id"], ["claim.id"], name=op.f("fk_es_placement_claim_id_claim")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_es_placement")),
    )
    op.create_index("ix_es_placement_claim", "es_placement", ["claim_id"])


def _claim_numbers_and_append_only_audit() -> None:
    """PostgreSQL: the claim number sequence; both engines: triggers that refuse UPDATE and DELETE on
    the audit log."""
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        op.execute("CREATE SEQUENCE claim_number_seq")
        op.execute(
            "CREATE OR REPLACE FUNCTION audit_append_only() RETURNS trigger LANGUAGE plpgsql AS "
            "$$ BEGIN RAISE EXCEPTION 'the audit log is append-only'; END $$"
        )
        op.execute("CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log "
                   "FOR EACH ROW EXECUTE FUNCTION audit_append_only()")
    else:
        for action in ("UPDATE", "DELETE"):
            op.execute(f"CREATE TRIGGER audit_log_no_{action.lower()} BEFORE {action} ON audit_log BEGIN "
                       "SELECT RAISE(ABORT, 'the audit log is append-only'); END")


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_log_append_only ON audit_log")
        op.execute("DROP FUNCTION IF EXISTS audit_append_only()")
        op.execute("DROP SEQUENCE IF EXISTS claim_number_seq")
    else:
        for action in ("update", "delete"):
            op.execute(f"DROP TRIGGER IF EXISTS audit_log_no_{action}")
    for table in ("es_placement", "es_obligation", "audit_log", "benefit_payment", "claim_appeal", "claim"):
        op.drop_table(table)
