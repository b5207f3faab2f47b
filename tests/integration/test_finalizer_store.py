"""The finalizer's store sums on a real PostgreSQL: the same progress as summing the reports."""

import random
import uuid
from collections import defaultdict
from collections.abc import AsyncIterator
from decimal import Decimal

import asyncpg
import pytest

from finalizer_service.progress import (
    AmountSum,
    Owed,
    OwedScan,
    ReportTotals,
    ServiceReports,
    expected_chunks,
    import_state,
    owed_scans,
)
from finalizer_service.repository import MIGRATIONS, IssueCounts, ReportRepository
from hotmart_common.events import REPORTING_SERVICES, AmountTotal, ChunkProcessed, RowIssue
from hotmart_stack.servers import PostgresServer
from tests.support.databases import migrated_pool
from tests.support.reports import Chunks, owed_in

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


def money(category: str, amount: str, currency: str = "BRL") -> AmountTotal:
    return AmountTotal(name=category, currency=currency, amount=Decimal(amount), rows=1)


def summed_in_python(reports: list[ChunkProcessed]) -> ReportTotals:
    """Every report folded one by one: what the store's sums must equal."""
    services: dict[str, list[ChunkProcessed]] = defaultdict(list)
    for one in reports:
        services[one.service].append(one)
    sums: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    counts: dict[str, int] = defaultdict(int)
    distinct: dict[str, set[uuid.UUID]] = defaultdict(set)
    for one in reports:
        for total in one.amounts:
            sums[total.name, total.currency] += total.amount
        for name, count in one.counts.items():
            counts[name] += count
        for name, ids in one.distinct.items():
            distinct[name].update(ids)
    return ReportTotals(
        by_service={service: ServiceReports(
            reported=len({r.chunk_no for r in mine}),
            last_chunk=max(r.chunk_no for r in mine),
            chunks_total=max((r.chunks_total for r in mine if r.chunks_total), default=None),
            total_rows=max((r.total_rows for r in mine if r.total_rows is not None),
                           default=None),
        ) for service, mine in services.items()},
        counts=dict(counts),
        distinct={name: len(ids) for name, ids in distinct.items()},
        amounts=[AmountSum(name, currency, amount) for (name, currency), amount in sums.items()],
    )


def sorted_amounts(totals: ReportTotals) -> list[AmountSum]:
    return sorted(totals.amounts, key=lambda a: (a.name, a.currency))


def an_import(import_id: uuid.UUID) -> list[ChunkProcessed]:
    known = [uuid.uuid4() for _ in range(3)]
    revenue = [
        report(import_id, "revenue", 0, amounts=[money("active", "0.1"), money("lost", "5.00")],
               counts={"transactions_new": 2, "transactions_changed": 1}),
        report(import_id, "revenue", 1, amounts=[money("active", "0.20"),
                                                 money("active", "12345678901234.567", "USD")],
               counts={"transactions_unchanged": 4, "purchases_without_amount": 2}),
        report(import_id, "revenue", 3, 4, amounts=[money("pending", "1E+2"),
                                                    money("lost", "0.005", "USD")],
               counts={"transactions_new": 7}),
    ]
    matcher = [report(import_id, "matcher", chunk, 4 if chunk == 3 else None,
                      counts={"clients_created": created},
                      distinct={"clients_updated": known[:chunk]})
               for chunk, created in enumerate((2, 0, 5, 1))]
    journey = [report(import_id, "journey", chunk, 4 if chunk == 3 else None,
                      counts={"milestones_recorded": 10})
               for chunk in (0, 1, 2, 3)]
    parse = [report(import_id, "parse", chunk, 4 if chunk == 3 else None,
                    total_rows=1200 if chunk == 3 else None, counts={"rows_skipped": chunk})
             for chunk in (0, 1, 2, 3)]
    return revenue + matcher + journey + parse


async def test_store_sums_give_the_progress_the_reports_give(pool: asyncpg.Pool) -> None:
    import_id = uuid.uuid4()
    reports = an_import(import_id)
    async with pool.acquire() as conn:
        repo = ReportRepository(conn)
        for batch in (reports[:4], reports[2:]):
            await repo.record(batch)
        late = [report(import_id, "revenue", 0, counts={"transactions_new": 99},
                       amounts=[money("active", "1000")]),  # late duplicates
                report(import_id, "matcher", 2, counts={"clients_created": 40})]
        await repo.record(late)
        await repo.record([report(uuid.uuid4(), "revenue", 2, 3, amounts=[money("active", "7")],
                               counts={"transactions_new": 1})])
        stored = await repo.totals(import_id)
    in_python = summed_in_python(reports)
    expected = import_state(in_python, {"revenue": [2]}, 1, 4)
    assert (stored.by_service, stored.distinct) == (in_python.by_service, in_python.distinct)
    assert sorted_amounts(stored) == sorted_amounts(in_python)
    async with pool.acquire() as conn:
        repo = ReportRepository(conn)
        scans = owed_scans(stored, expected_chunks(stored, 4), {}, None)
        assert import_state(stored, await repo.owed(import_id, scans), 1, 4) == expected
    assert all(type(count) is int for count in (*stored.counts.values(),
                                                *stored.distinct.values())), "JSON-ready"
    progress = expected.progress
    assert (expected.complete, progress.waiting_for) == (
        False, {"revenue": Owed(missing=1, chunks=[2])})
    assert (progress.total_revenue, progress.lost_revenue) == (
        Decimal("12345678901234.867"), Decimal("5.005"))
    assert progress.revenue_by_currency["BRL"] == {"active": "0.30", "lost": "5.00",
                                                   "pending": "100.00"}
    assert progress.counts == {
        "clients_created": 8, "clients_updated": 3, "milestones_recorded": 40,
        "purchases_without_amount": 2, "rows_skipped": 6, "transactions_changed": 1,
        "transactions_new": 9, "transactions_unchanged": 4}
    assert (progress.total_rows, progress.chunks_total) == (1200, 4)


async def test_a_counter_no_code_names_is_summed_like_any_other(pool: asyncpg.Pool) -> None:
    """Locality: a counter and ids under names nothing in the finalizer knows are summed
    and counted by the store, and reach the progress's counts."""
    import_id = uuid.uuid4()
    seen = [uuid.uuid4(), uuid.uuid4()]
    reports = [report(import_id, "journey", chunk, counts={"streaks_started": chunk + 1},
                      distinct={"buyers_returning": seen[:chunk + 1]})
               for chunk in (0, 1)]
    async with pool.acquire() as conn:
        repo = ReportRepository(conn)
        await repo.record(reports)
        stored = await repo.totals(import_id)
    assert (stored.counts, stored.distinct) == ({"streaks_started": 3, "buyers_returning": 0},
                                                {"buyers_returning": 2})
    assert import_state(stored, {}, 0).progress.counts == {"buyers_returning": 2,
                                                       "streaks_started": 3}


async def test_a_name_listed_without_ids_counts_zero(pool: asyncpg.Pool) -> None:
    import_id = uuid.uuid4()
    reports = [report(import_id, "matcher", 0, counts={"clients_created": 4},
                      distinct={"clients_updated": []})]
    async with pool.acquire() as conn:
        repo = ReportRepository(conn)
        await repo.record(reports)
        stored = await repo.totals(import_id)
    assert import_state(stored, {}, 0).progress.counts == {"clients_created": 4,
                                                       "clients_updated": 0}


async def test_an_import_without_reports_sums_to_nothing(pool: asyncpg.Pool) -> None:
    async with pool.acquire() as conn:
        assert await ReportRepository(conn).totals(uuid.uuid4()) == ReportTotals({}, amounts=[])


async def test_each_id_counts_once_however_often_it_is_reported(pool: asyncpg.Pool) -> None:
    import_id, other = uuid.uuid4(), uuid.uuid4()
    known, seen = [uuid.uuid4() for _ in range(3)], [uuid.uuid4() for _ in range(2)]
    reports = [
        report(import_id, "matcher", 0, distinct={"clients_updated": known[:2],
                                                  "other_name": seen}),
        report(import_id, "matcher", 1, distinct={"clients_updated": known[1:]}),
        report(other, "matcher", 0, distinct={"clients_updated": known[:1]}),
    ]
    async with pool.acquire() as conn:
        repo = ReportRepository(conn)
        await repo.record(reports)
        await repo.record(reports[1:])
        assert (await repo.totals(import_id)).distinct == {"clients_updated": 3,
                                                           "other_name": 2}
        assert (await repo.totals(other)).distinct == {"clients_updated": 1}
        grouped = await conn.fetch("SELECT name, count(*) FROM report_ids"
                                   " WHERE import_id = $1 GROUP BY name", import_id)
    assert {r["name"]: r["count"] for r in grouped} == {"clients_updated": 3, "other_name": 2}


async def test_issues_are_counted_once_per_row_with_the_totals(pool: asyncpg.Pool) -> None:
    import_id = uuid.uuid4()

    def issue(row: int, status: str) -> tuple[uuid.UUID, RowIssue]:
        return import_id, RowIssue.model_validate({
            "row_number": row, "status": status, "code": "x", "message": "m",
            "stage": "parse" if status == "skipped" else "revenue"})

    async with pool.acquire() as conn:
        repo = ReportRepository(conn)
        await repo.record([report(import_id, "parse", 0, 1)],
                          [issue(2, "skipped"), issue(3, "skipped"), issue(5, "failed")])
        await repo.record([], [issue(3, "failed"), issue(6, "failed")])  # row 3: kept once
        await repo.record([], [(uuid.uuid4(), issue(7, "failed")[1])])
        totals, issues = await repo.totals_and_issues(import_id)
        assert issues == IssueCounts(skipped=2, failed=2)
        assert totals == await repo.totals(import_id)
        assert (await repo.totals_and_issues(uuid.uuid4()))[1] == IssueCounts(0, 0)


async def test_owed_chunks_are_found_in_windows_as_a_big_import_settles(
        pool: asyncpg.Pool) -> None:
    """Settle after settle of an import arriving out of order, each window starting where the
    previous settle's owed chunks did: the store names the same owed chunks as the reports
    themselves, until the import completes."""
    import_id = uuid.uuid4()
    total, arrived = 300, list(range(300))
    random.Random(19).shuffle(arrived)
    done: dict[str, Chunks] = {}
    owed_before: dict[str, Owed] = {}
    settled: int | None = None
    async with pool.acquire() as conn:
        repo = ReportRepository(conn)
        for start in range(0, total, 37):
            batch = arrived[start:start + 37]
            await repo.record([report(import_id, s, n, total if n == total - 1 else None)
                               for s in REPORTING_SERVICES for n in batch])
            for s in REPORTING_SERVICES:
                done[s] = Chunks(done.get(s, Chunks(frozenset())).numbers | set(batch), total)
            stored = await repo.totals(import_id)
            scans = owed_scans(stored, expected_chunks(stored, total), owed_before, settled)
            owed = await repo.owed(import_id, scans)
            assert owed == owed_in(done, scans)
            every = owed_in(done, [OwedScan(s, 0, total) for s in REPORTING_SERVICES])
            assert owed == every, "a window never misses an owed chunk"
            state = import_state(stored, owed, 0, total)
            owed_before, settled = state.progress.waiting_for, state.chunks_total or total
    assert state.complete and state.progress.chunks_done == total
