"""The Readiness page, the plan and evidence pack downloads, and the plan's stretch and withdrawn marks,
over HTTP in local mode on the example plan with its readiness history (tests/readiness/history.py)."""

from __future__ import annotations

import asyncio
import io
import os
import re
import sys
import zipfile
from html import unescape
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.reports.evidence_pack import PackFormat, render_pack
from bot.services import evidence as evidence_service
from bot.services.readiness import load_readiness
from domain.evidence_pack import EvidencePack
from tests.dashboard.conftest import ADMIN, OWNER, WITHDRAWN, Tab
from tests.digest.history import AS_OF

TIMEZONE = "Europe/London"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _rows(page: str) -> dict[str, list[str]]:
    """The statements table: each row's cells as plain text, by statement name."""
    body = page[page.index('class="readiness-table"') :]
    body = body[body.index("<tbody>") : body.index("</tbody>")]
    rows = {}
    for row in re.findall(r"<tr>(.*?)</tr>", body, re.S):
        cells = [
            " ".join(unescape(re.sub(r"<[^>]+>", " ", c)).split())
            for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
        ]
        name = unescape(re.sub(r"<span.*", "", re.search(r"<th scope=\"row\">(.*?)</th>", row, re.S).group(1)))  # type: ignore[union-attr]
        rows[name.strip()] = cells
    return rows


async def test_the_readiness_page_shows_scores_changes_evidence_and_stretch(
    local_tab: Tab, sessions: async_sessionmaker[AsyncSession]
) -> None:
    async with sessions() as session:
        view = await load_readiness(session, TIMEZONE)
    assert view is not None
    await local_tab.sign_in_as(OWNER)  # everyone in the plan sees readiness
    answer = await local_tab.get("/tab/readiness")
    page = await answer.text()
    assert answer.status == 200 and answer.headers["Cache-Control"] == "private, no-store"
    rows = _rows(page)
    assert list(rows) == [s.name for s in view.statements]
    by_id = {s.statement_id: s for s in view.statements}
    needs = rows[by_id["assessing-needs"].name]
    # CQC's score, the latest self-assessment (3, by its lead, on 27 Mar) and its change from the 2 before it.
    assert needs[2] == str(by_id["assessing-needs"].cqc_score)
    assert needs[3].startswith("3 27 Mar 2026") and needs[4] == "Up 1"
    # People's experience 2, staff 1 (thin), partners 0 (thin), processes 1 (thin); one link from an update.
    assert needs[5:10] == ["2", "1 Thin", "0 Thin", "1 Thin", "1"]
    stretch = {s.name: [a.ref for a in s.stretch_actions] for s in view.statements if s.stretch_actions}
    assert stretch  # the example plan has stretch actions, each listed under its statement
    for name, refs in stretch.items():
        assert rows[name][-1] == ", ".join(refs)
    unassessed = [s for s in view.statements if s.latest is None]
    for statement in unassessed:
        assert rows[statement.name][3] == "Not yet" and rows[statement.name][4] == "—"
    # Both bands with their percentage and what reaches the next.
    for heading, projection in (("CQC's scores", view.cqc), ("Self-assessment", view.self_assessed)):
        text = unescape(page)
        part = text[text.index(heading) :]
        assert f"{projection.percent} % · {projection.band.label}" in re.sub(r"<[^>]+>", "", part)[:200]
        if projection.band.next:
            assert f"To reach {projection.band.next.label}: {projection.points_to_next} more point" in re.sub(
                r"<[^>]+>", "", part
            )
            assert projection.move_sets[0][0].text in part
    # The chart draws each statement's two scores, as its table says.
    titles = re.findall(r"<g><title>([^<]+)</title>", page)
    assert len(titles) == len(view.statements)
    for statement, title in zip(view.statements, titles, strict=True):
        own = f"self-assessed {statement.latest.score}" if statement.latest else "not yet self-assessed"
        assert unescape(title).endswith(f"CQC {statement.cqc_score}, {own}")
    assert page.count('class="bar-cqc"') == len(view.statements)
    assert page.count('class="bar-self"') == len(view.statements) - len(unassessed)
    assert "Changed since sign-off" in page and "STR-02" in page


async def test_the_plan_marks_and_filters_stretch_and_withdrawn_actions(local_tab: Tab) -> None:
    await local_tab.sign_in_as(OWNER)
    everything = await (await local_tab.get("/tab/plan")).text()
    total = int(re.search(r"(\d+) of (\d+) actions match", everything).group(2))  # type: ignore[union-attr]
    assert total == 27  # the withdrawn action is listed too, marked in words
    assert re.search(rf'{WITHDRAWN}</a> <span class="flag flag-stretch">Stretch</span>', everything)
    assert re.search(r'<tr class="withdrawn">.*?<span class="flag flag-withdrawn">Withdrawn</span>', everything, re.S)
    stretch = await (await local_tab.get("/tab/plan?stretch=1")).text()
    refs = re.findall(r'<th scope="row"><a href="/tab/actions/[^"]+">([^<]+)</a>', stretch)
    assert refs == ["STR-01", "STR-02", "STR-03"] and "Stretch only</label>" in stretch
    assert 'id="f-stretch" name="stretch" value="1" checked' in stretch
    withdrawn = await (await local_tab.get("/tab/plan?status=withdrawn")).text()
    assert re.findall(r'<th scope="row"><a href="/tab/actions/[^"]+">([^<]+)</a>', withdrawn) == [WITHDRAWN]
    assert '<option value="withdrawn" selected>' in withdrawn
    active = await (await local_tab.get("/tab/plan?status=active&stretch=1")).text()
    assert re.findall(r'<th scope="row"><a href="/tab/actions/[^"]+">([^<]+)</a>', active) == ["STR-02", "STR-03"]
    # The filter stays in the URL: the sort links and the pager keep it.
    assert "/tab/plan?stretch=1&amp;status=active&amp;sort=owner" in active
    # Not rated means rated by nobody yet, never withdrawn.
    unrated = await (await local_tab.get("/tab/plan?rag=none")).text()
    assert f">{WITHDRAWN}</a>" not in unrated
    assert f">{WITHDRAWN}</a>" not in await (await local_tab.get("/tab/my")).text()
    history = await local_tab.get(f"/tab/actions/{WITHDRAWN}")  # its history stays readable
    assert history.status == 200 and f"<h1>{WITHDRAWN}" in await history.text()
    odd = await (await local_tab.get("/tab/plan?status=gone&stretch=yes")).text()
    assert f"{total} of {total} actions match" in odd


async def _cli_export(database_url: str, output: Path) -> None:
    env = {**os.environ, "DATABASE_URL": database_url, "MicrosoftAppId": ""}
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "plan", "export", "--format", "xlsx", "--output", str(output), env=env
    )
    assert await asyncio.wait_for(process.wait(), 180) == 0


def _members(workbook: bytes) -> dict[str, bytes]:
    # docProps/core.xml holds the moment openpyxl wrote the file; everything else is the plan.
    with zipfile.ZipFile(io.BytesIO(workbook)) as archive:
        return {name: archive.read(name) for name in archive.namelist() if name != "docProps/core.xml"}


async def test_the_plan_downloads_as_the_cli_exports_it(local_tab: Tab, database_url: str, tmp_path: Path) -> None:
    assert (await local_tab.get("/tab/downloads/plan.xlsx")).status == 303  # behind the sign-in
    await local_tab.sign_in_as(OWNER)
    page = await (await local_tab.get("/tab/downloads")).text()
    assert 'href="/tab/downloads/plan.xlsx" download' in page
    answer = await local_tab.get("/tab/downloads/plan.xlsx")
    assert answer.status == 200 and answer.headers["Content-Type"] == XLSX
    assert answer.headers["Cache-Control"] == "private, no-store"
    assert answer.headers["Content-Disposition"] == 'attachment; filename="cqc-improvement-plan.xlsx"'
    served = await answer.read()
    await _cli_export(database_url, tmp_path / "plan.xlsx")
    assert _members(served) == _members((tmp_path / "plan.xlsx").read_bytes())


async def test_the_evidence_pack_downloads_for_all_statements_or_one(
    local_tab: Tab, sessions: async_sessionmaker[AsyncSession]
) -> None:
    await local_tab.sign_in_as(ADMIN)
    page = await (await local_tab.get("/tab/downloads")).text()
    links = re.findall(r'href="(/tab/downloads/evidence-pack[^"]*)"', page)
    assert "/tab/downloads/evidence-pack.docx" in links and "/tab/downloads/evidence-pack/equity.csv" in links
    assert len(links) == 3 * (1 + len(re.findall(r"evidence-pack/[^\"]+\.xlsx", page)))
    for statement in (None, "equity"):
        for fmt in PackFormat:
            path = f"/tab/downloads/evidence-pack{'/' + statement if statement else ''}.{fmt.value}"
            answer = await local_tab.get(path)
            assert answer.status == 200, path
            assert answer.headers["Cache-Control"] == "private, no-store"
            name = f"cqc-evidence-pack-{statement or 'all'}-{AS_OF.date().isoformat()}.{fmt.value}"
            assert answer.headers["Content-Disposition"] == f'attachment; filename="{name}"'
            pack = await evidence_service.load_pack(
                sessions, statement=statement, timezone=TIMEZONE, today=AS_OF.date()
            )
            assert isinstance(pack, EvidencePack)
            # What `cqcbot evidence export` writes that day (a workbook's zip entries carry the moment written).
            served, expected = await answer.read(), render_pack(pack, fmt)
            assert served == expected if fmt is PackFormat.CSV else _members(served) == _members(expected)
    unknown = await local_tab.get("/tab/downloads/evidence-pack/nope.csv")
    assert unknown.status == 404 and "Unknown quality statement 'nope'" in await unknown.text()
    assert (await local_tab.get("/tab/downloads/evidence-pack.pdf")).status == 404


async def test_the_tabs_report_downloads_have_the_readiness_section(local_tab: Tab) -> None:
    """The same report the signed /reports link and `cqcbot report` give (bot/services/tab_links.py)."""
    await local_tab.sign_in_as(OWNER)
    md = await (await local_tab.get("/tab/downloads/2026-03.md")).text()
    assert "## CQC readiness" in md
    html = await (await local_tab.get("/tab/downloads/2026-03.html")).text()
    assert '<h2 id="readiness">CQC readiness</h2>' in html
