"""The public pages: Spanish by default, English on request, the estimate computed by the rules."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from seguro_desempleo.api.app import create_app
from seguro_desempleo.web import i18n
from tests.fixtures.databases import migrated_sqlite

TEMPLATES = Path(i18n.__file__).resolve().parent / "templates"


@pytest.fixture(scope="module")
def client() -> TestClient:
    return TestClient(create_app(secret="pages"))


def test_every_text_used_exists_in_both_languages() -> None:
    used: set[str] = set()
    for f in TEMPLATES.glob("*.html"):
        used |= set(re.findall(r"t\('([a-z_]+)'\)", f.read_text(encoding="utf-8")))
    assert used
    missing = sorted(k for k in used if k not in i18n.TEXTS)
    assert not missing
    assert all(set(i18n.TEXTS[k]) == {"es", "en"} for k in used)


def test_formats() -> None:
    assert i18n.soles(123456789) == "S/ 1,234,567.89"
    assert i18n.fecha("2026-03-05") == "05/03/2026"


def test_home_is_spanish_then_english(client: TestClient) -> None:
    r = client.get("/")
    assert r.status_code == 200 and 'lang="es-PE"' in r.text and "Requisitos (art. 7)" in r.text
    client.get("/idioma/en")
    r = client.get("/")
    assert 'lang="en"' in r.text and "Requirements (art. 7)" in r.text
    client.get("/idioma/es")


def test_estimate_without_javascript(client: TestClient) -> None:
    form = {"pay": "2400.00", "months": "12", "separation_date": "30/06/2025", "claim_date": "10/07/2025",
            "cause": "03", "size": "large", "registered": "1"}
    r = client.post("/estimar", data=form)
    assert r.status_code == 200
    # 2,400 × (70+65+60+55+50) % = 7,200.00
    assert "S/ 1,680.00" in r.text and "S/ 7,200.00" in r.text and "Cumpliría los requisitos" in r.text
    r = client.post("/estimar", data=form | {"months": "11"})
    assert "Por ahora no cumpliría" in r.text and "art. 7" in r.text


def test_estimate_bad_input_names_the_field(client: TestClient) -> None:
    form = {"pay": "-5", "months": "12", "separation_date": "30/06/2025", "claim_date": "10/07/2025",
            "cause": "03", "size": "large"}
    r = client.post("/estimar", data=form)
    assert r.status_code == 422 and "pay" in r.text
    # the error is inside the section htmx swaps in place
    assert r.text.index('id="resultado"') < r.text.index('role="alert"')
    r = client.post("/estimar", data=form | {"pay": "100", "separation_date": "31/02/2025"})
    assert r.status_code == 422 and "separation_date" in r.text


def test_parameters_page_shows_articles_and_soles(client: TestClient) -> None:
    r = client.get("/parametros")
    assert "art. 8" in r.text and re.search(r"S/ 1,\d{3}\.00", r.text)


def test_login_sets_a_cookie_for_the_role(tmp_path: Path) -> None:
    from tests import signin

    url = migrated_sqlite(tmp_path / "demo.sqlite3")
    client = TestClient(signin.demo_app(url, secret="pages"))      # the demo log-in, asked for (decision 0440)
    r = client.post("/ingresar", data={"role": "worker", "subject": ""}, follow_redirects=False)
    assert r.status_code == 422
    r = client.post("/ingresar", data={"role": "caseworker"}, follow_redirects=False)
    assert r.status_code == 303 and "sd_token" in r.cookies
    assert client.get("/api/v1/me").json()["role"] == "caseworker"
    client.post("/salir")
