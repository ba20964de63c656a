"""`make playground`'s config: the plan's chair is the Playground's current user, five owners the others."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[2]


def test_the_playground_users_come_from_the_plan() -> None:
    spec = importlib.util.spec_from_file_location("playground_script", REPO / "scripts" / "playground.py")
    assert spec is not None and spec.loader is not None
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    plan = yaml.safe_load((REPO / "examples" / "halton-plan.yaml").read_text(encoding="utf-8"))
    config = script.playground_config(plan)
    chair = next(p for p in plan["people"] if "chair" in p["roles"])
    assert config["currentUser"]["email"] == chair["email"]
    emails = [u["email"] for u in config["users"]]
    assert len(emails) == 5 and chair["email"] not in emails
    owners = {p["email"] for p in plan["people"] if "owner" in p["roles"]}
    assert set(emails) <= owners
    ids = [config["currentUser"]["aadObjectId"], *(u["aadObjectId"] for u in config["users"])]
    assert len(set(ids)) == 6
