"""CLI: ``db init|upgrade|current`` — create and migrate the database (SQLite file or PostgreSQL)."""

from __future__ import annotations

from contextvars import ContextVar
from typing import Annotated

import typer

# Set while main() re-parses a command line only to find a usage error behind a missing database
# (click runs option callbacks before it counts the arguments): nothing is checked or opened then.
PARSE_ONLY: ContextVar[bool] = ContextVar("sd_cli_parse_only", default=False)


def existing_database(db: str | None) -> str | None:
    """The ``--db`` value unchanged, if it names a database that exists; a one-line error for a
    SQLite file that does not, so a mistyped path never leaves an empty database behind
    (SQLite creates the file on first connection). ``db init`` and ``db upgrade`` create."""
    from pathlib import Path

    from seguro_desempleo.bootstrap import resolve_db_url
    from seguro_desempleo.errors import InputError

    if PARSE_ONLY.get():
        return db
    url = resolve_db_url(db)
    if url.startswith("sqlite:///"):
        path = url.split("sqlite:///", 1)[1]
        if path and path != ":memory:" and not Path(path).exists():
            raise InputError(f"no database file at {path}: check the path, or create one with "
                             "'seguro-desempleo db init' (or 'seguro-desempleo demo')", field="--db")
    return db


DbOption = Annotated[str | None, typer.Option("--db", help="Database URL or SQLite file path "
                                              "(default: $SEGURO_DB_URL, else ./seguro_desempleo.sqlite3).",
                                              callback=lambda ctx, v: _db_seen(ctx, existing_database(v)))]


def _db_seen(ctx: typer.Context, value: str | None) -> str | None:
    # --actor is checked against this database's accounts (cli/users.py), whichever comes first
    from seguro_desempleo.cli.users import db_option_callback

    return db_option_callback(ctx, value)


NewDbOption = Annotated[str | None, typer.Option("--db", help="Database URL or SQLite file path, created if "
                                                 "missing (default: $SEGURO_DB_URL, else "
                                                 "./seguro_desempleo.sqlite3).")]


def register(app: typer.Typer) -> None:
    db_app = typer.Typer(help="Create and migrate the database.", no_args_is_help=True)
    app.add_typer(db_app, name="db")

    @db_app.command("init")
    def init(db: NewDbOption = None) -> None:
        """Create the schema in a new (empty) database."""
        from seguro_desempleo.bootstrap import init_database

        rev, where = init_database(db)
        typer.echo(f"database created at revision {rev}: {where}")

    @db_app.command("upgrade")
    def upgrade(db: NewDbOption = None,
                revision: Annotated[str, typer.Option("--revision", help="Target revision.")] = "head") -> None:
        """Apply pending migrations."""
        from seguro_desempleo.bootstrap import upgrade_database

        rev = upgrade_database(db, revision)
        typer.echo(f"database at revision {rev}")

    @db_app.command("current")
    def current(db: DbOption = None) -> None:
        """Print the revision the database is at."""
        from seguro_desempleo.bootstrap import database_revision

        typer.echo(database_revision(db) or "empty (no revision)")
