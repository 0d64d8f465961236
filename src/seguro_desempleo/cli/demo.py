"""CLI: ``demo`` — the insurance at work on a synthetic population (see docs/demo.md)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from seguro_desempleo.errors import InputError


def _render(s: dict[str, Any]) -> None:
    from rich.console import Console
    from rich.table import Table

    from seguro_desempleo.money import format_soles as _fmt_cents
    from seguro_desempleo.money import parse_soles

    def format_soles(amount: str) -> str:      # the result holds soles as decimal strings
        return _fmt_cents(parse_soles(amount))

    con = Console()
    con.print(f"[bold]Seguro por Desempleo — demo[/bold]: {s['workers']:,} workers, {s['employers']} employers, "
              f"{s['first_month']} to {s['last_month']} (seed {s['seed']}), {s['seconds']} s")
    t = Table(title="Fund", show_header=False)
    t.add_row("Fund balance (bank)", format_soles(s["fund_balance"]))
    t.add_row("Contributions declared", f"{format_soles(s['contributions']['amount'])} "
              f"({s['contributions']['worker_months']:,} worker-months)")
    t.add_row("Benefits paid", f"{format_soles(s['benefits_paid']['amount'])} "
              f"({s['benefits_paid']['installments']:,} installments)")
    t.add_row("Arrears paid after appeals", format_soles(s["arrears_paid"]))
    t.add_row("Placements recorded", str(s["placements"]))
    con.print(t)
    c = Table(title="Claims")
    c.add_column("outcome / state / reason")
    c.add_column("claims", justify="right")
    for k, v in s["claims"]["by_outcome"].items():
        c.add_row(f"outcome: {k}", str(v))
    for k, v in s["claims"]["by_state"].items():
        c.add_row(f"state: {k}", str(v))
    for k, v in s["claims"]["denied_by_reason"].items():
        c.add_row(f"denied for: {k}", str(v))
    con.print(c)
    x = Table(title="By sex")
    for col in ("sex", "claims", "approved", "denied", "benefits paid"):
        x.add_column(col, justify="right" if col != "sex" else "left")
    for sex, row in s["by_sex"].items():
        x.add_row(sex, str(row["claims"]), str(row["approved"]), str(row["denied"]), format_soles(row["benefits_paid"]))
    con.print(x)
    ev = ", ".join(f"{k} {v:,}" for k, v in s["events"].items())
    con.print(f"Events: {ev}")
    con.print(f"Audit log: {s['audit']['records']:,} records, chain {'intact' if s['audit']['intact'] else 'BROKEN'}")
    con.print(f"Database: {s['database']}; the demo ends on {_date_pe(s['last_date'])}, the date the web "
              "application opens it at")
    con.print(f"Browse it: seguro-desempleo serve --db {_db_arg(s['database'])}   then open http://127.0.0.1:8000/")
    if s.get("accounts_file"):      # the staff accounts (decision 0440): password and TOTP secret
        con.print(f"Staff accounts (demo.caseworker …): {s['accounts_file']} (readable only by you)")
    for a in s.get("accounts", ()):   # a server database: printed this once, kept nowhere
        con.print(f"Account {a['username']} ({a['role']}): password {a['password']}  TOTP secret {a['totp_secret']}")


def _date_pe(iso: str) -> str:
    import datetime as dt

    return dt.date.fromisoformat(iso).strftime("%d/%m/%Y")


def _db_arg(url: str) -> str:
    """The ``--db`` value to give ``serve``: the file of a SQLite URL, else the URL."""
    return url.split("sqlite:///", 1)[1] if url.startswith("sqlite:///") else url


def register(app: typer.Typer) -> None:
    @app.command("demo")
    def demo(
        workers: Annotated[int, typer.Option("--workers", help="Insured workers in the population")] = 2000,
        months: Annotated[int, typer.Option("--months", help="Months simulated")] = 24,
        seed: Annotated[int, typer.Option("--seed", help="Random seed (same seed, same run)")] = 42,
        start: Annotated[str, typer.Option("--start", help="First month, YYYY-MM")] = "2024-01",
        db: Annotated[str | None, typer.Option("--db", help="Database URL or SQLite file (default: a fresh "
                                               "./seguro_desempleo.sqlite3, replaced only if a demo made it)")] = None,
        keep_files: Annotated[Path | None, typer.Option("--keep-files", help="Keep the PLAME, T-Registro and "
                                                        "bank files written in this directory")] = None,
        fmt: Annotated[str, typer.Option("--format", help="text or json")] = "text",
    ) -> None:
        """Run the insurance for a synthetic population, month by month, through the real path."""
        from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

        from seguro_desempleo.demo import DemoConfig, run_demo

        if fmt not in ("text", "json"):
            raise InputError(f"unknown format '{fmt}' (text|json)", field="--format")
        cfg = DemoConfig(workers=workers, months=months, seed=seed, start=start, db=db, keep_files=keep_files)
        if fmt == "json":
            result = run_demo(cfg)
            typer.echo(json.dumps(result, ensure_ascii=False, indent=2))
            return
        with Progress(TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed}/{task.total}"),
                      TimeElapsedColumn(), transient=True) as bar:
            task = bar.add_task("demo", total=months + 1)

            def progress(label: str, done: int, total: int) -> None:
                bar.update(task, completed=done, total=total, description=f"month {label}")

            result = run_demo(cfg, progress=progress)
        _render(result)
