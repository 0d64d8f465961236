"""Sign-in in a real browser (Debian chromium, Playwright): a caseworker with TOTP, a worker, an
employer bound to its RUCs, OpenID Connect against the provider process the tests start, sign-out
revoking the session server-side, a locked-out account, and the demo log-in refused on a database
``demo`` did not create."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from seguro_desempleo.api.app import create_app
from seguro_desempleo.bootstrap import accounts_for
from seguro_desempleo.storage.db import upgrade
from seguro_desempleo.web.oidc import OidcSettings
from tests.auth.conftest import STRONG, seed_worker, totp_now
from tests.auth.oidc_provider import oidc_provider, set_user
from tests.web.conftest import LiveServer, browser, check_a11y, screenshot  # noqa: F401 (fixture)

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

WORKER_PW = "mi perro se llama firulais"
EMPLOYER_PW = "la empresa vende tejidos de alpaca"
RUC1, RUC2 = "20100047218", "20131312955"


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    url = f"sqlite:///{tmp_path_factory.mktemp('signin') / 'db.sqlite3'}"
    upgrade(url)
    wid = seed_worker(url, "40000011")
    oidc_wid = seed_worker(url, "40000012")
    accounts = accounts_for(url)
    cw = accounts.add_user("mperez", "caseworker", password=STRONG, by="test")
    accounts.add_user("rosa", "worker", password=WORKER_PW, worker_id=wid, by="test")
    accounts.add_user("acme", "employer", password=EMPLOYER_PW, rucs=[RUC1, RUC2], by="test")
    lk = accounts.add_user("luis", "analyst", password=STRONG, by="test")
    with oidc_provider() as issuer:
        set_user(issuer, "gobpe-12", {"dni": "40000012"})
        app = create_app(db_url=url, secret="k" * 32, demo_logins=False,
                         oidc=OidcSettings(issuer, "seguro-desempleo", "s3cret"))
        with LiveServer(app) as server:
            yield {"url": server.url, "db": url, "wid": wid, "oidc_wid": oidc_wid, "cw": cw, "luis": lk,
                   "accounts": accounts}


@pytest.fixture()
def page(browser: Any) -> Iterator[Any]:  # noqa: F811
    context = browser.new_context(locale="es-PE", viewport={"width": 390, "height": 844})
    pg = context.new_page()
    yield pg
    context.close()


def sign_in(page: Any, base: str, user: str, password: str, code: str = "") -> None:
    page.goto(base + "/ingresar")
    page.get_by_label("Usuario").fill(user)
    page.get_by_label("Contraseña").fill(password)
    if code:
        page.get_by_label("Código de verificación", exact=False).fill(code)
    page.get_by_role("button", name="Entrar").click()
    page.wait_for_load_state()


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def test_caseworker_signs_in_with_totp(page: Any, world: dict[str, Any]) -> None:
    sign_in(page, world["url"], "mperez", STRONG)                # no code: refused
    assert page.url.endswith("/ingresar") and "incorrectos" in page.locator("[role=alert]").inner_text()
    assert page.locator("#demo").count() == 0 and page.locator("#demo-banner").count() == 0
    check_a11y(page)
    sign_in(page, world["url"], "mperez", STRONG, totp_now(world["cw"].totp_secret, _now()))
    assert page.url.endswith("/gestion")
    assert "mperez" in page.locator("header").inner_text()
    screenshot(page, "auth-caseworker-totp")


def test_worker_signs_in_and_sees_only_their_own(page: Any, world: dict[str, Any]) -> None:
    sign_in(page, world["url"], "rosa", WORKER_PW)
    assert page.url.endswith("/trabajador")
    assert page.goto(world["url"] + "/gestion").status == 403
    screenshot(page, "auth-worker")


def test_employer_bound_to_its_rucs(page: Any, world: dict[str, Any]) -> None:
    sign_in(page, world["url"], "acme", EMPLOYER_PW)
    assert page.url.endswith("/empleador") and RUC1 in page.content()
    assert page.goto(world["url"] + f"/empleador?ruc={RUC2}").status == 200       # its second RUC
    assert RUC2 in page.locator("main").inner_text()
    page.goto(world["url"] + "/empleador?ruc=20000000001")                        # another employer's:
    assert "20000000001" not in page.locator("main").inner_text()                 # its own page instead


def test_oidc_sign_in_against_the_provider(page: Any, world: dict[str, Any]) -> None:
    page.goto(world["url"] + "/ingresar")
    page.get_by_role("link", name="identidad digital", exact=False).click()
    page.wait_for_load_state()
    assert "/oauth2/authorize" in page.url                  # at the provider's own page
    page.locator("input[name=sub]").first.fill("gobpe-12")
    page.get_by_role("button", name="Authorize").click()
    page.wait_for_url("**/trabajador")
    me = page.request.get(world["url"] + "/api/v1/me").json()
    assert me["subject"] == str(world["oidc_wid"]) and me["actor"].endswith("#oidc:gobpe-12")


def test_sign_out_revokes_the_session(page: Any, world: dict[str, Any]) -> None:
    sign_in(page, world["url"], "rosa", WORKER_PW)
    token = next(c["value"] for c in page.context.cookies() if c["name"] == "sd_token")
    h = {"Authorization": f"Bearer {token}"}
    assert httpx.get(world["url"] + "/api/v1/me", headers=h).status_code == 200
    page.get_by_role("button", name="Salir").click()
    page.wait_for_load_state()
    assert httpx.get(world["url"] + "/api/v1/me", headers=h).status_code == 401      # the copy is dead too


def test_locked_out_account(page: Any, world: dict[str, Any]) -> None:
    for _ in range(5):
        sign_in(page, world["url"], "luis", "not my password at all")
    sign_in(page, world["url"], "luis", STRONG, totp_now(world["luis"].totp_secret, _now()))
    assert page.url.endswith("/ingresar") and "bloqueada" in page.locator("[role=alert]").inner_text()
    screenshot(page, "auth-locked")


def test_demo_log_in_refused_on_a_non_demo_database(page: Any, tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    from seguro_desempleo.api.app import app_from_env

    url = f"sqlite:///{tmp_path / 'plain.sqlite3'}"
    upgrade(url)
    from seguro_desempleo.storage.claims_repositories import AuditSequencer

    monkeypatch.setattr(AuditSequencer, "background", AuditSequencer.background)   # app_from_env sets it
    monkeypatch.setenv("SEGURO_DB_URL", url)
    monkeypatch.setenv("SEGURO_DEMO_LOGINS", "auto")
    with LiveServer(app_from_env()) as server:
        page.goto(server.url + "/ingresar")
        assert page.locator("#demo").count() == 0 and page.locator("#demo-banner").count() == 0
        r = page.request.post(server.url + "/ingresar", form={"role": "admin"},
                              headers={"Origin": server.url})
        assert r.status == 403 and "desactivado" in r.text()
        assert page.request.post(server.url + "/api/v1/auth/token", data={"role": "admin"}).status == 403
