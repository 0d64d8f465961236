"""Properties of the monthly runs: whatever happens, nobody is paid twice or after re-employment."""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from seguro_desempleo.claims.memory import InMemoryPaymentStore
from seguro_desempleo.claims.ports import LedgerKind
from seguro_desempleo.employment_service.obligations import ObligationKind, Outcome
from seguro_desempleo.parameters import default_parameters
from seguro_desempleo.payments.schedule import Payment, entitlements
from seguro_desempleo.periods import first_day, parse_period, period_of
from tests.claims.test_service import World, history

PARAMS = default_parameters()
APR = parse_period("2025-04")

events = st.lists(
    st.one_of(
        st.tuples(st.just("run"), st.integers(0, 9)),
        st.tuples(st.just("miss"), st.integers(0, 6)),
        st.tuples(st.just("comply"), st.integers(0, 6)),
    ),
    max_size=14,
)


@settings(max_examples=40, deadline=None)
@given(events, st.none() | st.integers(0, 8), st.integers(1, 3))
def test_runs_never_pay_twice_or_after_reemployment(evs: list[tuple[str, int]], reemp: int | None,
                                                   workers: int) -> None:
    w = World(PARAMS)
    ids = []
    for i in range(workers):
        w.hist.workers[f"W{i}"] = history()
        c = w.svc.file_claim(f"W{i}", dt.date(2025, 3, 20), actor="w")
        ids.append(w.svc.decide(c.id, dt.date(2025, 3, 21), actor="cw").id)
    reemp_date = None if reemp is None else first_day(APR + reemp) + dt.timedelta(days=9)
    for kind, k in evs:
        day = first_day(APR + k) + dt.timedelta(days=4)
        if kind == "run":
            if reemp_date is not None and day >= reemp_date:
                w.hist.workers["W0"].reemployment = reemp_date
            w.svc.run_payments(period_of(day) - 1, day, actor="system")
        else:
            ob = w.es.schedule(ids[0], ObligationKind.COUNSELLING, day)
            w.es.record_outcome(ob.id, Outcome.NOT_COMPLIED if kind == "miss" else Outcome.COMPLIED, day)
    assert isinstance(w.pay, InMemoryPaymentStore)
    paid = w.pay.all()
    assert len({p.key for p in paid}) == len(paid)
    assert w.ledger.balance(LedgerKind.BENEFIT_PAYMENT) == sum(p.amount for p in paid)
    for cid in ids:
        claim = w.repo.get(cid)
        mine = [p for p in paid if p.claim_id == cid]
        assert claim.decision is not None and sum(p.amount for p in mine) <= claim.decision.total
        assert all(p.number in range(1, 6) for p in mine)
        if claim.reemployment_date is not None:
            # What was paid above what is owed once the re-employment is known (the benefit month
            # it falls in pro rata, later ones nothing: issue 26 item 2).
            owed = entitlements(w.svc.plan(claim))
            over = sum(max(0, p.amount - owed.get(p.key, p.amount)) for p in mine)
            booked = sum(e.amount for e in w.ledger.entries
                         if e.kind == LedgerKind.OVERPAYMENT_RECEIVABLE and e.claim_id == cid)
            assert over == booked


class RacingStore(InMemoryPaymentStore):
    """Lets a second payment run slip in between the first run's reading and its first write."""

    def __init__(self) -> None:
        super().__init__()
        self.rival: World | None = None

    def record(self, payment: Payment) -> bool:
        if self.rival is not None:
            rival, self.rival = self.rival, None
            rival.svc.run_payments(APR + 1, dt.date(2025, 6, 5), actor="run-2")
        return super().record(payment)


def test_two_runs_at_once_pay_nobody_twice() -> None:
    w = World(PARAMS)
    store = RacingStore()
    w.pay = store
    w.svc = w.service(PARAMS)
    w.hist.workers["W1"] = history()
    c = w.svc.file_claim("W1", dt.date(2025, 3, 20), actor="w")
    w.svc.decide(c.id, dt.date(2025, 3, 21), actor="cw")
    rival = World(PARAMS)
    rival.repo, rival.hist, rival.pay, rival.ledger, rival.audit, rival.es = (
        w.repo, w.hist, w.pay, w.ledger, w.audit, w.es)
    rival.svc = rival.service(PARAMS)
    store.rival = rival
    first = w.svc.run_payments(APR + 1, dt.date(2025, 6, 5), actor="run-1")
    keys = [p.key for p in store.all()]
    assert sorted(keys) == [f"{c.id}#1", f"{c.id}#2"]
    assert first.paid == ()                      # the rival paid both; run 1 skipped them
    assert w.ledger.balance(LedgerKind.BENEFIT_PAYMENT) == 210000 + 195000
