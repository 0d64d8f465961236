"""CLI: ``users add|list|disable|enable|reset-password|roles`` and ``clients add`` — accounts for an
admin (issue 27, docs/deploy.md). The first admin is created here, on the server, before the
first sign-in; a password is read from the terminal (or ``SEGURO_NEW_PASSWORD`` for scripts),
never from the command line where ``ps`` would show it."""

from __future__ import annotations

import getpass
import os
from typing import Annotated

import typer

DbOption = Annotated[str | None, typer.Option("--db", help="Database URL or SQLite file path "
                                              "(default: $SEGURO_DB_URL, else ./seguro_desempleo.sqlite3).")]


def _password(confirm: bool = True) -> str:
    env = os.environ.get("SEGURO_NEW_PASSWORD")
    if env:
        return env
    pw = getpass.getpass("password: ")
    if confirm and getpass.getpass("again: ") != pw:
        from seguro_desempleo.errors import InputError

        raise InputError("the two passwords differ", field="password")
    return pw


def _os_actor() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except Exception:   # no user name in this environment (a container without passwd entry)
        return "cli:-"


def _os_user() -> str:
    try:
        return getpass.getuser()
    except Exception:
        return "-"


def resolve_cli_actor(value: str | None, db: str | None) -> str:
    """``--actor NAME`` must be an enabled account; without it the OS user is recorded (as its
    account when it has one of the same name). A job's default actor ``system:<job>`` is kept
    with the OS user (or account) that ran it: ``system:auto-decide#os:root``."""
    from seguro_desempleo.bootstrap import accounts_for

    if not value or value == "cli":
        return accounts_for(db).cli_actor(_os_user(), explicit=False)
    if value.startswith("system:"):
        # a scheduled job (e.g. the daily auto-decide): the job's name, and who started it
        who = accounts_for(db).cli_actor(_os_user(), explicit=False)
        return f"{value}#{who}"
    return accounts_for(db).cli_actor(value, explicit=True)


def actor_option_callback(ctx: typer.Context, value: str | None) -> str | None:
    """``--actor``'s callback: checked against the accounts of ``--db``, whichever of the two
    click processes first (the other's callback finishes the job)."""
    from seguro_desempleo.cli.db import PARSE_ONLY

    ctx.meta["sd_actor_raw"] = value
    if "db" in ctx.params and not PARSE_ONLY.get():
        return resolve_cli_actor(value, ctx.params["db"])
    return value


def db_option_callback(ctx: typer.Context, value: str | None) -> str | None:
    from seguro_desempleo.cli.db import PARSE_ONLY

    if "sd_actor_raw" in ctx.meta and "actor" in ctx.params and not PARSE_ONLY.get():
        ctx.params["actor"] = resolve_cli_actor(ctx.meta["sd_actor_raw"], value)
    return value


def _show(new: object) -> None:
    from seguro_desempleo.services.accounts import NewCredentials

    assert isinstance(new, NewCredentials)
    if new.totp_secret:
        typer.echo(f"TOTP secret (add it to an authenticator app): {new.totp_secret}")
        typer.echo(f"  or scan: {new.totp_uri}")
        typer.echo("recovery codes (each works once; give them to the user, they are not shown again):")
        for code in new.recovery_codes:
            typer.echo(f"  {code}")


users = typer.Typer(help="Accounts: add, list, disable, reset a password, change roles.", no_args_is_help=True)
clients = typer.Typer(help="Machine clients (OAuth 2.0 client credentials).", no_args_is_help=True)


@users.command("add")
def add(username: str,
        role: Annotated[str, typer.Option("--role", help="worker, employer, caseworker, employment_officer, "
                                                       "analyst, board or admin.")],
        dni: Annotated[str | None, typer.Option("--dni", help="A worker's DNI (after the identity check of "
                                                              "docs/deploy.md).")] = None,
        worker_id: Annotated[int | None, typer.Option("--worker-id", help="A worker's record id.")] = None,
        ruc: Annotated[list[str] | None, typer.Option("--ruc", help="An employer's RUC (repeat for more).")] = None,
        oidc_subject: Annotated[str | None, typer.Option("--oidc-subject", help="Sign in only through the "
                                                       "identity provider, as this subject.")] = None,
        totp: Annotated[bool, typer.Option("--totp", help="A second factor for a worker or employer "
                                                          "(always on for staff).")] = False,
        db: DbOption = None) -> None:
    """Create an account (staff get a TOTP secret and recovery codes, shown once)."""
    from seguro_desempleo.bootstrap import accounts_for

    issuer = os.environ.get("SEGURO_OIDC_ISSUER", "").rstrip("/") or None
    password = None if oidc_subject else _password()
    new = accounts_for(db).add_user(username, role, password=password, by=_os_actor(), worker_id=worker_id,
                                    worker_dni=dni, rucs=ruc or (), oidc_issuer=issuer if oidc_subject else None,
                                    oidc_subject=oidc_subject, second_factor=totp)
    typer.echo(f"account '{new.username}' created ({role})")
    _show(new)


@users.command("list")
def list_(db: DbOption = None) -> None:
    """Every account: name, role, second factor, binding, state (no personal data)."""
    from seguro_desempleo.bootstrap import accounts_for

    for a in accounts_for(db).list_users():
        bound = f"worker {a.worker_id}" if a.worker_id else (",".join(a.rucs) if a.rucs else "-")
        state = "disabled" if a.disabled else ("locked" if a.locked_until else "active")
        typer.echo(f"{a.username:24} {a.role:18} {'totp' if a.second_factor else '-':5} "
                   f"{'oidc' if a.oidc else '-':5} {bound:24} {state}")


@users.command("disable")
def disable(username: str, db: DbOption = None) -> None:
    """Disable an account: its sessions end at once."""
    from seguro_desempleo.bootstrap import accounts_for

    accounts_for(db).set_disabled(username, True)
    typer.echo(f"account '{username}' disabled; its sessions ended")


@users.command("enable")
def enable(username: str, db: DbOption = None) -> None:
    """Enable an account again (and lift a lockout)."""
    from seguro_desempleo.bootstrap import accounts_for

    accounts_for(db).set_disabled(username, False)
    typer.echo(f"account '{username}' enabled")


@users.command("reset-password")
def reset_password(username: str, db: DbOption = None) -> None:
    """A new password (and a new TOTP secret and recovery codes for staff); sessions end."""
    from seguro_desempleo.bootstrap import accounts_for

    new = accounts_for(db).reset_password(username, _password())
    typer.echo(f"password of '{username}' reset; its sessions ended")
    _show(new)


@users.command("roles")
def roles(username: str,
          role: Annotated[str, typer.Option("--role", help="The new role.")],
          dni: Annotated[str | None, typer.Option("--dni", help="A worker's DNI (for a worker account).")] = None,
          worker_id: Annotated[int | None, typer.Option("--worker-id", help="A worker's record id.")] = None,
          ruc: Annotated[list[str] | None, typer.Option("--ruc", help="An employer's RUC (repeat for more).")] = None,
          db: DbOption = None) -> None:
    """Change an account's role (and its worker or RUCs); its sessions end."""
    from seguro_desempleo.bootstrap import accounts_for

    new = accounts_for(db).set_role(username, role, rucs=ruc or (), worker_id=worker_id, worker_dni=dni)
    typer.echo(f"account '{username}' is now {role}")
    if new is not None:
        _show(new)


@clients.command("add")
def client_add(client_id: str,
               role: Annotated[str, typer.Option("--role", help="A staff role (not admin).")],
               scope: Annotated[list[str], typer.Option("--scope", help="read:<resource> or write:<resource> "
                                                                        "(repeat), e.g. read:payments.")],
               db: DbOption = None) -> None:
    """A machine client (a bank's reconciliation feed, a SUNAT import job); prints its secret once."""
    from seguro_desempleo.bootstrap import accounts_for

    secret = accounts_for(db).add_client(client_id, role, scope, by=_os_actor())
    typer.echo(f"client '{client_id}' created; secret (shown once): {secret}")


def register(app: typer.Typer) -> None:
    app.add_typer(users, name="users")
    app.add_typer(clients, name="clients")
