"""The worker's identity is (document type, number, issuing country); pending bajas are bounded
(issue 31, decisions 0411 and 0412).

- ``worker.doc_country`` (Tabla 26, three digits): ``604`` (Perú) for every document Peru issues
  — the DNI and the other Tabla 3 types but 07 (pasaporte) and 24 (documento de identidad
  extranjero), Peruvian by definition (a CHECK) — the issuing country for 07/24, or ``''`` for a
  07/24 first seen in a PLAME file (no country field) until T-Registro gives it. The unique key
  ``uq_worker_document`` becomes (number, type, country): a passport 123456 from two countries is
  two workers. The countries recorded in ``worker_document_country`` (migration 0303) are copied
  in. A partial index on the 07/24 documents lets an import find, at no cost for the DNIs, the
  numbers two countries hold (a PLAME line for them is ambiguous).
- ``pending_termination`` gains ``recorded_on``, ``status`` (``pending`` | ``expired``) and
  ``expired_on``: a baja kept pending expires after ``storage.intake.PENDING_TERMINATION_MONTHS``.

SQLite cannot change a table's UNIQUE constraint in place: the worker table is rebuilt, with its
rows put back after the old table is dropped (deferred foreign keys: the children's references
are checked at commit, once the rows are back).

Revision ID: 0308_intake_identity
Revises: 0307_issued_acts
Create Date: 2026-12-07 05:30:00
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0308_intake_identity"
down_revision: str | None = "0307_issued_acts"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PERU = "604"
FOREIGN = "('07', '24')"
CHECK_PERUVIAN = f"doc_type IN {FOREIGN} OR doc_country = '{PERU}'"
CHECK_CODE = "doc_country = '' OR length(doc_country) = 3"

SQLITE_WORKER = f"""CREATE TABLE worker_new (
    id INTEGER NOT NULL,
    doc_type VARCHAR(2) NOT NULL,
    doc_number VARCHAR(15) NOT NULL,
    sex VARCHAR(1),
    birth_date DATE,
    region VARCHAR(40),
    full_name VARCHAR(200),
    doc_country VARCHAR(3) DEFAULT '{PERU}' NOT NULL,
    CONSTRAINT pk_worker PRIMARY KEY (id),
    CONSTRAINT uq_worker_document UNIQUE (doc_type, doc_number, doc_country),
    CONSTRAINT ck_worker_peruvian_document CHECK ({CHECK_PERUVIAN}),
    CONSTRAINT ck_worker_country_code CHECK ({CHECK_CODE})
)"""

COLUMNS = "id, doc_type, doc_number, sex, birth_date, region, full_name"


def upgrade() -> None:
    bind = op.get_bind()
    pg = bind.dialect.name == "postgresql"
    if pg:
        op.execute(f"ALTER TABLE worker ADD COLUMN doc_country varchar(3) COLLATE \"C\" NOT NULL DEFAULT '{PERU}'")
        op.execute(f"UPDATE worker SET doc_country = '' WHERE doc_type IN {FOREIGN}")
        op.execute("UPDATE worker w SET doc_country = c.country FROM worker_document_country c "
                   f"WHERE c.worker_id = w.id AND w.doc_type IN {FOREIGN}")
        op.execute("ALTER TABLE worker DROP CONSTRAINT uq_worker_document")
        op.execute("ALTER TABLE worker ADD CONSTRAINT uq_worker_document UNIQUE (doc_number, doc_type, doc_country)")
        op.execute(f"ALTER TABLE worker ADD CONSTRAINT ck_worker_peruvian_document CHECK ({CHECK_PERUVIAN})")
        op.execute(f"ALTER TABLE worker ADD CONSTRAINT ck_worker_country_code CHECK ({CHECK_CODE})")
    else:
        op.execute("PRAGMA defer_foreign_keys = ON")
        op.execute(f"CREATE TEMP TABLE worker_copy AS SELECT {COLUMNS} FROM worker")
        op.execute(SQLITE_WORKER)
        op.execute("DROP TABLE worker")
        # The triggers that name worker (claims') are not re-parsed while it is missing.
        op.execute("PRAGMA legacy_alter_table = ON")
        op.execute("ALTER TABLE worker_new RENAME TO worker")
        op.execute("PRAGMA legacy_alter_table = OFF")
        op.execute(f"INSERT INTO worker ({COLUMNS}, doc_country) SELECT {COLUMNS}, "
                   f"CASE WHEN doc_type IN {FOREIGN} THEN coalesce((SELECT c.country FROM worker_document_country c "
                   f"WHERE c.worker_id = worker_copy.id), '') ELSE '{PERU}' END FROM worker_copy ORDER BY id")
        op.execute("DROP TABLE worker_copy")
    op.execute(f"CREATE INDEX ix_worker_foreign_document ON worker (doc_type, doc_number) WHERE doc_type IN {FOREIGN}")

    with op.batch_alter_table("pending_termination") as batch:
        batch.add_column(sa.Column("recorded_on", sa.Date(), nullable=True))
        batch.add_column(sa.Column("status", sa.String(10), nullable=False, server_default="pending"))
        batch.add_column(sa.Column("expired_on", sa.Date(), nullable=True))
        batch.create_check_constraint("ck_pending_termination_status", "status in ('pending', 'expired')")
    # The bajas kept before this revision count from the day it runs.
    op.execute(sa.text("UPDATE pending_termination SET recorded_on = :d").bindparams(d=dt.date.today()))


def downgrade() -> None:
    with op.batch_alter_table("pending_termination") as batch:
        batch.drop_constraint("ck_pending_termination_status", type_="check")
        batch.drop_column("expired_on")
        batch.drop_column("status")
        batch.drop_column("recorded_on")
    op.execute("DROP INDEX ix_worker_foreign_document")
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        op.execute("ALTER TABLE worker DROP CONSTRAINT ck_worker_country_code")
        op.execute("ALTER TABLE worker DROP CONSTRAINT ck_worker_peruvian_document")
        op.execute("ALTER TABLE worker DROP CONSTRAINT uq_worker_document")
        op.execute("ALTER TABLE worker ADD CONSTRAINT uq_worker_document UNIQUE (doc_number, doc_type)")
        op.execute("ALTER TABLE worker DROP COLUMN doc_country")
        return
    op.execute("PRAGMA defer_foreign_keys = ON")
    op.execute(f"CREATE TEMP TABLE worker_copy AS SELECT {COLUMNS} FROM worker")
    op.execute("CREATE TABLE worker_new (id INTEGER NOT NULL, doc_type VARCHAR(2) NOT NULL, doc_number VARCHAR(15) "
               "NOT NULL, sex VARCHAR(1), birth_date DATE, region VARCHAR(40), full_name VARCHAR(200), "
               "CONSTRAINT pk_worker PRIMARY KEY (id), CONSTRAINT uq_worker_document UNIQUE (doc_type, doc_number))")
    op.execute("DROP TABLE worker")
    op.execute("PRAGMA legacy_alter_table = ON")
    op.execute("ALTER TABLE worker_new RENAME TO worker")
    op.execute("PRAGMA legacy_alter_table = OFF")
    op.execute(f"INSERT INTO worker ({COLUMNS}) SELECT {COLUMNS} FROM worker_copy ORDER BY id")
    op.execute("DROP TABLE worker_copy")
