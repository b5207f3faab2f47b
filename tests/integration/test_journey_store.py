"""The journey's record of applied rows on a real PostgreSQL: a row with a milestone is
recorded by it, only a row without one goes to journey_rows, and a chunk's counts take each
row once; a milestone keeps a purchase without an amount, and the status it moved from."""

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from decimal import Decimal

import asyncpg
import pytest

from hotmart_common.events import ChunkEnded, stable_event_id
from hotmart_common.hotmart_statuses import StatusCode
from hotmart_common.purchase_identity import fingerprint
from hotmart_common.row_views import PurchaseRow
from hotmart_common.store.db import apply_migrations
from hotmart_stack.servers import PostgresServer
from journey_service.milestones import Status
from journey_service.repository import (
    MIGRATIONS,
    ChunkCounts,
    JourneyRepository,
    KnownPurchase,
    Milestone,
)
from tests.support.databases import connected, fresh_database, pooled

pytestmark = pytest.mark.integration
TENANT = "tenant-a"


@pytest.fixture
async def conn(postgres: PostgresServer) -> AsyncIterator[asyncpg.Connection]:
    url = await fresh_database(postgres, "journey")
    async with pooled(url, max_size=1) as pool:
        await apply_migrations(pool, "journey", MIGRATIONS)
    async with connected(url) as conn:
        yield conn


def row(import_id: uuid.UUID, number: int, amount: Decimal | None = Decimal("297.00"),
        status: str = "Aprovado", code: StatusCode = "APPROVED",
        key: str | None = None) -> PurchaseRow:
    return PurchaseRow(
        tenant_id=TENANT, import_id=import_id, chunk_no=0, row_number=number,
        email="ana@example.com", purchase_key=key or f"txn:HP{number}",
        fingerprint=fingerprint(code, status, amount, "BRL"), amount=amount,
        currency="BRL", status=status, status_code=code,
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

    in_journey_rows = await conn.fetch("SELECT row_number FROM journey_rows"
                                       " WHERE import_id = $1 ORDER BY 1", import_id)
    assert [r["row_number"] for r in in_journey_rows] == [4, 5]
    assert await repo.recorded_rows(import_id, [2, 3, 4, 5, 6]) == {2, 3, 4, 5}
    assert await repo.chunk_counts(chunk(import_id, 2, 5)) == ChunkCounts(rows=4, milestones=2)


async def test_a_purchase_without_an_amount_keeps_its_milestone_and_its_status_history(
        conn: asyncpg.Connection) -> None:
    first, later = uuid.uuid4(), uuid.uuid4()
    key = f"txn:HP{uuid.uuid4().hex[:10]}"
    repo = JourneyRepository(conn)
    waiting = row(first, 2, amount=None, status="Aguardando pagamento", code="WAITING_PAYMENT",
                  key=key)
    assert await repo.save_purchases(TENANT, [waiting]) == {key: None}
    await repo.add_milestones(TENANT, first, [Milestone(waiting, "purchase")])
    approved = row(later, 2, amount=None, key=key)
    saved = await repo.save_purchases(TENANT, [approved])
    assert saved == {key: KnownPurchase(waiting.fingerprint,
                                        Status("Aguardando pagamento", "WAITING_PAYMENT"))}
    await repo.add_milestones(TENANT, later, [Milestone(approved, "status_change",
                                                        Status("Aguardando pagamento",
                                                               "WAITING_PAYMENT"))])

    stored = await conn.fetch(
        "SELECT kind, amount, status_code, previous_status, previous_status_code"
        " FROM milestones WHERE purchase_key = $1 ORDER BY recorded_at, import_id", key)
    assert sorted(tuple(r) for r in stored) == sorted([
        ("purchase", None, "WAITING_PAYMENT", None, None),
        ("status_change", None, "APPROVED", "Aguardando pagamento", "WAITING_PAYMENT"),
    ])
