"""The bulk monthly run pays exactly what the one-by-one run pays (same claims, same states)."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from seguro_desempleo.claims.state import ClaimState
from seguro_desempleo.employment_service.obligations import Outcome
from seguro_desempleo.periods import parse_period
from seguro_desempleo.services import ledger
from seguro_desempleo.services.claims_app import bulk_run_payments, claims_context, run_payments, verify_audit
from seguro_desempleo.storage.db import make_engine
from seguro_desempleo.storage.uow import SqlUnitOfWork
from tests.claims.test_sql_stores import seed_worker
from tests.fixtures.databases import migrated_sqlite


def _world(tmp_path: Path) -> Path:
    db = tmp_path / "base.sqlite3"
    migrated_sqlite(db)
    eng = make_engine(f"sqlite:///{db}")
    refs = [seed_worker(eng, tmp_path, n, reemployed=(n % 3 == 0)) for n in range(1, 8)]
    with SqlUnitOfWork(eng) as uow:
        ctx = claims_context(uow)
        for i, ref in enumerate(refs):
            c = ctx.service.file_claim(ref, dt.date(2025, 3, 20), actor="worker")
            c = ctx.service.decide(c.id, dt.date(2025, 3, 21), actor="cw")
            if i == 1:                                  # one unjustified missed session
                ob = ctx.employment.obligations(c.id)[0]
                ctx.employment.record_outcome(ob.id, Outcome.NOT_COMPLIED, ob.due_date)
        uow.commit()
    eng.dispose()
    return db


def _run(db: Path, bulk: bool) -> tuple[list[str], dict[str, str], int]:
    url = f"sqlite:///{db}"
    for month, day in (("2025-04", 25), ("2025-06", 25), ("2025-10", 27)):
        with SqlUnitOfWork(url) as uow:
            ctx = claims_context(uow)
            fn = bulk_run_payments if bulk else run_payments
            fn(ctx, parse_period(month), dt.date(int(month[:4]), int(month[5:]), day), actor="run")
            uow.commit()
    with SqlUnitOfWork(url) as uow:
        ctx = claims_context(uow)
        keys = sorted(p.key for c in ctx.claims.search(limit=100) for p in ctx.payments.payments(c.id))
        states = {c.id: c.state.value for c in ctx.claims.search(limit=100)}
        bank = next(b.balance for b in ledger.balances(uow) if b.code == "1010")
        assert verify_audit(uow).ok
    return keys, states, bank


def test_bulk_equals_one_by_one(tmp_path: Path) -> None:
    base = _world(tmp_path)
    a, b = tmp_path / "a.sqlite3", tmp_path / "b.sqlite3"
    shutil.copy(base, a)
    shutil.copy(base, b)
    one = _run(a, bulk=False)
    bulk = _run(b, bulk=True)
    assert one == bulk
    keys, states, _ = bulk
    assert ClaimState.EXHAUSTED.value in states.values() and ClaimState.CLOSED.value in states.values()
    assert len(keys) > 10


def test_bulk_run_twice_pays_once(tmp_path: Path) -> None:
    base = _world(tmp_path)
    url = f"sqlite:///{base}"
    for _ in range(2):
        with SqlUnitOfWork(url) as uow:
            run = bulk_run_payments(claims_context(uow), parse_period("2025-05"), dt.date(2025, 5, 25), actor="r")
            uow.commit()
    assert run.paid == ()
    with SqlUnitOfWork(url) as uow:
        n = uow.session.execute(sa.text("SELECT count(*) FROM benefit_payment")).scalar_one()
        assert n > 0 and n == len({k for (k,) in uow.session.execute(sa.text("SELECT key FROM benefit_payment"))})


def _approved_claims(engine: sa.Engine, tmp_path: Path, n: int = 4) -> list[str]:
    refs = [seed_worker(engine, tmp_path, k, reemployed=False) for k in range(1, n + 1)]
    with SqlUnitOfWork(engine) as uow:
        ctx = claims_context(uow)
        ids = [ctx.service.file_and_decide(ref, dt.date(2025, 3, 20), actor="cw").id for ref in refs]
        uow.commit()
    return ids


def test_bulk_run_on_each_database(migrated_url: str, tmp_path: Path) -> None:
    """SQLite and PostgreSQL (whose state update overlaps the audit and bank-file work)."""
    engine = make_engine(migrated_url)
    try:
        ids = _approved_claims(engine, tmp_path)
        with SqlUnitOfWork(engine) as uow:
            run = bulk_run_payments(claims_context(uow), parse_period("2025-05"), dt.date(2025, 5, 25), actor="r")
            uow.commit()
        assert sorted(p.key for p in run.paid) == sorted(f"{c}#{k}" for c in ids for k in (1, 2))
        assert sorted(line.payment_key for line in run.bank_file.lines) == sorted(p.key for p in run.paid)
        with SqlUnitOfWork(engine) as uow:
            ctx = claims_context(uow)
            assert {ctx.claims.get(c).state for c in ids} == {ClaimState.PAYING}
            assert {ctx.claims.get(c).version for c in ids} == {3}
            recs = [r for c in ids for r in ctx.audit.for_entity(f"claim:{c}") if r.action == "payment.run"]
            assert len(recs) == len(ids) and all(r.after["state"] == "paying" for r in recs)
            assert verify_audit(uow).ok
    finally:
        engine.dispose()


def test_bulk_run_refuses_claims_changed_meanwhile(migrated_url: str, tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """A claim whose version moved between the run's read and its state update: ConflictError,
    and nothing of the run is written (payments, states, ledger, audit)."""
    from seguro_desempleo.errors import ConflictError
    from seguro_desempleo.storage.claims_repositories import SqlPaymentStore

    engine = make_engine(migrated_url)
    try:
        ids = _approved_claims(engine, tmp_path)
        real = SqlPaymentStore.record_many

        def and_meanwhile(self: SqlPaymentStore, payments: list[Any]) -> set[str]:
            got = real(self, payments)
            self.session.execute(sa.text("UPDATE claim SET version = version + 1 WHERE id = :c"), {"c": ids[2]})
            return got
        monkeypatch.setattr(SqlPaymentStore, "record_many", and_meanwhile)
        with SqlUnitOfWork(engine) as uow:
            before = verify_audit(uow).checked
        with pytest.raises(ConflictError, match="run it again"), SqlUnitOfWork(engine) as uow:
            bulk_run_payments(claims_context(uow), parse_period("2025-05"), dt.date(2025, 5, 25), actor="r")
            uow.commit()
        with SqlUnitOfWork(engine) as uow:
            ctx = claims_context(uow)
            assert uow.session.execute(sa.text("SELECT count(*) FROM benefit_payment")).scalar_one() == 0
            assert {ctx.claims.get(c).state for c in ids} == {ClaimState.APPROVED}
            assert verify_audit(uow).checked == before
    finally:
        engine.dispose()
