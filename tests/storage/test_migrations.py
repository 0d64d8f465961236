"""Migrations create the schema on both engines; init refuses a database in use."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from seguro_desempleo.domain.ledger import CHART
from seguro_desempleo.errors import ConflictError
from seguro_desempleo.storage import db


def test_init_creates_schema_and_chart(db_url: str) -> None:
    rev = db.init(db_url)
    assert rev == db.head_revision()
    eng = db.make_engine(db_url)
    try:
        names = set(sa.inspect(eng).get_table_names())
        assert {"employer", "worker", "employment_period", "declaration", "contribution", "employer_payment",
                "ledger_account", "ledger_entry", "ledger_line", "import_file"} <= names
        with eng.connect() as conn:
            codes = {r[0] for r in conn.execute(sa.text("select code from ledger_account"))}
        assert codes == {a.code for a in CHART}
    finally:
        eng.dispose()
    with pytest.raises(ConflictError):
        db.init(db_url)
    assert db.upgrade(db_url) == db.head_revision()


def test_downgrade_to_base_and_back(db_url: str) -> None:
    from alembic import command

    db.upgrade(db_url)
    command.downgrade(db.alembic_config(db_url), "base")
    assert db.current_revision(db_url) is None
    assert db.upgrade(db_url, "0101_core") == "0101_core"
    assert db.upgrade(db_url) == db.head_revision()


def test_resolve_url(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SEGURO_DB_URL", raising=False)
    assert db.resolve_url(None) == "sqlite:///seguro_desempleo.sqlite3"
    assert db.resolve_url("x.db") == "sqlite:///x.db"
    assert db.resolve_url("postgresql://u@h/d") == "postgresql+psycopg://u@h/d"
    monkeypatch.setenv("SEGURO_DB_URL", "sqlite:////tmp/a.sqlite3")
    assert db.resolve_url(None) == "sqlite:////tmp/a.sqlite3"
    assert db.resolve_url("b.db") == "sqlite:///b.db"


def test_ledger_tables_are_append_only(engine: sa.Engine) -> None:
    from seguro_desempleo.services import ledger
    from seguro_desempleo.storage.uow import SqlUnitOfWork

    with SqlUnitOfWork(engine) as uow:
        ledger.post(uow, "test", [("1010", 100, 0), ("4300", 0, 100)])
        uow.commit()
    for stmt in ("update ledger_line set debit = 5", "delete from ledger_line", "delete from ledger_entry"):
        with pytest.raises(sa.exc.DBAPIError), engine.begin() as conn:
            conn.execute(sa.text(stmt))


def test_cli_db_init_upgrade_current(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    from seguro_desempleo.cli import main

    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("SEGURO_DB_URL", raising=False)
    assert main(["db", "init"]) == 0
    assert (tmp_path / "seguro_desempleo.sqlite3").exists()
    assert main(["db", "init"]) == 2
    assert "already has tables" in capsys.readouterr().err
    assert main(["db", "upgrade"]) == 0
    monkeypatch.setenv("SEGURO_DB_URL", str(tmp_path / "other.sqlite3"))
    assert main(["db", "upgrade"]) == 0
    assert main(["db", "current"]) == 0
    assert db.head_revision() in capsys.readouterr().out


def test_0204_carries_contribution_records_over(db_url: str) -> None:
    """Rows written under 0203 (wide records with ``active``) come out lean and in force exactly
    when their declaration is; the amounts are recomputed from the pay."""
    from seguro_desempleo.storage.uow import SqlUnitOfWork

    db.upgrade(db_url, "0203_claims_perf")
    eng = db.make_engine(db_url)
    try:
        with eng.begin() as conn:
            conn.execute(sa.text("INSERT INTO employer (id, ruc, name, size_source, sector) "
                                 "VALUES (1, '20000000011', 'E', 'declared', 'private')"))
            conn.execute(sa.text("INSERT INTO worker (id, doc_type, doc_number) VALUES (1, '01', '12345678')"))
            conn.execute(sa.text("INSERT INTO import_file (id, sha256, filename, kind, status, lines, accepted_lines, "
                                 "rejected_lines, imported_at) VALUES (1, 'a', 'f.rem', 'rem', 'accepted', 1, 1, 0, "
                                 "'2025-04-01 00:00:00')"))
            for did, version, status in ((1, 1, "superseded"), (2, 2, "active")):
                conn.execute(sa.text(
                    "INSERT INTO declaration (id, employer_id, period, version, status, import_file_id, workers, "
                    "total_due, employer_due, cts_due) VALUES (:i, 1, 24302, :v, :s, 1, 1, 0, 0, 0)"),
                    {"i": did, "v": version, "s": status})
                conn.execute(sa.text(
                    "INSERT INTO contribution (id, declaration_id, employer_id, worker_id, period, active, "
                    "insurable_pay, base, contribution, employer_part, cts_part) "
                    "VALUES (:i, :i, 1, 1, 24302, :a, :p, :p, 0, 0, 0)"),
                    {"i": did, "a": status == "active", "p": 100_000 * did})
        db.upgrade(db_url)
        cols = {c["name"] for c in sa.inspect(eng).get_columns("contribution")}
        assert cols == {"declaration_id", "worker_id", "period", "insurable_pay"}
        with SqlUnitOfWork(eng) as uow:
            (rec,) = uow.contributions.for_worker(1)
            assert (rec.declaration_id, rec.insurable_pay, rec.employer_id, rec.active) == (2, 200_000, 1, True)
            assert rec.base == 200_000 and rec.contribution == 2320 and rec.employer_part + rec.cts_part == 2320
            both = uow.contributions.for_worker(1, active_only=False)
            assert [(r.declaration_id, r.active) for r in both] == [(1, False), (2, True)]
            assert uow.contributions.count() == 1 and uow.contributions.count(active_only=False) == 2
    finally:
        eng.dispose()


def test_0204_downgrade_with_data_restores_amounts_and_ids(db_url: str, tmp_path: Path) -> None:
    """Back to 0203 after an import: the wide rows get their amounts again and new rows get fresh ids."""
    from alembic import command

    from seguro_desempleo.bootstrap import import_files
    from tests.payroll.helpers import dni, make_ruc, write_rem

    db.upgrade(db_url)
    f = write_rem(tmp_path, make_ruc(3), "2025-03", [("01", dni(1), "0121", "3500.00", "0"),
                                                      ("01", dni(2), "0121", "500.00", "0")])
    import_files([f], db=db_url, today=__import__("datetime").date(2025, 6, 1))
    command.downgrade(db.alembic_config(db_url), "0203_claims_perf")
    eng = db.make_engine(db_url)
    try:
        with eng.begin() as conn:
            rows = conn.execute(sa.text("SELECT insurable_pay, base, contribution, employer_part + cts_part, active "
                                        "FROM contribution ORDER BY insurable_pay")).all()
            assert [tuple(r) for r in rows] == [(50_000, 113_000, 1311, 1311, True), (350_000, 350_000, 4060, 4060, True)]
            conn.execute(sa.text("INSERT INTO contribution (declaration_id, employer_id, worker_id, period, active, "
                                 "insurable_pay, base, contribution, employer_part, cts_part) "
                                 "VALUES (1, 1, 1, 24303, true, 0, 0, 0, 0, 0)"))
            assert conn.execute(sa.text("SELECT count(DISTINCT id) FROM contribution")).scalar_one() == 3
    finally:
        eng.dispose()
    assert db.upgrade(db_url) == db.head_revision()


def test_new_sqlite_file_gets_the_bulk_page_size_and_an_old_one_keeps_its_own(tmp_path: Path) -> None:
    import sqlite3

    new = tmp_path / "new.sqlite3"
    db.upgrade(f"sqlite:///{new}")
    with sqlite3.connect(new) as conn:
        assert conn.execute("PRAGMA page_size").fetchone()[0] == db.SQLITE_PAGE_SIZE == 16384
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    old = tmp_path / "old.sqlite3"  # a database made before the change: 4 KiB pages, already WAL
    with sqlite3.connect(old) as conn:
        conn.execute("PRAGMA page_size=4096")
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("CREATE TABLE t (x)")
    db.upgrade(f"sqlite:///{old}")
    eng = db.make_engine(f"sqlite:///{old}")
    try:
        with eng.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA page_size").scalar() == 4096
            assert conn.exec_driver_sql("SELECT count(*) FROM ledger_account").scalar() == len(CHART)
    finally:
        eng.dispose()


def test_sqlite_contribution_clustered_on_its_key_and_back(tmp_path: Path) -> None:
    """0205 stores SQLite's contribution records in the B-tree of (worker, month, declaration),
    carrying every row over, and its downgrade brings back the rowid table with its index."""
    import sqlite3

    path = tmp_path / "c.sqlite3"
    url = f"sqlite:///{path}"
    db.upgrade(url, "0204_payroll_volume")
    rows = [(7, 3, 202503, 150000), (5, 3, 202502, 120000), (9, 1, 202503, 99), (8, 3, 202503, 150050)]
    with sqlite3.connect(path) as conn:
        conn.executemany("INSERT INTO contribution (declaration_id, worker_id, period, insurable_pay) "
                         "VALUES (?, ?, ?, ?)", rows)

    def read() -> tuple[str, list[tuple[int, ...]], list[str]]:
        with sqlite3.connect(path) as conn:
            sql = conn.execute("SELECT sql FROM sqlite_master WHERE name = 'contribution'").fetchone()[0]
            got = conn.execute("SELECT declaration_id, worker_id, period, insurable_pay FROM contribution").fetchall()
            idx = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'index' "
                                              "AND tbl_name = 'contribution' AND sql IS NOT NULL")]
        return sql, got, idx

    assert db.upgrade(url, "0205_sqlite_clustered") == "0205_sqlite_clustered"
    sql, got, idx = read()
    assert "WITHOUT ROWID" in sql.upper() and idx == []
    assert got == sorted(rows, key=lambda r: (r[1], r[2], r[0]))  # stored in the key's order
    with pytest.raises(sqlite3.IntegrityError), sqlite3.connect(path) as conn:  # the key is unique
        conn.execute("INSERT INTO contribution VALUES (7, 3, 202503, 1)")
    from alembic import command

    command.downgrade(db.alembic_config(url), "0204_payroll_volume")
    sql, got, idx = read()
    assert "WITHOUT ROWID" not in sql.upper() and idx == ["ix_contribution_worker_period"]
    assert sorted(got) == sorted(rows)


def test_worker_document_key_leads_with_the_number_on_postgresql_and_back(db_url: str) -> None:
    """0206 orders PostgreSQL's UNIQUE worker document as (number, type) — the order its sort
    abbreviates — and still refuses the same document twice; its downgrade restores (type, number).
    SQLite's table keeps its own definition."""
    from alembic import command

    pg = db_url.startswith("postgresql")
    db.upgrade(db_url)
    eng = db.make_engine(db_url)

    def key_columns() -> list[str]:
        eng.dispose()  # the inspector's catalogue, read afresh
        (uq,) = [u for u in sa.inspect(eng).get_unique_constraints("worker") if u["name"] == "uq_worker_document"]
        return list(uq["column_names"])

    try:
        # 0308 (issue 31) adds the issuing country to the identity
        assert key_columns() == (["doc_number", "doc_type", "doc_country"] if pg
                                 else ["doc_type", "doc_number", "doc_country"])
        with eng.begin() as conn:
            conn.execute(sa.text("INSERT INTO worker (doc_type, doc_number) VALUES ('01', '45678912'), "
                                 "('04', '45678912')"))  # the same number under another type: another person
        with pytest.raises(sa.exc.IntegrityError), eng.begin() as conn:
            conn.execute(sa.text("INSERT INTO worker (doc_type, doc_number) VALUES ('01', '45678912')"))
        command.downgrade(db.alembic_config(db_url), "0205_sqlite_clustered")
        assert key_columns() == ["doc_type", "doc_number"]
        assert db.upgrade(db_url) == db.head_revision()
        assert key_columns() == (["doc_number", "doc_type", "doc_country"] if pg
                                 else ["doc_type", "doc_number", "doc_country"])
    finally:
        eng.dispose()
