"""`cqcbot manifest build`: the Teams app package."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from bot.cli.console import err, out


def register(app: typer.Typer) -> None:
    manifest = typer.Typer(help="The Teams app package.", no_args_is_help=True)
    app.add_typer(manifest, name="manifest")

    @manifest.command("build")
    def manifest_build(
        app_id: Annotated[str, typer.Option("--app-id", envvar="MicrosoftAppId", help="The bot's Microsoft App ID")],
        output: Annotated[Path, typer.Option(help="Where to write the zip")] = Path("out/cqc-improvement-bot.zip"),
        version: Annotated[str | None, typer.Option(help="App package version (default: the bot's)")] = None,
        domain: Annotated[list[str] | None, typer.Option(help="A valid domain (repeatable)")] = None,
        base_url: Annotated[
            str | None,
            typer.Option(help="Public https URL of the bot; its /privacy and /terms pages go in the manifest"),
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
