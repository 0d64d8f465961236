"""Issue 26 through the real path: payroll import → claim → decision → payment run, on SQLite and
PostgreSQL. Money moves only for months the law counts (art. 3 by month, the charged base)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from seguro_desempleo.bootstrap import import_files
from seguro_desempleo.claims.ports import Claim
from seguro_desempleo.claims.state import ClaimState
from seguro_desempleo.domain.ledger import Accounts
from seguro_desempleo.domain.registry import EmploymentPeriod
from seguro_desempleo.errors import ConflictError
from seguro_desempleo.periods import parse_period
from seguro_desempleo.services.claims_app import claims_context, run_payments
from seguro_desempleo.services.ledger import balances
from seguro_desempleo.services.registry import register_employer
from seguro_desempleo.storage import employer_sizes
from seguro_desempleo.storage.history import worker_ids_by_document
from seguro_desempleo.storage.uow import SqlUnitOfWork
from tests import signin
from tests.claims.funding import fund
from tests.claims.registration_helpers import register_all_workers
from tests.fixtures.databases import migrated_sqlite
from tests.payroll.helpers import dni, make_ruc, write_csv

SEP = dt.date(2025, 2, 28)
MICRO, LARGE, SECOND = make_ruc(261), make_ruc(262), make_ruc(263)


def _months(first: str, last: str) -> list[str]:
    a, b = parse_period(first), parse_period(last)
    return [f"{m // 12}-{m % 12 + 1:02d}" for m in range(a, b + 1)]


def _seed(url: str, tmp_path: Path, micro_months: list[str], large_months: list[str],
          second_months: list[str] = (), pay: str = "3000.00", second_pay: str = "600.00") -> str:
    rows = [(MICRO, p, "01", dni(26), "0121", "2000.00", "2000.00") for p in micro_months]
    rows += [(LARGE, p, "01", dni(26), "0121", pay, pay) for p in large_months]
    rows += [(SECOND, p, "01", dni(26), "0121", second_pay, second_pay) for p in second_months]
    with SqlUnitOfWork(url) as uow:
        # Sizes from SUNAT sales (Ley 30056: micro up to 150 UIT; large over 2,300 UIT), recorded
        # before the declarations arrive.
        register_employer(uow, MICRO, "BODEGA MICRO EIRL", annual_sales_uit="100", at=dt.date(2025, 3, 1))
        register_employer(uow, LARGE, "GRAN INDUSTRIA SAA", annual_sales_uit="5000", at=dt.date(2025, 3, 1))
        register_employer(uow, SECOND, "SERVICIOS MEDIANOS SAC", annual_sales_uit="2000", at=dt.date(2025, 3, 1))
        uow.commit()
    f = write_csv(tmp_path / "pay.csv", rows)
    with SqlUnitOfWork(url) as uow:
        import_files([f], uow=uow, today=dt.date(2025, 3, 10))
        wid = worker_ids_by_document(uow.session, [("01", dni(26))])[("01", dni(26))]
        large = uow.employers.by_ruc(LARGE)
        assert large is not None and large.id is not None
        uow.periods.upsert(EmploymentPeriod(large.id, wid, dt.date(2023, 1, 1), SEP, "01", "03"))
        register_all_workers(uow.session)
        fund(uow)                      # the fund pays only the cash it has (issue 25)
        uow.commit()
    return str(wid)


def _dues(url: str, ruc: str) -> int:
    with Session(sa.create_engine(url)) as s:
        return int(s.execute(sa.text(
            "SELECT COALESCE(SUM(d.total_due), 0) FROM declaration d JOIN employer e ON e.id = d.employer_id "
            "WHERE e.ruc = :r AND d.status = 'active'"), {"r": ruc}).scalar() or 0)


def _file_and_decide(url: str, ref: str) -> Claim:
    """The worker's claim filed on 15/03/2025 and decided, committed."""
    with SqlUnitOfWork(url) as uow:
        c = claims_context(uow).service.file_and_decide(ref, dt.date(2025, 3, 15), actor="cw")
        uow.commit()
    return c


def test_micro_months_are_not_charged_nor_aportaciones(migrated_url: str, tmp_path: Path) -> None:
    """20 months at a micro firm + 2 at a large one: the micro firm owes nothing, and the claim is
    denied with 2 aportaciones (before: 22 aportaciones, S/ 464 charged to the micro firm, approved)."""
    ref = _seed(migrated_url, tmp_path, _months("2023-05", "2024-12"), _months("2025-01", "2025-02"))
    assert _dues(migrated_url, MICRO) == 0
    assert _dues(migrated_url, LARGE) == 2 * 3480      # 1.16 % of 3000.00, two months
    with SqlUnitOfWork(migrated_url) as uow:  # booked as fund income: the large firm's months only
        income = {b.code: b.balance for b in balances(uow)}
    assert income[Accounts.CONTRIBUTION_INCOME_EMPLOYER] + income[Accounts.CONTRIBUTION_INCOME_CTS] == 2 * 3480
    c = _file_and_decide(migrated_url, ref)
    assert c.state is ClaimState.DENIED and c.decision is not None
    assert c.decision.contributions_in_window == 2


def test_only_covered_months_pay_and_are_averaged(migrated_url: str, tmp_path: Path) -> None:
    """12 large-firm months approve the claim; the average is of the charged months only, and the
    payment run pays that amount."""
    ref = _seed(migrated_url, tmp_path, _months("2023-05", "2024-02"), _months("2024-03", "2025-02"))
    with SqlUnitOfWork(migrated_url) as uow:
        ctx = claims_context(uow)
        c = ctx.service.file_and_decide(ref, dt.date(2025, 3, 15), actor="cw")
        assert c.state is ClaimState.APPROVED and c.decision is not None
        assert c.decision.contributions_in_window == 12
        # Reference 2024-02..2025-01: 2024-02 is a micro month (not charged); 11 × 3000 / 11.
        assert c.decision.insurable_remuneration == 300_000
        run = run_payments(ctx, parse_period("2025-04"), dt.date(2025, 4, 25), actor="system")
        uow.commit()
    assert [p.amount for p in run.paid][:1] == [210_000]


def test_two_employers_base_is_each_floored_base_summed(migrated_url: str, tmp_path: Path) -> None:
    """Art. 5 with two employers: the base is what contributions were charged on — each employer's
    pay floored at the RMV, summed (3000 + max(600, 1130) = 4130 in 2025), not max(3600, RMV)."""
    ref = _seed(migrated_url, tmp_path, [], _months("2024-03", "2025-02"), _months("2025-01", "2025-01"))
    c = _file_and_decide(migrated_url, ref)
    assert c.state is ClaimState.APPROVED and c.decision is not None
    # Reference 2024-02..2025-01: 2024-03..2024-12 (10 × 3000) + 2025-01 (3000 + 1130 = 4130).
    # 34130 / 11 = 3102.7272… → 3102.73
    assert c.decision.insurable_remuneration == 310_273


def test_an_employer_cannot_set_its_own_size(migrated_url: str) -> None:
    """Issue 25: a micro employer declaring itself large is pending; its size in force and its
    sales stay; a second staff member's review puts it in force from its date."""
    with SqlUnitOfWork(migrated_url) as uow:
        register_employer(uow, MICRO, "BODEGA MICRO EIRL", annual_sales_uit="100", at=dt.date(2025, 3, 1))
        e = register_employer(uow, MICRO, "BODEGA MICRO EIRL", size_class="large", declared_by_employer=True,
                              by=f"employer:{MICRO}", at=dt.date(2025, 6, 1))
        uow.commit()
    assert e.size_class == "micro" and e.annual_sales_uit == Decimal("100")
    assert e.id is not None
    with SqlUnitOfWork(migrated_url) as uow:
        hist = employer_sizes.history(uow.session, e.id)
        assert [(r.size_class, r.status) for r in hist] == [("micro", "confirmed"), ("large", "pending")]
        assert employer_sizes.size_in_force(uow.session, e.id, dt.date(2025, 7, 1)) == "micro"
        pending = hist[1]
        try:
            employer_sizes.review(uow.session, pending.id, accept=True, by=f"employer:{MICRO}")
        except ConflictError:
            pass
        else:  # pragma: no cover
            raise AssertionError("the declarer confirmed its own size")
        employer_sizes.review(uow.session, pending.id, accept=True, by="cw:ana", today=dt.date(2025, 7, 1))
        uow.commit()
    with SqlUnitOfWork(migrated_url) as uow:
        assert employer_sizes.size_in_force(uow.session, e.id, dt.date(2025, 5, 31)) == "micro"
        assert employer_sizes.size_in_force(uow.session, e.id, dt.date(2025, 6, 1)) == "large"
        after = uow.employers.by_ruc(MICRO)
        assert after is not None and after.size_class == "large" and after.annual_sales_uit == Decimal("100")


def test_a_declared_size_is_pending_in_the_database(migrated_url: str) -> None:
    """The constraint, not only Python: a declared size cannot be confirmed without a reviewer."""
    with SqlUnitOfWork(migrated_url) as uow:
        e = register_employer(uow, MICRO, "BODEGA MICRO EIRL", annual_sales_uit="100", at=dt.date(2025, 3, 1))
        uow.commit()
    eng = sa.create_engine(migrated_url)
    try:
        with eng.begin() as conn:
            conn.execute(sa.text(
                "INSERT INTO employer_size (employer_id, valid_from, size_class, source, status, recorded_by, "
                "recorded_at) VALUES (:e, :d, 'large', 'declared', 'confirmed', 'x', :t)"),
                {"e": e.id, "d": dt.date(2025, 6, 1), "t": dt.datetime(2025, 6, 1)})
    except sa.exc.IntegrityError:
        pass
    else:  # pragma: no cover
        raise AssertionError("a declared size was confirmed without review")
    finally:
        eng.dispose()


def test_staff_review_a_declared_size_from_the_cli(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from seguro_desempleo.cli import main

    url = migrated_sqlite(tmp_path / "cli.sqlite3")
    assert main(["payroll", "employer", "--ruc", MICRO, "--name", "BODEGA MICRO EIRL", "--sales-uit", "100",
                 "--db", url]) == 0
    with SqlUnitOfWork(url) as uow:
        register_employer(uow, MICRO, "BODEGA MICRO EIRL", size_class="large", declared_by_employer=True,
                          by=f"employer:{MICRO}")
        uow.commit()
    capsys.readouterr()
    assert main(["payroll", "employer-sizes", "--ruc", MICRO, "--db", url]) == 0
    out = capsys.readouterr().out
    assert "size in force micro" in out and "large (declared, pending)" in out
    pending_id = int(out.split("#")[2].split()[0])
    assert main(["payroll", "size-review", "--id", str(pending_id), "--reject", "--actor", "cw:ana", "--db", url]) == 0
    assert "rejected" in capsys.readouterr().out
    assert main(["payroll", "size-review", "--id", str(pending_id), "--accept", "--actor", "cw:ana", "--db", url]) == 2
    assert "already rejected" in capsys.readouterr().err
    assert main(["audit", "verify", "--db", url]) == 0


def test_staff_review_a_declared_size_on_the_web(tmp_path: Path) -> None:
    """The review queue in Spanish: a caseworker accepts a declared size; a second review is
    refused with a Spanish reason, not a 500; an employer cannot see the page."""
    from fastapi.testclient import TestClient

    from seguro_desempleo.api.app import create_app

    url = migrated_sqlite(tmp_path / "web.sqlite3")
    with SqlUnitOfWork(url) as uow:
        register_employer(uow, MICRO, "BODEGA MICRO EIRL", annual_sales_uit="100", at=dt.date(2025, 3, 1))
        e = register_employer(uow, MICRO, "BODEGA MICRO EIRL", size_class="medium", declared_by_employer=True,
                              by=f"employer:{MICRO}")
        uow.commit()
    app = create_app(db_url=url, secret="sizes-web")
    app.state.web_today = dt.date(2025, 7, 1)
    cw = TestClient(app)
    assert signin.web(cw, "caseworker", "ana").status_code == 303
    page = cw.get("/gestion/tamanos")
    assert page.status_code == 200 and "Tamaños de empresa por revisar" in page.text
    assert MICRO in page.text and "Microempresa" in page.text and "Mediana empresa" in page.text
    with SqlUnitOfWork(url) as uow:
        [pending] = employer_sizes.pending(uow.session)
    assert cw.post(f"/gestion/tamanos/{pending.id}", data={"decision": "talvez"}).status_code == 422
    r = cw.post(f"/gestion/tamanos/{pending.id}", data={"decision": "aceptar"}, follow_redirects=False)
    assert r.status_code == 303
    again = cw.post(f"/gestion/tamanos/{pending.id}", data={"decision": "rechazar"})
    assert again.status_code == 409 and "ya fue revisada" in again.text
    assert e.id is not None
    with SqlUnitOfWork(url) as uow:
        assert employer_sizes.size_in_force(uow.session, e.id, pending.valid_from) == "medium"
    emp = TestClient(app)
    signin.web(emp, "employer", MICRO)
    assert emp.get("/gestion/tamanos").status_code == 403
