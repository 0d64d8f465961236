"""The payroll and ledger commands end to end (SQLite file via --db and SEGURO_DB_URL)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from seguro_desempleo.cli import main
from tests.payroll.helpers import dni, make_ruc, write_rem


def test_payroll_and_ledger_commands(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    db = str(tmp_path / "cli.sqlite3")
    monkeypatch.setenv("SEGURO_DB_URL", db)
    assert main(["db", "init"]) == 0
    ruc = make_ruc(31)
    assert main(["payroll", "employer", "--ruc", ruc, "--name", "Minera Andina SA", "--sales-uit", "9000"]) == 0
    assert "covered in the current phase" in capsys.readouterr().out
    good = write_rem(tmp_path, ruc, "2025-01", [("01", dni(1), "0121", "5000", "5000")])
    assert main(["payroll", "import", str(good), "--format", "json", "--as-of", "2025-06-01"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["accepted"] == 1 and out["contribution_due"] == "58.00"
    assert main(["payroll", "import", str(good), "--db", db]) == 0
    assert "already imported, nothing changed" in capsys.readouterr().out

    bad_dir = tmp_path / "bad"
    bad_dir.mkdir()
    bad = write_rem(bad_dir, make_ruc(32), "2025-01", [("01", dni(1), "0121", "50,00", "5000")])
    # A rejected file exits with status 1 (run through click's standalone mode: cli.main drops
    # the return value of a typer.Exit in non-standalone mode).
    from typer.testing import CliRunner

    from seguro_desempleo.cli import build_app

    res = CliRunner().invoke(build_app(), ["payroll", "import", str(bad), "--as-of", "2025-06-01"])
    assert res.exit_code == 1
    assert f"{bad}:1: field 'devengado'" in res.output

    assert main(["payroll", "arrears", "--at", "2025-04-01", "--format", "json"]) == 0
    (arrear,) = json.loads(capsys.readouterr().out)
    assert arrear["outstanding"] == "58.00" and arrear["months_late"] == 2
    assert main(["payroll", "pay", "--ruc", ruc, "--period", "2025-01", "--amount", "58.00",
                 "--date", "2025-02-12"]) == 0
    assert "outstanding S/ 0.00" in capsys.readouterr().out
    assert main(["payroll", "pay", "--ruc", ruc, "--period", "2025-01", "--amount", "58.001"]) == 2
    assert "field '--amount'" in capsys.readouterr().err
    assert main(["payroll", "history", "--doc-type", "01", "--doc-number", dni(1), "--from", "2024-01",
                 "--to", "2025-12", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out) == [{"period": "2025-01", "insurable_pay": "5000.00", "paid": True}]

    assert main(["payroll", "worker", "--doc-type", "01", "--doc-number", dni(1), "--sex", "F",
                 "--birth-date", "14/02/1990", "--name", "Ana Quispe"]) == 0
    assert "worker registered" in capsys.readouterr().out
    assert main(["payroll", "worker", "--doc-type", "01", "--doc-number", "123"]) == 2
    assert "DNI" in capsys.readouterr().err
    # a passport (07) is one person per issuing country (decision 0411): two countries, two workers
    assert main(["payroll", "worker", "--doc-type", "07", "--doc-number", "AB123456", "--doc-country", "218"]) == 0
    first = capsys.readouterr().out
    assert main(["payroll", "worker", "--doc-type", "07", "--doc-number", "AB123456", "--doc-country", "862"]) == 0
    second = capsys.readouterr().out
    assert "worker registered" in first and "worker registered" in second and first != second
    assert main(["ledger", "trial-balance", "--format", "json"]) == 0
    tb = json.loads(capsys.readouterr().out)
    assert tb["balanced"] and tb["total_debit"] == "116.00"
    assert main(["ledger", "balance"]) == 0
    assert "S/ 58.00" in capsys.readouterr().out
    assert main(["ledger", "verify"]) == 0
    assert main(["ledger", "balance", "--format", "xml"]) == 2


def test_a_database_without_its_schema_is_one_line_not_a_traceback(tmp_path: Path,
                                                                   capsys: pytest.CaptureFixture[str]) -> None:
    db = f"sqlite:///{tmp_path / 'nunca_iniciada.sqlite3'}"
    good = write_rem(tmp_path, make_ruc(33), "2025-01", [("01", dni(1), "0121", "5000", "5000")])
    assert main(["payroll", "import", str(good), "--db", db, "--as-of", "2025-06-01"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "db init" in err and "Traceback" not in err
    assert main(["db", "init", "--db", db]) == 0
    capsys.readouterr()
    assert main(["payroll", "import", str(good), "--db", db, "--as-of", "2025-06-01"]) == 0
