"""The Spanish valuation report (art. 10: "estudios financieros actuariales"): HTML with the ILO's
table layout, matplotlib charts, a PDF via WeasyPrint, and CSV/JSON of every table.

``write_report(request, out_dir)`` returns the files written. Charts are PNG files next to the HTML,
so the HTML works offline and WeasyPrint embeds them in the PDF.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import numpy as np

from seguro_desempleo.actuarial import solvers
from seguro_desempleo.actuarial.assumptions import Assumptions
from seguro_desempleo.actuarial.metrics import reserve_test
from seguro_desempleo.actuarial.projection import Projection, project
from seguro_desempleo.actuarial.scenarios import SCENARIOS, apply_scenario
from seguro_desempleo.actuarial.sensitivity import tornado
from seguro_desempleo.actuarial.valuation import (
    Request,
    beneficiaries_table,
    build,
    metrics_table,
    run_stamp,
    solve,
    stochastic_summary,
    stress_table,
    table,
)
from seguro_desempleo.errors import InputError

TEMPLATES = Path(__file__).parent / "templates"
GOLDEN = Path(__file__).parents[1] / "actuarial" / "golden"


def es_int(value: int | Decimal | float) -> str:
    """1051585 → '1 051 585' (the bill's thousands separator)."""
    whole = value if isinstance(value, int) else int(Decimal(str(value)).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    return f"{whole:,}".replace(",", "\u202f")


def es_dec(value: Decimal | float | str, places: int = 2) -> str:
    """Decimal comma: 1.16 → '1,16'."""
    q = Decimal(str(value)).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    return str(q).replace(".", ",")


GOLDEN_LABELS = {"year": "Año", "insurable_earnings": "Ingresos asegurables", "contributions": "Contrib.",
                 "investment_income": "Ingresos inversión", "benefits": "Monto del beneficio",
                 "admin_costs": "Gastos admin.", "surplus": "Superávit (déficit)", "reserve": "Reserva",
                 "payg_rate": "PAYG (%)", "reserve_ratio": "Coeficiente de reserva"}
"""The reconciliation table's columns with the ILO table's Spanish headings (the JSON keeps the keys)."""


def _soles_pe(whole_soles: int | Decimal) -> str:
    """An amount in whole soles for people: 1137 → ``S/ 1,137.00``."""
    from seguro_desempleo.money import format_soles

    return format_soles(int(Decimal(whole_soles) * 100))


def _write_table(out: Path, name: str, rows: list[dict[str, Any]]) -> list[Path]:
    """*name*.json (money as soles strings, decision 0451) and *name*.csv (the table's own units)."""
    from seguro_desempleo.actuarial.output import projection_json

    paths = [out / f"{name}.json", out / f"{name}.csv"]
    doc = projection_json(rows, fan=name == "stochastic_fan")
    paths[0].write_text(json.dumps(doc, ensure_ascii=False, indent=2, default=str), encoding="utf-8")
    with paths[1].open("w", encoding="utf-8", newline="") as fh:
        if rows:
            writer = csv.DictWriter(fh, fieldnames=list(rows[0]), lineterminator="\n")
            writer.writeheader()
            writer.writerows(rows)
    return paths


def golden_comparison(p: Projection) -> list[dict[str, Any]]:
    """Cell-by-cell difference between the projection and the ILO table (only for ilo-2021 years)."""
    path = GOLDEN / "ilo_2021_valuation.csv"
    with path.open(encoding="utf-8") as fh:
        golden = {int(r["year"]): r for r in csv.DictReader(fh)}
    cols = ("insurable_earnings", "contributions", "investment_income", "benefits", "admin_costs", "surplus",
            "reserve")
    out = []
    for row in p.rows:
        if row.year not in golden:
            continue
        ours = row.published()
        g = golden[row.year]
        out.append({"year": row.year, **{c: int(ours[c]) - int(g[c]) for c in cols},
                    "payg_rate": f"{ours['payg_rate']} vs {g['payg_pct']}",
                    "reserve_ratio": f"{ours['reserve_ratio']} vs {g['reserve_ratio']}"})
    return out


def _charts(out: Path, a: Assumptions, stoch: dict[str, Any], bars: list[Any]) -> dict[str, str]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from seguro_desempleo.actuarial.basis import basis_label

    files: dict[str, str] = {}
    basis = f"base: {basis_label(a.name)}"
    # 1. reserve paths under each scenario
    fig, ax = plt.subplots(figsize=(8, 4.2))
    for name in SCENARIOS:
        p = project(apply_scenario(a, name))
        ax.plot([r.year for r in p.rows], [float(r.reserve) / 1000 for r in p.rows], marker="o", ms=3,
                lw=2.5 if name == "base" else 1.2, label=SCENARIOS[name].label)
    base = project(a)
    ax.plot([r.year for r in base.rows], [2 * float(r.spending) / 1000 for r in base.rows], "k--", lw=1,
            label="2 × gasto anual (meta art. 8)")
    ax.axhline(0, color="grey", lw=0.8)
    ax.set_ylabel("Reserva (millones de soles)")
    ax.set_title(f"Reserva al final del año por escenario\n{basis}", fontsize=10)
    ax.legend(fontsize=7, ncol=2)
    fig.tight_layout()
    fig.savefig(out / "chart_reserve_scenarios.png", dpi=130)
    plt.close(fig)
    files["scenarios"] = "chart_reserve_scenarios.png"

    # 2. fan chart
    years = stoch["years"]
    pct = {int(k): np.array(v, dtype=float) / 1000 for k, v in stoch["reserve_percentiles"].items()}
    fig, ax = plt.subplots(figsize=(8, 4.2))
    ax.fill_between(years, pct[5], pct[95], alpha=0.2, color="C0", label="P5–P95")
    ax.fill_between(years, pct[25], pct[75], alpha=0.4, color="C0", label="P25–P75")
    ax.plot(years, pct[50], color="C0", lw=2, label="Mediana")
    ax.axhline(0, color="grey", lw=0.8)
    ax.set_ylabel("Reserva (millones de soles)")
    ax.set_title(f"Abanico de la reserva: {stoch['runs']} trayectorias (semilla {stoch['seed']})\n{basis}",
                 fontsize=10)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(out / "chart_fan.png", dpi=130)
    plt.close(fig)
    files["fan"] = "chart_fan.png"

    # 3. tornado of the required rate
    fig, ax = plt.subplots(figsize=(8, 3.8))
    centre = float(solvers.solve_reserve_multiple(a, a.reserve_target_multiple)) * 100
    labels = [b.label for b in bars][::-1]
    lows = [float(b.rate_low) * 100 for b in bars][::-1]
    highs = [float(b.rate_high) * 100 for b in bars][::-1]
    for i, (lo, hi) in enumerate(zip(lows, highs, strict=True)):
        ax.barh(i, lo - centre, left=centre, color="C2")
        ax.barh(i, hi - centre, left=centre, color="C3")
    ax.set_yticks(range(len(labels)), labels, fontsize=7)
    ax.axvline(centre, color="k", lw=0.8)
    ax.set_xlabel("Tasa requerida para reserva = 2 × gasto (%)  [verde: supuesto bajo, rojo: alto]", fontsize=8)
    ax.set_title(f"Sensibilidad (tornado)\n{basis}", fontsize=10)
    fig.tight_layout()
    fig.savefig(out / "chart_tornado.png", dpi=130)
    plt.close(fig)
    files["tornado"] = "chart_tornado.png"

    # 4. PAYG cost rate vs contribution rate
    fig, ax = plt.subplots(figsize=(8, 3.5))
    ax.plot([r.year for r in base.rows], [float(r.payg_rate) * 100 for r in base.rows], marker="o", label="Costo PAYG")
    ax.plot([r.year for r in base.rows], [float(r.contribution_rate) * 100 for r in base.rows], "k--", label="Tasa")
    ax.set_ylabel("% de ingresos asegurables")
    ax.set_title(f"Costo de reparto (PAYG) y tasa\n{basis}", fontsize=10)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(out / "chart_payg.png", dpi=130)
    plt.close(fig)
    files["payg"] = "chart_payg.png"
    return files


def macro_table(a: Assumptions) -> list[dict[str, Any]]:
    """The ILO macro assumptions (percent) with the nominal interest rate used for the reserve."""
    from seguro_desempleo.actuarial.projection import nominal_interest_rate

    years = sorted(set().union(*(set(v) for v in a.macro.values()))) if a.macro else []
    rows = []
    for y in years:
        row: dict[str, Any] = {"year": y}
        for name, series in a.macro.items():
            row[name] = str((series[y] * 100).quantize(Decimal("0.1"))) if y in series else ""
        if y in a.real_interest_rate and y in a.macro.get("inflation", {}):
            i = nominal_interest_rate(a.real_interest_rate[y], a.macro["inflation"][y])
            row["nominal_interest"] = str((i * 100).quantize(Decimal("0.001")))
        else:
            row["nominal_interest"] = ""
        rows.append(row)
    return rows


def build_context(req: Request, *, runs: int, seed: int) -> tuple[dict[str, Any], dict[str, list[dict[str, Any]]]]:
    a = build(req)
    p = project(a)
    rows = table(p)
    tables: dict[str, list[dict[str, Any]]] = {
        "projection": rows,
        "beneficiaries": beneficiaries_table(p),
        "metrics": metrics_table(a, p),
        "stress": stress_table(a),
        "rolling_break_even": solve(a, "break_even=7")["rows"],
    }
    bars = tornado(a)
    tables["tornado"] = [b.to_dict() for b in bars]
    stoch = stochastic_summary(a, runs=runs, seed=seed, years=max(10, len(a.years)))
    stoch.pop("_result")
    tables["stochastic_fan"] = [{"year": y, **{f"p{k}": v[i] for k, v in stoch["reserve_percentiles"].items()},
                                 "p_depletion": stoch["depletion_probability"][i]}
                                for i, y in enumerate(stoch["years"])]
    if a.name == "ilo-2021":
        tables["golden_comparison"] = golden_comparison(p)
    solved = solve(a, f"reserve_multiple={a.reserve_target_multiple}")
    test = reserve_test(p)
    macro_rows = macro_table(a)
    ctx = {
        "a": a, "req": req, "rows": rows, "tables": tables, "stoch": stoch, "bars": bars,
        "solved": solved, "test": test,
        "gap": solvers.general_average_premium(a), "gap_k": solvers.general_average_premium(a, a.reserve_target_multiple),
        "today": dt.date.today().isoformat(), "es_int": es_int, "es_dec": es_dec,
        "today_es": dt.date.today().strftime("%d/%m/%Y"), "soles_pe": _soles_pe, "golden_labels": GOLDEN_LABELS,
        "sources": sorted(a.sources.items()),
        "macro_rows": macro_rows,
        "basis_es": {"insurable_earnings": "los ingresos asegurables", "contributions": "las contribuciones",
                     "benefits": "las prestaciones"}[a.admin_cost_basis],
        "crediting_es": {"half_year_compound": "medio año, compuesto, sobre el flujo neto del año",
                         "half_year_simple": "medio año, simple, sobre el flujo neto del año",
                         "year_start": "al inicio del año", "year_end": "solo sobre la reserva inicial"}[
                             a.interest_crediting],
    }
    tables["macro"] = macro_rows
    return ctx, tables


def write_report(req: Request, out: Path, *, runs: int = 10_000, seed: int = 1, pdf: bool = True) -> list[Path]:
    """Write report.html (+ report.pdf), charts and every table as CSV and JSON into *out*."""
    import jinja2

    if runs < 1:
        raise InputError("must be at least 1", field="--runs")
    out.mkdir(parents=True, exist_ok=True)
    ctx, tables = build_context(req, runs=runs, seed=seed)
    written: list[Path] = []
    for name, rows in tables.items():
        written += _write_table(out, name, rows)
    stamp = {**run_stamp(ctx["a"], req), "runs": runs, "seed": seed, "date": ctx["today"]}
    ctx["stamp"] = stamp
    (out / "run.json").write_text(json.dumps(stamp, ensure_ascii=False, indent=2), encoding="utf-8")
    written.append(out / "run.json")
    from seguro_desempleo.actuarial.basis import basis_label

    ctx["basis"] = basis_label(ctx["a"].name)
    ctx["charts"] = _charts(out, ctx["a"], ctx["stoch"], ctx["bars"])
    written += [out / f for f in ctx["charts"].values()]
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=jinja2.select_autoescape(["html"]))
    html = env.get_template("valuation.html").render(**ctx)
    html_path = out / "report.html"
    html_path.write_text(html, encoding="utf-8")
    written.append(html_path)
    if pdf:
        try:
            from weasyprint import HTML

            HTML(string=html, base_url=str(out)).write_pdf(out / "report.pdf")
            written.append(out / "report.pdf")
        except Exception as exc:  # WeasyPrint needs system libraries (pango); HTML stays usable
            (out / "report.pdf.txt").write_text(f"PDF not rendered: {exc}\n", encoding="utf-8")
            written.append(out / "report.pdf.txt")
    return written
