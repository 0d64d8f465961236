"""The demo opens at its own date (issue 30, decision 0381)."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest

from seguro_desempleo.cli.serve import _pin_demo_date
from seguro_desempleo.services.demo import DemoConfig, demo_last_date, run_demo
from seguro_desempleo.storage.db import upgrade
from seguro_desempleo.web.common import TODAY_ENV


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
    upgrade(f"sqlite:///{real}")
    assert demo_last_date(str(real)) is None
    missing = tmp_path / "typo.sqlite3"
    assert demo_last_date(str(missing)) is None
    assert not missing.exists()                      # looking never creates a file
    monkeypatch.delenv(TODAY_ENV, raising=False)
    _pin_demo_date(str(real))
    assert TODAY_ENV not in os.environ
