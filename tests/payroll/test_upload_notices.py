"""Issue 31: the employer's web upload report shows the notices (accepted lines read in a way the
employer should know of) beside the errors, in Spanish, naming the line and field."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from seguro_desempleo.domain.payroll import ISSUE_CODES
from seguro_desempleo.formats.payroll_lines import NOTICE_CODES
from tests import signin
from tests.web.seed import RUC_A, Seeded, seed, seeded_app


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Seeded:
    return seed(tmp_path_factory.mktemp("webdb31"))


def test_the_upload_report_lists_notices(seeded: Seeded, tmp_path: Path) -> None:
    app = seeded_app(seeded, "issue-31")
    c = TestClient(app)
    assert signin.web(c, "employer", RUC_A).status_code == 303
    name = f"0601202507{RUC_A}.rem"
    # A PHP program's file: devengado 0.00, the pay in pagado; a worker twice (a re-hire).
    data = (b"01|45678912|0121|0.00|2500.00|\r\n1|45678913|0121|0.00|900.00|\r\n"
            b"01|45678913|0121|0.00|300.00|\r\n")
    r = c.post("/empleador/planilla", files={"file": (name, data)})
    assert r.status_code == 200 and "Aceptado" in r.text, r.text[-2000:]
    table = r.text[r.text.index('<table id="avisos">'):]
    rows = re.findall(r'<tr><td class="num">(\d+)</td><td>([^<]+)</td><td>([^<]+)</td>', table)
    assert [(line, fld) for line, fld, _ in rows] == [("1", "devengado"), ("2", "devengado"), ("3", "concepto")]
    assert rows[0][2] == NOTICE_CODES["accrued_zero_paid_counted"] and rows[2][2] == NOTICE_CODES["line_summed"]
    assert "45678912" not in table and "45678913" not in table
    assert "Avisos" in r.text and ISSUE_CODES["file_skipped"]
