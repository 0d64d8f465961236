"""The hash chain of the fund's ledger entries (issue 25, "books that reveal tampering").

Each ``ledger_entry`` stores ``prev_hash`` (the hash of the entry before it, in ``id`` order;
:data:`GENESIS_HASH` for the first) and ``hash``: SHA-256 of the canonical JSON of the entry's
event, ref, date, idempotency key, its lines ``[account, debit, credit]`` in posting order and
``prev_hash``. Editing an entry's lines (even with the account totals adjusted to match),
removing, inserting or reordering an entry breaks the chain at that entry; removing the last ones
is caught against a checkpoint kept outside the database (``audit checkpoint``).

``prev_hash`` is UNIQUE (migration ``0306_tamper_evidence``): the database itself refuses a fork.
Writers serialise on the chain's head: SQLite's write transactions are IMMEDIATE (one writer at
a time); PostgreSQL takes the advisory lock
:data:`seguro_desempleo.storage.ledger_chain.LEDGER_LOCK_KEY` for the transaction before reading
the head.

Pure (hashing and the replay of a chain): it lives in ``domain/`` so the books verifier and the
ledger service check a chain without importing storage (decision 0397); ``storage.ledger_chain``
re-exports it beside the lock key.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

GENESIS_HASH = "0" * 64


def entry_hash(prev_hash: str, event_type: str, ref: str | None, at: dt.date, key: str | None,
               lines: Iterable[Sequence[Any]]) -> str:
    body = {"at": at.isoformat(), "event_type": event_type, "key": key,
            "lines": [[str(a), int(d), int(c)] for a, d, c in lines], "prev_hash": prev_hash, "ref": ref}
    text = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class LedgerChainReport:
    ok: bool
    checked: int
    first_broken: int | None = None      # the entry id that does not fit
    reason: str = ""
    head_id: int = 0
    head_hash: str = GENESIS_HASH

    def one_line(self) -> str:
        if self.ok:
            return f"ledger chain intact: {self.checked} entries"
        return f"ledger chain broken at entry {self.first_broken}: {self.reason}"


def verify_entries(entries: Iterable[tuple[int, str, str | None, dt.date, str | None, str | None, str | None,
                                           Sequence[Sequence[Any]]]]) -> LedgerChainReport:
    """Entries in ``id`` order as ``(id, event_type, ref, at, key, prev_hash, hash, lines)``."""
    prev = GENESIS_HASH
    last_id = 0
    n = 0
    for entry_id, event_type, ref, at, key, prev_hash, digest, lines in entries:
        if prev_hash != prev:
            return LedgerChainReport(False, n, entry_id, "previous-hash link does not match the entry before "
                                     "(an entry was removed, inserted or reordered)", last_id, prev)
        if entry_hash(prev, event_type, ref, at, key, lines) != digest:
            return LedgerChainReport(False, n, entry_id, "content does not match its hash", last_id, prev)
        prev = str(digest)
        last_id = entry_id
        n += 1
    return LedgerChainReport(True, n, head_id=last_id, head_hash=prev)
