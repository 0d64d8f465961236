"""The demo: the real path on a small population, deterministic per seed, never clobbers data."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

from seguro_desempleo.cli import main
from seguro_desempleo.demo import DemoConfig, run_demo
from seguro_desempleo.services.demo import build_population, make_ruc
from tests.fixtures.databases import migrated_sqlite


def test_small_demo_runs_the_whole_path(tmp_path: Path) -> None:
    db = tmp_path / "demo.sqlite3"
    files = tmp_path / "files"
    out = run_demo(DemoConfig(workers=160, months=16, seed=7, db=str(db), keep_files=files))
    assert out["audit"]["intact"] and out["audit"]["records"] > 10
    ev = out["events"]
    assert ev["payroll_files"] > 16 and ev["payroll_rejected"] == 0 and ev["separations"] > 0
    assert out["claims"]["total"] == ev["claims_filed"] > 0
    # Money in soles as decimal strings (decision 0380).
    assert Decimal(out["contributions"]["amount"]) > 0 and Decimal(out["fund_balance"]) > 0
    assert sum(out["claims"]["by_outcome"].values()) == out["claims"]["total"]
    assert set(out["by_sex"]) <= {"F", "M"}
    rem = sorted(files.glob("*/0601*.rem"))
    assert rem and all(p.name[10:21].isdigit() for p in rem)
    assert list(files.glob("*/RP_*.per"))
    # Running again replaces the demo's own database and gives the same figures (same seed).
    again = run_demo(DemoConfig(workers=160, months=16, seed=7, db=str(db)))
    strip = {"seconds", "files"}
    assert {k: v for k, v in again.items() if k not in strip} == {k: v for k, v in out.items() if k not in strip}


def test_refuses_a_database_it_did_not_create(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "real.sqlite3"
    migrated_sqlite(db)
    from seguro_desempleo.services.registry import register_employer
    from seguro_desempleo.storage.uow import SqlUnitOfWork

    with SqlUnitOfWork(f"sqlite:///{db}") as uow:
        register_employer(uow, make_ruc(1), "Real SAC", size_class="large")
        uow.commit()
    assert main(["demo", "--workers", "20", "--months", "1", "--db", str(db)]) == 2
    assert "did not create" in capsys.readouterr().err
    assert main(["demo", "--workers", "5", "--db", str(tmp_path / "x.sqlite3")]) == 2
    assert "--workers" in capsys.readouterr().err


def test_cli_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo", "--workers", "40", "--months", "2", "--db", str(tmp_path / "d.sqlite3"),
                 "--format", "json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["months"] == 2 and out["workers"] == 40


def test_population_shape() -> None:
    st = build_population(5000, 1, __import__("datetime").date(2024, 1, 1))
    men = sum(w.sex == "M" for w in st.workers) / len(st.workers)
    assert 0.53 < men < 0.59
    pay_m = sum(w.pay for w in st.workers if w.sex == "M") / sum(w.sex == "M" for w in st.workers)
    pay_f = sum(w.pay for w in st.workers if w.sex == "F") / sum(w.sex == "F" for w in st.workers)
    assert pay_m > pay_f
    from stdnum.pe import ruc

    assert all(ruc.is_valid(r) for r in st.rucs)
    lima = sum(w.region == "Lima" for w in st.workers) / len(st.workers)
    assert 0.40 < lima < 0.52
