"""Two caseworkers decide one claim over HTTP on PostgreSQL: one 200, one 409 problem+json."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from seguro_desempleo.api.app import create_app
from seguro_desempleo.storage.db import make_engine, upgrade
from tests import signin
from tests.api.seed import TODAY
from tests.claims.test_sql_stores import seed_worker


@pytest.mark.parametrize("await_commit", [False, True])
def test_second_decision_is_a_conflict(pg_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                       await_commit: bool) -> None:
    """Also with the fast path's awaited commit (``SEGURO_API_AWAIT_COMMIT=1``): the first decision
    waits for its flush on the loop while the second runs."""
    from seguro_desempleo.api import fastpath

    monkeypatch.setattr(fastpath, "_AWAIT_COMMIT", await_commit)
    upgrade(pg_url)
    eng = make_engine(pg_url)
    ref = seed_worker(eng, tmp_path)
    eng.dispose()
    app = create_app(db_url=pg_url, secret="t", today=TODAY)
    with TestClient(app) as c:
        tok = signin.token(c, "caseworker")
        h = {"Authorization": f"Bearer {tok}"}
        cid = c.post("/api/v1/claims", json={"worker_id": ref, "claim_date": "2025-03-20"}, headers=h).json()["id"]
        barrier = threading.Barrier(2)
        out: list[Any] = [None, None]

        def decide(i: int) -> None:
            barrier.wait(10)
            out[i] = c.post(f"/api/v1/claims/{cid}/decision", json={"expected_version": 1}, headers=h)

        threads = [threading.Thread(target=decide, args=(i,)) for i in (0, 1)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        codes = sorted(r.status_code for r in out)
        assert codes == [200, 409], [r.text for r in out]
        loser = next(r for r in out if r.status_code == 409)
        assert loser.headers["content-type"].startswith("application/problem+json")
        assert "changed meanwhile" in loser.json()["detail"] or "already" in loser.json()["detail"]
        claim = c.get(f"/api/v1/claims/{cid}", headers=h).json()
        assert claim["state"] == "approved" and claim["version"] == 2
        admin = {"Authorization": "Bearer " + signin.token(c, "admin")}
        assert c.get("/api/v1/audit/verify", headers=admin).json()["ok"] is True
