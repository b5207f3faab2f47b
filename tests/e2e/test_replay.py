"""Re-delivering every row event of a finished import changes nothing."""

import asyncio
import uuid
from dataclasses import replace
from typing import Any

import asyncpg
import httpx
import pytest

from tests.support.api import run_import
from tests.support.exports import portuguese_csv, purchases
from tests.support.kafka import next_offsets, read_topic, republish, wait_committed

pytestmark = pytest.mark.e2e

ROW_GROUPS = ("matcher-service", "journey-service", "revenue-service")


async def everything_about(database_url: str, import_id: str) -> dict[str, Any]:
    key = uuid.UUID(import_id)
    conn = await asyncpg.connect(database_url)
    try:
        queries = {
            "import": "SELECT status, total_rows, chunks_total, chunks_done, counts,"
                      " rows_skipped, rows_failed, total_revenue, lost_revenue,"
                      " currency, completed_at FROM import_outcomes WHERE import_id = $1",
            "totals": "SELECT kind, name, currency, value FROM report_totals"
                      " WHERE import_id = $1 ORDER BY kind, name, currency",
            "services": "SELECT * FROM report_services WHERE import_id = $1 ORDER BY service",
            "clients": "SELECT client_id, email, name, phone, created_by_import FROM clients"
                       " WHERE email IN (SELECT email FROM matcher_rows m JOIN clients c"
                       " USING (client_id) WHERE m.import_id = $1) ORDER BY email",
            "matched": "SELECT * FROM matcher_rows WHERE import_id = $1 ORDER BY row_number",
            "milestones": "SELECT milestone_id, client_email, row_number, occurred_at, amount,"
                          " status FROM milestones WHERE import_id = $1 ORDER BY row_number",
            "ledger": "SELECT row_number, category, amount, currency FROM revenue_ledger"
                      " WHERE import_id = $1 ORDER BY row_number",
            "reports": "SELECT service, chunk_no, report FROM chunk_reports"
                       " WHERE import_id = $1 ORDER BY service, chunk_no",
            "issues": "SELECT * FROM import_row_issues WHERE import_id = $1 ORDER BY row_number",
        }
        return {name: [dict(r) for r in await conn.fetch(sql, key)]
                for name, sql in queries.items()}
    finally:
        await conn.close()


async def test_redelivered_row_events_change_nothing(api: httpx.Client, stack: Any) -> None:
    tag = uuid.uuid4().hex[:8]
    buyers = [f"replay{i}.{tag}@example.com" for i in range(12)]
    rows = purchases(seed=3, count=40, buyers=buyers,
                     statuses=["Aprovado", "Reembolsado", "Aguardando pagamento"],
                     code_prefix=f"HPR{tag}")
    rows[2] = replace(rows[2], email="broken", clean_email=None)
    finished = await asyncio.to_thread(run_import, api, "replay.csv", portuguese_csv(rows))
    assert finished["status"] == "completed"
    before = await everything_about(stack.database_url, finished["id"])
    assert before["milestones"] and before["ledger"] and before["clients"]

    ours = [r for r in await read_topic(stack.kafka_bootstrap, "import.rows")
            if r.key.decode().startswith(finished["id"])]
    assert len(ours) == 39 + finished["chunks_total"]  # every valid row + one marker a chunk
    replayed = await republish(stack.kafka_bootstrap, "import.rows", ours)
    for group in ROW_GROUPS:
        await wait_committed(stack.kafka_bootstrap, group, replayed)
    reports = await read_topic(stack.kafka_bootstrap, "import.chunk.done")
    await wait_committed(stack.kafka_bootstrap, "finalizer-service", next_offsets(reports))

    assert await everything_about(stack.database_url, finished["id"]) == before
    again = await asyncio.to_thread(api.get, f"/v1/imports/{finished['id']}")
    assert again.json() == finished
