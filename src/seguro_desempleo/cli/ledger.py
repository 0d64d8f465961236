"""CLI: ``ledger balance|trial-balance|verify`` — the fund's books."""

from __future__ import annotations

import datetime as dt
import json
from typing import Annotated

import typer

from seguro_desempleo.cli.db import DbOption
from seguro_desempleo.errors import InputError


def register(app: typer.Typer) -> None:
    ledger_app = typer.Typer(help="The fund's double-entry ledger.", no_args_is_help=True)
    app.add_typer(ledger_app, name="ledger")

    def _load(db: str | None, at: str | None) -> tuple[object, dt.date | None]:
        from seguro_desempleo.bootstrap import unit_of_work
        from seguro_desempleo.periods import parse_date
        from seguro_desempleo.services import ledger

        until = parse_date(at, field="--at") if at else None
        with unit_of_work(db) as uow:
            return ledger.trial_balance(uow, until=until), until

    @ledger_app.command("balance")
    def balance(
        at: Annotated[str | None, typer.Option("--at", help="Balances at the end of this date")] = None,
        fmt: Annotated[str, typer.Option("--format", help="text or json")] = "text",
        db: DbOption = None,
    ) -> None:
        """Balance of every account on its normal side."""
        from seguro_desempleo.money import format_soles
        from seguro_desempleo.services.ledger import TrialBalance

        if fmt not in ("text", "json"):
            raise InputError(f"unknown format '{fmt}' (text|json)", field="--format")
        tb, _ = _load(db, at)
        assert isinstance(tb, TrialBalance)
        if fmt == "json":
            typer.echo(json.dumps([a.as_dict() for a in tb.accounts], ensure_ascii=False, indent=2))
            return
        for a in tb.accounts:
            typer.echo(f"{a.code}  {a.label:<58} {format_soles(a.balance):>22}")

    @ledger_app.command("trial-balance")
    def trial_balance(
        at: Annotated[str | None, typer.Option("--at", help="Totals at the end of this date (default: all entries)")] = None,
        fmt: Annotated[str, typer.Option("--format", help="text or json")] = "text",
        db: DbOption = None,
    ) -> None:
        """Debit and credit totals per account; they must agree (exit 1 if they do not)."""
        from seguro_desempleo.money import cents_to_str, format_soles
        from seguro_desempleo.services.ledger import TrialBalance

        tb, _ = _load(db, at)
        assert isinstance(tb, TrialBalance)
        if fmt == "json":
            typer.echo(json.dumps({"accounts": [a.as_dict() for a in tb.accounts],
                                   "total_debit": cents_to_str(tb.total_debit),
                                   "total_credit": cents_to_str(tb.total_credit), "balanced": tb.balanced},
                                  ensure_ascii=False, indent=2))
        else:
            typer.echo(f"{'Cuenta':<64} {'Debe':>20} {'Haber':>20}")
            for a in tb.accounts:
                typer.echo(f"{a.code}  {a.label:<58} {format_soles(a.debit):>20} {format_soles(a.credit):>20}")
            typer.echo(f"{'Totales':<64} {format_soles(tb.total_debit):>20} {format_soles(tb.total_credit):>20}")
            typer.echo("balanced" if tb.balanced else "NOT BALANCED")
        if not tb.balanced:
            raise typer.Exit(1)

    @ledger_app.command("verify")
    def verify(db: DbOption = None) -> None:
        """Replay every entry and check the account totals are rebuilt exactly."""
        from seguro_desempleo.bootstrap import unit_of_work
        from seguro_desempleo.services import ledger

        with unit_of_work(db) as uow:
            rebuilt = ledger.verify(uow)
        typer.echo(f"ledger verified: {len(rebuilt)} account(s) rebuilt from the entries")
