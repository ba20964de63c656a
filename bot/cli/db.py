"""`cqcbot db upgrade|downgrade|backup|restore-check`: the schema, through Alembic's migrations,
and the embedded database's backups."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from bot.cli.console import err, load_settings, out


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

    @db.command("backup")
    def db_backup(file: Annotated[Path, typer.Argument(help="The new backup file", dir_okay=False)]) -> None:
        """Copy the SQLite database to FILE with SQLite's online backup (safe while serving).

        For PostgreSQL use pg_dump (see the README's Backups section)."""
        from storage.backup import BackupError, backup_sqlite

        try:
            size = backup_sqlite(load_settings().database_url, file)
        except BackupError as exc:
            err.print(f"[red]{exc}[/red]")
            raise typer.Exit(2) from None
        out.print(f"Backed up to {file} ({size:,} bytes). Check it with `cqcbot db restore-check {file}`.")

    @db.command("restore-check")
    def db_restore_check(
        backup: Annotated[str, typer.Argument(help="A backup file, or a restored database's URL")],
    ) -> None:
        """Open a backup and report its schema revision and the rows in each table."""
        from storage.backup import BackupError, summarise

        try:
            summary = asyncio.run(summarise(backup))
        except BackupError as exc:
            err.print(f"[red]{exc}[/red]")
            raise typer.Exit(1) from None
        if summary.revision is None:
            state = "no schema revision (not made by `cqcbot db upgrade`)"
        elif summary.revision == summary.head:
            state = f"schema revision {summary.revision}, the code's head"
        else:
            state = (
                f"schema revision {summary.revision}; this code needs {summary.head}: "
                "run `cqcbot db upgrade` after restoring"
            )
        out.print(f"{summary.shown}: {state}")
        rows = Table("table", "rows")
        for name, count in summary.rows.items():
            rows.add_row(name, f"{count:,}")
        out.print(rows)
        if summary.missing:
            err.print(f"[red]Missing tables:[/red] {', '.join(summary.missing)}")
            raise typer.Exit(1)
