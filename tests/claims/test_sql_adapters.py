"""The claims service on the real storage for history and ledger (SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import sqlalchemy as sa

from seguro_desempleo.bootstrap import import_files
from seguro_desempleo.claims.memory import (
    InMemoryAuditSink,
    InMemoryClaimRepository,
    InMemoryPaymentStore,
)
from seguro_desempleo.claims.ports import LedgerEntry, LedgerKind
from seguro_desempleo.claims.service import ClaimService
from seguro_desempleo.claims.state import ClaimState
from seguro_desempleo.domain.ledger import Accounts
from seguro_desempleo.domain.registry import Employer, EmploymentPeriod
from seguro_desempleo.employment_service.adapter import InMemoryEmploymentService
from seguro_desempleo.errors import InputError
from seguro_desempleo.parameters import default_parameters
from seguro_desempleo.periods import parse_period
from seguro_desempleo.services.ledger import balances
from seguro_desempleo.storage.claims_sql import SqlHistoryProvider, SqlLedgerPoster
from seguro_desempleo.storage.history import worker_ids_by_document
from seguro_desempleo.storage.uow import SqlUnitOfWork
from tests.claims.funding import fund
from tests.claims.registration_helpers import register_all_workers
from tests.payroll.helpers import dni, make_ruc, write_csv

SEP = dt.date(2025, 3, 10)


def _seed(engine: sa.Engine, tmp_path: Path) -> str:
    r1, r2 = make_ruc(31), make_ruc(32)
    rows = [(r1, f"{y}-{m:02d}", "01", dni(5), "0121", "3000.00", "3000.00")
            for y in (2023, 2024, 2025) for m in range(1, 13) if (y, m) <= (2025, 3)]
    rows.append((r2, "2025-07", "01", dni(5), "0121", "2500.00", "2500.00"))   # a new employer in July
    f = write_csv(tmp_path / "pay.csv", rows)
    with SqlUnitOfWork(engine) as uow:
        import_files([f], uow=uow, today=dt.date(2025, 8, 20))
        e1 = uow.employers.upsert(Employer(r1, "Textil SAC", size_class="large"))
        wid = worker_ids_by_document(uow.session, [("01", dni(5))])[("01", dni(5))]
        assert e1.id is not None
        uow.periods.upsert(EmploymentPeriod(e1.id, wid, dt.date(2020, 1, 1), SEP, "01", "03"))
        register_all_workers(uow.session)
        uow.commit()
    return str(wid)


def test_claim_decided_and_paid_from_stored_history(engine: sa.Engine, tmp_path: Path) -> None:
    ref = _seed(engine, tmp_path)
    repo, pay, audit = InMemoryClaimRepository(), InMemoryPaymentStore(), InMemoryAuditSink()
    with SqlUnitOfWork(engine) as uow:
        hist = SqlHistoryProvider(uow)
        assert hist.known_worker(ref) and not hist.known_worker("999999")
        with pytest.raises(InputError, match="worker_id"):      # issue 25: one strict parser, 422
            hist.known_worker("x")
        sep = hist.last_separation(ref)
        assert sep is not None and sep.date == SEP and sep.employer_size == "large"
        assert hist.reemployment_start(ref, SEP) == dt.date(2025, 7, 1)
        svc = ClaimService(claims=repo, history=hist, payments=pay, ledger=SqlLedgerPoster(uow), audit=audit,
                           employment=InMemoryEmploymentService(), params=default_parameters())
        c = svc.file_claim(ref, dt.date(2025, 3, 20), actor="worker")
        c = svc.decide(c.id, dt.date(2025, 3, 21), actor="cw")
        assert c.state is ClaimState.APPROVED and c.decision is not None
        fund(uow)                              # issue 25: a run pays only what the fund holds
        run = svc.run_payments(parse_period("2025-08"), dt.date(2025, 8, 25), actor="system")
        # Benefit months from 18/03 (the day after the waiting period): 1–3 in full; month 4
        # (18/06–17/07) for its 13 days before the re-employment on 01/07 (55 % × 3000 × 13/30 =
        # 715.00, issue 26 item 2); month 5 is cancelled.
        assert [(p.number, p.amount) for p in run.paid] == [(1, 210000), (2, 195000), (3, 180000), (4, 71500)]
        assert repo.get(c.id).state is ClaimState.CLOSED
        again = svc.run_payments(parse_period("2025-08"), dt.date(2025, 8, 25), actor="system")
        assert again.paid == ()
        uow.commit()
    with SqlUnitOfWork(engine) as uow:
        expense = next(b for b in balances(uow) if b.code == Accounts.BENEFITS_EXPENSE)
        assert expense.balance == sum(p.amount for p in run.paid) == 210000 + 195000 + 180000 + 71500
        poster = SqlLedgerPoster(uow)
        assert not poster.post(LedgerEntry(f"benefit_payment:{c.id}#1:2025-08-25", LedgerKind.BENEFIT_PAYMENT, c.id,
                                           210000, parse_period("2025-04"), dt.date(2025, 8, 25)))
