"""The valuation as a service: build the assumption set a user asked for (set, scenario, design
overrides, rate) and run projections, solvers, stress and stochastic summaries as plain dicts.

Used by the CLI (``seguro-desempleo valuation``) and the report; imports ``parameters`` for the benefit
design, never storage.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import numpy as np

from seguro_desempleo.actuarial import solvers
from seguro_desempleo.actuarial.assumptions import Assumptions, load_assumptions
from seguro_desempleo.actuarial.design import apply_design
from seguro_desempleo.actuarial.metrics import average_high_cost_rate, reserve_test, solvency_metrics
from seguro_desempleo.actuarial.projection import Projection, project
from seguro_desempleo.actuarial.scenarios import SCENARIOS, apply_scenario, get_scenario
from seguro_desempleo.actuarial.stochastic import RegimeModel, rate_for_depletion_probability, simulate
from seguro_desempleo.errors import InputError
from seguro_desempleo.parameters.model import default_parameters, parse_override

TABLE_FIELDS = ("year", "contribution_rate", "insurable_earnings", "contributions", "investment_income",
                "benefits", "admin_costs", "surplus", "reserve", "payg_rate", "reserve_ratio")


def round_half_up(value: Decimal) -> int:
    """Whole thousands (or persons, soles) as the ILO prints them: half-up, not banker's rounding."""
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def parse_decimal(text: str, fld: str) -> Decimal:
    try:
        value = Decimal(text.strip().rstrip("%"))
    except (InvalidOperation, AttributeError):
        raise InputError(f"'{text}' is not a number", field=fld) from None
    if not value.is_finite():
        raise InputError(f"'{text}' is not a finite number", field=fld)
    return value


def parse_rate_pct(text: str, fld: str = "--rate") -> Decimal:
    """'1.16' (percent) → Decimal('0.0116'); negative or ≥ 100 % is refused."""
    pct = parse_decimal(text, fld)
    if pct < 0:
        raise InputError(f"must not be negative (got {text})", field=fld)
    if pct >= 100:
        raise InputError(f"a percentage below 100 (got {text})", field=fld)
    return pct / 100


@dataclass
class Request:
    assumptions: str = "ilo-2021"
    scenario: str | None = None
    shock_year: int | None = None
    params: list[str] = field(default_factory=list)
    reform: str | None = None
    rate: Decimal | None = None


def build(req: Request) -> Assumptions:
    """Assumption set + design overrides (``--param``/``--reform``) + scenario + rate."""
    a = load_assumptions(req.assumptions)
    if req.params or req.reform:
        base = default_parameters()
        ps = base.with_reform(req.reform) if req.reform else base
        pairs = dict(parse_override(p) for p in req.params)
        if pairs:
            ps = ps.with_overrides(pairs, name="cli")
        a = apply_design(a, ps, base)
        sizes_before = set(base.at(_design_date())["coverage.employer_sizes"])
        sizes_after = set(ps.at(_design_date())["coverage.employer_sizes"])
        if sizes_after - sizes_before and not req.scenario:
            a = apply_scenario(a, "coverage-small-firms", req.shock_year)
    if req.scenario:
        a = apply_scenario(a, req.scenario, req.shock_year)
    if req.rate is not None:
        a = a.replace(contribution_rate=req.rate)
    return a


def run_stamp(a: Assumptions, req: Request) -> dict[str, Any]:
    """What a run depends on, for reproducibility: set, file hash, package version, options."""
    import hashlib

    from seguro_desempleo.actuarial.assumptions import ASSUMPTIONS_DIR

    path = ASSUMPTIONS_DIR / f"{req.assumptions}.yaml"
    if not path.exists():
        path = Path(req.assumptions)
    digest = hashlib.sha256(path.read_bytes()).hexdigest() if path.exists() else None
    try:
        from importlib.metadata import version

        pkg = version("seguro-desempleo")
    except Exception:  # not installed as a distribution
        pkg = "unknown"
    return {"assumptions": a.name, "assumptions_file_sha256": digest, "package_version": pkg,
            "scenario": req.scenario, "shock_year": req.shock_year, "params": list(req.params),
            "reform": req.reform, "rate": str(req.rate) if req.rate is not None else None}


def _design_date() -> Any:
    from seguro_desempleo.actuarial.design import DESIGN_DATE

    return DESIGN_DATE


def table(p: Projection) -> list[dict[str, Any]]:
    """The yearly rows as the bill prints them (thousands of soles)."""
    return [row.published() for row in p.rows]


def beneficiaries_table(p: Projection) -> list[dict[str, Any]]:
    out = []
    for row in p.rows:
        if row.benefits == 0:
            continue
        out.append({"year": row.year, "average_monthly_beneficiaries": round_half_up(row.beneficiaries),
                    "average_monthly_benefit": round_half_up(row.average_benefit),
                    "benefits": row.published()["benefits"]})
    return out


def metrics_table(a: Assumptions, p: Projection) -> list[dict[str, Any]]:
    ahcr = average_high_cost_rate(project(apply_scenario(a, "recession-2020")))
    return [m.to_dict() for m in solvency_metrics(p, ahcr)]


def solve(a: Assumptions, target: str, *, runs: int = 2000, seed: int = 1, years: int | None = None,
          model: RegimeModel | None = None) -> dict[str, Any]:
    """Solve a rate. Targets: ``reserve_multiple=K[@YEAR]``, ``high_cost_multiple=M[@YEAR]``, ``payg``,
    ``gap`` / ``gap=K``, ``break_even=H``, ``depletion_probability=ALPHA`` (stochastic)."""
    name, _, value = target.partition("=")
    name = name.strip().replace("-", "_")
    value, _, at = value.partition("@")
    year = int(parse_decimal(at, "--solve-rate year")) if at else None
    if name == "reserve_multiple":
        k = parse_decimal(value or "2", "reserve_multiple")
        rate = solvers.solve_reserve_multiple(a, k, year)
        return {"target": name, "value": str(k), "year": year or a.last_year, "rate": str(rate),
                "rate_pct": str((rate * 100).quantize(Decimal("0.0001"))),
                "rate_pct_rounded_up": str(solvers.round_up_rate(rate)),
                "tolerance": str(solvers.RATE_TOLERANCE)}
    if name == "high_cost_multiple":
        k = parse_decimal(value or "1", "high_cost_multiple")
        ahcr = average_high_cost_rate(project(apply_scenario(a, "recession-2020")))
        rate = solvers.solve_high_cost_multiple(a, k, ahcr, year)
        return {"target": name, "value": str(k), "year": year or a.last_year, "ahcr_pct": str(ahcr * 100),
                "high_cost_path": "recession-2020", "rate": str(rate),
                "rate_pct": str((rate * 100).quantize(Decimal("0.0001"))),
                "rate_pct_rounded_up": str(solvers.round_up_rate(rate))}
    if name == "payg":
        rates = solvers.payg_rates(a)
        return {"target": name, "rates": {str(y): str((r * 100).quantize(Decimal("0.0001"))) for y, r in rates.items()},
                "unit": "percent"}
    if name == "gap":
        k = parse_decimal(value or "0", "gap")
        rate = solvers.general_average_premium(a, k)
        return {"target": name, "value": str(k), "rate": str(rate),
                "rate_pct": str((rate * 100).quantize(Decimal("0.0001")))}
    if name == "break_even":
        horizon = int(parse_decimal(value or "7", "break_even"))
        rows = solvers.rolling_break_even(a, horizon=horizon, initial_rate=a.contribution_rate)
        return {"target": name, "horizon": horizon, "max_change_pct": "0.05",
                "rows": [{"year": r.year, "break_even_pct": str((r.break_even * 100).quantize(Decimal("0.0001"))),
                          "rate_pct": str((r.rate * 100).quantize(Decimal("0.0001"))),
                          "reserve": round_half_up(r.reserve)} for r in rows]}
    if name == "depletion_probability":
        alpha = float(parse_decimal(value or "0.05", "depletion_probability"))
        rate_f = rate_for_depletion_probability(a, alpha=alpha, runs=runs, seed=seed, years=years, model=model)
        return {"target": name, "value": alpha, "runs": runs, "seed": seed, "rate": rate_f,
                "rate_pct": round(rate_f * 100, 4)}
    raise InputError(f"unknown target '{target}' (reserve_multiple=K[@YEAR], high_cost_multiple=M[@YEAR], payg, "
                     "gap[=K], break_even[=H], depletion_probability=ALPHA)", field="--solve-rate")


def stress_table(a: Assumptions, names: Iterable[str] | None = None, shock_year: int | None = None) -> list[dict[str, Any]]:
    """Per scenario: final reserve and ratio, minimum reserve, first deficit year, art. 8 test, rate for K."""
    out = []
    k = a.reserve_target_multiple
    for name in names or SCENARIOS:
        s = get_scenario(name)
        b = apply_scenario(a, s, shock_year)
        p = project(b)
        low = min(p.rows, key=lambda r: r.reserve)
        deficit = next((r.year for r in p.rows if r.surplus < 0), None)
        test = reserve_test(p)
        try:
            needed = str(solvers.round_up_rate(solvers.solve_reserve_multiple(b, k)))
        except InputError:
            needed = "n/a"
        out.append({"scenario": s.name, "label": s.label, "final_reserve": round_half_up(p.last.reserve),
                    "final_reserve_ratio": str(p.last.reserve_ratio.quantize(Decimal("0.01"))),
                    "min_reserve": round_half_up(low.reserve), "min_reserve_year": low.year,
                    "first_deficit_year": deficit, "depleted": low.reserve < 0, "passes_art8": test.passes,
                    "rate_for_target_pct": needed})
    return out


def stochastic_summary(a: Assumptions, *, runs: int, seed: int, years: int | None = None,
                       rate: float | None = None, model: RegimeModel | None = None,
                       engine: str = "auto") -> dict[str, Any]:
    r = simulate(a, runs=runs, seed=seed, years=years, rate=rate, model=model, engine=engine)
    fan = r.fan()
    ratio_fan = r.fan(r.reserve_ratio)
    prob = r.depletion_probability()
    ttd = r.time_to_depletion_years()
    return {
        "runs": runs, "seed": seed, "years": r.years,
        "contribution_rate_pct": round((float(a.contribution_rate) if rate is None else rate) * 100, 4),
        "reserve_percentiles": {str(int(k)): [round(float(x)) for x in v] for k, v in fan.items()},
        "reserve_ratio_percentiles": {str(int(k)): [round(float(x), 3) for x in v] for k, v in ratio_fan.items()},
        "depletion_probability": [round(float(x), 5) for x in prob],
        "probability_ratio_below_1": [round(float(x), 5) for x in np.mean(r.reserve_ratio < 1, axis=0)],
        "time_to_depletion_years": {"count": int(ttd.size),
                                    "median": round(float(np.median(ttd)), 2) if ttd.size else None,
                                    "p10": round(float(np.percentile(ttd, 10)), 2) if ttd.size else None},
        "expected_shortfall": round(float(np.mean(np.minimum(r.min_reserve, 0.0)))),
        "_result": r,
    }
