"""Decision 0424: the display-only reads show the parameters in force — the law's baseline plus the
instruments recorded — not the YAML alone. The worker's 12-of-24 meter (``web/worker.py``: window,
contributions needed, the waiting period of the estimate) and the API's worker contributions
(``ContributionRepository.for_worker``). On SQLite and PostgreSQL.

Hand arithmetic:

- PL 5510/2022-CR art. 7 fixes "12 aportaciones" in 24 months (``fixed_by_law``: only a Ley changes
  it). A Ley sets ``requirements.qualifying_contributions`` at 10 from 01/06/2025. The meter read on
  15/05/2025 says "de 12"; on 15/08/2025 "de 10". Before the fix both said 12 (the YAML).
- Art. 8: a Ley raises the contribution to 1.50 % (0.75 % + 0.75 %) from 01/06/2025. S/ 3,000.00 of
  May 2025 → 3,000.00 × 1.16 % = S/ 34.80; of July 2025 → 3,000.00 × 1.50 % = S/ 45.00. Before the
  fix the API showed S/ 34.80 for July too.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from fastapi.testclient import TestClient

from seguro_desempleo.api.app import create_app
from seguro_desempleo.bootstrap import import_files
from seguro_desempleo.services import governance as g
from seguro_desempleo.services.registry import register_employer
from seguro_desempleo.storage.uow import SqlUnitOfWork
from tests import signin
from tests.payroll.helpers import dni, make_ruc, write_csv

RUC = make_ruc(4241)


def _seed(url: str, tmp_path: Path, values: dict[str, str], months: list[str]) -> int:
    with SqlUnitOfWork(url) as uow:
        register_employer(uow, RUC, "GRAN EMPRESA SAA", annual_sales_uit="5000", at=dt.date(2024, 1, 1))
        g.add_instrument(uow, type="ley", number="32499", issued_on=dt.date(2025, 5, 10),
                         effective_date=dt.date(2025, 6, 1), values=values, actor="admin:1")
        uow.commit()
    rows = [(RUC, p, "01", dni(4241), "0121", "3000.00", "3000.00") for p in months]
    with SqlUnitOfWork(url) as uow:
        import_files([write_csv(tmp_path / "pay.csv", rows)], uow=uow, today=dt.date(2025, 8, 10))
        uow.commit()
    with SqlUnitOfWork(url) as uow:
        w = uow.workers.by_document("01", dni(4241))
        assert w is not None
        return int(w.id)


def _meter(app: object, wid: int, on: dt.date) -> tuple[int, int]:
    app.state.web_today = on  # type: ignore[attr-defined]
    c = TestClient(app)  # type: ignore[arg-type]
    signin.web(c, "worker", str(wid))
    r = c.get("/trabajador")
    assert r.status_code == 200
    m = re.search(r"<strong>(\d+)</strong> de (\d+)", r.text)
    assert m, r.text[:2000]
    return int(m.group(1)), int(m.group(2))


def test_the_worker_meter_reads_a_ley_from_its_effective_date(migrated_url: str, tmp_path: Path) -> None:
    months = [f"2024-{m:02d}" for m in range(8, 13)] + [f"2025-{m:02d}" for m in range(1, 8)]
    wid = _seed(migrated_url, tmp_path, {"requirements.qualifying_contributions": "10"}, months)
    app = create_app(db_url=migrated_url, secret="display-instruments")
    assert _meter(app, wid, dt.date(2025, 5, 15))[1] == 12        # before the Ley: the bill's 12
    assert _meter(app, wid, dt.date(2025, 8, 15))[1] == 10        # from 01/06/2025: the Ley's 10


def test_the_api_worker_contributions_read_a_ley_from_its_effective_date(migrated_url: str,
                                                                          tmp_path: Path) -> None:
    wid = _seed(migrated_url, tmp_path, {"financing.contribution_rate": "0.0150",
                                         "financing.employer_rate": "0.0075", "financing.cts_rate": "0.0075"},
                ["2025-05", "2025-07"])
    app = create_app(db_url=migrated_url, secret="display-instruments")
    c = TestClient(app)
    r = c.get(f"/api/v1/workers/{wid}/contributions", headers=signin.headers(c, "worker", str(wid)))
    assert r.status_code == 200, r.text
    assert {i["period"]: i["contribution"] for i in r.json()["items"]} == {"2025-05": "34.80", "2025-07": "45.00"}
    with SqlUnitOfWork(migrated_url) as uow:          # the repository's own default: the same reading
        assert [x.contribution for x in uow.contributions.for_worker(wid)] == [3480, 4500]
