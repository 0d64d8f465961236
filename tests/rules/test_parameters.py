"""Parameters of the law: metadata complete, values exact, bounds enforced with their article."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

from seguro_desempleo.errors import ParameterError
from seguro_desempleo.parameters import default_parameters, load_parameters
from seguro_desempleo.parameters.model import PARAMETERS_DIR, REFORMS_DIR, load_yaml

PARAMS = default_parameters()


@pytest.mark.parametrize("name", PARAMS.names())
def test_every_parameter_has_label_unit_and_reference(name: str) -> None:
    p = PARAMS[name]
    assert p.label and p.unit and p.description
    assert p.references and all(r.title for r in p.references)
    assert p.values


def test_numbers_are_exact_decimals_never_floats() -> None:
    def walk(v: object) -> None:
        assert not isinstance(v, float), v
        if isinstance(v, list):
            for x in v:
                walk(x)

    for name in PARAMS.names():
        for _, v in PARAMS[name].values:
            walk(v)
    assert PARAMS["financing.contribution_rate"].value_at(dt.date(2025, 1, 1)) == Decimal("0.0116")


def test_the_bill_values() -> None:
    s = PARAMS.at(dt.date(2025, 1, 1))
    assert s["benefits.rates"] == [Decimal("0.70"), Decimal("0.65"), Decimal("0.60"), Decimal("0.55"), Decimal("0.50")]
    assert s["requirements.qualifying_contributions"] == 12
    assert s["requirements.qualifying_window_months"] == 24
    assert s["benefits.reference_months"] == 12
    assert s["contingency.covered_causes"] == ["03", "04", "07", "15"]  # 15: cese colectivo, D.S. 003-97-TR art. 46(c)
    assert s["coverage.employer_sizes"] == ["medium", "large"]
    assert 7 <= s["requirements.waiting_period_days"] <= 30


def test_rmv_history_by_date() -> None:
    assert PARAMS.at(dt.date(2022, 4, 30))["economy.rmv"] == 930
    assert PARAMS.at(dt.date(2022, 5, 1))["economy.rmv"] == 1025
    assert PARAMS.at(dt.date(2025, 1, 1))["economy.rmv"] == 1130
    months = [2022 * 12 + 3, 2022 * 12 + 4, 2025 * 12]
    assert PARAMS.monthly_series("economy.rmv", months).tolist() == [93000, 102500, 113000]


@pytest.mark.parametrize("days", [6, 31, 0])
def test_waiting_period_outside_the_law_fails_citing_article_7(days: int) -> None:
    with pytest.raises(ParameterError) as err:
        PARAMS.with_overrides({"requirements.waiting_period_days": days})
    assert "art. 7" in str(err.value) and "requirements.waiting_period_days" in str(err.value)


def test_a_file_outside_the_bounds_fails_to_load(tmp_path: Path) -> None:
    d = tmp_path / "requirements"
    d.mkdir()
    src = (PARAMETERS_DIR / "requirements" / "waiting_period_days.yaml").read_text(encoding="utf-8")
    (d / "waiting_period_days.yaml").write_text(src.replace("2021-01-01: 7", "2021-01-01: 45"), encoding="utf-8")
    with pytest.raises(ParameterError, match=r"art\. 7"):
        load_parameters(tmp_path)


def test_a_file_without_reference_fails_to_load(tmp_path: Path) -> None:
    d = tmp_path / "benefits"
    d.mkdir()
    (d / "x.yaml").write_text("description: d\nlabel: l\nunit: months\nvalues: {2021-01-01: 1}\n", encoding="utf-8")
    with pytest.raises(ParameterError, match="missing 'reference'"):
        load_parameters(tmp_path)


def test_split_must_add_up_to_the_total() -> None:
    with pytest.raises(ParameterError, match=r"art\. 8"):
        PARAMS.with_overrides({"financing.employer_rate": "0.0060"})
    ok = PARAMS.with_overrides({"financing.employer_rate": "0.0060", "financing.cts_rate": "0.0056"})
    assert ok.at(dt.date(2025, 1, 1))["financing.cts_rate"] == Decimal("0.0056")


@pytest.mark.parametrize(("name", "value", "message"), [
    ("benefits.rates", "0.7,1.2", "above the maximum"),
    ("benefits.average_divisor", "median", "not one of"),
    ("requirements.qualifying_contributions", "x", "not a valid value"),
    ("requirements.qualifying_contributions", "11.5", "whole number"),
    ("nonexistent.parameter", "1", "unknown parameter"),
])
def test_bad_overrides_are_refused(name: str, value: str, message: str) -> None:
    with pytest.raises(ParameterError, match=message):
        PARAMS.with_overrides({name: value})


@pytest.mark.parametrize("reform", sorted(p.stem for p in REFORMS_DIR.glob("*.yaml")))
def test_every_reform_is_valid_and_changes_something(reform: str) -> None:
    data = load_yaml(REFORMS_DIR / f"{reform}.yaml")
    assert data["description"] and data["label"]
    ps = PARAMS.with_reform(reform)
    at = dt.date(2025, 1, 1)
    changed = [n for n in data["overrides"] if ps.at(at)[n] != PARAMS.at(at)[n]]
    assert changed == list(data["overrides"])


def test_unknown_reform() -> None:
    with pytest.raises(ParameterError, match="unknown reform 'nope'"):
        PARAMS.with_reform("nope")
