"""Contribution history across employers; SQL and vectorised window summaries agree."""

from __future__ import annotations

import contextlib
import datetime as dt
import random
from pathlib import Path

import numpy as np
import sqlalchemy as sa

from seguro_desempleo.bootstrap import import_files
from seguro_desempleo.errors import NotFoundError
from seguro_desempleo.parameters import default_parameters
from seguro_desempleo.periods import parse_period
from seguro_desempleo.rules.evaluate import ClaimCase, ContributionMonth, evaluate_case
from seguro_desempleo.services.employer_payments import record_payment
from seguro_desempleo.storage.history import (
    contribution_history,
    contribution_history_bulk,
    window_summary_arrays,
    window_summary_sql,
    worker_ids_by_document,
)
from seguro_desempleo.storage.uow import SqlUnitOfWork
from tests.payroll.helpers import dni, make_ruc, write_csv

TODAY = dt.date(2026, 1, 10)


def test_history_sums_employers_and_flags_paid(engine: sa.Engine, tmp_path: Path) -> None:
    r1, r2 = make_ruc(11), make_ruc(12)
    rows = []
    for m in range(1, 13):
        rows.append((r1, f"2025-{m:02d}", "01", dni(1), "0121", "2000.00", "2000.00"))
        if m >= 7:
            rows.append((r2, f"2025-{m:02d}", "01", dni(1), "0121", "800.00", "800.00"))
    f = write_csv(tmp_path / "a.csv", rows)
    with SqlUnitOfWork(engine) as uow:
        import_files([f], uow=uow, today=TODAY)
        jan = parse_period("2025-01")
        # Employer 1 pays January in full; employer 2 pays July partly.
        record_payment(uow, r1, jan, 2320, dt.date(2025, 2, 10))
        record_payment(uow, r2, jan + 6, 100, dt.date(2025, 8, 10))
        uow.commit()
    with SqlUnitOfWork(engine) as uow:
        wid = worker_ids_by_document(uow.session, [("01", dni(1)), ("01", dni(99))])
        assert list(wid) == [("01", dni(1))]
        w = wid[("01", dni(1))]
        hist = contribution_history(uow.session, w, jan, jan + 11)
        assert [m.period for m in hist] == list(range(jan, jan + 12))
        assert hist[0] == ContributionMonth(jan, 200_000, True)
        assert hist[1].paid is False
        assert hist[6].remuneration == 280_000 and hist[6].paid is False
        bulk = contribution_history_bulk(uow.session, [w, 999_999], jan - 12, jan + 11)
        assert bulk.pay.shape == (2, 24)
        assert bulk.pay[0, 12:].tolist() == [m.remuneration for m in hist]
        assert bulk.declared[0].sum() == 12 and not bulk.declared[1].any()
        assert bulk.paid[0, 12] and not bulk.paid[0, 13]

        # The history feeds the rules directly: 12 contributions in the 24 months before separation.
        case = ClaimCase(id="c1", separation_date=dt.date(2025, 12, 31), claim_date=dt.date(2026, 1, 5),
                         termination_cause="03", employer_size="large", registered_with_employment_service=True,
                         contributions=tuple(hist))
        decision = evaluate_case(case, default_parameters(), dt.date(2026, 1, 5))
        assert decision.contributions_in_window == 12


def test_sql_and_vectorised_window_summaries_agree(engine: sa.Engine, tmp_path: Path) -> None:
    rng = random.Random(7)
    rucs = [make_ruc(20 + i) for i in range(3)]
    rows = []
    for w in range(1, 16):
        for ruc in rucs:
            for m in range(24):
                if rng.random() < 0.4:
                    y, mo = divmod(2024 * 12 + m, 12)
                    amount = rng.choice(["0", "300.00", "1025", "1130.00", "2500.55", "9000"])
                    rows.append((ruc, f"{y}-{mo + 1:02d}", "01", dni(w), "0121", amount, amount))
    f = write_csv(tmp_path / "r.csv", rows)
    params = default_parameters()
    with SqlUnitOfWork(engine) as uow:
        import_files([f], uow=uow, today=TODAY)
        for ruc in rucs[:2]:
            for m in range(0, 24, 3):
                with contextlib.suppress(NotFoundError):  # no declaration that month
                    record_payment(uow, ruc, 2024 * 12 + m, 10**9, dt.date(2026, 1, 1))
        uow.commit()
    end = 2025 * 12 + 11
    for unpaid_counts in (True, False):
        p = params.with_overrides({"requirements.count_declared_unpaid_months": unpaid_counts})
        snap = p.at(dt.date(2026, 1, 1))
        with SqlUnitOfWork(engine) as uow:
            ids = np.arange(1, 17)
            hist = contribution_history_bulk(uow.session, ids, end - 23, end)
            a = window_summary_arrays(hist, p, snap)
            b = window_summary_sql(uow.session, ids, end, p, snap)
        assert a.contributions_in_window.tolist() == b.contributions_in_window.tolist()
        assert a.reference_total.tolist() == b.reference_total.tolist()
        assert a.reference_months_with_pay.tolist() == b.reference_months_with_pay.tolist()
        assert a.contributions_in_window.sum() > 0


def test_separation_reemployment_and_document(engine: sa.Engine, tmp_path: Path) -> None:
    from seguro_desempleo.services.registry import register_employer, register_worker
    from seguro_desempleo.storage.history import last_separation, reemployment_start, worker_document
    from tests.payroll.helpers import write_per, write_rem

    r1, r2 = make_ruc(41), make_ruc(42)
    per = write_per(tmp_path, r1, [("01", dni(7), "604", "1", "1", "01/01/2020", "31/03/2025", "03", ""),
                                   ("01", dni(7), "604", "1", "1", "01/01/2018", "31/12/2019", "01", "")])
    later = tmp_path / "later"
    later.mkdir()
    rem = write_rem(later, r2, "2025-06", [("01", dni(7), "0121", "3000", "3000")])
    with SqlUnitOfWork(engine) as uow:
        register_employer(uow, r1, "Fábrica", annual_sales_uit="5000")
        w = register_worker(uow, "01", dni(7))
        import_files([per, rem], uow=uow, today=TODAY)
        uow.commit()
    assert w.id is not None
    with SqlUnitOfWork(engine) as uow:
        sep = last_separation(uow.session, w.id)
        assert sep is not None and sep.date == dt.date(2025, 3, 31) and sep.termination_cause == "03"
        assert sep.employer_ruc == r1 and sep.employer_size == "large" and sep.sector == "private"
        old = last_separation(uow.session, w.id, dt.date(2024, 1, 1))
        assert old is not None and old.termination_cause == "01"
        assert last_separation(uow.session, w.id, dt.date(2019, 1, 1)) is None
        assert reemployment_start(uow.session, w.id, dt.date(2025, 3, 31)) == dt.date(2025, 6, 1)
        assert reemployment_start(uow.session, w.id, dt.date(2025, 6, 30)) is None
        assert worker_document(uow.session, w.id)[:2] == ("01", dni(7))
