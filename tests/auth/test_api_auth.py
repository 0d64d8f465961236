"""Sign-in over HTTP (issue 27): no endpoint without a valid session or client credential, the
session refused at once after sign-out or disabling, machine clients held to their scopes, the
demo log-in refused when off, and the audit naming the account. SQLite and PostgreSQL."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from seguro_desempleo.api.app import create_app
from seguro_desempleo.api.auth import Principal, Role, TokenSigner
from seguro_desempleo.bootstrap import accounts_for
from tests.auth.conftest import STRONG, totp_now

# Public on purpose (decision 0322): liveness, the API's own description, the law in force and
# the law applied to a hypothetical case (no personal data; the web's /estimar does the same),
# and the endpoints that hand out credentials.
PUBLIC = {
    ("GET", "/healthz"), ("GET", "/api/v1/parameters"), ("POST", "/api/v1/evaluate"),
    ("POST", "/api/v1/auth/token"), ("POST", "/api/v1/auth/login"), ("POST", "/api/v1/auth/client-token"),
}


@pytest.fixture
def env(migrated_url: str) -> Iterator[tuple[TestClient, Any]]:
    app = create_app(db_url=migrated_url, secret="k" * 32, demo_logins=False)
    with TestClient(app) as client:
        yield client, accounts_for(migrated_url)


def _staff(client: TestClient, accounts: Any, name: str, role: str = "caseworker") -> dict[str, str]:
    import datetime as dt

    new = accounts.add_user(name, role, password=STRONG, by="test")
    code = totp_now(new.totp_secret, dt.datetime.now(dt.UTC).replace(tzinfo=None))
    r = client.post("/api/v1/auth/login", json={"username": name, "password": STRONG, "code": code})
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


def _routes(client: TestClient) -> list[tuple[str, str]]:
    spec = client.get("/api/openapi.json").json()
    return [(m.upper(), path) for path, ops in spec["paths"].items() for m in ops]


def _concrete(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "1", path)


def test_no_endpoint_reachable_without_credentials(env: tuple[TestClient, Any]) -> None:
    client, _ = env
    routes = _routes(client)
    assert len(routes) > 25
    forged = TokenSigner("k" * 32).issue(Principal(Role.ADMIN))       # right key, but demo log-in is off
    for method, path in routes:
        if (method, path) in PUBLIC:
            continue
        for headers in ({}, {"Authorization": f"Bearer {forged}"}, {"Authorization": "Bearer ses_unknown"},
                        # from the site itself: issue 25's guard answers a cross-site cookie 403 first
                        {"Cookie": f"sd_token={forged}", "Origin": "http://testserver"}):
            r = client.request(method, _concrete(path), headers=headers, json={})
            assert r.status_code == 401, (method, path, headers, r.status_code, r.text)
            assert r.headers["content-type"].startswith("application/problem+json")


def test_demo_login_refused_when_off(env: tuple[TestClient, Any]) -> None:
    client, _ = env
    assert client.post("/api/v1/auth/token", json={"role": "admin"}).status_code == 403


def test_session_refused_at_once_after_sign_out_and_disable(env: tuple[TestClient, Any]) -> None:
    client, accounts = env
    h = _staff(client, accounts, "mperez")
    me = client.get("/api/v1/me", headers=h).json()
    assert me["account"] == "user:mperez" and me["actor"] == "user:mperez/caseworker"
    assert client.post("/api/v1/auth/logout", headers=h).status_code == 200
    assert client.get("/api/v1/me", headers=h).status_code == 401
    h2 = _staff(client, accounts, "lucia")
    assert client.get("/api/v1/me", headers=h2).status_code == 200
    accounts.set_disabled("lucia")                      # an admin disables her: refused on the next request
    r = client.get("/api/v1/me", headers=h2)
    assert r.status_code == 401


def test_wrong_password_is_401_and_lockout(env: tuple[TestClient, Any]) -> None:
    client, accounts = env
    accounts.add_user("ana", "analyst", password=STRONG, by="test")
    for _ in range(5):
        r = client.post("/api/v1/auth/login", json={"username": "ana", "password": "wrong password!!"})
        assert r.status_code == 401 and "ana" not in r.text
    r = client.post("/api/v1/auth/login", json={"username": "ana", "password": STRONG, "code": "123456"})
    assert r.status_code == 401 and "locked" in r.json()["detail"]


def test_machine_client_held_to_its_scopes(env: tuple[TestClient, Any]) -> None:
    client, accounts = env
    secret = accounts.add_client("banco-feed", "caseworker", ["read:payments"], by="test")
    r = client.post("/api/v1/auth/client-token", data={"grant_type": "client_credentials",
                                                        "client_id": "banco-feed", "client_secret": secret})
    assert r.status_code == 200 and r.json()["scope"] == "read:payments"
    h = {"Authorization": f"Bearer {r.json()['access_token']}"}
    assert client.get("/api/v1/payments", headers=h).status_code not in (401, 403)
    r = client.post("/api/v1/claims", headers=h, json={"worker_id": "1"})
    assert r.status_code == 403 and "write:claims" in r.json()["detail"]
    assert client.get("/api/v1/audit", headers=h).status_code == 403
    bad = client.post("/api/v1/auth/client-token", auth=("banco-feed", "nope"),
                      data={"grant_type": "client_credentials"})
    assert bad.status_code == 401


def test_audit_names_the_account(env: tuple[TestClient, Any]) -> None:
    client, accounts = env
    h = _staff(client, accounts, "gestor1")
    r = client.post("/api/v1/employers", headers=h, json={"ruc": "20100047218", "name": "ACME S.A.C.",
                                                           "annual_sales_uit": "100"})
    assert r.status_code == 201, r.text
    admin = _staff(client, accounts, "jefa", "admin")
    items = client.get("/api/v1/audit", headers=admin, params={"entity": "employer:20100047218"}).json()["items"]
    assert [x["who"] for x in items] == ["user:gestor1/caseworker"]


def test_non_ascii_tokens_are_401_not_500(env: tuple[TestClient, Any]) -> None:
    client, _ = env
    for tok in ("é.é", "abc.dé", "ses_é"):
        r = client.get("/api/v1/me", headers={"Authorization": f"Bearer {tok}".encode()})
        assert r.status_code == 401, (tok, r.status_code)
        assert client.get("/", headers={"Cookie": f"sd_token={tok}".encode()}).status_code == 200


def test_an_account_session_reaches_the_upload_routes(env: tuple[TestClient, Any]) -> None:
    """The upload guard checked only the demo signer's tokens: every account's session was 401
    "log in first" on the payroll upload (API and page). Now it reads the session."""
    client, accounts = env
    h = _staff(client, accounts, "carga")
    r = client.post("/api/v1/payroll/uploads", headers=h,
                    files={"files": ("x.csv", b"ruc,period\n", "text/csv")})
    assert r.status_code not in (401, 403), r.text
    accounts.add_user("acme", "employer", password=STRONG, rucs=["20100047218"], by="test")
    r = client.post("/api/v1/auth/login", json={"username": "acme", "password": STRONG})
    client.cookies.set("sd_token", r.json()["access_token"])
    r = client.post("/empleador/planilla", headers={"Origin": "http://testserver"},
                    files={"files": ("x.csv", b"ruc,period\n", "text/csv")}, follow_redirects=False)
    assert not (r.status_code in (302, 303) and r.headers["location"].endswith("/ingresar")), r.status_code
    assert r.status_code != 401
    accounts.set_disabled("acme")                        # disabled: the page's session ends at once too
    r = client.get("/empleador", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/ingresar"
    client.cookies.clear()
