"""The art. 10 experience study on a small fixture whose counts and averages are worked by hand.

Year 2025 (periods 24300..24311). Employers: A private (no size on record: charged, as
``coverage.unknown_size_charged`` says), B public, M private micro (size confirmed micro since
01/01/2024). Workers: W1 F, W2 M, W3 F, W4 M, W5 F, W6 M, W7 F.
T-Registro periods: W5 with A from 01/03/2025, contract 02 (tiempo parcial); W6 with A from
01/03/2024 to 31/01/2025, contract 01.

Declarations in force (superseded versions and other years must not count):
  A Jan-2025 v2 (v1 superseded, W1 9,999.99): W1 2,000.00, W2 3,000.00, W6 2,500.00   due 87.00
  A Feb-2025: W1 2,000.00                                                          due 23.20
  M Feb-2025: W4 1,800.00                                                          due  0.00
  B Mar-2025: W3 1,500.00                                                          due 17.40
  A Mar-2025: W5 1,200.00 (part-time), W6 500.00 (vacaciones truncas after 31/01)  due  5.80
  A Apr-2025: W7 800.00 (below the RMV of S/ 1,130)                                due 13.11
  B Dec-2024: W3 1,500.00 (other year)
Employer payments: A Jan 87.00; B Mar 10.00.

Declared (every month of an active declaration): 7 workers, 9 worker-months,
  2,000 + 3,000 + 2,500 + 2,000 + 1,800 + 1,500 + 1,200 + 500 + 800 = 15,300.00.
Covered, as the law counts them (decision 0424; the reading of the claim and the bulk history):
  W3 Mar out — public sector, outside the phase in force (art. 3; coverage.sectors = private);
  W4 Feb out — micro employer, outside the phase in force (art. 3, Segunda disposición final);
  W5 Mar out — part-time contract 02, charged nothing (art. 3; coverage.contract_types);
  W6 Mar out — a former employer's pay after the period ended (rules.post_termination);
  W7 Apr in at the charged base, the RMV: 1,130.00 (Ley 26790 art. 6; as the import charges it).
  covered workers 4 (W1, W2, W6, W7); worker-months 5; insurable pay
  2,000 + 3,000 + 2,500 + 2,000 + 1,130 = 10,630.00; average 10,630.00/5 = 2,126.00;
  average monthly contributors 5/12 = 0.4166… → 0.42. declared 146.51 (87.00 + 23.20 + 0 + 17.40 +
  5.80 + 13.11); collected 97.00.
  by sex  F covered: 2 workers (W1, W7), 3 months, 5,130.00 (average 1,710.00);
            declared: 4 workers, 5 months, 7,500.00
          M covered: 2 workers (W2, W6), 2 months, 5,500.00 (average 2,750.00);
            declared: 3 workers, 4 months, 7,800.00
  by sector private covered: 4 workers, 5 months, 10,630.00; declared: 6 workers, 8 months,
              13,800.00; contributions declared 129.11, collected 87.00
            public covered: 0, 0, 0.00 (no average); declared: 1, 1, 1,500.00; declared 17.40,
              collected 10.00

Claims filed in 2025: C1 (W2 M) paying, C2 (W1 F) denied, C3 (W3 F) exhausted; C0 (W2) filed in
2024 with a payment in January 2025 (a payment of the year, not a claim of the year).
Benefit payments in 2025: C1 2,100.00 + 1,950.00; C3 1,050.00 + 975.00 + 900.00; C0 1,000.00.

  claims filed 3, eligible 2 (C1, C3), denied 1, eligibility 2/3 = 0.6667
  payments 6, benefits 7,975.00, average benefit 7,975.00/6 = 1,329.17 (1,329.1666… half-even)
  claims paid 3 (C1, C3, C0), average duration 6/3 = 2.00 months, monthly beneficiaries 6/12 = 0.50
  M: filed 1, eligible 1, payments 3 (C1 ×2, C0), 5,050.00, average 1,683.33, claims paid 2, 1.50 months
  F: filed 2, eligible 1, denied 1, eligibility 0.5000, payments 3, 2,925.00, average 975.00, 3.00 months
Recoveries: 50.00 credited to benefit overpayments receivable in 2025.

The assumption set ``experience-2025`` is fed by the covered figures: insurable earnings 10.63
thousand soles, contributors 0.42.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa

from seguro_desempleo.services import governance as g
from seguro_desempleo.services import ledger
from seguro_desempleo.storage.claims_models import BenefitPaymentRow, ClaimRow
from seguro_desempleo.storage.models import (
    ContributionRow,
    DeclarationRow,
    EmployerPaymentRow,
    EmployerRow,
    EmploymentPeriodRow,
    WorkerRow,
)
from seguro_desempleo.storage.models_law import EmployerSizeRow
from seguro_desempleo.storage.uow import SqlUnitOfWork

Y = 2025 * 12


def _seed(url: str) -> None:
    with SqlUnitOfWork(url) as uow:
        s = uow.session
        a = EmployerRow(ruc="20100000001", name="A", sector="private")
        b = EmployerRow(ruc="20100000002", name="B", sector="public")
        m = EmployerRow(ruc="20100000003", name="M", sector="private")
        w1, w2, w3, w4, w5, w6, w7 = (WorkerRow(doc_type="01", doc_number=f"4000000{i}", sex=x) for i, x in (
            (1, "F"), (2, "M"), (3, "F"), (4, "M"), (5, "F"), (6, "M"), (7, "F")))
        s.add_all([a, b, m, w1, w2, w3, w4, w5, w6, w7])
        s.flush()
        s.add(EmployerSizeRow(employer_id=m.id, valid_from=dt.date(2024, 1, 1), size_class="micro", source="staff",
                              status="confirmed", recorded_by="test", recorded_at=dt.datetime(2024, 1, 1)))
        s.add_all([EmploymentPeriodRow(employer_id=a.id, worker_id=w5.id, start_date=dt.date(2025, 3, 1),
                                       contract_type="02"),
                   EmploymentPeriodRow(employer_id=a.id, worker_id=w6.id, start_date=dt.date(2024, 3, 1),
                                       end_date=dt.date(2025, 1, 31), contract_type="01")])

        def decl(emp: EmployerRow, period: int, version: int, status: str, due: int,
                 pays: list[tuple[WorkerRow, int]]) -> None:
            d = DeclarationRow(employer_id=emp.id, period=period, version=version, status=status, workers=len(pays),
                               total_due=due, employer_due=due // 2, cts_due=due - due // 2)
            s.add(d)
            s.flush()
            s.add_all([ContributionRow(declaration_id=d.id, worker_id=w.id, period=period, insurable_pay=p)
                       for w, p in pays])

        decl(a, Y, 1, "superseded", 11_600, [(w1, 999_999)])
        decl(a, Y, 2, "active", 8_700, [(w1, 200_000), (w2, 300_000), (w6, 250_000)])
        decl(a, Y + 1, 1, "active", 2_320, [(w1, 200_000)])
        decl(m, Y + 1, 1, "active", 0, [(w4, 180_000)])
        decl(b, Y + 2, 1, "active", 1_740, [(w3, 150_000)])
        decl(a, Y + 2, 1, "active", 580, [(w5, 120_000), (w6, 50_000)])
        decl(a, Y + 3, 1, "active", 1_311, [(w7, 80_000)])
        decl(b, Y - 1, 1, "active", 1_740, [(w3, 150_000)])
        s.add_all([EmployerPaymentRow(employer_id=a.id, period=Y, amount=8_700, interest=0, paid_on=dt.date(2025, 2, 10)),
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
    assert (t["covered_workers"], t["worker_months"], t["insurable_pay"]) == (4, 5, 1_063_000)
    assert (t["declared_workers"], t["declared_worker_months"], t["declared_insurable_pay"]) == (7, 9, 1_530_000)
    assert (t["average_insurable_pay"], t["average_monthly_contributors"]) == (212_600, "0.42")
    assert (t["contributions_declared"], t["contributions_collected"]) == (14_651, 9_700)
    assert (t["claims_filed"], t["claims_eligible"], t["claims_denied"], t["eligibility_rate"]) == (3, 2, 1, "0.6667")
    assert (t["benefit_payments"], t["benefits_paid"], t["average_benefit"]) == (6, 797_500, 132_917)
    assert (t["claims_paid"], t["average_duration_months"], t["average_monthly_beneficiaries"]) == (3, "2.00", "0.50")
    assert t["recoveries"] == 5_000
    m, w = f["by_sex"]["M"], f["by_sex"]["F"]
    assert (w["covered_workers"], w["worker_months"], w["insurable_pay"], w["average_insurable_pay"]) == \
        (2, 3, 513_000, 171_000)
    assert (w["declared_workers"], w["declared_worker_months"], w["declared_insurable_pay"]) == (4, 5, 750_000)
    assert (m["covered_workers"], m["worker_months"], m["insurable_pay"], m["average_insurable_pay"]) == \
        (2, 2, 550_000, 275_000)
    assert (m["declared_workers"], m["declared_worker_months"], m["declared_insurable_pay"]) == (3, 4, 780_000)
    assert (m["claims_filed"], m["claims_eligible"], m["benefit_payments"], m["benefits_paid"], m["average_benefit"],
            m["claims_paid"], m["average_duration_months"]) == (1, 1, 3, 505_000, 168_333, 2, "1.50")
    assert (w["claims_filed"], w["claims_denied"], w["eligibility_rate"], w["benefits_paid"], w["average_benefit"],
            w["average_duration_months"]) == (2, 1, "0.5000", 292_500, 97_500, "3.00")
    priv, pub = f["by_sector"]["private"], f["by_sector"]["public"]
    assert (priv["covered_workers"], priv["worker_months"], priv["insurable_pay"], priv["contributions_declared"],
            priv["contributions_collected"]) == (4, 5, 1_063_000, 12_911, 8_700)
    assert (priv["declared_workers"], priv["declared_worker_months"], priv["declared_insurable_pay"]) == \
        (6, 8, 1_380_000)
    assert (pub["covered_workers"], pub["worker_months"], pub["insurable_pay"], pub["average_insurable_pay"]) == \
        (0, 0, 0, None)
    assert (pub["declared_workers"], pub["declared_insurable_pay"], pub["contributions_declared"],
            pub["contributions_collected"]) == (1, 150_000, 1_740, 1_000)


def test_the_study_counts_what_the_bulk_history_counts(migrated_url: str) -> None:
    """One reading of "a month of contribution" (decision 0424): the study's covered worker-months
    and pay are the months ``charged_history_bulk`` (the batch decisions' reading, itself held to
    the claim's by tests/rules/test_bulk_history_parity.py) counts, with pay, over the same year."""
    from seguro_desempleo.parameters.model import default_parameters
    from seguro_desempleo.storage.history import charged_history_bulk

    _seed(migrated_url)
    with SqlUnitOfWork(migrated_url) as uow:
        f = g.experience_figures(uow, 2025)
        ids = [int(i) for i in uow.session.scalars(sa.select(WorkerRow.id).order_by(WorkerRow.id))]
        h = charged_history_bulk(uow.session, ids, Y, Y + 11, default_parameters())
    counted = h.declared & h.counted & (h.pay > 0)
    assert f["total"]["worker_months"] == int(counted.sum()) == 5
    assert f["total"]["insurable_pay"] == int(h.pay[counted].sum()) == 1_063_000
    assert f["total"]["covered_workers"] == int(counted.any(axis=1).sum()) == 4

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
    assert a.first_year == 2025 and a.insurable_earnings[2025] == Decimal("10.6300")  # covered, thousands of soles
    assert a.contributors[2025] == Decimal("0.4200")
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


def test_the_study_reads_the_phase_of_coverage_in_force_with_its_instruments(migrated_url: str) -> None:
    """An Acuerdo de Directorio brings micro firms into the phase of coverage from 01/02/2025
    (Segunda disposición final): W4's February at M (1,800.00) is then covered — 5 workers, 6
    worker-months, 10,630.00 + 1,800.00 = 12,430.00; the declared figures do not move."""
    _seed(migrated_url)
    with SqlUnitOfWork(migrated_url) as uow:
        g.add_instrument(uow, type="acuerdo_directorio", number="2025-0009", issued_on=dt.date(2025, 1, 20),
                         effective_date=dt.date(2025, 2, 1),
                         values={"coverage.employer_sizes": "micro,small,medium,large"}, actor="admin:1")
        uow.commit()
    with SqlUnitOfWork(migrated_url) as uow:
        t = g.experience_figures(uow, 2025)["total"]
    assert (t["covered_workers"], t["worker_months"], t["insurable_pay"]) == (5, 6, 1_243_000)
    assert (t["declared_workers"], t["declared_worker_months"], t["declared_insurable_pay"]) == (7, 9, 1_530_000)
