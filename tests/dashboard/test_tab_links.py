"""Links into the tab from the bot: the digest's "Open the full report" opens it inside Teams."""

from __future__ import annotations

import json
from urllib.parse import parse_qs, urlsplit

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.services.digest import DigestService
from bot.services.report_links import links_for
from bot.services.tab_links import TabLinks, tab_links_for
from bot.settings import AppType
from dialogs.progress import build_receipt_card
from tests import conftest
from tests.dashboard.conftest import sso_settings
from tests.dashboard.entra_keys import APP_ID
from tests.dialogs.progress_data import LAST, VIEW  # the prompt and update the card tests use
from tests.digest.history import AS_OF, MONTH


def stage_context(url: str) -> dict[str, str]:
    parts = urlsplit(url)
    assert parts.netloc == "teams.microsoft.com" and parts.path == f"/l/stage/{APP_ID}/0"
    return json.loads(parse_qs(parts.query)["context"][0])


def test_a_stage_view_link_opens_a_tab_page_in_teams() -> None:
    links = TabLinks(APP_ID, "https://cqcbot.example.gov.uk")
    context = stage_context(links.action("WWP-04"))
    assert context == {
        "contentUrl": "https://cqcbot.example.gov.uk/tab/actions/WWP-04",
        "websiteUrl": "https://cqcbot.example.gov.uk/tab/actions/WWP-04",
        "name": "CQC plan WWP-04",
    }


def test_no_tab_links_in_local_mode(database_url: str) -> None:
    assert tab_links_for(conftest.test_settings(database_url)) is None
    assert tab_links_for(sso_settings(database_url)) == TabLinks(APP_ID, "https://cqcbot.example.gov.uk")
    # A multi-tenant bot with no tenant named has no tab (nothing to check sign-in against): no links to it.
    tenantless = sso_settings(database_url).model_copy(update={"app_type": AppType.MULTI_TENANT, "app_tenant_id": ""})
    assert tenantless.dashboard_in_teams is False and tab_links_for(tenantless) is None


async def test_the_digest_opens_its_full_report_in_the_tab(
    sessions: async_sessionmaker[AsyncSession], tab_history: None
) -> None:
    settings = sso_settings("sqlite+aiosqlite:///unused.db")
    digest = DigestService(sessions, lambda: AS_OF, "Europe/London", links_for(settings), tab_links_for(settings))
    card = await digest.card_for_month(MONTH, as_of=AS_OF)
    urls = [a["url"] for a in _actions(card) if a.get("type") == "Action.OpenUrl"]
    assert urls, "the digest card has no Open the full report button"
    context = stage_context(urls[0])
    assert context["contentUrl"] == f"https://cqcbot.example.gov.uk/tab/downloads/{MONTH}.html"
    assert "?t=" not in urls[0]  # the tab signs the reader in: no secret in the link


def _actions(node: object) -> list[dict]:
    found: list[dict] = []
    if isinstance(node, dict):
        if str(node.get("type", "")).startswith("Action."):
            found.append(node)
        for value in node.values():
            found.extend(_actions(value))
    elif isinstance(node, list):
        for item in node:
            found.extend(_actions(item))
    return found


def test_the_receipt_links_the_actions_history_in_the_tab() -> None:
    links = TabLinks(APP_ID, "https://cqcbot.example.gov.uk")
    progress = LAST
    card = build_receipt_card(VIEW, progress, author_name="A", submitted_at_text="now", editable=False,
                              history_url=links.action(VIEW.action_ref))  # fmt: skip
    (link,) = [a for a in _actions(card) if a.get("id") == "history"]
    assert link["type"] == "Action.OpenUrl" and link["title"] == f"See {VIEW.action_ref}'s history"
    assert stage_context(link["url"])["contentUrl"].endswith(f"/tab/actions/{VIEW.action_ref}")
    plain = build_receipt_card(VIEW, progress, author_name="A", submitted_at_text="now", editable=False)
    assert not [a for a in _actions(plain) if a.get("id") == "history"]
