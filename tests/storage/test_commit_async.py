"""SqlUnitOfWork.commit_async: the commit's wait handed to the event loop (PostgreSQL), the plain
commit on SQLite; a failure at COMMIT is SQLAlchemy's error and leaves nothing written."""

from __future__ import annotations

import asyncio

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from seguro_desempleo.storage.claims_repositories import SqlAuditSink
from seguro_desempleo.storage.db import make_engine
from seguro_desempleo.storage.uow import SqlUnitOfWork


def _count(engine: sa.Engine, table: str) -> int:
    with engine.connect() as c:
        return int(c.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar_one())


def test_commit_async_writes_the_change_and_the_audit(migrated_url: str) -> None:
    engine = make_engine(migrated_url)
    before = _count(engine, "audit_log")

    async def file_one() -> None:
        with SqlUnitOfWork(engine) as uow:
            uow.session.execute(sa.text(
                "INSERT INTO employer (ruc, name, size_class, size_source, sector) "
                "VALUES ('20100070970', 'ASYNC SAC', 'large', 'declared', 'private')"))
            import datetime as dt

            SqlAuditSink(uow.session).append(who="test", when=dt.datetime.now(dt.UTC), action="employer.add",
                                             entity="employer:20100070970", before=None, after={"ok": True})
            await uow.commit_async()
    asyncio.run(file_one())
    assert _count(engine, "employer") == 1
    # the audit record reached the chain (after_commit ran: the outbox was drained)
    assert _count(engine, "audit_log") == before + 1
    engine.dispose()


async def _commit(uow: SqlUnitOfWork, mode: str) -> None:
    if mode == "async":
        await uow.commit_async()
    else:
        uow.commit()


@pytest.mark.parametrize("mode", ["plain", "async"])
def test_a_failed_commit_is_an_integrity_error_and_writes_nothing(pg_url: str, mode: str) -> None:
    engine = make_engine(pg_url)
    with engine.begin() as c:
        c.execute(sa.text("CREATE TABLE t_deferred (id int PRIMARY KEY, "
                          "ref int REFERENCES t_deferred(id) DEFERRABLE INITIALLY DEFERRED)"))

    async def bad() -> None:
        with SqlUnitOfWork(engine) as uow:
            uow.session.execute(sa.text("INSERT INTO t_deferred VALUES (1, 99)"))   # checked at COMMIT
            await _commit(uow, mode)
    with pytest.raises(IntegrityError):
        asyncio.run(bad())
    assert _count(engine, "t_deferred") == 0

    async def good() -> None:         # the pooled connection is usable again
        with SqlUnitOfWork(engine) as uow:
            uow.session.execute(sa.text("INSERT INTO t_deferred VALUES (1, 1)"))
            await _commit(uow, mode)
    asyncio.run(good())
    assert _count(engine, "t_deferred") == 1
    engine.dispose()


def test_the_loop_runs_other_work_while_postgresql_commits(migrated_url: str) -> None:
    engine = make_engine(migrated_url)
    ran: list[str] = []

    async def main() -> None:
        async def other() -> None:
            ran.append("other request")
        with SqlUnitOfWork(engine) as uow:
            uow.session.execute(sa.text(
                "INSERT INTO employer (ruc, name, size_class, size_source, sector) "
                "VALUES ('20100070970', 'ASYNC SAC', 'large', 'declared', 'private')"))
            task = asyncio.create_task(other())
            await uow.commit_async()
            seen = list(ran)
        await task
        # PostgreSQL: the commit's wait yielded to the loop; SQLite commits without yielding.
        assert seen == (["other request"] if engine.dialect.name == "postgresql" else [])
    asyncio.run(main())
    assert _count(engine, "employer") == 1
    engine.dispose()


def _append(uow: SqlUnitOfWork, who: str = "test") -> None:
    import datetime as dt

    SqlAuditSink(uow.session).append(who=who, when=dt.datetime.now(dt.UTC), action="test.write",
                                     entity="t:1", before=None, after={"ok": True})


@pytest.mark.parametrize("mode", ["plain", "async"])
def test_the_outbox_insert_goes_with_the_commit_and_fails_with_it(pg_url: str, mode: str) -> None:
    """The audit outbox's insert goes just before COMMIT: when COMMIT fails (a deferred check) or
    the insert itself fails (an actor name too long for its column), the caller gets an error and
    neither the change nor its audit record is written."""
    from sqlalchemy.exc import DataError

    from seguro_desempleo.storage.db import upgrade

    upgrade(pg_url)
    engine = make_engine(pg_url)
    with engine.begin() as c:
        c.execute(sa.text("CREATE TABLE t_deferred (id int PRIMARY KEY, "
                          "ref int REFERENCES t_deferred(id) DEFERRABLE INITIALLY DEFERRED)"))
    log0, box0 = _count(engine, "audit_log"), _count(engine, "audit_outbox")

    async def write(ref: int, who: str) -> None:
        with SqlUnitOfWork(engine) as uow:
            uow.session.execute(sa.text("INSERT INTO t_deferred VALUES (1, :r)"), {"r": ref})
            _append(uow, who)
            await _commit(uow, mode)
    with pytest.raises(IntegrityError):
        asyncio.run(write(99, "test"))
    import psycopg

    # (the insert runs on the driver cursor before COMMIT: psycopg's own error class)
    with pytest.raises((DataError, psycopg.errors.DataError)):
        asyncio.run(write(1, "x" * 200))
    assert (_count(engine, "t_deferred"), _count(engine, "audit_log"), _count(engine, "audit_outbox")) == (0, log0, box0)
    asyncio.run(write(1, "test"))
    assert _count(engine, "t_deferred") == 1 and _count(engine, "audit_log") == log0 + 1
    engine.dispose()
