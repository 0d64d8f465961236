"""Issue 26 (edge): a re-employment recorded after the decision already cut the benefit at another
one — the earliest governs, a later one does not prorate again (no double pro rata). Legal cases
in ``tests/rules/cases/reemployment/*.yaml`` (hand arithmetic, article), through the ClaimService:
decide → monthly runs → record the second re-employment → more runs; the money paid and the
overpayment booked are checked to the céntimo."""

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
from seguro_desempleo.money import cents_to_str
from seguro_desempleo.parameters import default_parameters
from seguro_desempleo.periods import first_day, parse_period
from seguro_desempleo.rules.evaluate import ContributionMonth

CASES = Path(__file__).parent / "cases" / "reemployment"


def _cases() -> list[Any]:
    out = []
    for path in sorted(CASES.glob("*.yaml")):
        for i, case in enumerate(yaml.safe_load(path.read_text(encoding="utf-8"))):
            out.append(pytest.param(case, id=f"{path.stem}:{i}"))
    return out


def _run(svc: ClaimService, month: str) -> None:
    p = parse_period(month)
    svc.run_payments(p, first_day(p) + dt.timedelta(days=24), actor="run")


@pytest.mark.parametrize("case", _cases())
def test_second_reemployment(case: dict[str, Any]) -> None:
    assert case["article"].startswith("PL 5510/2022-CR") and case["hand"]
    sep = dt.date(2025, 3, 10)
    hist = InMemoryHistory()
    hist.workers["W1"] = WorkerHistory(
        separation=Separation(sep, "03", "20100047218", "large"),
        contributions=[ContributionMonth(m, 300_000) for m in range(parse_period("2023-03"), parse_period("2025-02") + 1)],
        reemployment=dt.date.fromisoformat(case["decision_reemployment"]))
    pay = InMemoryPaymentStore()
    svc = ClaimService(claims=InMemoryClaimRepository(), history=hist, payments=pay, ledger=InMemoryLedger(),
                       audit=InMemoryAuditSink(), employment=InMemoryEmploymentService(),
                       params=default_parameters(), clock=lambda: dt.datetime(2025, 3, 21, tzinfo=dt.UTC),
                       schedule_obligations=False)
    claim = svc.decide(svc.file_claim("W1", dt.date(2025, 3, 20), actor="w").id, dt.date(2025, 3, 21), actor="cw")
    exp = case["expected"]
    assert claim.decision is not None and cents_to_str(claim.decision.total) == exp["decision_total"]
    for month in case["runs_before"]:
        _run(svc, month)
    _, over = svc.record_reemployment(claim.id, dt.date.fromisoformat(case["second_reemployment"]), actor="cw",
                                      on=dt.date.fromisoformat(case["recorded_on"]))
    assert cents_to_str(sum(o.amount for o in over)) == exp["overpayment"]
    for month in case["runs_after"]:
        _run(svc, month)
    assert cents_to_str(sum(p.amount for p in pay.all())) == exp["paid_total"]


def test_second_reemployment_end_to_end(migrated_url: str, tmp_path: Path) -> None:
    """Through the database (SQLite and PostgreSQL): PLAME and T-Registro imported, the decision cut
    at the new job of 14/07/2025 (month 4: 1,650.10 × 26/30 = 1,430.09; see
    tests/claims/test_reemployment_e2e.py), the runs of 04–07/2025 pay 7,350.25 in all; a caseworker
    then records a re-employment on 16/07/2025 (a later date for the return to work): nothing is
    clawed back (before: 1,430.09 prorated again at 28/30 = 1,334.75, and 95.34 booked as overpaid), the claim
    pays nothing more, and the decision's trace kept the full installment (1,650.10)."""
    from seguro_desempleo.services.claims_app import claims_context
    from seguro_desempleo.storage.uow import SqlUnitOfWork
    from tests.claims.test_reemployment_e2e import _seed

    worker, _ = _seed(migrated_url, tmp_path / "files")
    with SqlUnitOfWork(migrated_url) as uow:
        c = claims_context(uow).service.file_and_decide(worker, dt.date(2025, 3, 20), actor="cw")
        uow.commit()
    assert c.decision is not None
    for month in ("2025-04", "2025-05", "2025-06", "2025-07"):
        with SqlUnitOfWork(migrated_url) as uow:
            p = parse_period(month)
            claims_context(uow).service.run_payments(p, first_day(p) + dt.timedelta(days=24), actor="run")
            uow.commit()
    with SqlUnitOfWork(migrated_url) as uow:
        ctx = claims_context(uow)
        _, over = ctx.service.record_reemployment(c.id, dt.date(2025, 7, 16), actor="cw", on=dt.date(2025, 7, 30))
        uow.commit()
    assert over == []
    for month in ("2025-08", "2025-09"):
        with SqlUnitOfWork(migrated_url) as uow:
            p = parse_period(month)
            claims_context(uow).service.run_payments(p, first_day(p) + dt.timedelta(days=24), actor="run")
            uow.commit()
    with SqlUnitOfWork(migrated_url) as uow:
        paid = claims_context(uow).payments.payments(c.id)
    assert sum(p.amount for p in paid) == c.decision.total == 210013 + 195012 + 180011 + 143009
    assert c.decision.trace["reemployment"]["full_amount"] == 165010
