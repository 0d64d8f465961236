"""The contract types of many workers read set-based (issue 24) equal the per-worker reading.

``charged_history_bulk`` and the art. 10 study's covered reading used to ask
:func:`~seguro_desempleo.storage.history.contract_types_by_month` once per worker — two queries a
worker, fine for the demo, slow for a national population. They now read the T-Registro periods
and the ``.tra`` contracts of all workers at once (``storage.history_bulk.contract_types_bulk``).
On a seeded database with several contract types (01, 02, 03, unknown), periods open and ended,
two periods with one employer overlapping, ``.tra`` records with and without a
period, on SQLite and PostgreSQL:

- the bulk reading equals the per-worker one, worker by worker, for every employer and month;
- the bulk history of all workers equals the claim's reading of each (``SqlHistoryProvider``), and
  equals the bulk history of each worker alone.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import itertools
import random
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import Connection, event

from seguro_desempleo.parameters import default_parameters
from seguro_desempleo.periods import first_day, period_of
from seguro_desempleo.storage import employer_sizes
from seguro_desempleo.storage import models as rows
from seguro_desempleo.storage.claims_sql import SqlHistoryProvider
from seguro_desempleo.storage.history import contract_types_by_month
from seguro_desempleo.storage.history_bulk import charged_history_bulk, contract_types_bulk
from seguro_desempleo.storage.intake import worker_contract
from seguro_desempleo.storage.uow import SqlUnitOfWork
from tests.payroll.helpers import make_ruc

FIRST, LAST = period_of(dt.date(2023, 1, 1)), period_of(dt.date(2025, 12, 1))
CONTRACTS = ("01", "02", "03", None)
_RUCS = itertools.count(7100)
_DOCS = itertools.count(71_000_000)


def _seed(uow: SqlUnitOfWork, rng: random.Random) -> tuple[list[int], list[int]]:
    s = uow.session
    employers = []
    for size in ("micro", "large", None, "medium"):
        e = rows.EmployerRow(ruc=make_ruc(next(_RUCS)), name="E", sector="private", size_source="staff")
        s.add(e)
        s.flush()
        if size is not None:
            employer_sizes.record_size(s, e.id, size, source="staff", by="t", today=dt.date(2023, 1, 1))
        employers.append(e.id)
    workers = []
    for k in range(8):
        w = rows.WorkerRow(doc_type="01", doc_number=f"{next(_DOCS):08d}")
        s.add(w)
        s.flush()
        workers.append(w.id)
        mine = rng.sample(employers, rng.randint(1, 3))
        for eid in mine:
            # T-Registro periods, each with its contract (one start a day with an employer: unique)
            for a in sorted(rng.sample(range(FIRST - 3, LAST - 2), rng.randint(0, 2))):
                start = first_day(a) + dt.timedelta(days=rng.randint(0, 20))
                end = None if rng.random() < 0.3 else first_day(rng.randint(a, LAST)) + dt.timedelta(days=20)
                s.add(rows.EmploymentPeriodRow(employer_id=eid, worker_id=w.id, start_date=start, end_date=end,
                                          contract_type=rng.choice(CONTRACTS), termination_cause="03" if end else None))
            if rng.random() < 0.6:                  # .tra records (no dates of their own), unique by day
                for day in sorted(rng.sample(range(0, 900), rng.randint(1, 3))):
                    s.execute(worker_contract.insert().values(
                        employer_id=eid, worker_id=w.id, contract_type=rng.choice(("01", "02", "03")),
                        recorded_on=dt.date(2023, 1, 1) + dt.timedelta(days=day)))
            for m in rng.sample(range(FIRST, LAST + 1), rng.randint(4, 14)):
                d = s.query(rows.DeclarationRow).filter_by(employer_id=eid, period=m, status="active").one_or_none()
                if d is None:
                    d = rows.DeclarationRow(employer_id=eid, period=m, version=1, status="active", total_due=100,
                                       employer_due=0, cts_due=0)
                    s.add(d)
                    s.flush()
                    if rng.random() < 0.6:
                        s.add(rows.EmployerPaymentRow(employer_id=eid, period=m, amount=100, interest=0,
                                                 paid_on=first_day(m + 1)))
                s.add(rows.ContributionRow(declaration_id=d.id, worker_id=w.id, period=m,
                                      insurable_pay=rng.choice((40_000, 150_000, 300_000))))
        if k == 0:      # two open periods with one employer, overlapping, different contracts
            for day, ctype in ((3, "02"), (9, "01")):
                s.add(rows.EmploymentPeriodRow(employer_id=mine[0], worker_id=w.id, start_date=first_day(FIRST + 5)
                                          + dt.timedelta(days=day), end_date=None, contract_type=ctype,
                                          termination_cause=None))
    s.flush()
    return workers, employers


@contextlib.contextmanager
def _statements(conn: Connection) -> Iterator[list[str]]:
    """The statements *conn* runs inside the block."""
    seen: list[str] = []

    def count(*args: Any) -> None:
        seen.append(args[2])

    event.listen(conn, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(conn, "before_cursor_execute", count)


@pytest.mark.parametrize("seed", [11, 12])
def test_contract_types_bulk_equal_the_per_worker_reading(migrated_url: str, seed: int) -> None:
    rng = random.Random(seed)
    months = list(range(FIRST - 2, LAST + 1))
    with SqlUnitOfWork(migrated_url) as uow:
        workers, employers = _seed(uow, rng)
        conn = uow.session.connection()
        wanted = {w: (employers, months) for w in workers}
        wanted[workers[-1]] = ([], months)          # nothing asked: nothing read, an empty answer
        with _statements(conn) as seen:
            bulk = contract_types_bulk(conn, wanted)
        assert len(seen) == 2       # the periods and the .tra records of every worker: set-based
        assert bulk[workers[-1]] == {}
        kinds = set()
        for w in workers[:-1]:
            one = contract_types_by_month(conn, w, employers, months)
            assert bulk[w] == one, w
            kinds |= set(one.values())
        assert kinds == {"01", "02", "03", None}    # the seed exercised every kind


@pytest.mark.parametrize("seed", [13, 14])
def test_charged_history_bulk_equals_the_claims_reading(migrated_url: str, seed: int) -> None:
    rng = random.Random(seed)
    params = default_parameters()
    with SqlUnitOfWork(migrated_url) as uow:
        workers, _ = _seed(uow, rng)
        conn = uow.session.connection()
        with _statements(conn) as one_worker:
            charged_history_bulk(conn, workers[:1], LAST - 47, LAST, params)
        with _statements(conn) as all_workers:
            many = charged_history_bulk(conn, workers, LAST - 47, LAST, params)
        assert len(all_workers) == len(one_worker)      # never a query per worker
        for i, w in enumerate(workers):
            per_claim = SqlHistoryProvider(uow, params=params).contributions(str(w), LAST)
            assert many.contribution_months(i) == tuple(per_claim), w
            one = charged_history_bulk(uow.session, [w], LAST - 47, LAST, params)
            assert many.contribution_months(i) == one.contribution_months(0), w
        assert not many.counted[many.declared].all()    # some month is not an aportación (contract 02)
