"""Legal cases of issue 26 item 3 (tests/claims/cases/*.yaml) through the ClaimService.

Each case files a claim for a worker with the history given, decides it (and, if asked, lets the
daily job decide it when the waiting period ends), checks the decision — state, installments,
total, the reason and what it tells the worker — and then runs every monthly payment run up to
``paid_through``: the money paid must be what the decision awarded, and the claim ends as said.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import yaml

from seguro_desempleo.claims.memory import (
    InMemoryAuditSink,
    InMemoryClaimRepository,
    InMemoryHistory,
    InMemoryLedger,
    InMemoryPaymentStore,
    WorkerHistory,
)
from seguro_desempleo.claims.ports import Separation
from seguro_desempleo.claims.service import ClaimService
from seguro_desempleo.employment_service.adapter import InMemoryEmploymentService
from seguro_desempleo.money import cents_to_str, parse_soles
from seguro_desempleo.parameters import default_parameters
from seguro_desempleo.periods import first_day, parse_period
from seguro_desempleo.rules.evaluate import ContributionMonth
from tests.rules.helpers import expand_contributions

CASES = Path(__file__).parent / "cases"


def _cases() -> list[Any]:
    out = []
    for path in sorted(CASES.glob("*.yaml")):
        for i, case in enumerate(yaml.safe_load(path.read_text(encoding="utf-8"))):
            out.append(pytest.param(case, id=f"{path.stem}:{i}:{case['name'][:40]}"))
    return out


def _date(text: str | None) -> dt.date | None:
    return dt.date.fromisoformat(text) if text else None


def _service(w: dict[str, Any]) -> tuple[ClaimService, InMemoryPaymentStore]:
    hist = InMemoryHistory()
    hist.workers["W1"] = WorkerHistory(
        separation=Separation(dt.date.fromisoformat(w["separation_date"]), w["termination_cause"],
                              "20100047218", "large"),
        contributions=[ContributionMonth(parse_period(m["period"]), parse_soles(m["remuneration"]))
                       for m in expand_contributions(w["contributions"])],
        reemployment=_date(w.get("reemployment_date")), kept_job=bool(w.get("kept_job", False)))
    pay = InMemoryPaymentStore()
    svc = ClaimService(claims=InMemoryClaimRepository(), history=hist, payments=pay, ledger=InMemoryLedger(),
                       audit=InMemoryAuditSink(), employment=InMemoryEmploymentService(),
                       params=default_parameters(), clock=lambda: dt.datetime(2025, 3, 1, tzinfo=dt.UTC),
                       schedule_obligations=False)
    return svc, pay


@pytest.mark.parametrize("case", _cases())
def test_reemployment_case(case: dict[str, Any]) -> None:
    assert case.get("article", "").startswith("PL 5510/2022-CR") and case.get("hand"), \
        "every case names its article and shows the hand arithmetic"
    svc, pay = _service(case["worker"])
    exp = case["expected"]
    claim = svc.file_claim("W1", dt.date.fromisoformat(case["filed_on"]), actor="worker")
    claim = svc.decide(claim.id, dt.date.fromisoformat(case["decided_on"]), actor="cw")
    if case.get("auto_decide_on"):
        assert claim.state.value == "waiting", "a claim inside its waiting period waits for the daily job"
        run = svc.auto_decide(dt.date.fromisoformat(case["auto_decide_on"]))
        assert run.decided == ((claim.id, exp["state"]),)
        assert svc.auto_decide(dt.date.fromisoformat(case["auto_decide_on"])).decided == ()   # idempotent
        claim = svc.claims.get(claim.id)
    assert claim.state.value == exp["state"]
    d = claim.decision
    assert d is not None
    assert [cents_to_str(b.amount) for b in d.benefits] == exp["benefits"]
    assert cents_to_str(d.total) == exp["total"]
    if "failed" in exp:
        assert sorted(r["requirement"] for r in d.reasons if not r["met"]) == sorted(exp["failed"])
    for requirement, words in exp.get("says", {}).items():
        detail = next(r["detail"] for r in d.reasons if r["requirement"] == requirement)
        assert all(word in detail for word in words), detail
    assert all(r["article"].startswith("PL 5510/2022-CR") for r in d.reasons)
    # The money: every monthly run up to paid_through pays exactly what the decision awarded.
    first = parse_period(case["decided_on"][:7])
    for period in range(first, parse_period(exp["paid_through"]) + 1):
        svc.run_payments(period, first_day(period) + dt.timedelta(days=24), actor="run")
    assert cents_to_str(sum(p.amount for p in pay.all())) == exp["paid_total"]
    assert svc.claims.get(claim.id).state.value == exp["final_state"]


def test_recording_the_reemployment_the_decision_read_claws_back_nothing() -> None:
    """The decision already awarded month 4 pro rata (26 of 30 days: 1,430.00, case 0 of
    art5_7_decision_cases.yaml); recording the same new job again (caseworker, API) must not
    prorate it a second time: 1,430.00 × 26 / 30 = 1,239.33 would book 190.67 as an overpayment
    the worker never received."""
    case = _cases()[0].values[0]
    svc, pay = _service(case["worker"])
    claim = svc.decide(svc.file_claim("W1", dt.date(2025, 3, 20), actor="w").id, dt.date(2025, 3, 21), actor="cw")
    for month in ("2025-04", "2025-05", "2025-06", "2025-07"):
        svc.run_payments(parse_period(month), first_day(parse_period(month)) + dt.timedelta(days=24), actor="run")
    assert sum(p.amount for p in pay.all()) == parse_soles("7280.00")
    _, over = svc.record_reemployment(claim.id, dt.date(2025, 7, 14), actor="cw", on=dt.date(2025, 7, 30))
    assert over == []
