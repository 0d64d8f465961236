"""The claims service fully on the database (claims, payments, audit, employment service)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import sqlalchemy as sa

from seguro_desempleo.bootstrap import import_files
from seguro_desempleo.claims.appeals import AppealKind
from seguro_desempleo.claims.state import ClaimState
from seguro_desempleo.domain.registry import Employer, EmploymentPeriod
from seguro_desempleo.employment_service.obligations import Outcome
from seguro_desempleo.errors import ConflictError
from seguro_desempleo.payments.schedule import Payment
from seguro_desempleo.periods import parse_period
from seguro_desempleo.services.claims_app import claims_context, verify_audit
from seguro_desempleo.storage.history import worker_ids_by_document
from seguro_desempleo.storage.uow import SqlUnitOfWork
from tests.claims.funding import fund
from tests.claims.registration_helpers import register_all_workers
from tests.payroll.helpers import dni, make_ruc, write_csv

SEP = dt.date(2025, 3, 10)


def file_and_decide(engine: sa.Engine, ref: str, claim_day: dt.date = dt.date(2025, 3, 20),
                    decide_day: dt.date = dt.date(2025, 3, 21)) -> str:
    """File a claim for *ref* and decide it, one committed unit of work each (as the API does)."""
    with SqlUnitOfWork(engine) as uow:
        cid = claims_context(uow).service.file_claim(ref, claim_day, actor="worker").id
        uow.commit()
    with SqlUnitOfWork(engine) as uow:
        claims_context(uow).service.decide(cid, decide_day, actor="caseworker")
        uow.commit()
    return cid


def seed_worker(engine: sa.Engine, tmp_path: Path, n: int = 5, *, cause: str = "03",
                reemployed: bool = True, funded: bool = True) -> str:
    """A worker with 27 months of pay and a separation on SEP; *funded*: S/ 100,000 more in the
    fund's bank account (issue 25: a payment run never pays beyond it)."""
    r1, r2 = make_ruc(30 + n), make_ruc(60 + n)
    rows = [(r1, f"{y}-{m:02d}", "01", dni(n), "0121", "3000.00", "3000.00")
            for y in (2023, 2024, 2025) for m in range(1, 13) if (y, m) <= (2025, 3)]
    if reemployed:
        rows.append((r2, "2025-07", "01", dni(n), "0121", "2500.00", "2500.00"))
    f = write_csv(tmp_path / f"pay{n}.csv", rows)
    with SqlUnitOfWork(engine) as uow:
        import_files([f], uow=uow, today=dt.date(2025, 8, 20))
        e1 = uow.employers.upsert(Employer(r1, "Textil SAC", size_class="large"))
        wid = worker_ids_by_document(uow.session, [("01", dni(n))])[("01", dni(n))]
        assert e1.id is not None
        uow.periods.upsert(EmploymentPeriod(e1.id, wid, dt.date(2020, 1, 1), SEP, "01", cause))
        register_all_workers(uow.session)
        if funded:
            fund(uow, 10_000_000)
        uow.commit()
    return str(wid)


def test_full_cycle_on_sql(engine: sa.Engine, tmp_path: Path) -> None:
    ref = seed_worker(engine, tmp_path)
    with SqlUnitOfWork(engine) as uow:
        ctx = claims_context(uow)
        svc = ctx.service
        c = svc.file_claim(ref, dt.date(2025, 3, 20), actor="worker")
        with pytest.raises(ConflictError, match="open claim"):
            svc.file_claim(ref, dt.date(2025, 3, 21), actor="worker")
        c = svc.decide(c.id, dt.date(2025, 3, 21), actor="cw")
        assert c.state is ClaimState.APPROVED and c.decision is not None
        assert ctx.claims.get(c.id).decision == c.decision
        obs = ctx.employment.obligations(c.id)
        assert obs and all(o.id.startswith(c.id) for o in obs)
        uow.commit()
    with SqlUnitOfWork(engine) as uow:
        ctx = claims_context(uow)
        run = ctx.service.run_payments(parse_period("2025-08"), dt.date(2025, 8, 25), actor="system")
        # Issue 26 item 2: benefit month 4 (18/06–17/07) is paid for its 13 days before the re-employment
        # on 01/07 (55 % × 3000 × 13/30 = 715.00); month 5 is cancelled.
        assert [(p.number, p.amount) for p in run.paid] == [(1, 210000), (2, 195000), (3, 180000), (4, 71500)]
        assert ctx.claims.get(c.id).state is ClaimState.CLOSED
        uow.commit()
    with SqlUnitOfWork(engine) as uow:
        ctx = claims_context(uow)
        again = ctx.service.run_payments(parse_period("2025-08"), dt.date(2025, 8, 25), actor="system")
        assert again.paid == ()
        assert ctx.payments.totals() == (4, 210000 + 195000 + 180000 + 71500)
        assert ctx.claims.open_claim_for(ref) is None
        uow.commit()
    with SqlUnitOfWork(engine) as uow:
        report = verify_audit(uow)
        assert report.ok and report.checked >= 6


def test_store_primitives(engine: sa.Engine, tmp_path: Path) -> None:
    ref = seed_worker(engine, tmp_path, cause="01")          # resignation: denied
    with SqlUnitOfWork(engine) as uow:
        ctx = claims_context(uow)
        c = ctx.service.file_claim(ref, dt.date(2025, 3, 20), actor="worker")
        c = ctx.service.decide(c.id, dt.date(2025, 3, 21), actor="cw")
        assert c.state is ClaimState.DENIED
        with pytest.raises(ConflictError, match="changed meanwhile"):
            ctx.claims.save(c, expected_version=1)
        p = Payment(f"{c.id}#1", c.id, 1, 100, 5, dt.date(2025, 4, 1))
        assert ctx.payments.record(p) and not ctx.payments.record(p)
        ctx.payments.remove(p.key)
        assert ctx.payments.payments(c.id) == []
        a = ctx.service.file_appeal(c.id, AppealKind.RECONSIDERATION, dt.date(2025, 3, 25), actor="worker")
        assert ctx.claims.get_appeal(a.id) == a and ctx.claims.appeals_for(c.id) == [a]
        ob = ctx.employment.schedule(c.id, next(iter(__import__(
            "seguro_desempleo.employment_service.obligations", fromlist=["ObligationKind"]).ObligationKind)),
            dt.date(2025, 4, 1))
        done = ctx.employment.record_outcome(ob.id, Outcome.COMPLIED, dt.date(2025, 4, 2), recorded_by="es:1")
        assert ctx.employment.get(ob.id) == done
        assert ctx.employment.outcomes_since(dt.date(2025, 4, 1)) == [done]
        uow.commit()
    with SqlUnitOfWork(engine) as uow, pytest.raises(sa.exc.DBAPIError):
        uow.session.execute(sa.text("DELETE FROM audit_log"))
