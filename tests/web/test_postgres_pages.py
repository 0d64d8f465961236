"""The role pages on PostgreSQL (the production database): the same seed, every page answers and
the writing forms work (decide, upload, appeal, payment run, obligations)."""

from __future__ import annotations

import re
from pathlib import Path

from fastapi.testclient import TestClient

from tests import signin
from tests.payroll.helpers import dni, write_rem
from tests.web.seed import RUC_A, seed, seeded_app


def test_every_role_page_on_postgresql(pg_url: str, tmp_path: Path) -> None:
    seeded = seed(tmp_path, pg_url)
    app = seeded_app(seeded, "pg-pages")

    def as_(role: str, subject: str = "") -> TestClient:
        c = TestClient(app)
        signin.web(c, role, subject)
        return c

    w = as_("worker", str(seeded.workers[2]))
    assert re.search(r"<strong>17</strong> de 12", w.get("/trabajador").text)
    r = w.post(f"/trabajador/reclamos/{seeded.claim_denied}/recurso",
               data={"kind": "apelacion", "grounds": "La renuncia fue forzada."})
    assert r.status_code == 200 and f"{seeded.claim_denied}-A1" in r.text
    assert w.get(f"/trabajador/reclamos/{seeded.claim_paying}").status_code == 403
    e = as_("employer", RUC_A)
    f = write_rem(tmp_path, RUC_A, "2025-07", [("01", dni(5), "0121", "3000.00", "3000.00")])
    r = e.post("/empleador/planilla", files={"file": (f.name, f.read_bytes())})
    assert r.status_code == 200 and "Aceptado" in r.text
    cw = as_("caseworker")
    assert seeded.claim_filed in cw.get("/gestion?region=Lima").text
    page = cw.get(f"/gestion/casos/{seeded.claim_filed}").text
    v = re.search(r'name="version" value="(\d+)"', page)
    assert v
    r = cw.post(f"/gestion/casos/{seeded.claim_filed}/decidir", data={"version": v.group(1)})
    assert r.status_code == 200 and "aprobada" in r.text
    assert f"{seeded.claim_denied}-A1" in cw.get("/gestion/recursos").text
    assert seeded.claim_paying in cw.get("/gestion/pagos?periodo=2025-08").text
    r = cw.post("/gestion/pagos", data={"periodo": "2025-08"})
    assert r.status_code == 200 and "attachment" in r.headers["content-disposition"]
    o = as_("employment_officer")
    r = o.post(f"/empleo/obligaciones/{seeded.claim_paying}-O1", data={"outcome": "complied"})
    assert r.status_code == 200
    b = as_("board")
    r = b.get("/tablero")
    assert r.status_code == 200 and "Cuadra" in r.text and "Solicitudes y aprobaciones" in r.text
    assert TestClient(app).get("/transparencia/datos/reclamos.csv").status_code == 200
