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

from collections.abc import Iterator
from contextlib import contextmanager
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

    async def commit_async(self) -> None:
        """:meth:`commit` with the wait for PostgreSQL's durable commit given back to the event
        loop (:func:`psycopg.waiting.wait_async`), in one round trip.

        For a server that runs a request's database work on its event-loop thread: the
        statements before the commit take a fraction of a millisecond each, but the commit waits
        for the WAL flush (1–5 ms here, more when the disk is busy); awaiting it lets the loop
        start the next request meanwhile. What the ``before_commit`` listeners hand over as SQL
        text in ``session.info[COMMIT_PRELUDE]`` (the audit outbox's insert), after the deferred
        writes (:meth:`defer_writes`), is sent with ``COMMIT`` as one simple query; SQLAlchemy's
        own commit then finds the connection idle (psycopg skips an idle commit) and only does
        its bookkeeping and ``after_commit`` listeners. A statement that fails there aborts the
        transaction and ``COMMIT`` is not run: nothing is written, and SQLAlchemy's error is
        raised. SQLite: the plain :meth:`commit`.

        It costs CPU — the loop's reader, more transactions open at once, and PostgreSQL plans
        the literal statements each time (0.3–0.5 ms per filing + decision, measured): the API
        uses it only when told to (``SEGURO_API_AWAIT_COMMIT=1``, docs/api.md).
        """
        prepared = self._commit_query()
        if prepared is None:
            self.commit()
            return
        raw, query = prepared
        from psycopg import generators
        from psycopg.waiting import wait_async

        with _as_sqlalchemy_error(self):
            with raw.lock:
                pgconn = raw.pgconn
                pgconn.send_query(query)
                results = await wait_async(generators.execute(pgconn), pgconn.socket)
            _raise_failed(raw, results)
        self.commit()

    def defer_writes(self) -> None:
        """Let repositories leave writes whose result nobody reads in this transaction (SQL text
        with literal values, ``session.info[DEFERRED_WRITES]``) to be sent with the commit: in
        the same round trip by :meth:`commit_async`, just before ``COMMIT`` otherwise. For
        a unit of work that reads nothing back after such a write (the API's decision)."""
        self.session.info[DEFERRED_WRITES] = []

    def _commit_query(self) -> tuple[Any, bytes] | None:
        """Run the pre-commit work (flush, ``before_commit`` listeners) and return the driver
        connection with the one-round-trip query (deferred writes, prelude, ``COMMIT``); ``None`` off
        PostgreSQL."""
        raw: Any = driver_connection(self.session) if (self.dialect == "postgresql"
                                                       and self.session.in_transaction()) else None
        if raw is None or getattr(raw, "pgconn", None) is None:
            return None
        self.session.flush()
        prelude: list[str] = self.session.info.pop(DEFERRED_WRITES, None) or []
        self.session.info[COMMIT_PRELUDE] = prelude
        try:
            self.session.dispatch.before_commit(self.session)
        finally:
            self.session.info.pop(COMMIT_PRELUDE, None)
        return raw, "; ".join([*prelude, "COMMIT"]).encode(raw.info.encoding)

    def rollback(self) -> None:
        self.session.rollback()


_DRIVER = "seguro_driver_connection"
COMMIT_PRELUDE = "seguro_commit_prelude"
"""``session.info`` key: during :meth:`SqlUnitOfWork.commit_async`, a list where ``before_commit`` listeners may leave SQL text (literal values, no parameters) to run
just before ``COMMIT``, in the same round trip."""
DEFERRED_WRITES = "seguro_deferred_writes"
"""``session.info`` key, present only when the unit of work allows it
(:meth:`SqlUnitOfWork.defer_writes`): a list of writes, as SQL text with literal values, to send
with the commit."""


@event.listens_for(Session, "before_commit")
def _send_deferred_writes(session: Session) -> None:
    # A plain commit sends them itself, first of the pre-commit work.
    for statement in session.info.pop(DEFERRED_WRITES, None) or []:
        driver_connection(session).execute(statement)


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
        session.info.pop(DEFERRED_WRITES, None)     # a rollback drops them; a commit has sent them


def _raise_failed(raw: Any, results: list[Any]) -> None:
    from psycopg import pq
    from psycopg.errors import error_from_result

    for res in results:
        if res.status == pq.ExecStatus.FATAL_ERROR:
            raise error_from_result(res, encoding=raw.info.encoding)


@contextmanager
def _as_sqlalchemy_error(uow: SqlUnitOfWork) -> Iterator[None]:
    """A driver error at the awaited commit as SQLAlchemy would raise it (IntegrityError,
    OperationalError, …): the transaction is over or aborted, nothing was written; leaving the
    unit of work rolls the session back."""
    import psycopg
    from sqlalchemy.exc import DBAPIError

    try:
        yield
    except psycopg.Error as exc:
        raise DBAPIError.instance("COMMIT", None, exc, psycopg.Error, dialect=uow.engine.dialect) from exc


def _resolve(url: str | None) -> str:
    from seguro_desempleo.storage.db import resolve_url

    return resolve_url(url)
