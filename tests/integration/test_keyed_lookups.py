"""The consumers' idempotency lookup on a real PostgreSQL whose statistics are stale, as they
are during the first batches of a big import: each key is probed through the tables' key,
so a batch costs the same however many rows the tables already hold. The journey's lookup
is the widest: a row is recorded by its milestone or, without one, in journey_rows."""

import uuid
from collections.abc import AsyncIterator

import asyncpg
import pytest

from hotmart_common.store.db import Connection
from hotmart_common.store.keyed import recorded_rows, recorded_rows_sql
from hotmart_stack.servers import PostgresServer
from journey_service.repository import MIGRATIONS, RECORDED_IN
from tests.support.databases import migrated_pool

pytestmark = pytest.mark.integration

IMPORT_ID = uuid.UUID("5d0c8a8e-1f7b-4c1e-8a43-8f1f3f7d6a10")
ANALYZED_ROWS = 100    # what the statistics describe
ROWS = 20_000          # what the table holds when the lookups run


@pytest.fixture(scope="module")
async def pool(postgres: PostgresServer) -> AsyncIterator[asyncpg.Pool]:
    async with migrated_pool(postgres, "keyed", [("journey", MIGRATIONS)], min_size=2,
                             max_size=2) as pool:
        async with pool.acquire() as conn:
            for table in RECORDED_IN:
                await conn.execute(f"ALTER TABLE {table} SET (autovacuum_enabled = false)")
            await _fill(conn, 1, ANALYZED_ROWS)
            await conn.execute("ANALYZE journey_rows; ANALYZE milestones")
            await _fill(conn, ANALYZED_ROWS + 1, ROWS)
        yield pool


async def _fill(conn: Connection, first: int, last: int) -> None:
    """Rows first..last of the import: the odd ones unchanged, the even ones milestones."""
    await conn.execute(
        "INSERT INTO journey_rows (import_id, row_number, chunk_no)"
        " SELECT $1, i, i / 300 FROM generate_series($2::int, $3::int) i"
        " WHERE i % 2 = 1", IMPORT_ID, first, last)
    await conn.execute(
        "INSERT INTO milestones (milestone_id, tenant_id, client_email, import_id, row_number,"
        " chunk_no, kind, occurred_at, amount, currency, status_code, source, purchase_key)"
        " SELECT gen_random_uuid(), 'tenant-a', 'ana@example.com', $1, i, i / 300, 'purchase',"
        " now(), 297, 'BRL', 'APPROVED', 'hotmart_import', 'txn:HP' || i"
        " FROM generate_series($2::int, $3::int) i"
        " WHERE i % 2 = 0", IMPORT_ID, first, last)


async def plan_of(conn: Connection, sql: str, *args: object) -> str:
    rows = await conn.fetch(f"EXPLAIN {sql}", *args)
    return "\n".join(r[0] for r in rows)


def assert_probes_the_key(plan: str, index: str) -> None:
    assert f"Index Scan using {index}" in plan or f"Index Only Scan using {index}" in plan, plan
    for whole_table in ("Seq Scan on", "Bitmap Heap Scan", "Hash Join", "Merge Join"):
        assert whole_table not in plan, plan


async def test_row_lookup_probes_the_key_on_stale_statistics(pool: asyncpg.Pool) -> None:
    async with pool.acquire() as conn:
        plan = await plan_of(conn, recorded_rows_sql(*RECORDED_IN), IMPORT_ID,
                             list(range(1, 2001)))
    for table in RECORDED_IN:
        assert_probes_the_key(plan, f"{table}_pkey")


async def test_recorded_rows_are_those_the_tables_hold(pool: asyncpg.Pool) -> None:
    async with pool.acquire() as conn:
        found = await recorded_rows(conn, IMPORT_ID, [5, ROWS, ROWS + 1, 8, 7], *RECORDED_IN)
        unchanged_only = await recorded_rows(conn, IMPORT_ID, [5, 8], "journey_rows")
        other = await recorded_rows(conn, uuid.UUID("00000000-0000-4000-8000-000000000000"), [5, 8],
                                    *RECORDED_IN)
    assert found == {5, 7, 8, ROWS}
    assert unchanged_only == {5}
    assert other == set()
