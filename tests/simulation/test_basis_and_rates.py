"""Issue 29 in the simulation's outputs: every summary says its basis, and ``compare`` puts each design's
rate for a reserve of 2 × spending (its ``microsim-<design>`` valuation) beside the ILO 2021 rate."""

from __future__ import annotations

import csv
import json
from decimal import Decimal
from pathlib import Path

import pytest

from seguro_desempleo.cli import main


def test_compare_has_each_designs_rate_beside_the_ilos(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["compare", "--designs", "bill,bahamas", "--persons", "4000", "--months", "12", "--burn-in", "12",
                 "--workers", "0", "--out", str(tmp_path)]) == 0
    capsys.readouterr()
    with open(tmp_path / "comparison.csv", encoding="utf-8") as fh:
        rows = {r["design"]: r for r in csv.DictReader(fh)}
    for design in ("bill", "bahamas"):
        assert rows[design]["basis"] == f"microsimulación del diseño {design}"
        assert rows[design]["ilo_2021_rate_pct"] == "1.1593"
        assert Decimal(rows[design]["rate_for_2x_reserve_pct"]) > 0
    # Bahamas pays 50 % for 3 months: cheaper than the bill on the same labour market
    assert Decimal(rows["bahamas"]["rate_for_2x_reserve_pct"]) < Decimal(rows["bill"]["rate_for_2x_reserve_pct"])
    bill = json.loads((tmp_path / "bill.json").read_text(encoding="utf-8"))
    assert bill["valuation"]["assumptions"] == "microsim-bill"


def test_simulate_says_its_basis(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["simulate", "--persons", "2000", "--months", "6", "--burn-in", "6", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["basis"] == "microsimulación del diseño bill"
    assert main(["simulate", "--persons", "2000", "--months", "6", "--burn-in", "6"]) == 0
    assert "microsimulación del diseño bill" in capsys.readouterr().out
