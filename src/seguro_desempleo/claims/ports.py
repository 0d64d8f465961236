"""What the claims service needs from the outside world, as Protocols.

The storage layer (issue 4: SQLAlchemy/Alembic) implements these; :mod:`.memory` has in-memory
versions for unit tests and examples. Everything crossing these ports is a small frozen
dataclass defined here or in the pure modules, never an ORM object. Workers are identified by an
opaque ``worker_ref`` (the registry's worker id), never by DNI; only :meth:`HistoryProvider.payee`
returns the document number, for the bank file.

Concurrency contract (issue 5, point 7):

- :meth:`ClaimRepository.save` is a compare-and-set on ``expected_version``
  (``UPDATE claims SET …, version = :new WHERE id = :id AND version = :expected``; zero rows →
  :class:`~seguro_desempleo.errors.ConflictError`).
- :meth:`ClaimRepository.add` refuses a second open claim for a worker (a partial unique index
  on ``worker_ref WHERE state IN open states`` → ConflictError).
- :meth:`PaymentStore.record` inserts with the unique idempotency key and returns ``False`` when
  the key already exists (``INSERT … ON CONFLICT DO NOTHING``), so two runs never pay twice.
- :meth:`LedgerPoster.post` is idempotent on ``entry.key``.
- :meth:`AuditSink.append` links the new record to the last one inside the same transaction
  (lock the last row, :func:`~seguro_desempleo.claims.audit.build_record`, insert).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Protocol

from seguro_desempleo.claims.appeals import Appeal
from seguro_desempleo.claims.audit import AuditRecord
from seguro_desempleo.claims.decision import StoredDecision
from seguro_desempleo.claims.state import ClaimState, ClaimStatus
from seguro_desempleo.payments.bank_file import PayMethod
from seguro_desempleo.payments.schedule import Payment
from seguro_desempleo.rules.evaluate import ContributionMonth


class SuspensionReason(StrEnum):
    REEMPLOYMENT = "reemployment"
    OBLIGATIONS = "obligations"


@dataclass(frozen=True)
class Claim:
    """A claim as the store keeps it (the state row plus what the decision fixed)."""

    id: str
    worker_ref: str
    filed_on: dt.date
    separation_date: dt.date
    status: ClaimStatus
    decision: StoredDecision | None = None
    decided_on: dt.date | None = None          # the notification is recorded on the issued act (claims.acts)
    first_period: int | None = None            # month index of installment 1
    reemployment_date: dt.date | None = None
    suspension_reason: SuspensionReason | None = None

    @property
    def state(self) -> ClaimState:
        return self.status.state

    @property
    def version(self) -> int:
        return self.status.version

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "worker_ref": self.worker_ref, "filed_on": self.filed_on.isoformat(),
                "separation_date": self.separation_date.isoformat(), "state": self.state.value,
                "version": self.version,
                "decided_on": self.decided_on.isoformat() if self.decided_on else None,
                "reemployment_date": self.reemployment_date.isoformat() if self.reemployment_date else None,
                "suspension_reason": self.suspension_reason.value if self.suspension_reason else None,
                "decision": self.decision.to_dict() if self.decision else None}


@dataclass(frozen=True)
class Separation:
    """The T-Registro end of the last employment (cause: SUNAT Tabla 17)."""

    date: dt.date
    termination_cause: str
    employer_ruc: str
    employer_size: str          # micro | small | medium | large
    sector: str = "private"
    contract_type: str = "01"


@dataclass(frozen=True)
class Payee:
    """How the bank pays a beneficiary (only for the bank file; never logged)."""

    doc_type: str
    doc_number: str
    name: str
    pay_method: PayMethod = PayMethod.WINDOW
    account: str = ""


class LedgerKind(StrEnum):
    BENEFIT_PAYMENT = "benefit_payment"                  # fund → beneficiary
    PAYMENT_RETURNED = "payment_returned"                # the bank gives the money back
    OVERPAYMENT_RECEIVABLE = "overpayment_receivable"    # paid after re-employment: owed to the fund


@dataclass(frozen=True)
class LedgerEntry:
    key: str                    # idempotency key: "<kind>:<payment key>"
    kind: LedgerKind
    claim_id: str
    amount: int                 # céntimos, positive
    period: int                 # month index the entry refers to
    on: dt.date
    memo: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


class ClaimRepository(Protocol):
    """Claims and appeals.

    Optional methods the service uses when a store has them (issue 25; the SQL repository has
    all, the in-memory one the first): ``claim_for_contingency(worker_ref, separation_date)`` —
    the claim of a contingency, any state; ``held_claims()`` — claims whose award awaits a
    second approval; ``flag_months(worker_ref, flags, at=…)`` — flagged declared months
    join the review queue (the queue itself is read with the history: ``HistoryProvider.month_reviews``); ``request_approval(claim_id, total=…,
    reasons=…, maker=…, at=…)`` / ``check_award(claim_id, approve, checker=…, at=…)`` —
    maker-checker.
    """

    def next_id(self) -> str: ...

    def add(self, claim: Claim) -> None:
        """Insert a new claim; ConflictError if the worker already has an open one."""
        ...

    def get(self, claim_id: str) -> Claim:
        """NotFoundError if unknown."""
        ...

    def open_claim_for(self, worker_ref: str) -> Claim | None: ...

    def save(self, claim: Claim, *, expected_version: int) -> None:
        """Replace the stored claim if its version is still *expected_version*, else ConflictError."""
        ...

    def in_states(self, states: Iterable[ClaimState]) -> list[Claim]: ...

    def add_appeal(self, appeal: Appeal) -> None: ...

    def get_appeal(self, appeal_id: str) -> Appeal: ...

    def save_appeal(self, appeal: Appeal) -> None: ...

    def appeals_for(self, claim_id: str) -> list[Appeal]: ...


class HistoryProvider(Protocol):
    """The registry, payroll and T-Registro as the claims service sees them (issue 4)."""

    def known_worker(self, worker_ref: str) -> bool: ...

    def last_separation(self, worker_ref: str, on_or_before: dt.date | None = None) -> Separation | None: ...

    def contributions(self, worker_ref: str, up_to_period: int) -> tuple[ContributionMonth, ...]:
        """Every month declared for the worker up to the month given, all employers summed."""
        ...

    def registered_with_employment_service(self, worker_ref: str, on: dt.date,
                                           since: dt.date | None = None) -> bool:
        """A registration dated on or before *on* (and on or after *since*, the separation: art. 7
        asks that the contingency be reported, so one made before the job loss does not count)."""
        ...

    def reemployment_start(self, worker_ref: str, after: dt.date) -> dt.date | None:
        """The first new employment after *after* (payroll declaration or T-Registro start)."""
        ...

    def payee(self, worker_ref: str) -> Payee: ...

    # Optional (read with getattr; a provider without it keeps no second jobs):
    # def kept_job(self, worker_ref: str, separation: dt.date) -> bool
    #     """Another job started on or before the separation and still held after it."""
    # Optional (read with getattr; a provider without it keeps no review queue: every month counts
    # unless flagged now):
    # def month_reviews(self, worker_ref: str) -> dict[int, str]
    #     """period -> status ('pending', 'accepted', 'rejected') of the worker's flagged months."""


class PaymentStore(Protocol):
    def record(self, payment: Payment) -> bool:
        """Store a payment; ``False`` (nothing written) if its key was already paid."""
        ...

    def payments(self, claim_id: str) -> list[Payment]: ...

    def remove(self, key: str) -> None:
        """Forget a payment the bank returned, so the installment becomes due again."""
        ...


class LedgerPoster(Protocol):
    def post(self, entry: LedgerEntry) -> bool:
        """Post once per ``entry.key``; ``False`` if it was already posted."""
        ...


class AuditSink(Protocol):
    def append(self, *, who: str, when: dt.datetime, action: str, entity: str, before: Any,
               after: Any) -> AuditRecord | None:
        """Add a record to the chain (the SQL sink links and writes it at commit and returns None)."""


class ControlsStore(Protocol):
    """Issue 25's money controls as staff see them (the review queue, the awards awaiting a second
    approval, the fund's alerts), over the caller's transaction (never commits). Implemented by
    :class:`seguro_desempleo.storage.money_safety.SqlControlsStore`, handed out by the unit of
    work (``uow.controls``); used through :mod:`seguro_desempleo.services.controls`."""

    def available_cash(self) -> int:
        """The bank account's balance (céntimos), locked until the transaction ends where it can be."""
        ...

    def record_fund_alert(self, *, period: int, run_date: dt.date, available: int, due: int, shortfall: int,
                          unpaid: int, raised_by: str, raised_at: str) -> None: ...

    def fund_alerts(self, *, limit: int = 20) -> list[dict[str, Any]]:
        """The latest alerts, newest first."""
        ...

    def review_queue(self, *, status: str = "pending", limit: int = 200) -> list[dict[str, Any]]:
        """Flagged declared months in *status*, oldest flag first."""
        ...

    def review_month(self, review_id: int, accept: bool, *, reviewer: str, at: str) -> dict[str, Any]:
        """Accept or reject a pending flagged month; the row as it now stands."""
        ...

    def approval_queue(self, *, limit: int = 200) -> list[dict[str, Any]]:
        """Awards awaiting a second staff member, oldest request first."""
        ...


class BooksStore(Protocol):
    """What the books verifier (:mod:`seguro_desempleo.claims.books`) and the bank file written
    again (:func:`seguro_desempleo.payments.files.rebuild`) read, over the caller's transaction.
    Implemented by :class:`seguro_desempleo.storage.books_sql.SqlBooksStore` (``uow.books``)."""

    def audit_records(self) -> Iterable[AuditRecord]:
        """Every audit record in chain order."""
        ...

    def claim_states(self) -> dict[str, tuple[str, int]]:
        """Each claim's ``(state, version)`` by id."""
        ...

    def payment_rows(self) -> list[tuple[str, str, int, int, int]]:
        """Each benefit payment as ``(key, claim_id, number, period, amount)``."""
        ...

    def audit_hash(self, seq: int) -> str | None: ...

    def ledger_hash(self, entry_id: int) -> str | None: ...

    def booked_payments(self, period: int, on: dt.date) -> list[tuple[str, int, str, str, str]]:
        """``(key, amount, doc_type, doc_number, payee)`` of the payments booked on *on*."""
        ...
