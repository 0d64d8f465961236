"""Books that reveal tampering (issue 25): the audit chain, the ledger chain, the money rows
checked against the chain, and both heads anchored outside the database.

- The audit log is hash-chained (:mod:`.audit`), the ledger entries too
  (:mod:`seguro_desempleo.domain.ledger_chain`): an edit, removal, insertion or reordering
  breaks a link.
- Every claim state change and every benefit payment is in the chained audit log with the
  fields that carry money: each claim's state and version, each payment's claim, number,
  period and amount. :func:`verify_books` replays the log and compares every ``claim`` and
  ``benefit_payment`` row with it: a row edited, added or removed behind the log's back no longer
  matches the record that was hashed.
- Removing the *last* records keeps a chain consistent, so its head is anchored outside the
  database: ``audit checkpoint --file F`` writes the two heads (seq / entry id and hash) to a
  file the board keeps (or copies elsewhere); ``audit verify --checkpoint F`` checks that both
  heads are still in the chains, with the same hashes. The heads are also printed by every
  ``audit verify`` for the board's minutes.

The rows are read through the unit of work's :class:`~seguro_desempleo.claims.ports.BooksStore`
(``uow.books``, in storage); the replay and the comparisons here are pure (decision 0397).
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from seguro_desempleo.claims.audit import AuditRecord, ChainReport, verify_chain
from seguro_desempleo.domain.ledger_chain import LedgerChainReport, verify_entries
from seguro_desempleo.errors import ConflictError, InputError

CHECKPOINT_KIND = "seguro_desempleo.books_checkpoint/1"


@dataclass(frozen=True)
class Checkpoint:
    audit_seq: int
    audit_hash: str
    ledger_id: int
    ledger_hash: str
    written_at: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"kind": CHECKPOINT_KIND, "audit": {"seq": self.audit_seq, "hash": self.audit_hash},
                "ledger": {"entry_id": self.ledger_id, "hash": self.ledger_hash}, "written_at": self.written_at}

    @classmethod
    def load(cls, path: Path) -> Checkpoint:
        try:
            d = json.loads(Path(path).read_text(encoding="utf-8"))
            if d.get("kind") != CHECKPOINT_KIND:
                raise ValueError("not a checkpoint file")
            return cls(int(d["audit"]["seq"]), str(d["audit"]["hash"]), int(d["ledger"]["entry_id"]),
                       str(d["ledger"]["hash"]), str(d.get("written_at", "")))
        except FileNotFoundError:
            raise InputError("the checkpoint file does not exist", field="--checkpoint") from None
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            raise InputError("the checkpoint file cannot be read (not a checkpoint written by "
                             "'audit checkpoint')", field="--checkpoint") from None


@dataclass
class BooksReport:
    audit: ChainReport
    ledger: LedgerChainReport
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.audit.ok and self.ledger.ok and not self.problems

    def heads(self) -> Checkpoint:
        return Checkpoint(self.audit.head_seq, self.audit.head_hash, self.ledger.head_id, self.ledger.head_hash)

    def lines(self) -> list[str]:
        out = [self.audit.one_line(), self.ledger.one_line()]
        out.extend(self.problems[:20])
        if len(self.problems) > 20:
            out.append(f"... and {len(self.problems) - 20} more")
        h = self.heads()
        out.append(f"heads: audit seq {h.audit_seq} {h.audit_hash}; ledger entry {h.ledger_id} {h.ledger_hash}")
        return out

    def as_dict(self) -> dict[str, Any]:
        return {"ok": self.ok, "audit": {"ok": self.audit.ok, "checked": self.audit.checked,
                                         "first_broken": self.audit.first_broken, "reason": self.audit.reason},
                "ledger": {"ok": self.ledger.ok, "checked": self.ledger.checked,
                           "first_broken": self.ledger.first_broken, "reason": self.ledger.reason},
                "problems": self.problems, "heads": self.heads().to_dict()}


class _Replay:
    """What the audit log says the claim and payment rows hold."""

    def __init__(self) -> None:
        self.claims: dict[str, dict[str, Any]] = {}
        self.payments: dict[str, tuple[str, int, str, int]] = {}     # key -> (claim, number, period, amount)

    def feed(self, rec: AuditRecord) -> None:
        kind, _, ident = rec.entity.partition(":")
        after = rec.after if isinstance(rec.after, dict) else {}
        if kind == "claim":
            seen = self.claims.setdefault(ident, {})
            if "state" in after:
                seen["state"] = after["state"]
            if "version" in after:
                seen["version"] = after["version"]
            for p in after.get("payments") or ():
                if isinstance(p, dict) and "key" in p:
                    self.payments[str(p["key"])] = (ident, int(p["number"]), str(p["period"]), int(p["amount"]))
        elif kind == "payment":
            if rec.action == "payment.pay":
                claim_id, _, number = ident.partition("#")
                self.payments[ident] = (claim_id, int(number or 0), str(after.get("period")),
                                        int(after.get("amount", -1)))
            elif rec.action == "payment.returned":
                self.payments.pop(ident, None)


def _audited(records: Iterable[AuditRecord], replay: _Replay) -> Iterable[AuditRecord]:
    for rec in records:
        replay.feed(rec)
        yield rec


def verify_books(uow: Any, checkpoint: Checkpoint | None = None) -> BooksReport:
    """Both chains, the claim and payment rows against the audit log, and (if given) the heads
    of an earlier checkpoint. Names claims and payments by their ids, never a person."""
    from seguro_desempleo.periods import format_period

    books = uow.books
    replay = _Replay()
    audit = verify_chain(_audited(books.audit_records(), replay))
    ledger = verify_entries(uow.ledger.chained_entries())
    problems: list[str] = []
    if audit.ok:       # a broken log says nothing reliable about the rows
        rows = books.claim_states()
        for cid, (state, version) in sorted(rows.items()):
            seen = replay.claims.get(cid)
            if seen is None:
                problems.append(f"claim {cid}: no record of it in the audit log")
            elif seen.get("state") != state or seen.get("version") != version:
                problems.append(f"claim {cid}: row says {state} v{version}, the audit log "
                                f"{seen.get('state')} v{seen.get('version')}")
        for cid in sorted(set(replay.claims) - set(rows)):
            problems.append(f"claim {cid}: in the audit log but not in the claims table")
        pays = {k: (c, n, format_period(p), a) for k, c, n, p, a in books.payment_rows()}
        for key, row in sorted(pays.items()):
            want = replay.payments.get(key)
            if want is None:
                problems.append(f"payment {key}: no record of it in the audit log")
            elif want != row:
                problems.append(f"payment {key}: row says {row[2]} {row[3]} céntimos, the audit log "
                                f"{want[2]} {want[3]} céntimos")
        for key in sorted(set(replay.payments) - set(pays)):
            problems.append(f"payment {key}: in the audit log but missing from the payments table")
    if checkpoint is not None:
        problems.extend(_against(uow, checkpoint, audit, ledger))
    return BooksReport(audit, ledger, problems)


def _against(uow: Any, cp: Checkpoint, audit: ChainReport, ledger: LedgerChainReport) -> list[str]:
    out = []
    if cp.audit_seq:
        out.extend(_missing("audit record seq", cp.audit_seq, uow.books.audit_hash(cp.audit_seq), cp.audit_hash,
                            f"the log ends at seq {audit.head_seq if audit.ok else '?'}", "records"))
    if cp.ledger_id:
        out.extend(_missing("ledger entry", cp.ledger_id, uow.books.ledger_hash(cp.ledger_id), cp.ledger_hash,
                            f"the books end at entry {ledger.head_id if ledger.ok else '?'}", "entries"))
    return out


def _missing(what: str, key: int, got: str | None, expected: str, end: str, items: str) -> list[str]:
    """The checkpoint's problem with one record: gone, or no longer with the checkpoint's hash."""
    if got is None:
        return [f"checkpoint: {what} {key} is gone ({end}): {items} were removed"]
    if got != expected:
        return [f"checkpoint: {what} {key} does not have the checkpoint's hash"]
    return []


def write_checkpoint(uow: Any, path: Path) -> Checkpoint:
    """Verify the books (against the file's earlier checkpoint, if there is one) and write the
    heads to *path* (replaced atomically, readable by its owner only). Refuses if anything is off:
    a checkpoint must never bless tampered books."""
    path = Path(path)
    earlier = Checkpoint.load(path) if path.exists() else None
    report = verify_books(uow, earlier)
    if not report.ok:
        raise ConflictError("the books do not verify; no checkpoint written: " + "; ".join(report.lines()[:3]))
    heads = report.heads()
    cp = Checkpoint(heads.audit_seq, heads.audit_hash, heads.ledger_id, heads.ledger_hash,
                    dt.datetime.now(dt.UTC).isoformat(timespec="seconds"))
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(json.dumps(cp.to_dict(), indent=2) + "\n")
    os.replace(tmp, path)
    return cp
