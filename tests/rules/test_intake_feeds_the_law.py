"""What the payroll intake reads (issue 31: Estructura 5 ``.tra``, Estructura 17 ``.snl``) reaches
the rules (issue 26, items 5 and 10), on SQLite and PostgreSQL.

- A ``.tra`` contract recorded without an employment period's own is the contract coverage reads:
  part-time (Tabla 12 code 02) is not charged for benefits (art. 3 and the CTS reading of art. 8),
  so those months are not aportaciones.
- A ``.snl`` declaring maternity (Tabla 21 type 22) or sickness (21) days marks the month as
  subsidised for ``requirements.subsidised_months``.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from seguro_desempleo.bootstrap import import_files
from seguro_desempleo.parameters import default_parameters
from seguro_desempleo.periods import parse_period
from seguro_desempleo.rules.evaluate import ContributionMonth
from seguro_desempleo.services.registry import register_employer
from seguro_desempleo.storage.history import charged_months, contract_types_by_month, worker_ids_by_document
from seguro_desempleo.storage.intake import suspension_days, worker_contract
from seguro_desempleo.storage.uow import SqlUnitOfWork
from tests.payroll.helpers import dni, make_ruc, write_csv

RUC = make_ruc(3101)


def _seed(url: str, tmp_path: Path) -> tuple[int, int]:
    with SqlUnitOfWork(url) as uow:
        register_employer(uow, RUC, "CONFECCIONES DEL SUR SAC", annual_sales_uit="5000", at=dt.date(2025, 1, 1))
        uow.commit()
    rows = [(RUC, p, "01", dni(31), "0121", "2000.00", "2000.00") for p in ("2025-01", "2025-02", "2025-03")]
    with SqlUnitOfWork(url) as uow:
        import_files([write_csv(tmp_path / "pay.csv", rows)], uow=uow, today=dt.date(2025, 4, 10))
        wid = worker_ids_by_document(uow.session, [("01", dni(31))])[("01", dni(31))]
        emp = uow.employers.by_ruc(RUC)
        assert emp is not None and emp.id is not None
        uow.commit()
    return int(wid), int(emp.id)


def test_a_tra_contract_is_the_one_coverage_reads(migrated_url: str, tmp_path: Path) -> None:
    wid, eid = _seed(migrated_url, tmp_path)
    months = [parse_period(p) for p in ("2025-01", "2025-02", "2025-03")]
    params = default_parameters()
    with SqlUnitOfWork(migrated_url) as uow:
        conn = uow.session.connection()
        assert set(contract_types_by_month(conn, wid, [eid], months).values()) == {None}   # nothing known
        # a .tra imported on 15/02/2025 says part-time (02): the months read it (the earlier month
        # with the earliest record, a .tra having no dates of its own)
        conn.execute(worker_contract.insert().values(employer_id=eid, worker_id=wid, contract_type="02",
                                                     recorded_on=dt.date(2025, 2, 15)))
        got = contract_types_by_month(conn, wid, [eid], months)
        assert got == {(eid, m): "02" for m in months}
        # ... and a later .tra (indefinite, 01) from 10/03/2025 governs from March
        conn.execute(worker_contract.insert().values(employer_id=eid, worker_id=wid, contract_type="01",
                                                     recorded_on=dt.date(2025, 3, 10)))
        got = contract_types_by_month(conn, wid, [eid], months)
        assert [got[(eid, m)] for m in months] == ["02", "02", "01"]
        # art. 3 / art. 8 (CTS reading): part-time months are not aportaciones; the indefinite one is
        raw = tuple(ContributionMonth(m, 200000) for m in months)
        counted = charged_months(conn, wid, raw, params)
        assert [m.covered for m in counted] == [False, False, True]


def test_a_snl_subsidy_marks_the_month(migrated_url: str, tmp_path: Path) -> None:
    wid, eid = _seed(migrated_url, tmp_path)
    jan, feb, mar = (parse_period(p) for p in ("2025-01", "2025-02", "2025-03"))
    with SqlUnitOfWork(migrated_url) as uow:
        conn = uow.session.connection()
        # maternity (22) in February, a vacation-like suspension (type 23, not a subsidy) in March
        conn.execute(suspension_days.insert(), [
            {"employer_id": eid, "worker_id": wid, "period": feb, "suspension_type": "22", "days": 28},
            {"employer_id": eid, "worker_id": wid, "period": mar, "suspension_type": "23", "days": 5}])
        raw = tuple(ContributionMonth(m, 200000) for m in (jan, feb, mar))
        counted = charged_months(conn, wid, raw, default_parameters())
        assert [m.subsidised for m in counted] == [False, True, False]


def test_operations_read_the_instruments_in_force(migrated_url: str) -> None:
    """Issue 28: a Decreto Supremo setting the Reglamento's waiting period reaches the claims service
    from its effective date (the parameters of operations are the baseline plus the instruments);
    a what-if set handed in explicitly is kept as it is."""
    from seguro_desempleo.services import governance
    from seguro_desempleo.services.claims_app import claims_context

    with SqlUnitOfWork(migrated_url) as uow:
        assert claims_context(uow).service.params.at(dt.date(2026, 6, 1))["requirements.waiting_period_days"] == 7
        governance.add_instrument(uow, type="decreto_supremo", number="011-2026-TR", issued_on=dt.date(2026, 4, 20),
                                  effective_date=dt.date(2026, 5, 1), values={"requirements.waiting_period_days": 15},
                                  actor="user:admin/admin")
        uow.commit()
    with SqlUnitOfWork(migrated_url) as uow:
        params = claims_context(uow).service.params
        assert params.at(dt.date(2026, 4, 30))["requirements.waiting_period_days"] == 7
        assert params.at(dt.date(2026, 5, 1))["requirements.waiting_period_days"] == 15
        what_if = default_parameters().with_overrides({"requirements.waiting_period_days": 30})
        assert claims_context(uow, params=what_if).service.params.at(dt.date(2026, 5, 1))[
            "requirements.waiting_period_days"] == 30
