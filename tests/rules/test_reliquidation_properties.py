"""Issue 26 (re-liquidation), as a ledger property (Hypothesis): whatever sizes are confirmed, from
whatever dates and in whatever order, after each confirmation

- every active declaration's dues are what a fresh import would charge by the sizes now on record
  (art. 3: the employer inside the phase in force that month → 1.16 % of each worker's RMV-floored
  pay, art. 8; else 0);
- the books agree: contribution income (4100 + 4110) = receivables (1210 + 1220) = Σ dues (no
  payments here), and the trial balance balances;
- running the re-liquidation again posts nothing.
"""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from seguro_desempleo.bootstrap import import_files
from seguro_desempleo.domain.ledger import Accounts
from seguro_desempleo.parameters import default_parameters
from seguro_desempleo.rules.financing import monthly_amounts
from seguro_desempleo.services import employer_size
from seguro_desempleo.services.ledger import balances, trial_balance
from seguro_desempleo.services.registry import register_employer
from seguro_desempleo.storage.employer_sizes import employer_months_charged
from seguro_desempleo.storage.uow import SqlUnitOfWork
from tests.fixtures.databases import migrated_sqlite
from tests.payroll.helpers import dni, make_ruc, write_csv

MONTHS = [f"2025-{m:02d}" for m in range(1, 9)]
_N = itertools.count(4400)


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> str:
    return migrated_sqlite(tmp_path_factory.mktemp("reliq") / "r.sqlite3")


def _expected(uow: SqlUnitOfWork, employer_id: int, ruc: str) -> dict[int, int]:
    ps = default_parameters()
    rows = uow.session.execute(sa.text(
        "SELECT d.period, c.insurable_pay FROM declaration d JOIN contribution c ON c.declaration_id = d.id "
        "WHERE d.employer_id = :e AND d.status = 'active'"), {"e": employer_id}).all()
    out: dict[int, int] = {}
    for p, pay in rows:
        out.setdefault(int(p), 0)
        if employer_months_charged(uow.session, [ruc], [int(p)], ps)[0]:
            out[int(p)] += int(monthly_amounts([int(pay)], [int(p)], ps).total[0])
    return out


def _dues(uow: SqlUnitOfWork, employer_id: int) -> dict[int, int]:
    return {int(p): int(t) for p, t in uow.session.execute(sa.text(
        "SELECT period, total_due FROM declaration WHERE employer_id = :e AND status = 'active'"),
        {"e": employer_id}).all()}


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(first=st.sampled_from([None, "micro", "small", "medium", "large"]),
       changes=st.lists(st.tuples(st.sampled_from(["micro", "small", "medium", "large"]),
                                  st.integers(0, len(MONTHS) - 1), st.booleans()), min_size=1, max_size=4),
       pays=st.lists(st.sampled_from(["0.00", "500.00", "3000.00", "12000.00"]), min_size=1, max_size=3))
def test_dues_and_books_follow_every_confirmation(db: str, tmp_path_factory: pytest.TempPathFactory,
                                                  first: str | None, changes: list[tuple[str, int, bool]],
                                                  pays: list[str]) -> None:
    n = next(_N)
    ruc = make_ruc(n)
    rows = [(ruc, m, "01", dni(n * 10 + k), "0121", pay, pay) for m in MONTHS for k, pay in enumerate(pays)]
    path = write_csv(tmp_path_factory.mktemp("csv") / "p.csv", rows)
    today = dt.date(2025, 9, 10)
    with SqlUnitOfWork(db) as uow:               # never committed: each example leaves nothing behind
        before = {b.code: b.balance for b in balances(uow)}
        if first is not None:
            register_employer(uow, ruc, "E", size_class=first, at=dt.date(2025, 1, 1), by="staff:1")
        import_files([path], uow=uow, today=today)
        e = uow.employers.by_ruc(ruc)
        assert e is not None and e.id is not None
        for size, month, declared in changes:
            since = dt.date(2025, month + 1, 1)
            if declared:                           # the employer's own declaration, then four eyes
                rec = uow.employer_sizes.record_size(e.id, size, source="declared", by=f"employer:{ruc}", valid_from=since,
                                            today=today)
                employer_size.review_size(uow, rec.id, accept=True, by="cw:ana", today=today)
            else:
                employer_size.record_size(uow, e.id, size, source="staff", by="cw:ana", valid_from=since,
                                          today=today)
            dues = _dues(uow, e.id)
            assert dues == _expected(uow, e.id, ruc)
            now = {b.code: b.balance for b in balances(uow)}
            delta = {a: now[a] - before[a] for a in now}
            income = delta[Accounts.CONTRIBUTION_INCOME_EMPLOYER] + delta[Accounts.CONTRIBUTION_INCOME_CTS]
            receivable = delta[Accounts.RECEIVABLE_EMPLOYER] + delta[Accounts.RECEIVABLE_CTS]
            assert income == receivable == sum(dues.values())
            assert trial_balance(uow).balanced
            again = employer_size.reliquidate(uow, e.id, dt.date(2025, 1, 1), actor="cw:ana", on=today)
            assert again.months == []

