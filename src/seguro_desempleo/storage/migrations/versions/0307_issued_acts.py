"""Issued acts (issue 26 item 9, Ley 27444): each act stored as issued, with its hash and its
notification date; the database refuses to change or delete it.

Triggers on both engines: an UPDATE may only fill ``notified_on`` once (from NULL) and the PDF
once (``pdf`` and ``pdf_sha256`` from NULL); every other change, and any DELETE, is refused.

Revision ID: 0307_issued_acts
Revises: 0306_tamper_evidence
Create Date: 2026-12-07 03:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0307_issued_acts"
down_revision: str | None = "0306_tamper_evidence"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_FROZEN = ("number", "claim_id", "kind", "issued_on", "summary", "html", "content_sha256")
MESSAGE = "an issued act does not change (Ley 27444); issue a new act"


def upgrade() -> None:
    op.create_table(
        "issued_act",
        sa.Column("number", sa.String(40), nullable=False),
        sa.Column("claim_id", sa.String(24), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("issued_on", sa.Date(), nullable=False),
        sa.Column("summary", sa.String(400), nullable=False),
        sa.Column("html", sa.LargeBinary(), nullable=False),
        sa.Column("content_sha256", sa.String(64), nullable=False),
        sa.Column("notified_on", sa.Date(), nullable=True),
        sa.Column("pdf", sa.LargeBinary(), nullable=True),
        sa.Column("pdf_sha256", sa.String(64), nullable=True),
        sa.CheckConstraint("length(content_sha256) = 64", name=op.f("ck_issued_act_content_sha256_len")),
        sa.CheckConstraint("notified_on IS NULL OR notified_on >= issued_on",
                           name=op.f("ck_issued_act_notified_after_issue")),
        sa.CheckConstraint("(pdf IS NULL) = (pdf_sha256 IS NULL)", name=op.f("ck_issued_act_pdf_with_hash")),
        sa.CheckConstraint("kind in ('decision', 'suspension', 'resumption', 'closure', 'overpayment', "
                           "'amount_change', 'appeal_resolution')", name=op.f("ck_issued_act_kind")),
        sa.ForeignKeyConstraint(["claim_id"], ["claim.id"], name=op.f("fk_issued_act_claim_id_claim")),
        sa.PrimaryKeyConstraint("number", name=op.f("pk_issued_act")),
    )
    op.create_index("ix_issued_act_claim", "issued_act", ["claim_id", "issued_on"])
    if op.get_bind().dialect.name == "postgresql":
        changed = " OR ".join(f"NEW.{c} IS DISTINCT FROM OLD.{c}" for c in _FROZEN)
        op.execute(
            "CREATE OR REPLACE FUNCTION issued_act_frozen() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            f"IF TG_OP = 'DELETE' THEN RAISE EXCEPTION '{MESSAGE}'; END IF; "
            f"IF {changed} "
            "OR (OLD.notified_on IS NOT NULL AND NEW.notified_on IS DISTINCT FROM OLD.notified_on) "
            "OR (OLD.pdf IS NOT NULL AND (NEW.pdf IS DISTINCT FROM OLD.pdf "
            "OR NEW.pdf_sha256 IS DISTINCT FROM OLD.pdf_sha256)) "
            f"THEN RAISE EXCEPTION '{MESSAGE}'; END IF; RETURN NEW; END $$")
        op.execute("CREATE TRIGGER issued_act_frozen BEFORE UPDATE OR DELETE ON issued_act "
                   "FOR EACH ROW EXECUTE FUNCTION issued_act_frozen()")
    else:
        changed = " OR ".join(f"NEW.{c} IS NOT OLD.{c}" for c in _FROZEN)
        op.execute(
            "CREATE TRIGGER issued_act_no_update BEFORE UPDATE ON issued_act "
            f"WHEN {changed} "
            "OR (OLD.notified_on IS NOT NULL AND NEW.notified_on IS NOT OLD.notified_on) "
            "OR (OLD.pdf IS NOT NULL AND (NEW.pdf IS NOT OLD.pdf OR NEW.pdf_sha256 IS NOT OLD.pdf_sha256)) "
            f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END")
        op.execute("CREATE TRIGGER issued_act_no_delete BEFORE DELETE ON issued_act "
                   f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS issued_act_frozen ON issued_act")
        op.execute("DROP FUNCTION IF EXISTS issued_act_frozen()")
    else:
        op.execute("DROP TRIGGER IF EXISTS issued_act_no_update")
        op.execute("DROP TRIGGER IF EXISTS issued_act_no_delete")
    op.drop_index("ix_issued_act_claim", table_name="issued_act")
    op.drop_table("issued_act")
