"""Keeps PostgreSQL's upkeep of one step out of the next step's figures.

Autovacuum wakes once a minute and vacuums or analyzes each table written enough since its
last visit. Left to itself, it cleans up after one step (an import, or the floor's scratch
tables) during whichever step is running at its next wake-up: on this 2-core machine a
worker busy 2.6-6.5 s at a time, billed to a step that did not cause it. So every measured step
starts from a database vacuumed and analyzed up to date, as it is in production when
imports are more than a minute apart. What autovacuum still does during a step, that
step's own writes asked for; the run records which tables it visited.
"""

import asyncio
from datetime import datetime

from bench.db import connected


def vacuum(database_url: str) -> datetime:
    """Vacuums and analyzes the whole database; returns the server's time afterwards."""
    return asyncio.run(_vacuum(database_url))


async def _vacuum(database_url: str) -> datetime:
    async with connected(database_url) as conn:
        # ANALYZE first: it rewrites pg_statistic's rows, which the VACUUM then cleans up
        # (VACUUM (ANALYZE) would leave them for autovacuum during the next step).
        await conn.execute("ANALYZE")
        await conn.execute("VACUUM")
        now: datetime = await conn.fetchval("SELECT clock_timestamp()")
        return now


def autovacuumed_since(database_url: str, since: datetime) -> list[str]:
    """Tables autovacuum vacuumed or analyzed since ``since`` (server time), by name."""
    return asyncio.run(_autovacuumed_since(database_url, since))


async def _autovacuumed_since(database_url: str, since: datetime) -> list[str]:
    async with connected(database_url) as conn:
        rows = await conn.fetch(
            "SELECT relname FROM pg_stat_all_tables"
            " WHERE greatest(last_autovacuum, last_autoanalyze) >= $1 ORDER BY relname", since)
    return [row["relname"] for row in rows]
