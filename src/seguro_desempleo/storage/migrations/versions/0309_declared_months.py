"""Per contribution month, which declaration and import first brought it and when; the import's
plausibility flags in the review queue (issue 25, decision 0413).

- view ``declared_month`` (``storage.provenance.VIEW_SQL``): worker, month, the first declaration
  (the smallest id among the month's contribution records: every version is kept and ids only
  grow), its import file and the file's ``imported_at``;
- ``declaration_review.source``: ``claims`` (the claims' own flags, the default) or ``import``
  (the payroll import's: a first declaration long after it was due, or one that alone qualifies).

Revision ID: 0309_declared_months
Revises: 0308_intake_identity
Create Date: 2026-12-07 05:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0309_declared_months"
down_revision: str | None = "0308_intake_identity"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

VIEW_SQL = (
    "CREATE VIEW declared_month AS "
    "SELECT f.worker_id, f.period, f.first_declaration_id, d.import_file_id AS first_import_file_id, "
    "i.imported_at AS first_declared_at "
    "FROM (SELECT worker_id, period, min(declaration_id) AS first_declaration_id "
    "      FROM contribution GROUP BY worker_id, period) f "
    "JOIN declaration d ON d.id = f.first_declaration_id "
    "LEFT JOIN import_file i ON i.id = d.import_file_id")
# (a copy of storage.provenance.VIEW_SQL as of this revision: a migration does not import the app)


def upgrade() -> None:
    op.add_column("declaration_review", sa.Column("source", sa.String(10), nullable=False, server_default="claims"))
    op.execute(VIEW_SQL)


def downgrade() -> None:
    op.execute("DROP VIEW declared_month")
    with op.batch_alter_table("declaration_review") as batch:
        batch.drop_column("source")
