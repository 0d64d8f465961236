"""CLI: ``serve`` — the REST API and the Spanish web application on one port."""

from __future__ import annotations

import os
from typing import Annotated

import typer


def register(app: typer.Typer) -> None:
    @app.command()
    def serve(
        host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
        port: Annotated[int, typer.Option(help="Port.")] = 8000,
        db: Annotated[str | None, typer.Option("--db", help="Database URL (default: SEGURO_DB_URL or the "
                                               "SQLite file of the demo).")] = None,
        workers: Annotated[int, typer.Option(help="Worker processes.")] = 1,
        no_demo_logins: Annotated[bool, typer.Option("--no-demo-logins", help="Refuse the demo log-in "
                                                     "(production uses an identity provider).")] = False,
    ) -> None:
        """Serve the API (/api/v1, OpenAPI at /api/openapi.json) and the web pages."""
        import uvicorn

        if db:
            os.environ["SEGURO_DB_URL"] = db
        if no_demo_logins:
            os.environ["SEGURO_DEMO_LOGINS"] = "0"
        _pin_demo_date(db)
        typer.echo(f"Seguro por Desempleo: http://{host}:{port}/  (API docs: /api/docs)")
        uvicorn.run("seguro_desempleo.api.app:app_from_env", factory=True, host=host, port=port,
                    workers=workers, log_level="info", access_log=False)


TODAY_ENV = "SEGURO_WEB_TODAY"      # the pages' service date (web.common.TODAY_ENV)


def _pin_demo_date(db: str | None) -> None:
    """A demo database opens at the demo's last date unless SEGURO_WEB_TODAY says otherwise."""
    from seguro_desempleo.services.demo import demo_last_date

    if os.environ.get(TODAY_ENV):
        return
    last = demo_last_date(db)
    if last is not None:
        os.environ[TODAY_ENV] = last.isoformat()
        typer.echo(f"demo database: the pages show it as on {last.strftime('%d/%m/%Y')}, the demo's last day "
                   f"(set {TODAY_ENV}=YYYY-MM-DD to choose another date)")
