"""Ids reserved in bulk by an import never collide with other writers.

The import assigns the ids of its new rows itself (a block per table: SQLite under the write lock
it holds, PostgreSQL under a SHARE ROW EXCLUSIVE lock and one ``setval``). A registration made
while the import is open must wait for it and then get an id outside the block; a second import
of the same new workers must be refused whole or succeed after the first, never duplicate them.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from seguro_desempleo.bootstrap import import_files
from seguro_desempleo.domain.registry import Worker
from seguro_desempleo.errors import ConflictError
from seguro_desempleo.storage.db import make_engine, upgrade
from seguro_desempleo.storage.uow import SqlUnitOfWork
from tests.payroll.helpers import dni, make_ruc, write_rem

TODAY = dt.date(2025, 6, 20)


def _files(directory: Path, employers: range, workers: int) -> list[Path]:
    return [write_rem(directory, make_ruc(700 + e), "2025-03",
                      [("01", dni(9000 + w), "0121", "1500.00", "1500.00") for w in range(workers)])
            for e in employers]


@pytest.fixture
def pg_engine(pg_url: str) -> Iterator[sa.Engine]:
    upgrade(pg_url)
    eng = make_engine(pg_url)
    yield eng
    eng.dispose()


def test_registration_during_an_import_waits_and_gets_a_fresh_id(pg_engine: sa.Engine, tmp_path: Path) -> None:
    """PostgreSQL (on SQLite a second writer is refused at once with "database is locked": docs/storage.md)."""
    engine = pg_engine
    files = _files(tmp_path, range(3), 50)
    outcome: dict[str, object] = {}
    import_open = threading.Event()

    def register() -> None:
        import_open.wait(30)
        t0 = time.monotonic()
        try:
            with SqlUnitOfWork(engine) as uow:
                w = uow.workers.upsert(Worker(doc_type="01", doc_number=dni(123_456)))
                uow.commit()
                outcome["id"] = w.id
        except Exception as exc:
            outcome["error"] = exc
        outcome["waited"] = time.monotonic() - t0

    other = threading.Thread(target=register)
    other.start()
    with SqlUnitOfWork(engine) as uow:
        import_files(files, uow=uow, today=TODAY)
        import_open.set()
        time.sleep(0.5)          # the registration is now waiting for this transaction
        uow.commit()
    other.join(60)
    assert "error" not in outcome, outcome.get("error")
    assert float(outcome["waited"]) >= 0.3  # type: ignore[arg-type]
    with engine.connect() as conn:
        ids = [r[0] for r in conn.execute(sa.text("SELECT id FROM worker ORDER BY id"))]
        n_contrib = conn.execute(sa.text("SELECT count(*) FROM contribution")).scalar_one()
    assert len(ids) == 51 and len(set(ids)) == 51
    assert outcome["id"] == max(ids)           # after the import's block, not inside it
    assert n_contrib == 150


def test_two_imports_of_the_same_new_workers_never_duplicate_them(engine: sa.Engine, tmp_path: Path) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir()
    b.mkdir()
    first, second = _files(a, range(0, 2), 40), _files(b, range(2, 4), 40)   # other employers, same workers
    results: dict[str, object] = {}
    batches = {"first": first, "second": second}

    def run(name: str) -> None:
        try:
            with SqlUnitOfWork(engine) as uow:
                import_files(batches[name], uow=uow, today=TODAY)
                uow.commit()
            results[name] = "ok"
        except ConflictError as exc:   # one line, nothing written (SQLite: one writer at a time)
            results[name] = exc

    threads = [threading.Thread(target=run, args=(n,)) for n in batches]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert set(results) == {"first", "second"}
    for name, result in list(results.items()):
        if result != "ok":             # the loser changed nothing and can simply run again
            run(name)
            assert results[name] == "ok"
    with engine.connect() as conn:
        workers = conn.execute(sa.text("SELECT count(*), count(DISTINCT doc_number) FROM worker")).one()
        contributions = conn.execute(sa.text("SELECT count(*) FROM contribution")).scalar_one()
        declarations = conn.execute(sa.text("SELECT count(*) FROM declaration")).scalar_one()
    assert tuple(workers) == (40, 40)
    assert declarations == 4 and contributions == 160
