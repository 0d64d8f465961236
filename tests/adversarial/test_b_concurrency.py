"""Issue 25, concurrency on SQLite (the default engine): two API clients at once, and a CLI
import beside a running server, wait for each other instead of failing with a false 503
"run db init"; the 503 says "db init" only when the schema really is missing."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

import seguro_desempleo
from seguro_desempleo.api.app import create_app
from seguro_desempleo.storage.db import make_engine
from tests import signin
from tests.api.seed import TODAY
from tests.claims.test_sql_stores import seed_worker
from tests.fixtures.databases import migrated_sqlite

WORKERS = 6
ENTRY = Path(sys.executable).with_name("seguro-desempleo")      # the real console entry point
ENTRY_ENV = {**os.environ, "PYTHONPATH": str(Path(seguro_desempleo.__file__).resolve().parents[1])}


@pytest.fixture
def many(tmp_path: Path) -> tuple[str, list[str]]:
    url = migrated_sqlite(tmp_path / "c.sqlite3")
    eng = make_engine(url)
    try:
        refs = [seed_worker(eng, tmp_path, n) for n in range(1, WORKERS + 1)]
    finally:
        eng.dispose()
    return url, refs


def test_two_concurrent_clients_filing_get_business_answers_never_a_false_503(many: tuple[str, list[str]]) -> None:
    url, refs = many
    app = create_app(db_url=url, secret="t" * 32, today=TODAY)
    with TestClient(app) as c0, TestClient(app) as c1:
        tok = signin.token(c0, "caseworker")
        h = {"Authorization": f"Bearer {tok}"}
        barrier = threading.Barrier(2)
        answers: list[list[Any]] = [[], []]

        def work(i: int, c: TestClient) -> None:
            barrier.wait(10)
            for _ in range(3):
                for ref in refs:           # both clients file for every worker: one wins, one 409
                    r = c.post("/api/v1/claims", json={"worker_id": ref, "claim_date": "2025-03-20"}, headers=h)
                    answers[i].append((r.status_code, r.text))
                    if r.status_code == 201:
                        cid = r.json()["id"]
                        d = c.post(f"/api/v1/claims/{cid}/decision", json={"expected_version": 1}, headers=h)
                        answers[i].append((d.status_code, d.text))
                    g = c.get("/api/v1/claims", headers=h)
                    answers[i].append((g.status_code, g.text[:200]))

        threads = [threading.Thread(target=work, args=(i, c)) for i, c in ((0, c0), (1, c1))]
        for t in threads:
            t.start()
        for t in threads:
            t.join(300)
        got = answers[0] + answers[1]
        assert not [a for a in got if a[0] >= 500], [a for a in got if a[0] >= 500][:3]
        assert {code for code, _ in got} <= {200, 201, 409}
        assert sum(1 for code, _ in got if code == 201) == WORKERS       # one claim per worker
        admin = {"Authorization": "Bearer " + signin.token(c0, "admin")}
        assert c0.get("/api/v1/audit/verify", headers=admin).json()["ok"] is True


def test_503_says_db_init_only_when_the_schema_is_missing(tmp_path: Path) -> None:
    empty = f"sqlite:///{tmp_path / 'empty.sqlite3'}"
    app = create_app(db_url=empty, secret="t" * 32, today=TODAY)
    with TestClient(app) as c:
        tok = "ses_" + "0" * 43          # a session token: the database that would check it has no schema
        r = c.get("/api/v1/claims", headers={"Authorization": f"Bearer {tok}"})
        assert r.status_code == 503 and "db init" in r.json()["detail"]


def test_a_busy_database_is_not_called_uninitialised(many: tuple[str, list[str]], monkeypatch: pytest.MonkeyPatch) -> None:
    """A write lock held beyond the busy timeout: 503 'busy, try again', not 'run db init'."""
    import sqlite3

    from seguro_desempleo.storage import db

    url, refs = many
    monkeypatch.setattr(db, "SQLITE_BUSY_TIMEOUT_MS", 200)
    app = create_app(db_url=url, secret="t" * 32, today=TODAY)
    signin.token(TestClient(app), "caseworker")     # signed in (a session row written) before the lock
    holder = sqlite3.connect(url.removeprefix("sqlite:///"), isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        with TestClient(app) as c:
            tok = signin.token(c, "caseworker")
            r = c.post("/api/v1/claims", json={"worker_id": refs[0], "claim_date": "2025-03-20"},
                       headers={"Authorization": f"Bearer {tok}"})
            assert r.status_code == 503, r.text
            assert "db init" not in r.json()["detail"] and "busy" in r.json()["detail"]
            assert r.headers.get("retry-after")
    finally:
        holder.execute("ROLLBACK")
        holder.close()


def test_cli_import_beside_a_running_server_waits(many: tuple[str, list[str]], tmp_path: Path) -> None:
    """The server's writer holds the database for a while; the CLI import waits and succeeds."""
    import sqlite3

    from tests.payroll.helpers import dni, make_ruc, write_csv

    url, _ = many
    f = write_csv(tmp_path / "late.csv", [(make_ruc(99), "2025-02", "01", dni(77), "0121", "2000.00", "2000.00")])
    holder = sqlite3.connect(url.removeprefix("sqlite:///"), isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    holder.execute("UPDATE ledger_account SET name = name")   # a writer mid-transaction
    proc = subprocess.Popen([str(ENTRY), "payroll", "import", str(f), "--db", url], env=ENTRY_ENV,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        threading.Event().wait(1.5)           # the import is now waiting on the lock
        assert proc.poll() is None
        holder.execute("COMMIT")
        _, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
        assert "Traceback" not in err
    finally:
        holder.close()
        if proc.poll() is None:
            proc.kill()
