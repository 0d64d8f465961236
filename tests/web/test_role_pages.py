"""Role pages without a browser (TestClient): each role's task, the role and row checks, the
dashboard's suppression of small cells, forms without JavaScript."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from seguro_desempleo.api.app import create_app
from seguro_desempleo.domain.payroll import ISSUE_CODES
from seguro_desempleo.services.claims_app import claims_context
from seguro_desempleo.storage.uow import SqlUnitOfWork
from seguro_desempleo.web import i18n
from tests import signin
from tests.payroll.helpers import dni, write_rem
from tests.web.seed import RUC_A, RUC_B, TODAY, Seeded, seed


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Seeded:
    return seed(tmp_path_factory.mktemp("webdb"))


@pytest.fixture(scope="module")
def app(seeded: Seeded) -> object:
    a = create_app(db_url=seeded.url, secret="role-pages")
    a.state.web_today = TODAY
    return a


def client_as(app: object, role: str | None, subject: str | None = None) -> TestClient:
    c = TestClient(app)  # type: ignore[arg-type]
    if role:
        r = signin.web(c, role, subject)
        assert r.status_code == 303, r.text
    return c


@pytest.fixture()
def tmp_files(tmp_path: Path) -> Iterator[Path]:
    yield tmp_path


def test_login_goes_to_the_role_home(app: object) -> None:
    c = TestClient(app)  # type: ignore[arg-type]
    homes = {"worker": "/trabajador", "employer": "/empleador", "caseworker": "/gestion",
             "employment_officer": "/empleo", "board": "/tablero"}
    for role, home in homes.items():
        r = signin.web(c, role, "1" if role == "worker" else RUC_A)
        assert r.headers["location"] == home


def test_worker_meter_and_estimate(app: object, seeded: Seeded) -> None:
    c = client_as(app, "worker", str(seeded.workers[5]))
    r = c.get("/trabajador")
    assert r.status_code == 200
    # Jan 2024 – Jun 2025 declared: 18 months in the window Sep 2023 – Aug 2025
    assert re.search(r"<strong>18</strong> de 12", r.text)
    assert r.text.count('class="yes"') == 18 and "Textiles Andinos SAC" in r.text
    assert "Cumpliría los requisitos" in r.text and "S/ " in r.text
    # worker 4 works for two employers: both appear in the same month
    r = client_as(app, "worker", str(seeded.workers[4])).get("/trabajador")
    assert "Agroexport del Sur SAC" in r.text and "Textiles Andinos SAC" in r.text


def test_worker_cannot_see_another_workers_claim_or_staff_pages(app: object, seeded: Seeded) -> None:
    c = client_as(app, "worker", str(seeded.workers[1]))
    r = c.get(f"/trabajador/reclamos/{seeded.claim_paying}")
    assert r.status_code == 403 and "otra persona" in r.text
    assert seeded.claim_paying not in c.get("/trabajador/reclamos").text
    assert c.get(f"/trabajador/reclamos/{seeded.claim_paying}/resolucion").status_code == 403
    # a claim id that does not exist answers as another person's does: ids cannot be probed
    assert c.get("/trabajador/reclamos/C-999999").status_code == 403
    assert c.get("/trabajador/reclamos/C-999999/resolucion").status_code == 403
    for path in ("/gestion", "/gestion/pagos", "/empleo", "/empleador", "/tablero",
                 f"/gestion/casos/{seeded.claim_filed}"):
        assert c.get(path).status_code == 403, path
    r = c.post(f"/trabajador/reclamos/{seeded.claim_denied}/recurso", data={"kind": "apelacion", "grounds": "x"})
    assert r.status_code == 403
    anon = TestClient(app)  # type: ignore[arg-type]
    r = anon.get("/trabajador", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/ingresar"
    # a form posted from another site is refused even with a valid session (CSRF)
    r = c.post(f"/trabajador/reclamos/{seeded.claim_filed}/recurso", data={"kind": "apelacion", "grounds": "x"},
               headers={"Origin": "https://evil.example"})
    assert r.status_code == 403 and "otro sitio" in r.text
    forged = TestClient(app, cookies={"sd_token": "eyJyb2xlIjoiY2FzZXdvcmtlciJ9.forged"})  # type: ignore[arg-type]
    assert forged.get("/gestion", follow_redirects=False).status_code == 303


def test_employer_sees_only_its_ruc(app: object) -> None:
    c = client_as(app, "employer", RUC_B)
    r = c.get(f"/empleador?ruc={RUC_A}")
    assert r.status_code == 200 and RUC_B in r.text and "Textiles Andinos" not in r.text
    assert "No tiene deuda vencida" in r.text
    r = client_as(app, "employer", RUC_A).get("/empleador")
    # May and June 2025 are declared and unpaid
    assert "mayo 2025" in r.text and "junio 2025" in r.text and "No tiene deuda vencida" not in r.text
    assert client_as(app, "employer", RUC_A).get("/trabajador").status_code == 403


def test_employer_upload_reports_line_by_line_then_accepts(app: object, tmp_files: Path) -> None:
    c = client_as(app, "employer", RUC_A)
    bad = write_rem(tmp_files, RUC_A, "2025-07", [("01", dni(5), "0121", "3000.00", "3000.00"),
                                                  ("01", "123", "0121", "abc", "3000.00")])
    r = c.post("/empleador/planilla", files={"file": (bad.name, bad.read_bytes())})
    assert r.status_code == 422 and "Rechazado" in r.text
    rows = re.findall(r'<tr><td class="num">(\d+)</td><td>([^<]+)</td>', r.text)
    assert rows and all(line == "2" for line, _ in rows)
    shown = re.findall(r'<tr><td class="num">2</td><td>[^<]+</td><td>([^<]+)</td>', r.text)
    assert shown and all(reason in ISSUE_CODES.values() for reason in shown)   # Spanish reasons on a Spanish page
    assert ISSUE_CODES["other"] not in shown                                    # each line says what is wrong
    good = write_rem(tmp_files, RUC_A, "2025-07", [("01", dni(5), "0121", "3000.00", "3000.00")])
    r = c.post("/empleador/planilla", files={"file": (good.name, good.read_bytes())})
    assert r.status_code == 200 and "Aceptado" in r.text and "julio 2025" in r.text
    other = write_rem(tmp_files, RUC_B, "2025-07", [("01", dni(11), "0121", "1800.00", "1800.00")])
    r = c.post("/empleador/planilla", files={"file": (other.name, other.read_bytes())})
    assert r.status_code == 403 and "no es el de su empresa" in r.text
    r = c.post("/empleador/planilla", files={"file": ("planilla.txt", b"x")})
    assert r.status_code == 422 and "0601AAAAMM" in r.text


def test_caseworker_queue_filters_decides_and_overrides(app: object, seeded: Seeded) -> None:
    c = client_as(app, "caseworker")
    r = c.get("/gestion")
    assert all(cid in r.text for cid in (seeded.claim_filed, seeded.claim_denied, seeded.claim_paying))
    r = c.get("/gestion?estado=filed")
    assert seeded.claim_filed in r.text and seeded.claim_paying not in r.text
    r = c.get("/gestion?antiguedad=100")          # filed 08/04/2025: 134 days
    assert seeded.claim_paying in r.text and seeded.claim_filed not in r.text
    r = c.get("/gestion?region=Cusco")            # worker 3 lives in Cusco
    assert seeded.claim_paying in r.text and seeded.claim_denied not in r.text
    r = c.get(f"/gestion/casos/{seeded.claim_filed}")
    assert "Lo que dicen las reglas hoy" in r.text and "art. 7" in r.text
    version = re.search(r'name="version" value="(\d+)"', r.text)
    assert version
    for garbled in ("abc", "1e3", "-1", "٣"):  # a tampered form: said plainly, nothing decided
        r = c.post(f"/gestion/casos/{seeded.claim_filed}/decidir", data={"version": garbled})
        assert r.status_code == 422 and "version" in r.text, garbled
    assert c.get("/gestion/casos/C-999999").status_code == 404  # staff: not found is not found
    r = c.post(f"/gestion/casos/{seeded.claim_filed}/decidir", data={"version": version.group(1)})
    assert r.status_code == 200 and "aprobada" in r.text and "claim.approve" in r.text
    at = r.text.index("<td>claim.file</td>")
    audit = r.text[r.text.rindex("<tbody>", 0, at):r.text.index("</tbody>", at)]
    assert "claim.approve" in audit and "filed_on: " in audit
    assert not re.search(r"\d{4}-\d{2}-\d{2}|\{&#39;", audit)  # the audit trail in dd/mm/aaaa, not as Python dicts
    # a stale version loses: the claim was decided meanwhile
    r = c.post(f"/gestion/casos/{seeded.claim_filed}/decidir", data={"version": version.group(1)})
    assert r.status_code == 409
    r = c.post(f"/gestion/casos/{seeded.claim_filed}/modificar", data={"to": "closed", "reason": "corto"})
    assert r.status_code == 422 and "10 caracteres" in r.text
    reason = "el trabajador desistió por escrito el 19/08/2025"
    page = c.get(f"/gestion/casos/{seeded.claim_filed}").text
    v = re.search(r'name="version" value="(\d+)"', page)
    assert v
    r = c.post(f"/gestion/casos/{seeded.claim_filed}/modificar",
               data={"to": "closed", "reason": reason, "version": v.group(1)})
    assert r.status_code == 200 and "cerrada" in r.text and reason in r.text and "caseworker" in r.text


def test_worker_appeals_and_caseworker_sees_the_clock(app: object, seeded: Seeded) -> None:
    w = client_as(app, "worker", str(seeded.workers[2]))
    r = w.get(f"/trabajador/reclamos/{seeded.claim_denied}")
    assert r.status_code == 200 and "No se le otorga la prestación" in r.text and "art. 6" in r.text
    assert "Plazo para presentar un recurso" in r.text and "02/09/2025" in r.text
    r = w.post(f"/trabajador/reclamos/{seeded.claim_denied}/recurso", data={"kind": "reconsideracion",
                                                                           "grounds": ""})
    assert r.status_code == 422
    r = w.post(f"/trabajador/reclamos/{seeded.claim_denied}/recurso",
               data={"kind": "reconsideracion", "grounds": "Fui despedido; la renuncia fue forzada."})
    assert r.status_code == 200 and f"{seeded.claim_denied}-A1" in r.text
    c = client_as(app, "caseworker")
    r = c.get("/gestion/recursos")
    assert f"{seeded.claim_denied}-A1" in r.text and "días hábiles restantes" in r.text
    r = c.post(f"/gestion/recursos/{seeded.claim_denied}-A1/resolver", data={"outcome": "rejected"})
    assert r.status_code == 200 and "infundado" in r.text


def test_payment_run_preview_changes_nothing_then_the_bank_file(app: object, seeded: Seeded) -> None:
    def paid() -> tuple[int, int]:
        with SqlUnitOfWork(seeded.url) as uow:
            return claims_context(uow).payments.totals()

    before = paid()
    c = client_as(app, "caseworker")
    r = c.get("/gestion/pagos?periodo=2025-08")
    assert r.status_code == 200 and seeded.claim_paying in r.text
    assert paid() == before
    r = c.post("/gestion/pagos", data={"periodo": "2025-08"})
    assert r.status_code == 200 and "attachment" in r.headers["content-disposition"]
    assert paid()[0] == before[0] + 1 and len(r.text.splitlines()) >= 3
    r = c.get("/gestion/pagos?periodo=2025-08")
    assert "No hay cuotas por pagar" in r.text


def test_officer_records_sessions_with_just_cause_and_placements(app: object, seeded: Seeded) -> None:
    c = client_as(app, "employment_officer")
    r = c.get("/empleo")
    ob = f"{seeded.claim_paying}-O1"
    assert ob in r.text and "JC01" in r.text
    r = c.post(f"/empleo/obligaciones/{ob}", data={"outcome": "not_complied", "just_cause": "JC99"})
    assert r.status_code == 422 and "JC99" in r.text
    r = c.post(f"/empleo/obligaciones/{ob}", data={"outcome": "not_complied", "just_cause": "JC01"})
    assert r.status_code == 200 and "(JC01)" in r.text
    r = c.post(f"/empleo/obligaciones/{seeded.claim_paying}-O2", data={"outcome": "complied"})
    assert r.status_code == 200
    r = c.post("/empleo/colocaciones", data={"claim_id": seeded.claim_paying, "start_date": "01/09/2025",
                                              "employer_ruc": "123"})
    assert r.status_code == 422 and "employer_ruc" in r.text
    assert client_as(app, "caseworker").get("/empleo").status_code == 403


def test_dashboard_public_without_personal_data(app: object, seeded: Seeded) -> None:
    c = TestClient(app)  # type: ignore[arg-type]
    r = c.get("/transparencia")
    assert r.status_code == 200 and "<svg" in r.text and 'role="img"' in r.text
    assert "Última valuación actuarial" in r.text and "Saldo del fondo" in r.text
    assert dni(1) not in r.text and "Balance de comprobación" not in r.text
    # one claim has been paid: no average payment is published for a single person
    assert "<dt>Pago promedio</dt><dd>—</dd>" in r.text
    # June 2025 (the last complete month): 10 insured, 5 women and 5 men; no region reaches 5
    # (the category in Spanish since issue 30: "mujeres", not the code "F")
    assert re.search(r'<th scope="row">mujeres</th><td class="num">5</td>', r.text)
    assert re.search(r'<th scope="row">Lima</th><td class="num">&lt; 5</td>', r.text)
    for name in ("flujos", "cobertura", "reclamos", "valuacion"):
        csv = c.get(f"/transparencia/datos/{name}.csv")
        assert csv.status_code == 200 and csv.headers["content-type"].startswith("text/csv")
        assert dni(1) not in csv.text
    assert "region,Arequipa,<5" in c.get("/transparencia/datos/cobertura.csv").text
    claims_csv = c.get("/transparencia/datos/reclamos.csv").text
    # four claims: every group is a small cell, and no rate gives a hidden count back
    assert "solicitudes_sex,F,<5" in claims_csv and "tasa_aprobacion_sex,F,\n" in claims_csv
    assert "beneficiarios_mes,2025-05,<5" in claims_csv
    assert c.get("/transparencia/datos/personas.csv").status_code == 404
    assert c.get("/tablero", follow_redirects=False).status_code == 303
    r = client_as(app, "board").get("/tablero")
    assert "Balance de comprobación" in r.text and "Cuadra" in r.text


def test_every_dynamic_text_exists_in_both_languages() -> None:
    from seguro_desempleo.api.auth import Role
    from seguro_desempleo.claims.appeals import AppealKind, AppealOutcome
    from seguro_desempleo.claims.state import ClaimState
    from seguro_desempleo.employment_service.obligations import Outcome
    from seguro_desempleo.payments.schedule import InstallmentStatus
    from seguro_desempleo.rules.evaluate import REQUIREMENTS

    keys = ([f"role_{r.value}" for r in Role] + [f"state_{s.value}" for s in ClaimState]
            + [f"outcome_{o.value}" for o in (*AppealOutcome, *Outcome)] + [f"kind_{k.value}" for k in AppealKind]
            + [f"inst_{s.value}" for s in InstallmentStatus]
            + [f"status_{s}" for s in ("accepted", "partial", "rejected", "duplicate")]
            + [f"dim_{d}" for d in ("sex", "age_band", "region", "sector")]
            + [f"reqname_{key}" for key, _, _ in REQUIREMENTS]
            + ["login_required", "forbidden_role", "forbidden_row", "not_found", "not_decided", "grounds_required",
               "kind_required", "confirm_required", "choose_file", "bad_file_name", "other_ruc", "too_large",
               "override_target", "reason_required", "outcome_required", "database_not_ready", "cross_site", "no_separation", "open_claim_exists",
               "next_filed", "next_waiting", "next_suspended_reemployment", "next_suspended_obligations", "chart_reserve_ratio", "chart_valuation"])
    missing = [k for k in keys if set(i18n.TEXTS.get(k, {})) != {"es", "en"}]
    assert not missing


def test_english_role_page(app: object, seeded: Seeded) -> None:
    c = client_as(app, "worker", str(seeded.workers[5]))
    c.get("/idioma/en")
    r = c.get("/trabajador")
    assert 'lang="en"' in r.text and "Contributions that count in the last 24 months" in r.text
    assert "My claims" in r.text
    home = c.get("/").text  # the requirements in English, the waiting period's unit included
    assert 'lang="en"' in home and re.search(r"\(\d+ days\)", home) and "días" not in home
    c.get("/idioma/es")
    assert re.search(r"\(\d+ días\)", c.get("/").text)


def test_a_database_without_schema_gives_a_503_page(tmp_path: Path) -> None:
    app = create_app(db_url=f"sqlite:///{tmp_path / 'empty.sqlite3'}", secret="empty")
    c = TestClient(app)
    r = c.get("/transparencia")
    assert r.status_code == 503 and "no está lista" in r.text and "Traceback" not in r.text
    c.cookies.set("sd_token", "ses_" + "0" * 43)    # a session's cookie: the database that checks it has no schema
    assert c.get("/gestion").status_code == 503


def test_a_second_open_claim_is_refused_in_plain_words(app: object, seeded: Seeded) -> None:
    c = client_as(app, "worker", str(seeded.workers[3]))         # worker 3's claim is being paid
    r = c.post("/trabajador/solicitud", data={"confirm": "1"})
    assert r.status_code == 409 and "Ya tiene una solicitud en trámite" in r.text
    r = c.post("/trabajador/solicitud", data={})
    assert r.status_code == 422 and "Confirme la declaración" in r.text


def test_officer_records_an_employment_registration_and_the_claim_page_shows_it(app: object, seeded: Seeded) -> None:
    c = client_as(app, "employment_officer")
    r = c.get("/empleo")
    assert r.status_code == 200 and "Registrar inscripción" in r.text
    r = c.post("/empleo/inscripciones", data={"worker_id": str(seeded.workers[12]), "registered_on": "15/08/2025",
                                              "channel": "empleos_peru", "reference": "EP-1"},
               follow_redirects=False)
    assert r.status_code == 303, r.text
    with SqlUnitOfWork(seeded.url) as uow:
        from seguro_desempleo.services.claims_app import employment_registrations

        got = employment_registrations(claims_context(uow), str(seeded.workers[12]))
    assert [(g["registered_on"], g["channel"], g["recorded_by"]) for g in got][-1] == \
        ("2025-08-15", "empleos_peru", "user:t.employment_officer/employment_officer")   # an account (decision 0440)
    r = c.post("/empleo/inscripciones", data={"worker_id": "999999", "channel": "other"})
    assert r.status_code == 422 and "999999" in r.text
    r = c.post("/empleo/inscripciones", data={"worker_id": str(seeded.workers[12]), "channel": "fax"})
    assert r.status_code == 422 and "channel" in r.text
    assert client_as(app, "worker", str(seeded.workers[12])).post(
        "/empleo/inscripciones", data={"worker_id": str(seeded.workers[12]), "channel": "other"}).status_code == 403
    w = client_as(app, "worker", str(seeded.workers[3]))
    r = w.get(f"/trabajador/reclamos/{seeded.claim_paying}")
    assert r.status_code == 200 and "Inscripción (art. 7)" in r.text and "Inscrito(a) desde" in r.text
