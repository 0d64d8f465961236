"""Reserved revision (wave 2, session 2): filled by the work that needs it, else a no-op.

Revision ID: 0311_spare
Revises: 0310_four_eyes_person
Create Date: 2026-12-07 05:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

revision: str = "0311_spare"
down_revision: str | None = "0310_four_eyes_person"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
