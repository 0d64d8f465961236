"""The short database paths of filing and deciding (issue 5, performance): same guarantees.

On PostgreSQL the filing is one statement (number, insert, one-open-claim check), the audit
chain is written at commit under its lock, the obligation plan is one insert; on SQLite the
ordinary path. Also the caseworker's override and the bank file's payee name.
"""

from __future__ import annotations

import datetime as dt
import threading
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from seguro_desempleo.claims.state import ClaimState
from seguro_desempleo.errors import ConflictError, InputError
from seguro_desempleo.services.claims_app import claims_context, verify_audit
from seguro_desempleo.storage.db import make_engine, upgrade
from seguro_desempleo.storage.uow import SqlUnitOfWork
from tests.claims.test_sql_stores import file_and_decide, seed_worker

CLAIM_DAY, DECIDE_DAY = dt.date(2025, 3, 20), dt.date(2025, 3, 21)


def _concurrent_filings_one_worker(engine: sa.Engine, ref: str) -> None:
    barrier = threading.Barrier(4)
    out: list[Any] = []

    def go(i: int) -> None:
        try:
            with SqlUnitOfWork(engine) as uow:
                svc = claims_context(uow).service
                barrier.wait(10)
                c = svc.file_claim(ref, CLAIM_DAY, actor=f"worker:{i}")
                uow.commit()
                out.append(c.id)
        except ConflictError as exc:
            out.append(exc)

    threads = [threading.Thread(target=go, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    ids = [o for o in out if isinstance(o, str)]
    assert len(ids) == 1 and len(out) == 4, out
    assert all("open claim" in o.one_line() for o in out if isinstance(o, ConflictError))


def test_pg_filing_one_open_claim_chain_intact(pg_url: str, tmp_path: Path) -> None:
    upgrade(pg_url)
    engine = make_engine(pg_url, pool_size=6)
    refs = [seed_worker(engine, tmp_path, n, reemployed=False) for n in (41, 42, 43)]
    _concurrent_filings_one_worker(engine, refs[0])
    # Filings and decisions of different workers at once: every record chained, none lost.
    def flow(ref: str) -> None:
        file_and_decide(engine, ref, CLAIM_DAY, DECIDE_DAY)
    threads = [threading.Thread(target=flow, args=(r,)) for r in refs[1:]]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    with SqlUnitOfWork(engine) as uow:
        ctx = claims_context(uow)
        report = verify_audit(uow)
        assert report.ok
        opened = [ctx.claims.open_claim_for(r) for r in refs]
        assert all(c is not None for c in opened)
        for c in opened[1:]:
            assert c is not None and c.state is ClaimState.APPROVED
            obs = ctx.employment.obligations(c.id)
            assert sorted(int(o.id.rsplit("-O", 1)[1]) for o in obs) == list(range(1, len(obs) + 1))
            assert [r.action for r in ctx.audit.for_entity(f"claim:{c.id}")] == ["claim.file", "claim.approve"]
    # A rolled-back unit of work leaves no audit record.
    with SqlUnitOfWork(engine) as uow:
        n0 = len(list(claims_context(uow).audit.records()))
    with SqlUnitOfWork(engine) as uow:
        claims_context(uow).audit.append(who="t", when=dt.datetime.now(dt.UTC), action="x", entity="x",
                                         before=None, after=None)
        uow.rollback()
    with SqlUnitOfWork(engine) as uow:
        assert len(list(claims_context(uow).audit.records())) == n0
    engine.dispose()


def test_override_needs_reason_and_version(engine: sa.Engine, tmp_path: Path) -> None:
    ref = seed_worker(engine, tmp_path, 44, reemployed=False)
    with SqlUnitOfWork(engine) as uow:
        ctx = claims_context(uow)
        c = ctx.service.file_claim(ref, CLAIM_DAY, actor="worker")
        with pytest.raises(InputError, match="reason"):
            ctx.service.override(c.id, ClaimState.DENIED, reason="  ", actor="cw", expected_version=c.version)
        with pytest.raises(InputError, match="overridden only"):
            ctx.service.override(c.id, ClaimState.APPROVED, reason="porque sí", actor="cw",
                                 expected_version=c.version)
        with pytest.raises(ConflictError, match="changed meanwhile"):
            ctx.service.override(c.id, ClaimState.DENIED, reason="documentos falsos", actor="cw",
                                 expected_version=c.version + 1)
        d = ctx.service.override(c.id, ClaimState.DENIED, reason="documentos  falsos", actor="cw:7",
                                 expected_version=c.version, on=DECIDE_DAY)
        assert d.state is ClaimState.DENIED and d.decision is not None and d.decided_on == DECIDE_DAY
        uow.commit()
    with SqlUnitOfWork(engine) as uow:
        ctx = claims_context(uow)
        recs = ctx.audit.for_entity(f"claim:{d.id}")
        assert recs[-1].who == "cw:7" and recs[-1].after["reason"] == "modificado por gestor: documentos falsos"
        assert ctx.claims.open_claim_for(ref) is None
        assert verify_audit(uow).ok


def test_payee_name_from_registry(engine: sa.Engine, tmp_path: Path) -> None:
    ref = seed_worker(engine, tmp_path, 45, reemployed=False)
    with SqlUnitOfWork(engine) as uow:
        assert claims_context(uow).history.payee(ref).name == f"ASEGURADO {ref}"
        uow.session.execute(sa.text("UPDATE worker SET full_name = :n WHERE id = :w"),
                            {"n": " Peña  Quispe, José ", "w": int(ref)})
        uow.commit()
    with SqlUnitOfWork(engine) as uow:
        assert claims_context(uow).history.payee(ref).name == "Peña Quispe, José"


@pytest.mark.parametrize("reemployed", [True, False])
def test_the_decisions_prefetch_reads_what_the_separate_reads_would(pg_url: str, tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch,
                                                                    reemployed: bool) -> None:
    """PostgreSQL: a decision reads the worker's periods and declared months in one round trip
    (``SqlHistoryProvider.prefetch``); the case it builds is the one the separate reads give."""
    from seguro_desempleo.storage.claims_sql import SqlHistoryProvider

    upgrade(pg_url)
    engine = make_engine(pg_url)
    ref = seed_worker(engine, tmp_path, reemployed=reemployed)
    with SqlUnitOfWork(engine) as uow:
        cid = claims_context(uow).service.file_claim(ref, CLAIM_DAY, actor="worker").id
        uow.commit()
    with SqlUnitOfWork(engine) as uow:
        ctx = claims_context(uow)
        ctx.history.prefetch = None  # type: ignore[method-assign, assignment]   # the separate reads
        separate = ctx.service.case_for(ctx.claims.get(cid), DECIDE_DAY)

    def no_second_read(*_a: Any, **_k: Any) -> Any:
        raise AssertionError("read again after the prefetch")
    with SqlUnitOfWork(engine) as uow:
        ctx = claims_context(uow)
        claim = ctx.claims.get(cid)
        monkeypatch.setattr(SqlHistoryProvider, "_read_months", no_second_read)
        monkeypatch.setattr(SqlHistoryProvider, "_worker", lambda self, wid: self._workers[wid])
        prefetched = ctx.service.case_for(claim, DECIDE_DAY)
    assert prefetched == separate
    assert len(separate.contributions) >= 12 and (separate.reemployment_date is not None) == reemployed
    engine.dispose()
