"""Schema for issue 28 (governance of the fund).

Reserved in the linear chain so that work on several issues lands without branching Alembic's
history; the issue's work fills in upgrade() and downgrade().

Revision ID: 0305_governance
Revises: 0304_law
Create Date: 2026-12-07 02:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

revision: str = "0305_governance"
down_revision: str | None = "0304_law"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
