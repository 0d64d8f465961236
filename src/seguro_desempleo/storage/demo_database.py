"""The demo's database administration (``seguro_desempleo.demo``): a fresh database for a run, and
the record of the last date a demo simulated, read back for ``serve`` (issue 24, decision 0805:
moved from ``services/demo.py``, the same statements; the demo reaches them through
``bootstrap``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import inspect, text

from seguro_desempleo.errors import ConflictError
from seguro_desempleo.storage.db import make_engine, resolve_url, shared_engine, upgrade


def prepare(db: str | None, mark: str) -> str:
    """A fresh database for the demo (its URL); refuses to overwrite one whose audit log does not
    start with *mark* (one the demo did not create)."""
    url = resolve_url(db)
    engine = make_engine(url)
    try:
        tables = set(inspect(engine).get_table_names())
        created_by_demo = False
        if "audit_log" in tables:
            with engine.connect() as conn:
                first = conn.execute(text("SELECT action FROM audit_log ORDER BY seq LIMIT 1")).scalar()
            created_by_demo = first == mark
        if tables - {"alembic_version"} and not created_by_demo:
            raise ConflictError("the database already holds data the demo did not create; give a new file or "
                                "an empty database with --db", field="--db")
    finally:
        engine.dispose()
    if tables:
        if engine.dialect.name != "sqlite":
            raise ConflictError("an earlier demo database on PostgreSQL: drop and recreate it first", field="--db")
        shared_engine.cache_clear()
        path = Path(url.split("sqlite:///", 1)[1])
        for suffix in ("", "-wal", "-shm"):
            Path(str(path) + suffix).unlink(missing_ok=True)
    upgrade(url)
    return url


def last_record_after(db: str | None, mark: str, action: str) -> Any:
    """The ``after`` of the last *action* record of a database whose audit log starts with *mark*
    (as the driver returns it: JSON text or a dict); ``None`` for a database without it, one that
    does not exist (a SQLite file is never created just to look), or one that cannot be read."""
    try:
        url = resolve_url(db)
    except Exception:                                   # an unsupported URL: serve reports it itself
        return None
    if url.startswith("sqlite:///"):
        path = url.split("sqlite:///", 1)[1]
        if not path or path == ":memory:" or not Path(path).is_file():
            return None                                 # never create a file just to look
    engine = make_engine(url)
    try:
        if "audit_log" not in set(inspect(engine).get_table_names()):
            return None
        with engine.connect() as conn:
            first = conn.execute(text("SELECT action FROM audit_log ORDER BY seq LIMIT 1")).scalar()
            if first != mark:
                return None
            return conn.execute(text("SELECT after FROM audit_log WHERE action = :a ORDER BY seq DESC LIMIT 1"),
                                {"a": action}).scalar()
    except Exception:                                   # an unreachable or odd database: no pinned date
        return None
    finally:
        engine.dispose()


class SqlDemoDatabase:
    """The demo's port on the SQL database (``services.demo.DemoDatabase``), built by
    ``bootstrap.demo_database``."""

    def prepare(self, db: str | None, mark: str) -> str:
        return prepare(db, mark)

    def unit_of_work(self, url: str) -> Any:
        from seguro_desempleo.storage.uow import SqlUnitOfWork

        return SqlUnitOfWork(url)

    def safe_url(self, url: str) -> str:
        from seguro_desempleo.storage.db import _safe

        return _safe(url)

    def last_record_after(self, db: str | None, mark: str, action: str) -> Any:
        return last_record_after(db, mark, action)
