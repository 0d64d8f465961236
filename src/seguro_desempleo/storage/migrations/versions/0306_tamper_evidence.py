"""Issue 25, books that reveal tampering: the ledger entries are hash-chained.

``ledger_entry`` gains ``prev_hash`` (UNIQUE: the database refuses a fork of the chain) and
``hash`` (storage/ledger_chain.py). Entries already on the books are linked in ``id`` order
here, the append-only triggers of ``ledger_entry`` lifted for that one update and put back.

Revision ID: 0306_tamper_evidence
Revises: 0305_governance
Create Date: 2026-12-07 02:30:00
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0306_tamper_evidence"
down_revision: str | None = "0305_governance"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_MESSAGE = "the ledger is append-only: post a correcting entry"


def _triggers(create: bool) -> None:
    pg = op.get_bind().dialect.name == "postgresql"
    if pg:
        if create:
            op.execute("CREATE TRIGGER ledger_entry_append_only BEFORE UPDATE OR DELETE ON ledger_entry "
                       "FOR EACH ROW EXECUTE FUNCTION ledger_append_only()")
        else:
            op.execute("DROP TRIGGER IF EXISTS ledger_entry_append_only ON ledger_entry")
        return
    for action in ("UPDATE", "DELETE"):
        if create:
            op.execute(f"CREATE TRIGGER ledger_entry_no_{action.lower()} BEFORE {action} ON ledger_entry BEGIN "
                       f"SELECT RAISE(ABORT, '{_MESSAGE}'); END")
        else:
            op.execute(f"DROP TRIGGER IF EXISTS ledger_entry_no_{action.lower()}")


def upgrade() -> None:
    from seguro_desempleo.storage.ledger_chain import GENESIS_HASH, entry_hash

    op.add_column("ledger_entry", sa.Column("prev_hash", sa.String(64), nullable=True))
    op.add_column("ledger_entry", sa.Column("hash", sa.String(64), nullable=True))
    bind = op.get_bind()
    entries = bind.execute(sa.text("SELECT id, event_type, ref, at, idempotency_key FROM ledger_entry ORDER BY id")).all()
    if entries:
        lines: dict[int, list[tuple[str, int, int]]] = {}
        for entry_id, account, debit, credit in bind.execute(sa.text(
                "SELECT entry_id, account, debit, credit FROM ledger_line ORDER BY id")):
            lines.setdefault(int(entry_id), []).append((account, int(debit), int(credit)))
        _triggers(False)
        prev = GENESIS_HASH
        update = sa.text("UPDATE ledger_entry SET prev_hash = :p, hash = :h WHERE id = :i")
        params = []
        for entry_id, event_type, ref, at, key in entries:
            at_date = at if not isinstance(at, str) else dt.date.fromisoformat(at)
            digest = entry_hash(prev, event_type, ref, at_date, key, lines.get(int(entry_id), []))
            params.append({"p": prev, "h": digest, "i": int(entry_id)})
            prev = digest
        bind.execute(update, params)
        _triggers(True)
    op.create_index("uq_ledger_entry_prev_hash", "ledger_entry", ["prev_hash"], unique=True)


def downgrade() -> None:
    op.drop_index("uq_ledger_entry_prev_hash", table_name="ledger_entry")
    # Plain ALTER TABLE … DROP COLUMN on both engines (SQLite ≥ 3.35): no table rebuild, so the
    # foreign keys to ledger_entry and its append-only triggers stay as they are.
    op.execute("ALTER TABLE ledger_entry DROP COLUMN hash")
    op.execute("ALTER TABLE ledger_entry DROP COLUMN prev_hash")
