"""The ``seguro-desempleo`` command line.

Each area registers its commands from its own module (``register(app)``), so the entry point
stays thin: parse, call a service, render. Every :class:`~seguro_desempleo.errors.SeguroError`
becomes one line on stderr and exit status 2; no traceback reaches a user.
"""

from __future__ import annotations

import importlib
import sys

import typer

from seguro_desempleo.errors import SeguroError

# Modules that add commands; each defines ``register(app: typer.Typer) -> None``.
COMMAND_MODULES = (
    "evaluate",    # law as code: evaluate, parameters
    "valuation",   # actuarial valuation
    "simulate",    # microsimulation: simulate, compare
    "db",          # db init|upgrade
    "payroll",     # payroll import, employers, payments, arrears
    "ledger",      # ledger balance, trial balance
    "claims",      # claims, payment runs, appeals, audit verify
    "demo",        # the end-to-end demo
    "serve",       # the API and web application
)


def build_app() -> typer.Typer:
    from seguro_desempleo.cli.help_types import install as plain_help_types

    plain_help_types()          # TEXT, INTEGER… in --help instead of <str>, <list[str]>
    app = typer.Typer(
        name="seguro-desempleo",
        help="Seguro por Desempleo (PL 5510/2022-CR): the law as code, the insurance, valuation and policy tools.",
        no_args_is_help=True,
        add_completion=False,
        pretty_exceptions_enable=False,
    )
    for name in COMMAND_MODULES:
        module = importlib.import_module(f"seguro_desempleo.cli.{name}")
        module.register(app)
    return app


def main(argv: list[str] | None = None) -> int:
    app = build_app()
    try:
        rv = app(args=argv, standalone_mode=False)
    except SeguroError as exc:
        typer.echo(f"error: {exc.one_line()}", err=True)
        return 2
    except typer.Exit as exc:
        return int(exc.exit_code or 0)
    except typer.Abort:
        typer.echo("aborted", err=True)
        return 130
    except Exception as exc:  # click usage errors and the like
        import click

        if isinstance(exc, click.ClickException):
            exc.show()
            return exc.exit_code
        reason = _database_trouble(exc)
        if reason is None:
            raise
        typer.echo(f"error: {reason}", err=True)
        return 2
    # With standalone_mode=False click returns the exit code of a ``typer.Exit`` instead of raising it.
    return rv if isinstance(rv, int) else 0


def _database_trouble(exc: BaseException) -> str | None:
    """One line for a database that cannot serve the command (no schema, an old one, no server),
    instead of a traceback; None for anything else."""
    from sqlalchemy.exc import OperationalError, ProgrammingError

    if not isinstance(exc, OperationalError | ProgrammingError):
        return None
    text = str(getattr(exc, "orig", exc)).lower()
    if "no such table" in text or ("relation" in text and "does not exist" in text):
        return ("the database has no schema or an old one: run 'seguro-desempleo db init' (a new database) "
                "or 'seguro-desempleo db upgrade'")
    if isinstance(exc, OperationalError):
        first = text.splitlines()[0][:160] if text else "unknown"
        return f"the database is not available ({first})"
    return None


def run() -> None:  # pragma: no cover - thin wrapper for console_scripts
    sys.exit(main())
