"""A small database for the web tests, built the way production builds it: ``db init`` (the
Alembic migrations), the employer registry, PLAME ``.rem`` and T-Registro ``.per`` files through
the real import service, employer payments, and claims through the claims service.

Population (service date 20/08/2025):

- two employers: ``RUC_A`` (large, Lima) and ``RUC_B`` (medium, Arequipa);
- twelve workers paid every month Jan 2024 – Jun 2025 (``RUC_B`` has four of them, one of whom
  also works for ``RUC_A``); ``RUC_A`` paid every month up to Apr 2025, so May and Jun are arrears;
- worker ``dni(1)`` (``W_FILED``): dismissed 30/06/2025, claim filed, not yet decided;
- worker ``dni(2)`` (``W_DENIED``): resigned 31/05/2025, claim denied on 12/08/2025 (may appeal);
- worker ``dni(3)`` (``W_PAYING``): dismissed 31/03/2025, approved 15/04/2025, paid May–Jul;
- worker ``dni(7)``: laid off in a collective dismissal 30/06/2025, no claim yet.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from seguro_desempleo.bootstrap import import_files
from seguro_desempleo.periods import format_period, parse_period
from seguro_desempleo.services.claims_app import claims_context
from seguro_desempleo.services.employer_payments import record_payment
from seguro_desempleo.services.registry import register_employer, register_worker
from seguro_desempleo.storage import db
from seguro_desempleo.storage.history import worker_ids_by_document
from seguro_desempleo.storage.uow import SqlUnitOfWork
from tests.claims.funding import fund
from tests.claims.registration_helpers import register_all_workers
from tests.payroll.helpers import dni, make_ruc, write_per, write_rem

TODAY = dt.date(2025, 8, 20)
RUC_A = make_ruc(501)
RUC_B = make_ruc(502)
MONTHS = [format_period(p) for p in range(parse_period("2024-01"), parse_period("2025-06") + 1)]
REGIONS = ("Lima", "Lima", "Cusco", "Piura", "Lima", "Arequipa", "Lima", "Cusco", "Lima", "Piura", "Arequipa",
           "Arequipa")


@dataclass(frozen=True)
class Seeded:
    url: str
    workers: dict[int, int]          # n → worker id
    claim_filed: str
    claim_denied: str
    claim_paying: str


def last_month(n: int) -> str:
    return {1: "2025-06", 2: "2025-05", 3: "2025-03"}.get(n, "2025-06")


def seed(tmp: Path, url: str | None = None) -> Seeded:
    """Seed a new SQLite file in *tmp*, or the empty database *url* (PostgreSQL in one test)."""
    url = url or f"sqlite:///{tmp / 'web.sqlite3'}"
    db.init(url)
    files = tmp / "files"
    files.mkdir()
    with SqlUnitOfWork(url) as uow:
        register_employer(uow, RUC_A, "Textiles Andinos SAC", size_class="large", region="Lima")
        register_employer(uow, RUC_B, "Agroexport del Sur SAC", size_class="medium", region="Arequipa")
        uow.commit()
    paths = []
    for i, month in enumerate(MONTHS):
        # Pay varies by a few céntimos each month: the import recognises a re-sent file by its
        # content hash alone, so two identical months would be taken as one file sent twice.
        lines_a = [("01", dni(n), "0121", f"{2500 + 100 * n}.{i:02d}", f"{2500 + 100 * n}.{i:02d}")
                   for n in range(1, 10) if month <= last_month(n)]
        lines_b = [("01", dni(n), "0121", f"1800.{i:02d}", f"1800.{i:02d}") for n in (4, 10, 11, 12)]
        paths.append(write_rem(files, RUC_A, month, lines_a))
        paths.append(write_rem(files, RUC_B, month, lines_b))
    paths.append(write_per(files, RUC_A, [
        ("01", dni(1), "604", "1", "1", "01/02/2020", "30/06/2025", "03", ""),
        ("01", dni(2), "604", "1", "1", "01/02/2020", "31/05/2025", "01", ""),
        ("01", dni(3), "604", "1", "1", "01/02/2020", "31/03/2025", "03", ""),
        ("01", dni(7), "604", "1", "1", "01/02/2021", "30/06/2025", "04", ""),
    ]))
    with SqlUnitOfWork(url) as uow:
        summary = import_files(paths, uow=uow, today=TODAY)
        assert summary.rejected == 0, summary.issues[:3]
        for n in range(1, 13):
            register_worker(uow, "01", dni(n), sex="F" if n % 2 else "M",
                            birth_date=dt.date(1970 + 3 * n, 1 + n % 12, 10), region=REGIONS[n - 1])
        for month in MONTHS:
            p = parse_period(month)
            for ruc in (RUC_A, RUC_B):
                if ruc == RUC_A and month > "2025-04":
                    continue
                employer = uow.employers.by_ruc(ruc)
                assert employer is not None and employer.id is not None
                decl = uow.declarations.active(employer.id, p)
                assert decl is not None
                due = dt.date(p // 12 + (p % 12 + 1) // 12, (p % 12 + 1) % 12 + 1, 10)
                record_payment(uow, ruc, p, decl.total_due, due, reference=f"{ruc}-{month}")
        workers = worker_ids_by_document(uow.session, [("01", dni(n)) for n in range(1, 13)])
        register_all_workers(uow.session)               # art. 7: all registered with the service
        uow.commit()
    ids = {n: workers[("01", dni(n))] for n in range(1, 13)}

    def at(day: dt.date) -> dt.datetime:
        return dt.datetime(day.year, day.month, day.day, 10, tzinfo=dt.UTC)

    # The audit names accounts, not roles (issue 27, decision 0440): the test accounts of
    # tests/signin.py, created here, act; the payment runs are a system job.
    from seguro_desempleo.bootstrap import accounts_for
    from seguro_desempleo.domain.access import system_actor
    from tests import signin

    accounts = accounts_for(url)
    caseworker = f"user:{signin.ensure_account(accounts, 'caseworker')}/caseworker"

    actors = {n: f"user:{signin.ensure_account(accounts, 'worker', str(ids[n]))}/worker:{ids[n]}" for n in (1, 2, 3)}

    def worker(n: int) -> str:
        return actors[n]

    with SqlUnitOfWork(url) as uow:
        svc = claims_context(uow, clock=lambda: at(TODAY)).service
        fund(uow, 10_000_000)                   # issue 25: runs pay only what the fund holds (S/ 100,000)
        paying = svc.file_claim(str(ids[3]), dt.date(2025, 4, 8), actor=worker(3))
        svc.decide(paying.id, dt.date(2025, 4, 15), actor=caseworker)
        for month, day in (("2025-05", dt.date(2025, 5, 25)), ("2025-06", dt.date(2025, 6, 25)),
                           ("2025-07", dt.date(2025, 7, 25))):
            svc.run_payments(parse_period(month), day, actor=system_actor("payment-run"))
        denied = svc.file_claim(str(ids[2]), dt.date(2025, 6, 10), actor=worker(2))
        svc.decide(denied.id, dt.date(2025, 8, 12), actor=caseworker)
        # Issue 26 item 9: the notification is recorded, not assumed; here the same day.
        svc.record_notification(svc.acts_for(denied.id)[-1].number, dt.date(2025, 8, 12), actor=caseworker)
        filed = svc.file_claim(str(ids[1]), dt.date(2025, 7, 20), actor=worker(1))
        uow.commit()
    return Seeded(url, ids, filed.id, denied.id, paying.id)


def seeded_app(seeded: Seeded, secret: str) -> Any:
    """The application on the seeded database, its web pages dated TODAY."""
    from seguro_desempleo.api.app import create_app

    app = create_app(db_url=seeded.url, secret=secret)
    app.state.web_today = TODAY
    return app
