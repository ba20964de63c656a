"""The Teams app package: contents, icons, Teams' limits, and Microsoft's schema checked offline."""

from __future__ import annotations

import json
import shutil
import struct
import subprocess
import zipfile
from pathlib import Path
from typing import Any

import pytest

from manifest import draw_icons
from manifest.build import build_package, render_manifest
from manifest.checks import check_icon
from manifest.pngio import encode_rgba

REPO = Path(__file__).resolve().parents[2]
NODE_DIR = REPO / "tests" / "node"
APP_ID = "6f1c2d3e-4a5b-4c6d-8e9f-0a1b2c3d4e5f"
PERSONAL_COMMANDS = [
    "help", "my actions", "status", "figures", "away until", "back", "delegate", "digest",
    "post digest", "assess",
]  # fmt: skip


def png_size(data: bytes) -> tuple[int, int]:
    """Width and height from the IHDR chunk, read independently of manifest.pngio."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def build(tmp_path: Path, **kwargs: Any) -> tuple[dict[str, Any], dict[str, bytes]]:
    package = build_package(APP_ID, tmp_path / "out" / "cqc-improvement.zip", **kwargs)
    with zipfile.ZipFile(package) as archive:
        files = {name: archive.read(name) for name in archive.namelist()}
    return json.loads(files["manifest.json"]), files


# --- Microsoft's schema, via @microsoft/app-manifest in tests/node --------------------------------


def require_node_tools(node_dir: Path = NODE_DIR) -> None:
    """Fail loudly (never skip) when the offline validator is not installed."""
    if shutil.which("node") is None:
        pytest.fail("node is not on PATH: install Node.js 20+, then run `make node-tools`")
    if not (node_dir / "node_modules" / "@microsoft" / "app-manifest").is_dir():
        pytest.fail(f"{node_dir}/node_modules is missing: run `make node-tools` first")


def validate(manifest: dict[str, Any], tmp_path: Path) -> tuple[int, list[str]]:
    require_node_tools()
    path = tmp_path / f"manifest-{len(list(tmp_path.glob('manifest-*')))}.json"
    path.write_text(json.dumps(manifest), encoding="utf-8")
    run = subprocess.run(
        ["node", "validate-manifest.js", str(path)],
        cwd=NODE_DIR,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert run.returncode in (0, 1), f"validator could not run:\n{run.stdout}\n{run.stderr}"
    errors: list[str] = json.loads(run.stdout)["errors"]
    return run.returncode, errors


def test_built_manifest_passes_microsofts_schema(tmp_path: Path) -> None:
    manifest, _ = build(tmp_path, base_url="https://cqcbot.example.gov.uk", version="1.2.3")
    assert validate(manifest, tmp_path) == (0, [])


@pytest.mark.parametrize(
    ("path", "value", "expected"),
    [
        (("name", "short"), "CQC Improvement Bot for Adult Care", "/name/short"),
        (("bots", 0, "scopes"), ["personal", "channel"], "/bots/0/scopes/1"),
        (("bots", 0, "botId"), "not-a-guid", "/bots/0/botId"),
    ],
)
def test_validator_rejects_a_broken_manifest(
    tmp_path: Path, path: tuple[str | int, ...], value: Any, expected: str
) -> None:
    broken = render_manifest(APP_ID, version="1.0.0")
    node: Any = broken
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    code, errors = validate(broken, tmp_path)
    assert code == 1
    assert any(error.startswith(expected) for error in errors), errors


# --- the package ---------------------------------------------------------------------------------


def test_package_holds_manifest_and_icons_at_its_root(tmp_path: Path) -> None:
    manifest, files = build(tmp_path, version="2.0.1")
    assert sorted(files) == ["color.png", "manifest.json", "outline.png"]
    assert png_size(files["color.png"]) == (192, 192)
    assert png_size(files["outline.png"]) == (32, 32)
    assert manifest["icons"] == {"color": "color.png", "outline": "outline.png"}
    assert manifest["version"] == "2.0.1"


def test_package_is_reproducible(tmp_path: Path) -> None:
    first = build_package(APP_ID, tmp_path / "a.zip", version="1.0.0")
    second = build_package(APP_ID, tmp_path / "b.zip", version="1.0.0")
    assert first.read_bytes() == second.read_bytes()


def test_app_id_is_both_the_teams_app_id_and_the_bot_id() -> None:
    manifest = render_manifest(APP_ID.upper(), version="1.0.0")
    assert manifest["id"] == manifest["bots"][0]["botId"] == APP_ID


def test_a_separate_teams_app_id_can_be_pinned() -> None:
    other = "0d9e8f7a-1b2c-4d3e-9f40-5a6b7c8d9e0f"
    manifest = render_manifest(APP_ID, version="1.0.0", teams_app_id=other)
    assert (manifest["id"], manifest["bots"][0]["botId"]) == (other, APP_ID)


@pytest.mark.parametrize(
    "bad",
    ["", "not-a-guid", "6f1c2d3e4a5b4c6d8e9f0a1b2c3d4e5f", "{" + APP_ID + "}",
     "00000000-0000-0000-0000-000000000000", APP_ID + "0"],
)  # fmt: skip
def test_bad_app_id_is_refused(tmp_path: Path, bad: str) -> None:
    with pytest.raises(ValueError, match="GUID"):
        build_package(bad, tmp_path / "app.zip", version="1.0.0")
    assert not list(tmp_path.iterdir())


def test_version_defaults_to_the_installed_release() -> None:
    version = render_manifest(APP_ID)["version"]
    assert version.count(".") == 2 and all(part.isdigit() for part in version.split("."))


@pytest.mark.parametrize("bad", ["1.0", "v1.0.0", "1.0.0-beta", "01.0.0"])
def test_bad_version_is_refused(bad: str) -> None:
    with pytest.raises(ValueError, match=r"MAJOR\.MINOR\.PATCH"):
        render_manifest(APP_ID, version=bad)


def test_base_url_sets_developer_urls_and_a_valid_domain() -> None:
    manifest = render_manifest(
        APP_ID,
        version="1.0.0",
        base_url="https://CQCbot.example.gov.uk/",
        valid_domains=["*.example.gov.uk", "cqcbot.example.gov.uk"],
    )
    assert manifest["developer"]["websiteUrl"] == "https://CQCbot.example.gov.uk/"
    assert manifest["developer"]["privacyUrl"] == "https://CQCbot.example.gov.uk/privacy"
    assert manifest["developer"]["termsOfUseUrl"] == "https://CQCbot.example.gov.uk/terms"
    assert manifest["validDomains"] == ["*.example.gov.uk", "cqcbot.example.gov.uk"]


def test_without_base_url_the_package_points_at_localhost() -> None:
    manifest = render_manifest(APP_ID, version="1.0.0")
    assert manifest["developer"]["privacyUrl"] == "http://localhost:3978/privacy"
    assert manifest["validDomains"] == []
    assert "{{" not in json.dumps(manifest)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"base_url": "http://cqcbot.example.gov.uk"}, "https"),
        ({"base_url": "cqcbot.example.gov.uk"}, "base URL"),
        ({"valid_domains": ["https://cqcbot.example.gov.uk"]}, "bare host name"),
        ({"valid_domains": ["example.gov.uk/path"]}, "bare host name"),
    ],
)
def test_bad_urls_and_domains_are_refused(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        render_manifest(APP_ID, version="1.0.0", **kwargs)


# --- what the manifest says ----------------------------------------------------------------------


def test_bot_scopes_and_commands() -> None:
    bot = render_manifest(APP_ID, version="1.0.0")["bots"][0]
    assert bot["scopes"] == ["personal", "team"]
    assert bot["isNotificationOnly"] is False
    assert bot["supportsFiles"] is False
    lists = {tuple(c["scopes"]): [cmd["title"] for cmd in c["commands"]] for c in bot["commandLists"]}
    assert lists == {("personal",): PERSONAL_COMMANDS, ("team",): ["status", "help"]}


def test_text_fits_teams_limits() -> None:
    manifest = render_manifest(APP_ID, version="1.0.0")
    assert manifest["name"] == {"short": "CQC Improvement", "full": "CQC Improvement Bot"}
    assert len(manifest["description"]["short"]) <= 80
    assert len(manifest["developer"]["name"]) <= 32
    for command_list in manifest["bots"][0]["commandLists"]:
        assert len(command_list["commands"]) <= 10
        for command in command_list["commands"]:
            assert 0 < len(command["title"]) <= 32
            assert 0 < len(command["description"]) <= 128


# --- icons ---------------------------------------------------------------------------------------


def test_committed_icons_match_draw_icons() -> None:
    icons = REPO / "manifest" / "icons"
    size = draw_icons.COLOR_SIZE
    assert (icons / "color.png").read_bytes() == encode_rgba(size, size, draw_icons.render_color())
    size = draw_icons.OUTLINE_SIZE
    assert (icons / "outline.png").read_bytes() == encode_rgba(size, size, draw_icons.render_outline())


def _solid(size: int, rgba: tuple[int, int, int, int]) -> bytes:
    return encode_rgba(size, size, [rgba] * (size * size))


def _rgb_png(size: int) -> bytes:
    """An RGB PNG (colour type 2, no alpha channel): only the header is looked at."""
    ihdr = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + struct.pack(">I", 13) + b"IHDR" + ihdr + b"\0\0\0\0"


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("color.png", _solid(96, (0, 94, 184, 255)), "192x192"),
        ("outline.png", _solid(48, (0, 0, 0, 0)), "32x32"),
        ("outline.png", _rgb_png(32), "no transparency"),
        ("outline.png", _solid(32, (255, 255, 255, 255)), "transparent background"),
        ("outline.png", b"GIF89a", "not a PNG"),
    ],
)  # fmt: skip
def test_icon_checks_refuse_what_teams_rejects(name: str, data: bytes, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        check_icon(name, data)


def test_outline_with_a_coloured_symbol_is_refused() -> None:
    pixels = [(0, 0, 0, 0)] * (32 * 32)
    pixels[16 * 32 + 16] = (0, 94, 184, 255)
    with pytest.raises(ValueError, match="white on transparent"):
        check_icon("outline.png", encode_rgba(32, 32, pixels))


def test_the_dashboard_tabs_and_their_single_sign_on() -> None:
    manifest = render_manifest(APP_ID, version="1.0.0", base_url="https://cqcbot.example.gov.uk")
    personal = {tab["entityId"]: tab for tab in manifest["staticTabs"]}
    assert personal["my-actions"]["contentUrl"] == "https://cqcbot.example.gov.uk/tab/my"
    assert personal["plan"]["contentUrl"] == "https://cqcbot.example.gov.uk/tab/plan"
    assert "conversations" in personal  # the bot's chat stays beside the tabs
    (team,) = manifest["configurableTabs"]
    assert team["configurationUrl"] == "https://cqcbot.example.gov.uk/tab/configure" and team["scopes"] == ["team"]
    assert manifest["webApplicationInfo"] == {"id": APP_ID, "resource": f"api://cqcbot.example.gov.uk/{APP_ID}"}
    assert "cqcbot.example.gov.uk" in manifest["validDomains"]
