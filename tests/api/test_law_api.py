"""The law over HTTP: decisions, problem+json errors, tokens and roles."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from seguro_desempleo.api.app import create_app
from seguro_desempleo.api.auth import AuthError, Principal, Role, TokenSigner
from seguro_desempleo.errors import PermissionDeniedError
from tests.fixtures.databases import migrated_sqlite

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def client() -> TestClient:
    return TestClient(create_app(secret="test-secret"))


def cases() -> list[dict[str, Any]]:
    data = json.loads((ROOT / "examples" / "cases.json").read_text(encoding="utf-8"))
    return data if isinstance(data, list) else [data]


def test_evaluate_matches_the_cli_decisions(client: TestClient) -> None:
    from seguro_desempleo.parameters import default_parameters
    from seguro_desempleo.services.evaluation import evaluate_cases, parse_cases

    r = client.post("/api/v1/evaluate", json={"cases": cases(), "trace": False})
    assert r.status_code == 200, r.text
    got = r.json()["decisions"]
    want = [d.to_dict(with_trace=False) for d in evaluate_cases(parse_cases(cases()), default_parameters())]
    assert got == want
    assert any(d["eligible"] for d in got) and any(not d["eligible"] for d in got)


def test_bad_case_is_a_problem_naming_case_and_field(client: TestClient) -> None:
    bad = cases()[0] | {"termination_cause": "77"}
    r = client.post("/api/v1/evaluate", json={"cases": [bad]})
    assert r.status_code == 422
    assert r.headers["content-type"].startswith("application/problem+json")
    body = r.json()
    assert body["status"] == 422 and body["field"] == "termination_cause"
    assert bad["id"] in body["detail"] and "77" in body["detail"]


def test_schema_violation_is_problem_json(client: TestClient) -> None:
    r = client.post("/api/v1/evaluate", content=b"{not json", headers={"content-type": "application/json"})
    assert r.status_code == 422 and r.headers["content-type"].startswith("application/problem+json")
    r = client.post("/api/v1/evaluate", json={"cases": [{"id": "x"}]})
    assert r.status_code == 422 and r.json()["field"].startswith("cases.0.")


def test_parameters_in_force(client: TestClient) -> None:
    r = client.get("/api/v1/parameters", params={"at": "2026-01-01"})
    rows = {p["name"]: p for p in r.json()["parameters"]}
    assert rows["financing.contribution_rate"]["value"] == "0.0116"
    assert "art. 8" in rows["financing.contribution_rate"]["reference"]
    assert client.get("/api/v1/parameters", params={"at": "31/02/2026"}).status_code == 422


def test_token_round_trip_and_forgery(tmp_path: Path) -> None:
    from tests import signin

    url = migrated_sqlite(tmp_path / "demo.sqlite3")
    from tests.auth.conftest import seed_worker

    w1 = str(seed_worker(url))
    client = TestClient(signin.demo_app(url, secret="test-secret"))   # the demo log-in, asked for (decision 0440)
    r = client.post("/api/v1/auth/token", json={"role": "worker", "subject": w1})
    tok = r.json()["access_token"]
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {tok}"}).json() == \
        {"role": "worker", "subject": w1, "account": f"user:w{w1}", "actor": f"user:w{w1}/worker:{w1}"}
    forged = TokenSigner("test-secret").issue(Principal(Role.ADMIN))    # the old stateless token: no account
    r = client.get("/api/v1/me", headers={"Authorization": f"Bearer {forged}"})
    assert r.status_code == 401 and r.headers["content-type"].startswith("application/problem+json")
    r = client.get("/api/v1/me", headers={"Authorization": f"Bearer {tok[:-2]}xx"})       # a forged session
    assert r.status_code == 401 and r.headers["content-type"].startswith("application/problem+json")
    assert client.get("/api/v1/me").status_code == 401
    assert client.post("/api/v1/auth/token", json={"role": "worker"}).status_code == 401


def test_token_expiry_and_rows() -> None:
    signer = TokenSigner("s", ttl_seconds=10)
    tok = signer.issue(Principal(Role.EMPLOYER, "20100047218"), now=1000)
    assert signer.verify(tok, now=1005).subject == "20100047218"
    with pytest.raises(AuthError, match="expired"):
        signer.verify(tok, now=1011)
    employer = Principal(Role.EMPLOYER, "20100047218")
    assert employer.may_see_employer("20100047218") and not employer.may_see_employer("20131312955")
    assert not employer.may_see_worker("W1")
    worker = Principal(Role.WORKER, "W1")
    worker.check_worker("W1")
    with pytest.raises(PermissionDeniedError):
        worker.check_worker("W2")
    with pytest.raises(PermissionDeniedError):
        worker.require(Role.CASEWORKER)
    Principal(Role.ADMIN).require(Role.CASEWORKER)
    assert Principal(Role.CASEWORKER).may_see_worker("W2")


def test_demo_login_can_be_disabled() -> None:
    c = TestClient(create_app(secret="x", demo_logins=False))
    assert c.post("/api/v1/auth/token", json={"role": "admin"}).status_code == 403
