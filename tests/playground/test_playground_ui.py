"""The same flow clicked in the Playground's web UI in headless Chromium.

The script (tests/node/playground-ui.js) opens the Playground, types `help`, waits for the monthly
prompt this test sends with the `cqcbot` CLI, fills the card in, presses Submit, checks the receipt
replaced the card, presses Edit, then types `digest MONTH` and opens the digest's figures. The Playground signs
in one user only, so the test first makes her (an owner) a plan admin too, who may preview the digest
as the chair does. The test keeps its screenshots of the prompt, the receipt and the digest in its
temporary folder; `make screenshots` (PLAYGROUND_SCREENSHOTS_DIR=docs/screenshots) refreshes the
README's copies, so an ordinary test run leaves the work tree as it was. Playwright's own
browser download is not used: Debian's chromium is (`make playground-tools`).
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
import yaml

from tests.playground.conftest import (
    EXAMPLE_PLAN,
    NODE_DIR,
    BotServer,
    PlaygroundServer,
    require_playground_tools,
)
from tests.playground.flow import (
    ACTION_REF,
    HELP_MARKER,
    OWNER_EMAIL,
    OWNER_NAME,
    month_label,
    round_month,
    send_monthly_prompts,
)
from tests.playground.processes import ManagedProcess

pytestmark = pytest.mark.slow

SCRIPT = NODE_DIR / "playground-ui.js"
CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
SCREENSHOTS_ENV = "PLAYGROUND_SCREENSHOTS_DIR"  # `make screenshots` points it at docs/screenshots
UI_STEP_TIMEOUT = 120.0  # Chromium's first start on a cold, busy machine is the slow part
UI_TOTAL_TIMEOUT = 600.0  # the script's own watchdog


def events(process: ManagedProcess) -> list[dict]:
    found = []
    for line in process.tail(500).splitlines():
        line = line.strip()
        if line.startswith("{"):
            try:
                found.append(json.loads(line))
            except json.JSONDecodeError:
                continue
    return found


def make_owner_an_admin(bot: BotServer, folder: Path) -> None:
    """The plan's admin adds the role in the plan file and imports it again, as in production."""
    plan = yaml.safe_load(EXAMPLE_PLAN.read_text(encoding="utf-8"))
    [owner] = [p for p in plan["people"] if p["email"] == OWNER_EMAIL]
    owner["roles"] = [*owner["roles"], "admin"]
    changed = folder / "plan-with-owner-as-admin.yaml"
    changed.write_text(yaml.safe_dump(plan, allow_unicode=True, sort_keys=False), encoding="utf-8")
    bot.cli("plan", "import", str(changed), what=f"making {OWNER_NAME} a plan admin")


def test_owner_answers_in_the_web_ui(
    bot_server: BotServer, playground_server: PlaygroundServer, tmp_path: Path
) -> None:
    require_playground_tools()
    if not (NODE_DIR / "node_modules" / "playwright-core").is_dir():
        pytest.fail(f"playwright-core is not installed in {NODE_DIR}/node_modules: run `make playground-tools`")
    if not (CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK)):
        pytest.fail(
            f"no Chromium at {CHROMIUM}: run `make playground-tools` (Debian's chromium package), "
            "or set CHROMIUM to another Chromium binary"
        )
    month = round_month()
    work = tmp_path / "ui"
    shots = tmp_path / "screenshots"
    work.mkdir()
    make_owner_an_admin(bot_server, tmp_path)
    options = {
        "url": playground_server.url, "out": str(shots), "work": str(work), "ref": ACTION_REF,
        "month": month_label(month), "owner": OWNER_NAME, "help-text": HELP_MARKER,
        "chromium": str(CHROMIUM),
    }  # fmt: skip
    argv = ["node", str(SCRIPT)] + [part for k, v in options.items() for part in (f"--{k}", v)]
    ui = ManagedProcess(
        "the web UI script (node tests/node/playground-ui.js)", argv, cwd=NODE_DIR,
        env=dict(os.environ), log_path=tmp_path / "ui.log",
    )  # fmt: skip
    try:
        ui.wait_for_line(r'"event":"(waiting-for-prompt|failed)"', UI_STEP_TIMEOUT)
        if any(e["event"] == "failed" for e in events(ui)):
            raise ui.failure("failed before the prompt was sent")
        send_monthly_prompts(bot_server, month)
        ui.wait_for_line(r'"event":"(done|failed)"', UI_TOTAL_TIMEOUT)
        done = [e for e in events(ui) if e["event"] in ("done", "failed")][-1]
        if done["event"] != "done":
            raise ui.failure(
                f"failed at step {done.get('step')!r}: {done.get('error')} "
                f"(screenshot of the page: {done.get('screenshot')})"
            )
        if ui.wait_exit(UI_STEP_TIMEOUT) != 0:
            raise ui.failure("reported done but did not exit cleanly")
    finally:
        ui.stop()

    keep = os.environ.get(SCREENSHOTS_ENV)
    for name in ("prompt", "receipt", "digest"):
        shot = done["screenshots"][name]
        assert shot["width"] >= 300 and shot["height"] >= 300, f"the {name} screenshot is too small: {shot}"
        png = Path(shot["file"])
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", f"{png} is not a PNG"
        if keep:
            Path(keep).mkdir(parents=True, exist_ok=True)
            shutil.copyfile(png, Path(keep) / f"{name}.png")
