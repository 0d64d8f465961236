"""``microsim-<design>``: a valuation assumption set built from simulated flows solves a rate (issue 29)."""

from __future__ import annotations

import json
from decimal import Decimal as D

import pytest

from seguro_desempleo.actuarial.assumptions import load_assumptions
from seguro_desempleo.actuarial.bridge import sim_flows
from seguro_desempleo.actuarial.microsim import assumptions_from_result, valuation_of
from seguro_desempleo.actuarial.projection import project
from seguro_desempleo.actuarial.valuation import solve
from seguro_desempleo.cli import main
from seguro_desempleo.simulation.runner import RunSpec, run


@pytest.fixture(scope="module")
def result():  # type: ignore[no-untyped-def]
    return run(RunSpec(design="bill", persons=20_000, months=24, burn_in=24, seed=2, engine="numpy"))


def test_set_carries_the_simulated_cost_rate_on_the_ilo_frame(result) -> None:  # type: ignore[no-untyped-def]
    a = assumptions_from_result(result)
    ilo = load_assumptions("ilo-2021")
    assert a.name == "microsim-bill" and a.insurable_earnings == ilo.insurable_earnings
    assert a.contribution_rate == D("0.0116") and a.benefit_start_year == 2022
    beta = sim_flows(result).cost_rate
    for row in project(a).rows:
        if row.year >= 2022:   # B_t = 12 · N_t · b_t = (N/C)(b/w) · E_t
            assert abs(row.benefits / row.insurable_earnings - beta) < D("1e-20")
        else:
            assert row.benefits == 0   # the year of latency
    assert "microsimulation of design bill" in a.sources["series.average_monthly_beneficiaries"]


def test_set_solves_a_rate_for_the_reserve_target(result) -> None:  # type: ignore[no-untyped-def]
    a = assumptions_from_result(result)
    solved = solve(a, "reserve_multiple=2")
    rate = D(solved["rate"])
    final = project(a.replace(contribution_rate=rate)).rows[-1]
    assert abs(final.reserve - 2 * (final.benefits + final.admin_costs)) < D(5)   # thousand soles
    # higher simulated incidence than the ILO's → a higher rate than the ILO's 1.1593 %
    v = valuation_of(result)
    assert D(v["rate_pct"]) > D(v["ilo_rate_pct"]) == D("1.1593")
    assert v["basis"] == "microsimulación del diseño bill"


def test_load_by_name_and_cli(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("SEGURO_MICROSIM_PERSONS", "20000")
    monkeypatch.setenv("SEGURO_MICROSIM_MONTHS", "24")
    assert main(["valuation", "--assumptions", "microsim-flat_60", "--solve-rate", "reserve_multiple=2",
                 "--format", "json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["basis"] == "microsimulación del diseño flat_60" and D(out["rate_pct"]) > 0


def test_unknown_design_is_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["valuation", "--assumptions", "microsim-atlantis"]) == 2
    err = capsys.readouterr().err
    assert "unknown design 'atlantis'" in err and "Traceback" not in err


def test_tornado_ranges_come_from_targets_and_move_the_rate(result) -> None:  # type: ignore[no-untyped-def]
    from seguro_desempleo.actuarial.microsim import rate_tornado, tornado_ranges

    ranges = tornado_ranges()
    assert ranges["separation_rate"][1:] == (D("0.012"), D("0.045"))
    rows = {r["factor"]: r for r in rate_tornado(result)}
    for r in rows.values():
        lo_scale, hi_scale = r["low"] / r["central"], r["high"] / r["central"]
        # benefits are proportional to each factor: the rate moves the same way as the factor
        assert (r["rate_low"] < r["rate_central"]) == (lo_scale < 1)
        assert (r["rate_high"] > r["rate_central"]) == (hi_scale > 1)
    # a 1.2 % monthly separation rate (Céspedes' 3.6 % read as quarterly) brings the rate near the ILO's
    assert rows["separation_rate"]["rate_low"] < D("0.016")
