"""Where an import spent its time, read back from the product's own timestamps.

Best effort: these are the product's tables, so a schema change only empties the breakdown.
"""

import asyncio
from typing import Any

import asyncpg

from bench.db import connected


def stage_seconds(database_url: str, import_id: str) -> dict[str, float]:
    try:
        return asyncio.run(_stage_seconds(database_url, import_id))
    except (asyncpg.PostgresError, OSError, TypeError, KeyError):
        return {}


async def _stage_seconds(database_url: str, import_id: str) -> dict[str, float]:
    async with connected(database_url) as conn:
        record = await conn.fetchrow(  # each service's own table: upload, parse, finalizer
            "SELECT i.uploaded_at, i.confirmed_at,"
            " (SELECT max(parsed_at) FROM parse_runs WHERE import_id = i.import_id) AS parsed_at,"
            " (SELECT completed_at FROM import_outcomes WHERE import_id = i.import_id)"
            " AS completed_at FROM imports i WHERE i.import_id = $1::uuid", import_id)
        reports = await conn.fetch(
            "SELECT service, min(received_at) AS first, max(received_at) AS last"
            " FROM chunk_reports WHERE import_id = $1::uuid GROUP BY service", import_id)
    return _relative_to_confirm(record, reports) if record is not None else {}


def _relative_to_confirm(record: Any, reports: list[Any]) -> dict[str, float]:
    confirmed = record["confirmed_at"]
    stages = {"parsed": record["parsed_at"], "completed": record["completed_at"]}
    for report in reports:
        stages[f"{report['service']}_first_chunk"] = report["first"]
        stages[f"{report['service']}_last_chunk"] = report["last"]
    return {name: round((moment - confirmed).total_seconds(), 3)
            for name, moment in stages.items() if moment is not None and confirmed is not None}
