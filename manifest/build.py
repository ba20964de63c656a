"""Render the Teams app manifest from its template and zip it with the icons.

The Teams app id is the bot's Microsoft App ID unless a separate, stable ``teams_app_id`` is
given: one GUID to configure per environment, and each bot registration (dev, test, live) then
shows up as its own app in the tenant's catalogue. Pass ``teams_app_id`` only to keep the same
Teams app across a change of bot registration, so installs and pins survive.
"""

from __future__ import annotations

import json
import os
import re
import zipfile
from collections.abc import Sequence
from importlib import metadata, resources
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from manifest.checks import (
    ICON_SIZES,
    check_domains,
    check_guid,
    check_icon,
    check_text_limits,
    check_version,
)

TEMPLATE = "manifest.template.json"
DISTRIBUTION = "cqc-improvement-bot"  # the app's version is the default manifest version
DEFAULT_BASE_URL = "http://localhost:3978"  # the bot's local address: fine for sideloading only
PRIVACY_PATH, TERMS_PATH = "/privacy", "/terms"
TAB_PATH = "/tab"
LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1"}
PLACEHOLDER = re.compile(r"\{\{(\w+)\}\}")
ZIP_DATE = (1980, 1, 1, 0, 0, 0)  # fixed timestamps: the same inputs give the same zip bytes


def default_version() -> str:
    """MAJOR.MINOR.PATCH of the installed app, so each release bumps the Teams app version."""
    try:
        installed = metadata.version(DISTRIBUTION)
    except metadata.PackageNotFoundError as exc:
        raise ValueError(f"{DISTRIBUTION} is not installed: pass the app version explicitly") from exc
    release = re.match(r"\d+\.\d+\.\d+", installed)
    if release is None:
        raise ValueError(f"cannot derive MAJOR.MINOR.PATCH from {installed!r}: pass the version")
    return release.group()


def _site(base_url: str | None) -> tuple[dict[str, str], list[str]]:
    """Developer website, privacy and terms URLs under base_url, plus its host as a valid domain."""
    parts = urlsplit((base_url or DEFAULT_BASE_URL).rstrip("/"))
    host = parts.hostname or ""
    local = host in LOCAL_HOSTS
    if parts.scheme not in ("http", "https") or not host or parts.query or parts.fragment:
        raise ValueError(f"base URL must look like https://bot.example.gov.uk, got {base_url!r}")
    if parts.scheme != "https" and not local:
        raise ValueError(f"base URL must use https:// outside localhost, got {base_url!r}")
    root = parts.geturl()
    urls = {
        "websiteUrl": root + "/",
        "privacyUrl": root + PRIVACY_PATH,
        "termsOfUseUrl": root + TERMS_PATH,
        # The dashboard tab (bot/web/dashboard): personal tabs and the team tab's configuration page.
        "tabMyActionsUrl": root + TAB_PATH + "/my",
        "tabPlanUrl": root + TAB_PATH + "/plan",
        "tabConfigurationUrl": root + TAB_PATH + "/configure",
    }
    return urls, [] if local else [host]


def _load_template() -> dict[str, Any]:
    text = resources.files(__package__ or "manifest").joinpath(TEMPLATE).read_text("utf-8")
    tree: dict[str, Any] = json.loads(text)
    return tree


def _fill(node: Any, values: dict[str, Any], used: set[str]) -> Any:
    """Replace every string that is exactly "{{name}}" by values[name] (of any JSON type)."""
    if isinstance(node, dict):
        return {key: _fill(value, values, used) for key, value in node.items()}
    if isinstance(node, list):
        return [_fill(item, values, used) for item in node]
    if isinstance(node, str) and (found := PLACEHOLDER.search(node)):
        name = found.group(1)
        if found.group() != node or name not in values:
            raise ValueError(f"template value {node!r} is not a known, whole placeholder")
        used.add(name)
        return values[name]
    return node


def render_manifest(
    app_id: str,
    *,
    version: str | None = None,
    valid_domains: Sequence[str] = (),
    base_url: str | None = None,
    teams_app_id: str | None = None,
) -> dict[str, Any]:
    """The manifest as a JSON tree, placeholders filled and Teams' text limits checked.

    app_id: the bot's Microsoft App ID (bots[0].botId, and the Teams app id by default).
    version: MAJOR.MINOR.PATCH; defaults to the installed cqc-improvement-bot release.
    valid_domains: bare host names; base_url's host is added to them.
    base_url: public https origin of the bot; the developer website, privacy (/privacy) and terms
        (/terms) URLs live under it. Defaults to http://localhost:3978, for local sideloading only.
    teams_app_id: a separate, stable GUID for the Teams app, if wanted (see the module docstring).
    """
    if isinstance(valid_domains, str):
        raise TypeError("valid_domains must be a list of host names, not one string")
    bot_id = check_guid(app_id, "app id")
    urls, site_domains = _site(base_url)
    values: dict[str, Any] = {
        "botId": bot_id,
        "teamsAppId": check_guid(teams_app_id, "Teams app id") if teams_app_id else bot_id,
        "version": check_version(version if version is not None else default_version()),
        "validDomains": check_domains([*valid_domains, *site_domains]),
        # Teams SSO for the tab: the app registration's id and its exposed API (api://host/app id).
        "webApplicationId": bot_id,
        "webApplicationResource": f"api://{urlsplit(urls['websiteUrl']).netloc}/{bot_id}",
        **urls,
    }
    used: set[str] = set()
    manifest: dict[str, Any] = _fill(_load_template(), values, used)
    if unused := values.keys() - used:
        raise ValueError(f"the template lacks placeholders for: {', '.join(sorted(unused))}")
    check_text_limits(manifest)
    return manifest


def _icon_bytes(name: str) -> bytes:
    data = resources.files(__package__ or "manifest").joinpath("icons", name).read_bytes()
    check_icon(name, data)
    return data


def build_package(
    app_id: str,
    output: Path,
    *,
    version: str | None = None,
    valid_domains: Sequence[str] = (),
    base_url: str | None = None,
    teams_app_id: str | None = None,
) -> Path:
    """Write the Teams app package (manifest.json, color.png, outline.png at the zip root).

    Arguments as for render_manifest; output is the zip file to write (parent folders are
    created, an existing file is replaced atomically). Returns output. Raises ValueError on a bad
    app id, version, domain or base URL, or an icon Teams would reject.
    """
    manifest = render_manifest(
        app_id,
        version=version,
        valid_domains=valid_domains,
        base_url=base_url,
        teams_app_id=teams_app_id,
    )
    files = {"manifest.json": (json.dumps(manifest, indent=2, ensure_ascii=False) + "\n").encode()}
    files |= {name: _icon_bytes(name) for name in ICON_SIZES}

    output = Path(output)
    output.parent.mkdir(parents=True, exist_ok=True)
    partial = output.with_name(output.name + ".part")
    with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            entry = zipfile.ZipInfo(name, date_time=ZIP_DATE)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            archive.writestr(entry, data)
    os.replace(partial, output)
    return output
