"""CLI: ``valuation`` — the actuarial valuation of arts. 8 and 10 (ILO method).

    seguro-desempleo valuation [--assumptions ilo-2021|FILE] [--scenario NAME] [--param N=V] [--reform R]
                               [--rate PCT] [--format table|json|csv] [--solve-rate TARGET] [--out DIR]
    seguro-desempleo valuation run | solve-rate TARGET | stress | stochastic | tornado | report --out DIR
"""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any

import typer

from seguro_desempleo.errors import InputError

FORMATS = ("table", "json", "csv")

AssumptionsOpt = Annotated[str, typer.Option("--assumptions", "-a", help="Assumption set name or YAML file.")]
ScenarioOpt = Annotated[str | None, typer.Option("--scenario", "-s", help="Deterministic scenario (see 'valuation stress').")]
ShockOpt = Annotated[int | None, typer.Option("--shock-year", help="First year of the scenario's shock.")]
ParamOpt = Annotated[list[str] | None, typer.Option("--param", help="Benefit design override NAME=VALUE (repeatable).")]
ReformOpt = Annotated[str | None, typer.Option("--reform", help="A reform overlay from parameters/reforms/.")]
RateOpt = Annotated[str | None, typer.Option("--rate", help="Contribution rate in percent (e.g. 1.16).")]
FormatOpt = Annotated[str, typer.Option("--format", "-f", help="table, json or csv.")]
OutOpt = Annotated[Path | None, typer.Option("--out", "-o", help="Also write CSV/JSON (and for 'report' HTML/PDF) here.")]


def _request(assumptions: str, scenario: str | None, shock_year: int | None, param: list[str] | None,
             reform: str | None, rate: str | None) -> Any:
    from seguro_desempleo.actuarial.valuation import Request, parse_rate_pct

    return Request(assumptions=assumptions, scenario=scenario, shock_year=shock_year, params=list(param or []),
                   reform=reform, rate=parse_rate_pct(rate) if rate is not None else None)


def _check_format(fmt: str) -> None:
    if fmt not in FORMATS:
        raise InputError(f"unknown format '{fmt}' ({'|'.join(FORMATS)})", field="--format")


def _csv(rows: list[dict[str, Any]]) -> str:
    if not rows:
        return ""
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buf.getvalue()


def _cell(key: str, value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, int) and not isinstance(value, bool) and "year" not in key:
        return f"{value:,}".replace(",", " ")  # the bill's thousands separator
    return str(value)


def _table(rows: list[dict[str, Any]], title: str) -> None:
    from rich.console import Console
    from rich.table import Table

    t = Table(title=title)
    if not rows:
        typer.echo("(no rows)")
        return
    for col in rows[0]:
        t.add_column(col, justify="right")
    for row in rows:
        t.add_row(*(_cell(k, v) for k, v in row.items()))
    Console(width=200).print(t)


def _json(doc: Any) -> str:
    """JSON with the projection's money as soles strings (decision 0451; the tables keep thousands)."""
    from seguro_desempleo.actuarial.output import projection_json

    return json.dumps(projection_json(doc), ensure_ascii=False, indent=2)


def _emit(rows: list[dict[str, Any]], fmt: str, title: str) -> None:
    if fmt == "json":
        typer.echo(_json(rows))
    elif fmt == "csv":
        typer.echo(_csv(rows), nl=False)
    else:
        _table(rows, title)


def _write(out: Path, name: str, rows: list[dict[str, Any]] | dict[str, Any]) -> None:
    out.mkdir(parents=True, exist_ok=True)
    (out / f"{name}.json").write_text(_json(rows), encoding="utf-8")
    if isinstance(rows, list):
        (out / f"{name}.csv").write_text(_csv(rows), encoding="utf-8")


def _run(assumptions: str, scenario: str | None, shock_year: int | None, param: list[str] | None,
         reform: str | None, rate: str | None, fmt: str, out: Path | None, solve_rate: str | None) -> None:
    from seguro_desempleo.actuarial.projection import project
    from seguro_desempleo.actuarial.valuation import build, solve, table

    _check_format(fmt)
    from seguro_desempleo.actuarial.basis import basis_label

    a = build(_request(assumptions, scenario, shock_year, param, reform, rate))
    if solve_rate:
        result = {**solve(a, solve_rate), "basis": basis_label(a.name)}
        if fmt == "table":
            for key, value in result.items():
                typer.echo(f"{key}: {value}")
        else:
            typer.echo(_json(result))
        if out:
            _write(out, "solved_rate", result)
        return
    rows = table(project(a))
    _emit(rows, fmt, f"{a.title} — miles de soles ({a.name}) — base: {basis_label(a.name)}")
    if out:
        _write(out, "projection", rows)


val = typer.Typer(help="Actuarial valuation (arts. 8, 10): projection, solvency, rates, scenarios, report.",
                  no_args_is_help=False)

@val.callback(invoke_without_command=True)
def valuation(
    ctx: typer.Context,
    assumptions: AssumptionsOpt = "ilo-2021",
    scenario: ScenarioOpt = None,
    shock_year: ShockOpt = None,
    param: ParamOpt = None,
    reform: ReformOpt = None,
    rate: RateOpt = None,
    fmt: FormatOpt = "table",
    out: OutOpt = None,
    solve_rate: Annotated[str | None, typer.Option(
        "--solve-rate", help="reserve_multiple=K | payg | gap[=K] | break_even[=H] | depletion_probability=A")] = None,
    runs: Annotated[int, typer.Option("--runs", help="Stochastic runs for the report (with --out).")] = 10_000,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the report's stochastic runs.")] = 1,
) -> None:
    """Project the fund year by year in the ILO table's layout (thousands of soles); with --out, also
    write the full Spanish report (HTML, PDF, charts, CSV/JSON of every table) there."""
    if ctx.invoked_subcommand is not None:
        return
    _run(assumptions, scenario, shock_year, param, reform, rate, fmt, None if not solve_rate else out, solve_rate)
    if out and not solve_rate:
        from seguro_desempleo.reports.valuation import write_report

        write_report(_request(assumptions, scenario, shock_year, param, reform, rate), out, runs=runs, seed=seed)

@val.command("run")
def run_cmd(assumptions: AssumptionsOpt = "ilo-2021", scenario: ScenarioOpt = None, shock_year: ShockOpt = None,
            param: ParamOpt = None, reform: ReformOpt = None, rate: RateOpt = None, fmt: FormatOpt = "table",
            out: OutOpt = None) -> None:
    """Project the fund (same as 'valuation' without a subcommand)."""
    _run(assumptions, scenario, shock_year, param, reform, rate, fmt, out, None)

@val.command("solve-rate")
def solve_rate_cmd(
    target: Annotated[str, typer.Argument(help="reserve_multiple=K | payg | gap[=K] | break_even[=H] | "
                                          "depletion_probability=ALPHA")] = "reserve_multiple=2",
    assumptions: AssumptionsOpt = "ilo-2021", scenario: ScenarioOpt = None, shock_year: ShockOpt = None,
    param: ParamOpt = None, reform: ReformOpt = None, fmt: FormatOpt = "json",
    runs: Annotated[int, typer.Option("--runs", help="Stochastic runs (depletion target).")] = 2000,
    seed: Annotated[int, typer.Option("--seed", help="Random seed (same seed, same result).")] = 1,
) -> None:
    """Solve a contribution rate for a target."""
    from seguro_desempleo.actuarial.basis import basis_label
    from seguro_desempleo.actuarial.valuation import build, solve

    _check_format(fmt)
    a = build(_request(assumptions, scenario, shock_year, param, reform, None))
    result = {**solve(a, target, runs=runs, seed=seed), "basis": basis_label(a.name)}
    if fmt == "table":
        for key, value in result.items():
            typer.echo(f"{key}: {value}")
    else:
        typer.echo(_json(result))

@val.command("stress")
def stress_cmd(assumptions: AssumptionsOpt = "ilo-2021", scenario: ScenarioOpt = None,
               shock_year: ShockOpt = None, fmt: FormatOpt = "table", out: OutOpt = None) -> None:
    """Run the deterministic scenario library (or one scenario) and compare with the base."""
    from seguro_desempleo.actuarial.assumptions import load_assumptions
    from seguro_desempleo.actuarial.valuation import stress_table

    _check_format(fmt)
    a = load_assumptions(assumptions)
    rows = stress_table(a, [scenario] if scenario else None, shock_year)
    from seguro_desempleo.actuarial.basis import basis_label

    _emit(rows, fmt, f"Escenarios de estrés (miles de soles) — base: {basis_label(a.name)}")
    if out:
        _write(out, "stress", rows)

@val.command("stochastic")
def stochastic_cmd(
    assumptions: AssumptionsOpt = "ilo-2021", scenario: ScenarioOpt = None, rate: RateOpt = None,
    runs: Annotated[int, typer.Option("--runs", help="Number of paths.")] = 10_000,
    seed: Annotated[int, typer.Option("--seed", help="Random seed (reproducible runs).")] = 1,
    years: Annotated[int | None, typer.Option("--years", help="Horizon in years (default the set's).")] = None,
    alpha: Annotated[float | None, typer.Option("--alpha", help="Also solve the rate with P(depletion) ≤ alpha.")] = None,
    p_enter: Annotated[float, typer.Option("--p-enter", help="Monthly probability of entering a recession.")] = 1 / 120,
    p_exit: Annotated[float, typer.Option("--p-exit", help="Monthly probability of leaving a recession.")] = 1 / 12,
    mu_recession: Annotated[float, typer.Option("--mu-recession", help="Monthly push to unemployment in recession.")] = 0.003,
    sigma: Annotated[float, typer.Option("--sigma", help="Monthly s.d. of the unemployment gap.")] = 0.001,
    elasticity: Annotated[float, typer.Option("--elasticity", help="Claims elasticity to unemployment.")] = 1.0,
    engine: Annotated[str, typer.Option("--engine", help="auto, numpy or numba.")] = "auto",
    fmt: FormatOpt = "table", out: OutOpt = None,
) -> None:
    """Regime-switching unemployment paths: fan chart percentiles and depletion probabilities."""
    from seguro_desempleo.actuarial.stochastic import RegimeModel
    from seguro_desempleo.actuarial.valuation import build, solve, stochastic_summary

    _check_format(fmt)
    a = build(_request(assumptions, scenario, None, None, None, rate))
    model = RegimeModel(p_enter=p_enter, p_exit=p_exit, mu_recession=mu_recession, sigma=sigma,
                        elasticity=elasticity)
    summary = stochastic_summary(a, runs=runs, seed=seed, years=years, model=model, engine=engine)
    summary.pop("_result")
    if alpha is not None:
        summary["rate_for_alpha"] = solve(a, f"depletion_probability={alpha}", runs=runs, seed=seed, years=years,
                                          model=model)
    rows = [{"year": y, **{f"reserve_p{k}": v[i] for k, v in summary["reserve_percentiles"].items()},
             "p_depletion": summary["depletion_probability"][i]} for i, y in enumerate(summary["years"])]
    if fmt == "json":
        typer.echo(_json(summary))
    else:
        from seguro_desempleo.actuarial.basis import basis_label

        _emit(rows, fmt, f"{runs} trayectorias, semilla {seed} (reserva, miles de soles) — base: "
                         f"{basis_label(a.name)}")
        if fmt == "table" and alpha is not None:
            typer.echo(f"rate with P(depletion) ≤ {alpha}: {summary['rate_for_alpha']['rate_pct']} %")
    if out:
        _write(out, "stochastic", summary)
        _write(out, "stochastic_fan", rows)

@val.command("tornado")
def tornado_cmd(assumptions: AssumptionsOpt = "ilo-2021", fmt: FormatOpt = "table", out: OutOpt = None) -> None:
    """Sensitivity of the required rate (K = 2) and the final reserve ratio to each assumption."""
    from seguro_desempleo.actuarial.assumptions import load_assumptions
    from seguro_desempleo.actuarial.sensitivity import tornado

    _check_format(fmt)
    from seguro_desempleo.actuarial.basis import basis_label

    a = load_assumptions(assumptions)
    bars = tornado(a)
    rows = [{"assumption": b.name, "shift": b.shift,
             "rate_low_pct": str((b.rate_low * 100).quantize(Decimal("0.0001"))),
             "rate_high_pct": str((b.rate_high * 100).quantize(Decimal("0.0001"))),
             "ratio_low": str(b.ratio_low.quantize(Decimal("0.01"))),
             "ratio_high": str(b.ratio_high.quantize(Decimal("0.01")))} for b in bars]
    _emit(rows, fmt, f"Sensibilidad de la tasa requerida (K = 2) — base: {basis_label(a.name)}")
    if out:
        _write(out, "tornado", rows)

@val.command("bridge")
def bridge_cmd(
    design: Annotated[str, typer.Option("--design", help="Simulated design, or 'ilo-basis' for the bill's rules "
                                        "on the ILO's year, coverage and pay (simulation/ilo_basis.py).")]
    = "ilo-basis",
    persons: Annotated[int, typer.Option("--persons", help="Simulated persons of the microsimulation.")] = 200_000,
    months: Annotated[int, typer.Option("--months", help="Simulated months.")] = 60,
    seed: Annotated[int, typer.Option("--seed", help="Random seed (same seed, same result).")] = 1,
    duration: Annotated[str, typer.Option("--ilo-duration", help="Months paid per claim assumed for the ILO "
                                          "(not published).")] = "5",
    fmt: FormatOpt = "table", out: OutOpt = None,
) -> None:
    """Bridge table: covered workers → benefits paid, ILO 2021 beside the microsimulation, the gap split
    into factors that multiply to it, and both rates for a reserve of 2 × the last year's spending."""
    from seguro_desempleo.actuarial import bridge
    from seguro_desempleo.actuarial.assumptions import load_assumptions
    from seguro_desempleo.actuarial.microsim import simulate_design, valuation_of
    from seguro_desempleo.actuarial.valuation import parse_decimal

    _check_format(fmt)
    d_ilo = parse_decimal(duration, "--ilo-duration")
    if not Decimal(1) <= d_ilo <= Decimal(12):
        raise InputError(f"must be between 1 and 12 months (got {duration})", field="--ilo-duration")
    if design == "ilo-basis":
        from seguro_desempleo.simulation.ilo_basis import run_ilo_basis

        result, _scale = run_ilo_basis(persons=persons, months=months, seed=seed)
    else:
        result = simulate_design(design, persons, months, seed, 24)
    ilo = bridge.ilo_flows(load_assumptions("ilo-2021"), duration=d_ilo)
    sim = bridge.sim_flows(result)
    if sim.contributors == 0 or sim.claims_year == 0:
        raise InputError(f"{persons:,} simulated persons give no covered workers or no claims to compare; "
                         "use more persons (e.g. 200000)", field="--persons")
    rows = bridge.bridge_table(ilo, sim)
    dec = bridge.decompose(ilo, sim)
    factors = [{"factor": f["label"], "sim_over_ilo": str(f["sim_over_ilo"].quantize(Decimal("0.001")))}
               for f in dec["factors"]]
    val_ = valuation_of(result)
    from seguro_desempleo.actuarial.microsim import rate_tornado

    q4 = Decimal("0.0001")
    tornado = [{"factor": t["label"], "central": str(t["central"].quantize(q4)), "low": str(t["low"]),
                "high": str(t["high"]), "rate_low_pct": str((t["rate_low"] * 100).quantize(q4)),
                "rate_high_pct": str((t["rate_high"] * 100).quantize(q4))} for t in rate_tornado(result)]
    from seguro_desempleo.actuarial.output import bridge_json

    payload = {"basis_ilo": ilo.basis, "basis_sim": sim.basis, "bridge": bridge_json(rows), "factors": factors,
               "benefits_ratio": str(dec["benefits_ratio"].quantize(Decimal("0.001"))),
               "cost_rate_ratio": str(dec["cost_rate_ratio"].quantize(Decimal("0.001"))), "valuation": val_,
               "tornado": tornado}
    if fmt == "json":
        typer.echo(json.dumps(payload, ensure_ascii=False, indent=2))
    elif fmt == "csv":
        typer.echo(_csv(rows), nl=False)
    else:
        _table([{k: r[k] for k in ("label", "article", "ilo", "ilo_basis", "sim", "sim_over_ilo")} for r in rows],
               f"Puente: {ilo.basis} frente a {sim.basis}")
        _table(factors, f"Descomposición: prestaciones × {payload['benefits_ratio']} "
                        f"(costo / remuneración × {payload['cost_rate_ratio']})")
        _table(tornado, f"Tornado: tasa para reserva 2× (base {val_['basis']}) con cada factor en su rango")
        typer.echo(f"tasa para reserva 2× — base {val_['basis']}: {val_['rate_pct']} % "
                   f"(redondeada {val_['rate_pct_rounded_up']} %); base OIT 2021: {val_['ilo_rate_pct']} % "
                   f"(redondeada {val_['ilo_rate_pct_rounded_up']} %)")
    if out:
        _write(out, "bridge", bridge_json(rows))
        _write(out, "bridge_summary", payload)

@val.command("report")
def report_cmd(
    out: Annotated[Path, typer.Option("--out", "-o", help="Directory for HTML, PDF, charts, CSV and JSON.")],
    assumptions: AssumptionsOpt = "ilo-2021", scenario: ScenarioOpt = None, shock_year: ShockOpt = None,
    param: ParamOpt = None, reform: ReformOpt = None, rate: RateOpt = None,
    runs: Annotated[int, typer.Option("--runs", help="Stochastic runs.")] = 10_000,
    seed: Annotated[int, typer.Option("--seed", help="Random seed (same seed, same result).")] = 1,
    pdf: Annotated[bool, typer.Option("--pdf/--no-pdf", help="Also render PDF with WeasyPrint.")] = True,
) -> None:
    """Write the Spanish valuation report (HTML + PDF + charts + CSV/JSON of every table)."""
    from seguro_desempleo.reports.valuation import write_report

    written = write_report(_request(assumptions, scenario, shock_year, param, reform, rate), out,
                           runs=runs, seed=seed, pdf=pdf)
    for path in written:
        typer.echo(str(path))


def register(app: typer.Typer) -> None:
    app.add_typer(val, name="valuation")
