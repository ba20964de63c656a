"""The tab in headless Chromium (Debian's chromium with playwright-core): every page in local mode
and with a Teams SSO token, filters, an action's history, the chart and its table, Teams' three
themes, a phone's width, and axe-core (WCAG 2.2 AA) on each page in each theme. The pages load the
real teams-js (the npm release, served at the CDN's URL), so Chromium checks its integrity hash and
the Content-Security-Policy meets what the library really does; the Teams host it talks to is the
script's stand-in.

Screenshots go to the test's temporary folder; DASHBOARD_SCREENSHOTS_DIR=docs/screenshots (as
`make screenshots` sets it) refreshes the README's copies. One database is enough here: the HTTP
tests beside this one run every page on both.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
from pathlib import Path
from typing import Any

import pytest

from tests.dashboard.conftest import CHAIR_OID, Tab
from tests.dashboard.entra_keys import LocalEntra
from tests.playground.conftest import NODE_DIR

pytestmark = [pytest.mark.slow, pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)]

SCRIPT = NODE_DIR / "dashboard-ui.js"
CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
SCREENSHOTS_ENV = "DASHBOARD_SCREENSHOTS_DIR"
TIMEOUT = 300.0


def _require_tools() -> None:
    if not (NODE_DIR / "node_modules" / "playwright-core").is_dir() or shutil.which("node") is None:
        pytest.fail(f"node and playwright-core in {NODE_DIR}/node_modules are needed: run `make playground-tools`")
    if not (CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK)):
        pytest.fail(f"no Chromium at {CHROMIUM}: install Debian's chromium or set CHROMIUM")


async def drive(tab: Tab, mode: str, out: Path, token: str = "") -> dict[str, Any]:
    _require_tools()
    process = await asyncio.create_subprocess_exec(
        "node", str(SCRIPT), "--url", tab.url, "--mode", mode, "--out", str(out), "--chromium", str(CHROMIUM),
        cwd=NODE_DIR, env=dict(os.environ, DASHBOARD_TOKEN=token),
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    try:
        stdout, stderr = await asyncio.wait_for(process.communicate(), TIMEOUT)
    except TimeoutError:
        process.kill()
        await process.wait()
        pytest.fail(f"the browser script did not finish in {TIMEOUT:.0f} s")
    events = [json.loads(line) for line in stdout.decode().splitlines() if line.startswith("{")]
    last = events[-1] if events else {"event": "failed", "error": stderr.decode()[-2000:]}
    assert last["event"] == "done", last.get("error")
    return last


def _keep(shots: Path) -> None:
    target = os.environ.get(SCREENSHOTS_ENV)
    if target:
        Path(target).mkdir(parents=True, exist_ok=True)
        for shot in shots.glob("*.png"):
            shutil.copyfile(shot, Path(target) / shot.name)


async def test_every_page_in_every_theme_in_local_mode(local_tab: Tab, tmp_path: Path) -> None:
    result = await drive(local_tab, "local", tmp_path / "shots")
    assert result["violations"] == [], json.dumps(result["violations"], indent=1)
    assert result["axePasses"] >= 10  # axe ran its WCAG rules on every page (colour contrast among them)
    assert result["problems"] == []  # no script error, no Content-Security-Policy refusal
    assert result["teamsJsLoaded"] is True  # the real teams-js ran: its integrity hash matched
    assert len(result["pages"]) == 21 and all(title.endswith("— CQC Improvement") for title in result["pages"].values())
    assert result["filteredRows"] > 0 and set(result["filteredRags"]) == {"Red"}
    assert result["actionHeading"].startswith("PS-02") and result["actionUpdates"] >= 2
    assert result["chartPoints"] == 6 and result["tableRows"] == 8  # baseline, six months, target
    assert result["hoverTitle"] == "March 2026: 298 applications"
    assert result["themeSwitched"] is True
    assert {"status=active", "stretch=1"} <= set(result["stretchQuery"].lstrip("?").split("&"))
    assert result["stretchRows"] == 2 and result["stretchMarks"] == ["Stretch", "Stretch"]  # STR-01 is withdrawn
    assert result["readinessBars"] == result["readinessRows"] == 9
    assert result["readinessBarTitle"] == "Assessing people's needs: CQC 2, self-assessed 3"
    assert result["phoneOverflow"] <= 0, result["phoneWidest"]  # nothing wider than a phone's screen
    shots = sorted(p.name for p in (tmp_path / "shots").glob("*.png"))
    assert "dashboard-plan.png" in shots and "dashboard-figures-contrast.png" in shots
    assert {"dashboard-readiness.png", "dashboard-readiness-dark.png", "dashboard-readiness-contrast.png"} <= set(shots)
    _keep(tmp_path / "shots")


async def test_teams_sso_signs_in_and_follows_the_theme(sso_tab: Tab, entra: LocalEntra, tmp_path: Path) -> None:
    result = await drive(sso_tab, "sso", tmp_path / "shots", token=entra.token(oid=CHAIR_OID))
    assert result["heading"] == "My actions" and result["who"] == "Signed in as Helen Carter"
    assert result["rows"] > 0 and result["teamsJsLoaded"] is True
    assert result["violations"] == []
    # The first load is the 401 sign-in page by design (Chromium logs it); nothing else may fail.
    assert [p for p in result["problems"] if "status of 401" not in p] == []
    assert result.get("opened", "").startswith("https://teams.microsoft.com/l/chat/0/0?users=28:")
