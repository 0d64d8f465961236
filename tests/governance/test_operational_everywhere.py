"""Issue 28: every operational path reads the law's baseline plus the instruments in force, not
the YAML alone — the payroll import (contribution rate, RMV floor), employer payments (arrears
interest), the registry (size thresholds, phases of coverage) — through one place,
``services.governance.parameters_for``. On SQLite and PostgreSQL.

Hand arithmetic (PL 5510/2022-CR art. 8; Ley 26790 art. 6 for the RMV floor):

- a Ley raises the contribution from 1.16 % to 1.50 % (0.75 % + 0.75 %) from 01/06/2025: S/ 3,000.00
  of May 2025 is charged 3,000.00 × 1.16 % = S/ 34.80; of July 2025, 3,000.00 × 1.50 % = S/ 45.00;
- a Decreto Supremo sets the RMV at S/ 1,200 from 01/06/2025: S/ 1,000.00 of May is floored at the
  RMV of May (S/ 1,130) → 1,130 × 1.16 % = 13.108 → S/ 13.11; of July at S/ 1,200 → S/ 13.92.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
import yaml
from sqlalchemy.orm import Session

from seguro_desempleo.bootstrap import import_files
from seguro_desempleo.money import cents_to_str
from seguro_desempleo.services import governance as g
from seguro_desempleo.services.employer_payments import arrears, record_payment
from seguro_desempleo.services.registry import is_covered, register_employer
from seguro_desempleo.storage.uow import SqlUnitOfWork
from tests.payroll.helpers import dni, make_ruc, write_csv

CASES = Path(__file__).parents[1] / "rules" / "cases" / "instruments" / "art8_instruments_in_the_import.yaml"
RUC = make_ruc(4201)


def _dues(url: str) -> dict[str, int]:
    with Session(sa.create_engine(url)) as s:
        rows = s.execute(sa.text(
            "SELECT d.period, d.total_due FROM declaration d JOIN employer e ON e.id = d.employer_id "
            "WHERE e.ruc = :r AND d.status = 'active' ORDER BY d.period"), {"r": RUC}).all()
    return {f"{int(p) // 12}-{int(p) % 12 + 1:02d}": int(t) for p, t in rows}


def _large_employer(url: str) -> None:
    with SqlUnitOfWork(url) as uow:
        register_employer(uow, RUC, "GRAN EMPRESA SAA", annual_sales_uit="5000", at=dt.date(2025, 1, 1))
        uow.commit()


def _import(url: str, tmp_path: Path, pay: str) -> None:
    rows = [(RUC, p, "01", dni(4201), "0121", pay, pay) for p in ("2025-05", "2025-07")]
    with SqlUnitOfWork(url) as uow:
        import_files([write_csv(tmp_path / "pay.csv", rows)], uow=uow, today=dt.date(2025, 8, 10))
        uow.commit()


def _cases() -> list[Any]:
    return [pytest.param(c, id=c["name"][:40]) for c in yaml.safe_load(CASES.read_text(encoding="utf-8"))]


@pytest.mark.parametrize("case", _cases())
def test_an_instrument_changes_what_a_later_month_is_charged(migrated_url: str, tmp_path: Path,
                                                              case: dict[str, Any]) -> None:
    """The YAML cases: an instrument from 01/06/2025 changes July's charge and not May's. Before the
    fix the import read the YAML alone and charged both months the baseline."""
    assert case["article"].startswith("PL 5510/2022-CR") and case["hand"]
    _large_employer(migrated_url)
    ins = case["instrument"]
    with SqlUnitOfWork(migrated_url) as uow:
        g.add_instrument(uow, type=ins["type"], number=ins["number"],
                         issued_on=dt.date.fromisoformat(ins["issued_on"]),
                         effective_date=dt.date.fromisoformat(ins["effective_date"]), values=ins["values"],
                         actor="admin:1")
        uow.commit()
    _import(migrated_url, tmp_path, case["pay"])
    assert {m: cents_to_str(v) for m, v in _dues(migrated_url).items()} == case["expected_dues"]


def test_arrears_interest_follows_an_instrument(migrated_url: str, tmp_path: Path) -> None:
    """The arrears rate (Código Tributario art. 33, TIM) set by a Resolución at 2 % a month from
    01/09/2025: S/ 34.80 of July 2025 (due 15/08/2025) paid on 20/10/2025 is late for two months
    (16/08-15/09 at the 0.9 % of 16/08, 16/09-15/10 at the 2 % of 16/09) and part of a third (from
    16/10, 2 %): 34.80 × (0.009 + 0.02 + 0.02) = 1.7052 → S/ 1.71 (before: 34.80 × 0.027 = S/ 0.94)."""
    _large_employer(migrated_url)
    with SqlUnitOfWork(migrated_url) as uow:
        g.add_instrument(uow, type="resolucion", number="000123-2025/SUNAT", issued_on=dt.date(2025, 8, 20),
                         effective_date=dt.date(2025, 9, 1), values={"financing.arrears_monthly_interest": "0.02"},
                         actor="admin:1")
        uow.commit()
    _import(migrated_url, tmp_path, "3000.00")
    july = 2025 * 12 + 6
    with SqlUnitOfWork(migrated_url) as uow:
        late = {a.period: a for a in arrears(uow, dt.date(2025, 10, 20), ruc=RUC)}
        assert late[july].interest == 171
        r = record_payment(uow, RUC, july, 3480, dt.date(2025, 10, 20), today=dt.date(2025, 10, 20))
        assert r.interest_fixed == 171
        uow.commit()


def test_the_registry_reads_thresholds_and_phases_from_instruments(migrated_url: str) -> None:
    """A Ley moving the large-firm threshold to 4,000 UIT (Ley 30056 art. 11's values are the
    baseline; only a Ley amends them) makes 3,000 UIT of sales a medium firm; an Acuerdo adding small firms to the
    phase in force (Segunda disposición final) covers a small firm from its date."""
    small = make_ruc(4202)
    with SqlUnitOfWork(migrated_url) as uow:
        g.add_instrument(uow, type="ley", number="32421", issued_on=dt.date(2025, 1, 1),
                         effective_date=dt.date(2025, 1, 1), values={"registry.size_thresholds_uit": "150,1700,4000"},
                         actor="admin:1")
        g.add_instrument(uow, type="acuerdo_directorio", number="2025-0001", issued_on=dt.date(2025, 1, 1),
                         effective_date=dt.date(2025, 2, 1),
                         values={"coverage.employer_sizes": "small,medium,large"}, actor="admin:1")
        e = register_employer(uow, RUC, "EMPRESA SAC", annual_sales_uit="3000", at=dt.date(2025, 3, 1))
        s = register_employer(uow, small, "PEQUEÑA SAC", annual_sales_uit="1000", at=dt.date(2025, 3, 1))
        assert e.size_class == "medium"
        assert s.size_class == "small"
        assert is_covered(s, at=dt.date(2025, 3, 1), uow=uow)
        assert not is_covered(s, at=dt.date(2025, 1, 15), uow=uow)
        uow.commit()


def test_a_phase_of_coverage_by_instrument_charges_small_firms_from_its_date(migrated_url: str,
                                                                            tmp_path: Path) -> None:
    """Segunda disposición final: an Acuerdo de Directorio extends coverage to small firms from
    01/06/2025. A small firm (1,000 UIT) declaring S/ 3,000.00 is charged nothing for May (art. 3,
    outside the phase then) and 3,000.00 × 1.16 % = S/ 34.80 for July."""
    with SqlUnitOfWork(migrated_url) as uow:
        register_employer(uow, RUC, "PEQUEÑA SAC", annual_sales_uit="1000", at=dt.date(2025, 1, 1))
        g.add_instrument(uow, type="acuerdo_directorio", number="2025-0002", issued_on=dt.date(2025, 5, 10),
                         effective_date=dt.date(2025, 6, 1),
                         values={"coverage.employer_sizes": "small,medium,large"}, actor="admin:1")
        uow.commit()
    _import(migrated_url, tmp_path, "3000.00")
    assert _dues(migrated_url) == {"2025-05": 0, "2025-07": 3480}
