"""Reserved revision (wave 2, session 2): filled by the work that needs it, else a no-op.

Revision ID: 0308_intake_identity
Revises: 0307_issued_acts
Create Date: 2026-12-07 05:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

revision: str = "0308_intake_identity"
down_revision: str | None = "0307_issued_acts"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
