"""The demo opens at its own date (issue 30, decision 0381)."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest

from seguro_desempleo.cli.serve import _pin_demo_date
from seguro_desempleo.demo import DemoConfig, demo_last_date, run_demo
from seguro_desempleo.web.common import TODAY_ENV
from tests.fixtures.databases import migrated_sqlite


def test_the_demo_records_its_last_day_and_serve_uses_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = tmp_path / "demo.sqlite3"
    out = run_demo(DemoConfig(workers=40, months=3, seed=3, start="2024-11", db=str(db)))
    assert out["last_date"] == "2025-01-31"
    assert demo_last_date(str(db)) == dt.date(2025, 1, 31)
    monkeypatch.delenv(TODAY_ENV, raising=False)
    _pin_demo_date(str(db))
    assert dt.date.fromisoformat(os.environ[TODAY_ENV]) == dt.date(2025, 1, 31)
    # A date the user set wins.
    monkeypatch.setenv(TODAY_ENV, "2024-12-15")
    _pin_demo_date(str(db))
    assert os.environ[TODAY_ENV] == "2024-12-15"


def test_no_date_for_other_databases(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real = tmp_path / "real.sqlite3"
    migrated_sqlite(real)
    assert demo_last_date(str(real)) is None
    missing = tmp_path / "typo.sqlite3"
    assert demo_last_date(str(missing)) is None
    assert not missing.exists()                      # looking never creates a file
    monkeypatch.delenv(TODAY_ENV, raising=False)
    _pin_demo_date(str(real))
    assert TODAY_ENV not in os.environ


def test_the_api_uses_the_demo_date_as_the_pages_do(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Under ``serve`` a demo database is seen on the demo's last day by the pages *and* by the API
    (api/deps.py ``day``): a registration sent without a date is recorded on that day, not today."""
    from fastapi.testclient import TestClient

    from seguro_desempleo.api.app import create_app

    db = tmp_path / "demo.sqlite3"
    run_demo(DemoConfig(workers=40, months=3, seed=3, start="2024-11", db=str(db)))
    monkeypatch.delenv(TODAY_ENV, raising=False)
    _pin_demo_date(str(db))                                  # what serve does before it builds the app
    with TestClient(create_app(db_url=f"sqlite:///{db}", secret="t", demo_logins=True)) as c:   # serve: on for a demo database
        def tok(role: str, subject: str | None = None) -> dict[str, str]:
            r = c.post("/api/v1/auth/token", json={"role": role, "subject": subject})
            return {"Authorization": f"Bearer {r.json()['access_token']}"}

        claim = c.get("/api/v1/claims", headers=tok("caseworker")).json()["items"][0]
        r = c.post(f"/api/v1/workers/{claim['worker_id']}/employment-registration",
                   json={"channel": "empleos_peru"}, headers=tok("employment_officer"))
        assert r.status_code == 201, r.text
        assert r.json()["registered_on"] == "2025-01-31"
