"""The ``evaluate`` and ``parameters`` commands, including every kind of bad input."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from seguro_desempleo.cli import main
from tests.rules.helpers import expand_contributions

GOOD: dict[str, Any] = {
    "id": "c1", "separation_date": "2025-03-31", "claim_date": "2025-04-15", "termination_cause": "03",
    "employer_size": "large", "registered_with_employment_service": True,
    "contributions": expand_contributions([{"months": "2024-04..2025-03", "remuneration": "2400.00"}]),
}


def run(tmp_path: Path, payload: Any, *args: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    f = tmp_path / "cases.json"
    f.write_text(payload if isinstance(payload, str) else json.dumps(payload), encoding="utf-8")
    code = main(["evaluate", str(f), *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_one_case_prints_one_decision(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(tmp_path, GOOD, capsys=capsys)
    assert code == 0
    d = json.loads(out)
    assert d["id"] == "c1" and d["eligible"] is True
    assert d["insurable_remuneration"] == "2400.00" and d["total"] == "7200.00"
    assert [b["rate"] for b in d["benefits"]] == ["0.70", "0.65", "0.60", "0.55", "0.50"]
    names = {p["name"] for p in d["trace"]["parameters"]}
    assert {"benefits.rates", "requirements.qualifying_contributions", "requirements.waiting_period_days"} <= names
    for p in d["trace"]["parameters"]:
        assert p["effective_date"] and p["reference"] and p["label"]


def test_a_list_and_overrides(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    late = {**GOOD, "id": "c2", "claim_date": "2025-04-10"}
    code, out, _ = run(tmp_path, [GOOD, late], "--param", "requirements.waiting_period_days=15", capsys=capsys)
    assert code == 0
    d1, d2 = json.loads(out)
    assert d1["eligible"] is True and d2["eligible"] is False  # 31/03 + 15 = 15/04 > 10/04


def test_at_date_selects_the_parameters(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(tmp_path, GOOD, "--at", "2025-04-15", "--reform", "flat_60", capsys=capsys)
    assert code == 0 and json.loads(out)["benefits"][0]["amount"] == "1440.00"


@pytest.mark.parametrize(("change", "needle"), [
    ({"separation_date": "2025-02-30"}, "case 'c1', field 'separation_date'"),
    ({"claim_date": "15/13/2025"}, "field 'claim_date'"),
    ({"claim_date": "2025-03-01"}, "before the separation"),
    ({"termination_cause": "42"}, "field 'termination_cause': unknown termination cause"),
    ({"termination_cause": 3}, "field 'termination_cause'"),
    ({"employer_size": "huge"}, "field 'employer_size': unknown size class"),
    ({"registered_with_employment_service": "yes"}, "field 'registered_with_employment_service'"),
    ({"contributions": [{"period": "2025-1", "remuneration": "10.00"}]}, "field 'contributions[0].period'"),
    ({"contributions": [{"period": "2025-01", "remuneration": "-10.00"}]}, "contributions[0].remuneration': amount -10.00 is negative"),
    ({"contributions": [{"period": "2025-01", "remuneration": "abc"}]}, "contributions[0].remuneration'"),
    ({"contributions": [{"period": "2025-01", "remuneration": 10.5}]}, "decimal string"),
    ({"contributions": [{"period": "2025-01", "remuneration": "1"}, {"period": "2025-01", "remuneration": "1"}]},
     "contributions[1].period': duplicated period 2025-01"),
    ({"contributions": [{"period": "2025-06", "remuneration": "1.00"}]}, "after the claim date"),
    ({"contributions": [{"remuneration": "1.00"}]}, "contributions[0].period': missing field"),
    ({"colour": "red"}, "unknown field(s): colour"),
])
def test_bad_input_gives_one_clear_line(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                        change: dict[str, Any], needle: str) -> None:
    code, out, err = run(tmp_path, {**GOOD, **change}, capsys=capsys)
    assert code == 2 and out == ""
    assert err.startswith("error: ") and needle in err, err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err


def test_missing_field(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    payload = {k: v for k, v in GOOD.items() if k != "employer_size"}
    code, _, err = run(tmp_path, payload, capsys=capsys)
    assert code == 2 and "case 'c1', field 'employer_size': missing field" in err


def test_override_outside_the_law(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(tmp_path, GOOD, "--param", "requirements.waiting_period_days=45", capsys=capsys)
    assert code == 2 and "art. 7" in err and "waiting_period_days" in err


def test_malformed_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(tmp_path, '{"id": ', capsys=capsys)
    assert code == 2 and "malformed JSON at line 1" in err


def test_parameters_command_lists_everything(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["parameters", "--at", "2025-06-01", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    by_name = {p["name"]: p for p in data["parameters"]}
    assert by_name["financing.contribution_rate"]["value"] == "0.0116"
    assert all(p["label"] and p["unit"] and p["reference"] for p in data["parameters"])
    assert main(["parameters", "--at", "2025-06-01"]) == 0
    assert "Tasa de aportación total" in capsys.readouterr().out
