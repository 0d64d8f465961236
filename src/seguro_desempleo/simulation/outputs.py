"""Indicators of a design: coverage, eligibility, take-up, benefits, cost, poverty gap — by group.

Every indicator is computed from the integer accumulators of :class:`~.runner.Result`. National
totals scale the simulated sample to the working-age population (``targets.yaml``) with exact
integer arithmetic (half-up); money is published in céntimos (ints) and as decimal strings in
soles. Ratios (rates, shares) are model quantities and are floats rounded to 4 decimals.

Groups: ``all``, ``sex`` (men, women), ``age`` (15-24 … 55-69), ``region``, ``size`` (firm size of
the current or last formal job: micro, small, medium, large — public-sector jobs count as large —
and none). Gender gaps are women minus men (shares) or women / men (amounts).

The flows for the actuarial projection (:func:`actuarial_flows`) are documented in
``docs/simulation.md``: monthly claims, beneficiaries, benefit paid, contributions and insurable
pay (national), the distribution of benefit durations, and the average benefit.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import numpy as np

from seguro_desempleo.money import cents_to_str
from seguro_desempleo.simulation.calibration import (
    AGE_BAND_LABELS,
    N_AGE,
    N_REGION,
    N_SEX,
    N_SIZE,
    SEX_LABELS,
    SIZE_LABELS,
    load_targets,
    moments_targets,
)
from seguro_desempleo.simulation.engine import ACC_NAMES, IR_BIN, MON_NAMES, N_DUR
from seguro_desempleo.simulation.runner import Result

REGION_LABELS = ("Lima Metropolitana", "Resto de la costa", "Sierra", "Selva")
DIMENSIONS = {"sex": (1, SEX_LABELS), "age": (2, AGE_BAND_LABELS), "region": (3, REGION_LABELS),
              "size": (4, SIZE_LABELS)}


def _ratio(a: float, b: float) -> float | None:
    return round(float(a) / float(b), 4) if b else None


def scaled(result: Result, value: int) -> int:
    """A sample total as a national total (exact, half-up)."""
    num = int(value) * result.working_age_population
    den = result.spec.persons
    return (2 * num + den) // (2 * den) if num >= 0 else -((2 * -num + den) // (2 * den))


def per_year(result: Result, value: int) -> int:
    """A sample total over the measured months as a national yearly figure."""
    num = int(value) * result.working_age_population * 12
    den = result.spec.persons * result.spec.months
    return (2 * num + den) // (2 * den)


def indicators(result: Result, a: dict[str, int]) -> dict[str, Any]:
    """Indicators from accumulated totals *a* (one group)."""
    employed = a["pm_formal"] + a["pm_informal"]
    lf = employed + a["pm_unemployed"]
    paid_year = per_year(result, a["benefit_paid"])
    nc_year = per_year(result, a["nc_paid"])
    months = result.spec.months
    return {
        "person_months": int(sum(a[f"pm_{s}"] for s in ("formal", "informal", "unemployed", "inactive"))),
        "unemployment_rate": _ratio(a["pm_unemployed"], lf),
        "informality": _ratio(a["pm_informal"], employed),
        "coverage_of_employed": _ratio(a["pm_covered"], employed),
        "coverage_of_formal": _ratio(a["pm_covered"], a["pm_formal"]),
        "involuntary_separations_per_year": per_year(result, a["separations_involuntary"]),
        "eligibility_of_involuntary_losers": _ratio(a["eligible"], a["separations_involuntary"]),
        "eligibility_of_covered_losers": _ratio(a["eligible"], a["separations_covered"]),
        "takeup": _ratio(a["beneficiaries"], a["eligible"]),
        "claims_per_year": per_year(result, a["beneficiaries"]),
        "average_monthly_beneficiaries": scaled(result, a["benefit_months"]) // months if months else 0,
        "benefit_paid_per_year": cents_to_str(paid_year),
        "benefit_paid_per_year_cents": paid_year,
        "average_benefit": cents_to_str(a["benefit_paid"] // a["benefit_months"]) if a["benefit_months"] else None,
        "average_duration_months": _ratio(a["benefit_months"], a["beneficiaries"]),
        "replacement_rate": _ratio(a["benefit_paid"], a["ir_paid"]),
        "cost_share_of_insurable_pay": _ratio(a["benefit_paid"], a["insurable_pay"]),
        "cost_share_of_gdp": round(paid_year / result.gdp, 6) if result.gdp else None,
        "contributions_per_year": cents_to_str(per_year(result, a["contributions"])),
        "contributions_over_benefits": _ratio(a["contributions"], a["benefit_paid"]),
        "noncontributory_beneficiaries_per_year": per_year(result, a["nc_new"]),
        "noncontributory_paid_per_year": cents_to_str(nc_year),
        "noncontributory_share_of_gdp": round(nc_year / result.gdp, 6) if result.gdp else None,
        "poverty_gap_reduction": _ratio(a["gap_without"] - a["gap_with"], a["gap_without"]),
    }


def _totals(acc: np.ndarray, index: int | None = None, dim: int | None = None) -> dict[str, int]:
    cube = acc.reshape(len(ACC_NAMES), N_SEX, N_AGE, N_REGION, N_SIZE)
    if dim is None:
        flat = cube.reshape(len(ACC_NAMES), -1).sum(axis=1)
    else:
        axes = tuple(x for x in (1, 2, 3, 4) if x != dim)
        flat = cube.sum(axis=axes)[:, index]
    return {name: int(flat[i]) for i, name in enumerate(ACC_NAMES)}


def by_group(result: Result) -> dict[str, Any]:
    """Indicators for all, and by sex, age band, region and firm size."""
    out: dict[str, Any] = {"all": indicators(result, _totals(result.acc))}
    for dim_name, (axis, labels) in DIMENSIONS.items():
        out[dim_name] = {label: indicators(result, _totals(result.acc, i, axis)) for i, label in enumerate(labels)}
    return out


GAP_SHARES = ("coverage_of_employed", "coverage_of_formal", "eligibility_of_involuntary_losers", "takeup",
              "replacement_rate", "informality", "poverty_gap_reduction")


def gender_gaps(groups: dict[str, Any]) -> dict[str, Any]:
    men, women = groups["sex"]["men"], groups["sex"]["women"]
    gaps: dict[str, Any] = {}
    for k in GAP_SHARES:
        if men[k] is not None and women[k] is not None:
            gaps[f"{k}_women_minus_men"] = round(women[k] - men[k], 4)
    if men["average_benefit"] and women["average_benefit"]:
        gaps["average_benefit_women_over_men"] = round(float(women["average_benefit"]) / float(men["average_benefit"]), 4)
    gaps["women_share_of_claims"] = _ratio(women["claims_per_year"], men["claims_per_year"] + women["claims_per_year"])
    return gaps


def actuarial_flows(result: Result) -> dict[str, Any]:
    """Monthly national flows for the actuarial projection (documented in docs/simulation.md)."""
    mon = {name: [scaled(result, int(v)) for v in result.mon[i]] for i, name in enumerate(MON_NAMES)}
    claims = int(result.acc[ACC_NAMES.index("beneficiaries")].sum())
    hist = [int(x) for x in result.hist[:N_DUR]]
    ir_bins = [int(x) for x in result.hist[N_DUR:]]
    months_paid = sum(hist)
    a = _totals(result.acc)
    return {
        "months": result.spec.months,
        "start_period": "2026-01 + burn-in",
        "monthly": mon,
        "money_unit": "céntimos (insurable_pay, contributions, benefit_paid, nc_paid)",
        "payments_by_benefit_month": hist,
        "survival_by_benefit_month": [round(h / hist[0], 4) if hist and hist[0] else 0.0 for h in hist],
        "average_duration_months": round(months_paid / claims, 4) if claims else None,
        "average_benefit_cents": int(result.acc[ACC_NAMES.index("benefit_paid")].sum()) // months_paid
        if months_paid else None,
        "claims_per_year": per_year(result, claims),
        "claims_chain": {
            "formal_separation_rate_monthly": _ratio(a["separations"], a["pm_formal"]),
            "involuntary_share": _ratio(a["separations_involuntary"], a["separations"]),
            "covered_share_of_involuntary": _ratio(a["separations_covered"], a["separations_involuntary"]),
            "qualifying_share_of_covered": _ratio(a["eligible"], a["separations_covered"]),
            "takeup": _ratio(a["beneficiaries"], a["eligible"]),
        },
        "claimants_by_insurable_pay": {
            "bin_width_cents": IR_BIN,
            "counts": ir_bins,
            "note": "new beneficiaries by insurable remuneration; bin i = [i, i+1) × width, last bin open",
        },
    }


def write_flows_csv(result: Result, path: Path) -> None:
    flows = actuarial_flows(result)
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["month", *MON_NAMES])
        for m in range(result.spec.months):
            w.writerow([m, *(flows["monthly"][k][m] for k in MON_NAMES)])


def basis_label(design: str) -> str:
    """What every projection from a simulation says it rests on (issue 29)."""
    return f"microsimulación del diseño {design}"


def summary(result: Result) -> dict[str, Any]:
    groups = by_group(result)
    return {
        "design": result.design,
        "label": result.label,
        "basis": basis_label(result.design),
        "description": result.meta.get("description", ""),
        "source": result.meta.get("source", ""),
        "persons": result.spec.persons,
        "months": result.spec.months,
        "burn_in": result.spec.burn_in,
        "seed": result.spec.seed,
        "engine": result.spec.engine,
        "weight_note": f"national totals scale {result.spec.persons:,} simulated persons to a working-age "
                       f"population of {result.working_age_population:,}",
        "indicators": groups,
        "gender_gaps": gender_gaps(groups),
        "actuarial_flows": actuarial_flows(result),
    }


COMPARE_COLUMNS = ("coverage_of_employed", "eligibility_of_involuntary_losers", "takeup",
                   "average_monthly_beneficiaries", "average_benefit", "average_duration_months",
                   "replacement_rate", "cost_share_of_insurable_pay", "cost_share_of_gdp",
                   "noncontributory_share_of_gdp", "poverty_gap_reduction")


SPREAD_COLUMNS = ("cost_share_of_gdp", "eligibility_of_involuntary_losers", "replacement_rate")


def seed_spread(per_seed: list[Result]) -> dict[str, list[float | None]]:
    """[min, max] across seeds of a few indicators (Monte Carlo spread of a pooled estimate)."""
    vals = [indicators(r, _totals(r.acc)) for r in per_seed]
    out: dict[str, list[float | None]] = {}
    for k in SPREAD_COLUMNS:
        xs = [v[k] for v in vals if v[k] is not None]
        out[k] = [min(xs), max(xs)] if xs else [None, None]
    return out


def comparison_rows(summaries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    rows = []
    for s in summaries:
        ind = s["indicators"]["all"]
        row = {"design": s["design"], "label": s["label"], **{k: ind[k] for k in COMPARE_COLUMNS}}
        for k, (lo, hi) in (s.get("seed_spread") or {}).items():
            row[f"{k}_seed_range"] = f"{lo}–{hi}"
        if s.get("valuation"):
            v = s["valuation"]
            row["basis"] = s.get("basis", basis_label(s["design"]))
            row["rate_for_2x_reserve_pct"] = v["rate_pct"]
            row["ilo_2021_rate_pct"] = v["ilo_rate_pct"]
        row["coverage_gap_women_minus_men"] = s["gender_gaps"].get("coverage_of_employed_women_minus_men")
        row["eligibility_gap_women_minus_men"] = s["gender_gaps"].get(
            "eligibility_of_involuntary_losers_women_minus_men")
        rows.append(row)
    return rows


def write_comparison(summaries: list[dict[str, Any]], out: Path) -> list[Path]:
    """comparison.csv, comparison.md and PNG charts under *out*."""
    out.mkdir(parents=True, exist_ok=True)
    rows = comparison_rows(summaries)
    files = [out / "comparison.csv", out / "comparison.md"]
    with open(files[0], "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    cols = list(rows[0])
    lines = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    lines += ["| " + " | ".join("" if r[c] is None else str(r[c]) for c in cols) + " |" for r in rows]
    files[1].write_text("# Comparison of designs\n\n" + "\n".join(lines) + "\n", encoding="utf-8")
    files += charts(summaries, out)
    return files


def charts(summaries: list[dict[str, Any]], out: Path) -> list[Path]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = [s["design"] for s in summaries]
    paths = []
    specs = [
        ("cost_share_of_gdp", "Costo de prestaciones (% del PBI)", 100.0),
        ("coverage_of_employed", "Cobertura (% de ocupados asegurados)", 100.0),
        ("replacement_rate", "Tasa de reemplazo (%)", 100.0),
        ("poverty_gap_reduction", "Reducción de la brecha de pobreza de los desempleados (%)", 100.0),
    ]
    for key, title, mult in specs:
        fig, ax = plt.subplots(figsize=(9, 4.5))
        vals = [(s["indicators"]["all"][key] or 0) * mult for s in summaries]
        ax.bar(names, vals, color="#2b6cb0")
        ax.set_title(title)
        ax.tick_params(axis="x", rotation=60)
        fig.tight_layout()
        p = out / f"{key}.png"
        fig.savefig(p, dpi=90)
        plt.close(fig)
        paths.append(p)
    # gender: coverage and eligibility by sex
    fig, ax = plt.subplots(figsize=(9, 4.5))
    x = np.arange(len(names))
    for off, sex, color in ((-0.2, "men", "#2b6cb0"), (0.2, "women", "#c05621")):
        vals = [(s["indicators"]["sex"][sex]["eligibility_of_involuntary_losers"] or 0) * 100 for s in summaries]
        ax.bar(x + off, vals, width=0.4, label=sex, color=color)
    ax.set_xticks(x, names, rotation=60)
    ax.set_title("Elegibilidad de quienes pierden el empleo involuntariamente, por sexo (%)")
    ax.legend()
    fig.tight_layout()
    p = out / "eligibility_by_sex.png"
    fig.savefig(p, dpi=90)
    plt.close(fig)
    paths.append(p)
    return paths


def calibration_report(result: Result, targets_path: Path | None = None) -> list[dict[str, Any]]:
    """Simulated vs target moments (the rows of targets.yaml marked ``moment: true``)."""
    t = load_targets(targets_path)
    a = _totals(result.acc)
    men = _totals(result.acc, 0, 1)
    women = _totals(result.acc, 1, 1)
    months = result.spec.months
    employed = a["pm_formal"] + a["pm_informal"]
    private = a["pm_formal"] - a["pm_public"]
    cube = result.acc.reshape(len(ACC_NAMES), N_SEX, N_AGE, N_REGION, N_SIZE)
    by_size = cube[ACC_NAMES.index("pm_formal")].sum(axis=(0, 1, 2))
    pub_size = cube[ACC_NAMES.index("pm_public")].sum(axis=(0, 1, 2))
    priv_size = (by_size - pub_size)[:4]

    def inf(x: dict[str, int]) -> float | None:
        return _ratio(x["pm_informal"], x["pm_formal"] + x["pm_informal"])

    sim: dict[str, Any] = {
        "population.employed": scaled(result, employed) // months,
        "population.unemployment_rate": _ratio(a["pm_unemployed"], employed + a["pm_unemployed"]),
        "population.men_share_of_employed": _ratio(men["pm_formal"] + men["pm_informal"], employed),
        "informality.rate": inf(a),
        "informality.gap_women_minus_men": round((inf(women) or 0) - (inf(men) or 0), 4),
        "formal_jobs.public_share": _ratio(a["pm_public"], a["pm_formal"]),
        "formal_jobs.private_size_shares": [round(float(x) / float(private), 4) for x in priv_size] if private else None,
        "formal_jobs.temporary_share_of_stock": _ratio(a["pm_temporary"], a["pm_formal"]),
        "formal_jobs.wage_mean_men": round(men["formal_pay"] / men["pm_formal"] / 100, 2) if men["pm_formal"] else None,
        "formal_jobs.wage_mean_women": round(women["formal_pay"] / women["pm_formal"] / 100, 2)
        if women["pm_formal"] else None,
        "flows.formal_separation_rate": _ratio(a["separations"], a["pm_formal"]),
        "flows.job_finding_rate": _ratio(a["unemployed_exits"], a["pm_unemployed"]),
        "flows.formal_job_finding_rate": _ratio(a["unemployed_to_formal"], a["pm_unemployed"]),
        "economy.ilo_monthly_beneficiaries": scaled(result, a["benefit_months"]) // months,
        "economy.ilo_average_benefit": round(a["benefit_paid"] / a["benefit_months"] / 100, 2)
        if a["benefit_months"] else None,
        "economy.ilo_cost_share_of_insurable_pay": _ratio(a["benefit_paid"], a["insurable_pay"]),
    }
    rows = []
    for name, value, source, status in moments_targets(t):
        if name == "formal_jobs.private_size_shares":
            value_out: Any = [float(x) for x in t["formal_jobs"]["private_size_shares"]["value"]]
        else:
            value_out = value
        s = sim.get(name)
        if isinstance(s, list) and isinstance(value_out, list):
            err: Any = round(max(abs(x - y) for x, y in zip(s, value_out, strict=True)), 4)
        elif s is None or value_out == 0:
            err = None
        else:
            err = round((float(s) - float(value_out)) / float(value_out), 4)
        rows.append({"moment": name, "target": value_out, "simulated": s, "relative_error": err,
                     "status": status, "source": source})
    return rows


def calibration_markdown(rows: list[dict[str, Any]], result: Result) -> str:
    lines = [f"# Calibration report — design {result.design}, {result.spec.persons:,} persons × "
             f"{result.spec.months} months (burn-in {result.spec.burn_in}), seed {result.spec.seed}", "",
             "| moment | target | simulated | relative error | status | source |", "|---|---|---|---|---|---|"]
    for r in rows:
        lines.append(f"| {r['moment']} | {r['target']} | {r['simulated']} | {r['relative_error']} | "
                     f"{r['status']} | {r['source']} |")
    lines += ["", "The relative error of list-valued moments is the largest absolute difference of shares.",
              "ILO moments are for 2022 pay levels and the first phase; the simulation uses the 2025 RMV."]
    return "\n".join(lines) + "\n"
