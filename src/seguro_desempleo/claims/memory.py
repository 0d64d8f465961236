"""In-memory implementations of the claims ports (unit tests, examples, a storage reference)."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from seguro_desempleo.claims.appeals import Appeal
from seguro_desempleo.claims.audit import AuditRecord, build_record
from seguro_desempleo.claims.ports import Claim, LedgerEntry, Payee, Separation
from seguro_desempleo.claims.state import OPEN_STATES, ClaimState
from seguro_desempleo.errors import ConflictError, NotFoundError
from seguro_desempleo.payments.schedule import Payment
from seguro_desempleo.rules.evaluate import ContributionMonth


class InMemoryClaimRepository:
    def __init__(self) -> None:
        self._claims: dict[str, Claim] = {}
        self._open: dict[str, str] = {}          # worker_ref → open claim id
        self._appeals: dict[str, Appeal] = {}
        self._ids = itertools.count(1)

    def next_id(self) -> str:
        return f"C-{next(self._ids):06d}"

    def add(self, claim: Claim) -> None:
        if claim.id in self._claims:
            raise ConflictError(f"claim {claim.id} already exists")
        current = self.open_claim_for(claim.worker_ref)
        if current is not None:
            raise ConflictError(f"the worker already has an open claim {current.id} "
                                f"({current.state.value}); one open claim per worker")
        self._claims[claim.id] = claim
        self._index(claim)

    def _index(self, claim: Claim) -> None:
        if claim.state in OPEN_STATES:
            self._open[claim.worker_ref] = claim.id
        elif self._open.get(claim.worker_ref) == claim.id:
            del self._open[claim.worker_ref]

    def get(self, claim_id: str) -> Claim:
        try:
            return self._claims[claim_id]
        except KeyError:
            raise NotFoundError(f"no claim '{claim_id}'", field="claim_id") from None

    def open_claim_for(self, worker_ref: str) -> Claim | None:
        cid = self._open.get(worker_ref)
        return self._claims[cid] if cid is not None else None

    def claim_for_contingency(self, worker_ref: str, separation_date: dt.date) -> Claim | None:
        found = sorted((c for c in self._claims.values()
                        if c.worker_ref == worker_ref and c.separation_date == separation_date),
                       key=lambda c: (c.state is ClaimState.DENIED, c.id))
        return found[0] if found else None

    def save(self, claim: Claim, *, expected_version: int) -> None:
        stored = self.get(claim.id)
        if stored.version != expected_version:
            raise ConflictError(f"claim changed meanwhile (version {stored.version}, expected "
                                f"{expected_version}); reload it and try again", where=f"claim {claim.id}")
        self._claims[claim.id] = claim
        self._index(claim)

    def in_states(self, states: Iterable[ClaimState]) -> list[Claim]:
        wanted = set(states)
        return [c for c in self._claims.values() if c.state in wanted]

    def add_appeal(self, appeal: Appeal) -> None:
        self._appeals[appeal.id] = appeal

    def get_appeal(self, appeal_id: str) -> Appeal:
        try:
            return self._appeals[appeal_id]
        except KeyError:
            raise NotFoundError(f"no appeal '{appeal_id}'", field="appeal_id") from None

    def save_appeal(self, appeal: Appeal) -> None:
        self.get_appeal(appeal.id)
        self._appeals[appeal.id] = appeal

    def appeals_for(self, claim_id: str) -> list[Appeal]:
        return [a for a in self._appeals.values() if a.claim_id == claim_id]


@dataclass
class WorkerHistory:
    separation: Separation | None = None
    contributions: list[ContributionMonth] = field(default_factory=list)
    registered: bool = True
    reemployment: dt.date | None = None
    payee: Payee | None = None
    kept_job: bool = False          # another job still held after the separation (issue 26 item 3)


class InMemoryHistory:
    """Worker histories keyed by worker_ref; tests edit ``workers`` directly."""

    def __init__(self) -> None:
        self.workers: dict[str, WorkerHistory] = {}

    def known_worker(self, worker_ref: str) -> bool:
        return worker_ref in self.workers

    def last_separation(self, worker_ref: str, on_or_before: dt.date | None = None) -> Separation | None:
        sep = self.workers[worker_ref].separation
        if sep is None or (on_or_before is not None and sep.date > on_or_before):
            return None
        return sep

    def contributions(self, worker_ref: str, up_to_period: int) -> tuple[ContributionMonth, ...]:
        return tuple(m for m in self.workers[worker_ref].contributions if m.period <= up_to_period)

    def registered_with_employment_service(self, worker_ref: str, on: dt.date,
                                           since: dt.date | None = None) -> bool:
        return self.workers[worker_ref].registered

    def reemployment_start(self, worker_ref: str, after: dt.date) -> dt.date | None:
        r = self.workers[worker_ref].reemployment
        return r if r is not None and r > after else None

    def kept_job(self, worker_ref: str, separation: dt.date) -> bool:
        return self.workers[worker_ref].kept_job

    def payee(self, worker_ref: str) -> Payee:
        p = self.workers[worker_ref].payee
        return p if p is not None else Payee("01", "00000000", f"BENEFICIARIO {worker_ref}")


class InMemoryPaymentStore:
    def __init__(self) -> None:
        self._by_key: dict[str, Payment] = {}
        self._by_claim: dict[str, dict[str, Payment]] = {}

    def record(self, payment: Payment) -> bool:
        if payment.key in self._by_key:
            return False
        self._by_key[payment.key] = payment
        self._by_claim.setdefault(payment.claim_id, {})[payment.key] = payment
        return True

    def payments(self, claim_id: str) -> list[Payment]:
        return sorted(self._by_claim.get(claim_id, {}).values(), key=lambda p: p.number)

    def remove(self, key: str) -> None:
        p = self._by_key.pop(key, None)
        if p is not None:
            self._by_claim[p.claim_id].pop(key, None)

    def all(self) -> list[Payment]:
        return list(self._by_key.values())


class InMemoryLedger:
    def __init__(self) -> None:
        self.entries: list[LedgerEntry] = []
        self._keys: set[str] = set()

    def post(self, entry: LedgerEntry) -> bool:
        if entry.key in self._keys:
            return False
        self._keys.add(entry.key)
        self.entries.append(entry)
        return True

    def balance(self, kind: str) -> int:
        return sum(e.amount for e in self.entries if e.kind == kind)


class InMemoryAuditSink:
    def __init__(self) -> None:
        self.records: list[AuditRecord] = []

    def append(self, *, who: str, when: dt.datetime, action: str, entity: str, before: Any,
               after: Any) -> AuditRecord:
        rec = build_record(self.records[-1] if self.records else None, who=who, when=when, action=action,
                           entity=entity, before=before, after=after)
        self.records.append(rec)
        return rec

