"""A first load into empty payroll tables builds their indexes after the rows (services.payroll_import
._start_bulk): the schema afterwards is exactly the migrated one, uniqueness still holds, and a
failure leaves the indexes as they were."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from seguro_desempleo.bootstrap import import_files
from seguro_desempleo.services import payroll_import
from seguro_desempleo.storage import payroll_bulk, payroll_sink
from seguro_desempleo.storage.uow import SqlUnitOfWork
from tests.payroll.helpers import dni, make_ruc, write_rem
from tests.payroll.test_import import assert_no_orphans

TODAY = dt.date(2025, 6, 20)
TABLES = ("import_file", "employer", "declaration", "worker", "contribution")


def schema(engine: sa.Engine) -> dict[str, Any]:
    """Every index, unique constraint, primary key and column of the payroll tables, and every
    foreign key of the database (a first load on PostgreSQL drops and restores those that refer
    to the payroll tables), by name and columns."""
    insp = sa.inspect(engine)
    out: dict[str, Any] = {}
    for t in TABLES:
        pk = insp.get_pk_constraint(t)
        out[t] = (sorted((i["name"], tuple(i["column_names"]), bool(i["unique"])) for i in insp.get_indexes(t)),
                  sorted((u["name"] or "", tuple(u["column_names"])) for u in insp.get_unique_constraints(t)),
                  (pk["name"] if engine.dialect.name == "postgresql" else None, tuple(pk["constrained_columns"])),
                  [(c["name"], str(c["type"]), c["nullable"], str(c["default"])) for c in insp.get_columns(t)])
    out["foreign keys"] = sorted(
        (t, fk["name"] or "", tuple(fk["constrained_columns"]), fk["referred_table"], tuple(fk["referred_columns"]))
        for t in insp.get_table_names() for fk in insp.get_foreign_keys(t))
    return out


def files(tmp_path: Path, month: str, n_employers: int) -> list[Path]:
    d = tmp_path / month
    d.mkdir()
    return [write_rem(d, make_ruc(e), month, [("01", dni(e * 10 + k), "0121", f"{2000 + k}.00", "0") for k in range(3)])
            for e in range(1, n_employers + 1)]


def spy_bulk(monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    """Record which tables each import loaded as a first load."""
    seen: list[list[str]] = []
    real = payroll_bulk._start_bulk

    def spy(conn: Any, **kw: Any) -> dict[str, list[str]]:
        tables = real(conn, **kw)
        seen.append(list(tables))
        return tables

    monkeypatch.setattr(payroll_bulk, "_start_bulk", spy)
    return seen


def test_first_load_rebuilds_the_same_schema(engine: sa.Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    seen = spy_bulk(monkeypatch)
    before = schema(engine)
    if engine.dialect.name == "postgresql":
        assert before["contribution"][0] == [("ix_contribution_worker_period", ("worker_id", "period"), False)]
    else:  # the records are the B-tree of their key (migration 0205): no index
        assert before["contribution"][0] == []
        assert before["contribution"][2] == (None, ("worker_id", "period", "declaration_id"))
    assert any(fk[0] == "employment_period" and fk[3] == "worker" for fk in before["foreign keys"])
    s = import_files(files(tmp_path, "2025-03", 4), db=str(engine.url.render_as_string(hide_password=False)),
                     today=TODAY)
    assert s.accepted == 4
    assert schema(engine) == before
    # The next month goes through the indexes (the tables are no longer empty) and finds the workers.
    s2 = import_files(files(tmp_path, "2025-04", 4), db=str(engine.url.render_as_string(hide_password=False)),
                      today=TODAY)
    assert s2.accepted == 4
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM worker")).scalar_one() == 12
        assert conn.execute(sa.text("SELECT count(*) FROM contribution")).scalar_one() == 24
    assert schema(engine) == before
    assert_no_orphans(engine)
    pg = engine.dialect.name == "postgresql"
    assert seen == [["import_file", "employer", "declaration", "worker", "contribution"] if pg
                    else ["declaration"], []]
    # Uniqueness, the primary keys and the foreign keys are enforced again after the first load.
    with pytest.raises(sa.exc.IntegrityError), engine.begin() as conn:
        conn.execute(sa.text("INSERT INTO worker (doc_type, doc_number) VALUES ('01', :n)"), {"n": dni(11)})
    with engine.connect() as conn:
        first_id = conn.execute(sa.text("SELECT min(id) FROM worker")).scalar_one()
    with pytest.raises(sa.exc.IntegrityError), engine.begin() as conn:
        conn.execute(sa.text("INSERT INTO worker (id, doc_type, doc_number) VALUES (:i, '01', '99999999')"),
                     {"i": first_id})
    if pg:  # SQLite checks foreign keys only with its pragma on
        with pytest.raises(sa.exc.IntegrityError), engine.begin() as conn:
            conn.execute(sa.text("INSERT INTO employment_period (employer_id, worker_id, start_date) "
                                 "VALUES ((SELECT min(id) FROM employer), 999999999, '2025-01-01')"))
    # New rows still get fresh ids from the sequence, after the import's.
    with engine.begin() as conn:
        conn.execute(sa.text("INSERT INTO worker (doc_type, doc_number) VALUES ('01', '99999998')"))
        assert conn.execute(sa.text("SELECT max(id) FROM worker")).scalar_one() > 12


def catalogue(engine: sa.Engine) -> dict[str, str]:
    """The payroll tables' indexes and constraints as the database itself spells them: on
    PostgreSQL ``pg_indexes.indexdef`` and ``pg_get_constraintdef`` (a UNIQUE constraint is not a
    unique index, nor the other way round); on SQLite ``sqlite_master.sql`` (a table's own text
    carries its UNIQUE constraints and keys)."""
    with engine.connect() as conn:
        if engine.dialect.name == "postgresql":
            rows = conn.execute(sa.text(
                "SELECT 'index ' || indexname, indexdef FROM pg_indexes "
                "WHERE schemaname = current_schema() AND tablename = ANY(:t) "
                "UNION ALL SELECT 'constraint ' || conname, pg_get_constraintdef(oid) FROM pg_constraint "
                "WHERE conrelid::regclass::text = ANY(:t) OR confrelid::regclass::text = ANY(:t)"),
                {"t": list(TABLES)}).all()
        else:
            rows = conn.execute(sa.text(
                "SELECT type || ' ' || name, COALESCE(sql, '') FROM sqlite_master WHERE tbl_name IN "
                "('import_file', 'employer', 'declaration', 'worker', 'contribution')")).all()
    return {str(k): str(v) for k, v in rows}


def test_first_load_rebuilds_what_db_init_creates(db_url: str, tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """The indexes and unique constraints a first load drops are rebuilt from the models'
    definitions (``payroll_bulk._bulk_ddl``): afterwards the catalogue says, to the letter, what a
    fresh ``db init`` (Alembic's migrations) made — so a model and its migration cannot drift
    apart unseen."""
    from seguro_desempleo.storage import db

    db.init(db_url)
    engine = db.make_engine(db_url)
    try:
        before = catalogue(engine)
        pg = engine.dialect.name == "postgresql"
        rebuilt = {name for steps in payroll_bulk._BULK_INDEXES.values() for d, name in steps
                   if d in ("", engine.dialect.name)}
        assert rebuilt == ({"uq_import_file_sha256", "uq_employer_ruc", "uq_declaration_version",
                            "ix_declaration_employer_period", "uq_worker_document", "ix_contribution_worker_period"}
                           if pg else {"ix_declaration_employer_period"})
        with engine.connect() as conn:  # each one is on file after db init, and defined in the models
            for table, steps in payroll_bulk._BULK_INDEXES.items():
                for _, name in steps:
                    drop, create = payroll_bulk._bulk_ddl(conn, table, name)
                    assert name in drop and f" {table} " in create, (drop, create)
                    assert name not in rebuilt or any(k.endswith(" " + name) for k in before), name
            with pytest.raises(LookupError):
                payroll_bulk._bulk_ddl(conn, "worker", "ix_nothing")
        seen = spy_bulk(monkeypatch)
        s = import_files(files(tmp_path, "2025-03", 3), db=db_url, today=TODAY)
        assert s.accepted == 3
        assert seen == [["import_file", "employer", "declaration", "worker", "contribution"] if pg
                        else ["declaration"]]
        assert catalogue(engine) == before
    finally:
        engine.dispose()


def test_failed_first_load_keeps_indexes(engine: sa.Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    before = schema(engine)

    def boom(*_: object) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(payroll_sink, "_write_contributions", boom)
    with pytest.raises(RuntimeError, match="disk full"), SqlUnitOfWork(engine) as uow:
        import_files(files(tmp_path, "2025-03", 3), uow=uow, today=TODAY)
        uow.commit()
    assert schema(engine) == before
    with engine.connect() as conn:
        for t in TABLES:
            assert conn.execute(sa.text(f"SELECT count(*) FROM {t}")).scalar_one() == 0, t


def test_first_load_never_waits_for_a_reader(pg_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A transaction reading ``contribution`` (as the claims do) while a first load starts: the
    import does not wait for it or deadlock with it — that table is loaded the ordinary way — and
    the reader's next read of ``declaration`` is not blocked by a lock the import kept."""
    from seguro_desempleo.storage.db import make_engine, upgrade

    upgrade(pg_url)
    pg_engine = make_engine(pg_url)
    seen = spy_bulk(monkeypatch)
    with pg_engine.connect() as reader:
        reader.execute(sa.text("SELECT count(*) FROM contribution")).scalar_one()
        s = import_files(files(tmp_path, "2025-03", 2), db=pg_url, today=TODAY)
        assert s.accepted == 2
        assert reader.execute(sa.text("SELECT count(*) FROM declaration")).scalar_one() == 2
        reader.rollback()
    assert seen == [["import_file", "employer", "declaration", "worker"]]
    assert_no_orphans(pg_engine)
    pg_engine.dispose()


def test_per_files_keep_the_registry_indexes(engine: sa.Engine, tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """A run with T-Registro files looks workers and employers up line by line: their indexes stay."""
    from tests.payroll.helpers import write_per

    seen = spy_bulk(monkeypatch)
    ruc = make_ruc(1)
    per = write_per(tmp_path, ruc, [("01", dni(11), "604", "1", "1", "01/02/2023", "", "", "")])
    s = import_files([*files(tmp_path, "2025-03", 1), per], db=engine.url.render_as_string(hide_password=False),
                     today=TODAY)
    assert s.accepted == 2 and s.files[1].periods == 1
    assert not {"worker", "employer"} & set(seen[0])
    assert "declaration" in seen[0]
    if engine.dialect.name == "postgresql":
        assert "contribution" in seen[0]


def test_keys_others_depend_on_are_restored_or_left_alone(pg_url: str, tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    """PostgreSQL first load with keys the migrations did not make: a foreign key with a quoted
    mixed-case name, one that refers to the worker's document (a unique constraint, not the
    primary key), one on a partitioned table, and a view that needs the employer's primary key.
    The first three are dropped and restored exactly (and enforced again); the employer table,
    whose key cannot be dropped, is loaded the ordinary way."""
    from seguro_desempleo.storage.db import make_engine, upgrade

    upgrade(pg_url)
    eng = make_engine(pg_url)
    with eng.begin() as conn:
        conn.execute(sa.text('CREATE TABLE audit_ref (worker_id integer CONSTRAINT "FK_Audit_Worker" '
                             "REFERENCES worker (id))"))
        conn.execute(sa.text("CREATE TABLE doc_ref (doc_type varchar(2), doc_number varchar(15), "
                             "doc_country varchar(3), CONSTRAINT fk_doc_ref FOREIGN KEY (doc_type, doc_number, "
                             "doc_country) REFERENCES worker (doc_type, doc_number, doc_country))"))
        conn.execute(sa.text("CREATE TABLE part_ref (period integer, worker_id integer REFERENCES worker (id)) "
                             "PARTITION BY RANGE (period)"))
        conn.execute(sa.text("CREATE TABLE part_ref_1 PARTITION OF part_ref FOR VALUES FROM (0) TO (100000)"))
        conn.execute(sa.text("CREATE VIEW employer_names AS SELECT e.id, e.name FROM employer e GROUP BY e.id"))
    before = schema(eng)
    seen = spy_bulk(monkeypatch)
    s = import_files(files(tmp_path, "2025-03", 3), db=pg_url, today=TODAY)
    assert s.accepted == 3
    assert seen == [["import_file", "declaration", "worker", "contribution"]]  # not employer (the view)
    assert schema(eng) == before
    for sql in ("INSERT INTO audit_ref VALUES (999999999)", "INSERT INTO doc_ref VALUES ('01', 'nobody', '604')",
                "INSERT INTO part_ref VALUES (5, 999999999)"):
        with pytest.raises(sa.exc.IntegrityError), eng.begin() as conn:
            conn.execute(sa.text(sql))
    assert_no_orphans(eng)
    eng.dispose()


def test_workers_registered_after_an_import_get_new_ids(engine: sa.Engine, tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """The parser gives new workers their ids from the run's own counter (payroll_import._resolve
    ahead of the writer) on a first load and on a large run: the ids follow those on file, and a
    worker registered afterwards (the database's own id, the sequence on PostgreSQL) gets one
    after them."""
    from seguro_desempleo.domain.registry import Worker

    url = engine.url.render_as_string(hide_password=False)
    with SqlUnitOfWork(url) as uow:  # one worker on file before any import: the first id is taken
        before = uow.workers.upsert(Worker(doc_type="01", doc_number=dni(999_001)))
        uow.commit()
    import_files(files(tmp_path, "2025-03", 3), db=url, today=TODAY)  # not a first load of worker
    monkeypatch.setattr(payroll_import, "LARGE_RUN_FILES", 1)  # keys preloaded: ids found by the parser
    used: list[int] = []
    real = payroll_bulk._first_free_id
    monkeypatch.setattr(payroll_bulk, "_first_free_id", lambda c, t: used.append(real(c, t)) or used[-1])
    import_files(files(tmp_path, "2025-04", 5), db=url, today=TODAY)
    assert used  # the parser's counter was used
    with engine.connect() as conn:
        ids = [r[0] for r in conn.execute(sa.text("SELECT id FROM worker ORDER BY id"))]
    assert len(ids) == len(set(ids)) == 1 + 5 * 3 and ids[0] == before.id
    with SqlUnitOfWork(url) as uow:
        after = uow.workers.upsert(Worker(doc_type="01", doc_number=dni(999_002)))
        uow.commit()
    assert after.id is not None and after.id > max(ids)
    assert_no_orphans(engine)


@pytest.mark.parametrize("slice_ids", [2, 3, 1000])
def test_preloaded_keys_are_the_registry_whole(engine: sa.Engine, monkeypatch: pytest.MonkeyPatch,
                                               slice_ids: int) -> None:
    """A large run reads every natural key with its id once (on PostgreSQL one text value per
    slice of ids, gaps in the ids included): exactly the table's keys, none twice."""
    monkeypatch.setattr(payroll_bulk, "PRELOAD_SLICE", slice_ids)
    docs = [("01", dni(n)) for n in range(1, 8)] + [("04", "000123456"), ("07", "AB12345")]
    with engine.begin() as conn:
        for i, (t, n) in enumerate(docs):
            conn.execute(sa.text("INSERT INTO worker (id, doc_type, doc_number) VALUES (:i, :t, :n)"),
                         {"i": 3 * i + 5, "t": t, "n": n})  # ids with gaps
    with engine.begin() as conn:
        keys = payroll_bulk._preload_keys(conn, "worker")
        assert payroll_bulk._preload_keys(conn, "employer").height == 0
    assert sorted(keys.rows()) == sorted((t + n, 3 * i + 5) for i, (t, n) in enumerate(docs))
