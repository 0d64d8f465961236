"""Filing with the decision at once (``ClaimService.file_and_decide``, the API's ``"decide": true``,
``claims file --decide``): the same claim, decision, obligations and audit trail as filing and then
deciding on the claim date, in one transaction."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from hypothesis import given, settings
from hypothesis import strategies as st

from seguro_desempleo.claims.audit import verify_chain
from seguro_desempleo.claims.memory import WorkerHistory
from seguro_desempleo.claims.ports import Separation
from seguro_desempleo.claims.state import ClaimState
from seguro_desempleo.errors import ConflictError, InputError, NotFoundError
from seguro_desempleo.parameters import default_parameters
from seguro_desempleo.periods import month_index
from seguro_desempleo.rules.evaluate import ContributionMonth
from seguro_desempleo.services.claims_app import claims_context, verify_audit
from seguro_desempleo.storage.db import make_engine
from seguro_desempleo.storage.uow import SqlUnitOfWork
from tests.claims.test_service import SEP, World
from tests.claims.test_sql_stores import seed_worker

PARAMS = default_parameters()
S = ClaimState


def _audit(w: World) -> list[tuple[str, str, Any, Any]]:
    return [(r.who, r.action, r.before, r.after) for r in w.audit.records]


def _obligations(w: World, claim_id: str) -> list[tuple[str, dt.date]]:
    return [(o.kind.value, o.due_date) for o in w.es.obligations(claim_id)]


@settings(max_examples=60, deadline=None)
@given(months=st.integers(0, 30), cause=st.sampled_from(["03", "01", "19", "28"]),
       after=st.integers(0, 45), registered=st.booleans(), paid_gap=st.integers(0, 3))
def test_the_same_as_filing_then_deciding_on_the_claim_date(months: int, cause: str, after: int,
                                                            registered: bool, paid_gap: int) -> None:
    first = month_index(2025, 3) - months - paid_gap
    hist = WorkerHistory(separation=Separation(SEP, cause, "20100047218", "large"),
                         contributions=[ContributionMonth(first + k, 250000 + 1000 * k) for k in range(months)],
                         registered=registered)
    day = SEP + dt.timedelta(days=after)
    one, two = World(PARAMS), World(PARAMS)
    one.hist.workers["W1"] = dataclasses.replace(hist)
    two.hist.workers["W1"] = dataclasses.replace(hist)
    a = one.svc.file_and_decide("W1", day, actor="cw:1")
    b = two.svc.decide(two.svc.file_claim("W1", day, actor="cw:1").id, day, actor="cw:1")
    assert a == b                                    # state, version, decision, first period
    assert a.state in (S.APPROVED, S.DENIED, S.WAITING)
    assert one.repo.get(a.id) == two.repo.get(b.id)
    assert _audit(one) == _audit(two)
    assert one.audit.records[0].action == "claim.file" and len(one.audit.records) == 2
    assert verify_chain(one.audit.records).ok
    assert _obligations(one, a.id) == _obligations(two, b.id)


def test_refusals_write_nothing(params: Any) -> None:
    w = World(params)
    w.hist.workers["W1"] = WorkerHistory(separation=Separation(SEP, "03", "20100047218", "large"),
                                         contributions=[ContributionMonth(month_index(2024, 1) + k, 300000)
                                                        for k in range(14)])
    with pytest.raises(NotFoundError, match="field 'worker'"):
        w.svc.file_and_decide("W404", SEP, actor="cw")
    with pytest.raises(InputError, match="before the separation"):
        w.svc.file_and_decide("W1", SEP - dt.timedelta(days=1), actor="cw")
    assert w.audit.records == [] and w.repo.open_claim_for("W1") is None
    c = w.svc.file_and_decide("W1", SEP + dt.timedelta(days=10), actor="cw")
    assert c.state is S.APPROVED and c.decided_on == SEP + dt.timedelta(days=10)
    with pytest.raises(ConflictError, match=f"open claim {c.id}"):
        w.svc.file_and_decide("W1", SEP + dt.timedelta(days=11), actor="cw")
    # Within the waiting period (art. 7: 7 days): filed, then waiting; decided later as usual.
    w.hist.workers["W2"] = dataclasses.replace(w.hist.workers["W1"])
    c2 = w.svc.file_and_decide("W2", SEP + dt.timedelta(days=3), actor="cw")
    assert c2.state is S.WAITING and c2.decision is None
    assert w.svc.decide(c2.id, SEP + dt.timedelta(days=8), actor="cw").state is S.APPROVED


def _stored(engine: sa.Engine, claim_id: str) -> tuple[Any, list[Any], list[tuple[Any, ...]]]:
    with SqlUnitOfWork(engine) as uow:
        ctx = claims_context(uow)
        c = ctx.claims.get(claim_id)
        obs = [(o.kind.value, o.due_date, o.outcome.value) for o in ctx.employment.obligations(claim_id)]
        audit = [(r.who, r.action, r.before, r.after) for r in ctx.audit.for_entity(f"claim:{claim_id}")]
    return c, obs, audit


def test_sql_one_transaction_same_as_two(migrated_url: str, tmp_path: Path,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """SQLite and PostgreSQL: one unit of work stores what the two-step flow stores."""
    engine = make_engine(migrated_url)
    try:
        ref_one, ref_two = (seed_worker(engine, tmp_path, n, reemployed=False) for n in (7, 8))
        day = dt.date(2025, 3, 20)
        with SqlUnitOfWork(engine) as uow:
            one = claims_context(uow).service.file_and_decide(ref_one, day, actor="caseworker:1")
            uow.commit()
        with SqlUnitOfWork(engine) as uow:
            cid = claims_context(uow).service.file_claim(ref_two, day, actor="caseworker:1").id
            uow.commit()
        with SqlUnitOfWork(engine) as uow:
            two = claims_context(uow).service.decide(cid, day, actor="caseworker:1")
            uow.commit()
        c1, obs1, audit1 = _stored(engine, one.id)
        c2, obs2, audit2 = _stored(engine, two.id)
        assert c1 == one and c2 == two and c1.state is S.APPROVED
        assert c1.decision is not None and c2.decision is not None
        strip = {"claim_id"}
        assert {k: v for k, v in c1.decision.to_dict().items() if k not in strip} == \
            {k: v for k, v in c2.decision.to_dict().items() if k not in strip}
        assert (c1.version, c1.first_period, c1.decided_on) == (c2.version, c2.first_period, c2.decided_on)
        assert obs1 == obs2 and len(obs1) >= 1
        assert audit1 == audit2 and [a[1] for a in audit1] == ["claim.file", "claim.approve"]
        # The decision step fails after the filing, in a unit of work that would commit: the
        # filing goes too (one transaction) — no claim, no audit record, nothing in the outbox.
        ref3 = seed_worker(engine, tmp_path, 9, reemployed=False)
        with SqlUnitOfWork(engine) as uow:
            before = verify_audit(uow).checked

        def boom(*_a: Any, **_k: Any) -> Any:
            raise RuntimeError("the rules failed")
        from seguro_desempleo.claims.service import ClaimService
        monkeypatch.setattr(ClaimService, "_evaluate", boom)     # the rules' step of the decision
        with pytest.raises(RuntimeError), SqlUnitOfWork(engine) as uow:
            claims_context(uow).service.file_and_decide(ref3, day, actor="caseworker:1")
            uow.commit()
        monkeypatch.undo()
        with SqlUnitOfWork(engine) as uow:
            ctx = claims_context(uow)
            assert ctx.claims.open_claim_for(ref3) is None
            report = verify_audit(uow)
            assert report.ok and report.checked == before
            assert uow.session.execute(sa.text("SELECT count(*) FROM audit_outbox")).scalar_one() == 0
    finally:
        engine.dispose()
