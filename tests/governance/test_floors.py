"""Governance on its floors (issue 24 applied to issue 28's code): the service works through the
``uow.governance`` port, the database's refusals arrive as the project's errors, the valuation
engine loads the experience set without importing a service, the statements render in reports/."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy.exc import IntegrityError

from seguro_desempleo.domain import governance as gd
from seguro_desempleo.errors import ConflictError, NotFoundError
from seguro_desempleo.services import governance as g
from seguro_desempleo.storage.errors import conflict_from
from seguro_desempleo.storage.governance_repository import SqlGovernanceRepository
from seguro_desempleo.storage.uow import SqlUnitOfWork
from tests import signin
from tests.fixtures.databases import migrated_sqlite

D = dt.date(2026, 4, 1)


def test_the_unit_of_work_offers_the_governance_port(migrated_url: str) -> None:
    with SqlUnitOfWork(migrated_url) as uow:
        assert isinstance(uow.governance, gd.GovernanceRepository)
        assert uow.governance is uow.governance            # one repository per transaction
        assert uow.governance.proposals() == [] and uow.governance.last_study_year() is None


def _proposal(uow: Any) -> int:
    return g.draft_proposal(uow, kind="waiting_period", title="Carencia 15 días", actor="board:1", on=D,
                            values={"requirements.waiting_period_days": "15"}, effective_date=dt.date(2026, 7, 1))


def test_a_vote_that_loses_the_race_is_a_conflict_naming_the_field(
        migrated_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Two sessions both see no vote of director E1, both insert: the database's unique key refuses
    the second. The service sees the project's ConflictError naming the field (before: SQLAlchemy's
    IntegrityError, a traceback on the command line); nothing is written."""
    with SqlUnitOfWork(migrated_url) as uow:
        p = _proposal(uow)
        g.cast_vote(uow, p, sector="state", member="E1", choice="yes", actor="board:1", on=D)
        uow.commit()
    monkeypatch.setattr(SqlGovernanceRepository, "has_voted", lambda self, proposal_id, member: False)
    with SqlUnitOfWork(migrated_url) as uow, pytest.raises(ConflictError) as err:
        g.cast_vote(uow, p, sector="workers", member="E1", choice="no", actor="board:2", on=D)
    assert err.value.field == "member" and "already voted" in err.value.message
    with SqlUnitOfWork(migrated_url) as uow:
        assert [(v.member, v.choice) for v in uow.governance.votes(p)] == [("E1", "yes")]


def test_a_duplicate_instrument_that_loses_the_race_is_a_conflict(
        migrated_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    values = {"requirements.waiting_period_days": "10"}
    with SqlUnitOfWork(migrated_url) as uow:
        g.add_instrument(uow, type="decreto_supremo", number="009-2026-TR", issued_on=D, effective_date=D,
                         values=values, actor="admin:1")
        uow.commit()
    monkeypatch.setattr(SqlGovernanceRepository, "instrument_exists", lambda self, type, number: False)
    with SqlUnitOfWork(migrated_url) as uow, pytest.raises(ConflictError) as err:
        g.add_instrument(uow, type="decreto_supremo", number="009-2026-TR", issued_on=D, effective_date=D,
                         values=values, actor="admin:1")
    assert err.value.field == "number"
    with SqlUnitOfWork(migrated_url) as uow:
        assert len(g.list_instruments(uow)) == 1


def test_an_unknown_refusal_names_the_rule_not_the_values() -> None:
    """Ley 29733: a refused row's values (PostgreSQL's DETAIL line) never reach the message."""
    orig = Exception('duplicate key value violates unique constraint "uq_worker_doc"\n'
                     "DETAIL:  Key (doc_number)=(41234567) already exists.")
    exc = conflict_from(IntegrityError("INSERT ...", {"doc_number": "41234567"}, orig))
    assert "uq_worker_doc" in exc.message and "41234567" not in str(exc)


def test_the_web_says_a_lost_race_in_spanish() -> None:
    from seguro_desempleo.web.governance import spanish

    assert spanish(ConflictError("this director has already voted on the proposal", field="member")) == \
        "campo «member»: este director(a) ya votó la propuesta"
    assert spanish(ConflictError("an instrument of this type and number is already recorded", field="number")) \
        == "campo «number»: ya está registrado un instrumento de ese tipo y número"


def test_an_experience_set_needs_the_application_to_load_it(monkeypatch: pytest.MonkeyPatch) -> None:
    """The engine does not reach into the database itself: without the loader the composition root
    registers, the name is refused in one line naming the field."""
    from seguro_desempleo.actuarial import assumptions, loaders

    monkeypatch.setattr(loaders, "LOADERS", {})
    with pytest.raises(NotFoundError) as err:
        assumptions.load_assumptions("experience-2025")
    assert err.value.field == "assumptions" and "database" in err.value.message


def test_the_bootstrap_loader_reads_the_study_from_the_given_database(
        migrated_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from seguro_desempleo import bootstrap
    from seguro_desempleo.actuarial import assumptions, loaders

    monkeypatch.setattr(loaders, "LOADERS", {})
    bootstrap.register_assumption_loaders(migrated_url)
    with pytest.raises(NotFoundError, match="no experience study for 2025"):
        assumptions.load_assumptions("experience-2025")


def test_printed_statements_use_the_web_pages_words() -> None:
    """reports/statements.py keeps the statements' words (the command line may not import web/);
    those the web pages also use must read the same."""
    from seguro_desempleo.reports.statements import LABELS, label
    from seguro_desempleo.web import i18n

    shared = [key for key in LABELS if key in i18n.TEXTS]
    assert {"gov_statements", "account", "debit", "credit", "trial_balance"} <= set(shared)
    for key in shared:
        for lang in ("es", "en"):
            assert label(key, lang) == i18n.text(key, lang), (key, lang)


def test_the_printed_statements_render_in_soles_and_dates_pe() -> None:
    from seguro_desempleo.reports.statements import statements_csv, statements_html

    st = gd.statements({"1010": (123_456, 0), "4100": (0, 123_456)}, {"1010": (123_456, 0), "4100": (0, 123_456)},
                       start=dt.date(2026, 1, 1), end=dt.date(2026, 1, 31))
    html = statements_html(st, "2026-01")
    assert "S/ 1,234.56" in html and "31/01/2026" in html and "Estado de situación financiera" in html
    assert "Total activo,1234.56" in statements_csv(st)


def test_every_word_the_statement_templates_use_is_in_both_languages() -> None:
    import re

    from seguro_desempleo.reports.statements import LABELS, TEMPLATES

    used: set[str] = set()
    for name in ("statements_body.html", "statements_print.html"):
        used |= set(re.findall(r"t\('([a-z_]+)'\)", (TEMPLATES / name).read_text(encoding="utf-8")))
    assert used and not sorted(used - set(LABELS))


def test_the_board_page_refuses_a_lost_race_in_one_spanish_line(
        tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """The same race through /directorio: the form again with one Spanish line naming the field
    (before: the app-wide handler's English problem+json 409, the form and its input lost)."""
    from fastapi.testclient import TestClient

    from seguro_desempleo.api.app import create_app

    url = migrated_sqlite(tmp_path / "gov.sqlite3")
    with SqlUnitOfWork(url) as uow:
        p = _proposal(uow)
        g.cast_vote(uow, p, sector="state", member="E1", choice="yes", actor="board:1", on=D)
        uow.commit()
    app = create_app(db_url=url, secret="gov")
    app.state.web_today = D
    c = TestClient(app, raise_server_exceptions=False)
    signin.web(c, "board")
    monkeypatch.setattr(SqlGovernanceRepository, "has_voted", lambda self, proposal_id, member: False)
    r = c.post(f"/directorio/propuestas/{p}/voto", data={"sector": "workers", "member": "E1", "choice": "no"})
    assert r.status_code == 422 and "campo «member»: este director(a) ya votó la propuesta" in r.text
