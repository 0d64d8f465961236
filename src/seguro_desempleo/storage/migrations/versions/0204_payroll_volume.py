"""Payroll at national volume (issue 4, performance): a lean contribution record, no row-by-row
foreign-key checks on declarations, byte-order document numbers.

- ``contribution`` keeps what the declaration says of one worker in one month and nothing that
  can be derived: ``declaration_id``, ``worker_id``, ``period``, ``insurable_pay``. Gone are the
  surrogate ``id``, ``employer_id`` (the declaration's), ``active`` (the declaration's status:
  a rectification changes one declaration row, not thousands of contribution rows) and the four
  amounts computed from the insurable pay with the dated parameters (``base``, ``contribution``,
  ``employer_part``, ``cts_part``: ``rules.remuneration.insurable_base`` and
  ``rules.financing.contribution_due``, recomputed on read; the declaration keeps their sums as
  imported). One index, ``(worker_id, period)``: the history read by the claims. A row is half as
  wide and written with one index instead of three.
- ``declaration`` loses its two FOREIGN KEYs (employer, import file): PostgreSQL checked them
  with one trigger call per row, 8-10 s of a national month. The payroll import, the only writer,
  checks the same references for all its rows at once before it commits
  (``services.payroll_import._check_references``).
- The natural keys compare bytewise on PostgreSQL (``COLLATE "C"``): ``worker.doc_type`` and
  ``doc_number``, ``employer.ruc``, ``import_file.sha256``. They are codes, not words, and their
  unique indexes build and probe several times faster than with a language collation.

Existing rows are carried over (``active`` rows are exactly those of active declarations).

Revision ID: 0204_payroll_volume
Revises: 0203_claims_perf
Create Date: 2026-12-02 03:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0204_payroll_volume"
down_revision: str | None = "0203_claims_perf"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

LEAN = ("declaration_id", "worker_id", "period", "insurable_pay")


def _lean_table(name: str) -> None:
    op.create_table(
        name,
        sa.Column("declaration_id", sa.Integer(), nullable=False),
        sa.Column("worker_id", sa.Integer(), nullable=False),
        sa.Column("period", sa.Integer(), nullable=False),
        sa.Column("insurable_pay", sa.BigInteger(), nullable=False),
    )


def upgrade() -> None:
    pg = op.get_bind().dialect.name == "postgresql"
    _lean_table("contribution_lean")
    cols = ", ".join(LEAN)
    op.execute(f"INSERT INTO contribution_lean ({cols}) SELECT {', '.join('c.' + c for c in LEAN)} "
               "FROM contribution c ORDER BY c.worker_id, c.period")
    op.drop_table("contribution")
    op.rename_table("contribution_lean", "contribution")
    op.create_index("ix_contribution_worker_period", "contribution", ["worker_id", "period"])
    with op.batch_alter_table("declaration") as batch:
        batch.drop_constraint("fk_declaration_employer_id_employer", type_="foreignkey")
        batch.drop_constraint("fk_declaration_import_file_id_import_file", type_="foreignkey")
    if pg:
        for table, column, length in CODES:
            op.execute(f'ALTER TABLE {table} ALTER COLUMN {column} TYPE varchar({length}) COLLATE "C"')


CODES = (("worker", "doc_type", 2), ("worker", "doc_number", 15), ("employer", "ruc", 11), ("import_file", "sha256", 64))


def downgrade() -> None:
    pg = op.get_bind().dialect.name == "postgresql"
    if pg:
        for table, column, length in CODES:
            op.execute(f'ALTER TABLE {table} ALTER COLUMN {column} TYPE varchar({length}) COLLATE "default"')
    with op.batch_alter_table("declaration") as batch:
        batch.create_foreign_key("fk_declaration_employer_id_employer", "employer", ["employer_id"], ["id"])
        batch.create_foreign_key("fk_declaration_import_file_id_import_file", "import_file", ["import_file_id"],
                                 ["id"])
    op.drop_index("ix_contribution_worker_period", table_name="contribution")
    op.rename_table("contribution", "contribution_lean")
    op.create_table(
        "contribution",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("declaration_id", sa.Integer(), nullable=False),
        sa.Column("employer_id", sa.Integer(), nullable=False),
        sa.Column("worker_id", sa.Integer(), nullable=False),
        sa.Column("period", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("insurable_pay", sa.BigInteger(), nullable=False),
        sa.Column("base", sa.BigInteger(), nullable=False),
        sa.Column("contribution", sa.BigInteger(), nullable=False),
        sa.Column("employer_part", sa.BigInteger(), nullable=False),
        sa.Column("cts_part", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contribution")),
    )
    # The derived amounts come back recomputed with the law's parameters (rules.financing), and
    # the id sequence is moved past the rows (the 0203 import takes its ids from it).
    op.execute("INSERT INTO contribution (id, declaration_id, employer_id, worker_id, period, active, insurable_pay, "
               "base, contribution, employer_part, cts_part) "
               "SELECT row_number() OVER (ORDER BY c.declaration_id, c.worker_id), c.declaration_id, d.employer_id, "
               "c.worker_id, c.period, d.status = 'active', c.insurable_pay, 0, 0, 0, 0 "
               "FROM contribution_lean c JOIN declaration d ON d.id = c.declaration_id")
    op.drop_table("contribution_lean")
    bind = op.get_bind()
    rows = bind.execute(sa.text("SELECT id, period, insurable_pay FROM contribution")).all()
    if rows:
        from seguro_desempleo.parameters import default_parameters
        from seguro_desempleo.rules.financing import monthly_amounts

        a = monthly_amounts([r[2] for r in rows], [r[1] for r in rows], default_parameters())
        bind.execute(sa.text("UPDATE contribution SET base = :b, contribution = :t, employer_part = :e, cts_part = :c "
                             "WHERE id = :i"),
                     [{"b": int(b), "t": int(t), "e": int(e), "c": int(c), "i": int(r[0])}
                      for r, b, t, e, c in zip(rows, a.base, a.total, a.employer, a.cts, strict=True)])
    if pg:
        op.execute("SELECT setval(pg_get_serial_sequence('contribution', 'id'), "
                   "COALESCE((SELECT max(id) FROM contribution), 0) + 1, false)")
    op.create_index("ix_contribution_declaration", "contribution", ["declaration_id"])
    op.create_index("ix_contribution_worker_period", "contribution", ["worker_id", "period"])
