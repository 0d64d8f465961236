"""Reserved revision (wave 2, session 2): filled by the work that needs it, else a no-op.

Revision ID: 0310_law_bulk
Revises: 0309_declared_months
Create Date: 2026-12-07 05:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

revision: str = "0310_law_bulk"
down_revision: str | None = "0309_declared_months"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
