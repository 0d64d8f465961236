"""A worker on a phone estimates the benefit, in a real browser (Debian chromium)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.web.conftest import LiveServer, check_a11y, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def test_worker_estimates_benefit_on_a_phone(page: Any, live_server: LiveServer) -> None:
    page.goto(live_server.url + "/")
    assert page.locator("html").get_attribute("lang") == "es-PE"
    check_a11y(page)
    screenshot(page, "public-home")
    page.get_by_role("link", name="¿Cuánto recibiría?").first.click()
    page.get_by_label("Remuneración mensual (S/)").fill("3000.00")
    page.get_by_label("Meses aportados en los últimos 24").fill("14")
    page.get_by_label("Fecha de cese (dd/mm/aaaa)").fill("31/05/2025")
    page.get_by_label("Fecha de solicitud (dd/mm/aaaa)").fill("15/06/2025")
    page.get_by_label("Motivo del cese").select_option("03")
    page.get_by_role("button", name="Calcular").click()
    page.wait_for_selector("text=Cumpliría los requisitos")
    # 3,000 × 70 % = 2,100.00; total 3,000 × 3.00 = 9,000.00
    amounts = page.locator("#resultado td.num").all_inner_texts()
    assert amounts[:2] == ["70 %", "S/ 2,100.00"]
    assert page.locator("#resultado tfoot td").inner_text() == "S/ 9,000.00"
    check_a11y(page)
    screenshot(page, "public-estimate")


def test_keyboard_only_and_english(page: Any, live_server: LiveServer) -> None:
    page.goto(live_server.url + "/")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent")
    assert "Saltar" in focused
    page.get_by_role("link", name="English").click()
    page.wait_for_selector("html[lang=en]")
    assert page.get_by_role("heading", level=1).inner_text() == "Unemployment Insurance"
    check_a11y(page)
    screenshot(page, "public-home-en")
    page.get_by_role("link", name="Español").click()


def test_estimate_error_shows_in_place_with_javascript(page: Any, live_server: LiveServer) -> None:
    page.goto(live_server.url + "/estimar")
    page.get_by_label("Remuneración mensual (S/)").fill("-5")
    page.get_by_role("button", name="Calcular").click()
    alert = page.locator("#resultado [role=alert]")
    alert.wait_for()
    assert "Remuneración mensual" in alert.inner_text()   # the field by its Spanish label (issue 30)
    assert page.url.endswith("/estimar")
