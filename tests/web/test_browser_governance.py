"""The board's journey in chromium (issue 28): a proposal, the three sectors' votes, the decision
that becomes an Acuerdo de Directorio, and the parameter history on /parametros showing it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from seguro_desempleo.api.app import create_app
from tests.web.conftest import LiveServer, check_a11y, login, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    from seguro_desempleo.storage.db import upgrade

    url = f"sqlite:///{Path(tmp_path_factory.mktemp('govdb')) / 'gov.sqlite3'}"
    upgrade(url)
    app = create_app(db_url=url, secret="browser-tests")
    app.state.web_today = dt.date(2026, 4, 1)
    with LiveServer(app) as live:
        yield live


def shot(page: Any, name: str) -> None:
    check_a11y(page)
    screenshot(page, name)


def test_board_proposal_three_votes_instrument_and_history(page: Any, server: LiveServer) -> None:
    login(page, server.url, "Directorio")
    page.goto(server.url + "/directorio")
    page.wait_for_selector("text=Reserva frente a su meta")
    shot(page, "board-governance-home")

    page.get_by_role("link", name="Nueva propuesta").click()
    page.wait_for_url("**/directorio/propuestas/nueva")
    page.get_by_label("Tipo", exact=True).select_option("waiting_period")
    page.get_by_label("Título").fill("Período de carencia de 15 días")
    page.get_by_label("Valores (nombre=valor, uno por línea)").fill("requirements.waiting_period_days=15")
    page.get_by_label("Vigencia desde (dd/mm/aaaa)").fill("01/06/2026")
    page.get_by_label("Documento", exact=True).fill("Informe técnico 01-2026")
    shot(page, "board-proposal-new")
    page.get_by_role("button", name="Presentar la propuesta").click()
    page.wait_for_url("**/directorio/propuestas/1")
    assert "En votación" in page.locator("#proposal-status").inner_text()

    for sector, member in (("Estado", "E-01"), ("Empleadores", "P-01"), ("Trabajadores", "T-01")):
        page.get_by_label("Sector").select_option(label=sector)
        page.get_by_label("Código del director(a)").fill(member)
        page.get_by_label("Voto", exact=True).select_option(label="A favor")
        page.get_by_role("button", name="Registrar el voto").click()
        page.wait_for_selector(f"td:has-text('{member}')")
    assert page.locator("tbody tr").count() == 3
    shot(page, "board-proposal-votes")

    page.get_by_role("button", name="Cerrar la votación").click()
    page.wait_for_selector("#instrument")
    assert "Aprobada" in page.locator("#proposal-status").inner_text()
    assert "Acuerdo de Directorio N° 2026-0001" in page.locator("#instrument").inner_text()
    shot(page, "board-proposal-approved")

    page.get_by_role("link", name="Ver los parámetros").click()
    page.wait_for_url("**/parametros")
    row = page.locator("tr.history", has_text="Acuerdo de Directorio N° 2026-0001")
    row.locator("summary").click()
    assert "Desde 01/06/2026: 15 — Acuerdo de Directorio N° 2026-0001" in row.inner_text()
    shot(page, "parameters-history")


def test_board_refusals_are_one_line(page: Any, server: LiveServer) -> None:
    login(page, server.url, "Directorio")
    page.goto(server.url + "/directorio/instrumentos")
    page.get_by_label("Tipo de instrumento").select_option("resolucion")
    page.get_by_label("Número").fill("010-2026")
    page.get_by_label("Fecha del instrumento (dd/mm/aaaa)").fill("01/03/2026")
    page.get_by_label("Vigencia desde (dd/mm/aaaa)").fill("01/04/2026")
    page.get_by_label("Valores (nombre=valor, uno por línea)").fill("financing.contribution_rate=0.02")
    page.get_by_role("button", name="Registrar", exact=True).click()
    alert = page.get_by_role("alert")
    assert "solo una Ley puede cambiarlo" in alert.inner_text()
    shot(page, "board-instrument-refused")
    page.goto(server.url + "/directorio/estados?periodo=2026")
    page.wait_for_selector("#total-assets")
    shot(page, "board-statements")
    page.goto(server.url + "/directorio/estudio")
    shot(page, "board-study")
