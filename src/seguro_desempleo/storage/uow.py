"""The unit of work: one database transaction, with the repositories that work inside it.

Services are the only code that opens one::

    with SqlUnitOfWork(engine) as uow:
        uow.employers.add(employer)
        ledger.post(uow, "contribution.declared", lines=[...])
        uow.commit()

Leaving the block without :meth:`commit` rolls everything back, including on an exception or a
signal, so a killed import leaves the database exactly as before it.
"""

from __future__ import annotations

from types import TracebackType
from typing import Any

from sqlalchemy import Connection, Engine, event
from sqlalchemy.orm import Session

from seguro_desempleo.storage.db import shared_engine
from seguro_desempleo.storage.repositories import (
    ContributionRepository,
    DeclarationRepository,
    EmployerRepository,
    EmploymentPeriodRepository,
    LedgerRepository,
    PaymentRepository,
    WorkerRepository,
)


class SqlUnitOfWork:
    session: Session
    employers: EmployerRepository
    workers: WorkerRepository
    periods: EmploymentPeriodRepository
    declarations: DeclarationRepository
    contributions: ContributionRepository
    payments: PaymentRepository
    ledger: LedgerRepository

    def __init__(self, engine: Engine | str | None = None) -> None:
        self.engine = engine if isinstance(engine, Engine) else shared_engine(_resolve(engine))
        self._committed = False

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def __enter__(self) -> SqlUnitOfWork:
        self.session = Session(self.engine, expire_on_commit=False)
        self.employers = EmployerRepository(self.session)
        self.workers = WorkerRepository(self.session)
        self.periods = EmploymentPeriodRepository(self.session)
        self.declarations = DeclarationRepository(self.session)
        self.contributions = ContributionRepository(self.session)
        self.payments = PaymentRepository(self.session)
        self.ledger = LedgerRepository(self.session)
        self._committed = False
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        try:
            if not self._committed:
                self.session.rollback()
        finally:
            self.session.close()

    def connection(self) -> Connection:
        """The connection of this transaction (for bulk Core statements and COPY)."""
        return self.session.connection()

    def flush(self) -> None:
        self.session.flush()

    def commit(self) -> None:
        self.session.commit()
        self._committed = True

    def rollback(self) -> None:
        self.session.rollback()


_DRIVER = "seguro_driver_connection"


def driver_connection(session: Session) -> Any:
    """The DB-API connection (psycopg or sqlite3) of *session*'s current transaction, looked up
    through SQLAlchemy once per transaction: the claims' hot statements run on it directly, and
    ``session.connection()`` costs 10–60 µs a call."""
    raw = session.info.get(_DRIVER)
    if raw is None:
        raw = session.info[_DRIVER] = session.connection().connection.driver_connection
    return raw


@event.listens_for(Session, "after_transaction_end")
def _forget_driver_connection(session: Session, transaction: Any) -> None:
    # The next transaction may check out another connection from the pool.
    if transaction.parent is None:
        session.info.pop(_DRIVER, None)


def _resolve(url: str | None) -> str:
    from seguro_desempleo.storage.db import resolve_url

    return resolve_url(url)
