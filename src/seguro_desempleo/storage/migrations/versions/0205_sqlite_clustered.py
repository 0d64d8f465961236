"""SQLite keeps the contribution records in the order of the claims' history read (issue 4,
performance; decision 0108).

On SQLite ``contribution`` becomes a ``WITHOUT ROWID`` table whose primary key is
``(worker_id, period, declaration_id)``: the records are stored in the B-tree of that key, so a
worker's history is read from one place, and there is one B-tree to write instead of a rowid
table plus the ``ix_contribution_worker_period`` index (which goes: the key serves the same
reads). The key is unique by construction: a declaration names one employer-month, and the
import writes one record per worker of a declaration. A national first load no longer builds an
index after its rows, and its records arrive in key order (sorted by worker, the new workers'
ids increasing chunk after chunk).

PostgreSQL is unchanged: it has no clustered tables, and its heap with the one index is what its
first load builds fastest (decision 0104).

Existing rows are carried over in key order.

Revision ID: 0205_sqlite_clustered
Revises: 0204_payroll_volume
Create Date: 2026-12-02 21:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0205_sqlite_clustered"
down_revision: str | None = "0204_payroll_volume"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = ("declaration_id", "worker_id", "period", "insurable_pay")
KEY = ("worker_id", "period", "declaration_id")


def _columns() -> list[sa.Column[int]]:
    return [sa.Column("declaration_id", sa.Integer(), nullable=False),
            sa.Column("worker_id", sa.Integer(), nullable=False),
            sa.Column("period", sa.Integer(), nullable=False),
            sa.Column("insurable_pay", sa.BigInteger(), nullable=False)]


def _move(target: str) -> None:
    cols = ", ".join(COLUMNS)
    op.execute(f"INSERT INTO {target} ({cols}) SELECT {cols} FROM contribution ORDER BY {', '.join(KEY)}")
    op.drop_table("contribution")
    op.rename_table(target, "contribution")


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    op.drop_index("ix_contribution_worker_period", table_name="contribution")
    op.create_table("contribution_clustered", *_columns(),
                    sa.PrimaryKeyConstraint(*KEY, name=op.f("pk_contribution")),
                    sqlite_with_rowid=False)
    _move("contribution_clustered")


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    op.create_table("contribution_rowid", *_columns())
    _move("contribution_rowid")
    op.create_index("ix_contribution_worker_period", "contribution", ["worker_id", "period"])
