"""`cqcbot`: serve the bot, migrate the database, import and show the plan, build the Teams app."""

from __future__ import annotations

import logging
import shutil
import sys
from pathlib import Path
from typing import Annotated

import typer
from pydantic import ValidationError
from rich.console import Console

from bot.settings import Settings

# Locals in a traceback could print secrets (the app password, a database URL): never show them.
app = typer.Typer(
    help="CQC Improvement Bot", no_args_is_help=True, add_completion=False, pretty_exceptions_show_locals=False
)
db_app = typer.Typer(help="Database schema (Alembic migrations).", no_args_is_help=True)
plan_app = typer.Typer(help="The improvement plan: import a plan file, show the stored plan.", no_args_is_help=True)
manifest_app = typer.Typer(help="The Teams app package.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(plan_app, name="plan")
app.add_typer(manifest_app, name="manifest")

# soft_wrap: an error line stays one line, so it can be read and grepped whole.
err = Console(stderr=True, soft_wrap=True)
# Wide enough for the plan tables when piped to a file or a pager.
out = Console(width=shutil.get_terminal_size((140, 40)).columns)


def load_settings() -> Settings:
    try:
        return Settings()
    except ValidationError as exc:
        err.print("[red]Configuration error[/red] (environment or .env):")
        for problem in exc.errors():
            field = ".".join(str(p) for p in problem["loc"]) or "settings"
            err.print(f"  {field}: {problem['msg']}")
        raise typer.Exit(2) from None


@app.command()
def serve() -> None:
    """Run the bot's web server (POST /api/messages, GET /healthz)."""
    from bot.serve import run

    settings = load_settings()
    logging.basicConfig(level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    # msrest warns of every channelData field its models don't name (Teams sends several): noise.
    logging.getLogger("msrest.serialization").setLevel(logging.ERROR)
    raise typer.Exit(run(settings, err))


@db_app.command("upgrade")
def db_upgrade(revision: Annotated[str, typer.Argument(help="Target revision")] = "head") -> None:
    """Create or migrate the schema (the only way a schema is made)."""
    from storage.migrate import upgrade

    settings = load_settings()
    upgrade(settings.database_url, revision)
    out.print(f"Database at revision {revision}.")


@db_app.command("downgrade")
def db_downgrade(revision: Annotated[str, typer.Argument(help="Target revision, e.g. base")]) -> None:
    """Step the schema back to an earlier revision."""
    from storage.migrate import downgrade

    downgrade(load_settings().database_url, revision)
    out.print(f"Database at revision {revision}.")


@plan_app.command("import")
def plan_import(
    file: Annotated[Path, typer.Argument(help="A .yaml, .xlsx or .csv plan file")],
    dry_run: Annotated[bool, typer.Option(help="Validate only; change nothing")] = False,
) -> None:
    """Import (upsert) a plan file. A bad file changes nothing and every error is listed."""
    from bot.cli_support import run_async
    from bot.plan_commands import import_plan_file

    raise typer.Exit(run_async(import_plan_file(load_settings(), file, dry_run=dry_run, out=out, err=err), err))


@plan_app.command("show")
def plan_show() -> None:
    """Print the stored plan as tables."""
    from bot.cli_support import run_async
    from bot.plan_commands import show_plan

    raise typer.Exit(run_async(show_plan(load_settings(), out=out), err))


@plan_app.command("schema")
def plan_schema() -> None:
    """Print the plan file's JSON Schema (published as docs/plan.schema.json)."""
    import json

    from storage.plan_file.load import plan_schema as schema

    sys.stdout.write(json.dumps(schema(), indent=2, ensure_ascii=False) + "\n")


@manifest_app.command("build")
def manifest_build(
    app_id: Annotated[str, typer.Option("--app-id", envvar="MicrosoftAppId", help="The bot's Microsoft App ID")],
    output: Annotated[Path, typer.Option(help="Where to write the zip")] = Path("out/cqc-improvement-bot.zip"),
    version: Annotated[str | None, typer.Option(help="App package version (default: the bot's)")] = None,
    domain: Annotated[list[str] | None, typer.Option(help="A valid domain (repeatable)")] = None,
    base_url: Annotated[
        str | None, typer.Option(help="Public https URL of the bot; its /privacy and /terms pages go in the manifest")
    ] = None,
) -> None:
    """Write the Teams app package (manifest + icons) to upload to Teams."""
    from manifest.build import build_package

    try:
        path = build_package(app_id, output, version=version, valid_domains=domain or [], base_url=base_url)
    except ValueError as exc:
        err.print(f"[red]Cannot build the app package:[/red] {exc}")
        raise typer.Exit(2) from None
    out.print(f"Wrote {path}")


def main() -> None:
    app()


def _register_feature_commands() -> None:
    # Each feature keeps its commands in its own module, registered on the one `cqcbot` app.
    from bot import cli_checkin, cli_delivery, cli_figures, cli_reports, cli_schedule

    for module in (cli_delivery, cli_checkin, cli_schedule, cli_figures, cli_reports):
        module.register(app)


_register_feature_commands()
