"""Links that open the dashboard tab inside Teams rather than in a browser.

A stage view deep link (``https://teams.microsoft.com/l/stage/<app id>/0?context=…``) opens a tab
page full-window inside Teams, where the page signs in with Teams SSO, so the link carries no
secret: the month's report opened this way is the tab's own download, checked like every tab page.
In local mode there is no Teams app to open, and no link is made.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from urllib.parse import quote

from bot.settings import Settings

TEAMS = "https://teams.microsoft.com"


@dataclass(frozen=True)
class TabLinks:
    app_id: str  # the Teams app's id (the bot's app id: manifest/build.py uses it for both)
    base_url: str  # where the tab is served, https://…

    def stage_view(self, path: str, name: str) -> str:
        page = self.base_url + path
        context = json.dumps({"contentUrl": page, "websiteUrl": page, "name": name}, separators=(",", ":"))
        return f"{TEAMS}/l/stage/{self.app_id}/0?context={quote(context, safe='')}"

    def report(self, month: str) -> str:
        """The month's board report, full-window in Teams."""
        return self.stage_view(f"/tab/downloads/{month}.html", f"CQC plan report {month}")

    def action(self, ref: str) -> str:
        """One action's page (its history), full-window in Teams."""
        return self.stage_view(f"/tab/actions/{quote(ref, safe='')}", f"CQC plan {ref}")


def tab_links_for(settings: Settings) -> TabLinks | None:
    """None where the tab is off (bot.web.dashboard.routes.add_dashboard) or Teams cannot reach it."""
    if not settings.dashboard_in_teams or not settings.public_url:
        return None
    return TabLinks(settings.app_id, settings.public_url)
