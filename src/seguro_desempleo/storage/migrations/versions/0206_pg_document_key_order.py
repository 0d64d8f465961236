"""The worker's natural key leads with the document number on PostgreSQL (issue 4, performance;
decision 0109).

``uq_worker_document`` becomes ``UNIQUE (doc_number, doc_type)``: the same constraint (the same
set of columns is unique, and every lookup names both), in the order that sorts fast.
PostgreSQL sorts a text column by an 8-byte abbreviated key taken from its first column only;
with ``doc_type`` first that key is ``'01'`` for nearly everyone (DNI) and every comparison falls
back to comparing both strings. Building the constraint after a first load of 3 million workers
in the order they arrive in real files (documents in no order): 4.9–5.1 s → 1.3–1.5 s.

SQLite is unchanged: it compares records field by field with no abbreviated key, and its
constraint belongs to the table definition (changing it rewrites the table).

Revision ID: 0206_pg_document_key_order
Revises: 0205_sqlite_clustered
Create Date: 2026-12-03 08:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0206_pg_document_key_order"
down_revision: str | None = "0205_sqlite_clustered"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _key(columns: str) -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("ALTER TABLE worker DROP CONSTRAINT uq_worker_document")
    op.execute(f"ALTER TABLE worker ADD CONSTRAINT uq_worker_document UNIQUE ({columns})")


def upgrade() -> None:
    _key("doc_number, doc_type")


def downgrade() -> None:
    _key("doc_type, doc_number")
