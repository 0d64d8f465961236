"""The worker's claim page lists the issued acts and serves each exactly as issued (issue 26 item 9)."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from seguro_desempleo.services.claims_app import claims_context
from seguro_desempleo.storage.uow import SqlUnitOfWork
from tests import signin
from tests.web.seed import Seeded, seed, seeded_app


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Seeded:
    return seed(tmp_path_factory.mktemp("actsdb"))


def test_claim_page_lists_acts_and_serves_them_as_issued(seeded: Seeded, tmp_path: Path) -> None:
    app = seeded_app(seeded, "acts-pages")
    with SqlUnitOfWork(seeded.url) as uow:
        acts = claims_context(uow).service.acts_for(seeded.claim_paying)
    assert acts and acts[0].kind.value == "decision" and all(a.verify() for a in acts)
    c = TestClient(app)
    worker = next(ref for n, ref in seeded.workers.items() if n == 3)
    assert signin.web(c, "worker", str(worker)).status_code == 303
    page = c.get(f"/trabajador/reclamos/{seeded.claim_paying}").text
    assert "Resoluciones emitidas" in page and acts[0].number in page and "Aún no notificada" in page
    assert "corre desde la notificación" in page       # no deadline invented from the decision date
    got = c.get(f"/trabajador/reclamos/{seeded.claim_paying}/actos/{acts[0].number}")
    assert got.status_code == 200 and got.content == acts[0].html
    letter = c.get(f"/trabajador/reclamos/{seeded.claim_paying}/resolucion")
    assert letter.content == acts[0].html
    assert c.get(f"/trabajador/reclamos/{seeded.claim_paying}/actos/RES-0000-000000").status_code == 404
    other = next(ref for n, ref in seeded.workers.items() if n == 1)
    c2 = TestClient(app)
    signin.web(c2, "worker", str(other))
    assert c2.get(f"/trabajador/reclamos/{seeded.claim_paying}/actos/{acts[0].number}").status_code == 403
