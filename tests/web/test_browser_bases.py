"""Every projection page says its basis (issue 29), in a real browser (Debian chromium): the public and
board dashboards (fund's own books, ILO 2021, microsimulation of the bill, side by side with the reserve
target) and the valuation report."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.web.conftest import LiveServer, check_a11y, login, screenshot, seeded_app
from tests.web.seed import Seeded

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

BASES = ("libros del fondo", "OIT 2021 (valuación actuarial citada en el PL 5510/2022-CR)",
         "microsimulación del diseño bill")


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LiveServer, Seeded]]:
    app, seeded = seeded_app(tmp_path_factory.mktemp("basesdb"))
    with LiveServer(app) as server:
        yield server, seeded


def _every_figure_is_labelled(page: Any) -> None:
    """Each chart of a projection or of the books carries a basis in its caption."""
    figures = page.locator("main figure")
    assert figures.count() >= 5
    for i in range(figures.count()):
        fig = figures.nth(i)
        svg_title = fig.locator("svg").first.get_attribute("aria-label") or ""
        if any(w in svg_title for w in ("Saldo", "Ratio", "Aportes", "Valuación", "proyectado", "Fund", "reserve",
                                        "Reserve", "valuation", "Contributions")):
            assert fig.locator(".basis").count() >= 1, f"figure '{svg_title}' has no basis"


def test_public_dashboard_labels_every_projection(page: Any, world: tuple[LiveServer, Seeded]) -> None:
    server, _ = world
    page.goto(server.url + "/transparencia")
    text = page.locator("main").inner_text()
    for basis in BASES:
        assert basis in text, basis
    assert "Meta de reserva" in text and "24 meses" in text
    _every_figure_is_labelled(page)
    # side by side: one row per basis, each with its own rate for the target
    rows = page.locator("section[aria-labelledby=bases-h] tbody tr")
    assert rows.count() == 3
    assert page.locator("section[aria-labelledby=bases-h] [data-basis=microsim-bill]").count() >= 1
    check_a11y(page)
    screenshot(page, "dashboard-bases")


def test_board_dashboard_labels_in_both_languages(page: Any, world: tuple[LiveServer, Seeded]) -> None:
    server, _ = world
    login(page, server.url, "Directorio")
    assert page.url.endswith("/tablero")
    text = page.locator("main").inner_text()
    for basis in BASES:
        assert basis in text, basis
    _every_figure_is_labelled(page)
    page.get_by_role("link", name="English").click()
    page.wait_for_selector("html[lang=en]")
    text = page.locator("main").inner_text()
    for basis in ("fund's own books", "ILO 2021", "microsimulation of design bill", "Reserve target"):
        assert basis in text, basis
    page.get_by_role("link", name="Español").click()


def test_valuation_report_labels_every_projection(page: Any, tmp_path: Path) -> None:
    from seguro_desempleo.actuarial.valuation import Request
    from seguro_desempleo.reports.valuation import write_report

    write_report(Request(), tmp_path, runs=200, seed=1, pdf=False)
    page.goto((tmp_path / "report.html").as_uri())
    labels = page.locator(".basis")
    assert labels.count() >= 8
    for i in range(labels.count()):
        assert "OIT 2021" in labels.nth(i).inner_text()
    for h2 in ("Cuadro 1", "Cuadro 2", "Escenarios de estrés", "Escenarios estocásticos", "Sensibilidad"):
        section_label = page.locator(f"h2:has-text('{h2}') + p.basis")
        assert section_label.count() == 1, h2
