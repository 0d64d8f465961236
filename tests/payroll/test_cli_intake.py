"""Issue 31 through the CLI: an employer's export folder (with .jor, .snl, .tra and files the
insurance does not need) exits 0; notices are printed and in --format json; `payroll concept`
registers an employer's EsSalud flag for 1001-1040 and refuses other codes in one line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from seguro_desempleo.cli import build_app, main

FILES = Path(__file__).parent / "files"


def test_export_folder_exits_0_with_notices(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'cli.sqlite3'}"
    app = build_app()
    r = CliRunner().invoke(app, ["db", "init", "--db", db])
    assert r.exit_code == 0, r.output
    folder = [str(p) for p in sorted((FILES / "erp").iterdir())]
    r = CliRunner().invoke(app, ["payroll", "import", *folder, "--as-of", "2025-04-20", "--db", db,
                                 "--format", "json"])
    assert r.exit_code == 0, r.output
    out = json.loads(r.output)
    assert (out["rejected"], out["skipped"], out["notices"]) == (0, 3, 4)
    rem = next(f for f in out["details"] if f["file"].endswith(".rem"))
    assert [(n["line"], n["code"]) for n in rem["notices"]] == [(2, "line_summed")]
    assert rem["contribution_due"] == "31.09"  # 17.98 + 13.11 (test_real_world_files)
    r = CliRunner().invoke(app, ["payroll", "import", str(FILES / "otros" / "060120250320000000346.rem"),
                                 "--as-of", "2025-04-20", "--db", db])
    assert r.exit_code == 0
    assert "notice: " in r.output and ":2: field 'concepto'" in r.output and "45678930" not in r.output


def test_concept_flag_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = str(tmp_path / "cli.sqlite3")
    assert main(["db", "init", "--db", db]) == 0
    assert main(["payroll", "concept", "--ruc", "20000000346", "--concept", "1001", "--essalud", "si",
                 "--db", db]) == 0
    assert "concept 1001: counted" in capsys.readouterr().out
    assert main(["payroll", "concept", "--ruc", "20000000346", "--concept", "0121", "--essalud", "si",
                 "--db", db]) != 0
    err = capsys.readouterr().err
    assert "--concept" in err and "Traceback" not in err and len(err.strip().splitlines()) == 1
    assert main(["payroll", "concept", "--ruc", "20000000346", "--concept", "1002", "--essalud", "quizas",
                 "--db", db]) != 0
    err = capsys.readouterr().err
    assert "--essalud" in err and "Traceback" not in err
