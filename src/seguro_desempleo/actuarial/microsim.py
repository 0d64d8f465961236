"""Assumption sets built from simulated flows: ``microsim-<design>`` (arts. 8 and 10).

The microsimulation (``seguro_desempleo.simulation``) runs the design on the synthetic labour market and
measures, per contributor, the two ratios that fix the cost of benefits:

- n = N / C   average monthly beneficiaries per average monthly contributor (claims per contributor ×
  months paid / 12: separations, involuntary share, 12-in-24, waiting period, take-up and duration);
- r = b / w   the average benefit over the average insurable pay of contributors (the art. 5 schedule
  applied per claimant to the claimants' own pay, floor and cap included).

The set keeps the ILO valuation's economic frame — years 2021-2028, insurable earnings E_t, contributors
C_t, the macro path, interest, the year of latency and admin at 0.25 % of E — and replaces its
beneficiaries and benefit by the simulated ratios:

    N_t = n · C_t,      b_t = r · w_t,      w_t = E_t · 1000 / (12 · C_t)

so benefits are B_t = 12·N_t·b_t = n·r·E_t: the benefit cost rate of the simulated design on the ILO's
earnings. The contribution rate is the design's (art. 8). The rate solved on this set answers "is the
rate enough?" for the design with the simulation's claims chain. See docs/reconciliation.md and
docs/decisions/0360-microsim-assumption-set.md.
"""

from __future__ import annotations

import os
from decimal import Decimal
from functools import lru_cache
from typing import Any

from seguro_desempleo.actuarial.assumptions import Assumptions, load_assumptions
from seguro_desempleo.errors import InputError, NotFoundError

D = Decimal
PREFIX = "microsim-"
BASE_SET = "ilo-2021"
DEFAULT_PERSONS = 200_000
DEFAULT_MONTHS = 60
DEFAULT_BURN_IN = 24
DEFAULT_SEED = 1


def _env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None:
        return default
    try:
        return int(raw)
    except ValueError:
        raise InputError(f"'{raw}' is not an integer", field=name) from None


@lru_cache(maxsize=32)
def simulate_design(design: str, persons: int, months: int, seed: int, burn_in: int,
                    targets: str | None = None) -> Any:
    """Run *design* once per process (cached): the ``Result`` of the simulation."""
    from seguro_desempleo.simulation.runner import RunSpec, run

    spec = RunSpec(design=design, persons=persons, months=months, seed=seed, burn_in=burn_in,
                   engine="auto", targets=targets)
    return run(spec)


def ratios(result: Any) -> dict[str, Decimal]:
    """n = N/C and r = b/w of a simulation result (exact Decimal from the integer accumulators)."""
    from seguro_desempleo.actuarial.bridge import sim_flows

    f = sim_flows(result)
    if f.contributors == 0 or f.insurable_pay_year == 0:
        raise InputError(f"design '{result.design}' covers nobody in the simulation", field="design")
    return {"beneficiaries_per_contributor": f.beneficiaries / f.contributors,
            "benefit_over_pay": f.benefit_over_pay, "cost_rate": f.cost_rate,
            "claims_per_contributor": f.claims_per_contributor, "mean_duration": f.mean_duration}


def assumptions_from_result(result: Any, base: Assumptions | None = None) -> Assumptions:
    """The ``microsim-<design>`` set from a simulation result over the ILO frame (*base*)."""
    a = base or load_assumptions(BASE_SET)
    q = ratios(result)
    n, r = q["beneficiaries_per_contributor"], q["benefit_over_pay"]
    years = range(a.benefit_start_year, a.last_year + 1)
    n_series = {y: n * a.contributors[y] for y in years}
    b_series = {y: r * a.insurable_earnings[y] * 1000 / (12 * a.contributors[y]) for y in years}
    spec = result.spec
    run = (f"{spec.persons:,} personas × {spec.months} meses (calentamiento {spec.burn_in}), semilla {spec.seed}")
    sources = dict(a.sources)
    sources["series.average_monthly_beneficiaries"] = (
        f"microsimulation of design {result.design}: N/C = {n:.6f} × contributors of the ILO set ({run})")
    sources["series.average_monthly_benefit"] = (
        f"microsimulation of design {result.design}: b/w = {r:.6f} × the ILO set's average insurable pay ({run})")
    sources["scalars.contribution_rate"] = f"design {result.design}: financing.contribution_rate (art. 8)"
    rate = D(result.contribution_rate) / D(10**6) if result.contribution_rate else a.contribution_rate
    return a.replace(
        name=f"{PREFIX}{result.design}", title=f"Microsimulación del diseño {result.design} ({result.label})",
        where=f"{PREFIX}{result.design}", average_monthly_beneficiaries=n_series,
        average_monthly_benefit=b_series, contribution_rate=rate, sources=sources, claims=None)


def microsim_assumptions(design: str) -> Assumptions:
    """``load_assumptions("microsim-<design>")``: run the design (size from the environment variables
    SEGURO_MICROSIM_PERSONS / _MONTHS / _SEED, defaults 200,000 × 60 months, seed 1) and build the set."""
    from seguro_desempleo.simulation.designs import list_designs

    if not design:
        raise NotFoundError(f"'{PREFIX}' needs a design (known: {', '.join(list_designs())})", field="assumptions")
    if design not in list_designs() and not design.endswith((".yaml", ".yml")):
        raise NotFoundError(f"unknown design '{design}' in '{PREFIX}{design}' (known: {', '.join(list_designs())})",
                            field="assumptions")
    persons = _env_int("SEGURO_MICROSIM_PERSONS", DEFAULT_PERSONS)
    months = _env_int("SEGURO_MICROSIM_MONTHS", DEFAULT_MONTHS)
    seed = _env_int("SEGURO_MICROSIM_SEED", DEFAULT_SEED)
    result = simulate_design(design, persons, months, seed, DEFAULT_BURN_IN)
    return assumptions_from_result(result)


@lru_cache(maxsize=1)
def ilo_rate() -> dict[str, str]:
    """The ILO set's own rate for a reserve of twice the last year's spending (1.1593 % → 1.16 %)."""
    from seguro_desempleo.actuarial.valuation import solve

    r = solve(load_assumptions(BASE_SET), "reserve_multiple=2")
    return {"rate_pct": r["rate_pct"], "rate_pct_rounded_up": r["rate_pct_rounded_up"]}


def valuation_of(result: Any) -> dict[str, Any]:
    """The microsim set of *result* projected and solved (reserve = 2 × last year's spending, art. 8)
    beside the ILO 2021 rate on the same frame."""
    from seguro_desempleo.actuarial.projection import project
    from seguro_desempleo.actuarial.valuation import solve

    a = assumptions_from_result(result)
    solved = solve(a, "reserve_multiple=2")
    last = project(a).rows[-1]
    q = ratios(result)
    ilo = ilo_rate()
    return {"basis": f"microsimulación del diseño {result.design}", "assumptions": a.name,
            "rate_pct": solved["rate_pct"], "rate_pct_rounded_up": solved["rate_pct_rounded_up"],
            "ilo_rate_pct": ilo["rate_pct"], "ilo_rate_pct_rounded_up": ilo["rate_pct_rounded_up"],
            "cost_rate_pct": str((q["cost_rate"] * 100).quantize(D("0.0001"))),
            "reserve_ratio_at_design_rate": str(last.reserve_ratio.quantize(D("0.01")))
            if last.reserve_ratio is not None else None}


TORNADO_FACTORS: dict[str, tuple[str, str]] = {
    # factor of the chain: (Spanish label, key of its range in targets.yaml `reconciliation`)
    "separation_rate": ("tasa de cese mensual de cotizantes (Céspedes 3,6 %, periodicidad sin confirmar)",
                        "separation_rate_monthly_range"),
    "involuntary_share": ("proporción involuntaria (art. 6)", "involuntary_share_range"),
    "eligibility": ("elegibilidad 12 en 24 (art. 6)", "eligibility_range"),
    "takeup": ("take-up (inscripción, art. 7)", "takeup_range"),
    "mean_duration": ("meses pagados por solicitud (art. 5)", "duration_months_range"),
    "benefit_over_pay": ("prestación / remuneración promedio (art. 5)", "benefit_over_pay_range"),
}


def tornado_ranges() -> dict[str, tuple[str, Decimal, Decimal]]:
    """(label, low, high) of each unsourced factor, from ``simulation/targets.yaml`` (section
    ``reconciliation``, each range with its origin)."""
    from seguro_desempleo.simulation.calibration import load_targets

    rec = load_targets()["reconciliation"]
    return {k: (label, D(str(rec[key]["value"][0])), D(str(rec[key]["value"][1])))
            for k, (label, key) in TORNADO_FACTORS.items()}


def rate_tornado(result: Any, ranges: dict[str, tuple[str, Decimal, Decimal]] | None = None) -> list[dict[str, Any]]:
    """The rate for a reserve of 2 × spending on ``microsim-<design>`` when one factor of the chain moves to
    the low / high end of its range (the benefit cost is proportional to each factor)."""
    from seguro_desempleo.actuarial.bridge import sim_flows
    from seguro_desempleo.actuarial.solvers import solve_reserve_multiple

    f = sim_flows(result)
    sep_monthly = f.separations_year / f.contributors / 12 if f.separations_year else None
    def share(num: Decimal | None, den: Decimal | None) -> Decimal | None:
        return num / den if num is not None and den else None

    central = {"separation_rate": sep_monthly, "involuntary_share": share(f.involuntary_year, f.separations_year),
               "eligibility": share(f.eligible_year, f.involuntary_year), "takeup": share(f.claims_year, f.eligible_year),
               "mean_duration": f.mean_duration, "benefit_over_pay": f.benefit_over_pay}
    base = assumptions_from_result(result)
    rate0 = solve_reserve_multiple(base, base.reserve_target_multiple)
    rows = []
    for key, (label, low, high) in (ranges or tornado_ranges()).items():
        c = central[key]
        if not c:
            continue
        out = {"factor": key, "label": label, "central": c, "low": low, "high": high, "rate_central": rate0}
        for end, value in (("low", low), ("high", high)):
            scale = value / c
            a = base.replace(average_monthly_beneficiaries={y: n * scale for y, n in
                                                            base.average_monthly_beneficiaries.items()})
            out[f"rate_{end}"] = solve_reserve_multiple(a, a.reserve_target_multiple)
        rows.append(out)
    return rows
