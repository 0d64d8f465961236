"""Art. 7 registration with the employment service, stored and read by the SQL path (both engines)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import sqlalchemy as sa

from seguro_desempleo.claims.appeals import AppealKind, AppealOutcome
from seguro_desempleo.claims.state import ClaimState
from seguro_desempleo.errors import InputError, NotFoundError
from seguro_desempleo.services.claims_app import (
    claims_context,
    employment_registrations,
    record_employment_registration,
    verify_audit,
)
from seguro_desempleo.storage.uow import SqlUnitOfWork
from tests.claims.test_sql_adapters import _seed

CLOCK = dt.datetime(2025, 4, 1, 12, tzinfo=dt.UTC)


def test_unregistered_claim_denied_then_registration_approves_on_appeal(engine: sa.Engine, tmp_path: Path) -> None:
    ref = _seed(engine, tmp_path)
    with engine.begin() as conn:                    # the shared seed registers everyone; undo it here
        conn.execute(sa.text("DELETE FROM es_registration"))
    with SqlUnitOfWork(engine) as uow:
        ctx = claims_context(uow, clock=lambda: CLOCK)
        c = ctx.service.file_claim(ref, dt.date(2025, 3, 20), actor="worker")
        c = ctx.service.decide(c.id, dt.date(2025, 3, 21), actor="cw")
        assert c.state is ClaimState.DENIED and c.decision is not None
        assert "art. 7" in str(c.decision.to_dict()).lower()
        uow.commit()
    with SqlUnitOfWork(engine) as uow:
        ctx = claims_context(uow, clock=lambda: CLOCK)
        row = record_employment_registration(ctx, ref, dt.date(2025, 3, 15), "centro_empleo", actor="eso:1",
                                             reference="CE Lima Norte")
        assert row["channel"] == "centro_empleo"
        with pytest.raises(InputError):
            record_employment_registration(ctx, ref, dt.date(2025, 3, 15), "fax", actor="eso:1")
        with pytest.raises(NotFoundError):
            record_employment_registration(ctx, "999999", dt.date(2025, 3, 15), "other", actor="eso:1")
        uow.commit()
    with SqlUnitOfWork(engine) as uow:
        ctx = claims_context(uow, clock=lambda: CLOCK)
        assert [r["registered_on"] for r in employment_registrations(ctx, ref)] == ["2025-03-15"]
        assert ctx.history.registered_with_employment_service(ref, dt.date(2025, 3, 15))
        assert not ctx.history.registered_with_employment_service(ref, dt.date(2025, 3, 14))
        ap = ctx.service.file_appeal(c.id, AppealKind.RECONSIDERATION, dt.date(2025, 3, 25), actor="worker")
        _, claim, _ = ctx.service.resolve_appeal(ap.id, AppealOutcome.UPHELD, dt.date(2025, 3, 28), actor="cw")
        assert claim.state is not ClaimState.DENIED and claim.decision is not None and claim.decision.eligible
        uow.commit()
    with SqlUnitOfWork(engine) as uow:
        assert verify_audit(uow).ok


def test_registration_is_read_on_the_evaluation_date_not_a_decision_date_before_filing(
        engine: sa.Engine, tmp_path: Path) -> None:
    """A decision dated before the filing is evaluated as of the filing (max(filed_on, on)), for
    the registration as for every other requirement: registered on 18/04, filed on 20/04, decided
    with a date of 15/04 — registered."""
    ref = _seed(engine, tmp_path)
    with engine.begin() as conn:
        conn.execute(sa.text("DELETE FROM es_registration"))
    with SqlUnitOfWork(engine) as uow:
        ctx = claims_context(uow, clock=lambda: CLOCK)
        record_employment_registration(ctx, ref, dt.date(2025, 3, 18), "centro_empleo", actor="eso:1")
        c = ctx.service.file_claim(ref, dt.date(2025, 3, 20), actor="worker")
        case = ctx.service.case_for(c, dt.date(2025, 3, 15))
        assert case.claim_date == dt.date(2025, 3, 20) and case.registered_with_employment_service
        c = ctx.service.decide(c.id, dt.date(2025, 3, 15), actor="cw")
        assert c.decision is not None
        reg = next(r for r in c.decision.reasons if r["requirement"] == "employment_service")
        assert reg["met"], reg
        uow.rollback()
