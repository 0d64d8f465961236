"""Issue 31: the employer's web page takes the month's export as PDT PLAME and T-Registro write
it — several files in one upload (``.rem``, ``.snl``, ``.jor``, ``.tra``, and the others skipped
with a notice) — and its report shows, per file, the errors, the notices and the flags."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, select

from seguro_desempleo.domain.payroll import ISSUE_CODES
from seguro_desempleo.storage import intake
from tests import signin
from tests.web.seed import RUC_A, RUC_B, Seeded, seed, seeded_app

ERP = Path(__file__).parent / "files" / "erp"
ERP_RUC = "20000000338"


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Seeded:
    return seed(tmp_path_factory.mktemp("webdb31files"))


def _client(seeded: Seeded) -> TestClient:
    c = TestClient(seeded_app(seeded, "issue-31-files"))
    assert signin.web(c, "employer", RUC_A).status_code == 303      # the employer's account (issue 27)
    return c


def _as_mine(path: Path) -> tuple[str, bytes]:
    """An ERP export file renamed for RUC_A and August 2025 (the bytes as the ERP wrote them)."""
    return path.name.replace(ERP_RUC, RUC_A).replace("202503", "202508"), path.read_bytes()


def test_the_page_takes_the_whole_export_in_one_upload(seeded: Seeded) -> None:
    c = _client(seeded)
    files = [("file", _as_mine(ERP / n)) for n in (f"0601202503{ERP_RUC}.rem", f"0601202503{ERP_RUC}.snl",
                                                     f"0601202503{ERP_RUC}.jor", f"RP_{ERP_RUC}.tra",
                                                     f"0601202503{ERP_RUC}.toc")]
    r = c.post("/empleador/planilla", files=files)
    assert r.status_code == 200, r.text[r.text.find("<main"):][:4000]
    report = r.text[r.text.index('<section id="informe"'):r.text.index('<section aria-labelledby="dp-h">')]
    for ext in ("rem", "snl", "jor", "toc"):
        assert f"0601202508{RUC_A}.{ext}" in report
    assert f"RP_{RUC_A}.tra" in report
    assert report.count("Aceptado") == 4 and "no se leyó" in report              # .toc skipped
    notices = re.findall(r'<table id="avisos[^"]*">(.*?)</table>', report, re.S)
    assert any(ISSUE_CODES["file_skipped"] in t for t in notices)                   # the skipped file's notice
    assert "45678920" not in report and "45678921" not in report                   # no document number shown
    engine = create_engine(seeded.url)
    with engine.connect() as conn:
        days = conn.execute(select(intake.suspension_days.c.suspension_type, intake.suspension_days.c.days)
                            .where(intake.suspension_days.c.period == 2025 * 12 + 7)).all()
        contracts = conn.execute(select(intake.worker_contract.c.contract_type)).all()
        minutes = conn.execute(select(intake.work_time.c.ordinary_minutes)
                               .where(intake.work_time.c.period == 2025 * 12 + 7)).all()
    engine.dispose()
    assert sorted(days) and ("22", 10) in days and ("21", 3) in days
    assert contracts and minutes


def test_two_files_of_one_name_are_refused_and_another_ruc_too(seeded: Seeded) -> None:
    c = _client(seeded)
    name, data = _as_mine(ERP / f"0601202503{ERP_RUC}.snl")
    r = c.post("/empleador/planilla", files=[("file", (name, data)), ("file", (name, data))])
    assert r.status_code == 422 and "mismo nombre" in r.text
    r = c.post("/empleador/planilla", files=[("file", (name.replace(RUC_A, RUC_B), data))])
    assert r.status_code == 403 and "no es el de su empresa" in r.text
    r = c.post("/empleador/planilla", files=[("file", ("planilla.snl", data))])
    assert r.status_code == 422 and "0601AAAAMM" in r.text


def test_a_rejected_file_shows_its_errors_beside_the_accepted_ones(seeded: Seeded) -> None:
    c = _client(seeded)
    good = (f"0601202508{RUC_A}.jor", b"01|45678920|192|0|10|30|\r\n")
    bad = (f"0601202508{RUC_A}.snl", b"01|45678920|99|10|\r\n")
    r = c.post("/empleador/planilla", files=[("file", good), ("file", bad)])
    assert r.status_code == 422
    assert "Aceptado" in r.text and "Rechazado" in r.text
    errors = re.findall(r'<table id="errores[^"]*">(.*?)</table>', r.text, re.S)
    assert errors and re.search(r'<td class="num">1</td><td>[^<]+</td>', errors[0])


def test_the_employer_page_lists_its_expired_bajas(seeded: Seeded, tmp_path: Path) -> None:
    """Decision 0412: a baja that waited three months for its period or pay is listed on the
    employer's page (date and reason, no document)."""
    import datetime as dt

    from seguro_desempleo.bootstrap import import_files
    from seguro_desempleo.storage.uow import SqlUnitOfWork

    per = tmp_path / f"RP_{RUC_A}.per"
    per.write_bytes(b"01|47000001|604|1|1||31/03/2025|01||\r\n")
    with SqlUnitOfWork(seeded.url) as uow:
        assert import_files([per], uow=uow, today=dt.date(2025, 4, 2)).rejected == 0
        uow.commit()
    jor = tmp_path / f"0601202507{RUC_A}.jor"
    jor.write_bytes(b"01|45678920|192|0|10|30|\r\n")
    with SqlUnitOfWork(seeded.url) as uow:
        s = import_files([jor], uow=uow, today=dt.date(2025, 8, 20))
        uow.commit()
    assert [n.code for n in s.notices] == ["termination_expired"]
    r = _client(seeded).get("/empleador")
    assert r.status_code == 200
    part = r.text[r.text.index('<section id="bajas-vencidas"'):]
    assert "31/03/2025" in part and "20/08/2025" in part and "47000001" not in part
