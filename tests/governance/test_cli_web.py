"""The governance CLI and board pages: the commands end to end, one-line refusals (exit 2, 422),
role checks, and the statements as CSV and PDF."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from seguro_desempleo.api.app import create_app
from seguro_desempleo.cli import main
from tests import signin
from tests.auth.conftest import seed_worker
from tests.fixtures.databases import migrated_sqlite


@pytest.fixture
def url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    u = migrated_sqlite(tmp_path / "gov.sqlite3")
    monkeypatch.setenv("SEGURO_DB_URL", u)
    return u


def test_cli_flow(url: str, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert main(["instrument", "add", "--type", "resolucion", "--number", "1", "--date", "2026-02-01",
                 "--effective", "2026-03-01", "--set", "financing.contribution_rate=0.02"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "only a Ley can change it" in err and "Traceback" not in err
    assert main(["instrument", "add", "--type", "decreto_supremo", "--number", "001-2026-TR", "--date",
                 "2026-02-01", "--effective", "2026-03-01", "--set", "requirements.waiting_period_days=15",
                 "--transfer", "10000.00"]) == 0
    assert main(["instrument", "list"]) == 0
    assert "Decreto Supremo N° 001-2026-TR" in capsys.readouterr().out
    assert main(["proposal", "draft", "--kind", "waiting_period", "--title", "Carencia 20", "--set",
                 "requirements.waiting_period_days=20", "--effective", "2026-07-01", "--date", "2026-04-01"]) == 0
    for sector in ("state", "employers"):
        assert main(["proposal", "vote", "1", "--sector", sector, "--member", sector, "--choice", "yes",
                     "--date", "2026-04-02"]) == 0
    assert main(["proposal", "vote", "1", "--sector", "army", "--member", "x", "--choice", "yes"]) == 2
    assert main(["proposal", "decide", "1", "--date", "2026-04-03"]) == 0
    assert "rejected — sin quórum" in capsys.readouterr().out
    assert main(["fund", "transfer-received", "1", "4000.00", "--date", "2026-03-10"]) == 0
    assert main(["fund", "admin-cost", "100.00", "--date", "2026-03-11"]) == 0
    assert main(["fund", "pay-admin", "100.00", "--date", "2026-03-12"]) == 0
    assert main(["fund", "invest", "5000.00", "--date", "2026-03-12"]) == 2          # only 3,900.00 in the bank
    assert "bank account holds 390000" in capsys.readouterr().err
    assert main(["fund", "invest", "3000.00", "--date", "2026-03-12"]) == 0
    assert main(["fund", "income", "30.00", "--date", "2026-06-30"]) == 0
    assert main(["fund", "statements", "2026"]) == 0
    out = capsys.readouterr().out
    assert "Total activo S/ 9,930.00 = pasivo y patrimonio S/ 9,930.00" in out
    assert main(["fund", "statements", "2026", "--format", "csv", "--out", str(tmp_path / "s.csv")]) == 0
    assert "Total activo,9930.00" in (tmp_path / "s.csv").read_text(encoding="utf-8")
    assert main(["fund", "statements", "2026", "--format", "pdf", "--out", str(tmp_path / "s.pdf")]) == 0
    assert (tmp_path / "s.pdf").read_bytes()[:5] == b"%PDF-"
    assert main(["fund", "statements", "2026-13"]) == 2
    assert main(["fund", "close", "2026"]) == 0
    assert main(["fund", "close", "2026"]) == 0
    assert "already closed" in capsys.readouterr().out
    assert main(["fund", "position", "--date", "2026-12-31"]) == 0
    assert "caja disponible S/ 900.00" in capsys.readouterr().out
    assert main(["fund", "triggers", "--date", "2026-12-31", "--depletion-probability", "0.5"]) == 0
    assert "depletion_probability" in capsys.readouterr().out
    assert main(["proposal", "list"]) == 0
    assert main(["proposal", "show", "2"]) == 0
    assert '"kind": "rate_revision"' in capsys.readouterr().out


def test_board_pages_roles_and_downloads(url: str) -> None:
    from seguro_desempleo.services import governance as g
    from seguro_desempleo.services import ledger
    from seguro_desempleo.storage.uow import SqlUnitOfWork

    with SqlUnitOfWork(url) as uow:
        ledger.post(uow, "seed", [("1010", 100_000, 0), ("4100", 0, 100_000)], at=dt.date(2026, 1, 5))
        g.accrue_admin_cost(uow, 2_500, at=dt.date(2026, 1, 6), actor="t")
        uow.commit()
    app = create_app(db_url=url, secret="gov")
    app.state.web_today = dt.date(2026, 4, 1)
    c = TestClient(app)
    assert c.get("/directorio", follow_redirects=False).status_code == 303          # to the log-in page
    signin.web(c, "worker", str(seed_worker(url)))
    assert c.get("/directorio").status_code == 403
    signin.web(c, "board")
    home = c.get("/directorio")
    assert home.status_code == 200 and "Gobierno del fondo" in home.text
    csv = c.get("/directorio/estados.csv?periodo=2026-01")
    assert csv.status_code == 200 and csv.headers["content-type"].startswith("text/csv")
    assert "Total activo,1000.00" in csv.text and "Resultado del período,975.00" in csv.text
    pdf = c.get("/directorio/estados.pdf?periodo=2026")
    assert pdf.status_code == 200 and pdf.content[:5] == b"%PDF-"
    assert c.get("/directorio/estados.csv?periodo=abc").status_code == 422
    bad = c.post("/directorio/propuestas", data={"kind": "waiting_period", "title": "x",
                                                 "values": "requirements.waiting_period_days=99",
                                                 "effective_date": "01/06/2026"})
    assert bad.status_code == 422 and "supera el máximo 30" in bad.text and "requirements.waiting_period_days" in bad.text
    assert c.post("/directorio/propuestas/77/voto", data={"sector": "state", "member": "a", "choice": "yes"}
                  ).status_code == 404
    assert c.post("/directorio/estudio", data={"year": "2026"}).status_code == 422       # the year has not ended
    assert c.get("/parametros").status_code == 200


def test_board_forms_refuse_in_one_line_and_write_nothing(url: str) -> None:
    """Every board form goes through one helper (web/governance.py ``_board_form``): a field the
    page cannot read, or a refusal by the service, is the page again (422) with one Spanish line
    and nothing written; what is accepted is committed and redirected (303)."""
    import sqlalchemy as sa

    app = create_app(db_url=url, secret="gov")
    app.state.web_today = dt.date(2026, 4, 1)
    c = TestClient(app)
    signin.web(c, "board")
    engine = sa.create_engine(url)

    def counts() -> tuple[int, ...]:
        with engine.connect() as conn:
            return tuple(int(conn.execute(sa.text(q)).scalar_one()) for q in (
                "SELECT count(*) FROM gov_alert", "SELECT count(*) FROM gov_proposal",
                "SELECT count(*) FROM gov_instrument", "SELECT count(*) FROM audit_log"))

    before = counts()
    r = c.post("/directorio/alertas", data={"probability": "mucho"})
    assert r.status_code == 422 and "probability: no es un número" in r.text and "Gobierno del fondo" in r.text
    r = c.post("/directorio/estudio", data={"year": "dos mil"})
    assert r.status_code == 422 and "year: debe ser un año (AAAA)" in r.text
    r = c.post("/directorio/propuestas", data={"kind": "waiting_period", "title": "x", "transfer": "abc"})
    assert r.status_code == 422 and "transfer" in r.text
    r = c.post("/directorio/instrumentos", data={"type": "resolucion", "number": "1", "issued_on": "01/02/2026",
                                                 "effective_date": "01/03/2026",
                                                 "values": "financing.contribution_rate=0.02"})
    assert r.status_code == 422 and "solo una Ley puede cambiarlo" in r.text
    assert c.post("/directorio/propuestas/77/decision").status_code == 404
    assert counts() == before
    ok = c.post("/directorio/propuestas", data={"kind": "waiting_period", "title": "Carencia 20",
                                                "values": "requirements.waiting_period_days=20",
                                                "effective_date": "01/07/2026"}, follow_redirects=False)
    assert ok.status_code == 303 and ok.headers["location"].startswith("/directorio/propuestas/")
    assert c.post("/directorio/alertas", data={"probability": ""}, follow_redirects=False).headers["location"] \
        == "/directorio"
    assert counts()[1] == before[1] + 1
    engine.dispose()
