"""Issue 25, part A — the controls over HTTP and the CLI, on SQLite and PostgreSQL: the review
queue, the maker-checker approval, the fund alert and the payment-run preview."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from seguro_desempleo.storage.uow import SqlUnitOfWork


@pytest.fixture
def world(migrated_url: str, tmp_path: Path):  # type: ignore[no-untyped-def]
    from fastapi.testclient import TestClient

    from seguro_desempleo.api.app import create_app
    from seguro_desempleo.storage.db import make_engine
    from tests.adversarial.test_a_money import _inflated_worker
    from tests.api.test_claims_api import Api

    eng = make_engine(migrated_url)
    try:
        inflated = _inflated_worker(eng, tmp_path, 41, "9999999.99")
        large = _inflated_worker(eng, tmp_path, 42, "40000.00")
    finally:
        eng.dispose()
    with TestClient(create_app(db_url=migrated_url, secret="t" * 32, today=dt.date(2025, 3, 20))) as client:
        yield Api(client), inflated, large, migrated_url


def _post(t: Any, path: str, body: dict[str, Any], headers: dict[str, str]) -> Any:
    return t.c.post(path, content=json.dumps(body), headers={**headers, "Content-Type": "application/json"})


def test_review_queue_and_maker_checker_over_http(world) -> None:  # type: ignore[no-untyped-def]
    t, inflated, large, _url = world
    one, two = t.token("caseworker"), t.token("admin")   # the demo token keeps no staff subject
    r = _post(t, "/api/v1/claims", {"worker_id": inflated, "decide": True}, one)
    assert r.status_code == 201 and r.json()["state"] == "denied", r.text
    r = t.c.get("/api/v1/reviews", headers=one)
    assert r.status_code == 200 and len(r.json()["items"]) == 12
    assert t.c.get("/api/v1/reviews", headers=t.token("worker", inflated)).status_code == 403
    first = r.json()["items"][0]["id"]
    r = _post(t, f"/api/v1/reviews/{first}", {"accept": False}, one)
    assert r.status_code == 200 and r.json()["status"] == "rejected"
    assert _post(t, f"/api/v1/reviews/{first}", {"accept": True}, one).status_code == 409
    assert _post(t, "/api/v1/reviews/x1", {"accept": True}, one).status_code == 422

    r = _post(t, "/api/v1/claims", {"worker_id": large, "decide": True}, one)
    assert r.status_code == 201 and r.json()["state"] == "approved", r.text
    cid = r.json()["id"]
    items = t.c.get("/api/v1/approvals", headers=two).json()["items"]
    assert [i["claim_id"] for i in items] == [cid]
    r = _post(t, "/api/v1/payment-runs", {"period": "2025-08", "date": "2025-08-25", "preview": True}, one)
    assert r.status_code == 201 and r.json()["held"] == [cid] and r.json()["payments"] == 0, r.text
    r = _post(t, f"/api/v1/claims/{cid}/approval", {"approve": True}, one)
    assert r.status_code == 409 and "cuatro ojos" in r.json()["detail"]
    r = _post(t, f"/api/v1/claims/{cid}/approval", {"approve": True}, two)
    assert r.status_code == 200, r.text
    assert t.c.get("/api/v1/approvals", headers=two).json()["items"] == []
    r = _post(t, "/api/v1/payment-runs", {"period": "2025-08", "date": "2025-08-25"}, one)
    assert r.status_code == 201 and r.json()["payments"] == 5 and r.json()["unpaid"] == 0, r.text


def test_fund_alert_and_preview_over_http(world) -> None:  # type: ignore[no-untyped-def]
    from seguro_desempleo.domain.ledger import Accounts
    from seguro_desempleo.services import ledger as ledger_service
    from seguro_desempleo.services.ledger import balances

    t, _, large, url = world
    one, two = t.token("caseworker"), t.token("admin")   # the demo token keeps no staff subject
    cid = _post(t, "/api/v1/claims", {"worker_id": large, "decide": True}, one).json()["id"]
    assert _post(t, f"/api/v1/claims/{cid}/approval", {"approve": True}, two).status_code == 200
    with SqlUnitOfWork(url) as uow:                     # the fund keeps S/ 100 only
        cash = {b.code: b.balance for b in balances(uow)}[Accounts.BANK] - 10_000
        ledger_service.post(uow, "test.withdrawal", ((Accounts.RESERVE, cash, 0), (Accounts.BANK, 0, cash)),
                            ref="w", at=dt.date(2025, 3, 20))
        uow.commit()
    r = _post(t, "/api/v1/payment-runs", {"period": "2025-08", "date": "2025-08-25", "preview": True}, one)
    body = r.json()
    assert r.status_code == 201 and body["preview"] is True and body["payments"] == 0
    assert body["available"] == "100.00" and body["unpaid"] == 5 and Decimal(body["shortfall"]) > 0
    assert t.c.get("/api/v1/fund-alerts", headers=t.token("board")).json()["items"] == []   # nothing written
    r = _post(t, "/api/v1/payment-runs", {"period": "2025-08", "date": "2025-08-25"}, one)
    assert r.status_code == 201 and r.json()["payments"] == 0
    alerts = t.c.get("/api/v1/fund-alerts", headers=t.token("board")).json()["items"]
    assert len(alerts) == 1 and alerts[0]["unpaid"] == 5 and alerts[0]["available"] == "100.00"
    with SqlUnitOfWork(url) as uow:
        assert {b.code: b.balance for b in balances(uow)}[Accounts.BANK] == 10_000


def test_cli_review_and_approve(world, capsys: pytest.CaptureFixture[str]) -> None:  # type: ignore[no-untyped-def]
    import sqlalchemy as sa

    from seguro_desempleo.bootstrap import accounts_for
    from seguro_desempleo.cli import main
    from seguro_desempleo.storage.db import make_engine

    t, inflated, large, url = world
    # Issue 27: --actor must be an enabled account (was any 'role:subject'); the maker is the
    # account 'ana' (as if she had decided on the web), so her CLI approval is the same person's.
    for name in ("ana", "beto", "carla"):
        accounts_for(url).add_user(name, "caseworker", password="una clave larga y segura 2025", by="test")
    cid = _post(t, "/api/v1/claims", {"worker_id": large, "decide": True}, t.token("caseworker")).json()["id"]
    eng = make_engine(url)
    try:
        with eng.begin() as conn:
            conn.execute(sa.text("UPDATE award_approval SET maker = 'ana/caseworker' WHERE claim_id = :c"), {"c": cid})
    finally:
        eng.dispose()
    assert main(["claims", "approve", cid, "--approve", "--actor", "ana", "--db", url]) == 2
    assert "cuatro ojos" in capsys.readouterr().err
    assert main(["claims", "approve", cid, "--approve", "--actor", "beto", "--db", url]) == 0
    _post(t, "/api/v1/claims", {"worker_id": inflated, "decide": True}, t.token("caseworker"))
    capsys.readouterr()
    assert main(["claims", "reviews", "--db", url]) == 0
    first = capsys.readouterr().out.split()[0]
    assert main(["claims", "review", first, "--accept", "--actor", "carla", "--db", url]) == 0
    assert "accepted" in capsys.readouterr().out
