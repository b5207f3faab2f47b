"""The consumers' idempotency lookups on a real PostgreSQL whose statistics are stale, as they
are during the first batches of a big import: each key is probed through the table's key,
so a batch costs the same however many rows the table already holds."""

from collections.abc import AsyncIterator

import asyncpg
import pytest

from hotmart_common.store.db import apply_migrations
from hotmart_common.store.keyed import (
    lock_purchases,
    locked_purchases_sql,
    recorded_rows,
    recorded_rows_sql,
)
from hotmart_stack.servers import PostgresServer
from journey_service.repository import MIGRATIONS
from tests.support.databases import fresh_database

pytestmark = pytest.mark.integration

TENANT = "tenant-a"
IMPORT_ID = "5d0c8a8e-1f7b-4c1e-8a43-8f1f3f7d6a10"
ANALYZED_ROWS = 100    # what the statistics describe
ROWS = 20_000          # what the tables hold when the lookups run


@pytest.fixture(scope="module")
async def pool(postgres: PostgresServer) -> AsyncIterator[asyncpg.Pool]:
    pool = await asyncpg.create_pool(await fresh_database(postgres, "keyed"), min_size=2,
                                     max_size=2)
    await apply_migrations(pool, "journey", MIGRATIONS)
    async with pool.acquire() as conn:
        for table in ("journey_purchases", "journey_rows"):
            await conn.execute(f"ALTER TABLE {table} SET (autovacuum_enabled = false)")
        await _fill(conn, 1, ANALYZED_ROWS)
        await conn.execute("ANALYZE journey_purchases; ANALYZE journey_rows")
        await _fill(conn, ANALYZED_ROWS + 1, ROWS)
    yield pool
    await pool.close()


async def _fill(conn: asyncpg.Connection, first: int, last: int) -> None:
    await conn.execute(
        "INSERT INTO journey_purchases (tenant_id, purchase_key, fingerprint, status)"
        " SELECT $1, 'txn:HP' || i, 'aprovado|' || i || '|BRL', 'Aprovado'"
        " FROM generate_series($2::int, $3::int) i", TENANT, first, last)
    await conn.execute(
        "INSERT INTO journey_rows (import_id, row_number, chunk_no, outcome)"
        " SELECT $1, i, i / 300, 'new' FROM generate_series($2::int, $3::int) i",
        IMPORT_ID, first, last)


async def plan_of(conn: asyncpg.Connection, sql: str, *args: object) -> str:
    rows = await conn.fetch(f"EXPLAIN {sql}", *args)
    return "\n".join(r[0] for r in rows)


def assert_probes_the_key(plan: str, index: str) -> None:
    assert f"Index Scan using {index}" in plan or f"Index Only Scan using {index}" in plan, plan
    for whole_table in ("Seq Scan on", "Bitmap Heap Scan", "Hash Join", "Merge Join"):
        assert whole_table not in plan, plan


async def test_purchase_lookup_probes_the_key_on_stale_statistics(pool: asyncpg.Pool) -> None:
    keys = [f"txn:HP{i}" for i in range(1, 2001)]
    async with pool.acquire() as conn, conn.transaction():
        plan = await plan_of(conn, locked_purchases_sql("journey_purchases", "t.fingerprint"),
                             TENANT, keys)
    assert_probes_the_key(plan, "journey_purchases_pkey")


async def test_row_lookup_probes_the_key_on_stale_statistics(pool: asyncpg.Pool) -> None:
    async with pool.acquire() as conn:
        plan = await plan_of(conn, recorded_rows_sql("journey_rows"), IMPORT_ID,
                             list(range(1, 2001)))
    assert_probes_the_key(plan, "journey_rows_pkey")


async def test_known_purchases_are_returned_once_and_the_rest_is_not(pool: asyncpg.Pool) -> None:
    keys = ["txn:HP7", "txn:NEVER-SEEN", "txn:HP15000", "txn:HP7", "txn:HP3"]
    async with pool.acquire() as conn, conn.transaction():
        rows = await lock_purchases(conn, "journey_purchases", "t.fingerprint, t.status",
                                    TENANT, keys)
        other_tenant = await lock_purchases(conn, "journey_purchases", "t.fingerprint",
                                            "tenant-b", keys)
    assert [(r["purchase_key"], r["fingerprint"], r["status"]) for r in rows] == [
        ("txn:HP15000", "aprovado|15000|BRL", "Aprovado"),
        ("txn:HP3", "aprovado|3|BRL", "Aprovado"),
        ("txn:HP7", "aprovado|7|BRL", "Aprovado"),
    ]
    assert other_tenant == []


async def test_found_purchases_stay_locked_until_the_transaction_ends(
        pool: asyncpg.Pool) -> None:
    lock_one = ("SELECT purchase_key FROM journey_purchases WHERE tenant_id = $1"
                " AND purchase_key = $2 FOR UPDATE NOWAIT")
    async with pool.acquire() as holder, pool.acquire() as other:
        async with holder.transaction():
            await lock_purchases(holder, "journey_purchases", "t.fingerprint", TENANT,
                                 ["txn:HP42", "txn:HP19000"])
            for key in ("txn:HP42", "txn:HP19000"):
                with pytest.raises(asyncpg.LockNotAvailableError):
                    async with other.transaction():
                        await other.fetch(lock_one, TENANT, key)
            async with other.transaction():
                assert await other.fetch(lock_one, TENANT, "txn:HP43")  # not asked for
        async with other.transaction():
            assert await other.fetch(lock_one, TENANT, "txn:HP42")


async def test_recorded_rows_are_those_the_table_holds(pool: asyncpg.Pool) -> None:
    async with pool.acquire() as conn:
        found = await recorded_rows(conn, "journey_rows", IMPORT_ID, [5, ROWS, ROWS + 1, 7])
        other = await recorded_rows(conn, "journey_rows", "00000000-0000-4000-8000-000000000000",
                                    [5, 7])
    assert found == {5, 7, ROWS}
    assert other == set()
