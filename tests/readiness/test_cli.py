"""Readiness from the command line: self-assessments, the evidence library and its packs, sign-off drift."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.conftest import EXAMPLE_PLAN

CHAIR, ADMIN, LEAD = "helen.carter@halton.example", "priya.shah@halton.example", "joanne.kelly@halton.example"
SURVEY = "https://halton.example/sites/asc/carers-survey-2026.pdf"


def cli(database_url: str, *args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATABASE_URL": database_url, "MicrosoftAppId": "", "COLUMNS": "250"}
    return subprocess.run(
        [sys.executable, "-m", "bot", *args], capture_output=True, text=True, env=env, timeout=180, check=False, cwd=cwd
    )


def test_assess_from_the_cli_is_checked_like_the_card(database_url: str, example_plan: None) -> None:
    refused = cli(database_url, "assess", "record", "safeguarding", "--score", "5", "--rationale", "x", "--by", LEAD)
    assert refused.returncode == 2 and "CQC scores each statement from 1 to 4" in refused.stderr
    not_lead = cli(
        database_url,
        "assess",
        "record",
        "safeguarding",
        "--score",
        "4",
        "--rationale",
        "x",
        "--by",
        "tom.fielding@halton.example",
    )
    assert not_lead.returncode == 1 and "Only the statement's lead" in not_lead.stderr
    done = cli(database_url, "assess", "record", "safeguarding", "--score", "4", "--rationale", "Audits", "--by", LEAD)
    assert done.returncode == 0, done.stderr
    assert "Good, 67 %: 2 points above Requires improvement, 8 points short of Outstanding" in done.stdout
    shown = cli(database_url, "assess", "show")
    assert "CQC's scores: Good, 64 %: 1 point above Requires improvement, 9 points short of Outstanding" in shown.stdout
    assert "Self-assessed (1 of 9 statements assessed)" in shown.stdout and "Traceback" not in shown.stderr


def test_evidence_is_added_checked_listed_retired_and_exported_as_a_pack_that_converts_to_pdf(
    database_url: str, example_plan: None, tmp_path: Path
) -> None:
    add = ("evidence", "add", "--title", "Carers survey 2026", "--statement", "equity", "--by", ADMIN)
    bad = cli(database_url, *add, "--url", "https://a:b@halton.example/x.pdf", "--category", "partners")
    assert bad.returncode == 1 and "user name or password" in bad.stderr
    plain = cli(database_url, *add, "--url", "http://halton.example/x.pdf", "--category", "gossip")
    assert "must start with https://" in plain.stderr and "'gossip' is not a CQC evidence category" in plain.stderr
    good = cli(database_url, *add, "--url", SURVEY, "--category", "People's experience", "--date", "2026-03-02")
    assert good.returncode == 0, good.stderr
    listed = cli(database_url, "evidence", "list", "--statement", "equity", "--since", "2026-03-01")
    assert "Carers survey 2026" in listed.stdout and "People's experience" in listed.stdout
    assert "Carers survey" not in cli(database_url, "evidence", "list", "--statement", "safeguarding").stdout

    docx = tmp_path / "pack.docx"
    exported = cli(database_url, "evidence", "export", "--format", "docx", "--output", str(docx))
    assert exported.returncode == 0, exported.stderr
    soffice = shutil.which("soffice")
    if soffice is None:
        pytest.skip("LibreOffice is not installed")
    convert = [soffice, "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), str(docx)]
    subprocess.run(convert, check=True, capture_output=True, timeout=120)
    text = subprocess.run(
        ["pdftotext", str(tmp_path / "pack.pdf"), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "CQC evidence pack" in text and "Carers survey 2026" in text and "Equity in experience" in text
    assert "Thin evidence" in text

    csv_pack = cli(database_url, "evidence", "export", "--format", "csv", "--statement", "equity").stdout
    assert SURVEY in csv_pack
    retired = cli(database_url, "evidence", "retire", "1", "--reason", "Superseded by the 2027 survey", "--by", ADMIN)
    assert retired.returncode == 0, retired.stderr
    assert SURVEY not in cli(database_url, "evidence", "export", "--format", "csv").stdout
    assert "Superseded by the 2027 survey" in cli(database_url, "evidence", "list", "--retired").stdout


def test_sign_off_then_a_re_import_shows_the_drift(database_url: str, example_plan: None, tmp_path: Path) -> None:
    assert "Only the chair signs off" in cli(database_url, "signoff", "plan", "--by", ADMIN).stderr
    signed = cli(database_url, "signoff", "plan", "--by", CHAIR)
    assert signed.returncode == 0 and "27 actions" in signed.stdout
    document = yaml.safe_load(EXAMPLE_PLAN.read_text("utf-8"))
    document["actions"][0]["due"] = "2026-06-30"
    document["actions"][1]["owner"] = ADMIN
    document["actions"].append({**document["actions"][2], "ref": "WWP-10", "requirement": "A new requirement"})
    changed = tmp_path / "plan.yaml"
    changed.write_text(yaml.safe_dump(document, allow_unicode=True), "utf-8")
    assert cli(database_url, "plan", "import", str(changed)).returncode == 0
    shown = cli(database_url, "signoff", "show").stdout
    assert "by Helen Carter; since then 1 action added, 2 changed (target dates, owners)" in shown
    assert "WWP-01: target date 2026-03-31 → 2026-06-30" in shown
    assert f"WWP-02: owner rachel.ahmed@halton.example → {ADMIN}" in shown
    assert "WWP-10: added since sign-off" in shown
