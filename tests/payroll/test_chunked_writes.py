"""Each chunk of an import is written as soon as it is parsed (services.payroll_import._write_chunk),
by a writer thread while the next chunk is parsed. The outcome must not depend on
where the chunks fall: one chunk or one chunk per file give the same declarations (versions,
statuses, what supersedes what), records, registry, ledger and report — on a first load, on the
next month, and with a rectification of the same employer-month inside the run (same chunk or
a later one) and of a month already on file."""

from __future__ import annotations

import datetime as dt
import os
import threading
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from seguro_desempleo.bootstrap import import_files
from seguro_desempleo.formats import rem_scan
from seguro_desempleo.services import payroll_import, payroll_read
from seguro_desempleo.storage import payroll_bulk, payroll_sink
from tests.fixtures.databases import migrated_sqlite
from tests.payroll.helpers import dni, make_ruc, write_rem
from tests.payroll.test_import import assert_no_orphans

TODAY = dt.date(2025, 6, 20)
PAYROLL = ("import_file", "contribution", "declaration", "worker", "employer")  # the ledger is append-only


def months(tmp_path: Path) -> tuple[list[Path], list[Path]]:
    """March (12 employers; employer 3 declared twice in the run, employer 7 three times) and April
    (12 employers, and a rectification of employer 5's March)."""
    def batch(name: str, month: str, rucs: range, pay: int) -> list[Path]:
        d = tmp_path / name
        d.mkdir()
        # Workers (e + k) mod 9: each works for several employers, so chunks share workers.
        return [write_rem(d, make_ruc(e), month, [("01", dni((e + k) % 9 + 1), "0121", f"{pay + 10 * k}.00", "0")
                                                  for k in range(4)])
                for e in rucs]

    march = batch("m", "2025-03", range(1, 13), 2000)
    march.insert(6, batch("r3", "2025-03", range(3, 4), 2500)[0])  # right after its first version
    march += batch("r7a", "2025-03", range(7, 8), 2600) + batch("r7b", "2025-03", range(7, 8), 2700)
    april = batch("a", "2025-04", range(1, 13), 2100) + batch("r5", "2025-03", range(5, 6), 3000)
    return march, april


def state(engine: sa.Engine, after_entry: int) -> dict[str, Any]:
    """What the imports wrote, by natural keys (ids depend on the order of the writes); the ledger
    entries after *after_entry*."""
    q = {
        "declarations": "SELECT e.ruc, d.period, d.version, d.status, d.workers, d.total_due, d.employer_due, "
                        "d.cts_due, i.filename, s.version FROM declaration d JOIN employer e ON e.id = d.employer_id "
                        "JOIN import_file i ON i.id = d.import_file_id "
                        "LEFT JOIN declaration s ON s.id = d.superseded_by",
        "records": "SELECT w.doc_number, e.ruc, c.period, d.version, c.insurable_pay FROM contribution c "
                   "JOIN worker w ON w.id = c.worker_id JOIN declaration d ON d.id = c.declaration_id "
                   "JOIN employer e ON e.id = d.employer_id",
        "workers": "SELECT doc_type, doc_number FROM worker",
        "files": "SELECT filename, status, lines, accepted_lines FROM import_file",
        "ledger": "SELECT e.event_type, l.account, l.debit, l.credit FROM ledger_line l JOIN ledger_entry e "
                  f"ON e.id = l.entry_id WHERE e.id > {after_entry}",
    }
    with engine.connect() as conn:
        return {k: sorted(tuple(r) for r in conn.execute(sa.text(v))) for k, v in q.items()}


def report(summary: Any) -> list[tuple[Any, ...]]:
    return [(Path(f.file).parent.name, Path(f.file).name, f.status, f.declarations, f.superseded, f.contributions,
             f.contribution_due) for f in summary.files]


def wipe(engine: sa.Engine) -> int:
    """Empty the payroll tables (the next import is a first load again); the last ledger entry."""
    with engine.begin() as conn:
        for t in PAYROLL:
            conn.execute(sa.text(f"DELETE FROM {t}"))
        return int(conn.execute(sa.text("SELECT COALESCE(max(id), 0) FROM ledger_entry")).scalar_one())


def test_chunking_does_not_change_the_outcome(engine: sa.Engine, tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """One chunk with lookups in the database; one chunk per file with lookups in the database;
    one chunk per file with the registry's keys preloaded (a large run: _preload_keys); one chunk
    per read batch of three files; and the first and last again with the lines read by the
    compiled fast path (formats.rem_scan) instead of polars."""
    url = engine.url.render_as_string(hide_password=False)  # the import opens its own transaction
    march, april = months(tmp_path)
    outcomes = []
    for chunk_bytes, read_batch, large_run, fast_min in ((10**9, 1000, 10**9, 10**9), (1, 1, 10**9, 10**9),
                                                         (1, 1, 1, 10**9), (1, 3, 10**9, 10**9),
                                                         (10**9, 1000, 10**9, 0), (1, 3, 10**9, 0)):
        last_entry = wipe(engine)
        monkeypatch.setattr(payroll_import, "CHUNK_BYTES", chunk_bytes)
        monkeypatch.setattr(payroll_read, "READ_BATCH", read_batch)
        monkeypatch.setattr(payroll_import, "LARGE_RUN_FILES", large_run)
        monkeypatch.setattr(payroll_import, "FAST_MIN_BYTES", fast_min)
        used = []
        scan = rem_scan.scan_clean
        monkeypatch.setattr(rem_scan, "scan_clean", lambda *a, _s=scan, _u=used: _u.append(_s(*a)) or _u[-1])
        s1 = import_files(march, db=url, today=TODAY)
        s2 = import_files(april, db=url, today=TODAY)
        assert bool(used) == (fast_min == 0) and all(u is not None for u in used)
        assert_no_orphans(engine)
        outcomes.append((state(engine, last_entry), report(s1), report(s2)))
    one, many, preloaded, batched, fast_one, fast_batched = outcomes
    assert one == many == preloaded == batched == fast_one == fast_batched
    assert len(one[0]["workers"]) == 9 and all(r[2] == "accepted" for r in one[1] + one[2])
    chains: dict[tuple[str, int], list[tuple[int, str, Any]]] = {}
    for ruc, period, version, status, *_, by in one[0]["declarations"]:
        chains.setdefault((ruc, period), []).append((version, status, by))
    march_of = {ruc: period for ruc, period in chains}  # any month of each employer; March is the lower
    for ruc, period in chains:
        march_of[ruc] = min(march_of[ruc], period)
    # employer 3: two March versions, the first superseded by the second; employer 7: three, chained.
    assert sorted(chains[(make_ruc(3), march_of[make_ruc(3)])]) == [(1, "superseded", 2), (2, "active", None)]
    assert sorted(chains[(make_ruc(7), march_of[make_ruc(7)])]) == [(1, "superseded", 2), (2, "superseded", 3),
                                                                    (3, "active", None)]
    # employer 5: March v1 superseded by the rectification imported with April (v2).
    assert sorted(chains[(make_ruc(5), march_of[make_ruc(5)])]) == [(1, "superseded", 2), (2, "active", None)]
    assert sum(len(v) for v in chains.values()) == 12 + 1 + 2 + 12 + 1
    # The run reports each rectification on the file that made it.
    assert [r[4] for r in one[1] if r[0] in ("r3", "r7a", "r7b")] == [1, 1, 1]
    assert [r[4] for r in one[2] if r[0] == "r5"] == [1]


def test_a_failed_chunk_write_leaves_nothing(engine: sa.Engine, tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """The second chunk's write fails (in the writer thread, while the parser goes on): the error
    reaches the caller, and the earlier chunk's rows and the dropped indexes are
    rolled back with the rest."""
    from tests.payroll.test_first_load import schema

    url = engine.url.render_as_string(hide_password=False)
    march, _ = months(tmp_path)
    before = schema(engine)
    monkeypatch.setattr(payroll_import, "CHUNK_BYTES", 1)
    monkeypatch.setattr(payroll_read, "READ_BATCH", 1)  # a chunk per file
    real = payroll_sink._write_contributions
    calls = 0

    threads: set[str] = set()

    def second_fails(conn: Any, contrib: Any) -> None:
        nonlocal calls
        calls += 1
        threads.add(threading.current_thread().name.split("_")[0])
        if calls == 2:
            raise RuntimeError("disk full")
        real(conn, contrib)

    monkeypatch.setattr(payroll_sink, "_write_contributions", second_fails)
    with pytest.raises(RuntimeError, match="disk full"):
        import_files(march, db=url, today=TODAY)
    assert calls == 2  # nothing written after the failure
    assert threads == {"payroll-write"}  # on either engine (SQLite: a database file)
    with engine.connect() as conn:
        for t in PAYROLL:
            assert conn.execute(sa.text(f"SELECT count(*) FROM {t}")).scalar_one() == 0, t
    assert schema(engine) == before


def test_a_header_only_csv_is_accepted_with_no_declaration(engine: sa.Engine, tmp_path: Path) -> None:
    """A CSV with its header and no rows is a file with nothing to declare: accepted, recorded,
    no declaration (it once crashed the import: no unit to name the run by). Imported again
    beside PLAME files, it is a duplicate."""
    from tests.payroll.helpers import write_csv

    url = engine.url.render_as_string(hide_password=False)
    empty = write_csv(tmp_path / "empty.csv", [])
    s = import_files([empty], db=url, today=TODAY)
    assert [(f.status, f.declarations) for f in s.files] == [("accepted", 0)]
    march, _ = months(tmp_path)
    s2 = import_files([*march[:2], empty], db=url, today=TODAY)
    assert [(f.status, f.declarations) for f in s2.files] == [("accepted", 1), ("accepted", 1), ("duplicate", 0)]
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM import_file")).scalar_one() == 3
        assert conn.execute(sa.text("SELECT count(*) FROM declaration")).scalar_one() == 2


@pytest.mark.parametrize("payroll_empty", [True, False])
def test_sqlite_first_load_and_a_worker_written_meanwhile(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                          payroll_empty: bool) -> None:
    """On SQLite a first load finds the ids of its workers in memory (the table was empty when it
    started). Another connection that registers one of them after that check either cannot
    write (the import already holds the write lock: here, from dropping the first-load indexes)
    and the import goes on, or — with no lock held yet — makes the import's first write fail (its
    snapshot is stale). Never a second row for the same person."""
    from seguro_desempleo.errors import ConflictError
    from seguro_desempleo.storage.db import make_engine

    url = migrated_sqlite(tmp_path / "db.sqlite3")
    other = make_engine(url, connect_args={"timeout": 0.1})
    if not payroll_empty:  # declarations and records on file, no worker: the import writes nothing first
        with other.begin() as conn:
            conn.execute(sa.text("INSERT INTO declaration (id, employer_id, period, version, status, import_file_id, "
                                 "workers, total_due, employer_due, cts_due) "
                                 "VALUES (1, 999, 24000, 1, 'active', 999, 0, 0, 0, 0)"))
            conn.execute(sa.text("INSERT INTO contribution (declaration_id, worker_id, period, insurable_pay) "
                                 "VALUES (1, 999, 24000, 0)"))
    march, _ = months(tmp_path)
    real = payroll_bulk._only_ours
    outcome: list[str] = []

    def then_someone_writes(*args: Any) -> set[str]:
        mine = real(*args)
        assert "worker" in mine
        try:
            with other.begin() as conn:
                conn.execute(sa.text("PRAGMA busy_timeout = 100"))
                conn.execute(sa.text("INSERT INTO worker (doc_type, doc_number) VALUES ('01', :n)"), {"n": dni(1)})
            outcome.append("other wrote")
        except sa.exc.OperationalError as exc:
            assert "locked" in str(exc)
            outcome.append("other refused")
        return mine

    monkeypatch.setattr(payroll_bulk, "_only_ours", then_someone_writes)
    try:
        import_files(march, db=url, today=TODAY)
        outcome.append("import done")
    except ConflictError:
        outcome.append("import refused")
    with other.connect() as conn:
        docs = [r[0] for r in conn.execute(sa.text("SELECT doc_number FROM worker"))]
    # The import's transaction begins IMMEDIATE (issue 25): it holds the write lock from its
    # start, so the other writer waits (here 100 ms) and is refused, and the import completes.
    # (Before, on a non-empty database, the other wrote and the import failed on its stale snapshot.)
    assert outcome == ["other refused", "import done"]
    assert len(docs) == len(set(docs)) == 9
    if payroll_empty:        # (the other case seeded an orphan record of its own on purpose)
        assert_no_orphans(make_engine(url))
    other.dispose()


def test_files_left_out_of_a_batch(engine: sa.Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A batch of files read together, some of which never reach the parser (a file already
    imported, a repeat within the run, a bad name, a bad RUC in the name, a month in the future, a
    file named just ".rem") and some with bad lines: the same reports and rows as when each file is
    read and parsed alone."""
    url = engine.url.render_as_string(hide_password=False)
    d = tmp_path / "mix"
    d.mkdir()
    good = [write_rem(d, make_ruc(e), "2025-03", [("01", dni(e + k), "0121", "1500.00", "0") for k in range(3)])
            for e in range(1, 6)]
    earlier = tmp_path / "earlier"
    earlier.mkdir()
    before = write_rem(earlier, make_ruc(9), "2025-02", [("01", dni(1), "0121", "1200.00", "0")])
    bad_line = write_rem(d, make_ruc(6), "2025-03", [("01", dni(1), "0121", "1500.00", "0"),
                                                     ("01", "12AB", "0121", "1500.00", "0")])
    bad_ruc = d / ("0601202503" + make_ruc(7)[:-1] + str((int(make_ruc(7)[-1]) + 1) % 10) + ".rem")
    bad_ruc.write_bytes(good[0].read_bytes())
    future = d / ("0601202612" + make_ruc(8) + ".rem")
    future.write_bytes(good[0].read_bytes())
    bad_name = d / "0601202503123.rem"
    bad_name.write_bytes(good[0].read_bytes())
    hidden = d / ".rem"
    hidden.write_bytes(good[0].read_bytes())
    run = [good[0], before, bad_ruc, good[1], good[1], future, bad_name, good[2], hidden, bad_line, good[3], good[4]]
    outcomes = []
    for read_batch in (1000, 1):
        last_entry = wipe(engine)
        import_files([before], db=url, today=TODAY)
        monkeypatch.setattr(payroll_read, "READ_BATCH", read_batch)
        monkeypatch.setattr(payroll_import, "CHUNK_BYTES", 10**9 if read_batch > 1 else 1)
        summary = import_files([str(p) for p in run], db=url, today=TODAY)
        issues = [[(i.line, i.field, i.code) for i in f.issues] for f in summary.files]
        outcomes.append((state(engine, last_entry), report(summary), [f.kind for f in summary.files], issues))
    together, alone = outcomes
    assert together == alone
    statuses = [r[2] for r in together[1]]
    assert statuses == ["accepted", "duplicate", "rejected", "accepted", "duplicate", "rejected", "rejected",
                        "accepted", "rejected", "rejected", "accepted", "accepted"]
    codes = [c[0][2] if c else None for c in together[3]]
    assert codes[2] == "ruc_invalid" and codes[5] == "period_future" and codes[6] == "rem_name_invalid"
    assert codes[8] == "file_type_unknown" and together[2][8] == "unknown" and codes[9] == "dni_invalid"


def test_review_cases(engine: sa.Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Cases a second reading of the batched import found, each against what a file read alone
    gives: names without an extension ("..rem") are unknown files, not duplicates of each other;
    a directory name that is not UTF-8 does not stop the run; a CSV earlier in the run is
    superseded by a later PLAME file of the same employer-month, in one chunk or several."""
    from tests.payroll.helpers import write_csv

    url = engine.url.render_as_string(hide_password=False)
    body = b"01|00000001|0121|100.00|0|\n"
    for d in ("a", "b"):
        (tmp_path / d).mkdir()
        (tmp_path / d / "..rem").write_bytes(body)
    latin = tmp_path / os.fsdecode(b"a\xf1o")
    latin.mkdir()
    good = write_rem(latin, make_ruc(2), "2025-03", [("01", dni(1), "0121", "1500.00", "0")])
    csv = write_csv(tmp_path / "planilla.csv", [(make_ruc(3), "2025-03", "01", dni(2), "0121", "1000.00", "0")])
    rem = write_rem(tmp_path / "a", make_ruc(3), "2025-03", [("01", dni(2), "0121", "2000.00", "0")])
    run = [str(tmp_path / "a" / "..rem"), str(tmp_path / "b" / "..rem"), str(good), str(csv), str(rem)]
    for chunk_bytes in (10**9, 1):
        wipe(engine)
        monkeypatch.setattr(payroll_import, "CHUNK_BYTES", chunk_bytes)
        summary = import_files(run, db=url, today=TODAY)
        assert [(f.kind, f.status) for f in summary.files] == [
            ("unknown", "rejected"), ("unknown", "rejected"), ("rem", "accepted"), ("csv", "accepted"),
            ("rem", "accepted")]
        assert summary.files[1].issues[0].code == "file_type_unknown"
        with engine.connect() as conn:
            rows = conn.execute(sa.text(
                "SELECT i.kind, d.version, d.status, d.total_due FROM declaration d "
                "JOIN import_file i ON i.id = d.import_file_id JOIN employer e ON e.id = d.employer_id "
                "WHERE e.ruc = :r ORDER BY d.version"), {"r": make_ruc(3)}).all()
        assert [tuple(r[:3]) for r in rows] == [("csv", 1, "superseded"), ("rem", 2, "active")], chunk_bytes


def test_a_chunk_stays_near_its_size_within_a_batch(engine: sa.Engine, tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """Files read in one batch of 1,000 are still parsed in chunks of about CHUNK_BYTES: a batch is
    cut after the file that fills the chunk (large employers' PLAME files are megabytes each)."""
    url = engine.url.render_as_string(hide_password=False)
    d = tmp_path / "big"
    d.mkdir()
    files = [write_rem(d, make_ruc(e), "2025-03", [("01", dni(k + 1), "0121", "1500.00", "0") for k in range(40)])
             for e in range(1, 21)]
    size = files[0].stat().st_size
    monkeypatch.setattr(payroll_import, "CHUNK_BYTES", 2 * size)
    sizes: list[int] = []
    real = payroll_import._chunk

    def recording(uow: Any, conn: Any, pending: Any, *rest: Any) -> None:
        sizes.append(sum(len(b.paths) for b in pending))
        real(uow, conn, pending, *rest)

    monkeypatch.setattr(payroll_import, "_chunk", recording)
    summary = import_files([str(f) for f in files], db=url, today=TODAY)
    assert all(f.status == "accepted" for f in summary.files)
    assert sizes == [2] * 10


def test_the_writer_thread_needs_a_connection_any_thread_may_use(tmp_path: Path) -> None:
    from seguro_desempleo.storage.db import make_engine

    for url, shareable in (("sqlite://", False), ("sqlite:///file:mx?mode=memory&cache=shared&uri=true", False),
                           ("sqlite:///:memory:", False)):
        eng = make_engine(url)
        try:
            with eng.connect() as conn:
                assert payroll_sink._shareable(conn) is shareable, url
        finally:
            eng.dispose()
    eng = make_engine(f"sqlite:///{tmp_path / 'db.sqlite3'}")
    try:
        with eng.connect() as conn:
            assert payroll_sink._shareable(conn)  # a file in WAL mode
        raw = eng.raw_connection()  # the pooled connection, outside a transaction
        dbapi: Any = raw.driver_connection
        dbapi.execute("PRAGMA journal_mode=DELETE")
        raw.close()
        with eng.connect() as conn:
            assert not payroll_sink._shareable(conn)  # readers would wait for the writer
    finally:
        eng.dispose()
