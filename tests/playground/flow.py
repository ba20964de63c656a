"""What both Playground tests share: who the user is, and how the monthly prompt is sent."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from tests.playground.conftest import BotServer

# The Playground's current user (.m365agentsplayground.yml); her one open action in the plan.
OWNER_NAME = "Joanne Kelly"
OWNER_EMAIL = "joanne.kelly@halton.example"
ACTION_REF = "SAF-03"
REQUIREMENT = "Deprivation of Liberty Safeguards – backlog of applications"
THEME = "How the local authority ensures safety within the system"
QUALITY_STATEMENT = "Safeguarding"
PLAN_NARRATIVE_START = "Like all local authorities across the country"  # her February 2026 update

HELP_MARKER = "Things you can type here"  # a line of the help (and welcome) text
SUBMIT_VERB = "progress.submit"
EDIT_VERB = "progress.edit"


def round_month(today: date | None = None) -> str:
    """Next month's round, so its reply-by date (working day 10) is ahead of any day the tests run,
    and the receipt offers Edit; this month's deadline has passed for two thirds of every month."""
    today = today or datetime.now(ZoneInfo("Europe/London")).date()
    year, month = (today.year + 1, 1) if today.month == 12 else (today.year, today.month + 1)
    return f"{year:04d}-{month:02d}"


def month_label(month: str) -> str:
    return date(int(month[:4]), int(month[5:]), 1).strftime("%B %Y")


def send_monthly_prompts(bot: BotServer, month: str) -> str:
    """The operator's monthly step, as in production: open the round, then drain the outbox now."""
    opened = bot.cli("cycle", "open", "--month", month, what=f"opening the {month} round")
    assert f"prompt progress-{month} {OWNER_EMAIL} {ACTION_REF}" in opened, (
        f"`cqcbot cycle open --month {month}` did not queue {OWNER_NAME}'s prompt for {ACTION_REF}:\n{opened}"
    )
    delivered = bot.cli("deliver", "--until-empty", what="delivering the queued prompts")
    return opened + delivered
