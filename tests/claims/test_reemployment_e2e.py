"""Issue 26 item 3 end to end: PLAME and T-Registro files imported → claim → decision → payments.

The former employer declares vacaciones truncas (Tabla 22, 0114) in the month after the
separation, and the new employer's T-Registro alta (14/07/2025) is imported before the decision.
The decision must award only the months before the new job (04, 05 and 06/2025), the truncas
must not be taken for a new job, and the payment runs must pay exactly those three months.
A second worker keeps another job after the separation: denied, and nothing is paid.
On SQLite and PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from seguro_desempleo.bootstrap import import_files
from seguro_desempleo.claims.state import ClaimState
from seguro_desempleo.periods import format_period, parse_period
from seguro_desempleo.services.claims_app import claims_context, verify_audit
from seguro_desempleo.services.registry import register_employer
from seguro_desempleo.storage.history import worker_ids_by_document
from seguro_desempleo.storage.uow import SqlUnitOfWork
from tests.claims.funding import fund
from tests.claims.registration_helpers import register_all_workers
from tests.payroll.helpers import dni, make_ruc, write_per, write_rem

OLD, NEW, SECOND = make_ruc(7101), make_ruc(7102), make_ruc(7103)
MONTHS = [format_period(p) for p in range(parse_period("2023-03"), parse_period("2025-03") + 1)]


def _seed(url: str, files: Path) -> tuple[str, str]:
    files.mkdir()
    with SqlUnitOfWork(url) as uow:
        register_employer(uow, OLD, "Textiles Andinos SAC", size_class="large", region="Lima")
        register_employer(uow, NEW, "Logística Norte SAC", size_class="large", region="Lima")
        register_employer(uow, SECOND, "Panadería Sur SAC", size_class="large", region="Lima")
        uow.commit()
    paths = []
    for i, month in enumerate(MONTHS):       # S/ 3,000.xx a month (céntimos vary: files differ)
        paths.append(write_rem(files, OLD, month, [("01", dni(1), "0121", f"3000.{i:02d}", f"3000.{i:02d}"),
                                                   ("01", dni(2), "0121", f"3000.{i:02d}", f"3000.{i:02d}")]))
    # After the separation: worker 1's vacaciones truncas from the former employer (0114) ...
    paths.append(write_rem(files, OLD, "2025-04", [("01", dni(1), "0114", "1500.00", "1500.00")]))
    # ... and worker 2's second job, kept after the separation.
    paths.append(write_rem(files, SECOND, "2025-04", [("01", dni(2), "0121", "900.00", "900.00")]))
    paths.append(write_per(files, OLD, [("01", dni(1), "604", "1", "1", "01/02/2020", "10/03/2025", "03", ""),
                                        ("01", dni(2), "604", "1", "1", "01/02/2020", "10/03/2025", "03", "")]))
    paths.append(write_per(files, NEW, [("01", dni(1), "604", "1", "1", "14/07/2025", "", "", "")]))
    paths.append(write_per(files, SECOND, [("01", dni(2), "604", "1", "1", "01/06/2022", "", "", "")]))
    with SqlUnitOfWork(url) as uow:
        summary = import_files(paths, uow=uow, today=dt.date(2025, 8, 20))
        assert summary.rejected == 0, summary.issues[:3]
        ids = worker_ids_by_document(uow.session, [("01", dni(1)), ("01", dni(2))])
        register_all_workers(uow.session)
        fund(uow)                      # the fund pays only the cash it has (issue 25)
        uow.commit()
    return str(ids[("01", dni(1))]), str(ids[("01", dni(2))])


def test_new_job_imported_before_the_decision_cuts_the_award(migrated_url: str, tmp_path: Path) -> None:
    worker, kept = _seed(migrated_url, tmp_path / "files")
    with SqlUnitOfWork(migrated_url) as uow:
        svc = claims_context(uow).service
        c = svc.file_and_decide(worker, dt.date(2025, 3, 20), actor="cw")
        k = svc.file_and_decide(kept, dt.date(2025, 3, 20), actor="cw")
        uow.commit()
    # Hand arithmetic (issue 26 items 2 and 3, arts. 5 y 6): separation 10/03/2025, 7 days of waiting
    # → benefit month 1 from 18/03/2025. Months 1–3 (18/03–17/06/2025, booked 04, 05, 06/2025) end
    # before the new job of 14/07/2025: 70/65/60 % of ≈ S/ 3,000 in full (2,100.13; 1,950.12;
    # 1,800.11). Month 4 (18/06–17/07/2025, 30 days, booked 07/2025) contains it: 26 days out of
    # work (18/06..13/07), 1,650.10 × 26 / 30 = 1,430.0867 → 1,430.09. Month 5 starts after it.
    # (Was 3 installments, 04–06/2025: the calendar-month reading dropped the 26 days.)
    assert c.state is ClaimState.APPROVED and c.decision is not None
    assert [b.amount for b in c.decision.benefits] == [210013, 195012, 180011, 143009]
    assert c.reemployment_date == dt.date(2025, 7, 14)
    reemp = next(r for r in c.decision.reasons if r["requirement"] == "reemployment")
    assert reemp["met"] and "14/07/2025" in reemp["detail"] and "26 de 30 días" in reemp["detail"]
    assert k.state is ClaimState.DENIED and k.decision is not None
    assert [r["requirement"] for r in k.decision.reasons if not r["met"]] == ["unemployment"]
    for month in ("2025-04", "2025-05", "2025-06", "2025-07", "2025-08", "2025-09"):
        with SqlUnitOfWork(migrated_url) as uow:
            p = parse_period(month)
            claims_context(uow).service.run_payments(p, dt.date(int(month[:4]), int(month[5:]), 25), actor="run")
            uow.commit()
    with SqlUnitOfWork(migrated_url) as uow:
        ctx = claims_context(uow)
        paid = ctx.payments.payments(c.id)
        assert [(p.number, format_period(p.period), p.amount) for p in paid] == [
            (1, "2025-04", 210013), (2, "2025-05", 195012), (3, "2025-06", 180011), (4, "2025-07", 143009)]
        assert sum(p.amount for p in paid) == c.decision.total
        assert ctx.payments.payments(k.id) == []
        assert ctx.claims.get(c.id).state is ClaimState.CLOSED
        assert verify_audit(uow).ok


def test_former_employer_pay_is_not_a_month_of_contribution(migrated_url: str, tmp_path: Path) -> None:
    """Six months at A (05–10/2023), A's period ends 31/10/2023 and A declares the truncas in
    11/2023; five months at B (11/2024–03/2025), separated 10/03/2025. Months of contribution in the
    24 months 04/2023–03/2025 (art. 7): 6 + 5 = 11, not 12 — the truncas month is no job, so the
    claim is denied on contributions (before the fix it was counted, lifted to the RMV: 12, approved)."""
    files = tmp_path / "files"
    files.mkdir()
    with SqlUnitOfWork(migrated_url) as uow:
        register_employer(uow, OLD, "Textiles Andinos SAC", size_class="large", region="Lima")
        register_employer(uow, NEW, "Logística Norte SAC", size_class="large", region="Lima")
        uow.commit()
    paths = [write_rem(files, OLD, m, [("01", dni(3), "0121", f"2800.{i:02d}", f"2800.{i:02d}")])
             for i, m in enumerate(["2023-05", "2023-06", "2023-07", "2023-08", "2023-09", "2023-10"])]
    paths.append(write_rem(files, OLD, "2023-11", [("01", dni(3), "0114", "300.00", "300.00")]))
    paths += [write_rem(files, NEW, m, [("01", dni(3), "0121", f"2900.{i:02d}", f"2900.{i:02d}")])
              for i, m in enumerate(["2024-11", "2024-12", "2025-01", "2025-02", "2025-03"])]
    paths.append(write_per(files, OLD, [("01", dni(3), "604", "1", "1", "01/05/2023", "31/10/2023", "07", "")]))
    paths.append(write_per(files, NEW, [("01", dni(3), "604", "1", "1", "01/11/2024", "10/03/2025", "03", "")]))
    with SqlUnitOfWork(migrated_url) as uow:
        summary = import_files(paths, uow=uow, today=dt.date(2025, 8, 20))
        assert summary.rejected == 0, summary.issues[:3]
        ref = str(worker_ids_by_document(uow.session, [("01", dni(3))])[("01", dni(3))])
        register_all_workers(uow.session)
        uow.commit()
    with SqlUnitOfWork(migrated_url) as uow:
        c = claims_context(uow).service.file_and_decide(ref, dt.date(2025, 3, 20), actor="cw")
        uow.commit()
    assert c.decision is not None and c.decision.contributions_in_window == 11
    assert c.state is ClaimState.DENIED
    assert [r["requirement"] for r in c.decision.reasons if not r["met"]] == ["contributions"]
