"""Issue 27, "no endpoint reachable without a valid session or client credential": EVERY route of
the application's route table — the API, the web pages, the routes the OpenAPI document does not
list — walked with each method it answers, not a sample. A route is either on the public list
below (each entry says why) or refuses: the API with 401 problem+json, a page by sending the
browser to the sign-in page. A new route that answers without credentials fails this test until it
is put on the list, with its reason.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from starlette.routing import Mount

from seguro_desempleo.api.app import create_app
from seguro_desempleo.api.auth import Principal, Role, TokenSigner
from tests.fixtures.databases import migrated_sqlite

PUBLIC_ROUTES = {
    ("GET", "/healthz"): "liveness, for the proxy and the orchestrator",
    ("GET", "/api/openapi.json"): "the API's own description",
    ("GET", "/api/docs"): "the API's documentation page",
    ("GET", "/api/v1/parameters"): "the law in force (public law, no personal data)",
    ("POST", "/api/v1/evaluate"): "the rules applied to a hypothetical case (as /estimar)",
    ("POST", "/api/v1/auth/token"): "the demo log-in: hands out credentials (off unless the demo)",
    ("POST", "/api/v1/auth/login"): "signing in: hands out credentials",
    ("POST", "/api/v1/auth/client-token"): "client credentials: hands out credentials",
    ("GET", "/"): "the home page",
    ("GET", "/estimar"): "the benefit estimate (no personal data)",
    ("POST", "/estimar"): "the benefit estimate (no personal data)",
    ("GET", "/parametros"): "the law in force",
    ("GET", "/transparencia"): "public statistics, small cells suppressed (decision 0702)",
    ("GET", "/transparencia/datos/{name}.csv"): "the same statistics as CSV",
    ("GET", "/idioma/{lang}"): "the language cookie",
    ("GET", "/ingresar"): "the sign-in page",
    ("POST", "/ingresar"): "signing in",
    ("POST", "/salir"): "signing out (ends the session it carries, if any)",
    ("GET", "/auth/oidc/login"): "starts the OpenID Connect flow (401 unless configured)",
    ("GET", "/auth/oidc/callback"): "ends the OpenID Connect flow (checks state, nonce, ID token)",
}
PUBLIC_MOUNTS = {"/static": "the style sheet, scripts and images", "/api/docs/assets": "the documentation's assets"}


def route_table(app: Any) -> list[tuple[str, str]]:
    """(method, path) of every route the application answers (HEAD and OPTIONS aside), the
    routers it includes walked through (FastAPI keeps them as included-router entries)."""
    out: list[tuple[str, str]] = []

    def walk(routes: list[Any], prefix: str) -> None:
        for r in routes:
            if isinstance(r, Mount):
                out.append(("MOUNT", prefix + r.path))
            elif hasattr(r, "original_router"):
                walk(list(r.original_router.routes), prefix + (r.include_context.prefix or ""))
            elif hasattr(r, "path"):
                for m in sorted(getattr(r, "methods", None) or {"GET"}):
                    if m not in ("HEAD", "OPTIONS"):
                        out.append((m, prefix + r.path))
            else:                                              # pragma: no cover - a new kind of entry
                raise AssertionError(f"unknown route entry {r!r}: teach route_table to walk it")

    walk(list(app.routes), "")
    return sorted(set(out))


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    url = migrated_sqlite(tmp_path_factory.mktemp("routes") / "db.sqlite3")
    with TestClient(create_app(db_url=url, secret="k" * 32)) as c:
        yield c


def _concrete(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "1", path)


def test_the_walk_covers_more_than_the_openapi_document(client: TestClient) -> None:
    table = route_table(client.app)
    spec = client.get("/api/openapi.json").json()
    documented = {(m.upper(), p) for p, ops in spec["paths"].items() for m in ops}
    assert documented <= set(table)                                    # every documented route walked
    pages = [r for r in table if r[0] != "MOUNT" and not r[1].startswith("/api/")]
    assert len(pages) > 40 and len(table) > len(documented) + 40      # and the pages besides
    listed = set(PUBLIC_ROUTES) | {("MOUNT", m) for m in PUBLIC_MOUNTS}
    assert listed <= set(table), sorted(listed - set(table))           # the public list names real routes
    assert {r for r in table if r[0] == "MOUNT"} <= {("MOUNT", m) for m in PUBLIC_MOUNTS}


def _refused(method: str, path: str, r: Any) -> bool:
    if path.startswith("/api/"):
        return r.status_code == 401 and r.headers["content-type"].startswith("application/problem+json")
    # a page: the browser is sent to the sign-in page (or told 401)
    return r.status_code == 401 or (r.status_code in (302, 303) and r.headers["location"].endswith("/ingresar"))


def test_every_route_refuses_a_caller_without_a_valid_session(client: TestClient) -> None:
    stateless = TokenSigner("k" * 32).issue(Principal(Role.ADMIN))     # right key, no account: refused
    callers: list[dict[str, str]] = [
        {}, {"Authorization": f"Bearer {stateless}"}, {"Authorization": "Bearer ses_" + "0" * 43},
        {"Cookie": f"sd_token={stateless}", "Origin": "http://testserver"},
        {"Cookie": "sd_token=ses_" + "0" * 43, "Origin": "http://testserver"},
    ]
    walked = 0
    for method, path in route_table(client.app):
        if method == "MOUNT" or (method, path) in PUBLIC_ROUTES:
            continue
        walked += 1
        for headers in callers:
            body = {"json": {}} if path.startswith("/api/") else {"data": {"x": "1"}}
            r = client.request(method, _concrete(path), headers=headers, follow_redirects=False, **body)
            assert _refused(method, path, r), (method, path, headers, r.status_code, r.text[:200])
    assert walked > 80


def test_a_client_credential_reaches_only_its_scopes_on_every_api_route(client: TestClient) -> None:
    """A machine client's session is a credential for the API within its scopes, and for no page."""
    from seguro_desempleo.services.accounts import scope_for

    accounts = client.app.state.accounts  # type: ignore[attr-defined]
    secret = accounts.add_client("feed-walk", "caseworker", ["read:payments"], by="test")
    r = client.post("/api/v1/auth/client-token", data={"grant_type": "client_credentials",
                                                       "client_id": "feed-walk", "client_secret": secret})
    h = {"Authorization": f"Bearer {r.json()['access_token']}"}
    for method, path in route_table(client.app):
        if method == "MOUNT" or (method, path) in PUBLIC_ROUTES or not path.startswith("/api/"):
            continue
        r = client.request(method, _concrete(path), headers=h, json={}, follow_redirects=False)
        if scope_for(method, _concrete(path)) == "read:payments":
            assert r.status_code not in (401, 403), (method, path, r.status_code)
        else:
            assert r.status_code == 403 and "scopes" in r.json()["detail"], (method, path, r.status_code)


def test_public_pages_need_no_credentials(client: TestClient, tmp_path: Path) -> None:
    for method, path in PUBLIC_ROUTES:
        if method == "GET" and "{" not in path and not path.startswith("/auth/oidc"):
            assert client.get(path, follow_redirects=False).status_code in (200, 303), path
