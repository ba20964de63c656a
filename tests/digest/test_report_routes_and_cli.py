"""The bot serves the report and charts the digest links to; `cqcbot digest` and `cqcbot report`."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from aiohttp import ClientSession
from aiohttp.test_utils import TestServer
from typer.testing import CliRunner

from bot.cli.main import app as cli
from bot.runtime import build_runtime
from bot.services.report_links import ReportLinks
from bot.web.app import create_app
from bot.web.report_routes import REPORTS, add_report_routes
from tests import conftest
from tests.conftest import FakeClock
from tests.digest.history import AS_OF, MONTH


@dataclass
class Served:
    url: str
    http: ClientSession
    links: ReportLinks
    clock: FakeClock

    async def get(self, path: str):  # type: ignore[no-untyped-def]
        return await self.http.get(self.url + path)


@pytest.fixture
async def served(database_url: str, history: None, clock: FakeClock) -> AsyncIterator[Served]:
    clock.now = AS_OF
    runtime = build_runtime(conftest.test_settings(database_url, DELIVERY_ENABLED=False), clock=clock)
    app = create_app(runtime)
    if REPORTS not in app:  # until bot/web/app.py adds them itself
        add_report_routes(app, runtime)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    async with ClientSession() as http:
        yield Served(str(server.make_url("")).rstrip("/"), http, app[REPORTS].links, clock)
    await server.close()


def path_of(url: str) -> str:
    return "/" + url.split("/", 3)[3]


async def test_report_and_charts_are_served(served: Served) -> None:
    page = await served.get(path_of(served.links.report_url(MONTH)))
    assert page.status == 200 and page.content_type == "text/html"
    html = await page.text()
    assert "Theme 1: Working with People" in html and "DoLS applications awaiting assessment" in html
    chart_url = served.links.chart_url(MONTH, "dols-backlog")
    assert chart_url.replace("&", "&amp;") in html or chart_url in html
    chart = await served.get(path_of(chart_url))
    assert chart.status == 200 and chart.content_type == "image/png"
    assert (await chart.read()).startswith(b"\x89PNG")
    docx = await served.get(path_of(served.links.report_url(MONTH, "docx")))
    assert docx.status == 200 and (await docx.read())[:2] == b"PK"
    assert "attachment" in docx.headers["Content-Disposition"]


async def test_links_must_be_signed(served: Served) -> None:
    good = path_of(served.links.report_url(MONTH))
    for path in (
        good.split("?")[0],
        good.replace("t=", "t=0"),
        path_of(served.links.report_url("2026-03")).replace("2026-03", MONTH),
        path_of(served.links.chart_url(MONTH, "no-such-measure")),
        "/reports/2026-4.html?t=x",
    ):
        assert (await served.get(path)).status == 404, path


def _token(url: str) -> str:
    return url.split("?t=", 1)[1]


async def test_links_are_for_one_purpose_and_tampering_shows_nothing(served: Served) -> None:
    report = path_of(served.links.report_url(MONTH))
    chart = path_of(served.links.chart_url(MONTH, "dols-backlog"))
    expires, signature = _token(report).split(".", 1)
    for path in (
        report.replace(f"t={expires}", f"t={int(expires) + 86400 * 365}"),  # a later expiry, same signature
        # A changed signature (its first character: the last one carries padding bits that decode alike).
        report.replace(f".{signature}", "." + ("A" if signature[0] != "A" else "B") + signature[1:]),
        report.split("?")[0] + "?t=" + _token(chart),  # a chart's token opens no report
        chart.split("?")[0] + "?t=" + _token(report),  # nor a report's a chart
        path_of(served.links.chart_url(MONTH, "ot-assessments-waiting")).replace(
            "ot-assessments-waiting", "dols-backlog"
        ),
        report.split("?")[0] + f"?t={expires}",
        report.split("?")[0] + "?t=%00%ff",
    ):
        response = await served.get(path)
        assert response.status == 404, path
    assert signature and (await served.get(report)).status == 200


async def test_an_expired_link_gets_a_page_that_says_so(served: Served) -> None:
    report = path_of(served.links.report_url(MONTH))
    chart = path_of(served.links.chart_url(MONTH, "dols-backlog"))
    served.clock.advance(days=29)
    assert (await served.get(report)).status == 200
    served.clock.advance(days=2)
    for path in (report, chart):
        response = await served.get(path)
        assert response.status == 410
        assert "This link has expired" in await response.text()


async def test_the_html_report_may_run_no_script(served: Served) -> None:
    response = await served.get(path_of(served.links.report_url(MONTH)))
    policy = response.headers["Content-Security-Policy"]
    assert "default-src 'none'" in policy and "script-src" not in policy
    assert response.headers["X-Content-Type-Options"] == "nosniff"


async def test_path_traversal_reaches_no_file(served: Served) -> None:
    token = _token(served.links.report_url(MONTH))
    for path in (
        f"/reports/../../etc/passwd?t={token}",
        f"/reports/%2e%2e/%2e%2e/etc/passwd?t={token}",
        f"/reports/{MONTH}/charts/..%2F..%2Fpyproject.toml.png?t={token}",
        f"/reports/{MONTH}/charts/%2e%2e.png?t={token}",
        f"/reports/{MONTH}.html/../../../pyproject.toml?t={token}",
    ):
        response = await served.http.get(served.url + path)
        body = await response.read()
        assert 400 <= response.status < 500, path
        assert b"[project]" not in body and b"root:" not in body


def run(database_url: str, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), env={"DATABASE_URL": database_url, "MicrosoftAppId": ""})
    return result.exit_code, result.stdout, result.stderr


def test_cli_digest_preview_json_and_post(database_url: str, history: None) -> None:
    as_of = ("--as-of", "2026-04-20T09:00")
    code, out, _ = run(database_url, "digest", "--month", MONTH, *as_of)
    assert code == 0 and "Actions updated: 12 of 19 (63%)" in out and "Overdue: Nadia Rahman" in out
    code, out, _ = run(database_url, "digest", *as_of, "--json")  # the latest round's month
    assert code == 0 and json.loads(out)["type"] == "AdaptiveCard" and "April 2026" in out
    code, out, _ = run(database_url, "digest", "--post", *as_of)
    assert code == 0 and "1 of 1 digest message queued for 2026-04" in out  # the chair: no channel yet
    code, out, _ = run(database_url, "digest", "--post", *as_of)
    assert code == 0 and "0 of 1 digest message queued" in out and "digest/digest-2026-04/person-" in out
    assert run(database_url, "digest", "--month", "April")[0] == 2
    code, _, err = run(database_url, "digest", "--post", "--month", "2026-05", *as_of)  # not begun on 20 April
    assert code == 2 and "May 2026 has not begun" in err
    assert run(database_url, "digest", "--month", "2026-05", *as_of)[0] == 0  # previewed all the same


def test_cli_report_formats(database_url: str, history: None, tmp_path: Path) -> None:
    as_of = ("--as-of", "2026-04-20T09:00")
    code, out, _ = run(database_url, "report", "--format", "md", "--month", MONTH, *as_of)
    assert code == 0 and out.startswith("# Appendix Two") and "**Improvement requirement:**" in out
    assert "<br>" not in out
    code, out, _ = run(database_url, "report", "--format", "csv", *as_of)
    assert code == 0 and out.startswith("section,theme,ref,item,rag")
    code, _, err = run(database_url, "report", "--format", "docx", *as_of)
    assert code == 2 and "--output" in err
    target = tmp_path / "out" / "appendix.docx"
    code, _, err = run(database_url, "report", "--format", "docx", "--output", str(target), *as_of)
    assert code == 0 and target.read_bytes()[:2] == b"PK" and "Wrote" in err
    code, _, _ = run(database_url, "report", "--format", "html", "--output", str(tmp_path / "a.html"), *as_of)
    assert code == 0 and "data:image/png;base64," in (tmp_path / "a.html").read_text()
    assert run(database_url, "report", "--format", "pdf")[0] == 2
