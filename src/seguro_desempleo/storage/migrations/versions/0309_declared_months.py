"""Reserved revision (wave 2, session 2): filled by the work that needs it, else a no-op.

Revision ID: 0309_declared_months
Revises: 0308_intake_identity
Create Date: 2026-12-07 05:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

revision: str = "0309_declared_months"
down_revision: str | None = "0308_intake_identity"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
