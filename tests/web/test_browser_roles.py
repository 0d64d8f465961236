"""Each role's main journey in a real browser (Debian chromium, phone viewport), over a seeded
database: log in, do the task, see the result; a screenshot of every page; WCAG basics checked
on every page; one role cannot reach another's pages nor another worker's data.

The tests share one seeded database but do not depend on each other's writes (under pytest-xdist
a module fixture may be rebuilt between two of its tests).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.payroll.helpers import dni, write_rem
from tests.web.conftest import LiveServer, check_a11y, login, screenshot, seeded_app
from tests.web.seed import RUC_A, Seeded

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LiveServer, Seeded]]:
    app, seeded = seeded_app(tmp_path_factory.mktemp("browserdb"))
    with LiveServer(app) as server:
        yield server, seeded


def shot(page: Any, name: str) -> None:
    check_a11y(page)
    screenshot(page, name)


def test_worker_sees_meter_files_a_claim(page: Any, world: tuple[LiveServer, Seeded]) -> None:
    server, seeded = world
    login(page, server.url, "Trabajador(a)", str(seeded.workers[7]))
    assert page.url.endswith("/trabajador")
    assert page.locator(".meter-count strong").inner_text() == "18"
    assert page.locator("ol.meter li.yes").count() == 18
    # Worker 7's job ended on 30/06/2025 (T-Registro): no "if I lost my job today" (issue 30).
    assert page.get_by_text("Si perdiera mi empleo hoy").count() == 0
    shot(page, "worker-contributions")
    page.get_by_role("link", name="Solicitar la prestación").first.click()
    page.wait_for_url("**/trabajador/solicitud")     # the check below must not run mid-navigation
    shot(page, "worker-file-claim")
    page.get_by_role("button", name="Presentar solicitud").click()     # unchecked: the browser blocks it
    assert page.url.endswith("/trabajador/solicitud")
    page.get_by_label("Declaro que perdí mi empleo").check()
    page.get_by_role("button", name="Presentar solicitud").click()
    page.wait_for_selector("text=presentada")
    assert "/trabajador/reclamos/C-" in page.url
    shot(page, "worker-claim-filed")


def test_caseworker_queue_case_decide_appeals_and_payments(page: Any, world: tuple[LiveServer, Seeded],
                                                          tmp_path: Path) -> None:
    server, seeded = world
    login(page, server.url, "Gestor(a) de casos")
    assert page.url.endswith("/gestion")
    page.get_by_label("Estado").select_option("filed")
    page.get_by_role("button", name="Filtrar").click()
    assert page.locator(f"main tbody >> text={seeded.claim_filed}").count() == 1
    assert page.locator(f"main tbody >> text={seeded.claim_paying}").count() == 0
    shot(page, "caseworker-queue")
    page.get_by_role("link", name=seeded.claim_filed).click()
    page.wait_for_selector("text=Lo que dicen las reglas hoy")
    shot(page, "caseworker-case")
    page.get_by_role("button", name="Resolver con las reglas").click()
    page.wait_for_selector(".state:has-text('aprobada')")
    assert page.locator("text=claim.approve").count() >= 1
    shot(page, "caseworker-case-decided")
    page.get_by_role("link", name="Recursos").first.click()
    shot(page, "caseworker-appeals")
    page.get_by_role("link", name="Pagos del mes").click()
    page.get_by_label("Mes del pago (AAAA-MM)").fill("2025-08")
    page.get_by_role("button", name="Vista previa").click()
    assert int(page.locator(".run-count").inner_text()) >= 1
    assert page.locator(f"main tbody >> text={seeded.claim_paying}").count() == 1
    shot(page, "caseworker-payment-preview")
    with page.expect_download() as dl:
        page.get_by_role("button", name="Ejecutar el pago y descargar el archivo del banco").click()
    target = tmp_path / dl.value.suggested_filename
    dl.value.save_as(target)
    assert target.name.startswith("pagos_2025-08") and target.read_text().count("\n") >= 2


def test_worker_sees_decision_payments_obligations(page: Any, world: tuple[LiveServer, Seeded]) -> None:
    server, seeded = world
    login(page, server.url, "Trabajador(a)", str(seeded.workers[3]))       # approved in April, being paid
    page.get_by_role("link", name="Mis solicitudes").first.click()
    shot(page, "worker-claims")
    page.get_by_role("link", name=seeded.claim_paying).click()
    page.wait_for_selector("text=Se le otorga la prestación")
    assert page.locator("text=art. 7").count() >= 1
    assert page.locator("#pay-h").is_visible() and page.locator("#ob-h").is_visible()
    assert "Pagado hasta hoy" in page.locator("main").inner_text()      # May, June and July paid
    shot(page, "worker-decision")
    page.get_by_role("link", name="Ver la resolución completa").click()
    page.wait_for_load_state()
    screenshot(page, "worker-decision-letter")


def test_worker_appeals_a_denial_with_its_deadline(page: Any, world: tuple[LiveServer, Seeded]) -> None:
    server, seeded = world
    login(page, server.url, "Trabajador(a)", str(seeded.workers[2]))
    page.goto(f"{server.url}/trabajador/reclamos/{seeded.claim_denied}")
    page.wait_for_selector("text=No se le otorga la prestación")
    assert "02/09/2025" in page.locator("#recursos").inner_text()
    page.get_by_label("Apelación").check()
    page.get_by_label("Fundamentos").fill("La renuncia fue forzada por el empleador; adjunto pruebas.")
    page.get_by_role("button", name="Presentar recurso").click()
    page.wait_for_selector(f"text={seeded.claim_denied}-A1")
    shot(page, "worker-appeal-filed")


def test_employer_uploads_plame_sees_errors_then_accepts(page: Any, world: tuple[LiveServer, Seeded],
                                                         tmp_path: Path) -> None:
    server, _ = world
    login(page, server.url, "Empleador", RUC_A)
    assert page.url.endswith("/empleador")
    shot(page, "employer-home")
    bad = write_rem(tmp_path, RUC_A, "2025-07", [("01", dni(5), "0121", "3000.00", "3000.00"),
                                                 ("01", "12", "0121", "3000.00", "3000.00"),
                                                 ("01", dni(6), "9999", "3000.00", "3000.00")])
    page.get_by_label("Archivo PLAME (.rem)").set_input_files(str(bad))
    page.get_by_role("button", name="Subir").click()
    page.wait_for_selector("text=Rechazado")
    lines = page.locator("#informe tbody tr td:first-child").all_inner_texts()
    assert lines[:2] == ["2", "3"]
    assert page.locator("#upload-progress").get_attribute("max") == "100"
    shot(page, "employer-upload-errors")
    good = tmp_path / "ok"
    good.mkdir()
    ok = write_rem(good, RUC_A, "2025-07", [("01", dni(5), "0121", "3000.00", "3000.00")])
    page.get_by_label("Archivo PLAME (.rem)").set_input_files(str(ok))
    page.get_by_role("button", name="Subir").click()
    page.wait_for_selector("text=Aceptado")
    assert page.locator("#dp-h + .scroll table").inner_text().count("julio 2025") == 1
    shot(page, "employer-upload-accepted")


def test_officer_records_a_session_and_a_placement(page: Any, world: tuple[LiveServer, Seeded]) -> None:
    server, seeded = world
    login(page, server.url, "Servicio de empleo")
    assert page.url.endswith("/empleo")
    shot(page, "officer-claimants")
    ob = f"{seeded.claim_paying}-O1"
    form = page.locator(f"form[action='/empleo/obligaciones/{ob}']")
    form.get_by_label("no cumplió", exact=True).check()
    form.get_by_label("Causa justificada (si no cumplió)").select_option("JC01")
    form.get_by_role("button").click()
    page.wait_for_selector("text=(JC01)")
    page.get_by_label("Solicitud", exact=True).fill(seeded.claim_paying)
    page.get_by_label("Fecha de inicio (dd/mm/aaaa)").fill("01/09/2025")
    page.get_by_label("Empleador (RUC)").fill(RUC_A)
    page.get_by_role("button", name="Registrar colocación").click()
    page.wait_for_selector(f"#pl-h ~ .scroll table >> text={seeded.claim_paying}")
    shot(page, "officer-recorded")


def test_board_and_public_dashboard(page: Any, world: tuple[LiveServer, Seeded]) -> None:
    server, _ = world
    page.goto(server.url + "/transparencia")
    assert page.locator("main svg[role=img]").count() >= 4
    shot(page, "public-dashboard")
    with page.expect_download() as dl:
        page.get_by_role("link", name="Descargar CSV: Aportes y prestaciones por mes").click()
    assert dl.value.suggested_filename == "flujos.csv"
    login(page, server.url, "Directorio")
    assert page.url.endswith("/tablero")
    page.wait_for_selector("text=Balance de comprobación")
    shot(page, "board-dashboard")
    page.get_by_role("link", name="English").click()
    page.wait_for_selector("html[lang=en]")
    assert page.get_by_role("heading", level=1).inner_text() == "Board"
    shot(page, "board-dashboard-en")
    page.get_by_role("link", name="Español").click()


def test_roles_cannot_cross(page: Any, world: tuple[LiveServer, Seeded]) -> None:
    server, seeded = world
    login(page, server.url, "Trabajador(a)", str(seeded.workers[1]))
    resp = page.goto(f"{server.url}/trabajador/reclamos/{seeded.claim_paying}")
    assert resp is not None and resp.status == 403
    assert "otra persona" in page.locator("main").inner_text()
    shot(page, "worker-other-claim-denied")
    for path in ("/gestion", "/empleador", "/empleo", "/tablero"):
        resp = page.goto(server.url + path)
        assert resp is not None and resp.status == 403, path
    login(page, server.url, "Empleador", RUC_A)
    resp = page.goto(f"{server.url}/trabajador/reclamos/{seeded.claim_filed}")
    assert resp is not None and resp.status == 403
    page.get_by_role("button", name="Salir").click()
    resp = page.goto(server.url + "/gestion")
    assert page.url.endswith("/ingresar")


def test_keyboard_reaches_the_login_form_with_visible_focus(page: Any, world: tuple[LiveServer, Seeded]) -> None:
    server, _ = world
    page.goto(server.url + "/parametros")
    shot(page, "public-parameters")
    page.goto(server.url + "/ingresar")
    shot(page, "login")
    seen = []
    for _ in range(15):
        page.keyboard.press("Tab")
        info = page.evaluate("""() => { const e = document.activeElement;
            const s = getComputedStyle(e); return [e.id || e.tagName, s.outlineStyle, s.outlineWidth]; }""")
        seen.append(info[0])
        if info[0] in ("username", "password", "code"):     # the sign-in form (the demo's is off here)
            assert info[1] != "none" and info[2] != "0px", info
    assert "username" in seen and "password" in seen and "code" in seen


def test_worker_files_with_the_keyboard_only(page: Any, world: tuple[LiveServer, Seeded]) -> None:
    server, seeded = world
    login(page, server.url, "Trabajador(a)", str(seeded.workers[5]))      # worker 5 still works
    page.goto(server.url + "/trabajador/solicitud")
    for _ in range(30):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.name") == "confirm":
            break
    assert page.evaluate("document.activeElement.name") == "confirm"
    page.keyboard.press("Space")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent").strip() == "Presentar solicitud"
    page.keyboard.press("Enter")
    alert = page.locator("[role=alert]")
    alert.wait_for()
    assert "No hay un cese suyo registrado" in alert.inner_text()   # nothing to claim yet
    shot(page, "worker-file-claim-refused")
