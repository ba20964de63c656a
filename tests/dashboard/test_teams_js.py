"""The tab loads teams-js from Microsoft's CDN with an integrity hash: it must be the hash of the
very file that URL serves. The npm package of the same release carries that file (and its README
publishes the hash), so a version bump that forgets the hash fails here, not in a council's Teams."""

from __future__ import annotations

import base64
import hashlib
import json
import re

import pytest

from bot.web.dashboard.security import TEAMS_JS, TEAMS_JS_INTEGRITY
from tests.cards import NODE_DIR
from tests.dashboard.conftest import Tab

PACKAGE = NODE_DIR / "node_modules" / "@microsoft" / "teams-js"


def test_the_integrity_hash_is_that_of_the_release_the_url_names() -> None:
    if not PACKAGE.is_dir():
        pytest.fail(f"@microsoft/teams-js is not installed in {NODE_DIR}/node_modules: run `make node-tools`")
    pinned = json.loads((NODE_DIR / "package.json").read_text())["dependencies"]["@microsoft/teams-js"]
    installed = json.loads((PACKAGE / "package.json").read_text())["version"]
    assert f"/teams-js/{installed}/" in TEAMS_JS and pinned == installed
    library = (PACKAGE / "dist" / "umd" / "MicrosoftTeams.min.js").read_bytes()
    digest = "sha384-" + base64.b64encode(hashlib.sha384(library).digest()).decode()
    assert digest == TEAMS_JS_INTEGRITY
    published = re.search(r'integrity="(sha384-[^"]+)"', (PACKAGE / "README.md").read_text())
    assert published and published.group(1) == TEAMS_JS_INTEGRITY


async def test_every_page_asks_the_browser_to_check_it(local_tab: Tab) -> None:
    page = await (await local_tab.get("/tab/sign-in")).text()
    script = re.search(r'<script [^>]*src="https://res\.cdn\.office\.net/[^>]*>', page)
    assert script, page[:500]
    assert f'integrity="{TEAMS_JS_INTEGRITY}"' in script.group(0) and 'crossorigin="anonymous"' in script.group(0)
