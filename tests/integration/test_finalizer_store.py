"""The finalizer's store sums on a real PostgreSQL: the same progress as summing the reports."""

import uuid
from collections import defaultdict
from collections.abc import AsyncIterator
from decimal import Decimal

import asyncpg
import pytest

from finalizer_service.progress import (
    ClientCounts,
    ReportTotals,
    RevenueSum,
    ServiceReports,
    import_state,
)
from finalizer_service.repository import MIGRATIONS, ReportRepository
from hotmart_common.events import ChunkProcessed, RevenueTotal
from hotmart_common.store.db import apply_migrations
from hotmart_stack.servers import PostgresServer
from tests.support.databases import fresh_database, migrated_pool, pooled

pytestmark = pytest.mark.integration


@pytest.fixture
async def pool(postgres: PostgresServer) -> AsyncIterator[asyncpg.Pool]:
    async with migrated_pool(postgres, "finalizer", [("finalizer", MIGRATIONS)]) as pool:
        yield pool


def report(import_id: uuid.UUID, service: str, chunk: int, total: int | None = None,
           **fields: object) -> ChunkProcessed:
    return ChunkProcessed(event_id=uuid.uuid4(), tenant_id="t", import_id=import_id,
                          service=service, chunk_no=chunk, chunks_total=total,
                          rows_processed=1, **fields)


def money(category: str, amount: str, currency: str = "BRL") -> RevenueTotal:
    return RevenueTotal(category=category, currency=currency, amount=Decimal(amount), rows=1)


def summed_in_python(reports: list[ChunkProcessed]) -> ReportTotals:
    """What the finalizer did before the store summed: every report, folded one by one."""
    services: dict[str, list[ChunkProcessed]] = defaultdict(list)
    for one in reports:
        services[one.service].append(one)
    sums: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    for one in reports:
        for total in one.revenue:
            sums[total.currency, total.category] += total.amount
    return ReportTotals(
        by_service={service: ServiceReports(
            chunks=frozenset(r.chunk_no for r in mine),
            chunks_total=max((r.chunks_total for r in mine if r.chunks_total), default=None),
            transactions_new=sum(r.transactions_new for r in mine),
            transactions_changed=sum(r.transactions_changed for r in mine),
            transactions_unchanged=sum(r.transactions_unchanged for r in mine),
            clients_created=sum(r.clients_created for r in mine),
            total_rows=max((r.total_rows for r in mine if r.total_rows is not None),
                           default=None),
        ) for service, mine in services.items()},
        revenue=[RevenueSum(currency, category, amount)
                 for (currency, category), amount in sums.items()],
    )


def an_import(import_id: uuid.UUID) -> list[ChunkProcessed]:
    revenue = [
        report(import_id, "revenue", 0, revenue=[money("active", "0.1"), money("lost", "5.00")],
               transactions_new=2, transactions_changed=1),
        report(import_id, "revenue", 1, revenue=[money("active", "0.20"),
                                                 money("active", "12345678901234.567", "USD")],
               transactions_unchanged=4),
        report(import_id, "revenue", 3, 4, revenue=[money("pending", "1E+2"),
                                                    money("lost", "0.005", "USD")],
               transactions_new=7),
    ]
    matcher = [report(import_id, "matcher", chunk, 4 if chunk == 3 else None,
                      clients_created=created) for chunk, created in enumerate((2, 0, 5, 1))]
    journey = [report(import_id, "journey", chunk, 4 if chunk == 3 else None)
               for chunk in (0, 1, 2, 3)]
    parse = [report(import_id, "parse", chunk, 4 if chunk == 3 else None,
                    total_rows=1200 if chunk == 3 else None) for chunk in (0, 1, 2, 3)]
    return revenue + matcher + journey + parse


async def test_store_sums_give_the_progress_the_reports_give(pool: asyncpg.Pool) -> None:
    import_id = uuid.uuid4()
    reports = an_import(import_id)
    async with pool.acquire() as conn:
        repo = ReportRepository(conn)
        await repo.add(reports[:4])
        await repo.add(reports[2:])
        await repo.add([report(import_id, "revenue", 0, transactions_new=99,
                               revenue=[money("active", "1000")]),  # late duplicates
                        report(import_id, "matcher", 2, clients_created=40)])
        await repo.add([report(uuid.uuid4(), "revenue", 2, 3, revenue=[money("active", "7")])])
        stored = await repo.totals(import_id)
    expected = import_state(summed_in_python(reports), 1, ClientCounts(0, 0), 4)
    assert import_state(stored, 1, ClientCounts(0, 0), 4) == expected
    progress = expected.progress
    assert (expected.complete, progress.waiting_for) == (False, {"revenue": [2]})
    assert (progress.total_revenue, progress.lost_revenue) == (
        Decimal("12345678901234.867"), Decimal("5.005"))
    assert progress.revenue_by_currency["BRL"] == {"active": "0.30", "lost": "5.00",
                                                   "pending": "100.00"}
    assert (progress.transactions_new, progress.transactions_unchanged) == (9, 4)
    assert progress.clients_created == 8
    assert (progress.total_rows, progress.chunks_total) == (1200, 4)
    # Clients an earlier matcher listed by id (counted once by the store) add to the count.
    assert import_state(stored, 1, ClientCounts(3, 2), 4).progress.clients_created == 11


async def test_an_import_without_reports_sums_to_nothing(pool: asyncpg.Pool) -> None:
    async with pool.acquire() as conn:
        repo = ReportRepository(conn)
        assert await repo.totals(uuid.uuid4()) == ReportTotals({}, [])
        assert await repo.client_counts(uuid.uuid4()) == ClientCounts(0, 0)


async def test_each_client_counts_once_however_often_it_is_reported(pool: asyncpg.Pool) -> None:
    import_id, other = uuid.uuid4(), uuid.uuid4()
    new, known = [uuid.uuid4() for _ in range(3)], [uuid.uuid4() for _ in range(2)]
    reports = [
        report(import_id, "matcher", 0, created_client_ids=new[:2], updated_client_ids=known),
        report(import_id, "matcher", 1, created_client_ids=new[1:], updated_client_ids=known[:1]),
        report(other, "matcher", 0, created_client_ids=new[:1]),
    ]
    async with pool.acquire() as conn:
        repo = ReportRepository(conn)
        await repo.add_clients(reports)
        await repo.add_clients(reports[1:])
        assert await repo.client_counts(import_id) == ClientCounts(3, 2)
        assert await repo.client_counts(other) == ClientCounts(1, 0)
        grouped = await conn.fetch("SELECT outcome, count(*) FROM import_clients"
                                   " WHERE import_id = $1 GROUP BY outcome", import_id)
    assert {r["outcome"]: r["count"] for r in grouped} == {"created": 3, "updated": 2}
