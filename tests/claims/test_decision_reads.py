"""Issue 25 (speed): what a decision reads is read at once, and reads the same.

On PostgreSQL the history provider's ``prefetch`` reads the worker's declared months together
with what art. 3 by month needs of them (sizes in force, contract types, subsidised months) and
the registrations with the employment service, in one statement
(``storage.claims_sql._DECISION_READS_PG``). These tests give a worker every kind of history those
reads cover — three employers of different sizes, a size that changed in the window, a part-time
``.tra`` contract, a maternity ``.snl`` month, two registrations — and check, on SQLite and
PostgreSQL, that the months counted and the registration checks are exactly what the one-query-
per-read functions give (``storage.history.charged_months``), and on PostgreSQL that nothing more
is read after the prefetch.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import sqlalchemy as sa

from seguro_desempleo.bootstrap import import_files
from seguro_desempleo.domain.registry import EmploymentPeriod
from seguro_desempleo.periods import parse_period, period_of
from seguro_desempleo.services.claims_app import claims_context
from seguro_desempleo.services.registry import register_employer
from seguro_desempleo.storage.history import charged_months, worker_ids_by_document
from seguro_desempleo.storage.intake import suspension_days, worker_contract
from seguro_desempleo.storage.models_law import EmployerSizeRow
from seguro_desempleo.storage.uow import SqlUnitOfWork
from tests.payroll.helpers import dni, make_ruc, write_csv

SEP = dt.date(2025, 2, 28)
MICRO, LARGE, SECOND = make_ruc(2501), make_ruc(2502), make_ruc(2503)


def _months(first: str, last: str) -> list[str]:
    a, b = parse_period(first), parse_period(last)
    return [f"{m // 12}-{m % 12 + 1:02d}" for m in range(a, b + 1)]


def _seed(url: str, tmp_path: Path) -> int:
    rows = [(MICRO, p, "01", dni(251), "0121", "2000.00", "2000.00") for p in _months("2022-11", "2023-10")]
    rows += [(LARGE, p, "01", dni(251), "0121", "3000.00", "3000.00") for p in _months("2023-06", "2025-02")]
    rows += [(SECOND, p, "01", dni(251), "0121", "600.00", "600.00") for p in _months("2024-01", "2025-02")]
    with SqlUnitOfWork(url) as uow:
        register_employer(uow, MICRO, "BODEGA MICRO EIRL", annual_sales_uit="100", at=dt.date(2022, 1, 1))
        register_employer(uow, LARGE, "GRAN INDUSTRIA SAA", annual_sales_uit="5000", at=dt.date(2022, 1, 1))
        register_employer(uow, SECOND, "SERVICIOS MEDIANOS SAC", annual_sales_uit="2000", at=dt.date(2022, 1, 1))
        uow.commit()
    with SqlUnitOfWork(url) as uow:
        import_files([write_csv(tmp_path / "pay.csv", rows)], uow=uow, today=dt.date(2025, 3, 10))
        wid = int(worker_ids_by_document(uow.session, [("01", dni(251))])[("01", dni(251))])
        ids = {ruc: uow.employers.by_ruc(ruc).id for ruc in (MICRO, LARGE, SECOND)}  # type: ignore[union-attr]
        uow.periods.upsert(EmploymentPeriod(ids[MICRO], wid, dt.date(2022, 11, 1), dt.date(2023, 10, 31), "01", "03"))
        uow.periods.upsert(EmploymentPeriod(ids[LARGE], wid, dt.date(2023, 6, 1), SEP, "01", "03"))
        s = uow.session
        # SECOND became micro from July 2024 (a staff-confirmed size, in force from its date)
        s.add(EmployerSizeRow(employer_id=ids[SECOND], valid_from=dt.date(2024, 7, 1), size_class="micro",
                              source="staff", status="confirmed", recorded_by="t", recorded_at=dt.datetime(2024, 7, 1),
                              reviewed_by="u", reviewed_at=dt.datetime(2024, 7, 2)))
        s.flush()
        # a .tra: part-time with LARGE from 15/11/2024 (no T-Registro contract of its own on these months)
        s.execute(worker_contract.insert().values(employer_id=ids[SECOND], worker_id=wid, contract_type="02",
                                                  recorded_on=dt.date(2024, 11, 15)))
        # a .snl: maternity in May 2024, a non-subsidy suspension in June 2024
        s.execute(suspension_days.insert(), [
            {"employer_id": ids[LARGE], "worker_id": wid, "period": parse_period("2024-05"),
             "suspension_type": "22", "days": 31},
            {"employer_id": ids[LARGE], "worker_id": wid, "period": parse_period("2024-06"),
             "suspension_type": "23", "days": 4}])
        s.execute(sa.text("INSERT INTO es_registration (worker_id, registered_on, channel, reference, recorded_by, "
                          "created_at) VALUES (:w, :a, 'centro_empleo', '', 't', '2020-01-01T00:00:00+00:00'), "
                          "(:w, :b, 'centro_empleo', '', 't', '2020-01-01T00:00:00+00:00')"),
                  {"w": wid, "a": dt.date(2023, 11, 3), "b": dt.date(2025, 3, 4)})
        uow.commit()
    return wid


def test_the_prefetched_reads_count_the_months_as_the_queries_do(migrated_url: str, tmp_path: Path) -> None:
    wid = _seed(migrated_url, tmp_path)
    ref = str(wid)
    engine = sa.create_engine(migrated_url)
    statements: list[str] = []
    sa.event.listen(engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
    with SqlUnitOfWork(engine) as uow:
        history = claims_context(uow).history
        history.prefetch(ref, SEP)
        statements.clear()
        got = history.contributions(ref, period_of(SEP))
        checks = [history.registered_with_employment_service(ref, on, since=since)
                  for since, on in ((SEP, dt.date(2025, 3, 3)), (SEP, dt.date(2025, 3, 4)),
                                    (dt.date(2023, 11, 3), dt.date(2023, 11, 3)),
                                    (dt.date(2023, 11, 4), dt.date(2025, 3, 3)))]
        paying = history._paying_employers(wid, parse_period("2022-01"), parse_period("2025-06"))
        after_prefetch = list(statements)
        # the same, read by the one-query-per-read functions
        months = history._months(wid, period_of(SEP) - 47, period_of(SEP))
        expected = charged_months(uow.session, wid, months, history.params)
        paying_sql = uow.session.execute(sa.text(
            "SELECT DISTINCT c.period, e.ruc FROM contribution c JOIN declaration d ON d.id = c.declaration_id "
            "JOIN employer e ON e.id = d.employer_id WHERE c.worker_id = :w AND d.status = 'active' "
            "AND c.insurable_pay > 0 ORDER BY c.period, e.ruc"), {"w": wid}).all()
    assert sorted(set(paying)) == [(int(p), str(r)) for p, r in paying_sql] and len(paying_sql) == 12 + 21 + 14
    assert checks == [False, True, True, False]
    assert got == expected
    # the history has all the kinds the reads cover: not covered (micro, part-time), subsidised, floored
    assert any(not m.covered for m in got) and any(m.covered for m in got)
    assert [m.subsidised for m in got if m.period == parse_period("2024-05")] == [True]
    assert not any(m.subsidised for m in got if m.period == parse_period("2024-06"))
    if engine.dialect.name == "postgresql":
        assert after_prefetch == []     # everything came with the prefetch
    engine.dispose()
