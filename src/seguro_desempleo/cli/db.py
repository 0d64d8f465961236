"""CLI: ``db init|upgrade|current`` — create and migrate the database (SQLite file or PostgreSQL)."""

from __future__ import annotations

from typing import Annotated

import typer

DbOption = Annotated[str | None, typer.Option("--db", help="Database URL or SQLite file path "
                                              "(default: $SEGURO_DB_URL, else ./seguro_desempleo.sqlite3).",
                                              callback=lambda ctx, v: _db_seen(ctx, v))]


def _db_seen(ctx: typer.Context, value: str | None) -> str | None:
    # --actor is checked against this database's accounts (cli/users.py), whichever comes first
    from seguro_desempleo.cli.users import db_option_callback

    return db_option_callback(ctx, value)


def register(app: typer.Typer) -> None:
    db_app = typer.Typer(help="Create and migrate the database.", no_args_is_help=True)
    app.add_typer(db_app, name="db")

    @db_app.command("init")
    def init(db: DbOption = None) -> None:
        """Create the schema in a new (empty) database."""
        from seguro_desempleo.storage import db as storage_db

        rev = storage_db.init(db)
        typer.echo(f"database created at revision {rev}: {storage_db._safe(storage_db.resolve_url(db))}")

    @db_app.command("upgrade")
    def upgrade(db: DbOption = None,
                revision: Annotated[str, typer.Option("--revision", help="Target revision.")] = "head") -> None:
        """Apply pending migrations."""
        from seguro_desempleo.storage import db as storage_db

        rev = storage_db.upgrade(db, revision)
        typer.echo(f"database at revision {rev}")

    @db_app.command("current")
    def current(db: DbOption = None) -> None:
        """Print the revision the database is at."""
        from seguro_desempleo.storage import db as storage_db

        typer.echo(storage_db.current_revision(db) or "empty (no revision)")
