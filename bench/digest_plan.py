"""A generated plan for bench/digest.py: N actions, 200 people, 4 themes, 5 measures, and a
progress round per month with a request and an update for every action (the newest round has a
ninth of its updates missing, so somebody is overdue). Bulk inserts, so 72,000 updates take
seconds.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
from collections.abc import Callable, Coroutine
from datetime import UTC, date, datetime, timedelta
from typing import Any, TypeVar

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.models import (
    ImprovementAction,
    Metric,
    MetricReading,
    Organisation,
    Person,
    ProgressRequest,
    ProgressUpdate,
    QualityStatement,
    RoundRow,
    Theme,
)

RAGS = ("green", "amber", "red", "green", "green", "complete")
Figures = TypeVar("Figures")


def plan_size_arguments(description: str | None) -> argparse.Namespace:
    """--actions, --months, --runs and --database-url, as both benches on this plan take them."""
    parser = argparse.ArgumentParser(description=description, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--actions", type=int, default=2000)
    parser.add_argument("--months", type=int, default=36)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--database-url", help="an empty PostgreSQL database (default: SQLite in a temp folder)")
    return parser.parse_args()


def on_the_plan_and_a_tenth(
    actions: int, database_url: str | None, bench: Callable[[str, int], Coroutine[Any, Any, Figures]]
) -> dict[int, Figures]:
    """``bench(url, size)`` on a plan of ``actions`` and on one a tenth its size (to show what grows
    with the plan), each on a fresh SQLite file; with ``database_url`` (one empty PostgreSQL
    database), on the full-size plan only."""
    results: dict[int, Figures] = {}
    with tempfile.TemporaryDirectory() as folder:
        for size in (actions, max(1, actions // 10)):
            if database_url and size != actions:
                break
            results[size] = asyncio.run(bench(database_url or f"sqlite+aiosqlite:///{folder}/bench-{size}.db", size))
    return results


def months_back(last: date, count: int) -> list[str]:
    out, year, month = [], last.year, last.month
    for _ in range(count):
        out.append(f"{year}-{month:02d}")
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    return out[::-1]


async def generate(sessions: async_sessionmaker[AsyncSession], actions: int, months: int) -> str:
    """Bulk-inserts the plan and its history; returns the newest month."""
    now = datetime(2026, 4, 20, 8, tzinfo=UTC)
    month_keys = months_back(date(2026, 4, 1), months)
    async with sessions.begin() as session:
        await session.execute(
            insert(Organisation),
            [
                {
                    "id": 1,
                    "name": "Bench Council",
                    "timezone": "Europe/London",
                    "settings": {},
                    "updated_at": now,
                }
            ],
        )
        await session.execute(
            insert(Person),
            [
                {
                    "id": p,
                    "name": f"Person {p}",
                    "email": f"p{p}@bench.example",
                    "roles": ["owner"] + (["chair"] if p == 1 else []),
                    "active": True,
                }
                for p in range(1, 201)
            ],
        )
        await session.execute(insert(Theme), [{"id": f"t{t}", "name": f"Theme {t}", "position": t} for t in range(4)])
        await session.execute(
            insert(QualityStatement),
            [
                {
                    "id": f"q{q}",
                    "theme_id": f"t{q % 4}",
                    "name": f"Statement {q}",
                    "score": 2 + q % 2,
                    "position": q,
                }
                for q in range(9)
            ],
        )
        await session.execute(
            insert(ImprovementAction),
            [
                {
                    "id": a,
                    "ref": f"A-{a:05d}",
                    "theme_id": f"t{a % 4}",
                    "quality_statement_id": f"q{a % 9}",
                    "requirement": f"Improvement requirement {a} " + "with a realistic length of wording " * 3,
                    "owner_id": 1 + a % 200,
                    "due": date(2026, 12, 31),
                    "status": "in_progress",
                    "rag": RAGS[a % len(RAGS)],
                    "position": a,
                    "updated_at": now,
                }
                for a in range(1, actions + 1)
            ],
        )
        await session.execute(
            insert(Metric),
            [
                {
                    "id": f"m{m}",
                    "name": f"Waiting list {m}",
                    "unit": "people",
                    "direction": "down",
                    "owner_id": 2 + m,
                    "baseline_value": 400.0,
                    "baseline_date": date(2023, 4, 30),
                    "target_value": 100.0,
                    "target_date": date(2026, 12, 31),
                    "position": m,
                }
                for m in range(5)
            ],
        )
        for index, month in enumerate(month_keys):
            year, number = int(month[:4]), int(month[5:])
            opened = datetime(year, number, 1, 9, tzinfo=UTC)
            round_id = (
                await session.execute(
                    insert(RoundRow).returning(RoundRow.id),
                    [
                        {
                            "kind": "progress",
                            "month": month,
                            "opened_at": opened,
                            "deadline": date(year, number, 14),
                            "closed_at": None if month == month_keys[-1] else opened + timedelta(days=27),
                        }
                    ],
                )
            ).scalar_one()
            await session.execute(
                insert(ProgressRequest),
                [
                    {
                        "round_id": round_id,
                        "action_id": a,
                        "person_id": 1 + a % 200,
                        "created_at": opened,
                    }
                    for a in range(1, actions + 1)
                ],
            )
            await session.execute(
                insert(ProgressUpdate),
                [
                    {
                        "action_id": a,
                        "round_id": round_id,
                        "author_id": 1 + a % 200,
                        "author_name": f"Person {1 + a % 200}",
                        "submitted_at": opened + timedelta(days=1 + a % 10, minutes=a % 600),
                        "rag": RAGS[(a + index) % len(RAGS)],
                        "narrative": f"Month {month}: progress on {a}. " * 6,
                        "evidence_links": [],
                        "blockers": "Need support from finance." if a % 7 == 0 else "",
                        "source": "teams",
                    }
                    for a in range(1, actions + 1)
                    if not (month == month_keys[-1] and a % 9 == 0)
                ],
            )
            await session.execute(
                insert(MetricReading),
                [
                    {
                        "metric_id": f"m{m}",
                        "period": month,
                        "value": 400.0 - index * 8 - m,
                        "submitted_at": opened,
                    }
                    for m in range(5)
                ],
            )
    return month_keys[-1]
