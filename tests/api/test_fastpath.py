"""The filing's and decision's fast path answers as the FastAPI routes do, and lets every other
shape of request through to them."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from seguro_desempleo.api.app import create_app
from seguro_desempleo.api.fastpath import ClaimsFastPath
from tests import signin
from tests.api.seed import TODAY, seeded_db

SLOW = "application/json; charset=utf-8"    # not the fast path's exact content type: FastAPI answers


@pytest.fixture
def client(tmp_path: Path) -> Iterator[tuple[TestClient, str, str]]:
    url, a, b = seeded_db(tmp_path)
    app = create_app(db_url=url, secret="t", today=TODAY)
    with TestClient(app) as c:
        yield c, a, b


def _tok(c: TestClient, role: str, subject: str | None = None) -> str:
    return signin.token(c, role, subject)          # an account's session (tests/signin.py)


def _post(c: TestClient, path: str, body: bytes, token: str, ctype: str = "application/json") -> Any:
    return c.post(path, content=body, headers={"Authorization": f"Bearer {token}", "Content-Type": ctype})


def test_fast_and_framework_answers_agree(client: tuple[TestClient, str, str]) -> None:
    c, a, b = client
    cw = _tok(c, "caseworker")
    fast = _post(c, "/api/v1/claims", b'{"worker_id":"%s","claim_date":"2025-03-20"}' % a.encode(), cw)
    slow = _post(c, "/api/v1/claims", b'{"worker_id":"%s","claim_date":"2025-03-20"}' % b.encode(), cw, SLOW)
    assert fast.status_code == slow.status_code == 201
    assert fast.headers["content-type"] == "application/json"
    f, s = fast.json(), slow.json()
    assert f.keys() == s.keys() and f["state"] == s["state"] == "filed" and f["worker_id"] == a
    fd = _post(c, f"/api/v1/claims/{f['id']}/decision", b'{"expected_version":1}', cw)
    sd = _post(c, f"/api/v1/claims/{s['id']}/decision", b'{"expected_version":1}', cw, SLOW)
    assert fd.status_code == sd.status_code == 200
    assert fd.json().keys() == sd.json().keys()
    assert fd.json()["decision"].keys() == sd.json()["decision"].keys()
    assert "trace" not in fd.json()["decision"]
    # the stored decision keeps its articles and trace
    got = c.get(f"/api/v1/claims/{f['id']}/decision", headers={"Authorization": f"Bearer {cw}"}).json()
    assert got["trace"] and got["reasons"]
    # a second decision: the same 409 problem from the fast path as from the routes
    again = _post(c, f"/api/v1/claims/{f['id']}/decision", b'{"expected_version":1}', cw)
    again_slow = _post(c, f"/api/v1/claims/{s['id']}/decision", b'{"expected_version":1}', cw, SLOW)
    assert again.status_code == again_slow.status_code == 409
    assert again.headers["content-type"].startswith("application/problem+json")
    assert again.json()["title"] == again_slow.json()["title"]
    v = c.get("/api/v1/audit/verify", headers={"Authorization": f"Bearer {_tok(c, 'admin')}"}).json()
    assert v["ok"] is True


@pytest.mark.parametrize("body", [b'{"worker_id":"1","extra":1}', b'{"worker_id":1}', b"[1]", b"{",
                                  b'{"worker_id":"1234567890123"}', b'{"claim_date":"2025-03-200"}'])
def test_unusual_bodies_get_the_framework_answer(client: tuple[TestClient, str, str], body: bytes) -> None:
    c, _a, _b = client
    cw = _tok(c, "caseworker")
    fast, slow = _post(c, "/api/v1/claims", body, cw), _post(c, "/api/v1/claims", body, cw, SLOW)
    assert fast.status_code == slow.status_code == 422
    assert fast.json()["detail"] == slow.json()["detail"]


def test_roles_and_tokens(client: tuple[TestClient, str, str]) -> None:
    c, a, b = client
    emp = _tok(c, "employer", "20551000017")
    r = _post(c, "/api/v1/claims", b'{"worker_id":"%s"}' % a.encode(), emp)
    assert r.status_code == 403 and r.headers["content-type"].startswith("application/problem+json")
    r = _post(c, "/api/v1/claims/C-1/decision", b"{}", _tok(c, "worker", a))
    assert r.status_code == 403
    assert _post(c, "/api/v1/claims", b"{}", "bogus.token").status_code == 401
    r = _post(c, "/api/v1/claims", b'{"worker_id":"%s"}' % b.encode(), _tok(c, "worker", a))
    assert r.status_code == 403 and "own claim" in r.json()["detail"]
    r = _post(c, "/api/v1/claims/NOPE/decision", b"{}", _tok(c, "caseworker"))
    assert r.status_code == 404 and r.headers["content-type"].startswith("application/problem+json")


def test_expired_token_is_not_kept(client: tuple[TestClient, str, str]) -> None:
    c, a, _b = client
    import datetime as dt

    old = _tok(c, "caseworker")         # a session whose 12 hours are over (decision 0440: sessions only)
    accounts = c.app.state.accounts  # type: ignore[attr-defined]
    later = accounts.clock() + dt.timedelta(hours=13)
    accounts.clock = lambda: later
    r = _post(c, "/api/v1/claims", b'{"worker_id":"%s"}' % a.encode(), old)
    assert r.status_code == 401 and "expired" in r.json()["detail"]


def _spy_fast_filing(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """A list that gets ``"file"`` each time the fast path answers a filing."""
    seen: list[str] = []
    real = ClaimsFastPath._file

    async def spy(self: ClaimsFastPath, *args: Any) -> Any:
        seen.append("file")
        return await real(self, *args)
    monkeypatch.setattr(ClaimsFastPath, "_file", spy)
    return seen


def test_the_fast_path_is_taken(client: tuple[TestClient, str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    c, a, b = client
    seen = _spy_fast_filing(monkeypatch)
    cw = _tok(c, "caseworker")
    assert _post(c, "/api/v1/claims", b'{"worker_id":"%s"}' % a.encode(), cw).status_code == 201
    assert seen == ["file"]
    assert _post(c, "/api/v1/claims", b'{"worker_id":"%s"}' % b.encode(), cw, SLOW).status_code == 201
    assert seen == ["file"]


def test_unexpected_errors_are_a_logged_500_problem(client: tuple[TestClient, str, str],
                                                    monkeypatch: pytest.MonkeyPatch,
                                                    caplog: pytest.LogCaptureFixture) -> None:
    """The fast path sits in front of the framework's server-error layer, so it answers an
    unexpected error itself with the application's last-resort handler: 500 problem+json, logged
    by type and path only, nothing written."""
    from seguro_desempleo.claims.service import ClaimService

    c, a, _b = client

    def boom(self: ClaimService, worker_ref: str, *args: Any, **kw: Any) -> Any:
        raise RuntimeError(f"worker {worker_ref} exploded")
    monkeypatch.setattr(ClaimService, "file_claim", boom)
    cw = _tok(c, "caseworker")
    with caplog.at_level("ERROR", logger="seguro_desempleo.api"):
        r = _post(c, "/api/v1/claims", b'{"worker_id":"%s"}' % a.encode(), cw)
    assert r.status_code == 500 and r.headers["content-type"].startswith("application/problem+json")
    assert "RuntimeError" in caplog.text
    assert "exploded" not in caplog.text and "exploded" not in r.text     # the message may carry personal data
    listed = c.get("/api/v1/claims", headers={"Authorization": f"Bearer {cw}"})
    assert listed.status_code == 200 and listed.json()["items"] == []


def test_filing_decided_at_once(client: tuple[TestClient, str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    """``"decide": true``: one request, the claim filed and decided in one transaction; the fast
    path answers it (spied) as the routes do."""
    c, a, b = client
    seen = _spy_fast_filing(monkeypatch)
    cw = _tok(c, "caseworker")
    body = b'{"worker_id":"%s","claim_date":"2025-03-20","decide":true}'
    fast = _post(c, "/api/v1/claims", body % a.encode(), cw)
    assert seen == ["file"]
    slow = _post(c, "/api/v1/claims", body % b.encode(), cw, SLOW)
    assert seen == ["file"]
    assert fast.status_code == slow.status_code == 201
    f, s = fast.json(), slow.json()
    assert f.keys() == s.keys() and (f["state"], s["state"]) == ("approved", "denied")   # B resigned (art. 6)
    assert f["decided_on"] == s["decided_on"] == "2025-03-20" and f["version"] == s["version"] == 2
    assert f["decision"].keys() == s["decision"].keys() and "trace" not in f["decision"]
    assert f["decision"]["eligible"] is True and s["decision"]["eligible"] is False
    auth = {"Authorization": f"Bearer {cw}"}
    stored = c.get(f"/api/v1/claims/{f['id']}/decision", headers=auth).json()
    assert stored["trace"] and stored["total"] == f["decision"]["total"]
    admin = {"Authorization": f"Bearer {_tok(c, 'admin')}"}
    for claim in (f, s):
        recs = c.get(f"/api/v1/audit?entity=claim:{claim['id']}", headers=admin).json()["items"]
        assert [r["action"] for r in recs] == ["claim.file", "claim." + ("approve" if claim is f else "deny")]
        assert len({r["who"] for r in recs}) == 1            # both steps by the same caseworker
    # deciding again is the usual conflict
    assert _post(c, f"/api/v1/claims/{f['id']}/decision", b"{}", cw).status_code == 409


@pytest.mark.parametrize("ctype", ["application/json", SLOW])
def test_filing_inside_the_waiting_period(client: tuple[TestClient, str, str], ctype: str) -> None:
    """Two days after the separation (art. 7: 7 days of waiting): filed and waiting, no decision."""
    from seguro_desempleo.storage.db import make_engine
    from tests.claims.test_sql_stores import seed_worker

    c, _a, _b = client
    eng = make_engine(c.app.state.db_url)  # type: ignore[attr-defined]
    try:                                   # not re-employed (A is: a re-employed worker is decided at once)
        ref = seed_worker(eng, Path(c.app.state.db_url.split("///", 1)[1]).parent, 7,  # type: ignore[attr-defined]
                          reemployed=False)
    finally:
        eng.dispose()
    cw = _tok(c, "caseworker")
    r = _post(c, "/api/v1/claims", b'{"worker_id":"%s","claim_date":"2025-03-12","decide":true}' % ref.encode(),
              cw, ctype)
    assert r.status_code == 201
    got = r.json()
    assert got["state"] == "waiting" and got["decided_on"] is None and "decision" not in got
    later = _post(c, f"/api/v1/claims/{got['id']}/decision", b'{"date":"2025-03-18"}', cw)
    assert later.status_code == 200 and later.json()["state"] == "approved"


def test_filing_decided_at_once_refusals(client: tuple[TestClient, str, str]) -> None:
    c, a, _b = client
    for ctype in ("application/json", SLOW):
        for role, subject in (("worker", a), ("employer", "20551000017"), ("analyst", None),
                              ("employment_officer", None)):
            r = _post(c, "/api/v1/claims", b'{"worker_id":"%s","claim_date":"2025-03-20","decide":true}'
                      % a.encode() if role != "worker" else b'{"claim_date":"2025-03-20","decide":true}',
                      _tok(c, role, subject), ctype)
            assert r.status_code == 403, (role, ctype, r.text)
            assert r.headers["content-type"].startswith("application/problem+json")
        # the role is refused before the date is read
        r = _post(c, "/api/v1/claims", b'{"claim_date":"31/02/2025","decide":true}', _tok(c, "worker", a), ctype)
        assert r.status_code == 403
    cw = _tok(c, "caseworker")
    for bad in (b'{"worker_id":"%s","decide":"yes"}', b'{"worker_id":"%s","decide":1}',
                b'{"worker_id":"%s","decide":null}'):
        fast = _post(c, "/api/v1/claims", bad % a.encode(), cw)
        slow = _post(c, "/api/v1/claims", bad % a.encode(), cw, SLOW)
        assert fast.status_code == slow.status_code == 422
        assert "decide" in str(fast.json()["detail"])
    listed = c.get("/api/v1/claims", headers={"Authorization": f"Bearer {cw}"})
    assert listed.json()["items"] == []                  # nothing written by any refusal


def test_the_server_factory_freezes_the_startup_heap(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``app_from_env`` (what ``serve`` runs in each worker process) leaves the objects of the built
    app out of the cyclic collector's scans (``gc.freeze``), and sets the audit sequencer to drain
    in the background."""
    import gc

    from seguro_desempleo.api.app import app_from_env
    from seguro_desempleo.storage.claims_repositories import AuditSequencer

    monkeypatch.setattr(AuditSequencer, "background", False)
    monkeypatch.setenv("SEGURO_DB_URL", f"sqlite:///{tmp_path / 'f.sqlite3'}")
    monkeypatch.setenv("SEGURO_SECRET", "t")
    gc.unfreeze()
    try:
        app_from_env()
        assert gc.get_freeze_count() > 0
        assert AuditSequencer.background is True
    finally:
        gc.unfreeze()


# ---------------------------------------------------------------- the session read inside the claim's transaction
# (issue 25: one transaction and one joined read per request; sign-out, disabling and scopes still hold)

def _fresh(c: TestClient, role: str) -> str:
    """A new session of the test account (not the one tests/signin.py keeps per app)."""
    r = c.post("/api/v1/auth/login", json=signin.credentials(c.app.state.accounts, role))  # type: ignore[attr-defined]
    assert r.status_code == 200, r.text
    return str(r.json()["access_token"])


def test_an_ended_session_or_disabled_account_is_refused_by_the_fast_path(
        client: tuple[TestClient, str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    c, a, b = client
    seen = _spy_fast_filing(monkeypatch)
    accounts = c.app.state.accounts  # type: ignore[attr-defined]
    cw = _fresh(c, "caseworker")
    accounts.sign_out(cw)
    r = _post(c, "/api/v1/claims", b'{"worker_id":"%s"}' % a.encode(), cw)
    assert r.status_code == 401 and r.headers["content-type"].startswith("application/problem+json")
    assert "ended" in r.json()["detail"]
    cw2 = _fresh(c, "caseworker")
    accounts.set_disabled(signin.username("caseworker"))
    r = _post(c, "/api/v1/claims", b'{"worker_id":"%s"}' % b.encode(), cw2)
    assert r.status_code == 401      # disabling ends the account's sessions at once
    assert seen == ["file", "file"]      # the fast path looked, then let the application answer
    accounts.set_disabled(signin.username("caseworker"), False)
    ok = _post(c, "/api/v1/claims", b'{"worker_id":"%s"}' % b.encode(), _fresh(c, "caseworker"))
    assert ok.status_code == 201


def test_a_machine_client_is_held_to_its_scopes_on_the_fast_path(client: tuple[TestClient, str, str]) -> None:
    c, a, _b = client
    accounts = c.app.state.accounts  # type: ignore[attr-defined]
    secret = accounts.add_client("bank-robot", "caseworker", ["read:claims"], by="test")
    tok = accounts.sign_in_client("bank-robot", secret)[0]
    r = _post(c, "/api/v1/claims", b'{"worker_id":"%s"}' % a.encode(), tok)
    assert r.status_code == 403 and "write:claims" in r.json()["detail"]


def test_the_fast_path_keeps_a_used_session_alive(client: tuple[TestClient, str, str]) -> None:
    """Its ``last_seen`` touch is committed with the claim: a session used 29 minutes after
    sign-in is still alive 29 minutes after that (idle timeout 30 minutes)."""
    import datetime as dt

    c, a, b = client
    accounts = c.app.state.accounts  # type: ignore[attr-defined]
    cw = _fresh(c, "caseworker")
    start = accounts.clock()
    accounts.clock = lambda: start + dt.timedelta(minutes=29)
    assert _post(c, "/api/v1/claims", b'{"worker_id":"%s"}' % a.encode(), cw).status_code == 201
    accounts.clock = lambda: start + dt.timedelta(minutes=58)
    assert _post(c, "/api/v1/claims", b'{"worker_id":"%s"}' % b.encode(), cw).status_code == 201
    accounts.clock = lambda: start + dt.timedelta(minutes=89)
    r = _post(c, "/api/v1/claims", b'{"worker_id":"%s"}' % b.encode(), cw)
    assert r.status_code == 401 and "expired" in r.json()["detail"]
