"""Concurrency on PostgreSQL (issue 5, point 7): two caseworkers deciding one claim, two payment runs."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from seguro_desempleo.claims.state import ClaimState
from seguro_desempleo.errors import ConflictError
from seguro_desempleo.periods import parse_period
from seguro_desempleo.services.claims_app import bulk_run_payments, claims_context, run_payments, verify_audit
from seguro_desempleo.storage.db import make_engine, upgrade
from seguro_desempleo.storage.uow import SqlUnitOfWork
from tests.claims.test_sql_stores import seed_worker


def _both(fn: Callable[[int], Any]) -> list[Any]:
    """Run fn(0) and fn(1) on two threads; each result is a value or the exception raised."""
    out: list[Any] = [None, None]

    def go(i: int) -> None:
        try:
            out[i] = fn(i)
        except Exception as exc:   # collected for the assertions
            out[i] = exc

    threads = [threading.Thread(target=go, args=(i,)) for i in (0, 1)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return out


def _engine(pg_url: str) -> sa.Engine:
    upgrade(pg_url)
    return make_engine(pg_url, pool_size=4)


def test_two_caseworkers_one_wins(pg_url: str, tmp_path: Path) -> None:
    engine = _engine(pg_url)
    ref = seed_worker(engine, tmp_path)
    with SqlUnitOfWork(engine) as uow:
        cid = claims_context(uow).service.file_claim(ref, dt.date(2025, 3, 20), actor="worker").id
        uow.commit()
    barrier = threading.Barrier(2)

    def decide(i: int) -> str:
        with SqlUnitOfWork(engine) as uow:
            ctx = claims_context(uow)
            seen = ctx.claims.get(cid).version          # both caseworkers opened version 1
            barrier.wait(10)
            c = ctx.service.decide(cid, dt.date(2025, 3, 21), actor=f"caseworker:{i}", expected_version=seen)
            uow.commit()
            return c.state.value

    results = _both(decide)
    wins = [r for r in results if r == "approved"]
    losses = [r for r in results if isinstance(r, ConflictError)]
    assert len(wins) == 1 and len(losses) == 1, results
    # The loser either read version 1 and lost the compare-and-set, or (the winner already
    # committed when it read the claim) found it decided: both are the clear conflict.
    assert any(m in losses[0].one_line() for m in ("changed meanwhile", "already approved")), losses[0]
    with SqlUnitOfWork(engine) as uow:
        ctx = claims_context(uow)
        c = ctx.claims.get(cid)
        assert c.state is ClaimState.APPROVED and c.version == 2
        assert len(ctx.employment.obligations(cid)) > 0
        actions = [r.action for r in ctx.audit.for_entity(f"claim:{cid}")]
        assert actions == ["claim.file", "claim.approve"]
        assert verify_audit(uow).ok
    engine.dispose()


@pytest.mark.parametrize("run_fn", [run_payments, bulk_run_payments], ids=["one_by_one", "bulk"])
def test_two_payment_runs_pay_once(pg_url: str, tmp_path: Path, run_fn: Callable[..., Any]) -> None:
    engine = _engine(pg_url)
    refs = [seed_worker(engine, tmp_path, n, reemployed=False) for n in (11, 12, 13)]
    with SqlUnitOfWork(engine) as uow:
        ctx = claims_context(uow)
        for ref in refs:
            c = ctx.service.file_claim(ref, dt.date(2025, 3, 20), actor="worker")
            ctx.service.decide(c.id, dt.date(2025, 3, 21), actor="cw")
        uow.commit()
    barrier = threading.Barrier(2)

    def run(i: int) -> int:
        with SqlUnitOfWork(engine) as uow:
            ctx = claims_context(uow)
            barrier.wait(10)
            r = run_fn(ctx, parse_period("2025-05"), dt.date(2025, 5, 25), actor=f"run:{i}")
            uow.commit()
            return len(r.paid)

    results = _both(run)
    assert sorted(results) == [0, 6], results       # April and May for three claims, once
    with SqlUnitOfWork(engine) as uow:
        ctx = claims_context(uow)
        n, total = ctx.payments.totals()
        assert n == 6
        expense = uow.session.execute(sa.text(
            "SELECT sum(l.debit) FROM ledger_line l JOIN ledger_entry e ON e.id = l.entry_id "
            "WHERE e.event_type = 'claims.benefit_payment' AND l.account = '5100'")).scalar_one()
        assert expense == total
        assert verify_audit(uow).ok
    engine.dispose()


def test_unguarded_runs_never_pay_twice(pg_url: str, tmp_path: Path) -> None:
    """Without the run lock the payment key alone still prevents double payment."""
    engine = _engine(pg_url)
    ref = seed_worker(engine, tmp_path, 21, reemployed=False)
    with SqlUnitOfWork(engine) as uow:
        ctx = claims_context(uow)
        c = ctx.service.file_claim(ref, dt.date(2025, 3, 20), actor="worker")
        ctx.service.decide(c.id, dt.date(2025, 3, 21), actor="cw")
        uow.commit()
    barrier = threading.Barrier(2)

    def run(i: int) -> int:
        with SqlUnitOfWork(engine) as uow:
            ctx = claims_context(uow)
            barrier.wait(10)
            r = ctx.service.run_payments(parse_period("2025-05"), dt.date(2025, 5, 25), actor=f"run:{i}")
            uow.commit()
            return len(r.paid)

    results = _both(run)
    paid = [r for r in results if isinstance(r, int)]
    assert sum(paid) == 2 and all(isinstance(r, int | ConflictError) for r in results), results
    with SqlUnitOfWork(engine) as uow:
        assert claims_context(uow).payments.totals()[0] == 2
    engine.dispose()
