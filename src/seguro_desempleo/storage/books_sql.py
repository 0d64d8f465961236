"""The reads of the books verifier and of the bank file written again (issue 25), in storage.

:class:`SqlBooksStore` implements :class:`seguro_desempleo.claims.ports.BooksStore` over the unit
of work's session (``uow.books``): the audit log in chain order, the claim and benefit-payment
rows the verifier compares with it, the hashes at a checkpoint's heads, and the benefit payments
booked on a day with their payee. The replay and the comparisons stay pure in
:mod:`seguro_desempleo.claims.books` and :mod:`seguro_desempleo.payments.files` (decision 0397).
Same statements as before the move; bound parameters only.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from sqlalchemy import Integer, cast, select
from sqlalchemy.orm import Session

from seguro_desempleo.claims.audit import AuditRecord
from seguro_desempleo.storage.claims_models import AuditLogRow, BenefitPaymentRow, ClaimRow
from seguro_desempleo.storage.claims_repositories import SqlAuditSink
from seguro_desempleo.storage.claims_sql import payee_name
from seguro_desempleo.storage.models import LedgerEntryRow, WorkerRow


class SqlBooksStore:
    def __init__(self, session: Session) -> None:
        self.session = session

    def audit_records(self) -> Iterator[AuditRecord]:
        """Every audit record in chain order."""
        return SqlAuditSink(self.session).records()

    def claim_states(self) -> dict[str, tuple[str, int]]:
        """Each claim's ``(state, version)`` by id."""
        return {str(i): (str(s), int(v)) for i, s, v in
                self.session.execute(select(ClaimRow.id, ClaimRow.state, ClaimRow.version))}

    def payment_rows(self) -> list[tuple[str, str, int, int, int]]:
        """Each benefit payment as ``(key, claim_id, number, period, amount)``."""
        return [(str(k), str(c), int(n), int(p), int(a)) for k, c, n, p, a in self.session.execute(
            select(BenefitPaymentRow.key, BenefitPaymentRow.claim_id, BenefitPaymentRow.number,
                   BenefitPaymentRow.period, BenefitPaymentRow.amount))]

    def audit_hash(self, seq: int) -> str | None:
        return self.session.scalar(select(AuditLogRow.hash).where(AuditLogRow.seq == seq))

    def ledger_hash(self, entry_id: int) -> str | None:
        return self.session.scalar(select(LedgerEntryRow.hash).where(LedgerEntryRow.id == entry_id))

    def booked_payments(self, period: int, on: dt.date) -> list[tuple[str, int, str, str, str]]:
        """The benefit payments booked on *on* for months up to *period*, in the run's order, as
        ``(key, amount, doc_type, doc_number, payee)`` with the payee read from the registry as the
        run does (an unregistered document is written ``01`` / ``00000000``)."""
        P, C, W = BenefitPaymentRow, ClaimRow, WorkerRow
        rows = self.session.execute(
            select(P.key, P.amount, C.worker_ref, W.doc_type, W.doc_number, W.full_name)
            .join(C, C.id == P.claim_id)
            .outerjoin(W, W.id == cast(C.worker_ref, Integer))
            .where(P.paid_on == on, P.period <= period)
            .order_by(P.claim_id, P.number)).all()
        return [(key, int(amount), dtp or "01", dno or "00000000", payee_name(name, ref))
                for key, amount, ref, dtp, dno, name in rows]
