"""Schema for issue 25 (money-safe operations): one claim per contingency, canonical worker
references, fund alerts, the declaration review queue and award approvals (maker-checker).

- ``uq_claim_contingency``: partial UNIQUE index on ``claim (worker_ref, separation_date)`` where
  ``state <> 'denied'`` — at most one claim that is not denied per contingency, ever (both engines
  support partial indexes). The service also refuses a new filing beside a denied claim (a denial is
  revisited by reconsideración or apelación).
- ``claim.worker_ref`` holds the canonical decimal text of ``worker.id`` and must name a registered
  worker: PostgreSQL a CHECK (regular expression) and a stored generated column ``worker_id`` with a
  FOREIGN KEY to ``worker``; SQLite (no ALTER … ADD CONSTRAINT) triggers that refuse the same rows.
- ``fund_alert``, ``declaration_review``, ``award_approval``: see
  :mod:`seguro_desempleo.storage.models_money_safety`.

Fails on a database that already holds two claims not denied for one contingency or a
non-canonical reference: those are the defects this revision closes; resolve them first
(docs/claims.md, "Controles").

Revision ID: 0301_money_safety
Revises: 0206_pg_document_key_order
Create Date: 2026-12-07 02:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0301_money_safety"
down_revision: str | None = "0206_pg_document_key_order"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_NOT_DENIED = "state <> 'denied'"
_SQLITE_BAD_REF = ("NEW.worker_ref NOT GLOB '[1-9]*' OR NEW.worker_ref GLOB '*[^0-9]*' "
                   "OR length(NEW.worker_ref) > 10 "
                   "OR NOT EXISTS (SELECT 1 FROM worker WHERE worker.id = CAST(NEW.worker_ref AS INTEGER))")


def upgrade() -> None:
    bind = op.get_bind()
    op.create_index("uq_claim_contingency", "claim", ["worker_ref", "separation_date"], unique=True,
                    sqlite_where=sa.text(_NOT_DENIED), postgresql_where=sa.text(_NOT_DENIED))
    if bind.dialect.name == "postgresql":
        op.execute("ALTER TABLE claim ADD CONSTRAINT ck_claim_worker_ref_canonical "
                   "CHECK (worker_ref ~ '^[1-9][0-9]{0,9}$')")
        op.execute("ALTER TABLE claim ADD COLUMN worker_id bigint GENERATED ALWAYS AS "
                   "(CAST(worker_ref AS bigint)) STORED")
        op.execute("ALTER TABLE claim ADD CONSTRAINT fk_claim_worker_id_worker "
                   "FOREIGN KEY (worker_id) REFERENCES worker (id)")
    else:
        for event in ("INSERT", "UPDATE OF worker_ref"):
            name = "claim_worker_ref_insert" if event == "INSERT" else "claim_worker_ref_update"
            op.execute(f"CREATE TRIGGER {name} BEFORE {event} ON claim WHEN {_SQLITE_BAD_REF} BEGIN "
                       "SELECT RAISE(ABORT, 'claim.worker_ref must be the canonical id of a registered worker'); END")
    op.create_table(
        "fund_alert",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("raised_at", sa.String(40), nullable=False),
        sa.Column("period", sa.Integer(), nullable=False),
        sa.Column("run_date", sa.Date(), nullable=False),
        sa.Column("available", sa.BigInteger(), nullable=False),
        sa.Column("due", sa.BigInteger(), nullable=False),
        sa.Column("shortfall", sa.BigInteger(), nullable=False),
        sa.Column("unpaid", sa.Integer(), nullable=False),
        sa.Column("raised_by", sa.String(80), nullable=False),
        sa.CheckConstraint("shortfall > 0", name="ck_fund_alert_shortfall"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fund_alert")),
    )
    op.create_table(
        "declaration_review",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("worker_id", sa.Integer(), nullable=False),
        sa.Column("period", sa.Integer(), nullable=False),
        sa.Column("remuneration", sa.BigInteger(), nullable=False),
        sa.Column("reasons", sa.String(200), nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("flagged_at", sa.String(40), nullable=False),
        sa.Column("reviewed_by", sa.String(80), nullable=True),
        sa.Column("reviewed_at", sa.String(40), nullable=True),
        sa.ForeignKeyConstraint(["worker_id"], ["worker.id"], name=op.f("fk_declaration_review_worker_id_worker")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_declaration_review")),
        sa.UniqueConstraint("worker_id", "period", name="uq_declaration_review_month"),
        sa.CheckConstraint("status IN ('pending', 'accepted', 'rejected')", name="ck_declaration_review_status"),
        sa.CheckConstraint("status = 'pending' OR reviewed_by IS NOT NULL", name="ck_declaration_review_reviewer"),
    )
    op.create_index("ix_declaration_review_status", "declaration_review", ["status"])
    op.create_table(
        "award_approval",
        sa.Column("claim_id", sa.String(24), nullable=False),
        sa.Column("total", sa.BigInteger(), nullable=False),
        sa.Column("reasons", sa.String(200), nullable=False),
        sa.Column("maker", sa.String(80), nullable=False),
        sa.Column("requested_at", sa.String(40), nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("checker", sa.String(80), nullable=True),
        sa.Column("checked_at", sa.String(40), nullable=True),
        sa.ForeignKeyConstraint(["claim_id"], ["claim.id"], name=op.f("fk_award_approval_claim_id_claim")),
        sa.PrimaryKeyConstraint("claim_id", name=op.f("pk_award_approval")),
        sa.CheckConstraint("status IN ('pending', 'approved', 'rejected')", name="ck_award_approval_status"),
        sa.CheckConstraint("checker IS NULL OR checker <> maker", name="ck_award_approval_four_eyes"),
        sa.CheckConstraint("status = 'pending' OR checker IS NOT NULL", name="ck_award_approval_checked"),
    )
    op.create_index("ix_award_approval_status", "award_approval", ["status"])


def downgrade() -> None:
    bind = op.get_bind()
    for table in ("award_approval", "declaration_review", "fund_alert"):
        op.drop_table(table)
    if bind.dialect.name == "postgresql":
        op.execute("ALTER TABLE claim DROP CONSTRAINT IF EXISTS fk_claim_worker_id_worker")
        op.execute("ALTER TABLE claim DROP COLUMN IF EXISTS worker_id")
        op.execute("ALTER TABLE claim DROP CONSTRAINT IF EXISTS ck_claim_worker_ref_canonical")
    else:
        op.execute("DROP TRIGGER IF EXISTS claim_worker_ref_insert")
        op.execute("DROP TRIGGER IF EXISTS claim_worker_ref_update")
    op.drop_index("uq_claim_contingency", table_name="claim")
