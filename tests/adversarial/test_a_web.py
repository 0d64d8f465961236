"""Issue 25, part A — the web face of the controls (SQLite here; PostgreSQL pages in tests/web).

- a year-9999 claim already stored (written before the date policy existed) does not take the
  caseworker's queue, the case page or the dashboards down;
- the payment run page shows the fund's shortfall before anything is written, and the board sees
  the alert once a run could not pay everything;
- the caseworker's controls page lists the review queue and the awards awaiting a second approval;
  the maker's own approval is refused with a line in Spanish.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import sqlalchemy as sa

from seguro_desempleo.domain.ledger import Accounts
from seguro_desempleo.services import ledger as ledger_service
from seguro_desempleo.storage.uow import SqlUnitOfWork
from tests.web.seed import TODAY, Seeded, seed, seeded_app
from tests.web.test_role_pages import client_as


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> tuple[Seeded, object]:
    seeded = seed(tmp_path_factory.mktemp("webdb_a"))
    app = seeded_app(seeded, "adversarial-a-web-secret-0123456789")
    return seeded, app


def _drain_the_fund(url: str) -> None:
    from seguro_desempleo.services.ledger import balances

    with SqlUnitOfWork(url) as uow:
        cash = {b.code: b.balance for b in balances(uow)}[Accounts.BANK]
        if cash > 0:
            ledger_service.post(uow, "test.withdrawal", ((Accounts.RESERVE, cash, 0), (Accounts.BANK, 0, cash)),
                                ref="test-withdrawal", at=TODAY)
        uow.commit()


def test_the_run_page_shows_the_shortfall_then_the_board_sees_the_alert(world: tuple[Seeded, object]) -> None:
    seeded, app = world
    _drain_the_fund(seeded.url)
    cw = client_as(app, "caseworker", "7")
    r = cw.get("/gestion/pagos?periodo=2025-08")
    assert r.status_code == 200
    assert "El fondo no alcanza" in r.text and "run-shortfall" in r.text
    with SqlUnitOfWork(seeded.url) as uow:              # the preview wrote nothing
        assert uow.session.execute(sa.text("SELECT count(*) FROM fund_alert")).scalar_one() == 0
    r = cw.post("/gestion/pagos", data={"periodo": "2025-08"})
    assert r.status_code == 200
    with SqlUnitOfWork(seeded.url) as uow:
        assert uow.session.execute(sa.text("SELECT count(*) FROM fund_alert")).scalar_one() == 1
    board = client_as(app, "board")
    r = board.get("/tablero")
    assert r.status_code == 200 and "Alertas del fondo" in r.text
    assert "Alertas del fondo" in cw.get("/gestion/pagos?periodo=2025-08").text


def test_a_run_page_for_a_future_period_answers_a_reason_not_a_500(world: tuple[Seeded, object]) -> None:
    _, app = world
    r = client_as(app, "caseworker", "7").get("/gestion/pagos?periodo=2030-12")
    assert r.status_code == 422 and "no se paga por adelantado" in r.text


def test_the_controls_page_and_the_makers_own_approval(world: tuple[Seeded, object]) -> None:
    from seguro_desempleo.services.claims_app import claims_context

    seeded, app = world
    cw = client_as(app, "caseworker", "7")
    maker = "user:t.caseworker/caseworker"   # the signed-in caseworker's account (decision 0440; was the bare role)
    with SqlUnitOfWork(seeded.url) as uow:
        uow.session.execute(sa.text(
            "INSERT INTO award_approval (claim_id, total, reasons, maker, maker_person, requested_at, status) "
            "VALUES (:c, 2000000, 'prestación total sobre el límite', :m, 'account:t.caseworker', "
            "'2025-08-01T00:00:00+00:00', 'pending')"), {"c": seeded.claim_paying, "m": maker})
        uow.commit()
    r = cw.get("/gestion/controles")
    assert r.status_code == 200 and seeded.claim_paying in r.text and "segunda aprobación" in r.text
    r = cw.post(f"/gestion/controles/aprobaciones/{seeded.claim_paying}", data={"approve": "1"})
    assert r.status_code == 409 and "cuatro ojos" in r.text
    r = cw.post(f"/gestion/controles/aprobaciones/{seeded.claim_paying}", data={"approve": "maybe"})
    assert r.status_code == 422 and "approve" in r.text
    with SqlUnitOfWork(seeded.url) as uow:
        claims_context(uow).service.approve_award(seeded.claim_paying, approve=True, actor="caseworker:8")
        uow.commit()
    with SqlUnitOfWork(seeded.url) as uow:
        row = uow.session.execute(sa.text("SELECT status, maker, checker FROM award_approval WHERE claim_id = :c"),
                                  {"c": seeded.claim_paying}).one()
        assert tuple(row) == ("approved", maker, "caseworker:8")
    assert seeded.claim_paying not in cw.get("/gestion/controles").text


def test_a_stored_year_9999_claim_does_not_take_pages_down(world: tuple[Seeded, object], tmp_path: Path) -> None:
    seeded, app = world
    with SqlUnitOfWork(seeded.url) as uow:
        wid = uow.session.execute(sa.text("SELECT min(id) FROM worker")).scalar_one()
        uow.session.execute(sa.text(
            "INSERT INTO claim (id, worker_ref, filed_on, separation_date, state, version) "
            "VALUES ('C-999999', :w, :f, :s, 'denied', 1)"),
            {"w": str(wid), "f": dt.date(9999, 12, 31), "s": dt.date(9999, 12, 30)})
        uow.commit()
    cw = client_as(app, "caseworker", "7")
    for path in ("/gestion", "/gestion/casos/C-999999", "/gestion/recursos", "/gestion/controles"):
        assert cw.get(path).status_code < 500, path
    assert client_as(app, "board").get("/tablero").status_code < 500
    assert client_as(app, None).get("/transparencia").status_code < 500


def test_a_worker_re_filing_a_denied_contingency_reads_the_reason_in_spanish(world: tuple[Seeded, object]) -> None:
    seeded, app = world
    with SqlUnitOfWork(seeded.url) as uow:
        ref = uow.session.execute(sa.text("SELECT worker_ref FROM claim WHERE id = :c"),
                                  {"c": seeded.claim_denied}).scalar_one()
    r = client_as(app, "worker", str(ref)).post("/trabajador/solicitud", data={"confirm": "1"})
    assert r.status_code == 409
    assert "reconsideración o apelación" in r.text and seeded.claim_denied in r.text
