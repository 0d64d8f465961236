"""CLI: ``simulate`` (one design) and ``compare`` (several designs, report with charts)."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Annotated, Any

import typer

from seguro_desempleo.errors import InputError


def _progress() -> Any:
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                    console=Console(stderr=True), transient=True)


def _memory_limit(gib: float | None) -> int | None:
    if gib is None:
        return None
    if gib <= 0 or math.isnan(gib):
        raise InputError("must be a positive number of GiB", field="--memory-limit")
    return int(gib * (1 << 30))


def _out_dir(out: str | None) -> Path | None:
    if out is None:
        return None
    p = Path(out)
    try:
        p.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"cannot create the output directory: {exc.strerror}", field="--out", where=out) from None
    return p


def _warm_up_if_cold(asked: str, used: str) -> None:
    """After a run the ``auto`` engine did in numpy (cold kernel cache), compile the kernels in the
    background so the next run uses the compiled engine (issue 29, cold start)."""
    if asked == "auto" and used == "numpy":
        from seguro_desempleo.simulation._cache import spawn_warm_up

        spawn_warm_up()


def simulate(
    design: Annotated[str, typer.Option("--design", help="A design of simulation/designs/ or a YAML path.")] = "bill",
    persons: Annotated[int, typer.Option("--persons", help="Simulated persons (working-age population sample).")]
    = 200_000,
    months: Annotated[int, typer.Option("--months", help="Measured months.")] = 120,
    seed: Annotated[int, typer.Option("--seed", help="Random seed (same seed, same result).")] = 1,
    burn_in: Annotated[int, typer.Option("--burn-in", help="Months simulated before measuring.")] = 24,
    out: Annotated[str | None, typer.Option("--out", help="Directory for summary.json, flows.csv, "
                                            "calibration.md.")] = None,
    fmt: Annotated[str, typer.Option("--format", help="json or table")] = "table",
    engine: Annotated[str, typer.Option("--engine", help="auto, fast (numba) or numpy (reference); auto uses "
                                        "numpy for small runs until the compiled kernels are cached")] = "auto",
    partitions: Annotated[int, typer.Option("--partitions", help="Split the population in N parts.")] = 1,
    block: Annotated[int, typer.Option("--block", help="Persons per block of the fast engine.")] = 1 << 20,
    targets: Annotated[str | None, typer.Option("--targets", help="Calibration targets YAML.")] = None,
    memory_limit: Annotated[float | None, typer.Option("--memory-limit", help="GiB (default: available).")]
    = None,
) -> None:
    """Simulate one design on the synthetic labour market and print its indicators."""
    from seguro_desempleo.simulation import outputs
    from seguro_desempleo.simulation.runner import RunSpec, run

    if fmt not in ("json", "table"):
        raise InputError(f"unknown format '{fmt}' (json or table)", field="--format")
    spec = RunSpec(design=design, persons=persons, months=months, seed=seed, burn_in=burn_in, engine=engine,
                   partitions=partitions, block=block, targets=targets,
                   memory_limit=_memory_limit(memory_limit))
    spec.validate()
    out_dir = _out_dir(out)
    from seguro_desempleo.simulation.runner import prepare

    prepare(spec)  # unknown design / impossible targets fail here, before any work
    spec.check_memory()
    with _progress() as progress:
        task = progress.add_task(f"simulating {design} (person-months)", total=persons * (months + burn_in))
        result = run(spec, progress=lambda k: progress.advance(task, k))
    _warm_up_if_cold(engine, result.spec.engine)
    summary = outputs.summary(result)
    calib = outputs.calibration_report(result, Path(targets) if targets else None)
    summary["calibration"] = calib
    from seguro_desempleo.actuarial.output import simulation_json

    as_json = simulation_json(summary)         # the monthly flows in céntimos named *_cents (decision 0451)
    if out_dir is not None:
        (out_dir / "summary.json").write_text(json.dumps(as_json, ensure_ascii=False, indent=2), encoding="utf-8")
        outputs.write_flows_csv(result, out_dir / "flows.csv")
        (out_dir / "calibration.md").write_text(outputs.calibration_markdown(calib, result), encoding="utf-8")
    if fmt == "json":
        typer.echo(json.dumps(as_json, ensure_ascii=False, indent=2))
    else:
        ind = summary["indicators"]["all"]
        typer.echo(f"{summary['label']} ({summary['design']}), {persons:,} persons × {months} months")
        typer.echo(f"  {'basis':42s} {summary['basis']}")
        for k, v in ind.items():
            typer.echo(f"  {k:42s} {v}")
        for k, v in summary["gender_gaps"].items():
            typer.echo(f"  {k:42s} {v}")


def compare(
    designs: Annotated[str, typer.Option("--designs", help="Comma-separated designs, or 'all'.")] = "all",
    out: Annotated[str, typer.Option("--out", help="Directory for the report and charts.")] = "compare-out",
    persons: Annotated[int, typer.Option("--persons", help="Simulated persons per design.")] = 100_000,
    months: Annotated[int, typer.Option("--months", help="Measured months.")] = 60,
    seeds: Annotated[str, typer.Option("--seeds", help="Comma-separated seeds (pooled).")] = "1",
    burn_in: Annotated[int, typer.Option("--burn-in", help="Months simulated before measuring.")] = 24,
    partitions: Annotated[int, typer.Option("--partitions", help="Split the population in N parts.")] = 1,
    workers: Annotated[int, typer.Option("--workers", help="Local processes (0: run in this process).")] = 2,
    dask: Annotated[str | None, typer.Option("--dask", help="Dask scheduler ADDRESS (tcp://host:8786).")]
    = None,
    targets: Annotated[str | None, typer.Option("--targets", help="Calibration targets YAML.")] = None,
) -> None:
    """Run several designs (× seeds) and write a comparison report with charts."""
    from seguro_desempleo.simulation import outputs
    from seguro_desempleo.simulation.designs import list_designs
    from seguro_desempleo.simulation.runner import RunSpec, prepare
    from seguro_desempleo.simulation.sweep import dask_executor, local_executor, pool_seeds, sweep

    names = list_designs() if designs.strip() == "all" else [d.strip() for d in designs.split(",") if d.strip()]
    if not names:
        raise InputError("no design given", field="--designs")
    try:
        seed_list = [int(s) for s in seeds.split(",") if s.strip()]
    except ValueError:
        raise InputError(f"'{seeds}' is not a list of integers", field="--seeds") from None
    specs = [RunSpec(design=n, persons=persons, months=months, seed=s, burn_in=burn_in, partitions=partitions,
                     targets=targets, threads=1 if (workers > 1 or dask) else None, engine="auto")
             for n in names for s in seed_list]
    for spec in specs[:: len(seed_list)]:
        prepare(spec)  # unknown designs fail before any work
    specs[0].check_memory(workers=max(1, workers))
    out_dir = _out_dir(out)
    assert out_dir is not None
    total = sum(s.partitions for s in specs)
    with _progress() as progress:
        task = progress.add_task(f"{len(names)} designs × {len(seed_list)} seeds", total=total)

        def done(_s: object, _p: int) -> None:
            progress.advance(task, 1)

        if dask:
            with dask_executor(dask) as ex:
                results = sweep(specs, ex, done)
        elif workers > 1:
            with local_executor(workers) as ex:
                results = sweep(specs, ex, done)
        else:
            results = sweep(specs, None, done)
    pooled = pool_seeds(results)
    summaries = [outputs.summary(pooled[n]) for n in names]
    if len(seed_list) > 1:
        for summ in summaries:
            summ["seeds"] = seed_list
            summ["seed_spread"] = outputs.seed_spread([results[(summ["design"], s)] for s in seed_list])
    from seguro_desempleo.actuarial.microsim import valuation_of

    for summ in summaries:
        summ["valuation"] = valuation_of(pooled[summ["design"]])
    from seguro_desempleo.actuarial.output import simulation_json

    for summ in summaries:
        (out_dir / f"{summ['design']}.json").write_text(json.dumps(simulation_json(summ), ensure_ascii=False,
                                                                   indent=2), encoding="utf-8")
    files = outputs.write_comparison(summaries, out_dir)
    typer.echo((out_dir / "comparison.md").read_text(encoding="utf-8"))
    typer.echo(f"wrote {len(files) + len(summaries)} files to {out_dir}")


def register(app: typer.Typer) -> None:
    app.command()(simulate)
    app.command()(compare)
