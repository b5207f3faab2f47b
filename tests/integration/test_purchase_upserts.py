"""Each consumer's purchase upsert on a real PostgreSQL: it tells new, changed and unchanged
purchases apart by what its table held when it locked them, writes only the new and changed
ones, and keeps the unchanged ones locked until the transaction ends."""

import asyncio
import uuid
from collections.abc import AsyncIterator, Callable, Coroutine
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, NamedTuple

import asyncpg
import msgspec
import pytest

from hotmart_common.hotmart_statuses import status_code
from hotmart_common.purchase_identity import fingerprint
from hotmart_common.row_views import PurchaseRow
from hotmart_common.store.db import Connection
from hotmart_stack.servers import PostgresServer
from journey_service.milestones import Status
from journey_service.repository import MIGRATIONS as JOURNEY
from journey_service.repository import JourneyRepository, KnownPurchase
from matcher_service.repository import MIGRATIONS as MATCHER
from matcher_service.repository import MatcherRepository, Purchase
from revenue_service.repository import MIGRATIONS as REVENUE
from revenue_service.repository import LedgerRepository
from tests.support.databases import migrated_pool

pytestmark = pytest.mark.integration
TENANT = "tenant-a"
CLIENT = uuid.UUID("0b5b7c1e-8a43-4c1e-9f7b-5d0c8a8e6a10")


class Consumer(NamedTuple):
    table: str
    # What one batch's save reports: purchase key -> "new" or "changed" (the matcher asks
    # only whether a purchase was written: "written"); a key left out is unchanged.
    save: Callable[[Connection, list[PurchaseRow]], Coroutine[Any, Any, dict[str, str]]]


async def matcher_saves(conn: Connection, rows: list[PurchaseRow]) -> dict[str, str]:
    written = await MatcherRepository(conn).save_purchases(
        TENANT, [Purchase(r.purchase_key, r.fingerprint, CLIENT) for r in rows])
    return dict.fromkeys(written, "written")


async def journey_saves(conn: Connection, rows: list[PurchaseRow]) -> dict[str, str]:
    saved = await JourneyRepository(conn).save_purchases(TENANT, rows)
    return {key: "new" if before is None else "changed" for key, before in saved.items()}


async def revenue_saves(conn: Connection, rows: list[PurchaseRow]) -> dict[str, str]:
    import_id = uuid.uuid4()
    await LedgerRepository(conn).record(TENANT, import_id, [
        msgspec.structs.replace(r, import_id=import_id) for r in rows])
    entries = await conn.fetch("SELECT purchase_key, outcome FROM revenue_ledger"
                               " WHERE import_id = $1", import_id)
    assert len(entries) == len(rows), "a ledger entry for every row, unchanged ones too"
    return {e["purchase_key"]: e["outcome"] for e in entries if e["outcome"] != "unchanged"}


CONSUMERS = {
    "matcher": Consumer("client_purchases", matcher_saves),
    "journey": Consumer("journey_purchases", journey_saves),
    "revenue": Consumer("revenue_transactions", revenue_saves),
}


@pytest.fixture(scope="module")
async def pool(postgres: PostgresServer) -> AsyncIterator[asyncpg.Pool]:
    owners = [("matcher", MATCHER), ("journey", JOURNEY), ("revenue", REVENUE)]
    async with migrated_pool(postgres, "purchases", owners, min_size=2, max_size=2) as pool:
        yield pool


@pytest.fixture(params=sorted(CONSUMERS))
def consumer(request: pytest.FixtureRequest) -> tuple[str, Consumer]:
    return request.param, CONSUMERS[request.param]


def codes(*names: str) -> list[str]:
    """Transaction codes no other test uses."""
    run = uuid.uuid4().hex[:8]
    return [f"HP{run}{name}" for name in names]


def row(number: int, code: str, status: str = "Aprovado", amount: str = "297.00") -> PurchaseRow:
    return PurchaseRow(
        tenant_id=TENANT, import_id=uuid.uuid4(), chunk_no=0, row_number=number,
        email="ana@example.com", purchase_key=f"txn:{code}",
        fingerprint=fingerprint(status_code(status), status, Decimal(amount), "BRL"),
        product="Curso", amount=Decimal(amount), currency="BRL", status=status,
        status_code=status_code(status),
        purchased_at=datetime(2025, 3, 1, tzinfo=UTC), transaction_code=code)


def expected(name: str, outcomes: dict[str, str]) -> dict[str, str]:
    return dict.fromkeys(outcomes, "written") if name == "matcher" else outcomes


async def stored(conn: Connection, table: str,
                 keys: list[str]) -> dict[str, tuple[str, str]]:
    """key -> (row version, fingerprint)."""
    rows = await conn.fetch(f"SELECT purchase_key, xmin::text AS version, fingerprint"
                            f" FROM {table} WHERE tenant_id = $1 AND purchase_key = ANY($2)",
                            TENANT, keys)
    return {r["purchase_key"]: (r["version"], r["fingerprint"]) for r in rows}


async def test_new_changed_and_unchanged_purchases(pool: asyncpg.Pool,
                                                   consumer: tuple[str, Consumer]) -> None:
    name, (table, save) = consumer
    same, refunded, repriced, added = codes("same", "refunded", "repriced", "added")
    keys = [f"txn:{c}" for c in (same, refunded, repriced, added)]
    async with pool.acquire() as conn:
        first = await save(conn, [row(2, same), row(3, refunded), row(4, repriced)])
        before = await stored(conn, table, keys)
        again = await save(conn, [row(2, same, status="APROVADO"),  # folds to the same
                                  row(3, refunded, status="Reembolsado"),
                                  row(4, repriced, amount="297.01"), row(5, added)])
        after = await stored(conn, table, keys)

    assert first == expected(name, dict.fromkeys(keys[:3], "new"))
    assert again == expected(name, {keys[1]: "changed", keys[2]: "changed", keys[3]: "new"})
    assert after[keys[0]] == before[keys[0]], "an unchanged purchase is not rewritten"
    assert after[keys[1]][1] == fingerprint("REFUNDED", "Reembolsado", Decimal("297.00"), "BRL")
    assert after[keys[2]][1] == fingerprint("APPROVED", "Aprovado", Decimal("297.01"), "BRL")


async def test_an_unchanged_purchase_stays_locked_until_the_transaction_ends(
        pool: asyncpg.Pool, consumer: tuple[str, Consumer]) -> None:
    _, (table, save) = consumer
    code, other_code = codes("held", "free")
    lock_one = (f"SELECT purchase_key FROM {table} WHERE tenant_id = $1"
                " AND purchase_key = $2 FOR UPDATE NOWAIT")
    async with pool.acquire() as holder, pool.acquire() as other:
        await save(holder, [row(2, code), row(3, other_code)])
        async with holder.transaction():
            assert await save(holder, [row(2, code)]) == {}
            with pytest.raises(asyncpg.LockNotAvailableError):
                async with other.transaction():
                    await other.fetch(lock_one, TENANT, f"txn:{code}")
            async with other.transaction():
                assert await other.fetch(lock_one, TENANT, f"txn:{other_code}")  # not saved
        async with other.transaction():
            assert await other.fetch(lock_one, TENANT, f"txn:{code}")


async def test_a_purchase_two_batches_save_at_once_is_new_to_one_of_them(
        pool: asyncpg.Pool, consumer: tuple[str, Consumer]) -> None:
    name, (_, save) = consumer
    (code,) = codes("both")
    key = f"txn:{code}"
    async with pool.acquire() as first, pool.acquire() as second:
        first_batch, second_batch = first.transaction(), second.transaction()
        await first_batch.start()
        assert await save(first, [row(2, code)]) == expected(name, {key: "new"})
        await second_batch.start()
        later = asyncio.create_task(save(second, [row(3, code, status="Reembolsado")]))
        try:
            await asyncio.sleep(0.3)
            assert not later.done(), "it waits for the batch that wrote the purchase"
            await first_batch.commit()
            outcome = await asyncio.wait_for(later, 10)
        finally:
            later.cancel()
            await second_batch.rollback()
    assert outcome == expected(name, {key: "changed"})


async def test_journey_is_told_what_a_changed_purchase_was(pool: asyncpg.Pool) -> None:
    code, added = codes("status", "added")
    async with pool.acquire() as conn:
        repo = JourneyRepository(conn)
        await repo.save_purchases(TENANT, [row(2, code)])
        saved = await repo.save_purchases(TENANT, [row(2, code, status="Reembolsado"),
                                                   row(3, added)])
    assert saved == {
        f"txn:{code}": KnownPurchase(
            fingerprint("APPROVED", "Aprovado", Decimal("297.00"), "BRL"),
            Status("Aprovado", "APPROVED")),
        f"txn:{added}": None,
    }
