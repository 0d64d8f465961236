"""Issue 25, part A — bounded money movements (each test failed on the main before the fix).

- dates: a run for a period after its date's month, a run dated in year 1 or 9999, a claim dated
  9999 — refused with 422 before anything is written; one policy (``domain/dates.py``);
- the fund cannot go negative: a run pays no more than the bank balance, in the documented order,
  the rest stays due, a ``fund_alert`` is stored, the preview shows the shortfall and writes
  nothing;
- plausibility and maker-checker: an implausible month does not count until staff accept it; an
  award above the parameterised amount is held until a second staff member approves (never the
  maker, the database's CHECK too); a worker cannot date their own registration in the past.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import sqlalchemy as sa

from seguro_desempleo.claims.appeals import AppealKind, AppealOutcome
from seguro_desempleo.claims.state import ClaimState
from seguro_desempleo.domain import dates
from seguro_desempleo.errors import ConflictError, InputError
from seguro_desempleo.periods import parse_period
from seguro_desempleo.services.claims_app import bulk_run_payments, claims_context, run_payments
from seguro_desempleo.storage.uow import SqlUnitOfWork
from tests.claims.funding import fund
from tests.claims.test_sql_stores import seed_worker
from tests.payroll.helpers import dni, make_ruc, write_csv

AUG = parse_period("2025-08")
PAYDAY = dt.date(2025, 8, 25)


def _count(engine: sa.Engine, table: str) -> int:
    with SqlUnitOfWork(engine) as uow:
        return int(uow.session.execute(sa.select(sa.func.count()).select_from(sa.table(table))).scalar_one())


def _approved(engine: sa.Engine, tmp_path: Path, n: int, *, funded: bool = True) -> str:
    ref = seed_worker(engine, tmp_path, n, reemployed=False, funded=funded)
    with SqlUnitOfWork(engine) as uow:
        c = claims_context(uow).service.file_and_decide(ref, dt.date(2025, 3, 20), actor="caseworker:1")
        uow.commit()
    assert c.state is ClaimState.APPROVED
    return c.id


# ------------------------------------------------------------------------------------------ dates


@pytest.mark.parametrize(("period", "on", "field"), [
    ("2030-12", dt.date(2025, 8, 25), "period"),        # paid every installment in advance
    ("2025-08", dt.date(1, 1, 1), "date"),              # booked payments in year 1
    ("2025-08", dt.date(9999, 12, 31), "date"),
    ("2025-09", dt.date(2025, 8, 31), "period"),        # next month, before it starts
])
@pytest.mark.parametrize("bulk", [False, True])
def test_a_run_out_of_bounds_is_refused_and_writes_nothing(engine: sa.Engine, tmp_path: Path, period: str,
                                                           on: dt.date, field: str, bulk: bool) -> None:
    _approved(engine, tmp_path, 21)
    with SqlUnitOfWork(engine) as uow, pytest.raises(InputError, match=f"'{field}'"):
        (bulk_run_payments if bulk else run_payments)(claims_context(uow), parse_period(period), on, actor="r")
        uow.commit()
    assert _count(engine, "benefit_payment") == 0


@pytest.mark.parametrize("day", [dt.date(9999, 1, 1), dt.date(1, 1, 1), dt.date(2020, 12, 31)])
def test_a_claim_date_out_of_bounds_never_reaches_storage(engine: sa.Engine, tmp_path: Path,
                                                          day: dt.date) -> None:
    ref = seed_worker(engine, tmp_path, 22, reemployed=False)
    with SqlUnitOfWork(engine) as uow, pytest.raises(InputError, match="claim_date"):
        claims_context(uow).service.file_and_decide(ref, day, actor="caseworker:1")
    assert _count(engine, "claim") == 0


def test_the_window_is_the_parameters_first_date_to_today_plus_tolerance(monkeypatch: pytest.MonkeyPatch) -> None:
    from seguro_desempleo.parameters import default_parameters

    ps = default_parameters()
    assert dates.insurance_start(ps) == dt.date(2021, 1, 1)
    monkeypatch.setattr(dates, "today", lambda: dt.date(2025, 8, 1))
    assert dates.check_date(dt.date(2025, 9, 1), ps, field="d") == dt.date(2025, 9, 1)     # 31 days
    with pytest.raises(InputError, match="futuro"):
        dates.check_date(dt.date(2025, 9, 2), ps, field="d")


# ------------------------------------------------------------------------------------------ the fund


@pytest.mark.parametrize("bulk", [False, True])
def test_an_empty_fund_pays_nothing_and_raises_an_alert(engine: sa.Engine, tmp_path: Path, bulk: bool) -> None:
    cid = _approved(engine, tmp_path, 23, funded=False)
    with SqlUnitOfWork(engine) as uow:
        run = (bulk_run_payments if bulk else run_payments)(claims_context(uow), AUG, PAYDAY, actor="r")
        uow.commit()
    assert run.paid == () and run.available == 0
    assert [i.key for i in run.unpaid] == [f"{cid}#{n}" for n in range(1, 6)]
    assert run.shortfall == 210000 + 195000 + 180000 + 165000 + 150000
    with SqlUnitOfWork(engine) as uow:
        from seguro_desempleo.services.ledger import balances
        from seguro_desempleo.storage.money_safety import fund_alerts

        bank = {b.code: b.balance for b in balances(uow)}["1010"]
        assert bank == 0                                    # never negative
        alerts = fund_alerts(uow.session)
        assert len(alerts) == 1 and alerts[0]["shortfall"] == run.shortfall and alerts[0]["unpaid"] == 5
        assert claims_context(uow).claims.get(cid).state is ClaimState.APPROVED     # still due


@pytest.mark.parametrize("bulk", [False, True])
def test_a_short_fund_pays_the_oldest_installment_first_then_the_claim_filed_first(
        engine: sa.Engine, tmp_path: Path, bulk: bool) -> None:
    a = _approved(engine, tmp_path, 24, funded=False)
    b = _approved(engine, tmp_path, 25, funded=False)
    with SqlUnitOfWork(engine) as uow:
        fund(uow, 210000 * 2 + 195000)          # months 1 of both claims, then month 2 of the first
        uow.commit()
    with SqlUnitOfWork(engine) as uow:
        run = (bulk_run_payments if bulk else run_payments)(claims_context(uow), AUG, PAYDAY, actor="r")
        uow.commit()
    assert sorted(p.key for p in run.paid) == sorted([f"{a}#1", f"{b}#1", f"{a}#2"])
    assert [i.key for i in run.unpaid][:2] == [f"{b}#2", f"{a}#3"]
    assert run.available == 210000 * 2 + 195000 and run.total == run.available


def test_the_preview_shows_the_shortfall_and_writes_nothing(engine: sa.Engine, tmp_path: Path) -> None:
    _approved(engine, tmp_path, 26, funded=False)
    with SqlUnitOfWork(engine) as uow:
        run = bulk_run_payments(claims_context(uow), AUG, PAYDAY, actor="r")
        uow.rollback()
    assert run.shortfall == 900000 and run.paid == ()
    assert _count(engine, "fund_alert") == 0 and _count(engine, "benefit_payment") == 0


def test_the_database_refuses_an_alert_without_a_shortfall(engine: sa.Engine) -> None:
    from seguro_desempleo.storage.money_safety import record_fund_alert

    with SqlUnitOfWork(engine) as uow, pytest.raises(sa.exc.IntegrityError):
        record_fund_alert(uow.session, period=AUG, run_date=PAYDAY, available=5, due=5, shortfall=0, unpaid=0,
                          raised_by="x", raised_at="2025-08-25T00:00:00+00:00")


# ------------------------------------------------------------------------------- plausibility


def _inflated_worker(engine: sa.Engine, tmp_path: Path, n: int, pay: str) -> str:
    """A new worker whose employer declared 12 back-dated months at *pay*, laid off on SEP."""
    from seguro_desempleo.bootstrap import import_files
    from seguro_desempleo.domain.registry import Employer, EmploymentPeriod
    from seguro_desempleo.storage.history import worker_ids_by_document
    from tests.claims.registration_helpers import register_all_workers
    from tests.claims.test_sql_stores import SEP

    ruc = make_ruc(80 + n)
    rows = [(ruc, f"{y}-{m:02d}", "01", dni(n), "0121", pay, pay)
            for y in (2024, 2025) for m in range(1, 13) if (2024, 3) < (y, m) <= (2025, 3)]
    f = write_csv(tmp_path / f"inflated{n}.csv", rows)
    with SqlUnitOfWork(engine) as uow:
        import_files([f], uow=uow, today=dt.date(2025, 3, 18))
        e = uow.employers.upsert(Employer(ruc, "Fantasma SAC", size_class="large"))
        wid = worker_ids_by_document(uow.session, [("01", dni(n))])[("01", dni(n))]
        assert e.id is not None
        uow.periods.upsert(EmploymentPeriod(e.id, wid, dt.date(2024, 4, 1), SEP, "01", "03"))
        register_all_workers(uow.session)
        fund(uow)
        uow.commit()
    return str(wid)


def test_implausible_months_do_not_count_until_accepted(engine: sa.Engine, tmp_path: Path) -> None:
    from seguro_desempleo.storage.money_safety import held_claims, review_month, review_queue

    ref = _inflated_worker(engine, tmp_path, 31, "9999999.99")
    with SqlUnitOfWork(engine) as uow:
        c = claims_context(uow).service.file_and_decide(ref, dt.date(2025, 3, 20), actor="caseworker:1")
        uow.commit()
    assert c.state is ClaimState.DENIED               # the 12 months are flagged: none counts
    with SqlUnitOfWork(engine) as uow:
        queue = review_queue(uow.session)
        assert len(queue) == 12 and all("tope de revisión" in r["reasons"] for r in queue)
        for r in queue:
            review_month(uow.session, r["id"], True, reviewer="caseworker:2", at="2025-03-21T10:00:00+00:00")
        uow.commit()
    # Accepted by staff, the months count; the award rests on them (and is huge): held for a second approval.
    with SqlUnitOfWork(engine) as uow:
        ctx = claims_context(uow)
        ctx.service.file_appeal(c.id, AppealKind.RECONSIDERATION, dt.date(2025, 3, 25), actor="worker")
        uow.commit()
    with SqlUnitOfWork(engine) as uow:
        ctx = claims_context(uow)
        appeal = ctx.claims.appeals_for(c.id)[0]
        _a, approved, paid = ctx.service.resolve_appeal(appeal.id, AppealOutcome.UPHELD, dt.date(2025, 4, 10),
                                                        actor="caseworker:1")
        uow.commit()
    assert approved.state is ClaimState.APPROVED and paid == []
    with SqlUnitOfWork(engine) as uow:
        assert held_claims(uow.session) == {c.id}        # rests on flagged months: a second approval first


def test_an_award_above_the_limit_is_held_until_a_second_staff_member_approves(engine: sa.Engine,
                                                                              tmp_path: Path) -> None:
    from seguro_desempleo.storage.money_safety import approval_of, held_claims

    ref = _inflated_worker(engine, tmp_path, 32, "40000.00")     # plausible, but a large award
    with SqlUnitOfWork(engine) as uow:
        c = claims_context(uow).service.file_and_decide(ref, dt.date(2025, 3, 20), actor="caseworker:1")
        uow.commit()
    assert c.state is ClaimState.APPROVED
    with SqlUnitOfWork(engine) as uow:
        assert held_claims(uow.session) == {c.id}
        run = bulk_run_payments(claims_context(uow), AUG, PAYDAY, actor="r")
        assert run.paid == () and run.held == (c.id,)
        uow.rollback()
    with SqlUnitOfWork(engine) as uow, pytest.raises(ConflictError, match="cuatro ojos"):
        claims_context(uow).service.approve_award(c.id, approve=True, actor="caseworker:1")   # the maker
    with SqlUnitOfWork(engine) as uow, pytest.raises(sa.exc.IntegrityError):   # the database's own CHECK
        uow.session.execute(sa.text("UPDATE award_approval SET status = 'approved', checker = maker, "
                                    "checked_at = 'x' WHERE claim_id = :c"), {"c": c.id})
    # the same person under another spelling (revision 0310): the database compares persons too
    with SqlUnitOfWork(engine) as uow:
        assert approval_of(uow.session, c.id)["maker_person"] == "caseworker:1"
    with SqlUnitOfWork(engine) as uow, pytest.raises(sa.exc.IntegrityError):
        uow.session.execute(sa.text("UPDATE award_approval SET status = 'approved', checker = 'CASEWORKER:1 ', "
                                    "checker_person = maker_person, checked_at = 'x' WHERE claim_id = :c"),
                            {"c": c.id})
    with SqlUnitOfWork(engine) as uow, pytest.raises(sa.exc.IntegrityError):   # a checker without its person
        uow.session.execute(sa.text("UPDATE award_approval SET status = 'approved', checker = 'caseworker:2', "
                                    "checked_at = 'x' WHERE claim_id = :c"), {"c": c.id})
    with SqlUnitOfWork(engine) as uow:
        claims_context(uow).service.approve_award(c.id, approve=True, actor="caseworker:2")
        uow.commit()
    with SqlUnitOfWork(engine) as uow:
        row = approval_of(uow.session, c.id)
        assert row is not None and (row["maker"], row["checker"], row["status"]) == \
            ("caseworker:1", "caseworker:2", "approved")
        actions = [r.action for r in claims_context(uow).audit.for_entity(f"claim:{c.id}")]
        assert "claim.approval_requested" in actions and "claim.award_approved" in actions
        run = bulk_run_payments(claims_context(uow), AUG, PAYDAY, actor="r")
        assert len(run.paid) == 5
        uow.commit()


def test_a_worker_cannot_date_their_own_registration_in_the_past(engine: sa.Engine, tmp_path: Path) -> None:
    from seguro_desempleo.services.claims_app import record_employment_registration

    ref = seed_worker(engine, tmp_path, 33, reemployed=False)
    today = dt.date(2025, 3, 20)
    with SqlUnitOfWork(engine) as uow:
        ctx = claims_context(uow)
        with pytest.raises(InputError, match="registered_on"):
            record_employment_registration(ctx, ref, dt.date(2024, 1, 1), "centro_empleo", actor=f"worker:{ref}",
                                           self_declared=True, today=today)
        row = record_employment_registration(ctx, ref, today, "centro_empleo", actor=f"worker:{ref}",
                                             self_declared=True, today=today)
        assert row["registered_on"] in (today, today.isoformat())
        # The employment service records an earlier date (its own records), within the date policy.
        record_employment_registration(ctx, ref, dt.date(2024, 1, 1), "centro_empleo", actor="employment_officer:1")
        with pytest.raises(InputError, match="registered_on"):
            record_employment_registration(ctx, ref, dt.date(1, 1, 1), "centro_empleo", actor="employment_officer:1")


def test_an_award_resting_on_a_month_flagged_at_intake_and_accepted_is_held(engine: sa.Engine,
                                                                            tmp_path: Path) -> None:
    """Issue 25: a month flagged at the upload (a late or self-qualifying first declaration,
    source 'import', decision 0413) counts once staff accept it, and the award resting on it asks
    for a second approval, as one resting on an accepted pay flag does (before: paid at once)."""
    from seguro_desempleo.storage.money_safety import approval_of, held_claims

    ref = _inflated_worker(engine, tmp_path, 33, "3000.00")      # plausible pay, a small award
    with SqlUnitOfWork(engine) as uow:
        uow.session.execute(sa.text(
            "INSERT INTO declaration_review (worker_id, period, remuneration, reasons, status, flagged_at, "
            "reviewed_by, reviewed_at, source) VALUES (:w, :p, 300000, 'declarado tarde', 'accepted', "
            "'2025-03-18T00:00:00', 'staff-1', '2025-03-19T00:00:00', 'import')"),
            {"w": int(ref), "p": 2025 * 12})
        uow.commit()
    with SqlUnitOfWork(engine) as uow:
        c = claims_context(uow).service.file_and_decide(ref, dt.date(2025, 3, 20), actor="caseworker:1")
        uow.commit()
    assert c.state is ClaimState.APPROVED
    with SqlUnitOfWork(engine) as uow:
        assert held_claims(uow.session) == {c.id}
        row = approval_of(uow.session, c.id)
        assert row is not None and "2025-01" in row["reasons"]
