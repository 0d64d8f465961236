"""Posting to the fund's ledger and reading it back (balances, trial balance, replay check).

:func:`post` is the one way to write the books: every business event (a declaration, an employer
payment, a benefit decided or paid, an administrative cost, investment income, the art. 9
transfer) posts one balanced entry inside the caller's unit of work. Entries are never edited; a
correction is a new entry (the tables refuse UPDATE and DELETE).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from seguro_desempleo.domain.ledger import ACCOUNTS, CHART, balance_of, check_lines, replay
from seguro_desempleo.errors import ConflictError, InputError


class _HasLedger(Protocol):
    ledger: Any


def post(uow: _HasLedger, event_type: str, lines: Iterable[Sequence[object]], *, ref: str | None = None,
         at: dt.date | None = None) -> int:
    """Post one balanced entry; returns its id. Lines are ``(account, debit_cents, credit_cents)``.

    Raises :class:`InputError` for an unknown account, a float or negative amount, a line with both
    sides, or debits ≠ credits. Zero lines are dropped.
    """
    if not event_type or len(event_type) > 60:
        raise InputError("event type must be 1-60 characters", field="event_type")
    checked = check_lines(lines)
    return int(uow.ledger.add_entry(event_type, checked, ref, at or dt.date.today()))


def post_many(uow: _HasLedger, event_type: str, entries: Iterable[tuple[Iterable[Sequence[object]], str | None]],
              *, at: dt.date | None = None) -> list[int]:
    """Post many balanced entries of one event (each ``(lines, ref)``) at once; each is checked
    as :func:`post` checks one (nothing is written if any is refused). Returns their ids."""
    if not event_type or len(event_type) > 60:
        raise InputError("event type must be 1-60 characters", field="event_type")
    checked = [(check_lines(lines), ref) for lines, ref in entries]
    return [int(i) for i in uow.ledger.add_entries(event_type, checked, at or dt.date.today())]


def post_once(uow: _HasLedger, key: str, event_type: str, lines: Iterable[Sequence[object]], *,
              ref: str | None = None, at: dt.date | None = None) -> int | None:
    """Post an entry at most once per idempotency *key*; ``None`` when the key was already posted.

    For events that may be replayed (a monthly payment run, a bank return file): the key is
    unique in ``ledger_entry.idempotency_key``.
    """
    if not key or len(key) > 120:
        raise InputError("idempotency key must be 1-120 characters", field="key")
    if uow.ledger.entry_id_for_key(key) is not None:
        return None
    if not event_type or len(event_type) > 60:
        raise InputError("event type must be 1-60 characters", field="event_type")
    checked = check_lines(lines)
    return int(uow.ledger.add_entry(event_type, checked, ref, at or dt.date.today(), key))


@dataclass(frozen=True)
class AccountBalance:
    code: str
    name: str
    label: str
    kind: str
    debit: int
    credit: int

    @property
    def balance(self) -> int:
        return balance_of(self.code, self.debit, self.credit)

    def as_dict(self) -> dict[str, object]:
        from seguro_desempleo.money import cents_to_str

        return {"account": self.code, "name": self.name, "label": self.label, "kind": self.kind,
                "debit": cents_to_str(self.debit), "credit": cents_to_str(self.credit),
                "balance": cents_to_str(self.balance)}


def balances(uow: _HasLedger, *, until: dt.date | None = None) -> list[AccountBalance]:
    """Every account with its debit and credit totals (maintained totals, or recomputed up to *until*)."""
    totals = uow.ledger.totals() if until is None else uow.ledger.totals_from_lines(until)
    return [AccountBalance(a.code, a.name, a.label, a.kind, *totals.get(a.code, (0, 0))) for a in CHART]


@dataclass(frozen=True)
class TrialBalance:
    accounts: list[AccountBalance]

    @property
    def total_debit(self) -> int:
        return sum(a.debit for a in self.accounts)

    @property
    def total_credit(self) -> int:
        return sum(a.credit for a in self.accounts)

    @property
    def balanced(self) -> bool:
        return self.total_debit == self.total_credit


def trial_balance(uow: _HasLedger, *, until: dt.date | None = None) -> TrialBalance:
    return TrialBalance(balances(uow, until=until))


def verify(uow: _HasLedger) -> dict[str, tuple[int, int]]:
    """Check the entries' hash chain, replay every entry and check it rebuilds the maintained
    totals; raises ConflictError if not (an entry edited together with the totals breaks the chain)."""
    from seguro_desempleo.domain.ledger_chain import verify_entries

    chain = verify_entries(uow.ledger.chained_entries())
    if not chain.ok:
        raise ConflictError(chain.one_line())
    entries = uow.ledger.entries()
    for entry_id, _event, _ref, _at, lines in entries:
        if sum(d for _, d, _ in lines) != sum(c for _, _, c in lines):
            raise ConflictError(f"ledger entry {entry_id} does not balance")
    rebuilt = replay(lines for *_, lines in entries)
    maintained = {k: v for k, v in uow.ledger.totals().items() if v != (0, 0)}
    if rebuilt != maintained:
        diff = sorted(set(rebuilt.items()) ^ set(maintained.items()))
        raise ConflictError(f"ledger totals differ from the replay of the entries: {diff[:4]}")
    return rebuilt


__all__ = ["ACCOUNTS", "AccountBalance", "TrialBalance", "balances", "post", "post_once", "trial_balance", "verify"]
