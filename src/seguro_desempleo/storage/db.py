"""Database URLs, engines and migrations.

The URL comes from ``--db``, else ``SEGURO_DB_URL``, else the SQLite file
``./seguro_desempleo.sqlite3``. A bare path is taken as a SQLite file; ``postgresql://`` URLs use
psycopg 3. The schema is created and upgraded only by the Alembic migrations packaged in
``storage/migrations`` (``seguro-desempleo db init|upgrade``).
"""

from __future__ import annotations

import os
import weakref
from functools import cache
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, inspect

from seguro_desempleo.errors import ConflictError, InputError

DEFAULT_SQLITE_FILE = "seguro_desempleo.sqlite3"
ENV_VAR = "SEGURO_DB_URL"
MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def resolve_url(db: str | None = None) -> str:
    """``--db`` value, else ``$SEGURO_DB_URL``, else ``sqlite:///./seguro_desempleo.sqlite3``."""
    raw = db or os.environ.get(ENV_VAR) or DEFAULT_SQLITE_FILE
    if "://" not in raw:
        return f"sqlite:///{raw}"
    if raw.startswith("postgresql://") or raw.startswith("postgres://"):
        return "postgresql+psycopg://" + raw.split("://", 1)[1]
    if raw.startswith(("sqlite:", "postgresql+")):
        return raw
    raise InputError(f"unsupported database URL scheme '{raw.split('://', 1)[0]}' (sqlite or postgresql)",
                     field="--db")


SQLITE_PAGE_SIZE = 16384
"""Bytes per page of a new SQLite database (SQLite's default is 4096). A national month's first
load takes 18.8–20.3 s instead of 21.4–24.4 s with 16 KiB pages (fewer B-tree pages to split,
spill to the WAL and checkpoint at commit); a small committed transaction costs ~0.16 ms more
(a ledger post: 1.81 → 1.97 ms) and history reads and key lookups are unchanged (decision 0108).
Only a new file takes it: an existing database keeps the page size it was created with."""


SQLITE_BUSY_TIMEOUT_MS: int = 30000
assert isinstance(SQLITE_BUSY_TIMEOUT_MS, int)  # it is interpolated into a PRAGMA: a fixed integer only
"""How long a SQLite transaction waits for another writer before giving up (``PRAGMA
busy_timeout``). Write transactions begin IMMEDIATE (:func:`make_engine`), so a second writer
waits here for the first one's commit — two API clients, or a CLI import beside a running
server — instead of failing when its read snapshot turns stale (issue 25)."""

WRITE_OPTION = "seguro_write"
"""Execution option of the connections of a unit of work: on SQLite they begin IMMEDIATE."""

READ_ONLY_OPTION = "seguro_read_only"
"""Execution option of a SQLite connection that only reads while the same process writes on
another one (the payroll import's look-up of known files): it begins DEFERRED, so it reads the
last committed snapshot instead of waiting for its own process's writer."""

PRIVATE_FILE_MODE = 0o600
"""Mode of the database files the system creates (the main file, its -wal and -shm): they hold
personal data (Ley 29733), not for other users of the machine."""


def _private(dbapi_conn: Any) -> None:
    """Database files readable by their owner only (an existing, looser file is tightened once)."""
    for _seq, name, path in dbapi_conn.execute("PRAGMA database_list").fetchall():
        if name != "main" or not path:
            continue
        for p in (path, path + "-wal", path + "-shm"):
            try:
                st = os.stat(p)
                if st.st_mode & 0o077 and st.st_uid == os.getuid():
                    os.chmod(p, PRIVATE_FILE_MODE)
            except OSError:
                pass


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    # Before WAL: a new file's page size is fixed by its first write; on an existing one a no-op.
    cur.execute(f"PRAGMA page_size={SQLITE_PAGE_SIZE}")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")  # an int constant of this module, never a value
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA cache_size=-131072")   # 128 MiB page cache: bulk imports stay in memory
    cur.execute("PRAGMA temp.cache_size=-131072")  # the staging tables of an import
    cur.close()
    _private(dbapi_conn)


def make_engine(url: str | None = None, **kwargs: Any) -> Engine:
    """An engine for *url* (resolved as :func:`resolve_url`); SQLite gets FK checks and WAL."""
    full = resolve_url(url)
    if full.startswith("postgresql"):
        # Enough kept connections for the API's awaited commits (8 per process, api/fastpath.py)
        # plus the request at work and the audit sequencer: a connection beyond the kept ones
        # is closed when returned, and a new PostgreSQL backend costs milliseconds to start.
        kwargs.setdefault("pool_size", 12)
        kwargs.setdefault("max_overflow", 20)
    engine = create_engine(full, **kwargs)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
        # Let SQLAlchemy issue BEGIN itself so one transaction covers a whole import.
        @event.listens_for(engine, "connect")
        def _no_autobegin(dbapi_conn: Any, _record: Any) -> None:
            dbapi_conn.isolation_level = None

        @event.listens_for(engine, "begin")
        def _begin(conn: Any) -> None:
            # A unit of work (storage/uow.py, the services' write path) begins IMMEDIATE: it takes
            # the write lock at BEGIN, waiting up to the busy timeout for another writer. A
            # DEFERRED transaction that reads, then writes after another connection committed,
            # fails at once with SQLITE_BUSY (its snapshot is stale; no timeout helps): 87 of 147
            # concurrent filings did (issue 25). Plain connections (engine.connect(): pages'
            # read queries, migrations, tests) stay DEFERRED WAL readers (decision 0311).
            options = conn.get_execution_options()
            immediate = options.get(WRITE_OPTION) and not options.get(READ_ONLY_OPTION)
            conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")
    return engine


_WRITERS: weakref.WeakKeyDictionary[Engine, Engine] = weakref.WeakKeyDictionary()


def writer_engine(engine: Engine) -> Engine:
    """*engine* as a unit of work binds it: on SQLite, its transactions begin IMMEDIATE
    (:data:`WRITE_OPTION`); the same pool and listeners. Other engines are returned as they are."""
    if engine.dialect.name != "sqlite":
        return engine
    w = _WRITERS.get(engine)
    if w is None:
        w = _WRITERS[engine] = engine.execution_options(**{WRITE_OPTION: True})
    return w


@cache
def shared_engine(url: str) -> Engine:
    """One engine per resolved URL for the life of the process (CLI and services)."""
    return make_engine(url)


def alembic_config(url: str) -> Any:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option("sqlalchemy.url", resolve_url(url).replace("%", "%%"))
    return cfg


def upgrade(url: str | None = None, revision: str = "head") -> str:
    """Apply the migrations up to *revision*; returns the revision now in force."""
    from alembic import command

    full = resolve_url(url)
    command.upgrade(alembic_config(full), revision)
    return current_revision(full) or ""


def init(url: str | None = None) -> str:
    """Create the schema in an empty database (refuses one that already has tables)."""
    full = resolve_url(url)
    engine = make_engine(full)
    try:
        tables = set(inspect(engine).get_table_names())
    finally:
        engine.dispose()
    if tables - {"alembic_version"}:
        raise ConflictError("the database already has tables; use 'db upgrade'", where=_safe(full))
    return upgrade(full)


def head_revision() -> str:
    """The newest revision of the packaged migrations."""
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()
    return str(head)


def current_revision(url: str | None = None) -> str | None:
    from alembic.runtime.migration import MigrationContext

    engine = make_engine(resolve_url(url))
    try:
        with engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()
    finally:
        engine.dispose()


def _safe(url: str) -> str:
    """The URL without its password, for messages."""
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)
