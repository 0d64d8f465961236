"""Issue 25: the one date policy (``domain.dates``: a date between the insurance's start,
01/01/2021, and today; a month not after the import's) at the payroll boundary — PLAME ``.snl``
and ``.jor`` months, T-Registro ``.per`` dates — and on employer payments. Each refusal names the
file, line and field (payments: the field); nothing is written. Both engines."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import sqlalchemy as sa

from seguro_desempleo.bootstrap import import_files
from seguro_desempleo.errors import InputError
from seguro_desempleo.services.employer_payments import record_payment
from seguro_desempleo.storage import intake
from seguro_desempleo.storage.uow import SqlUnitOfWork

TODAY = dt.date(2025, 4, 20)
RUC = "20000000338"


def run(engine: sa.Engine, files: list[Path]):  # type: ignore[no-untyped-def]
    with SqlUnitOfWork(engine) as uow:
        s = import_files(files, uow=uow, today=TODAY)
        uow.commit()
    return s


def test_snl_and_jor_of_a_month_before_the_insurance_are_refused(engine: sa.Engine, tmp_path: Path) -> None:
    """A ``.snl`` for 1999-12 (a year typed wrong) was stored as suspension days of 1999."""
    snl = tmp_path / f"0601199912{RUC}.snl"
    snl.write_bytes(b"01|45678920|22|10|\r\n")
    jor = tmp_path / f"0601202012{RUC}.jor"
    jor.write_bytes(b"01|45678920|192|0|10|30|\r\n")
    s = run(engine, [snl, jor])
    assert s.rejected == 2
    assert [(i.file, i.line, i.field, i.code) for i in s.issues] == [
        (str(snl), 0, "file name", "period_too_early"), (str(jor), 0, "file name", "period_too_early")]
    with engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(intake.suspension_days)).scalar() == 0
        assert conn.execute(sa.select(sa.func.count()).select_from(intake.work_time)).scalar() == 0


def test_per_dates_of_another_age_are_refused_naming_line_and_field(engine: sa.Engine, tmp_path: Path) -> None:
    """A start in year 1 and a baja in 1900 are refused; a period that began and ended before the
    insurance (the worker's employment history, older than the law) is accepted."""
    per = tmp_path / f"RP_{RUC}.per"
    per.write_bytes(b"01|45678920|604|1|1|01/01/0001|||\r\n"
                    b"01|45678922|604|1|1||30/06/1900|01||\r\n"
                    b"01|45678921|604|1|1|01/03/2015|31/12/2019|01||\r\n")
    s = run(engine, [per])
    assert s.rejected == 1
    assert [(i.line, i.field, i.code) for i in s.issues] == [
        (1, "fecha_inicio", "date_too_early"), (2, "fecha_fin", "date_too_early")]
    assert all("4567892" not in i.message_es for i in s.issues)
    per.write_bytes(b"01|45678921|604|1|1|01/03/2015|31/12/2019|01||\r\n")
    assert run(engine, [per]).rejected == 0


def _declared(engine: sa.Engine, tmp_path: Path) -> None:
    rem = tmp_path / f"0601202101{RUC}.rem"
    rem.write_bytes(b"01|45678920|0121|2000.00|2000.00|\r\n")
    assert run(engine, [rem]).rejected == 0


@pytest.mark.parametrize(("paid_on", "field"), [(dt.date(1, 1, 1), "paid_on"), (dt.date(9999, 12, 31), "paid_on"),
                                                (dt.date(2020, 12, 31), "paid_on")])
def test_an_employer_payment_dated_outside_the_insurance_is_refused(engine: sa.Engine, tmp_path: Path,
                                                                    paid_on: dt.date, field: str) -> None:
    """Before: a payment dated 0001-01-01 for a month of 2021... reached the ledger in year 1
    (the month check only compared it with the month paid; here 2020-12-31 is before it too, and
    the date policy names the field first for year 1). Year 9999 with a far *today* also passed."""
    _declared(engine, tmp_path)
    with SqlUnitOfWork(engine) as uow, pytest.raises(InputError) as err:
        record_payment(uow, RUC, 2021 * 12, 1, paid_on, today=dt.date(9999, 12, 31))
    assert err.value.field == field


def test_an_employer_payment_for_a_month_before_the_insurance_is_refused(engine: sa.Engine) -> None:
    with SqlUnitOfWork(engine) as uow, pytest.raises(InputError) as err:
        record_payment(uow, RUC, 2019 * 12 + 5, 100, dt.date(2021, 3, 1), today=TODAY)
    assert err.value.field == "period"
