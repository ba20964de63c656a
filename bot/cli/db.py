"""`cqcbot db upgrade|downgrade`: the schema, through Alembic's migrations."""

from __future__ import annotations

from typing import Annotated

import typer

from bot.cli.console import load_settings, out


def register(app: typer.Typer) -> None:
    db = typer.Typer(help="Database schema (Alembic migrations).", no_args_is_help=True)
    app.add_typer(db, name="db")

    @db.command("upgrade")
    def db_upgrade(revision: Annotated[str, typer.Argument(help="Target revision")] = "head") -> None:
        """Create or migrate the schema (the only way a schema is made)."""
        from storage.migrate import upgrade

        settings = load_settings()
        upgrade(settings.database_url, revision)
        out.print(f"Database at revision {revision}.")

    @db.command("downgrade")
    def db_downgrade(revision: Annotated[str, typer.Argument(help="Target revision, e.g. base")]) -> None:
        """Step the schema back to an earlier revision."""
        from storage.migrate import downgrade

        downgrade(load_settings().database_url, revision)
        out.print(f"Database at revision {revision}.")
