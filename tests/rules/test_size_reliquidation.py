"""Issue 26 (item 1's follow-up): a size confirmed later with an earlier effective date re-liquidates
the declarations already imported for the months it now covers — import → size declared (pending)
→ a different staff member confirms it → re-liquidation → books — on SQLite and PostgreSQL.

Hand arithmetic (PL 5510/2022-CR art. 3: medium and large firms in the phase in force; art. 8:
1.16 % = 0.58 % employer + 0.58 % deducted from the CTS; coverage.employer_sizes = medium, large):

- GRAN EMPRESA (sales 5,000 UIT → large, since always) declares S/ 3,000.00 a month for one worker,
  01–06/2025: 3,000.00 × 1.16 % = S/ 34.80 a month (17.40 + 17.40), S/ 208.80 in all. It pays
  January and March (S/ 34.80 each).
- On 10/03/2025 it declares itself micro (pending, in force from 01/03/2025 once confirmed); staff
  confirm on 10/07/2025. Months 03–06/2025 are no longer charged (art. 3): 4 × 34.80 = S/ 139.20
  less receivable and less income; January and February keep S/ 34.80 each (S/ 69.60 in all).
  March's S/ 34.80 payment is no longer due: it waits in 2300 (aportes por aplicar).
- BODEGA (sales 100 UIT → micro) declares S/ 2,000.00 a month 01–06/2025: charged nothing. It
  declares itself large from 01/03/2025 (pending), confirmed on 10/07/2025: months 03–06/2025 are
  now charged 2,000.00 × 1.16 % = S/ 23.20 each (11.60 + 11.60), S/ 92.80 in all.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import sqlalchemy as sa
import yaml
from sqlalchemy.orm import Session

from seguro_desempleo.bootstrap import import_files
from seguro_desempleo.domain.ledger import Accounts
from seguro_desempleo.money import cents_to_str
from seguro_desempleo.services import employer_size
from seguro_desempleo.services.employer_payments import arrears, record_payment
from seguro_desempleo.services.ledger import balances, verify
from seguro_desempleo.services.registry import register_employer
from seguro_desempleo.storage import employer_sizes
from seguro_desempleo.storage.uow import SqlUnitOfWork
from tests.fixtures.databases import migrated_sqlite
from tests.payroll.helpers import dni, make_ruc, write_csv

LARGE, MICRO = make_ruc(4231), make_ruc(4232)
MONTHS = [f"2025-{m:02d}" for m in range(1, 7)]
CONFIRMED_ON = dt.date(2025, 7, 10)
CASE = Path(__file__).parent / "cases" / "reliquidation" / "art3_size_confirmed_later.yaml"


def _dues(url: str, ruc: str) -> dict[str, int]:
    with Session(sa.create_engine(url)) as s:
        rows = s.execute(sa.text(
            "SELECT d.period, d.total_due FROM declaration d JOIN employer e ON e.id = d.employer_id "
            "WHERE e.ruc = :r AND d.status = 'active' ORDER BY d.period"), {"r": ruc}).all()
    return {f"{int(p) // 12}-{int(p) % 12 + 1:02d}": int(t) for p, t in rows}


def _soles(dues: dict[str, int]) -> dict[str, str]:
    return {m: cents_to_str(v) for m, v in dues.items()}


def _books(url: str) -> dict[str, int]:
    with SqlUnitOfWork(url) as uow:
        return {b.code: b.balance for b in balances(uow)}


def _seed(url: str, tmp_path: Path) -> None:
    with SqlUnitOfWork(url) as uow:
        register_employer(uow, LARGE, "GRAN EMPRESA SAA", annual_sales_uit="5000", at=dt.date(2025, 1, 1))
        register_employer(uow, MICRO, "BODEGA EIRL", annual_sales_uit="100", at=dt.date(2025, 1, 1))
        uow.commit()
    rows = [(LARGE, p, "01", dni(4231), "0121", "3000.00", "3000.00") for p in MONTHS]
    rows += [(MICRO, p, "01", dni(4232), "0121", "2000.00", "2000.00") for p in MONTHS]
    with SqlUnitOfWork(url) as uow:
        import_files([write_csv(tmp_path / "pay.csv", rows)], uow=uow, today=dt.date(2025, 7, 5))
        record_payment(uow, LARGE, 2025 * 12, 3480, dt.date(2025, 2, 10), today=dt.date(2025, 7, 5))
        record_payment(uow, LARGE, 2025 * 12 + 2, 3480, dt.date(2025, 4, 10), today=dt.date(2025, 7, 5))
        uow.commit()


def _declare(url: str, ruc: str, size: str) -> int:
    with SqlUnitOfWork(url) as uow:
        e = register_employer(uow, ruc, "X", size_class=size, declared_by_employer=True, by=f"employer:{ruc}",
                              at=dt.date(2025, 3, 10))
        assert e.id is not None
        [pending] = [r for r in employer_sizes.history(uow.session, e.id) if r.status == "pending"]
        assert pending.valid_from == dt.date(2025, 3, 1)
        uow.commit()
    return pending.id


def test_a_size_confirmed_later_re_liquidates_the_months_it_covers(migrated_url: str, tmp_path: Path) -> None:
    [case] = yaml.safe_load(CASE.read_text(encoding="utf-8"))
    assert case["article"].startswith("PL 5510/2022-CR") and case["hand"]
    _seed(migrated_url, tmp_path)
    assert _soles(_dues(migrated_url, LARGE)) == case["large"]["dues_before"]
    assert _soles(_dues(migrated_url, MICRO)) == case["micro"]["dues_before"]
    before = _books(migrated_url)
    income = Accounts.CONTRIBUTION_INCOME_EMPLOYER, Accounts.CONTRIBUTION_INCOME_CTS
    assert sum(before[a] for a in income) == 6 * 3480
    down, up = _declare(migrated_url, LARGE, "micro"), _declare(migrated_url, MICRO, "large")
    # Pending: nothing changes until a different staff member reviews it.
    assert _soles(_dues(migrated_url, LARGE)) == case["large"]["dues_before"]
    with SqlUnitOfWork(migrated_url) as uow:
        entries_before = len(uow.ledger.entries())
        employer_size.review_size(uow, down, accept=True, by="cw:ana", today=CONFIRMED_ON)
        employer_size.review_size(uow, up, accept=True, by="cw:ana", today=CONFIRMED_ON)
        uow.commit()
    # Dues: the large firm's 03-06/2025 are no longer charged; the micro firm's now are.
    assert _soles(_dues(migrated_url, LARGE)) == case["large"]["dues_after"]
    assert _soles(_dues(migrated_url, MICRO)) == case["micro"]["dues_after"]
    after = _books(migrated_url)
    assert cents_to_str(sum(after[a] for a in income)) == case["income_after"]
    assert cents_to_str(after[Accounts.CONTRIBUTION_INCOME_EMPLOYER]) == case["income_employer_after"]
    # Receivable: what is still owed; March's payment waits in 2300.
    assert cents_to_str(after[Accounts.RECEIVABLE_EMPLOYER] + after[Accounts.RECEIVABLE_CTS]) == \
        case["receivable_after"]
    assert cents_to_str(after[Accounts.UNAPPLIED_RECEIPTS] - before[Accounts.UNAPPLIED_RECEIPTS]) == \
        case["unapplied_increase"]
    with SqlUnitOfWork(migrated_url) as uow:
        # Adjustments, never rewrites: the import's and payments' entries are all still there, the
        # hash chain and the replay hold, and new entries were added.
        entries = uow.ledger.entries()
        assert len(entries) > entries_before
        assert {e[1] for e in entries[entries_before:]} >= {"payroll.reliquidated"}
        verify(uow)
        late = {(a.ruc, a.period) for a in arrears(uow, dt.date(2025, 7, 20))}
        assert (LARGE, 2025 * 12 + 3) not in late and (MICRO, 2025 * 12 + 3) in late
        assert (LARGE, 2025 * 12 + 1) in late
        audit = uow.session.execute(sa.text(
            "SELECT who, entity FROM audit_log WHERE action = :a UNION ALL "
            "SELECT who, entity FROM audit_outbox WHERE action = :a"), {"a": "payroll.reliquidated"}).all()
        assert sorted(tuple(r) for r in audit) == [("cw:ana", f"employer:{LARGE}"), ("cw:ana", f"employer:{MICRO}")]
        # Idempotent: once more, nothing is posted.
        n = len(uow.ledger.entries())
        e_large = uow.employers.by_ruc(LARGE)
        assert e_large is not None and e_large.id is not None
        again = employer_size.reliquidate(uow, e_large.id, dt.date(2025, 1, 1), actor="cw:ana", on=CONFIRMED_ON)
        assert again.months == [] and len(uow.ledger.entries()) == n


def test_a_rejected_declaration_re_liquidates_nothing(migrated_url: str, tmp_path: Path) -> None:
    _seed(migrated_url, tmp_path)
    down = _declare(migrated_url, LARGE, "micro")
    with SqlUnitOfWork(migrated_url) as uow:
        employer_size.review_size(uow, down, accept=False, by="cw:ana", today=CONFIRMED_ON)
        uow.commit()
    assert _dues(migrated_url, LARGE) == dict.fromkeys(MONTHS, 3480)


def test_staff_size_with_sales_re_liquidates_from_since_always(migrated_url: str, tmp_path: Path) -> None:
    """An employer imported before any size was on record is charged (coverage.unknown_size_charged);
    its first size, micro from SUNAT sales, is in force since always (decision 0340): every month
    imported is re-liquidated to 0 (6 × 2,000.00 × 1.16 % = S/ 139.20 less income)."""
    other = make_ruc(4233)
    rows = [(other, p, "01", dni(4233), "0121", "2000.00", "2000.00") for p in MONTHS]
    with SqlUnitOfWork(migrated_url) as uow:
        import_files([write_csv(tmp_path / "pay.csv", rows)], uow=uow, today=dt.date(2025, 7, 5))
        uow.commit()
    assert _dues(migrated_url, other) == dict.fromkeys(MONTHS, 2320)
    with SqlUnitOfWork(migrated_url) as uow:
        register_employer(uow, other, "SIN TAMAÑO SAC", annual_sales_uit="100", at=CONFIRMED_ON)
        uow.commit()
    assert _dues(migrated_url, other) == dict.fromkeys(MONTHS, 0)
    books = _books(migrated_url)
    assert books[Accounts.CONTRIBUTION_INCOME_EMPLOYER] + books[Accounts.CONTRIBUTION_INCOME_CTS] == 0


def test_catch_up_from_the_cli(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A size confirmed by a path that does not re-liquidate (the storage call the API's review still
    makes) is caught up by ``payroll reliquidate``: 03–06/2025 of the large firm go to 0 (4 × 34.80
    = S/ 139.20 less); run again, nothing changes."""
    from seguro_desempleo.cli import main

    url = migrated_sqlite(tmp_path / "cli.sqlite3")
    _seed(url, tmp_path)
    down = _declare(url, LARGE, "micro")
    with SqlUnitOfWork(url) as uow:
        employer_sizes.review(uow.session, down, accept=True, by="cw:ana", today=CONFIRMED_ON)
        uow.commit()
    assert _dues(url, LARGE) == dict.fromkeys(MONTHS, 3480)
    args = ["payroll", "reliquidate", "--ruc", LARGE, "--since", "2025-01-01", "--actor", "cw:ana", "--db", url]
    assert main(args) == 0
    assert "4 month(s) re-liquidated, change in dues S/ -139.20" in capsys.readouterr().out
    assert _dues(url, LARGE)["2025-03"] == 0 and _dues(url, LARGE)["2025-02"] == 3480
    assert main(args) == 0
    assert "0 month(s) re-liquidated" in capsys.readouterr().out
