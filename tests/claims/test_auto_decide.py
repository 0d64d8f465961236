"""``claims auto-decide --at DATE`` (issue 26 item 2): the daily job decides claims whose waiting
period has ended, idempotently, on the SQL stores (SQLite and PostgreSQL) and through the CLI."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
import sqlalchemy as sa

from seguro_desempleo.claims.state import ClaimState
from seguro_desempleo.cli import main
from seguro_desempleo.services.claims_app import claims_context, verify_audit
from seguro_desempleo.storage.db import make_engine
from seguro_desempleo.storage.uow import SqlUnitOfWork
from tests.claims.test_sql_stores import seed_worker
from tests.fixtures.databases import migrated_sqlite


def test_waiting_claims_are_decided_when_the_period_ends(engine: sa.Engine, tmp_path: Path) -> None:
    # Separation 10/03/2025, 7 days: served on 17/03/2025.
    waiting = seed_worker(engine, tmp_path, 11, reemployed=False)
    filed_in_waiting = seed_worker(engine, tmp_path, 12, reemployed=False)
    filed_after = seed_worker(engine, tmp_path, 13, reemployed=False)
    with SqlUnitOfWork(engine) as uow:
        svc = claims_context(uow).service
        w = svc.file_and_decide(waiting, dt.date(2025, 3, 12), actor="worker")
        f = svc.file_claim(filed_in_waiting, dt.date(2025, 3, 14), actor="worker")
        a = svc.file_claim(filed_after, dt.date(2025, 3, 20), actor="worker")
        uow.commit()
    assert w.state is ClaimState.WAITING
    with SqlUnitOfWork(engine) as uow:
        run = claims_context(uow).service.auto_decide(dt.date(2025, 3, 16))
        uow.commit()
    assert run.decided == () and run.still_waiting == 2
    with SqlUnitOfWork(engine) as uow:
        run = claims_context(uow).service.auto_decide(dt.date(2025, 3, 17))
        uow.commit()
    assert run.decided == ((w.id, "approved"), (f.id, "approved")) and run.failed == ()
    with SqlUnitOfWork(engine) as uow:
        ctx = claims_context(uow)
        again = ctx.service.auto_decide(dt.date(2025, 3, 18))
        assert again.decided == () and again.still_waiting == 0
        assert ctx.claims.get(w.id).decided_on == dt.date(2025, 3, 17)
        assert ctx.claims.get(a.id).state is ClaimState.FILED      # the caseworker's queue
        assert ctx.employment.obligations(w.id)                   # approved like any decision
        assert verify_audit(uow).ok


def test_cli_auto_decide(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    url = migrated_sqlite(tmp_path / "a.sqlite3")
    eng = make_engine(url)
    ref = seed_worker(eng, tmp_path, 7, reemployed=False)
    eng.dispose()
    assert main(["claims", "file", "--worker", ref, "--date", "2025-03-12", "--decide", "--db", url]) == 0
    capsys.readouterr()
    assert main(["claims", "auto-decide", "--at", "2025-03-15", "--db", url]) == 0
    assert "0 decided (0 approved, 0 denied), 1 still waiting" in capsys.readouterr().out
    assert main(["claims", "auto-decide", "--at", "17/03/2025", "--format", "json", "--db", url]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["approved"] == 1 and out["claims"] == [{"id": "C-000001", "state": "approved"}]
    assert main(["claims", "auto-decide", "--at", "2025-03-18", "--db", url]) == 0
    assert "0 decided" in capsys.readouterr().out
    assert main(["claims", "auto-decide", "--at", "2025-13-01", "--db", url]) == 2
    err = capsys.readouterr().err.strip()
    assert "--at" in err and len(err.splitlines()) == 1
