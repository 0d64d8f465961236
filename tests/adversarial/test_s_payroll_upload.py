"""Issue 25, "Plausibility and four eyes", through the employer's own web page: one upload of 12
back-dated months at S/ 9,999,999.99 for a worker never seen before. Before (decision 0307's
"not done"): the months counted at once. Now (decision 0413) every month is in the review queue,
the report says so, and none counts until staff accept it."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from seguro_desempleo.storage.history import contribution_history
from seguro_desempleo.storage.models_money_safety import DeclarationReviewRow
from seguro_desempleo.storage.uow import SqlUnitOfWork
from tests import signin
from tests.web.seed import RUC_A, Seeded, seed, seeded_app

MONTHS = [(2024, m) for m in range(9, 13)] + [(2025, m) for m in range(1, 9)]      # 2024-09 … 2025-08


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Seeded:
    return seed(tmp_path_factory.mktemp("webdb25upload"))


def test_twelve_back_dated_months_uploaded_by_an_employer_do_not_count(seeded: Seeded) -> None:
    c = TestClient(seeded_app(seeded, "issue-25-upload"))
    assert signin.web(c, "employer", RUC_A).status_code == 303      # the employer's account (issue 27)
    files = [("file", (f"0601{y}{m:02d}{RUC_A}.rem", b"01|47111111|0121|9999999.99|9999999.99|\r\n"))
             for y, m in MONTHS]
    r = c.post("/empleador/planilla", files=files)
    assert r.status_code == 200, r.text[r.text.find("<main"):][:3000]
    assert r.text.count("quedan en revisión") == 12 and "47111111" not in r.text
    review = DeclarationReviewRow.__table__
    with SqlUnitOfWork(seeded.url) as uow:
        w = uow.workers.by_document("01", "47111111")
        assert w is not None and w.id is not None
        rows = uow.session.execute(sa.select(review.c.period, review.c.status, review.c.source)
                                   .where(review.c.worker_id == w.id)).all()
        assert sorted(p for p, _, _ in rows) == [y * 12 + m - 1 for y, m in MONTHS]
        assert {(s, src) for _, s, src in rows} == {("pending", "import")}
        assert contribution_history(uow.session, w.id, 2024 * 12, 2025 * 12 + 11) == []
