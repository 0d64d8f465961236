"""The books verifier and the bank file written again over the ``BooksStore`` port, without a
database (decision 0397): the replay and the comparisons are pure; storage only reads the rows.
The SQL side is covered end to end by tests/adversarial/test_b_tamper.py and test_b_files.py."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import pytest

from seguro_desempleo.claims.audit import AuditRecord, build_record
from seguro_desempleo.claims.books import Checkpoint, verify_books
from seguro_desempleo.domain.ledger_chain import GENESIS_HASH
from seguro_desempleo.errors import InputError
from seguro_desempleo.payments.files import rebuild
from seguro_desempleo.periods import parse_period

AUG = parse_period("2025-08")
WHEN = dt.datetime(2025, 8, 25, 12, tzinfo=dt.UTC)


def _log() -> list[AuditRecord]:
    one = build_record(None, who="caseworker:1", when=WHEN, action="claim.decide", entity="claim:C-000001",
                       after={"state": "approved", "version": 2})
    two = build_record(one, who="run", when=WHEN, action="payment.pay", entity="payment:C-000001#1",
                       after={"period": "2025-08", "amount": 299000})
    return [one, two]


@dataclass
class FakeBooks:
    records: list[AuditRecord] = field(default_factory=_log)
    claims: dict[str, tuple[str, int]] = field(default_factory=lambda: {"C-000001": ("approved", 2)})
    payments: list[tuple[str, str, int, int, int]] = field(
        default_factory=lambda: [("C-000001#1", "C-000001", 1, AUG, 299000)])
    booked: list[tuple[str, int, str, str, str]] = field(default_factory=list)

    def audit_records(self) -> list[AuditRecord]:
        return list(self.records)

    def claim_states(self) -> dict[str, tuple[str, int]]:
        return dict(self.claims)

    def payment_rows(self) -> list[tuple[str, str, int, int, int]]:
        return list(self.payments)

    def audit_hash(self, seq: int) -> str | None:
        return next((r.hash for r in self.records if r.seq == seq), None)

    def ledger_hash(self, entry_id: int) -> str | None:
        return None

    def booked_payments(self, period: int, on: dt.date) -> list[tuple[str, int, str, str, str]]:
        return list(self.booked)


@dataclass
class FakeLedger:
    def chained_entries(self) -> list[Any]:
        return []


@dataclass
class FakeUow:
    books: FakeBooks = field(default_factory=FakeBooks)
    ledger: FakeLedger = field(default_factory=FakeLedger)


def test_untouched_rows_verify() -> None:
    report = verify_books(FakeUow())
    assert report.ok, report.lines()
    assert report.heads().audit_seq == 2 and report.heads().ledger_hash == GENESIS_HASH


def test_a_payment_row_edited_behind_the_log_is_named() -> None:
    uow = FakeUow(FakeBooks(payments=[("C-000001#1", "C-000001", 1, AUG, 2990000)]))
    report = verify_books(uow)
    assert not report.ok
    assert report.problems == ["payment C-000001#1: row says 2025-08 2990000 céntimos, the audit log "
                               "2025-08 299000 céntimos"]


def test_a_removed_last_record_is_caught_by_the_checkpoint() -> None:
    full = FakeUow()
    cp = verify_books(full).heads()
    cut = FakeUow(FakeBooks(records=_log()[:1], payments=[]))
    report = verify_books(cut, Checkpoint(cp.audit_seq, cp.audit_hash, 0, GENESIS_HASH))
    assert not report.ok
    assert any("audit record seq 2 is gone" in p for p in report.problems)


def test_rebuild_writes_the_booked_rows_in_order() -> None:
    books = FakeBooks(booked=[("C-000001#1", 299000, "01", "12345678", "ASEGURADO 7"),
                              ("C-000002#1", 150000, "04", "000123456", "Peña Quispe, José")])
    pf = rebuild(books, AUG, dt.date(2025, 8, 25), 2)
    assert [(ln.payment_key, ln.doc_type, ln.doc_number, ln.beneficiary, ln.amount) for ln in pf.lines] == [
        ("C-000001#1", "01", "12345678", "ASEGURADO 7", 299000),
        ("C-000002#1", "04", "000123456", "Peña Quispe, José", 150000)]
    assert pf.total == 449000 and pf.sequence == 2 and pf.period == AUG


def test_rebuild_with_nothing_booked_names_the_date() -> None:
    with pytest.raises(InputError) as err:
        rebuild(FakeBooks(), AUG, dt.date(2025, 8, 26))
    assert err.value.field == "--date" and "2025-08-26" in str(err.value)
