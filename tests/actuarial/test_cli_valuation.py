"""The ``valuation`` command: JSON rows, solved rate, scenarios, stochastic, report, bad input."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

from seguro_desempleo.cli import main

FIELDS = ["year", "contribution_rate", "insurable_earnings", "contributions", "investment_income", "benefits",
          "admin_costs", "surplus", "reserve", "payg_rate", "reserve_ratio"]


def test_json_rows_have_the_issue_fields(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["valuation", "--assumptions", "ilo-2021", "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [r["year"] for r in rows] == list(range(2021, 2029))
    assert list(rows[0]) == FIELDS
    # soles (decision 0451): the ILO table's 2 686 738 thousand
    assert rows[-1]["reserve"] == "2686738000.00" and rows[-1]["reserve_ratio"] == "2.0"


def test_solve_rate_prints_the_bills_rate(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["valuation", "--assumptions", "ilo-2021", "--solve-rate", "reserve_multiple=2", "--format", "json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["rate_pct_rounded_up"] == "1.16" and out["year"] == 2028


def test_subcommands(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert main(["valuation", "run", "--scenario", "recession-2020", "--format", "csv", "--out", str(tmp_path)]) == 0
    assert capsys.readouterr().out.startswith(",".join(FIELDS))
    assert (tmp_path / "projection.csv").exists() and (tmp_path / "projection.json").exists()
    assert main(["valuation", "solve-rate", "gap=2"]) == 0
    assert json.loads(capsys.readouterr().out)["target"] == "gap"
    assert main(["valuation", "stress", "--format", "json"]) == 0
    stress = json.loads(capsys.readouterr().out)
    assert {s["scenario"] for s in stress} >= {"base", "recession-2009", "recession-2020", "coverage-small-firms"}
    assert main(["valuation", "stochastic", "--runs", "300", "--seed", "4", "--years", "10", "--format", "json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert len(summary["depletion_probability"]) == 10
    assert main(["valuation", "tornado", "--format", "json"]) == 0
    assert len(json.loads(capsys.readouterr().out)) == 7


def test_design_override_changes_the_projection(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["valuation", "--param", "benefits.rates=0.6,0.6,0.6,0.6,0.6", "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    # 60 % flat is the same average replacement as 70/65/60/55/50: same benefits
    assert rows[-1]["benefits"] == "1004872000.00"          # soles (decision 0451): 1 004 872 thousand
    assert main(["valuation", "--param", "benefits.rates=0.7,0.7,0.7,0.7,0.7", "--format", "json"]) == 0
    assert Decimal(json.loads(capsys.readouterr().out)[-1]["benefits"]) > Decimal("1004872000")
    assert main(["valuation", "--rate", "1.5", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)[0]["contribution_rate"] == "1.50"


@pytest.mark.parametrize(("argv", "message"), [
    (["valuation", "--assumptions", "ilo-1999"], "field 'assumptions': unknown assumption set 'ilo-1999'"),
    (["valuation", "--scenario", "boom"], "field 'scenario': unknown scenario 'boom'"),
    (["valuation", "--rate", "-1"], "field '--rate': must not be negative"),
    (["valuation", "--format", "xml"], "field '--format': unknown format 'xml'"),
    (["valuation", "--solve-rate", "reserve_multiple=500"], "field 'reserve_multiple': target cannot be reached"),
    (["valuation", "--solve-rate", "magic"], "field '--solve-rate': unknown target 'magic'"),
    (["valuation", "stochastic", "--runs", "0"], "field 'runs': must be at least 1"),
])
def test_bad_input_is_one_line(argv: list[str], message: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: ") and message in err and "\n" not in err


def test_report_writes_html_charts_and_tables(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["valuation", "report", "--out", str(tmp_path), "--runs", "200"]) == 0
    html = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert "Cuadro 1. Proyección de ingresos y gastos" in html and "2\u202f686\u202f738" in html
    assert "Conciliación con el cuadro publicado" in html
    assert "Reserva a fin de 2028: 2\u202f686\u202f738" in html  # half-up, not truncated
    for name in ("projection", "beneficiaries", "metrics", "stress", "tornado", "stochastic_fan", "golden_comparison"):
        assert (tmp_path / f"{name}.csv").exists() and (tmp_path / f"{name}.json").exists()
    for chart in ("chart_fan.png", "chart_tornado.png", "chart_reserve_scenarios.png", "chart_payg.png"):
        assert (tmp_path / chart).read_bytes()[:4] == b"\x89PNG"
    assert (tmp_path / "report.pdf").read_bytes()[:4] == b"%PDF"
    golden = json.loads((tmp_path / "golden_comparison.json").read_text(encoding="utf-8"))
    assert all(abs(v) <= 1 for row in golden for k, v in row.items() if isinstance(v, int) and k != "year")


def test_top_level_out_writes_the_report(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The issue's form: ``valuation --assumptions ilo-2021 --scenario NAME --out DIR``."""
    assert main(["valuation", "--assumptions", "ilo-2021", "--scenario", "recession-2009", "--out", str(tmp_path),
                 "--runs", "100", "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert Decimal(rows[-1]["reserve"]) < Decimal("2686738000")
    assert (tmp_path / "report.html").exists() and (tmp_path / "projection.csv").exists()
    assert "recession-2009" in (tmp_path / "report.html").read_text(encoding="utf-8")
