"""Shared fixtures: databases on SQLite and on a throwaway PostgreSQL cluster.

- ``pg_server_uri``: session-scoped; starts one PostgreSQL cluster per pytest-xdist worker with
  ``pgserver`` (a data directory per worker), stops and deletes it at the end. If it cannot start, tests
  that use it FAIL (never skip).
- ``pg_url``: a fresh, empty PostgreSQL database (SQLAlchemy URL, psycopg 3) for one test.
- ``sqlite_url``: a fresh SQLite file for one test.
- ``db_url``: parametrized over ``sqlite`` and ``postgresql`` (an empty database each time).
- ``migrated_url``: like ``db_url`` with the schema migrated to head.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest


def _worker_id(request: pytest.FixtureRequest) -> str:
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


@pytest.fixture(scope="session")
def pg_server_uri(request: pytest.FixtureRequest) -> Iterator[str]:
    """The admin URI of a PostgreSQL cluster private to this test worker."""
    import pgserver

    base = Path(tempfile.gettempdir()) / f"seguro_pg_{os.getpid()}_{_worker_id(request)}"
    base.mkdir(parents=True, exist_ok=True)
    try:
        server = pgserver.get_server(str(base), cleanup_mode="delete")
    except Exception as exc:  # the suite must fail, not skip, when PostgreSQL cannot start
        pytest.fail(f"PostgreSQL (pgserver) could not start: {exc}", pytrace=False)
    try:
        yield str(server.get_uri())
    finally:
        with contextlib.suppress(Exception):
            server.cleanup()


def _sqlalchemy_pg_url(uri: str, dbname: str) -> str:
    from sqlalchemy.engine import make_url

    url = make_url(uri.replace("postgresql://", "postgresql+psycopg://", 1))
    return url.set(database=dbname).render_as_string(hide_password=False)


@pytest.fixture
def pg_url(pg_server_uri: str) -> Iterator[str]:
    """A new empty database on the session's cluster, dropped after the test."""
    import sqlalchemy as sa

    name = f"t_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(_sqlalchemy_pg_url(pg_server_uri, "postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        yield _sqlalchemy_pg_url(pg_server_uri, name)
    finally:
        from seguro_desempleo.storage.db import shared_engine

        shared_engine.cache_clear()
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'test.sqlite3'}"


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty database on each engine (the test runs twice)."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'test.sqlite3'}"
    return str(request.getfixturevalue("pg_url"))


@pytest.fixture
def migrated_url(db_url: str) -> str:
    """``db_url`` with the schema migrated to head."""
    from seguro_desempleo.storage.db import upgrade

    upgrade(db_url)
    return db_url


@pytest.fixture
def engine(migrated_url: str) -> Iterator[object]:
    from seguro_desempleo.storage.db import make_engine

    eng = make_engine(migrated_url)
    yield eng
    eng.dispose()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """The ``postgres``, ``browser`` and ``slow`` markers, applied by tests/fixtures/markers.py."""
    from tests.fixtures.markers import apply_markers

    apply_markers(items)
