"""The art. 10 experience study on a small fixture whose counts and averages are worked by hand.

Year 2025 (periods 24300..24311). Employers: A private, B public. Workers: W1 F, W2 M, W3 F.

Declarations in force (superseded versions and other years must not count):
  A Jan-2025 v2 (v1 superseded, W1 9,999.99): W1 2,000.00, W2 3,000.00   total due 58.00
  A Feb-2025: W1 2,000.00                                                total due 23.20
  B Mar-2025: W3 1,500.00                                                total due 17.40
  B Dec-2024: W3 1,500.00 (other year)
Employer payments: A Jan 58.00; B Mar 10.00.

  covered workers 3; worker-months 4; insurable pay 8,500.00; average pay 8,500.00/4 = 2,125.00;
  average monthly contributors 4/12 = 0.33; declared 98.60; collected 68.00.
  by sex  F: 2 workers, 3 worker-months, 5,500.00 (average 1,833.33)  M: 1, 1, 3,000.00
  by sector private: 2 workers, 3 months, 7,000.00, declared 81.20, collected 58.00
            public: 1, 1, 1,500.00, declared 17.40, collected 10.00

Claims filed in 2025: C1 (W2 M) paying, C2 (W1 F) denied, C3 (W3 F) exhausted; C0 (W2) filed in
2024 with a payment in January 2025 (a payment of the year, not a claim of the year).
Benefit payments in 2025: C1 2,100.00 + 1,950.00; C3 1,050.00 + 975.00 + 900.00; C0 1,000.00.

  claims filed 3, eligible 2 (C1, C3), denied 1, eligibility 2/3 = 0.6667
  payments 6, benefits 7,975.00, average benefit 7,975.00/6 = 1,329.17 (1,329.1666… half-even)
  claims paid 3 (C1, C3, C0), average duration 6/3 = 2.00 months, monthly beneficiaries 6/12 = 0.50
  M: filed 1, eligible 1, payments 3 (C1 ×2, C0), 5,050.00, average 1,683.33, claims paid 2, 1.50 months
  F: filed 2, eligible 1, denied 1, eligibility 0.5000, payments 3, 2,925.00, average 975.00, 3.00 months
Recoveries: 50.00 credited to benefit overpayments receivable in 2025.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

from seguro_desempleo.services import governance as g
from seguro_desempleo.services import ledger
from seguro_desempleo.storage.claims_models import BenefitPaymentRow, ClaimRow
from seguro_desempleo.storage.models import (
    ContributionRow,
    DeclarationRow,
    EmployerPaymentRow,
    EmployerRow,
    WorkerRow,
)
from seguro_desempleo.storage.uow import SqlUnitOfWork

Y = 2025 * 12


def _seed(url: str) -> None:
    with SqlUnitOfWork(url) as uow:
        s = uow.session
        a = EmployerRow(ruc="20100000001", name="A", sector="private")
        b = EmployerRow(ruc="20100000002", name="B", sector="public")
        w1, w2, w3 = (WorkerRow(doc_type="01", doc_number=f"4000000{i}", sex=x) for i, x in ((1, "F"), (2, "M"), (3, "F")))
        s.add_all([a, b, w1, w2, w3])
        s.flush()

        def decl(emp: EmployerRow, period: int, version: int, status: str, due: int,
                 pays: list[tuple[WorkerRow, int]]) -> None:
            d = DeclarationRow(employer_id=emp.id, period=period, version=version, status=status, workers=len(pays),
                               total_due=due, employer_due=due // 2, cts_due=due - due // 2)
            s.add(d)
            s.flush()
            s.add_all([ContributionRow(declaration_id=d.id, worker_id=w.id, period=period, insurable_pay=p)
                       for w, p in pays])

        decl(a, Y, 1, "superseded", 11_600, [(w1, 999_999)])
        decl(a, Y, 2, "active", 5_800, [(w1, 200_000), (w2, 300_000)])
        decl(a, Y + 1, 1, "active", 2_320, [(w1, 200_000)])
        decl(b, Y + 2, 1, "active", 1_740, [(w3, 150_000)])
        decl(b, Y - 1, 1, "active", 1_740, [(w3, 150_000)])
        s.add_all([EmployerPaymentRow(employer_id=a.id, period=Y, amount=5_800, interest=0, paid_on=dt.date(2025, 2, 10)),
                   EmployerPaymentRow(employer_id=b.id, period=Y + 2, amount=1_000, interest=0,
                                      paid_on=dt.date(2025, 4, 10))])

        def claim(cid: str, w: WorkerRow, filed: dt.date, state: str) -> None:
            s.add(ClaimRow(id=cid, worker_ref=str(w.id), filed_on=filed, separation_date=filed - dt.timedelta(days=10),
                           state=state, version=1))

        claim("C0", w2, dt.date(2024, 11, 5), "closed")
        claim("C1", w2, dt.date(2025, 5, 5), "paying")
        claim("C2", w1, dt.date(2025, 3, 5), "denied")
        claim("C3", w3, dt.date(2025, 3, 20), "exhausted")
        s.flush()
        for cid, n, period, amount in (("C0", 3, Y, 100_000), ("C1", 1, Y + 5, 210_000), ("C1", 2, Y + 6, 195_000),
                                       ("C3", 1, Y + 3, 105_000), ("C3", 2, Y + 4, 97_500), ("C3", 3, Y + 5, 90_000),
                                       ("C0", 2, Y - 1, 100_000)):
            s.add(BenefitPaymentRow(key=f"{cid}#{n}", claim_id=cid, number=n, period=period, amount=amount,
                                    paid_on=dt.date(2025, 1, 1)))
        ledger.post(uow, "overpayment", [("1240", 8_000, 0), ("5100", 0, 8_000)], at=dt.date(2025, 7, 1))
        ledger.post(uow, "recovery", [("1010", 5_000, 0), ("1240", 0, 5_000)], at=dt.date(2025, 8, 1))
        uow.commit()


def test_experience_study_reproduces_the_hand_arithmetic(migrated_url: str) -> None:
    _seed(migrated_url)
    with SqlUnitOfWork(migrated_url) as uow:
        f = g.experience_figures(uow, 2025)
    t = f["total"]
    assert (t["covered_workers"], t["worker_months"], t["insurable_pay"]) == (3, 4, 850_000)
    assert (t["average_insurable_pay"], t["average_monthly_contributors"]) == (212_500, "0.33")
    assert (t["contributions_declared"], t["contributions_collected"]) == (9_860, 6_800)
    assert (t["claims_filed"], t["claims_eligible"], t["claims_denied"], t["eligibility_rate"]) == (3, 2, 1, "0.6667")
    assert (t["benefit_payments"], t["benefits_paid"], t["average_benefit"]) == (6, 797_500, 132_917)
    assert (t["claims_paid"], t["average_duration_months"], t["average_monthly_beneficiaries"]) == (3, "2.00", "0.50")
    assert t["recoveries"] == 5_000
    m, w = f["by_sex"]["M"], f["by_sex"]["F"]
    assert (w["covered_workers"], w["worker_months"], w["insurable_pay"], w["average_insurable_pay"]) == \
        (2, 3, 550_000, 183_333)
    assert (m["covered_workers"], m["insurable_pay"]) == (1, 300_000)
    assert (m["claims_filed"], m["claims_eligible"], m["benefit_payments"], m["benefits_paid"], m["average_benefit"],
            m["claims_paid"], m["average_duration_months"]) == (1, 1, 3, 505_000, 168_333, 2, "1.50")
    assert (w["claims_filed"], w["claims_denied"], w["eligibility_rate"], w["benefits_paid"], w["average_benefit"],
            w["average_duration_months"]) == (2, 1, "0.5000", 292_500, 97_500, "3.00")
    priv, pub = f["by_sector"]["private"], f["by_sector"]["public"]
    assert (priv["covered_workers"], priv["worker_months"], priv["insurable_pay"], priv["contributions_declared"],
            priv["contributions_collected"]) == (2, 3, 700_000, 8_120, 5_800)
    assert (pub["covered_workers"], pub["insurable_pay"], pub["contributions_declared"],
            pub["contributions_collected"]) == (1, 150_000, 1_740, 1_000)


def test_study_feeds_an_experience_assumption_set_the_valuation_loads(
        migrated_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from seguro_desempleo.actuarial.assumptions import load_assumptions
    from seguro_desempleo.cli import main

    _seed(migrated_url)
    monkeypatch.setenv("SEGURO_DB_URL", migrated_url)
    assert main(["study", "2025", "--date", "2026-01-15"]) == 0
    out = capsys.readouterr().out
    assert "experience-2025" in out and "31/12/2027" in out          # art. 10: the next one two years on
    a = load_assumptions("experience-2025")
    assert a.first_year == 2025 and a.insurable_earnings[2025] == Decimal("8.5000")   # thousands of soles
    assert a.average_monthly_benefit[2025] == Decimal("1329.1700")
    assert a.average_monthly_beneficiaries[2025] == Decimal("0.5000")
    assert a.contribution_rate == Decimal("0.0116")
    assert main(["valuation", "--assumptions", "experience-2025"]) == 0
    assert "experience-2025" in capsys.readouterr().out
    with SqlUnitOfWork(migrated_url) as uow:
        [study] = g.latest_studies(uow)
        assert study.inputs["total"]["claims_filed"] == 3 and study.report["assumptions"] == "experience-2025"
        assert g.study_calendar(uow, dt.date(2028, 1, 1))["overdue"]
    assert main(["study", "2026", "--date", "2026-06-01"]) == 2            # the year has not ended
    assert "has not ended" in capsys.readouterr().err
