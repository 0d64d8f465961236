"""Bad assumption input: one-line errors naming the file, year and field."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from seguro_desempleo.actuarial.assumptions import ASSUMPTIONS_DIR, available_sets, load_assumptions
from seguro_desempleo.errors import NotFoundError, ParameterError

BASE = yaml.safe_load((ASSUMPTIONS_DIR / "ilo-2021.yaml").read_text(encoding="utf-8"))


def _write(tmp_path: Path, raw: dict[str, Any]) -> Path:
    path = tmp_path / "mine.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    return path


def test_shipped_sets_and_every_figure_has_a_source() -> None:
    assert "ilo-2021" in available_sets()
    a = load_assumptions("ilo-2021")
    for key in ("scalars.contribution_rate", "scalars.admin_cost_rate", "series.insurable_earnings",
                "series.average_monthly_beneficiaries", "series.average_monthly_benefit",
                "series.real_interest_rate", "macro", "conventions.interest_crediting"):
        assert a.sources[key], key
    for name, entry in BASE["series"].items():
        assert entry.get("source"), name
    for name, entry in BASE["scalars"].items():
        assert entry.get("source"), name


def test_unknown_set() -> None:
    with pytest.raises(NotFoundError, match=r"unknown assumption set 'ilo-1999'"):
        load_assumptions("ilo-1999")


def test_missing_year(tmp_path: Path) -> None:
    raw = yaml.safe_load(yaml.safe_dump(BASE))
    del raw["series"]["insurable_earnings"]["values"][2025]
    with pytest.raises(ParameterError) as err:
        load_assumptions(_write(tmp_path, raw))
    assert err.value.one_line() == "mine.yaml, field 'series.insurable_earnings': missing year 2025"


def test_missing_figure(tmp_path: Path) -> None:
    raw = yaml.safe_load(yaml.safe_dump(BASE))
    del raw["scalars"]["contribution_rate"]
    with pytest.raises(ParameterError, match=r"scalars.contribution_rate.*missing figure"):
        load_assumptions(_write(tmp_path, raw))


def test_negative_rate(tmp_path: Path) -> None:
    raw = yaml.safe_load(yaml.safe_dump(BASE))
    raw["scalars"]["admin_cost_rate"]["value"] = "-0.0025"
    with pytest.raises(ParameterError, match=r"admin_cost_rate.*must not be negative"):
        load_assumptions(_write(tmp_path, raw))


def test_percent_written_as_number_is_refused(tmp_path: Path) -> None:
    raw = yaml.safe_load(yaml.safe_dump(BASE))
    raw["scalars"]["contribution_rate"]["value"] = "1.16"
    with pytest.raises(ParameterError, match=r"write 0.0116"):
        load_assumptions(_write(tmp_path, raw))


def test_negative_beneficiaries_names_year(tmp_path: Path) -> None:
    raw = yaml.safe_load(yaml.safe_dump(BASE))
    raw["series"]["average_monthly_beneficiaries"]["values"][2024] = -5
    with pytest.raises(ParameterError, match=r"average_monthly_beneficiaries.*2024"):
        load_assumptions(_write(tmp_path, raw))


def test_not_a_number(tmp_path: Path) -> None:
    raw = yaml.safe_load(yaml.safe_dump(BASE))
    raw["series"]["real_interest_rate"]["values"][2023] = "dos"
    with pytest.raises(ParameterError, match=r"real_interest_rate\[2023\].*'dos' is not a number"):
        load_assumptions(_write(tmp_path, raw))


def test_unknown_convention(tmp_path: Path) -> None:
    raw = yaml.safe_load(yaml.safe_dump(BASE))
    raw["conventions"]["interest_crediting"] = "monthly"
    with pytest.raises(ParameterError, match=r"conventions.interest_crediting"):
        load_assumptions(_write(tmp_path, raw))
