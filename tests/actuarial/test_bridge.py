"""The bridge from covered workers to benefits (issue 29): hand arithmetic, the ILO column from the
published table, the simulation column from a real run, and the decomposition multiplying to the gap."""

from __future__ import annotations

import json
from decimal import Decimal as D

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from seguro_desempleo.actuarial.assumptions import load_assumptions
from seguro_desempleo.actuarial.bridge import (
    Flows,
    bridge_table,
    decompose,
    ilo_flows,
    incidence_split,
    sim_flows,
)
from seguro_desempleo.cli import main
from seguro_desempleo.simulation import outputs
from seguro_desempleo.simulation.runner import RunSpec, run


def _flows(**kw: object) -> Flows:
    base = dict(basis="x", year=None, contributors=D(1000), insured=None, insurable_pay_year=D(24_000_000),
                separations_year=D(400), involuntary_year=D(300), eligible_year=D(200), claims_year=D(160),
                mean_duration=D(3), claimants_pay=D(1800), average_benefit=D(1200), beneficiaries=D(40),
                benefits_year=D(576_000))
    base.update(kw)
    return Flows(**base)  # type: ignore[arg-type]


def test_hand_case_rows_and_decomposition() -> None:
    # Hand arithmetic: w = 24,000,000 / (12 · 1000) = 2000; separation rate 400/1000 = 0.4; involuntary 300/400;
    # eligible 200/300; take-up 160/200 = 0.8; N = 160 · 3 / 12 = 40; B = 12 · 40 · 1200 = 576,000; β = 2.4 %.
    sim = _flows()
    rows = {r["step"]: r for r in bridge_table(_flows(contributors=D(2000), insurable_pay_year=D(48_000_000),
                                                      claims_year=D(80), mean_duration=D(5), average_benefit=D(1000),
                                                      beneficiaries=D("33.3333"), benefits_year=D(400_000)), sim)}
    assert rows["average_pay"]["sim"] == "2000" and rows["separation_rate"]["sim"] == "0.4000"
    assert rows["involuntary_share"]["sim"] == "0.7500" and rows["eligibility"]["sim"] == "0.6667"
    assert rows["takeup"]["sim"] == "0.8000" and rows["claims_per_contributor"]["sim"] == "0.1600"
    assert rows["cost_rate"]["sim"] == "0.0240" and rows["benefit_over_pay"]["sim"] == "0.6000"
    ilo = _flows(contributors=D(2000), insurable_pay_year=D(48_000_000), claims_year=D(80), mean_duration=D(5),
                 average_benefit=D(1000), beneficiaries=D(80) * 5 / 12, benefits_year=D(80) * 5 * 1000)
    dec = decompose(ilo, sim)
    by = {f["factor"]: f["sim_over_ilo"] for f in dec["factors"]}
    # coverage 1000/2000; pay 2000/2000; incidence 0.16/0.04 = 4; duration 3/5; b/w 0.6/0.5
    assert by == {"contributors": D("0.5"), "average_pay": D(1), "claims_per_contributor": D(4),
                  "mean_duration": D("0.6"), "benefit_over_pay": D("1.2")}
    assert dec["product"] == dec["benefits_ratio"] == D("1.44")      # 576,000 / 400,000
    assert dec["cost_rate_product"] == dec["cost_rate_ratio"] == D("2.88")  # 2.4 % / (400,000 / 48 M)


def test_ilo_column_from_the_published_table() -> None:
    ilo = ilo_flows(load_assumptions("ilo-2021"))
    # 2022: C = 3.5 M × 1.067 (ILO employment growth); E = 96,948,483 thousand soles; N = 53,806; b ≈ 1,137.
    assert ilo.contributors == D("3734500.000")
    assert ilo.average_pay.quantize(D("0.01")) == D("2163.35")
    assert (ilo.benefits_year / 1000).quantize(D(1)) == D(733_940)   # the ILO's 2022 benefits, thousand soles
    assert ilo.claims_year == D(12) * 53806 / 5 and ilo.duration_assumed
    assert ilo.cost_rate.quantize(D("0.0001")) == D("0.0076")
    row = {r["step"]: r for r in bridge_table(ilo, ilo)}
    assert row["separation_rate"]["ilo"] is None and row["separation_rate"]["ilo_basis"] == "no publicado"
    assert row["mean_duration"]["ilo_basis"] == "supuesto (no publicado)"


@pytest.fixture(scope="module")
def small_run():  # type: ignore[no-untyped-def]
    return run(RunSpec(design="bill", persons=20_000, months=24, burn_in=24, seed=3, engine="numpy"))


def test_sim_column_agrees_with_the_simulation_outputs(small_run) -> None:  # type: ignore[no-untyped-def]
    sim = sim_flows(small_run)
    ind = outputs.indicators(small_run, outputs._totals(small_run.acc))
    assert int(sim.beneficiaries) == ind["average_monthly_beneficiaries"]
    assert abs(sim.benefits_year * 100 - ind["benefit_paid_per_year_cents"]) <= 1
    assert float(sim.cost_rate) == pytest.approx(ind["cost_share_of_insurable_pay"], abs=1e-4)
    assert float(sim.mean_duration) == pytest.approx(ind["average_duration_months"], abs=1e-4)
    # the chain closes: claims = separations × involuntary × eligible × take-up
    steps = {r["step"]: r["sim"] for r in incidence_split(ilo_flows(load_assumptions("ilo-2021")), sim)}
    product = steps["separation_rate"] * steps["involuntary_share"] * steps["eligibility"] * steps["takeup"]
    assert abs(product - sim.claims_per_contributor) < D("1e-20")
    dec = decompose(ilo_flows(load_assumptions("ilo-2021")), sim)
    assert abs(dec["product"] - dec["benefits_ratio"]) < D("1e-20")


def test_ilo_basis_run_and_its_decomposition(capsys: pytest.CaptureFixture[str]) -> None:
    """The bill's rules on the ILO's year, coverage and pay: pay lands on the ILO's, and the remaining gap
    in beneficiaries and benefits is fully explained by the factors (their product is the gap)."""
    assert main(["valuation", "bridge", "--persons", "30000", "--months", "24", "--format", "json"]) == 0
    out = json.loads(capsys.readouterr().out)
    rows = {r["step"]: r for r in out["bridge"]}
    assert abs(D(rows["average_pay"]["sim_over_ilo"]) - 1) < D("0.05")          # pay level matched
    assert D("0.75") < D(rows["contributors"]["sim_over_ilo"]) < D("1.05")        # coverage ≈ 3.5 M
    product = D(1)
    for f in out["factors"]:
        product *= D(f["sim_over_ilo"])
    assert abs(product - D(out["benefits_ratio"])) < D("0.01")                    # rounding of 5 factors
    assert D(out["valuation"]["ilo_rate_pct"]) == D("1.1593")
    assert out["basis_sim"] == "microsimulación del diseño ilo2021_basis"


def test_bridge_bad_duration_is_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["valuation", "bridge", "--ilo-duration", "0"]) == 2
    err = capsys.readouterr().err
    assert "--ilo-duration" in err and "Traceback" not in err and len(err.strip().splitlines()) == 1


positive = st.decimals(min_value=D("0.001"), max_value=D(10_000_000), allow_nan=False, allow_infinity=False,
                       places=3)


@settings(max_examples=150, deadline=None)
@given(c=positive, k=positive, d=st.decimals(min_value=1, max_value=5, places=2), w=positive, r=positive,
       c2=positive, k2=positive, d2=st.decimals(min_value=1, max_value=5, places=2), w2=positive, r2=positive)
def test_decomposition_always_multiplies_to_the_gap(c: D, k: D, d: D, w: D, r: D, c2: D, k2: D, d2: D, w2: D,
                                                    r2: D) -> None:
    """For any two consistent columns (N = K·d̄/12, b = r·w, E = 12·C·w, B = 12·N·b) the five factors multiply
    to the ratio of benefits, and the three without coverage and pay to the ratio of the cost rate."""
    def col(c: D, k: D, d: D, w: D, r: D) -> Flows:
        n = c * k * d / 12
        return _flows(contributors=c, insurable_pay_year=12 * c * w, claims_year=c * k, mean_duration=d,
                      average_benefit=r * w, beneficiaries=n, benefits_year=12 * n * r * w)

    dec = decompose(col(c, k, d, w, r), col(c2, k2, d2, w2, r2))
    assert abs(dec["product"] / dec["benefits_ratio"] - 1) < D("1e-20")
    assert abs(dec["cost_rate_product"] / dec["cost_rate_ratio"] - 1) < D("1e-20")


def test_every_cli_projection_says_its_basis(capsys: pytest.CaptureFixture[str]) -> None:
    basis = "OIT 2021 (valuación actuarial citada en el PL 5510/2022-CR)"
    assert main(["valuation", "solve-rate", "reserve_multiple=2"]) == 0
    assert json.loads(capsys.readouterr().out)["basis"] == basis
    for cmd in (["valuation"], ["valuation", "stress"], ["valuation", "tornado"],
                ["valuation", "stochastic", "--runs", "50"]):
        assert main(cmd) == 0
        out = " ".join(capsys.readouterr().out.split())
        assert "base: OIT 2021" in out, cmd


def test_bridge_on_a_run_too_small_to_claim_is_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["valuation", "bridge", "--design", "bill", "--persons", "1", "--months", "1"]) == 2
    err = capsys.readouterr().err
    assert "--persons" in err and "Traceback" not in err and len(err.strip().splitlines()) == 1
