"""Every tab page over HTTP in local mode (the developer sign-in), with the roles that may see it."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.dashboard.conftest import ADMIN, CHAIR, OWNER, Tab

PAGES = (
    "/tab/plan",
    "/tab/my",
    "/tab/figures",
    "/tab/readiness",
    "/tab/downloads",
    "/tab/actions/WWP-04",
    "/tab/round",
)
OVERSIGHT_ONLY = {"/tab/round"}


async def test_local_mode_sends_people_to_the_developer_sign_in_with_a_banner(local_tab: Tab) -> None:
    answer = await local_tab.get("/tab/plan?rag=red")
    location = urlsplit(answer.headers["Location"])
    assert answer.status == 303 and location.path == "/tab/sign-in"
    assert parse_qs(location.query) == {"next": ["/tab/plan?rag=red"]}
    page = await (await local_tab.get(answer.headers["Location"])).text()
    assert "Authentication is off" in page and "Helen Carter (chair, owner)" in page
    assert 'name="next" value="/tab/plan?rag=red"' in page


async def test_the_sign_in_needs_its_form_token(local_tab: Tab) -> None:
    await local_tab.get("/tab/sign-in")
    answer = await local_tab.post("/tab/sign-in", data={"csrf": "forged", "person": "1"})
    assert answer.status == 303 and answer.headers["Location"] == "/tab/sign-in?error=1"
    assert (await local_tab.get("/tab/plan")).status == 303  # still signed out


@pytest.mark.parametrize(("email", "oversees"), [(CHAIR, True), (ADMIN, True), (OWNER, False)])
async def test_each_page_for_each_role(local_tab: Tab, email: str, oversees: bool) -> None:
    await local_tab.sign_in_as(email)
    for path in PAGES:
        answer = await local_tab.get(path)
        page = await answer.text()
        if path in OVERSIGHT_ONLY and not oversees:
            assert answer.status == 403, path
            assert "for the plan's chair and administrators" in page
            continue
        assert answer.status == 200, (path, page[:500])
        assert answer.headers["Cache-Control"] == "private, no-store"
        csp = answer.headers["Content-Security-Policy"]
        nonce = re.search(r"'nonce-([^']+)'", csp)
        assert nonce and f'nonce="{nonce.group(1)}"' in page
        assert "frame-ancestors 'self' https://teams.microsoft.com" in csp and "unsafe-inline" not in csp
        assert ("/tab/round" in page) is oversees, path  # the Round page is in the menu only for them
    action = await (await local_tab.get("/tab/actions/WWP-04")).text()
    assert ("Audit trail" in action) is oversees


async def test_plan_filters_and_sorts_from_the_url(local_tab: Tab) -> None:
    await local_tab.sign_in_as(OWNER)
    everything = await (await local_tab.get("/tab/plan")).text()
    total = int(re.search(r"(\d+) of (\d+) actions match", everything).group(2))  # type: ignore[union-attr]
    red = await (await local_tab.get("/tab/plan?rag=red")).text()
    shown = int(re.search(r"(\d+) of \d+ actions match", red).group(1))  # type: ignore[union-attr]
    assert 0 < shown < total and "PS-02" in red and "WWP-02</a>" not in red
    assert 'value="red" selected' in red and "Clear filters" in red
    theme = await (await local_tab.get("/tab/plan?theme=providing-support&sort=due&order=desc")).text()
    assert "WWP-01</a>" not in theme and "PS-02</a>" in theme and 'aria-sort="descending"' in theme
    mine = await (await local_tab.get(f"/tab/plan?owner={OWNER}")).text()
    owners = set(re.findall(r"<td>([A-Z][a-z]+ [A-Z][a-z]+)</td>", mine))
    assert owners == {"Nadia Rahman"}
    # Values the plan does not have are ignored, not errors.
    odd = await local_tab.get("/tab/plan?rag=purple&theme=nope&sort=evil&overdue=yes")
    assert odd.status == 200 and f"{total} of {total} actions match" in await odd.text()


async def test_my_actions_puts_what_is_outstanding_first(local_tab: Tab) -> None:
    await local_tab.sign_in_as(OWNER)
    page = await (await local_tab.get("/tab/my")).text()
    states = re.findall(r"This round: (<strong>asked, not yet answered</strong>|answered|not asked)", page)
    assert states and states[0].startswith("<strong>")
    assert states == sorted(states, key=lambda s: not s.startswith("<strong>"))


async def test_the_round_page_says_who_is_overdue_away_and_unreachable(local_tab: Tab) -> None:
    await local_tab.sign_in_as(CHAIR)
    page = await (await local_tab.get("/tab/round")).text()
    # 16 of the digest's history and, since that history gained issue 14's readiness, STR-02 and STR-03.
    assert "12 of 18 actions updated" in page
    assert re.search(r"Nadia Rahman</th>\s*<td><span class=\"state state-overdue\">Overdue", page)
    assert "Away until" in page and "Lisa Brennan" in page
    assert "Unreachable since" in page and "the bot is not installed for this person (403)" in page


async def test_an_actions_history_rounds_and_audit(local_tab: Tab) -> None:
    await local_tab.sign_in_as(CHAIR)
    page = await (await local_tab.get("/tab/actions/WWP-04")).text()
    assert page.index("2026-04 round") < page.index("2026-03 round")  # newest first
    assert "Eclipse form change is waiting on the supplier" in page
    rounds = page[page.index('id="rounds"') : page.index('id="audit"')]
    assert re.findall(r'<th scope="row">(\d{4}-\d\d)</th><td>Sarah Whitfield</td>', rounds) == ["2026-03", "2026-04"]
    assert "Audit trail" in page and "progress update create" in page
    missing = await local_tab.get("/tab/actions/NOPE-99")
    assert missing.status == 404 and "no action with the reference NOPE-99" in await missing.text()


async def test_figures_have_a_chart_and_the_same_figures_in_a_table(local_tab: Tab) -> None:
    await local_tab.sign_in_as(OWNER)
    page = await (await local_tab.get("/tab/figures")).text()
    assert page.count('<svg viewBox="0 0 640 260" role="img"') == 5
    dols = page[page.index('id="m-dols-backlog"') :]
    dols = dols[: dols.index("</section>")]
    assert "<title>March 2026: 298 applications</title>" in dols
    assert '<th scope="row">March 2026</th><td>298</td>' in dols
    assert "Target, " in dols and ("On track" in dols or "Off track" in dols)


async def test_downloads_give_every_format_for_any_month(local_tab: Tab) -> None:
    await local_tab.sign_in_as(OWNER)
    page = await (await local_tab.get("/tab/downloads")).text()
    for month in ("2026-03", "2026-04"):
        for fmt in ("docx", "html", "md", "csv"):
            assert f"/tab/downloads/{month}.{fmt}" in page
    docx = await local_tab.get("/tab/downloads/2026-03.docx")
    assert docx.status == 200 and (await docx.read())[:2] == b"PK"
    assert docx.headers["Cache-Control"] == "private, no-store"
    html = await (await local_tab.get("/tab/downloads/2026-04.html")).text()
    chart = re.search(r'src="(/tab/downloads/2026-04/charts/[^"]+\.png)"', html)
    assert chart
    png = await local_tab.get(chart.group(1))
    assert png.status == 200 and (await png.read()).startswith(b"\x89PNG")
    md = await (await local_tab.get("/tab/downloads/2026-04.md")).text()
    assert md.startswith("# Appendix Two")
    assert (await local_tab.get("/tab/downloads/2026-13.md")).status == 404
    for outside in ("9999-12", "0001-01"):  # months no plan has: not found, not a server error
        assert (await local_tab.get(f"/tab/downloads/{outside}.md")).status == 404
        assert (await local_tab.get(f"/tab/downloads/{outside}/charts/waiting-list.png")).status == 404


async def test_sign_out_needs_the_sessions_form_token(local_tab: Tab) -> None:
    await local_tab.sign_in_as(OWNER)
    page = await (await local_tab.get("/tab/plan")).text()
    token = re.search(r'name="csrf" value="([0-9a-f]{32})"', page)
    assert token
    assert (await local_tab.post("/tab/sign-out", data={"csrf": "0" * 32})).status == 403
    assert (await local_tab.get("/tab/plan")).status == 200
    answer = await local_tab.post("/tab/sign-out", data={"csrf": token.group(1)})
    assert answer.status == 303
    assert (await local_tab.get("/tab/plan")).status == 303


async def test_no_page_before_a_plan_exists_shows_an_error_trace(database_url: str, clock) -> None:  # type: ignore[no-untyped-def]
    from aiohttp import ClientSession
    from aiohttp.test_utils import TestServer

    from bot.runtime import build_runtime
    from bot.web.app import create_app
    from tests import conftest

    runtime = build_runtime(conftest.test_settings(database_url), clock=clock)
    server = TestServer(create_app(runtime), host="127.0.0.1")
    await server.start_server()
    try:
        async with ClientSession() as http:
            answer = await http.get(str(server.make_url("/tab/sign-in")))
            assert answer.status == 200 and "No plan has been imported yet" in await answer.text()
    finally:
        await server.close()


async def test_the_team_tabs_configuration_page(local_tab: Tab) -> None:
    answer = await local_tab.get("/tab/configure")
    page = await answer.text()
    assert answer.status == 200 and 'data-page="configure"' in page
    assert page.count('type="radio" name="start"') == 3 and "Signed in as" not in page
    assert "frame-ancestors" in answer.headers["Content-Security-Policy"]
    static = await local_tab.get("/tab/static/tab.js")
    assert static.status == 200 and "getAuthToken" in await static.text()


async def test_the_sign_in_goes_back_only_to_a_page_of_the_tab(local_tab: Tab) -> None:
    for target, expected in (("/tab/figures", "/tab/figures"), ("https://evil.example/", "/tab/plan"),
                             ("//evil.example/tab/", "/tab/plan"), ("/tab//evil.example", "/tab/plan")):  # fmt: skip
        page = await (await local_tab.get("/tab/sign-in")).text()
        csrf = re.search(r'name="csrf" value="([^"]+)"', page)
        assert csrf
        person = Tab.person_id(OWNER, page)
        answer = await local_tab.post("/tab/sign-in", data={"csrf": csrf.group(1), "person": person, "next": target})
        assert answer.status == 303 and answer.headers["Location"] == expected, target


async def test_the_html_report_keeps_its_style_inside_teams(local_tab: Tab) -> None:
    """The digest's "Open the full report" opens this page in Teams: its inline style must apply."""
    await local_tab.sign_in_as(OWNER)
    answer = await local_tab.get("/tab/downloads/2026-04.html")
    assert answer.status == 200 and "<style>" in await answer.text()
    csp = answer.headers["Content-Security-Policy"]
    assert "style-src 'unsafe-inline'" in csp and "script-src" not in csp and "default-src 'none'" in csp
    assert "frame-ancestors 'self' https://teams.microsoft.com" in csp
    assert answer.headers["Cache-Control"] == "private, no-store"
    assert answer.headers["X-Content-Type-Options"] == "nosniff"
    # The tab's own pages keep their nonce policy, with no inline style.
    page = await local_tab.get("/tab/downloads")
    assert "'nonce-" in page.headers["Content-Security-Policy"]
    assert "unsafe-inline" not in page.headers["Content-Security-Policy"]
