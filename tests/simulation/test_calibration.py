"""Calibration targets are data with sources; impossible targets are refused; the fit is close."""

from __future__ import annotations

import copy

import pytest

from seguro_desempleo.errors import ParameterError
from seguro_desempleo.simulation import outputs
from seguro_desempleo.simulation.calibration import build_model, load_targets, moments_targets
from seguro_desempleo.simulation.runner import RunSpec, run

TARGETS = load_targets()


def test_every_target_has_a_source_and_a_status() -> None:
    for group, items in TARGETS.items():
        if group == "separation_causes":
            assert items["source"] and items["status"] in ("verified", "assumption")
            continue
        for key, row in items.items():
            rows = row.values() if "value" not in row else [row]
            for r in rows:
                assert r.get("source"), f"{group}.{key} has no source"
                assert r.get("status") in ("verified", "assumption"), f"{group}.{key}"
    assert len(moments_targets(TARGETS)) >= 12


@pytest.mark.parametrize(("path", "value", "field"), [
    (("population", "unemployment_rate"), 1.5, "population.unemployment_rate"),
    (("flows", "formal_job_finding_rate"), 0.6, "flows.formal_job_finding_rate"),
    (("population", "employed"), 30_000_000, "population.employed"),
    (("flows", "separation_destinations"), [0.5, 0.5, 0.5, 0.5], "flows.separation_destinations"),
    (("informality", "region_offsets"), [0.5, 0.0, 0.0, 0.0], "informality.region_offsets"),
    (("flows", "formal_separation_rate"), 0.9, None),
])
def test_impossible_targets_are_refused(path: tuple[str, str], value: object, field: str | None) -> None:
    t = copy.deepcopy(TARGETS)
    t[path[0]][path[1]]["value"] = value
    with pytest.raises(ParameterError) as err:
        build_model(t)
    assert "impossible" in str(err.value) or "between" in str(err.value)
    if field:
        assert err.value.field == field
    assert "\n" not in err.value.one_line()


def test_simulated_moments_match_the_targets() -> None:
    result = run(RunSpec(persons=60_000, months=24, burn_in=24, seed=3))
    rows = {r["moment"]: r for r in outputs.calibration_report(result)}
    for name in ("population.unemployment_rate", "population.men_share_of_employed", "informality.rate",
                 "formal_jobs.public_share", "flows.formal_separation_rate", "flows.job_finding_rate",
                 "formal_jobs.wage_mean_men", "formal_jobs.wage_mean_women", "population.employed"):
        assert abs(rows[name]["relative_error"]) < 0.08, rows[name]
    assert rows["formal_jobs.private_size_shares"]["relative_error"] < 0.02
    md = outputs.calibration_markdown(list(rows.values()), result)
    assert "| informality.rate | 0.712 |" in md
