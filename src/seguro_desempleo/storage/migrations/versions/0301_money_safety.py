"""Schema for issue 25 (money-safe operations).

Reserved in the linear chain so that work on several issues lands without branching Alembic's
history; the issue's work fills in upgrade() and downgrade().

Revision ID: 0301_money_safety
Revises: 0206_pg_document_key_order
Create Date: 2026-12-07 02:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

revision: str = "0301_money_safety"
down_revision: str | None = "0206_pg_document_key_order"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
