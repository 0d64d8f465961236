"""Designs as data: they load, refuse bad input, and move the indicators the expected way."""

from __future__ import annotations

from pathlib import Path

import pytest

from seguro_desempleo.errors import NotFoundError, ParameterError
from seguro_desempleo.simulation import outputs
from seguro_desempleo.simulation.designs import compile_design, list_designs, load_design
from seguro_desempleo.simulation.runner import RunSpec, run
from tests.simulation.helpers import MODEL

CEPAL = ("argentina", "bahamas", "barbados", "brazil", "chile", "ecuador", "uruguay", "venezuela")


def test_the_bill_its_variants_and_the_eight_cepal_schemes_are_there() -> None:
    names = set(list_designs())
    assert {"bill", "waiting_30_days", "flat_60", "phase1_medium_large", "phase2_small", "phase3_micro",
            "phase4_public", "bill_noncontributory", *CEPAL} <= names
    for name in names:
        design = load_design(name)
        assert design.source and design.label
        compile_design(design, MODEL)


def test_unknown_design_and_bad_files(tmp_path: Path) -> None:
    with pytest.raises(NotFoundError, match="unknown design 'atlantis'"):
        load_design("atlantis")
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: bad\noverrides:\n  requirements.waiting_period_days: 60\n", encoding="utf-8")
    with pytest.raises(ParameterError, match=r"art\. 7"):
        load_design(str(bad))
    bad.write_text("name: bad\nstructural:\n  teleport: 1\n", encoding="utf-8")
    with pytest.raises(ParameterError, match="unknown structural switch 'teleport'"):
        load_design(str(bad))
    bad.write_text("name: bad\noverrides:\n  requirements.qualifying_window_months: 48\n", encoding="utf-8")
    with pytest.raises(ParameterError, match="history kept"):
        compile_design(load_design(str(bad)), MODEL)


def _all(design: str) -> dict:
    r = run(RunSpec(design=design, persons=20_000, months=24, burn_in=24, seed=2))
    return outputs.by_group(r)["all"]


def test_coverage_grows_with_each_phase_and_the_variants_move_as_expected() -> None:
    cov = [_all(p)["coverage_of_employed"] for p in ("phase1_medium_large", "phase2_small", "phase3_micro",
                                                     "phase4_public")]
    assert cov == sorted(cov) and cov[0] < cov[-1]
    bill = _all("bill")
    assert bill["coverage_of_employed"] == cov[0]
    wait30 = _all("waiting_30_days")
    assert wait30["claims_per_year"] < bill["claims_per_year"]
    nc = _all("bill_noncontributory")
    assert nc["noncontributory_share_of_gdp"] > 0 and bill["noncontributory_share_of_gdp"] == 0
    assert nc["poverty_gap_reduction"] > bill["poverty_gap_reduction"]
    arg = _all("argentina")
    assert arg["average_duration_months"] > bill["average_duration_months"]
    uru = _all("uruguay")
    assert uru["eligibility_of_involuntary_losers"] > bill["eligibility_of_involuntary_losers"]
