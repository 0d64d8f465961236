"""Issue 26: the bulk history (batch decisions) reads the months exactly as the claim does — a former
employer's pay after the period ended is neither an extra month nor a new job, art. 3 by month,
the charged base — proved by parity between the per-claim path (``SqlHistoryProvider``) and the
bulk path (``storage.history.charged_history_bulk`` / ``reemployment_starts_bulk``) on the same
random data: Hypothesis on SQLite, fixed seeds on SQLite and PostgreSQL; and the batch decisions
built from the bulk rows equal the claim's decisions."""

from __future__ import annotations

import datetime as dt
import itertools
import random
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from seguro_desempleo.money import cents_to_str, parse_soles
from seguro_desempleo.parameters import default_parameters
from seguro_desempleo.periods import first_day, parse_period, period_of
from seguro_desempleo.rules.evaluate import ClaimCase, batch_from_cases, evaluate_batch, evaluate_case
from seguro_desempleo.storage import employer_sizes
from seguro_desempleo.storage.claims_sql import SqlHistoryProvider
from seguro_desempleo.storage.history import (
    charged_history_bulk,
    contribution_history_bulk,
    reemployment_starts_bulk,
)
from seguro_desempleo.storage.models import (
    ContributionRow,
    DeclarationRow,
    EmployerPaymentRow,
    EmployerRow,
    EmploymentPeriodRow,
    WorkerRow,
)
from seguro_desempleo.storage.uow import SqlUnitOfWork
from tests.fixtures.databases import migrated_sqlite
from tests.payroll.helpers import make_ruc

BULK_CASES = Path(__file__).parent / "cases" / "bulk" / "art5_7_post_termination_bulk.yaml"
FIRST, LAST = period_of(dt.date(2023, 1, 1)), period_of(dt.date(2025, 12, 1))
PAYS = (0, 40_000, 150_000, 300_000, 900_000)
_RUCS = itertools.count(5000)
_DOCS = itertools.count(60_000_000)


def _seed_data(uow: SqlUnitOfWork, rng: random.Random) -> list[int]:
    """Random employers (sizes on record or not, a later size from a date), workers with T-Registro
    periods (open or ended; contract 01, 02 or unknown), pay in and outside the periods (the former
    employer's pay after the end: gratificación, CTS), payroll-only employers, payments."""
    s = uow.session
    employers = []
    for _ in range(rng.randint(2, 4)):
        e = EmployerRow(ruc=make_ruc(next(_RUCS)), name="E", sector="private", size_source="staff")
        s.add(e)
        s.flush()
        size = rng.choice([None, "micro", "small", "medium", "large"])
        if size is not None:
            employer_sizes.record_size(s, e.id, size, source="staff", by="t", today=dt.date(2023, 1, 1))
            if rng.random() < 0.4:
                employer_sizes.record_size(s, e.id, rng.choice(["micro", "large"]), source="staff", by="t",
                                           valid_from=first_day(rng.randint(FIRST, LAST)), today=dt.date(2026, 1, 1))
        employers.append(e.id)
    workers = []
    for _ in range(rng.randint(3, 6)):
        w = WorkerRow(doc_type="01", doc_number=f"{next(_DOCS):08d}")
        s.add(w)
        s.flush()
        workers.append(w.id)
        pays: dict[tuple[int, int], int] = {}
        for eid in rng.sample(employers, rng.randint(1, len(employers))):
            if rng.random() < 0.75:               # a T-Registro period with this employer
                a = rng.randint(FIRST - 6, LAST - 3)
                start = first_day(a) + dt.timedelta(days=rng.randint(0, 20))
                end = None if rng.random() < 0.3 else first_day(rng.randint(a, LAST)) + dt.timedelta(
                    days=rng.randint(0, 27))
                s.add(EmploymentPeriodRow(employer_id=eid, worker_id=w.id, start_date=start, end_date=end,
                                          contract_type=rng.choice(["01", "01", "02", None]),
                                          termination_cause="03" if end else None))
                stop = period_of(end) if end else LAST
                for m in range(max(period_of(start), FIRST), min(stop, LAST) + 1):
                    if rng.random() < 0.9:
                        pays[(eid, m)] = rng.choice(PAYS[1:])
                for m in range(stop + 1, min(stop + 4, LAST) + 1):   # post-termination pay
                    if rng.random() < 0.4:
                        pays[(eid, m)] = rng.choice(PAYS)
            else:                                  # payroll only: no period with this employer
                for m in rng.sample(range(FIRST, LAST + 1), rng.randint(1, 12)):
                    pays[(eid, m)] = rng.choice(PAYS)
        s.flush()
        for (eid, m), pay in pays.items():
            d = s.query(DeclarationRow).filter_by(employer_id=eid, period=m, status="active").one_or_none()
            if d is None:
                d = DeclarationRow(employer_id=eid, period=m, version=1, status="active",
                                   total_due=rng.choice([0, 100, 100]), employer_due=0, cts_due=0)
                s.add(d)
                s.flush()
                if d.total_due and rng.random() < 0.6:
                    s.add(EmployerPaymentRow(employer_id=eid, period=m, amount=100, interest=0,
                                             paid_on=first_day(m + 1)))
            s.add(ContributionRow(declaration_id=d.id, worker_id=w.id, period=m, insurable_pay=pay))
    s.flush()
    return workers


def _check_parity(uow: SqlUnitOfWork, workers: list[int], rng: random.Random) -> None:
    params = default_parameters()
    for w in workers:
        up_to = rng.randint(FIRST + 6, LAST)
        per_claim = SqlHistoryProvider(uow, params=params).contributions(str(w), up_to)
        bulk = charged_history_bulk(uow.session, [w], up_to - 47, up_to, params)
        assert bulk.contribution_months(0) == tuple(per_claim), (w, up_to)
        after = first_day(rng.randint(FIRST, LAST)) + dt.timedelta(days=rng.randint(0, 27))
        assert reemployment_starts_bulk(uow.session, [(w, after)]) == [
            SqlHistoryProvider(uow, params=params).reemployment_start(str(w), after)], (w, after)
    # Many workers at once give the same rows as one at a time.
    end = LAST
    many = charged_history_bulk(uow.session, workers, end - 47, end, params)
    for i, w in enumerate(workers):
        one = charged_history_bulk(uow.session, [w], end - 47, end, params)
        assert many.contribution_months(i) == one.contribution_months(0)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_bulk_history_equals_the_claims_on_both_engines(migrated_url: str, seed: int) -> None:
    rng = random.Random(seed)
    with SqlUnitOfWork(migrated_url) as uow:
        workers = _seed_data(uow, rng)
        _check_parity(uow, workers, rng)


@pytest.fixture(scope="module")
def sqlite_db(tmp_path_factory: pytest.TempPathFactory) -> str:
    return migrated_sqlite(tmp_path_factory.mktemp("parity") / "p.sqlite3")


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 2**32 - 1))
def test_bulk_history_equals_the_claims_property(sqlite_db: str, seed: int) -> None:
    rng = random.Random(seed)
    with SqlUnitOfWork(sqlite_db) as uow:   # never committed: each example leaves nothing behind
        workers = _seed_data(uow, rng)
        _check_parity(uow, workers, rng)


def _case(w: int, sep: dt.date, months: Any, reemployment: dt.date | None) -> ClaimCase:
    return ClaimCase(id=str(w), separation_date=sep, claim_date=sep + dt.timedelta(days=10), termination_cause="03",
                     employer_size="large", sector="private", contract_type="01", contributions=tuple(months),
                     registered_with_employment_service=True, reemployment_date=reemployment)


@pytest.mark.parametrize("seed", [4, 5])
def test_batch_decisions_from_the_bulk_rows_equal_the_claims(sqlite_url: str, seed: int) -> None:
    """The decisions (eligibility, count, insurable remuneration, amounts) of a batch built from the
    bulk rows are the claim's decisions over the same data."""
    migrated_sqlite(sqlite_url.removeprefix("sqlite:///"))
    rng = random.Random(seed)
    params = default_parameters()
    with SqlUnitOfWork(sqlite_url) as uow:
        workers = _seed_data(uow, rng)
        seps = [first_day(rng.randint(FIRST + 14, LAST - 2)) + dt.timedelta(days=rng.randint(0, 27)) for _ in workers]
        one = [_case(w, sep, SqlHistoryProvider(uow, params=params).contributions(str(w), period_of(sep)),
                     SqlHistoryProvider(uow, params=params).reemployment_start(str(w), sep))
               for w, sep in zip(workers, seps, strict=True)]
        starts = reemployment_starts_bulk(uow.session, list(zip(workers, seps, strict=True)))
        bulk = []
        for w, sep, start in zip(workers, seps, starts, strict=True):
            hist = charged_history_bulk(uow.session, [w], period_of(sep) - 47, period_of(sep), params)
            bulk.append(_case(w, sep, hist.contribution_months(0), start))
    checked = 0
    for case_one, case_bulk in zip(one, bulk, strict=True):
        d = evaluate_case(case_one, params, at=case_one.separation_date)
        snap = params.at(case_bulk.separation_date)
        got = evaluate_batch(batch_from_cases([case_bulk], params, snap), snap)
        assert bool(got.eligible[0]) == d.eligible
        assert int(got.contributions_in_window[0]) == d.contributions_in_window
        assert int(got.insurable_remuneration[0]) == d.insurable_remuneration
        assert [int(x) for x in got.benefits[0] if x] == [a for _, _, a in d.benefits if a]
        checked += 1
    assert checked == len(workers)


def _bulk_cases() -> list[Any]:
    return [pytest.param(c, id=c["name"][:40]) for c in yaml.safe_load(BULK_CASES.read_text(encoding="utf-8"))]


@pytest.mark.parametrize("case", _bulk_cases())
def test_post_termination_pay_in_bulk(sqlite_url: str, case: dict[str, Any]) -> None:
    """The YAML cases: the bulk row and the bulk re-employment, and the claim's own reading, agree
    with the hand arithmetic (a former employer's pay after the period is no month and no job)."""
    assert case["article"].startswith("PL 5510/2022-CR") and case["hand"]
    migrated_sqlite(sqlite_url.removeprefix("sqlite:///"))
    params = default_parameters()
    a, b = (parse_period(x) for x in case["read"].split(".."))
    sep = dt.date.fromisoformat(case["separation"])
    with SqlUnitOfWork(sqlite_url) as uow:
        s = uow.session
        ids: dict[str, int] = {}
        for name in sorted({p["employer"] for p in case["pays"]}):
            e = EmployerRow(ruc=make_ruc(next(_RUCS)), name=name, sector="private", size_source="staff")
            s.add(e)
            s.flush()
            employer_sizes.record_size(s, e.id, "large", source="staff", by="t", today=dt.date(2023, 1, 1))
            ids[name] = e.id
        w = WorkerRow(doc_type="01", doc_number=f"{next(_DOCS):08d}")
        s.add(w)
        s.flush()
        for p in case["periods"]:
            s.add(EmploymentPeriodRow(employer_id=ids[p["employer"]], worker_id=w.id,
                                      start_date=dt.date.fromisoformat(p["start"]),
                                      end_date=dt.date.fromisoformat(p["end"]) if p["end"] else None,
                                      contract_type="01", termination_cause="03" if p["end"] else None))
        for p in case["pays"]:
            lo, hi = (parse_period(x) for x in p["months"].split(".."))
            for m in range(lo, hi + 1):
                d = DeclarationRow(employer_id=ids[p["employer"]], period=m, version=1, status="active",
                                   total_due=0, employer_due=0, cts_due=0)
                s.add(d)
                s.flush()
                s.add(ContributionRow(declaration_id=d.id, worker_id=w.id, period=m, insurable_pay=parse_soles(p["pay"])))
        s.flush()
        exp = case["expected"]
        hist = charged_history_bulk(s, [w.id], a, b, params)
        assert int(hist.declared[0].sum()) == exp["declared"]
        assert int((hist.counted[0] & hist.declared[0]).sum()) == exp["counted"]
        for month, base in exp.get("base", {}).items():
            assert cents_to_str(int(hist.pay[0, parse_period(month) - a])) == base
        want = dt.date.fromisoformat(exp["reemployment"]) if exp["reemployment"] else None
        assert reemployment_starts_bulk(s, [(w.id, sep)]) == [want]
        # The claim reads the same (the parity the random tests check, on the legal case).
        claim = SqlHistoryProvider(uow, params=params)
        assert hist.contribution_months(0) == tuple(m for m in claim.contributions(str(w.id), b) if m.period >= a)
        assert claim.reemployment_start(str(w.id), sep) == want
        if case["name"].startswith("Gratificación"):
            raw = contribution_history_bulk(s, [w.id], a, b)       # the raw declared pay, every employer
            assert int(raw.declared[0].sum()) == 25                # (what the bulk read before: 25 months)


def test_bulk_payment_run_pays_a_claim_with_post_termination_pay_in_full(migrated_url: str, tmp_path: Path) -> None:
    """The monthly bulk run (``bulk_run_payments``) on a claim whose former employer declared CTS and
    gratificación trunca after the separation: the claim's rule decides (no re-employment), and the
    five installments are paid in full. Hand arithmetic (arts. 5, 7): S/ 3,000.00 a month 03/2023–
    02/2025, separation 28/02/2025 → 2,100.00 + 1,950.00 + 1,800.00 + 1,650.00 + 1,500.00 =
    9,000.00; S/ 1,500.00 declared by the former employer for 04/2025 changes nothing."""
    from seguro_desempleo.bootstrap import import_files
    from seguro_desempleo.domain.registry import EmploymentPeriod
    from seguro_desempleo.services.claims_app import bulk_run_payments, claims_context
    from seguro_desempleo.services.registry import register_employer
    from seguro_desempleo.storage.history import worker_ids_by_document
    from tests.claims.funding import fund
    from tests.claims.registration_helpers import register_all_workers
    from tests.payroll.helpers import dni, write_csv

    ruc, doc = make_ruc(4290), dni(4290)
    months = [f"{m // 12}-{m % 12 + 1:02d}" for m in range(parse_period("2023-03"), parse_period("2025-02") + 1)]
    rows = [(ruc, p, "01", doc, "0121", "3000.00", "3000.00") for p in months]
    rows.append((ruc, "2025-04", "01", doc, "0121", "1500.00", "1500.00"))
    with SqlUnitOfWork(migrated_url) as uow:
        register_employer(uow, ruc, "GRAN EMPRESA SAA", annual_sales_uit="5000", at=dt.date(2023, 1, 1))
        import_files([write_csv(tmp_path / "p.csv", rows)], uow=uow, today=dt.date(2025, 5, 10))
        wid = worker_ids_by_document(uow.session, [("01", doc)])[("01", doc)]
        e = uow.employers.by_ruc(ruc)
        assert e is not None and e.id is not None
        uow.periods.upsert(EmploymentPeriod(e.id, wid, dt.date(2023, 3, 1), dt.date(2025, 2, 28), "01", "03"))
        register_all_workers(uow.session)
        fund(uow)
        uow.commit()
    with SqlUnitOfWork(migrated_url) as uow:
        c = claims_context(uow).service.file_and_decide(str(wid), dt.date(2025, 3, 10), actor="cw")
        uow.commit()
    assert c.decision is not None and c.decision.total == 900_000
    for p in range(parse_period("2025-03"), parse_period("2025-09") + 1):
        with SqlUnitOfWork(migrated_url) as uow:
            bulk_run_payments(claims_context(uow), p, first_day(p) + dt.timedelta(days=24), actor="run")
            uow.commit()
    with SqlUnitOfWork(migrated_url) as uow:
        ctx = claims_context(uow)
        assert sum(x.amount for x in ctx.payments.payments(c.id)) == 900_000
        assert ctx.claims.get(c.id).reemployment_date is None
