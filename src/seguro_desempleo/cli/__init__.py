"""The ``seguro-desempleo`` command line.

Each area registers its commands from its own module (``register(app)``), so the entry point
stays thin: parse, call a service, render. Every :class:`~seguro_desempleo.errors.SeguroError`
becomes one line on stderr and exit status 2; no traceback reaches a user.
"""

from __future__ import annotations

import importlib
import sys
from typing import Any

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
    "governance",  # instrument, proposal, study, fund (issue 28)
    "users",       # accounts and machine clients (issue 27)
    "warm",        # compile the numba kernels ahead (issue 29)
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
        context_settings={"help_option_names": ["-h", "--help"]},
    )

    @app.callback()
    def _root(version: bool = typer.Option(False, "--version", is_eager=True, callback=_show_version,
                                           help="Print the version and exit.")) -> None:
        """Seguro por Desempleo (PL 5510/2022-CR): the law as code, the insurance, valuation and policy tools."""
    for name in COMMAND_MODULES:
        module = importlib.import_module(f"seguro_desempleo.cli.{name}")
        module.register(app)
    return app


def _show_version(value: bool) -> None:
    if value:
        from seguro_desempleo import __version__

        typer.echo(f"seguro-desempleo {__version__}")
        raise typer.Exit(0)


def _click_classes(name: str) -> tuple[type[BaseException], ...]:
    """*name* (``ClickException``, ``Abort``, ``Exit``, ``NoArgsIsHelpError``) from click and from
    the copy of click that typer ≥ 0.20 bundles (``typer._click``): an ``isinstance`` on one
    misses the other's."""
    import click

    found: list[type[BaseException]] = []
    for mod in (click, _bundled_click()):
        cls = getattr(getattr(mod, "exceptions", None), name, None) or getattr(mod, name, None)
        if isinstance(cls, type) and issubclass(cls, BaseException) and cls not in found:
            found.append(cls)
    return tuple(found)


def _bundled_click() -> object:
    try:
        return importlib.import_module("typer._click")
    except ImportError:  # typer < 0.20 uses click itself
        return None


def _usage_line(exc: BaseException, argv: list[str] | None) -> str:
    """A click usage error as one line: the reason and where to look for help."""
    message = exc.format_message() if hasattr(exc, "format_message") else str(exc)
    ctx = getattr(exc, "ctx", None)
    path = getattr(ctx, "command_path", None) or "seguro-desempleo"
    return f"error: {' '.join(message.split())} (see '{path} --help')"


def _usage_error(app: typer.Typer, argv: list[str] | None) -> str | None:
    """The usage error of *argv*, if it has one, as one line; None if it parses. Click runs the
    ``--db`` callback (does the database exist?) before it counts the arguments, so a command line
    with both troubles would report the database; the usage comes first (issue 25). Parses only:
    no command runs, no database is opened (``cli.db.PARSE_ONLY``)."""
    import sys

    from seguro_desempleo.cli.db import PARSE_ONLY

    args = list(sys.argv[1:] if argv is None else argv)
    token = PARSE_ONLY.set(True)
    try:
        cmd: Any = typer.main.get_command(app)
        ctx = cmd.make_context("seguro-desempleo", args)
        while hasattr(cmd, "resolve_command"):
            protected = getattr(ctx, "_protected_args", None) or getattr(ctx, "protected_args", None) or []
            rest = [*protected, *ctx.args]
            if not rest:
                break
            _, cmd, rest = cmd.resolve_command(ctx, rest)
            if cmd is None:
                break
            ctx = cmd.make_context(cmd.name, rest, parent=ctx)
    except Exception as exc:
        if isinstance(exc, _click_classes("ClickException")) and not isinstance(exc, _click_classes("NoArgsIsHelpError")):
            return _usage_line(exc, argv)
        return None
    finally:
        PARSE_ONLY.reset(token)
    return None


def main(argv: list[str] | None = None) -> int:
    app = build_app()
    try:
        rv = app(args=argv, standalone_mode=False)
    except SeguroError as exc:
        usage = _usage_error(app, argv) if getattr(exc, "field", None) in ("--db", "--actor") else None
        typer.echo(usage or f"error: {exc.one_line()}", err=True)
        return 2
    except typer.Exit as exc:
        return int(exc.exit_code or 0)
    except typer.Abort:
        typer.echo("aborted", err=True)
        return 130
    except Exception as exc:  # click usage errors (either click) and the like
        if isinstance(exc, _click_classes("NoArgsIsHelpError")):
            ctx = getattr(exc, "ctx", None)     # a bare command or group: its help, not an error
            typer.echo(ctx.get_help() if ctx is not None else "see 'seguro-desempleo --help'")
            return 0
        if isinstance(exc, _click_classes("Exit")):
            return int(getattr(exc, "exit_code", 0) or 0)
        if isinstance(exc, _click_classes("Abort")):
            typer.echo("aborted", err=True)
            return 130
        if isinstance(exc, _click_classes("ClickException")):
            typer.echo(_usage_line(exc, argv), err=True)
            return int(getattr(exc, "exit_code", 2) or 2)
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
    from seguro_desempleo.bootstrap import database_failure

    failure = database_failure(exc)
    if failure is None:
        return None
    operational, message = failure
    text = message.lower()
    if "no such table" in text or ("relation" in text and "does not exist" in text):
        return ("the database has no schema or an old one: run 'seguro-desempleo db init' (a new database) "
                "or 'seguro-desempleo db upgrade'")
    if operational and ("database is locked" in text or "database is busy" in text):
        return "the database is busy with another write (waited 30 s); nothing was changed, run the command again"
    if operational:
        first = text.splitlines()[0][:160] if text else "unknown"
        return f"the database is not available ({first})"
    return None


def run() -> None:  # pragma: no cover - thin wrapper for console_scripts
    sys.exit(main())
