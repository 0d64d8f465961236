"""Schema for issue 25 (books that reveal tampering).

Reserved in the linear chain so that work on several issues lands without branching Alembic's
history; the issue's work fills in upgrade() and downgrade().

Revision ID: 0306_tamper_evidence
Revises: 0305_governance
Create Date: 2026-12-07 02:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

revision: str = "0306_tamper_evidence"
down_revision: str | None = "0305_governance"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
