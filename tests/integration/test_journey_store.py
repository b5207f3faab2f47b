"""The journey's record of applied rows on a real PostgreSQL: a row with a milestone is
recorded by it, only a row without one goes to journey_rows, and a chunk's counts take each
row once, rows an earlier release wrote to both tables included."""

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from decimal import Decimal

import asyncpg
import pytest

from hotmart_common.events import ChunkEnded, stable_event_id
from hotmart_common.purchase_identity import fingerprint
from hotmart_common.row_views import PurchaseRow
from hotmart_common.store.db import apply_migrations
from hotmart_stack.servers import PostgresServer
from journey_service.repository import MIGRATIONS, ChunkCounts, JourneyRepository, Milestone
from tests.support.databases import fresh_database

pytestmark = pytest.mark.integration
TENANT = "tenant-a"


@pytest.fixture
async def conn(postgres: PostgresServer) -> AsyncIterator[asyncpg.Connection]:
    url = await fresh_database(postgres, "journey")
    pool = await asyncpg.create_pool(url, min_size=1, max_size=1)
    await apply_migrations(pool, "journey", MIGRATIONS)
    await pool.close()
    conn = await asyncpg.connect(url)
    yield conn
    await conn.close()


def row(import_id: uuid.UUID, number: int) -> PurchaseRow:
    return PurchaseRow(
        tenant_id=TENANT, import_id=import_id, chunk_no=0, row_number=number,
        email="ana@example.com", purchase_key=f"txn:HP{number}",
        fingerprint=fingerprint("Aprovado", Decimal("297.00"), "BRL"), amount=Decimal("297.00"),
        currency="BRL", status="Aprovado", status_category="active",
        purchased_at=datetime(2025, 3, 1, tzinfo=UTC), transaction_code=f"HP{number}")


def chunk(import_id: uuid.UUID, first: int, last: int) -> ChunkEnded:
    return ChunkEnded(event_id=stable_event_id(import_id, "end", 0), tenant_id=TENANT,
                      import_id=import_id, chunk_no=0, rows_published=last - first + 1,
                      last=True, chunks_total=1, total_rows=last - first + 1,
                      first_row_number=first, last_row_number=last)


async def test_a_row_is_recorded_by_its_milestone_or_else_in_journey_rows(
        conn: asyncpg.Connection) -> None:
    import_id = uuid.uuid4()
    repo = JourneyRepository(conn)
    rows = [row(import_id, n) for n in (2, 3, 4, 5)]
    await repo.add_milestones(TENANT, import_id, [Milestone(rows[0], "purchase"),
                                                  Milestone(rows[1], "purchase")])
    await repo.record_unchanged_rows(import_id, rows[2:])

    in_journey_rows = await conn.fetch("SELECT row_number, outcome FROM journey_rows"
                                       " WHERE import_id = $1 ORDER BY 1", import_id)
    assert [tuple(r) for r in in_journey_rows] == [(4, "unchanged"), (5, "unchanged")]
    assert await repo.recorded_rows(import_id, [2, 3, 4, 5, 6]) == {2, 3, 4, 5}
    assert await repo.chunk_counts(chunk(import_id, 2, 5)) == ChunkCounts(rows=4, milestones=2)


async def test_rows_an_earlier_release_recorded_in_both_tables_count_once(
        conn: asyncpg.Connection) -> None:
    import_id = uuid.uuid4()
    repo = JourneyRepository(conn)
    rows = [row(import_id, n) for n in (2, 3, 4)]
    await repo.add_milestones(TENANT, import_id, [Milestone(rows[0], "purchase"),
                                                  Milestone(rows[1], "purchase")])
    await conn.execute(  # as earlier releases wrote every row, with its outcome
        "INSERT INTO journey_rows (import_id, row_number, chunk_no, outcome)"
        " VALUES ($1, 2, 0, 'new'), ($1, 3, 0, 'changed'), ($1, 4, 0, 'unchanged')", import_id)

    assert await repo.recorded_rows(import_id, [2, 3, 4, 5]) == {2, 3, 4}
    assert await repo.chunk_counts(chunk(import_id, 2, 4)) == ChunkCounts(rows=3, milestones=2)
