"""Employer payments, arrears with interest, registry validation."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa

from seguro_desempleo.bootstrap import import_files
from seguro_desempleo.domain.registry import size_class_from_sales, validate_document, validate_ruc
from seguro_desempleo.errors import ConflictError, InputError, NotFoundError
from seguro_desempleo.services import ledger
from seguro_desempleo.services.employer_payments import arrears, due_date, months_late, record_payment
from seguro_desempleo.services.registry import is_covered, register_employer, register_worker
from seguro_desempleo.storage.uow import SqlUnitOfWork
from tests.payroll.helpers import bad_check_ruc, dni, make_ruc, write_rem

JAN = 2025 * 12


def test_validators() -> None:
    assert validate_ruc("20100070970") == "20100070970"
    with pytest.raises(InputError, match="RUC"):
        validate_ruc(bad_check_ruc(1))
    assert validate_document("01", "10117410") == "10117410"
    assert validate_document("01", "101174102") == "10117410"   # DNI with its CUI check digit
    with pytest.raises(InputError):
        validate_document("01", "101174109")
    with pytest.raises(InputError, match="Tabla 3"):
        validate_document("05", "X1")
    assert validate_document("07", "ab-123") == "AB-123"
    thresholds = [Decimal(150), Decimal(1700), Decimal(2300)]
    assert [size_class_from_sales(Decimal(x), thresholds) for x in (0, 150, "150.01", 2300, 2301)] == [
        "micro", "micro", "small", "medium", "large"]


def test_registry_on_both_engines(engine: sa.Engine) -> None:
    with SqlUnitOfWork(engine) as uow:
        e = register_employer(uow, make_ruc(1), "Textiles del Sur SAC", annual_sales_uit="2500")
        assert e.size_class == "large" and e.size_source == "sales" and is_covered(e)
        small = register_employer(uow, make_ruc(2), "Bodega", size_class="micro")
        assert not is_covered(small)
        with pytest.raises(InputError, match="contradicts"):
            register_employer(uow, make_ruc(3), "X", size_class="micro", annual_sales_uit="5000")
        with pytest.raises(InputError):
            register_employer(uow, make_ruc(3), "X", sector="mixed")
        register_employer(uow, make_ruc(1), "Textiles del Sur SAA", annual_sales_uit="2000")
        w = register_worker(uow, "01", dni(5), sex="F", birth_date="14/02/1990")
        again = register_worker(uow, "01", dni(5), region="Lima")
        assert again.id == w.id and again.sex == "F" and again.region == "Lima"
        uow.commit()
    with SqlUnitOfWork(engine) as uow:
        got = uow.employers.by_ruc(make_ruc(1))
        assert got is not None and got.name == "Textiles del Sur SAA" and got.size_class == "medium"
        assert uow.employers.count() == 2 and uow.workers.count() == 1


def test_due_date_and_months_late() -> None:
    assert due_date(JAN) == dt.date(2025, 2, 15)
    assert due_date(2025 * 12 + 11) == dt.date(2026, 1, 15)
    assert months_late(JAN, dt.date(2025, 2, 15)) == 0
    assert months_late(JAN, dt.date(2025, 2, 16)) == 1
    assert months_late(JAN, dt.date(2025, 3, 15)) == 1
    assert months_late(JAN, dt.date(2025, 3, 16)) == 2


def test_payments_settle_receivables_and_arrears(engine: sa.Engine, tmp_path: Path) -> None:
    ruc = make_ruc(4)
    f = write_rem(tmp_path, ruc, "2025-01", [("01", dni(1), "0121", "3333.33", "3333.33"),
                                             ("01", dni(2), "0121", "5000", "5000")])
    with SqlUnitOfWork(engine) as uow:
        import_files([f], uow=uow, today=dt.date(2025, 6, 1))
        uow.commit()
    due = 3867 + 5800   # 1.16 % of 3,333.33 (38.67) and of 5,000 (58.00)
    with SqlUnitOfWork(engine) as uow:
        (a,) = arrears(uow, dt.date(2025, 4, 20))
        assert (a.due, a.paid, a.outstanding, a.months_late) == (due, 0, due, 3)
        assert a.interest == round(due * 3 * 0.009)  # 0.9 % a month, simple
        r1 = record_payment(uow, ruc, JAN, 5000, dt.date(2025, 2, 10), reference="op-1")
        assert (r1.applied, r1.unapplied, r1.outstanding_after) == (5000, 0, due - 5000)
        with pytest.raises(ConflictError):
            record_payment(uow, ruc, JAN, 1, dt.date(2025, 2, 10), reference="op-1")
        r2 = record_payment(uow, ruc, JAN, 10_000, dt.date(2025, 3, 1), interest=50)
        assert (r2.applied, r2.unapplied, r2.outstanding_after) == (due - 5000, 10_000 - (due - 5000), 0)
        with pytest.raises(NotFoundError):
            record_payment(uow, ruc, JAN + 1, 100, dt.date(2025, 3, 1))
        with pytest.raises(NotFoundError):
            record_payment(uow, make_ruc(77), JAN, 100, dt.date(2025, 3, 1))
        with pytest.raises(InputError):
            record_payment(uow, ruc, JAN, 0, dt.date(2025, 3, 1))
        uow.commit()
    with SqlUnitOfWork(engine) as uow:
        assert arrears(uow, dt.date(2025, 4, 20)) == []
        bal = {b.code: b.balance for b in ledger.balances(uow)}
        assert bal["1210"] == 0 and bal["1220"] == 0          # both receivables settled exactly
        assert bal["1010"] == 15_050 and bal["2300"] == 15_000 - due and bal["4200"] == 50
        assert ledger.trial_balance(uow).balanced
        ledger.verify(uow)
