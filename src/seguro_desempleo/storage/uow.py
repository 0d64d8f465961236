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
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Engine, event
from sqlalchemy.orm import Session

from seguro_desempleo.storage.db import shared_engine, writer_engine
from seguro_desempleo.storage.money_safety import SqlControlsStore
from seguro_desempleo.storage.repositories import (
    ContributionRepository,
    DeclarationRepository,
    EmployerRepository,
    EmploymentPeriodRepository,
    LedgerRepository,
    PaymentRepository,
    WorkerRepository,
)

if TYPE_CHECKING:
    from seguro_desempleo.storage.acts_repository import SqlActStore
    from seguro_desempleo.storage.books_sql import SqlBooksStore
    from seguro_desempleo.storage.claims_repositories import SqlAuditSink, SqlRegistrationStore
    from seguro_desempleo.storage.claims_wiring import ClaimStores
    from seguro_desempleo.storage.employer_months import SqlEmployerMonths
    from seguro_desempleo.storage.employer_sizes import SqlEmployerSizes
    from seguro_desempleo.storage.governance_repository import SqlGovernanceRepository
    from seguro_desempleo.storage.payment_run_sql import SqlPaymentRunStore
    from seguro_desempleo.storage.read_models import SqlReadModels
    from seguro_desempleo.storage.registry_reads import SqlRegistryReads


class SqlUnitOfWork:
    session: Session
    employers: EmployerRepository
    workers: WorkerRepository
    periods: EmploymentPeriodRepository
    declarations: DeclarationRepository
    contributions: ContributionRepository
    payments: PaymentRepository
    ledger: LedgerRepository
    controls: SqlControlsStore

    def __init__(self, engine: Engine | str | None = None) -> None:
        self.engine = engine if isinstance(engine, Engine) else shared_engine(_resolve(engine))
        self._committed = False

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def __enter__(self) -> SqlUnitOfWork:
        self.session = Session(writer_engine(self.engine), expire_on_commit=False)
        self.employers = EmployerRepository(self.session)
        self.workers = WorkerRepository(self.session)
        self.periods = EmploymentPeriodRepository(self.session)
        self.declarations = DeclarationRepository(self.session)
        self.contributions = ContributionRepository(self.session)
        self.payments = PaymentRepository(self.session)
        self.ledger = LedgerRepository(self.session)
        self.controls = SqlControlsStore(self.session)
        self._committed = False
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        try:
            if not self._committed:
                self.session.rollback()
        finally:
            self.session.close()

    @property
    def accounts(self) -> Any:
        """The accounts store inside this transaction (storage/accounts_repository.py)."""
        from seguro_desempleo.storage.accounts_repository import SqlAccountStore

        return SqlAccountStore(self.session)

    def connection(self) -> Connection:
        """The connection of this transaction (for bulk Core statements and COPY)."""
        return self.session.connection()

    def flush(self) -> None:
        self.session.flush()

    def commit(self) -> None:
        self.session.commit()
        self._committed = True

    async def commit_async(self) -> None:
        """:meth:`commit` with the wait for PostgreSQL's durable commit given back to the event
        loop (:func:`psycopg.waiting.wait_async`).

        For a server that runs a request's database work on its event-loop thread: the
        statements before the commit take a fraction of a millisecond each, but the commit waits
        for the WAL flush (1–5 ms here, more when the disk is busy); awaiting it lets the loop
        start the next request meanwhile. The pre-commit work (flush, the ``before_commit``
        listeners: the audit outbox's insert) runs first, then ``COMMIT`` is sent and its answer
        awaited; SQLAlchemy's own commit then finds the connection idle (psycopg skips an idle
        commit) and only does its bookkeeping and ``after_commit`` listeners. A failure at
        ``COMMIT`` writes nothing and is raised as SQLAlchemy's error. SQLite: :meth:`commit`.

        It costs CPU (the loop's reader, more transactions open at once): the API uses it only
        when told to (``SEGURO_API_AWAIT_COMMIT=1``, docs/api.md).
        """
        raw: Any = driver_connection(self.session) if (self.dialect == "postgresql"
                                                       and self.session.in_transaction()) else None
        if raw is None or getattr(raw, "pgconn", None) is None:
            self.commit()
            return
        import psycopg
        from psycopg import generators, pq
        from psycopg.errors import error_from_result
        from psycopg.waiting import wait_async
        from sqlalchemy.exc import DBAPIError

        self.session.flush()
        self.session.dispatch.before_commit(self.session)
        try:
            with raw.lock:
                pgconn = raw.pgconn
                pgconn.send_query(b"COMMIT")
                results = await wait_async(generators.execute(pgconn), pgconn.socket)
            for res in results:
                if res.status == pq.ExecStatus.FATAL_ERROR:
                    raise error_from_result(res, encoding=raw.info.encoding)
        except psycopg.Error as exc:
            # As SQLAlchemy would raise it (IntegrityError, OperationalError, …): the transaction
            # is over, nothing was written; leaving the block rolls the session back.
            raise DBAPIError.instance("COMMIT", None, exc, psycopg.Error, dialect=self.engine.dialect) from exc
        self.commit()

    def rollback(self) -> None:
        self.session.rollback()

    @property
    def governance(self) -> SqlGovernanceRepository:
        """The fund's governance records (issue 28) in this transaction, built on first use."""
        from seguro_desempleo.storage.governance_repository import SqlGovernanceRepository

        repo: SqlGovernanceRepository | None = self.__dict__.get("_governance")
        if repo is None or repo.session is not self.session:
            repo = self._governance = SqlGovernanceRepository(self.session)
        return repo

    @property
    def acts(self) -> SqlActStore:
        """The issued acts (``claims.acts.ActStore``) in this transaction (decision 0397)."""
        from seguro_desempleo.storage.acts_repository import SqlActStore

        return SqlActStore(self.session)

    @property
    def books(self) -> SqlBooksStore:
        """The books verifier's and the bank file's reads (``claims.ports.BooksStore``) in this
        transaction (decision 0397)."""
        from seguro_desempleo.storage.books_sql import SqlBooksStore

        return SqlBooksStore(self.session)

    @property
    def reads(self) -> SqlReadModels:
        """The pages' and the API's aggregate reads (``storage/read_models.py``) in this
        transaction, built on use (issue 24: the web's SQL moved here)."""
        from seguro_desempleo.storage.read_models import SqlReadModels

        return SqlReadModels(self.session)

    @property
    def employer_sizes(self) -> SqlEmployerSizes:
        """The employer-size port (``storage.employer_sizes.SqlEmployerSizes``) in this transaction:
        the dated history, the review queue and what re-liquidation reads (issue 24), and the
        recording, review and re-liquidated dues the service ``services.employer_size`` writes
        (issue 26: a size confirmed with an earlier date)."""
        from seguro_desempleo.storage.employer_sizes import SqlEmployerSizes

        return SqlEmployerSizes(self.session)

    @property
    def payment_run(self) -> SqlPaymentRunStore:
        """The set-based payment run's reads and state update (``storage/payment_run_sql.py``) in
        this transaction (issue 24: its SQL moved out of the service)."""
        from seguro_desempleo.storage.payment_run_sql import SqlPaymentRunStore

        return SqlPaymentRunStore(self.session, self.dialect)

    def claim_stores(self, *, registered: Any = None, params: Any = None) -> ClaimStores:
        """The claims service's SQL stores in this transaction (``storage/claims_wiring.py``)."""
        from seguro_desempleo.storage.claims_wiring import claim_stores

        return claim_stores(self, registered=registered, params=params)

    @property
    def registrations(self) -> SqlRegistrationStore:
        """The workers' registrations with the employment service (art. 7) in this transaction."""
        from seguro_desempleo.storage.claims_repositories import SqlRegistrationStore

        return SqlRegistrationStore(self.session)

    @property
    def employer_months(self) -> SqlEmployerMonths:
        """The employer payments' reads (``storage/employer_months.py``) in this transaction
        (issue 24: the SQL of ``services/employer_payments.py`` moved here)."""
        from seguro_desempleo.storage.employer_months import SqlEmployerMonths

        return SqlEmployerMonths(self.session)

    @property
    def registry_reads(self) -> SqlRegistryReads:
        """The registry service's reads (``storage/registry_reads.py``) in this transaction."""
        from seguro_desempleo.storage.registry_reads import SqlRegistryReads

        return SqlRegistryReads(self.session)

    @property
    def audit(self) -> SqlAuditSink:
        """The hash-chained audit log in this transaction (``SqlAuditSink``), for the entry points
        that write an audit record outside a claims context (issue 24)."""
        from seguro_desempleo.storage.claims_repositories import SqlAuditSink

        sink: SqlAuditSink | None = self.__dict__.get("_audit")
        if sink is None or sink.session is not self.session:   # one sink per transaction's session
            sink = self._audit = SqlAuditSink(self.session)
        return sink


    @property
    def payroll_sink(self) -> Any:
        """The payroll import's writes and reads (``storage/payroll_sink.py``: ``SqlPayrollSink``)
        on this transaction's connection (issue 24, decision 0803)."""
        from seguro_desempleo.storage.payroll_sink import SqlPayrollSink

        return SqlPayrollSink(self.connection())

    @property
    def payroll_conflicts(self) -> Any:
        """The context that turns a concurrent import's refusal by the driver into one
        ``ConflictError`` (``storage.payroll_sink.conflicts``); usable before the block opens."""
        from seguro_desempleo.storage.payroll_sink import conflicts

        return conflicts


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
