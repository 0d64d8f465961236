"""The claims chain (arts. 3, 5, 6): hand arithmetic, survival, benefits from the rules."""

from __future__ import annotations

import itertools
from decimal import Decimal
from pathlib import Path

import pytest
import yaml

from seguro_desempleo.actuarial.assumptions import ASSUMPTIONS_DIR, load_assumptions
from seguro_desempleo.actuarial.claims import (
    ClaimsChain,
    average_benefit,
    beneficiaries,
    claims_per_year,
    survival,
)
from seguro_desempleo.actuarial.design import DESIGN_DATE, apply_design
from seguro_desempleo.actuarial.projection import project
from seguro_desempleo.errors import ParameterError
from seguro_desempleo.parameters.model import default_parameters

D = Decimal
CHAIN = ClaimsChain(separation_rate=D("0.35"), involuntary_share=D("0.45"), qualifying_share=D("0.4"),
                    take_up=D("0.5"), reemployed_in_waiting_share=D("0.05"), mean_duration_months=D("4.5"),
                    leavers_wage_ratio=D("0.87"), wage_log_sd=D("0.5"))


def test_hand_arithmetic() -> None:
    # 1 000 000 insured × 0.35 × 0.45 × 0.4 × 0.5 × 0.95 = 29 925 claims; × 4.5 / 12 = 11 221.875 paid a month
    k = claims_per_year(D(1_000_000), CHAIN)
    assert k == D("29925.0000")
    assert beneficiaries(k, D("4.5")) == D("11221.875")


@pytest.mark.parametrize("mean", [D(1), D("2.5"), D("4.5"), D(5)])
def test_survival_sums_to_the_mean_duration(mean: Decimal) -> None:
    s = survival(mean, 5)
    assert abs(sum(s) - mean) < D("1e-9") and s[0] == 1
    assert all(a >= b for a, b in itertools.pairwise(s))


def test_average_benefit_from_the_rules() -> None:
    snap = default_parameters().at(DESIGN_DATE)
    full = [D(1)] * 5
    b = average_benefit(D(2000), D("0.5"), snap, full)
    assert abs(b - D(1200)) < D("0.5")  # 60 % average replacement of a mean 2 000 soles
    # a floor acts per claimant: it raises the average even though the average is above it
    floored = default_parameters().with_overrides({"benefits.floor": "1025"}).at(DESIGN_DATE)
    assert average_benefit(D(2000), D("0.5"), floored, full) > b + 50


def test_structural_set_lands_near_the_ilo_beneficiaries() -> None:
    structural = project(load_assumptions("structural-example"))
    ilo = project(load_assumptions("ilo-2021"))
    for ours, theirs in zip(structural.rows, ilo.rows, strict=True):
        if theirs.benefits:
            assert abs(ours.benefits / theirs.benefits - 1) < D("0.05"), ours.year


def test_design_recomputes_the_chain() -> None:
    a = load_assumptions("structural-example")
    ps = default_parameters().with_overrides({"benefits.cap": "1000"})
    capped = apply_design(a, ps)
    assert all(v <= 1000 for v in capped.average_monthly_benefit.values())
    assert capped.average_monthly_beneficiaries == a.average_monthly_beneficiaries


def test_missing_chain_figure(tmp_path: Path) -> None:
    raw = yaml.safe_load((ASSUMPTIONS_DIR / "structural-example.yaml").read_text(encoding="utf-8"))
    del raw["claims"]["take_up"]
    path = tmp_path / "chain.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    with pytest.raises(ParameterError) as err:
        load_assumptions(path)
    assert err.value.one_line() == "chain.yaml, field 'claims.take_up': missing figure"
