"""A small seeded database for the API tests and the fuzz test (SQLite, migrated, two workers)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from seguro_desempleo.storage.db import make_engine
from tests.claims.test_sql_stores import seed_worker
from tests.fixtures.databases import migrated_sqlite

TODAY = dt.date(2025, 3, 21)


def seeded_db(directory: Path) -> tuple[str, str, str]:
    """(url, worker A id, worker B id): A laid off (covered), B resigned; no claims yet."""
    url = migrated_sqlite(directory / "api.sqlite3")
    eng = make_engine(url)
    try:
        a = seed_worker(eng, directory, 5)
        b = seed_worker(eng, directory, 6, cause="01", reemployed=False)
    finally:
        eng.dispose()
    return url, a, b
