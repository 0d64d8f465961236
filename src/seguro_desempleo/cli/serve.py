"""CLI: ``serve`` — the REST API and the Spanish web application on one port — and
``check-config``, what a production deployment still lacks (docs/deploy.md)."""

from __future__ import annotations

import ipaddress
import os
from typing import Annotated

import typer

from seguro_desempleo.errors import InputError

MIN_SECRET_BYTES = 32


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False      # a name, 0.0.0.0, a routable address: reachable from elsewhere


def serve_plan(host: str, workers: int, demo_logins: bool | None, secret: str | None) -> str:
    """The demo log-in mode ``"1"``/``"0"``/``"auto"`` for the server, or :class:`InputError`:

    - the secret is required and at least 32 bytes whenever several processes must share it
      (``--workers > 1``) or the server is reachable from other machines (not loopback); a given
      secret shorter than that is refused always;
    - the demo log-in is never on a non-loopback address; ``--demo-logins`` turns it on, otherwise
      it is on only for a database ``demo`` created (``auto``: the server reads the database).
    """
    if workers < 1:
        raise InputError("must be 1 or more", field="--workers")
    loopback = is_loopback(host)
    if secret is not None and len(secret.encode()) < MIN_SECRET_BYTES:
        raise InputError(f"SEGURO_SECRET must be at least {MIN_SECRET_BYTES} bytes "
                         "(e.g. python -c 'import secrets; print(secrets.token_hex(32))')", field="SEGURO_SECRET")
    if secret is None and (workers > 1 or not loopback):
        why = "--workers > 1 (each process would sign with its own key)" if workers > 1 else \
            f"the address {host} is not loopback"
        raise InputError(f"set SEGURO_SECRET (at least {MIN_SECRET_BYTES} bytes): {why}", field="SEGURO_SECRET")
    if not loopback:
        if demo_logins:
            raise InputError("the demo log-in is never served on a non-loopback address", field="--demo-logins")
        return "0"
    if demo_logins is None:
        return "auto"
    return "1" if demo_logins else "0"


def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port.")] = 8000,
    db: Annotated[str | None, typer.Option("--db", help="Database URL (default: SEGURO_DB_URL or the "
                                           "SQLite file of the demo).")] = None,
    workers: Annotated[int, typer.Option(help="Worker processes (needs SEGURO_SECRET).")] = 1,
    demo_logins: Annotated[bool | None, typer.Option(
        "--demo-logins/--no-demo-logins",
        help="The demo log-in (a role without a password). Default: on only for a database `demo` "
             "created; never on a non-loopback address.")] = None,
) -> None:
    """Serve the API (/api/v1, OpenAPI at /api/openapi.json) and the web pages."""
    import uvicorn

    from seguro_desempleo.bootstrap import accounts_for
    from seguro_desempleo.bootstrap import resolve_db_url as resolve_url

    mode = serve_plan(host, workers, demo_logins, os.environ.get("SEGURO_SECRET"))
    url = resolve_url(db)
    os.environ["SEGURO_DB_URL"] = url
    os.environ["SEGURO_DEMO_LOGINS"] = mode
    accounts = accounts_for(url)
    demo_db = accounts.is_demo_database()
    try:
        has_accounts = accounts.has_accounts()
    except Exception:     # no schema: db init first
        raise InputError("the database has no schema: run `seguro-desempleo db init` first", field="--db") \
            from None
    if not has_accounts:
        typer.echo("No accounts yet. Create the first administrator (a TOTP secret and recovery codes "
                   "are printed once):\n"
                   f"  seguro-desempleo users add <name> --role admin --db '{db or url}'")
    on = mode == "1" or (mode == "auto" and demo_db)
    if on:
        typer.echo("DEMO LOG-IN IS ON: anyone who reaches this address may act in any role.")
    _pin_demo_date(url)
    typer.echo(f"Seguro por Desempleo: http://{host}:{port}/  (API docs: /api/docs)")
    uvicorn.run("seguro_desempleo.api.app:app_from_env", factory=True, host=host, port=port,
                workers=workers, log_level="info", access_log=False, proxy_headers=True)


def check_config(db: Annotated[str | None, typer.Option("--db", help="Database URL.")] = None) -> None:
    """What a production deployment lacks: PostgreSQL, the secret, demo log-in off, an identity
    provider or local accounts with TOTP, HTTPS behind a proxy. Exit status 1 when anything does."""
    from seguro_desempleo.bootstrap import accounts_for
    from seguro_desempleo.bootstrap import resolve_db_url as resolve_url

    gaps: list[str] = []
    url = resolve_url(db)
    if not url.startswith("postgresql"):
        gaps.append("the database is SQLite: production runs on PostgreSQL (SEGURO_DB_URL=postgresql://…)")
    secret = os.environ.get("SEGURO_SECRET")
    if not secret:
        gaps.append("SEGURO_SECRET is not set (at least 32 random bytes, the same for every worker)")
    elif len(secret.encode()) < MIN_SECRET_BYTES:
        gaps.append(f"SEGURO_SECRET is shorter than {MIN_SECRET_BYTES} bytes")
    if os.environ.get("SEGURO_DEMO_LOGINS") == "1":
        gaps.append("SEGURO_DEMO_LOGINS=1: the demo log-in is forced on")
    oidc = os.environ.get("SEGURO_OIDC_ISSUER")
    if oidc:
        if not oidc.startswith("https://"):
            gaps.append("SEGURO_OIDC_ISSUER is not https://")
        if not (os.environ.get("SEGURO_OIDC_CLIENT_ID") and os.environ.get("SEGURO_OIDC_CLIENT_SECRET")):
            gaps.append("SEGURO_OIDC_CLIENT_ID / SEGURO_OIDC_CLIENT_SECRET missing")
    try:
        db_gaps = accounts_for(url).production_gaps()
    except Exception:
        db_gaps = ["the database has no schema (seguro-desempleo db init / db upgrade)"]
    if oidc:
        db_gaps = [g for g in db_gaps if not g.startswith("no enabled admin")]
    gaps += db_gaps
    public = os.environ.get("SEGURO_PUBLIC_URL", "")
    if not public.startswith("https://"):
        gaps.append("SEGURO_PUBLIC_URL is not an https:// address (serve behind a TLS reverse proxy)")
    if not os.environ.get("FORWARDED_ALLOW_IPS"):
        gaps.append("FORWARDED_ALLOW_IPS is not set (the reverse proxy's address, so https is seen)")
    for g in gaps:
        typer.echo(f"missing: {g}")
    if gaps:
        raise typer.Exit(1)
    typer.echo("ready for production: PostgreSQL, secret, demo log-in off, sign-in configured, HTTPS")


def register(app: typer.Typer) -> None:
    app.command()(serve)
    app.command("check-config")(check_config)


TODAY_ENV = "SEGURO_WEB_TODAY"      # the service date of a demo database (bootstrap.TODAY_ENV: read by the API and the pages)


def _pin_demo_date(db: str | None) -> None:
    """A demo database opens at the demo's last date unless SEGURO_WEB_TODAY says otherwise."""
    from seguro_desempleo.demo import demo_last_date

    if os.environ.get(TODAY_ENV):
        return
    last = demo_last_date(db)
    if last is not None:
        os.environ[TODAY_ENV] = last.isoformat()
        typer.echo(f"demo database: the pages show it as on {last.strftime('%d/%m/%Y')}, the demo's last day "
                   f"(set {TODAY_ENV}=YYYY-MM-DD to choose another date)")
