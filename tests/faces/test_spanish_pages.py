"""Spanish throughout the Spanish pages (issue 30): every page of every role, rendered on a demo
database in Spanish, holds none of the English words that used to leak; wrong addresses and a
direct GET of /salir get a Spanish HTML page; the estimate form's errors are Spanish.

The pages are rendered by the application (the HTML a browser receives; the pages need no script
to show their text). Technical records shown to staff as they are kept — the rules' trace (in
``<pre>``), parameter identifiers (in ``<code>``) and the audit log table — are left out.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from seguro_desempleo.api.app import create_app
from tests import signin

# The leaks the issue lists, as whole words.
LEAKS = ("private", "public", "men", "women", "field", "is not an amount", "must be", "unknown", "Not Found",
         "Method Not Allowed", "detail", "coverage", "contingency", "employment_service", "waiting_period",
         "contributions", "requirements", "approved", "denied", "paying")


def spoken_text(page: str) -> str:
    body = re.sub(r"<(script|style|pre|code)[^>]*>.*?</\1>", " ", page, flags=re.S)
    body = re.sub(r"<table[^>]*>\s*<caption>Registro de auditoría</caption>.*?</table>", " ", body, flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", " ", body))


def leaks(page: str) -> list[str]:
    text = spoken_text(page)
    return [w for w in LEAKS if re.search(r"(?<![\w.])" + re.escape(w) + r"(?![\w.])", text)]


def test_the_scan_sees_a_leak() -> None:
    assert leaks("<p>por sector: private</p>") == ["private"]
    assert leaks("<p>por sector: privado</p><pre>private</pre><code>coverage.sectors</code>") == []


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TestClient, dict[str, Any]]]:
    from seguro_desempleo.demo import DemoConfig, run_demo

    d: Path = tmp_path_factory.mktemp("es")
    url = f"sqlite:///{d / 'demo.sqlite3'}"
    out = run_demo(DemoConfig(workers=300, months=14, seed=42, db=url))
    app = create_app(db_url=url, secret="t", today=dt.date.fromisoformat(out["last_date"]))
    with TestClient(app, follow_redirects=True) as c:
        yield c, out


def _login(c: TestClient, role: str, subject: str | None = None) -> None:
    c.cookies.clear()
    c.cookies.set("sd_token", signin.token(c, role, subject))     # an account's session (tests/signin.py)


def _every_page(c: TestClient, out: dict[str, Any]) -> Iterator[tuple[str, str]]:
    """(url, html) of every page of every role on the demo database, in Spanish."""
    _login(c, "caseworker")
    paying = c.get("/api/v1/claims?state=paying").json()["items"][0]
    denied = c.get("/api/v1/claims?state=denied").json()["items"][0]
    ruc = c.get("/api/v1/employers").json()["items"][0]["ruc"]
    pid = paying["id"]
    pages: dict[tuple[str, str | None] | None, list[str]] = {
        None: ["/", "/estimar", "/parametros", "/transparencia", "/ingresar", "/no-existe"],
        ("worker", paying["worker_id"]): ["/trabajador", "/trabajador/reclamos", f"/trabajador/reclamos/{pid}",
                                          "/trabajador/solicitud", f"/trabajador/reclamos/{pid}/resolucion"],
        ("caseworker", None): ["/gestion", f"/gestion/casos/{pid}", f"/gestion/casos/{denied['id']}",
                               "/gestion/recursos", "/gestion/pagos", "/gestion/controles", "/gestion/tamanos"],
        ("employment_officer", None): ["/empleo"],
        ("board", None): ["/tablero", "/directorio", "/directorio/estudio", "/directorio/instrumentos",
                          "/directorio/estados", f"/directorio/estados?periodo={out['last_month']}"],
        ("employer", ruc): ["/empleador"],
    }
    for who, urls in pages.items():
        if who is None:
            c.cookies.clear()
        else:
            _login(c, *who)
        for url in urls:
            r = c.get(url, headers={"accept": "text/html"})
            assert r.status_code in (200, 404), f"{url}: {r.status_code}"
            assert r.headers["content-type"].startswith("text/html"), url
            yield url, r.text


def test_every_page_in_spanish(demo: tuple[TestClient, dict[str, Any]]) -> None:
    c, out = demo
    found = []
    for url, page in _every_page(c, out):
        found += [f"{url}: {w}" for w in leaks(page)]
    assert found == []


# A month written for machines: 2025-04 (not part of a date 2025-04-30) or 202504.
MACHINE_MONTH = re.compile(r"(?<![\d-])20\d\d-(0[1-9]|1[0-2])(?![\d-])|(?<![\d.,/-])20\d\d(0[1-9]|1[0-2])(?![\d.,/-])")


def machine_months(page: str) -> list[str]:
    """The months of *page*'s spoken text written as ``YYYY-MM`` or ``YYYYMM`` (issue 30: "abril 2025"
    for people). Form values, ``<code>``/``<pre>`` and attributes are not spoken text."""
    text = spoken_text(page)
    return [m.group(0) for m in MACHINE_MONTH.finditer(text)]


def test_the_month_scan_sees_a_machine_month() -> None:
    assert machine_months("<td>2025-04</td><td>202504</td>") == ["2025-04", "202504"]
    assert machine_months('<td>abril 2025</td><td>30/04/2025</td><input value="2025-04"><code>2025-04</code>'
                          '<td>S/ 202,504.00</td>') == []


def test_months_for_people_on_every_page(demo: tuple[TestClient, dict[str, Any]]) -> None:
    c, out = demo
    found = []
    for url, page in _every_page(c, out):
        found += [f"{url}: {m}" for m in machine_months(page)]
    assert found == [], "\n".join(found)


def test_wrong_addresses_get_a_spanish_page(demo: tuple[TestClient, dict[str, Any]]) -> None:
    c, _ = demo
    c.cookies.clear()
    for url, status in (("/no-existe", 404), ("/salir", 405)):
        r = c.get(url)
        assert r.status_code == status and r.headers["content-type"].startswith("text/html")
        assert "<html" in r.text and ("Página no encontrada" in r.text or "Acción no disponible" in r.text)
    api = c.get("/api/v1/no-existe")
    assert api.status_code == 404 and api.headers["content-type"].startswith("application/problem+json")


@pytest.mark.parametrize(("pay", "claim_date", "expected"), [
    ("", "05/02/2025", "Remuneración mensual: no es un monto en soles"),
    ("-5", "05/02/2025", "Remuneración mensual: no puede ser negativo"),
    ("1500", "35/02/2025", "Fecha de solicitud: no es una fecha válida"),
    ("1500", "01/01/2025", "Fecha de solicitud: no puede ser anterior a la fecha de cese"),
])
def test_estimate_errors_in_spanish(demo: tuple[TestClient, dict[str, Any]], pay: str, claim_date: str,
                                    expected: str) -> None:
    c, _ = demo
    c.cookies.clear()
    r = c.post("/estimar", data={"pay": pay, "months": "12", "separation_date": "01/02/2025",
                                 "claim_date": claim_date, "cause": "03", "size": "large"},
               headers={"origin": "http://testserver"})
    assert r.status_code == 422
    assert expected in html.unescape(r.text)
    assert leaks(r.text) == []


def test_breakdowns_and_months_for_people() -> None:
    from seguro_desempleo.web import i18n

    assert i18n.category("sex", "F") == "mujeres" and i18n.category("sex", "M", "en") == "men"
    assert i18n.category("sector", "private") == "privado" and i18n.category("region", "Lima") == "Lima"
    assert i18n.mes("2025-04") == "abril 2025" and i18n.mes("2025-04", "en") == "April 2025"
    from seguro_desempleo.periods import parse_period

    index = parse_period("2025-04")                 # as the stores keep a month; as a file names it
    assert i18n.mes(index) == i18n.mes(str(index)) == i18n.mes("202504") == "abril 2025"
    assert i18n.mes("2025") == "2025" and i18n.mes("202513") == "202513"


def test_the_letter_names_parameters_by_their_label(demo: tuple[TestClient, dict[str, Any]]) -> None:
    c, _ = demo
    _login(c, "caseworker")
    pid = c.get("/api/v1/claims?state=paying").json()["items"][0]["id"]
    letter = c.get(f"/api/v1/claims/{pid}/letter").text      # the HTML the PDF is printed from
    assert "requirements.waiting_period_days" not in letter and "coverage.sectors" not in letter
    assert "<thead>" in letter and "table-header-group" in letter
    assert leaks(letter) == []


def test_the_workers_page_shows_the_open_claim_first(demo: tuple[TestClient, dict[str, Any]]) -> None:
    from seguro_desempleo.web import i18n

    c, _ = demo
    _login(c, "caseworker")
    paying = c.get("/api/v1/claims?state=paying").json()["items"][0]
    _login(c, "worker", paying["worker_id"])
    page = c.get("/trabajador").text
    claim_at = page.find("Mi solicitud en curso")
    assert 0 <= claim_at < page.find("Aportes que cuentan"), "the open claim comes first"
    assert paying["id"] in page and "en pago" in page and "Próximo pago" in page
    # Out of work while claiming: no "if I lost my job today".
    assert i18n.text("if_lost_today", "es") not in page


def test_the_appeal_form_is_gone_after_its_deadline(demo: tuple[TestClient, dict[str, Any]]) -> None:
    c, out = demo
    _login(c, "caseworker")
    last = dt.date.fromisoformat(out["last_date"])
    old = next(x for x in c.get("/api/v1/claims?state=denied&limit=500").json()["items"]
               if dt.date.fromisoformat(x["decided_on"]) < last - dt.timedelta(days=60))
    # issue 26 item 9: the term runs from the act's recorded notification (none recorded: the form stays)
    act = c.get(f"/api/v1/claims/{old['id']}/acts").json()["items"][-1]
    r = c.post(f"/api/v1/acts/{act['number']}/notification", json={"notified_on": old["decided_on"]},
               headers={"Origin": "http://testserver"})
    assert r.status_code == 200, r.text
    _login(c, "worker", old["worker_id"])
    page = c.get(f"/trabajador/reclamos/{old['id']}").text
    assert "/recurso" not in page and "name=\"grounds\"" not in page


def test_the_meter_names_months_for_people(demo: tuple[TestClient, dict[str, Any]]) -> None:
    c, out = demo
    _login(c, "caseworker")
    worker = c.get("/api/v1/claims?state=paying").json()["items"][0]["worker_id"]
    _login(c, "worker", worker)
    page = c.get("/trabajador").text
    from seguro_desempleo.web import i18n

    assert i18n.mes(out["last_month"]) in page                 # "febrero 2025", not "2025-02"
    assert f'<span class="m">{out["last_month"]}</span>' not in page


# ----------------------------------------------------------------------------- the PDFs (issue 30)

MONEY_IN_TEXT = re.compile(r"S/ ?(-?[\d.,]*\d)")
SOLES_PE = re.compile(r"\d{1,3}(,\d{3})*\.\d\d")
UNLABELLED_CODE = re.compile(r"(Motivo de cese|contrato|Tabla \d+) (\d{2})(?!\s*\()")


def pdf_pages(data: bytes) -> list[str]:
    import io

    from pypdf import PdfReader

    assert data.startswith(b"%PDF"), data[:40]
    return [p.extract_text() or "" for p in PdfReader(io.BytesIO(data)).pages]


def pdf_faults(pages: list[str]) -> list[str]:
    """What a PDF for people must not hold: an English leak word, a machine month (2025-04), an
    amount not written ``S/ 1,234.56``, a code without its Tabla label ("Motivo de cese 07")."""
    text = "\n".join(pages)
    faults = [f"leak: {w}" for w in leaks(text)]
    faults += [f"month: {m.group(0)}" for m in MACHINE_MONTH.finditer(text)]
    faults += [f"money: S/ {m.group(1)}" for m in MONEY_IN_TEXT.finditer(text) if not SOLES_PE.fullmatch(m.group(1))]
    faults += [f"code without its label: {m.group(0)}" for m in UNLABELLED_CODE.finditer(text)]
    return faults


def test_the_pdf_checker_sees_each_fault() -> None:
    assert pdf_faults(["Motivo de cese 03 (Despido o destitución), S/ 1,680.00, abril 2025"]) == []
    assert pdf_faults(["Motivo de cese 07, S/ 1680.00, 2025-04, contributions"]) == [
        "leak: contributions", "month: 2025-04", "money: S/ 1680.00", "code without its label: Motivo de cese 07"]


def test_the_letters_as_pdf(demo: tuple[TestClient, dict[str, Any]]) -> None:
    """The resolution letter (granted and denied) as the worker receives it: Spanish, codes with their
    label, months and money for people, and the benefits table's header on the page of its rows."""
    c, _ = demo
    _login(c, "caseworker")
    granted = c.get("/api/v1/claims?state=paying").json()["items"][0]["id"]
    denied = c.get("/api/v1/claims?state=denied").json()["items"][0]["id"]
    faults = []
    for cid in (granted, denied):
        r = c.get(f"/api/v1/claims/{cid}/letter?format=pdf")
        assert r.status_code == 200 and r.headers["content-type"].startswith("application/pdf"), r.text[:200]
        pages = pdf_pages(r.content)
        faults += [f"{cid}: {f}" for f in pdf_faults(pages)]
        assert "Motivo de cese" in "".join(pages) or cid == denied
    assert faults == [], "\n".join(faults)
    # The benefits table: its header and every installment with the total on one page.
    pages = pdf_pages(c.get(f"/api/v1/claims/{granted}/letter?format=pdf").content)
    shown = c.get(f"/api/v1/claims/{granted}").json()
    page = next(p for p in pages if "Mes Porcentaje Monto" in p)
    from seguro_desempleo.money import format_soles, parse_soles

    for i in shown["installments"]:
        assert f"{i['number']} " in page and format_soles(parse_soles(i["amount"])) in page, i
    assert "Total S/" in page


def test_the_fund_statements_as_pdf(demo: tuple[TestClient, dict[str, Any]]) -> None:
    c, out = demo
    _login(c, "board")
    faults = []
    for period in (out["last_month"][:4], out["last_month"]):
        r = c.get(f"/directorio/estados.pdf?periodo={period}")
        assert r.status_code == 200 and r.headers["content-type"].startswith("application/pdf")
        pages = pdf_pages(r.content)
        faults += [f"{period}: {f}" for f in pdf_faults(pages)]
        assert "S/ " in pages[0]
    assert faults == [], "\n".join(faults)
    from seguro_desempleo.web import i18n

    assert i18n.mes(out["last_month"]) in " ".join(pages[0].split())   # "Estados financieros del fondo febrero 2025"


def test_the_valuation_report_as_pdf(tmp_path: Path) -> None:
    from seguro_desempleo.cli import main

    assert main(["valuation", "report", "--out", str(tmp_path), "--runs", "100"]) == 0
    pages = pdf_pages((tmp_path / "report.pdf").read_bytes())
    text = "\n".join(pages)
    assert pdf_faults(pages) == []
    assert "miles de soles" in text                                 # the ILO tables say their unit
    assert "S/ 1,137.00" in text                                    # the average benefit, in soles
    assert re.search(r"Fecha: \d\d/\d\d/\d{4}\.", text)


def test_months_in_english_for_an_english_reader(demo: tuple[TestClient, dict[str, Any]]) -> None:
    from seguro_desempleo.web import i18n

    c, _ = demo
    _login(c, "caseworker")
    paying = c.get("/api/v1/claims?state=paying").json()["items"][0]
    shown = c.get(f"/api/v1/claims/{paying['id']}").json()
    _login(c, "worker", paying["worker_id"])
    c.cookies.set("sd_lang", "en")
    try:
        page = c.get(f"/trabajador/reclamos/{paying['id']}").text
    finally:
        c.cookies.delete("sd_lang")
    assert machine_months(page) == []
    first = shown["installments"][0]["period"]
    assert i18n.mes(first, "en") in page and i18n.mes(first, "es") not in page     # "January 2025"
    assert i18n.months_in("de 2023-01 a 2024-12 (30/04/2025; 2025-04-30)") == \
        "de enero 2023 a diciembre 2024 (30/04/2025; 2025-04-30)"


def test_an_acts_letter_names_months_for_people() -> None:
    """The letters of the other acts (suspension, overpayment…) write their months as people read them."""
    from seguro_desempleo.claims.acts import ActKind, ActLetter, render_act_html

    kind = next(iter(ActKind))
    letter = ActLetter(kind, grounds=["Se pagó la cuota de 2025-03 después del nuevo empleo del 15/03/2025."],
                       resolves=["Devolver lo pagado por 2025-03 y 2025-04."], rows=[("Mes", "2025-03")])
    page = render_act_html(letter, number="ACT-1", claim_id="C-1", issued_on=dt.date(2025, 5, 2), worker_name="X")
    assert machine_months(page) == []
    assert "cuota de marzo 2025" in page and "marzo 2025 y abril 2025" in page and "15/03/2025" in page
