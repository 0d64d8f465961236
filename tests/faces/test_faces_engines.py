"""The demo's date and ``claims list``'s filters on SQLite and PostgreSQL (issue 30)."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from seguro_desempleo.cli import main
from seguro_desempleo.demo import DemoConfig, demo_last_date, run_demo


def test_demo_date_and_claims_list_on_each_engine(db_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    out = run_demo(DemoConfig(workers=120, months=4, seed=5, start="2024-10", db=db_url))
    assert out["last_date"] == "2025-01-31"
    assert demo_last_date(db_url) == dt.date(2025, 1, 31)
    capsys.readouterr()
    assert main(["claims", "list", "--format", "json", "--limit", "1000", "--db", db_url]) == 0
    every = json.loads(capsys.readouterr().out)
    assert len(every) == out["claims"]["total"]
    months = {c["filed_on"][:7] for c in every}
    for month in months:
        assert main(["claims", "list", "--period", month, "--format", "json", "--limit", "1000", "--db", db_url]) == 0
        rows = json.loads(capsys.readouterr().out)
        assert rows and {r["filed_on"][:7] for r in rows} == {month}
    assert sum(1 for c in every if c["state"] == "denied") == out["claims"]["by_state"].get("denied", 0)
