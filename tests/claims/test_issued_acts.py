"""Issued acts do not change (issue 26 item 9, Ley 27444).

On the SQL stores (SQLite and PostgreSQL): the letter is the act as issued — changing the data
behind it later does not change a byte; the stored bytes match their hash; the database refuses
to change or delete an act (triggers), and records its notification and its PDF once.
On the in-memory ports: suspensions, resumptions, closures, overpayments, amount changes and
appeal resolutions are acts; the appeal term runs from the recorded notification; an appeal
upheld against the amount changes it and pays the difference.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

import pytest
import sqlalchemy as sa

from seguro_desempleo.claims.acts import ActKind, InMemoryActStore
from seguro_desempleo.claims.appeals import AppealKind, AppealOutcome
from seguro_desempleo.claims.audit import verify_chain
from seguro_desempleo.claims.state import ClaimState
from seguro_desempleo.employment_service.obligations import ObligationKind, Outcome
from seguro_desempleo.errors import ConflictError, InputError
from seguro_desempleo.parameters import ParameterSet
from seguro_desempleo.periods import parse_period
from seguro_desempleo.rules.evaluate import ContributionMonth
from seguro_desempleo.services.claims_app import act_bytes, claims_context, decision_letter
from seguro_desempleo.storage.uow import SqlUnitOfWork
from tests.claims.funding import fund
from tests.claims.test_service import World, history
from tests.claims.test_sql_stores import seed_worker

S = ClaimState
D = dt.date
APR, MAY, JUN, JUL = (parse_period(f"2025-{m:02d}") for m in range(4, 8))


# ------------------------------------------------------------------ SQL: the act as issued


def test_letter_is_the_act_as_issued(engine: sa.Engine, tmp_path: Path) -> None:
    ref = seed_worker(engine, tmp_path, reemployed=False)
    with SqlUnitOfWork(engine) as uow:
        ctx = claims_context(uow)
        c = ctx.service.file_and_decide(ref, D(2025, 3, 20), actor="cw")
        first = decision_letter(ctx, c.id)
        uow.commit()
    assert "RESOLUCIÓN N.º RES-2025-000001" in first.decode("utf-8")
    # Later the registry's name changes and the claim's stored decision is edited behind the
    # service's back: the act, already issued, reads exactly as it did.
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE worker SET full_name = 'OTRO NOMBRE' WHERE id = :w"), {"w": int(ref)})
    with SqlUnitOfWork(engine) as uow:
        ctx = claims_context(uow)
        again = decision_letter(ctx, c.id)
        [act] = ctx.service.acts_for(c.id)
    assert again == first and "OTRO NOMBRE" not in again.decode("utf-8")
    assert act.kind is ActKind.DECISION and act.issued_on == D(2025, 3, 20) and act.notified_on is None
    assert act.content_sha256 == hashlib.sha256(first).hexdigest() and act.verify()


def test_the_database_refuses_to_change_an_act(engine: sa.Engine, tmp_path: Path) -> None:
    ref = seed_worker(engine, tmp_path, reemployed=False)
    with SqlUnitOfWork(engine) as uow:
        c = claims_context(uow).service.file_and_decide(ref, D(2025, 3, 20), actor="cw")
        uow.commit()
    number = "RES-2025-000001"
    for sql in ("UPDATE issued_act SET html = :b WHERE number = :n",
                "UPDATE issued_act SET issued_on = '2025-04-01' WHERE number = :n",
                "UPDATE issued_act SET summary = 'x' WHERE number = :n",
                "DELETE FROM issued_act WHERE number = :n"):
        with pytest.raises(sa.exc.DBAPIError, match="does not change"), engine.begin() as conn:
            conn.execute(sa.text(sql), {"n": number, "b": b"<p>otra</p>"})
    with pytest.raises(sa.exc.IntegrityError), engine.begin() as conn:      # CHECK: notified after issue
        conn.execute(sa.text("UPDATE issued_act SET notified_on = '2025-03-01' WHERE number = :n"), {"n": number})
    with SqlUnitOfWork(engine) as uow:
        ctx = claims_context(uow)
        with pytest.raises(InputError, match="before the act was issued"):
            ctx.service.record_notification(number, D(2025, 3, 19), actor="cw")
        ctx.service.record_notification(number, D(2025, 3, 24), actor="cw")
        with pytest.raises(ConflictError, match="recorded once"):
            ctx.service.record_notification(number, D(2025, 3, 25), actor="cw")
        uow.commit()
    with pytest.raises(sa.exc.DBAPIError, match="does not change"), engine.begin() as conn:
        conn.execute(sa.text("UPDATE issued_act SET notified_on = '2025-03-26' WHERE number = :n"), {"n": number})
    with SqlUnitOfWork(engine) as uow:
        ctx = claims_context(uow)
        act = ctx.service.acts.get(number)
        assert act.notified_on == D(2025, 3, 24) and act.verify() and act.claim_id == c.id


def test_pdf_is_printed_once_and_kept(engine: sa.Engine, tmp_path: Path) -> None:
    ref = seed_worker(engine, tmp_path, reemployed=False)
    with SqlUnitOfWork(engine) as uow:
        ctx = claims_context(uow)
        c = ctx.service.file_and_decide(ref, D(2025, 3, 20), actor="cw")
        pdf = decision_letter(ctx, c.id, "pdf")
        uow.commit()
    assert pdf.startswith(b"%PDF")
    with SqlUnitOfWork(engine) as uow:
        ctx = claims_context(uow)
        assert act_bytes(ctx, "RES-2025-000001", "pdf") == pdf
        act = ctx.service.acts.get("RES-2025-000001")
        assert act.pdf_sha256 == hashlib.sha256(pdf).hexdigest() and act.verify()
    with pytest.raises(sa.exc.DBAPIError, match="does not change"), engine.begin() as conn:
        conn.execute(sa.text("UPDATE issued_act SET pdf = :b, pdf_sha256 = :h WHERE number = 'RES-2025-000001'"),
                     {"b": b"%PDF-other", "h": "0" * 64})


# ------------------------------------------------------------------ every later event is an act


@pytest.fixture
def w(params: ParameterSet) -> World:
    world = World(params)
    world.svc.acts = InMemoryActStore()
    world.hist.workers["W1"] = history()
    return world


def _acts(w: World, claim_id: str) -> list[tuple[str, ActKind]]:
    return [(a.number, a.kind) for a in w.svc.acts_for(claim_id)]


def test_suspension_resumption_and_their_acts(w: World) -> None:
    c = w.svc.decide(w.svc.file_claim("W1", D(2025, 3, 20), actor="w").id, D(2025, 3, 21), actor="cw")
    w.svc.run_payments(APR, D(2025, 5, 5), actor="system")
    ob = w.es.schedule(c.id, ObligationKind.COUNSELLING, D(2025, 5, 12))
    w.es.record_outcome(ob.id, Outcome.NOT_COMPLIED, D(2025, 5, 12))
    w.svc.run_payments(MAY, D(2025, 6, 5), actor="system")
    again = w.es.schedule(c.id, ObligationKind.COUNSELLING, D(2025, 6, 16))
    w.es.record_outcome(again.id, Outcome.COMPLIED, D(2025, 6, 16))
    w.svc.run_payments(JUL, D(2025, 8, 5), actor="system")
    assert _acts(w, c.id) == [("RES-2025-000001", ActKind.DECISION), ("RES-2025-000001-02", ActKind.SUSPENSION),
                              ("RES-2025-000001-03", ActKind.RESUMPTION)]
    suspension = w.svc.acts.get("RES-2025-000001-02")
    text = suspension.html.decode("utf-8")
    assert suspension.issued_on == D(2025, 6, 5) and "SUSPENDER" in text and "art. 218" in text
    assert all(a.verify() for a in w.svc.acts_for(c.id)) and verify_chain(w.audit.records).ok


def test_reemployment_after_payments_issues_suspension_overpayment_and_closure(w: World) -> None:
    c = w.svc.decide(w.svc.file_claim("W1", D(2025, 3, 20), actor="w").id, D(2025, 3, 21), actor="cw")
    w.svc.run_payments(JUN, D(2025, 6, 5), actor="system")
    w.hist.workers["W1"].reemployment = D(2025, 5, 16)
    w.svc.run_payments(JUL, D(2025, 7, 5), actor="system")
    assert [k for _, k in _acts(w, c.id)] == [ActKind.DECISION, ActKind.SUSPENSION, ActKind.OVERPAYMENT,
                                              ActKind.CLOSURE]
    # Only the excess is an overpayment (issue 26 items 2 and 3, arts. 5 y 6). Benefit months from
    # 18/03/2025 (separation 10/03 + 7 days of waiting). The run of 06/2025 paid months 1–3 in full:
    # 2,100 + 1,950 + 1,800. The new job of 16/05/2025 falls in month 2 (18/04–17/05/2025, 30 days):
    # 28 days out of work (18/04..15/05), owed 1,950 × 28 / 30 = 1,820.00, excess 130.00; month 3
    # (from 18/05) starts after it: 1,800.00 back. 130.00 + 1,800.00 = 1,930.00. (Was 3,750.00 =
    # 1,950 + 1,800 under the calendar-month reading, which clawed back the 28 days too.)
    over = w.svc.acts.get("RES-2025-000001-03").html.decode("utf-8")
    assert "S/ 1,930.00" in over and "S/ 130.00" in over and "devolución" in over.lower()


def test_caseworker_cannot_close_a_paying_claim_without_the_act(w: World) -> None:
    c = w.svc.decide(w.svc.file_claim("W1", D(2025, 3, 20), actor="w").id, D(2025, 3, 21), actor="cw")
    w.svc.run_payments(APR, D(2025, 5, 5), actor="system")
    c = w.svc.override(c.id, S.CLOSED, reason="fallecimiento comunicado", actor="cw:2",
                       expected_version=w.repo.get(c.id).version, on=D(2025, 5, 20))
    assert c.state is S.CLOSED
    number, kind = _acts(w, c.id)[-1]
    closure = w.svc.acts.get(number)
    assert kind is ActKind.CLOSURE and closure.issued_on == D(2025, 5, 20)
    assert "fallecimiento comunicado" in closure.html.decode("utf-8")


def test_appeal_term_runs_from_the_notification(w: World) -> None:
    w.hist.workers["W1"] = history(months=8)
    c = w.svc.decide(w.svc.file_claim("W1", D(2025, 3, 20), actor="w").id, D(2025, 3, 21), actor="cw")
    # Decided 21/03 but notified 10/04: filed 25/04, in time (the 15 business days from 21/03 end
    # on 11/04 — before, the decision date stood for the notification and this was refused; from
    # 10/04 they end on 06/05, 17-18/04 and 01/05 being holidays).
    w.svc.record_notification("RES-2025-000001", D(2025, 4, 10), actor="courier")
    appeal = w.svc.file_appeal(c.id, AppealKind.RECONSIDERATION, D(2025, 4, 25), actor="w")
    assert appeal.notified_on == D(2025, 4, 10) and appeal.filing_deadline == D(2025, 5, 6)
    _, c, _ = w.svc.resolve_appeal(appeal.id, AppealOutcome.REJECTED, D(2025, 5, 5), actor="cw")
    assert _acts(w, c.id)[-1] == ("RES-2025-000001-02", ActKind.APPEAL_RESOLUTION)
    # The resolution of the reconsideración is an act too; not yet notified, an apelación filed
    # against it is notified by the filing itself (Ley 27444, art. 27.2).
    second = w.svc.file_appeal(c.id, AppealKind.APPEAL, D(2025, 7, 1), actor="w")
    assert second.notified_on == D(2025, 7, 1)


def test_appeal_upheld_against_the_amount_pays_the_difference(w: World) -> None:
    c = w.svc.decide(w.svc.file_claim("W1", D(2025, 3, 20), actor="w").id, D(2025, 3, 21), actor="cw")
    w.svc.run_payments(MAY, D(2025, 6, 5), actor="system")                 # 2,100 + 1,950 paid
    appeal = w.svc.file_appeal(c.id, AppealKind.RECONSIDERATION, D(2025, 4, 1), actor="w")
    with pytest.raises(ConflictError, match="no higher amount"):
        w.svc.resolve_appeal(appeal.id, AppealOutcome.UPHELD, D(2025, 6, 10), actor="cw")
    # The employer rectifies: S/ 4,000 a month, not 3,000. Hand arithmetic: 70 % 2,800 (+700),
    # 65 % 2,600 (+650); the rest 2,400, 2,200, 2,000 are paid by the runs.
    first = w.hist.workers["W1"].contributions[0].period
    w.hist.workers["W1"].contributions = [ContributionMonth(first + k, 400000) for k in range(26)]
    appeal, c, paid = w.svc.resolve_appeal(appeal.id, AppealOutcome.UPHELD, D(2025, 6, 10), actor="cw")
    assert [(p.key, p.amount) for p in paid] == [(f"{c.id}#1d1", 70000), (f"{c.id}#2d1", 65000)]
    assert c.decision is not None and c.decision.total == 1200000
    for m in (JUN, JUL, parse_period("2025-08")):
        w.svc.run_payments(m, D(2025, 9, 5), actor="system")
    assert sum(p.amount for p in w.pay.all()) == 1200000
    assert w.repo.get(c.id).state is S.EXHAUSTED
    number, kind = _acts(w, c.id)[-1]
    assert kind is ActKind.AMOUNT_CHANGE and "S/ 2,100.00 → S/ 2,800.00" in w.svc.acts.get(number).html.decode()
    assert verify_chain(w.audit.records).ok


def test_amount_appeal_after_a_rectified_declaration_pays_the_difference(migrated_url: str, tmp_path: Path) -> None:
    """Import → decision → two installments paid → the employer rectifies every month (S/ 3,000 →
    S/ 4,000) → appeal upheld against the amount: installments 1 and 2 get their difference
    (2,800 − 2,100 = 700; 2,600 − 1,950 = 650), the rest are paid at the new amounts: 12,000 in all."""
    from seguro_desempleo.bootstrap import import_files
    from seguro_desempleo.services.registry import register_employer
    from seguro_desempleo.storage.history import worker_ids_by_document
    from tests.claims.registration_helpers import register_all_workers
    from tests.payroll.helpers import dni, make_ruc, write_per, write_rem

    ruc = make_ruc(7201)
    months = [f"{y}-{m:02d}" for y in (2023, 2024, 2025) for m in range(1, 13) if "2023-03" <= f"{y}-{m:02d}" <= "2025-03"]
    with SqlUnitOfWork(migrated_url) as uow:
        register_employer(uow, ruc, "Textiles Andinos SAC", size_class="large", region="Lima")
        uow.commit()

    def load(folder: str, amount: str, today: dt.date) -> None:
        files = tmp_path / folder
        files.mkdir()
        paths = [write_rem(files, ruc, m, [("01", dni(9), "0121", amount, amount)]) for m in months]
        if folder == "first":
            paths.append(write_per(files, ruc, [("01", dni(9), "604", "1", "1", "01/02/2020", "10/03/2025", "03", "")]))
        with SqlUnitOfWork(migrated_url) as uow:
            summary = import_files(paths, uow=uow, today=today)
            assert summary.rejected == 0, summary.issues[:3]
            register_all_workers(uow.session)
            uow.commit()

    load("first", "3000.00", dt.date(2025, 3, 15))
    with SqlUnitOfWork(migrated_url) as uow:
        fund(uow)                      # the fund pays only the cash it has (issue 25)
        uow.commit()
    with SqlUnitOfWork(migrated_url) as uow:
        ref = str(worker_ids_by_document(uow.session, [("01", dni(9))])[("01", dni(9))])
        ctx = claims_context(uow)
        c = ctx.service.file_and_decide(ref, D(2025, 3, 20), actor="cw")
        ctx.service.run_payments(MAY, D(2025, 5, 25), actor="run")
        ctx.service.record_notification("RES-2025-000001", D(2025, 3, 21), actor="courier")
        appeal = ctx.service.file_appeal(c.id, AppealKind.RECONSIDERATION, D(2025, 4, 4), actor="worker",
                                         grounds="boletas: S/ 4,000")
        uow.commit()
    assert c.decision is not None and c.decision.total == 900000
    load("rectified", "4000.00", dt.date(2025, 6, 1))
    with SqlUnitOfWork(migrated_url) as uow:
        ctx = claims_context(uow)
        _, c, paid = ctx.service.resolve_appeal(appeal.id, AppealOutcome.UPHELD, D(2025, 6, 10), actor="cw")
        uow.commit()
    assert [(p.number, p.amount) for p in paid] == [(1, 70000), (2, 65000)]
    for m in (JUN, JUL, parse_period("2025-08")):
        with SqlUnitOfWork(migrated_url) as uow:
            claims_context(uow).service.run_payments(m, D(2025, 9, 5), actor="run")
            uow.commit()
    with SqlUnitOfWork(migrated_url) as uow:
        ctx = claims_context(uow)
        assert sum(p.amount for p in ctx.payments.payments(c.id)) == 1200000
        kinds = [a.kind for a in ctx.service.acts_for(c.id)]
        assert kinds == [ActKind.DECISION, ActKind.AMOUNT_CHANGE] and all(a.verify() for a in ctx.service.acts_for(c.id))
        assert ctx.claims.get(c.id).state is S.EXHAUSTED
