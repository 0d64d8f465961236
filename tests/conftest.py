"""The suite's shared fixtures and collection hook; the fixtures live in ``tests/fixtures/``.

Databases (``tests/fixtures/databases.py``): ``pg_server_uri`` (one throwaway PostgreSQL cluster per
worker; a cluster that cannot start fails the test, never skips it), ``pg_url`` (an empty database on
it), ``pg_migrated_template``, ``sqlite_url``, ``db_url`` (SQLite and PostgreSQL, empty),
``migrated_url`` (``db_url`` at head) and ``engine``. Markers (``tests/fixtures/markers.py``):
``postgres``, ``browser`` and ``slow`` applied at collection.
"""

from __future__ import annotations

import pytest

from tests.fixtures.databases import (  # noqa: F401  (fixtures: pytest finds them in this namespace)
    db_url,
    engine,
    migrated_url,
    pg_migrated_template,
    pg_server_uri,
    pg_url,
    sqlite_url,
)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """The ``postgres``, ``browser`` and ``slow`` markers, applied by tests/fixtures/markers.py."""
    from tests.fixtures.markers import apply_markers

    apply_markers(items)
