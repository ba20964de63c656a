"""`make playground`: the bot on a plan file and Microsoft's Agents Playground, with the plan's chair as
the Playground's current user and five of its owners as the other users.

It writes the Playground's config from the plan (people's emails, made-up AAD object ids: the bot
learns them on first contact, as in Teams), prepares a database of its own under .playground/,
starts both processes, prints what to open, and stops both on Ctrl-C.
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parents[1]
PLAYGROUND_CLI = REPO / "tests" / "node" / "node_modules" / "@microsoft" / "m365agentsplayground" / "cli.js"
TENANT = "7b0c1c1e-5c4f-4d3a-9d0e-000000000001"
USERS = 5  # the Playground's config schema 0.1.1 wants exactly five besides the current user


def say(text: str) -> None:
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def playground_config(plan: dict[str, Any]) -> dict[str, Any]:
    """The chair as the current user; the owners (not the chair) after; ids stable per email."""
    people = plan.get("people") or []
    chair = next((p for p in people if "chair" in (p.get("roles") or [])), None)
    if chair is None:
        raise SystemExit("the plan names no chair: add roles: [chair] to one of its people")
    owners = [p for p in people if p is not chair and "owner" in (p.get("roles") or [])]
    if len(owners) < USERS:
        raise SystemExit(f"the Playground needs {USERS} more people than the chair; the plan has {len(owners)}")

    def user(person: dict[str, Any], n: int) -> dict[str, str]:
        given, _, surname = str(person["name"]).partition(" ")
        return {
            "id": f"user-id-{n}",
            "name": person["name"],
            "userPrincipleName": person["email"],  # the Playground's spelling
            "aadObjectId": f"7b0c1c1e-5c4f-4d3a-9d0e-{n:012d}",
            "givenName": given,
            "surname": surname or given,
            "email": person["email"],
        }

    return {
        "version": "0.1.1",
        "tenantId": TENANT,
        "bot": {"id": "28:cqc-improvement-bot-local", "name": "CQC Improvement"},
        "currentUser": user(chair, 0),
        "users": [user(p, n) for n, p in enumerate(owners[:USERS], start=1)],
        "personalChat": {"id": "a:cqc-playground-personal-chat"},
        "groupChat": {"id": "19:cqc-playground-group-chat@thread.v2", "name": "CQC Improvement Group chat"},
        "team": {
            "id": "19:cqc-improvement-group@thread.tacv2",
            "name": "CQC Improvement Group",
            "aadGroupId": "7b0c1c1e-5c4f-4d3a-9d0e-000000000031",
            "channels": [{"id": "19:cqc-announcements@thread.tacv2", "name": "Announcements"}],
        },
    }


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for(url: str, process: subprocess.Popen[bytes], what: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"{what} stopped (exit {process.returncode}); see its output above")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"{what} did not answer {url} within {timeout:.0f} s")


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--plan", default=str(REPO / "examples" / "halton-plan.yaml"))
    parser.add_argument("--python", default=sys.executable)
    parser.add_argument("--bot-port", type=int, default=3978)
    parser.add_argument("--playground-port", type=int, default=56150)
    args = parser.parse_args()
    # `kill` and closing the terminal stop both children too, as Ctrl-C does.
    signal.signal(signal.SIGTERM, _interrupt)
    signal.signal(signal.SIGHUP, _interrupt)
    if not PLAYGROUND_CLI.exists():
        raise SystemExit("the Agents Playground is not installed: run `make node-tools` first")

    work = REPO / ".playground"
    work.mkdir(exist_ok=True)
    plan = yaml.safe_load(Path(args.plan).read_text(encoding="utf-8"))
    config = work / ".m365agentsplayground.yml"
    config.write_text(yaml.safe_dump(playground_config(plan), sort_keys=False), encoding="utf-8")
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite+aiosqlite:///{work / 'playground.db'}",
        "MicrosoftAppId": "",
        "HOST": "127.0.0.1",
        "PORT": str(args.bot_port),
    }
    for step in (["db", "upgrade"], ["plan", "import", args.plan]):
        subprocess.run([args.python, "-m", "bot", *step], env=env, check=True, cwd=REPO)

    bot = subprocess.Popen([args.python, "-m", "bot", "serve"], env=env, cwd=REPO, start_new_session=True)
    playground_env = {
        **os.environ,
        "BOT_ENDPOINT": f"http://127.0.0.1:{args.bot_port}/api/messages",
        "TEAMSAPPTESTER_BROWSER": "none",
        "M365_AGENTS_PLAYGROUND_CONFIG_PATH": str(config),
    }
    port = args.playground_port or free_port()
    playground = subprocess.Popen(
        ["node", str(PLAYGROUND_CLI), "--disable-telemetry", "-p", str(port)],
        env=playground_env,
        cwd=work,
        start_new_session=True,
    )
    try:
        wait_for(f"http://127.0.0.1:{args.bot_port}/healthz", bot, "the bot")
        wait_for(f"http://127.0.0.1:{port}/_debug/ping", playground, "the Agents Playground")
        chair = playground_config(plan)["currentUser"]["name"]
        say("")
        say(f"Open http://127.0.0.1:{port}/ in your browser. You are {chair}, the plan's chair.")
        say("In the personal chat type `help`, then `my actions`, fill in a card and press Submit progress.")
        say("To send this month's prompts, in another terminal: `.venv/bin/cqcbot round open` then `cqcbot deliver`;")
        say("to rehearse a month: `.venv/bin/cqcbot tick --deliver --as-of 2026-12-01T09:00`.")
        say(f"Those commands need DATABASE_URL={env['DATABASE_URL']} in their environment.")
        say("Ctrl-C stops the bot and the Playground.")
        while bot.poll() is None and playground.poll() is None:
            time.sleep(0.5)
    except KeyboardInterrupt:
        pass
    finally:
        for process in (playground, bot):
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in (playground, bot):
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)


if __name__ == "__main__":
    main()
