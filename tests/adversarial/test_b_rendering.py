"""Issue 25, 500s and leaks found in rendering and parsing: a region label with ``$`` (matplotlib
read it as math), public CSVs that a spreadsheet would run as formulas, annual sales ``NaN``,
``.per`` errors that echoed raw values (in a shifted line, a DNI)."""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from seguro_desempleo.api.app import create_app
from seguro_desempleo.errors import InputError
from seguro_desempleo.formats.plame import SourceFile
from seguro_desempleo.formats.tregistro import parse_per
from seguro_desempleo.services.registry import register_employer
from seguro_desempleo.storage.uow import SqlUnitOfWork
from seguro_desempleo.web import charts
from seguro_desempleo.web.board import safe_cell
from tests import signin
from tests.api.seed import TODAY, seeded_db
from tests.payroll.helpers import make_ruc

EVIL = ["=HYPERLINK(\"http://x\")", "+1+1", "-2+3", "@SUM(A1)", "\tx", "\rx", "Lima $5 & $6", "$\\frac{$"]


def test_chart_labels_with_dollar_signs_are_text_not_math() -> None:
    svg = charts.bar_chart("Región $x$", ["Lima $1", "a$b$c\\frac{", "$"], {"n": [1, 2, 3]})
    assert "<svg" in svg
    svg = charts.line_chart("t", ["$\\alpha$", "b"], {"$s$": [1.0, 2.0]})
    assert "<svg" in svg


def test_safe_cell() -> None:
    assert [safe_cell(v) for v in EVIL[:6]] == ["'" + v for v in EVIL[:6]]
    assert safe_cell("-1234.50") == "-1234.50" and safe_cell("+7") == "+7" and safe_cell(12) == 12
    assert safe_cell("Lima") == "Lima"


def test_public_csv_and_pages_with_hostile_region_labels(tmp_path: Path) -> None:
    url, _, _ = seeded_db(tmp_path)
    eng = sa.create_engine(url)
    with eng.begin() as conn:
        ids = [r[0] for r in conn.execute(sa.text("SELECT id FROM worker ORDER BY id"))]
        for i, wid in enumerate(ids):
            conn.execute(sa.text("UPDATE worker SET region = :r WHERE id = :i"), {"r": ("=HYPERLINK(1)", "Lima $5 & $6 \\frac{")[i % 2], "i": wid})
        conn.execute(sa.text("UPDATE employer SET region = :r"), {"r": "=cmd|' /C calc'!A0"})
    eng.dispose()
    with TestClient(create_app(db_url=url, secret="s" * 32, today=TODAY)) as c:
        assert c.get("/transparencia").status_code == 200
        for name in ("cobertura", "flujos", "reclamos"):
            r = c.get(f"/transparencia/datos/{name}.csv")
            assert r.status_code == 200, name
            for line in r.text.splitlines()[1:]:
                for cell in line.split(","):
                    cell = cell.strip('"')
                    assert not cell.startswith(("=", "@", "\t", "\r")), (name, line)
                    assert not (cell.startswith(("+", "-")) and not cell[1:].replace(".", "").isdigit()), (name, line)


@pytest.mark.parametrize("sales", ["NaN", "nan", "Infinity", "-inf", "-1", "sNaN"])
def test_annual_sales_must_be_finite(migrated_url: str, sales: str) -> None:
    with SqlUnitOfWork(migrated_url) as uow, pytest.raises(InputError, match="annual") as exc:
        register_employer(uow, make_ruc(3), "Textil SAC", annual_sales_uit=sales, at=dt.date(2025, 1, 1))
    assert exc.value.field == "annual_sales_uit"


def test_annual_sales_nan_over_the_api_is_422(tmp_path: Path) -> None:
    url, _, _ = seeded_db(tmp_path)
    with TestClient(create_app(db_url=url, secret="s" * 32, today=TODAY)) as c:
        tok = signin.token(c, "caseworker")
        r = c.post("/api/v1/employers", json={"ruc": make_ruc(40), "name": "X SAC", "annual_sales_uit": "NaN"},
                   headers={"Authorization": f"Bearer {tok}"})
        assert r.status_code == 422 and "annual" in r.json()["detail"], r.text


def test_per_errors_do_not_echo_raw_values() -> None:
    ruc = make_ruc(7)
    dni = "40123456"
    lines = [f"01|{dni}|604|1|1|{dni}||||",        # a shifted line: the DNI where the start date goes
             f"01|{dni}|604|1|1|01/01/2020|{dni}|01||",
             f"01|{dni}|604|1|1|01/01/2020|01/02/2020|{dni}||"]
    data = "\n".join(lines).encode("latin-1")
    src = SourceFile(f"RP_{ruc}.per", data, hashlib.sha256(data).hexdigest(), "per")
    _, good, issues, _, _ = parse_per(src, today=dt.date(2025, 1, 1))  # issue 31 added the bajas
    assert not good and len(issues) == 3
    for i in issues:
        assert dni not in i.reason and dni not in i.message_es, i


def test_pages_render_claims_and_payments_dated_in_year_9999(tmp_path: Path) -> None:
    """Rows already stored with year-9999 dates (entry refuses them now) must not take pages down."""
    url, a, _ = seeded_db(tmp_path)
    with TestClient(create_app(db_url=url, secret="s" * 32, today=TODAY)) as c:
        def token(role: str, sub: str | None = None) -> str:
            c.cookies.clear()
            return str(signin.token(c, role, sub))

        h = {"Authorization": f"Bearer {token('caseworker')}"}
        cid = c.post("/api/v1/claims", json={"worker_id": a, "claim_date": "2025-03-20"}, headers=h).json()["id"]
        assert c.post(f"/api/v1/claims/{cid}/decision", json={"expected_version": 1}, headers=h).status_code == 200
        eng = sa.create_engine(url)
        with eng.begin() as conn:
            last = 9999 * 12 + 11
            conn.execute(sa.text("UPDATE claim SET filed_on = '9999-12-31', separation_date = '9999-12-30', "
                                 "decided_on = '9999-12-31', first_period = :p"), {"p": last})
            conn.execute(sa.text("INSERT INTO benefit_payment (key, claim_id, number, period, amount, paid_on) "
                                 "VALUES (:k, :c, 1, :p, 100, '9999-12-31')"), {"k": cid + "#1", "c": cid, "p": last})
        eng.dispose()
        for role, sub in (("caseworker", None), ("board", None), ("worker", a), ("admin", None)):
            tok = token(role, sub)
            c.cookies.set("sd_token", tok)
            for path in ("/", "/transparencia", "/tablero", "/gestion", "/gestion/pagos",
                         f"/trabajador/reclamos/{cid}", "/trabajador", "/trabajador/reclamos"):
                assert c.get(path).status_code < 500, (role, path)
            c.cookies.clear()
            for path in (f"/api/v1/claims/{cid}", f"/api/v1/claims/{cid}/letter", "/api/v1/claims"):
                assert c.get(path, headers={"Authorization": f"Bearer {tok}"}).status_code < 500, (role, path)
