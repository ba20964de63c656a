"""Writes docs/examples/: the digest and the board appendix in every format, and the CQC evidence
pack, from the example plan with two months of made-up history (tests/digest/history.py).

    .venv/bin/python -m tests.digest.make_examples [FOLDER]

tests/digest/test_examples.py checks the committed text files still match what this writes.
"""

from __future__ import annotations

import asyncio
import json
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from bot.reports.evidence_pack import PackFormat, render_pack
from bot.reports.export import ReportFormat, render_report, write_report
from bot.services.evidence import load_pack
from bot.services.report_links import ReportLinks
from bot.services.reporting import card_links, load_month_report
from dialogs.digest_readiness import build_digest_with_readiness, readiness_text
from dialogs.digest_text import render_digest_text
from domain.evidence_pack import EvidencePack
from domain.month_report import MonthReport
from storage.engine import new_engine, new_sessionmaker
from storage.migrate import upgrade
from storage.plan_file import load_plan_file
from storage.plan_import import import_plan
from tests.digest.history import AS_OF, MONTH, add_history

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "docs" / "examples"
PLAN = ROOT / "examples" / "halton-plan.yaml"
# A made-up public address and key: the example card shows what the links look like.
LINKS = ReportLinks("https://cqcbot.council.example", b"example-only", clock=lambda: AS_OF)


async def example_report() -> MonthReport:
    return (await example_report_and_pack())[0]


async def example_report_and_pack() -> tuple[MonthReport, EvidencePack]:
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite+aiosqlite:///{folder}/examples.db"
        await asyncio.to_thread(upgrade, url)
        engine = new_engine(url)
        try:
            sessions = new_sessionmaker(engine)
            async with sessions.begin() as session:
                await import_plan(
                    session,
                    load_plan_file(PLAN),
                    actor="examples",
                    now=datetime(2026, 2, 12, tzinfo=UTC),
                )
            async with sessions.begin() as session:
                await add_history(session)
            async with sessions() as session:
                report = await load_month_report(session, MONTH, AS_OF)
            pack = await load_pack(sessions, statement=None, timezone="Europe/London", today=AS_OF.date())
        finally:
            await engine.dispose()
    assert report is not None and isinstance(pack, EvidencePack)
    return report, pack


def text_examples(report: MonthReport) -> dict[str, str]:
    """The text files, by name: what the test compares."""
    ids = [s.metric.id for s in report.data.metrics]
    card = build_digest_with_readiness(report.digest, card_links(LINKS, MONTH, ids), report.readiness)
    return {
        f"digest-{MONTH}.txt": render_digest_text(report.digest) + readiness_text(report.readiness),
        f"digest-{MONTH}.card.json": json.dumps(card, indent=2, ensure_ascii=False) + "\n",
        f"board-appendix-{MONTH}.csv": render_report(report, ReportFormat.CSV).content.decode(),
        f"board-appendix-{MONTH}.md": render_report(
            report, ReportFormat.MD, output=Path(f"board-appendix-{MONTH}.md")
        ).content.decode(),
    }


def pack_examples(pack: EvidencePack) -> dict[str, bytes]:
    return {f"evidence-pack-{MONTH}.{fmt.value}": render_pack(pack, fmt) for fmt in PackFormat}


def write_examples(report: MonthReport, pack: EvidencePack, folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in text_examples(report).items():
        (folder / name).write_text(text, encoding="utf-8")
        written.append(folder / name)
    for fmt in (ReportFormat.MD, ReportFormat.HTML, ReportFormat.DOCX):
        output = folder / f"board-appendix-{MONTH}.{fmt.value}"
        written += write_report(render_report(report, fmt, output=output), output)
    for name, content in pack_examples(pack).items():
        (folder / name).write_bytes(content)
        written.append(folder / name)
    return written


def main() -> None:
    folder = Path(sys.argv[1]) if len(sys.argv) > 1 else EXAMPLES
    for path in write_examples(*asyncio.run(example_report_and_pack()), folder):
        sys.stderr.write(f"wrote {path}\n")


if __name__ == "__main__":
    main()
