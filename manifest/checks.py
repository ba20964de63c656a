"""Checks Microsoft's JSON schema does not make: Teams' own text limits and the icon rules.

Each check raises ValueError with a message that says what to fix.
"""

from __future__ import annotations

import re
from typing import Any

from manifest.pngio import decode_rgba, read_header

GUID = re.compile(r"^[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")
SEMVER = re.compile(r"^(?:0|[1-9]\d*)\.(?:0|[1-9]\d*)\.(?:0|[1-9]\d*)$")
# A host name, optionally with a leading "*." wildcard and a port; no scheme, no path.
DOMAIN = re.compile(r"^(?:\*\.)?(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?\.)*[A-Za-z0-9-]+(?::\d{1,5})?$")

ICON_SIZES = {"color.png": 192, "outline.png": 32}
MAX_VALID_DOMAINS = 100  # the schema's limit

# Text limits from Teams' manifest reference. Schema v1.30 is looser for bot commands (titles 128,
# descriptions 4,000, 12 per list) than what the command menu shows, so keep the older, stricter
# limits that schemas up to v1.16 enforced: titles 32, descriptions 128, 10 commands per list.
TEXT_LIMITS: dict[tuple[str, str], int] = {
    ("name", "short"): 30,
    ("name", "full"): 100,
    ("description", "short"): 80,
    ("description", "full"): 4000,
    ("developer", "name"): 32,
}
COMMAND_TITLE_MAX = 32
COMMAND_DESCRIPTION_MAX = 128
COMMANDS_PER_LIST_MAX = 10


def check_guid(value: str, what: str) -> str:
    """Return the GUID in lower case, or raise if it is not one (or is the all-zero GUID)."""
    guid = value.strip()
    if not GUID.fullmatch(guid):
        raise ValueError(
            f"{what} must be a GUID like 00000000-0000-0000-0000-000000000000 "
            f"(the bot's Microsoft App ID from its Azure Bot registration), got {value!r}"
        )
    if set(guid) <= {"0", "-"}:
        raise ValueError(f"{what} is the all-zero GUID, a placeholder: use the real Microsoft App ID")
    return guid.lower()


def check_version(value: str) -> str:
    if not SEMVER.fullmatch(value):
        raise ValueError(
            f"app version must be MAJOR.MINOR.PATCH (for example 1.4.0), got {value!r}; "
            "Teams needs a higher version for every update of the app package"
        )
    return value


def check_domains(domains: list[str]) -> list[str]:
    """Validate Teams validDomains entries and drop duplicates, keeping order."""
    seen: dict[str, None] = {}
    for domain in domains:
        if not DOMAIN.fullmatch(domain):
            raise ValueError(
                f"valid domain {domain!r} must be a bare host name such as bot.example.gov.uk "
                "or *.example.gov.uk (no https://, no path)"
            )
        seen.setdefault(domain.lower(), None)
    if len(seen) > MAX_VALID_DOMAINS:
        raise ValueError(f"at most {MAX_VALID_DOMAINS} valid domains are allowed, got {len(seen)}")
    return list(seen)


def check_text_limits(manifest: dict[str, Any]) -> None:
    problems: list[str] = []
    for (section, key), limit in TEXT_LIMITS.items():
        text = manifest.get(section, {}).get(key, "")
        if len(text) > limit:
            problems.append(f"{section}.{key} is {len(text)} characters (max {limit})")
    for bot in manifest.get("bots", []):
        for command_list in bot.get("commandLists", []):
            scopes = "/".join(command_list["scopes"])
            commands = command_list["commands"]
            if len(commands) > COMMANDS_PER_LIST_MAX:
                problems.append(f"{scopes} has {len(commands)} commands (max {COMMANDS_PER_LIST_MAX})")
            for command in commands:
                title, description = command["title"], command.get("description", "")
                if len(title) > COMMAND_TITLE_MAX:
                    problems.append(f"{scopes} command {title!r} title is over {COMMAND_TITLE_MAX}")
                if len(description) > COMMAND_DESCRIPTION_MAX:
                    problems.append(
                        f"{scopes} command {title!r} description is {len(description)} "
                        f"characters (max {COMMAND_DESCRIPTION_MAX})"
                    )
    if problems:
        raise ValueError("manifest text exceeds Teams limits: " + "; ".join(problems))


def check_icon(name: str, data: bytes) -> None:
    """Size for both icons; for the outline, white on a transparent background."""
    header = read_header(data)
    size = ICON_SIZES[name]
    if (header.width, header.height) != (size, size):
        raise ValueError(f"{name} must be {size}x{size} pixels, is {header.width}x{header.height}")
    if name != "outline.png":
        return
    if not header.has_alpha:
        raise ValueError(
            f"{name} has no transparency (PNG colour type {header.colour_type}): Teams needs a "
            "white symbol on a transparent background"
        )
    _, pixels = decode_rgba(data)
    corners = (pixels[0], pixels[size - 1], pixels[-size], pixels[-1])
    if any(alpha != 0 for *_, alpha in corners):
        raise ValueError(f"{name} must have a transparent background (its corners are not)")
    # Edge pixels may be blended; anything mostly opaque must be white.
    if any(a >= 128 and min(r, g, b) < 240 for r, g, b, a in pixels):
        raise ValueError(f"{name} must be white on transparent; it has non-white pixels")
    if not any(a >= 128 for *_, a in pixels):
        raise ValueError(f"{name} is blank: no visible pixels")
