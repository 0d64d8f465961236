"""Schema for issue 26 (the law read faithfully; issued acts).

Reserved in the linear chain so that work on several issues lands without branching Alembic's
history; the issue's work fills in upgrade() and downgrade().

Revision ID: 0304_law
Revises: 0303_intake
Create Date: 2026-12-07 02:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

revision: str = "0304_law"
down_revision: str | None = "0303_intake"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
