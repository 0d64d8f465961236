"""The hash chain of the fund's ledger entries (issue 25): the pure part is
:mod:`seguro_desempleo.domain.ledger_chain` (decision 0397); storage keeps the lock on the head.

``prev_hash`` is UNIQUE (migration ``0306_tamper_evidence``): the database itself refuses a fork.
Writers serialise on the chain's head: SQLite's write transactions are IMMEDIATE (one writer at
a time); PostgreSQL takes the advisory lock :data:`LEDGER_LOCK_KEY` for the transaction before
reading the head.
"""

from __future__ import annotations

from seguro_desempleo.domain.ledger_chain import GENESIS_HASH, LedgerChainReport, entry_hash, verify_entries

__all__ = ["GENESIS_HASH", "LEDGER_LOCK_KEY", "LedgerChainReport", "entry_hash", "verify_entries"]

LEDGER_LOCK_KEY = 25_0306_01
"""The PostgreSQL advisory lock of the ledger chain's head (held to the end of the transaction)."""
