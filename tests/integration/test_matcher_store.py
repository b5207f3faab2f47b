"""The matcher's client upsert on a real PostgreSQL: every buyer comes back as stored, and a
client the rows would not change is not rewritten."""

import asyncio
import uuid
from collections.abc import AsyncIterator

import asyncpg
import pytest

from hotmart_common.store.db import Connection
from hotmart_stack.servers import PostgresServer
from matcher_service.repository import INPUT_TYPES, MIGRATIONS, ClientFacts, MatcherRepository
from tests.support.databases import migrated_pool

pytestmark = pytest.mark.integration
TENANT = "tenant-a"


@pytest.fixture
async def pool(postgres: PostgresServer) -> AsyncIterator[asyncpg.Pool]:
    async with migrated_pool(postgres, "matcher", [("matcher", MIGRATIONS)], min_size=2,
                             max_size=2) as pool:
        yield pool


async def versions(conn: Connection) -> dict[str, tuple[str, str | None, str | None]]:
    """email -> (row version, name, phone) of every client."""
    rows = await conn.fetch("SELECT email, xmin::text AS version, name, phone FROM clients")
    return {r["email"]: (r["version"], r["name"], r["phone"]) for r in rows}


async def test_unchanged_clients_are_returned_but_not_rewritten(pool: asyncpg.Pool) -> None:
    first, second = uuid.uuid4(), uuid.uuid4()
    async with pool.acquire() as conn:
        repo = MatcherRepository(conn)
        created = await repo.upsert_clients(TENANT, first, [
            ClientFacts("ana@example.com", "Ana", None, None),
            ClientFacts("bia@example.com", "Bia", "11999990000", None)])
        before = await versions(conn)

        async with conn.transaction():
            again = await repo.upsert_clients(TENANT, second, [
                ClientFacts("ana@example.com", None, None, None),      # nothing new
                ClientFacts("bia@example.com", "Bia", "11999990000", None),  # the same facts
                ClientFacts("caio@example.com", "Caio", None, None),   # a new buyer
                ClientFacts("dani@example.com", None, None, None)])    # a new buyer, no facts
        after = await versions(conn)
        enriched = await repo.upsert_clients(TENANT, second, [
            ClientFacts("ana@example.com", None, "11888880000", None)])
        last = await versions(conn)

    assert all(c.created for c in created.values())
    assert sorted(again) == ["ana@example.com", "bia@example.com", "caio@example.com",
                             "dani@example.com"]
    for email in ("ana@example.com", "bia@example.com"):
        assert again[email].client_id == created[email].client_id
        assert again[email].created is False, "created by the first import, not this one"
        assert again[email].name == created[email].name
        assert after[email] == before[email], f"{email} was rewritten with the same facts"
    assert again["caio@example.com"].created and again["dani@example.com"].created
    assert enriched["ana@example.com"].client_id == created["ana@example.com"].client_id
    assert last["ana@example.com"][1:] == ("Ana", "11888880000")
    assert last["ana@example.com"][0] != after["ana@example.com"][0]
    assert last["bia@example.com"] == after["bia@example.com"]


async def test_a_client_committed_during_the_upsert_comes_back(pool: asyncpg.Pool) -> None:
    other_import, this_import = uuid.uuid4(), uuid.uuid4()
    async with pool.acquire() as other, pool.acquire() as conn:
        # Another matcher inserts the same buyer and commits while this upsert waits on it.
        other_tx = other.transaction()
        await other_tx.start()
        await MatcherRepository(other).upsert_clients(TENANT, other_import, [
            ClientFacts("eva@example.com", "Eva", None, None)])
        upsert = asyncio.create_task(MatcherRepository(conn).upsert_clients(
            TENANT, this_import, [ClientFacts("eva@example.com", "Eva", None, None)]))
        await asyncio.sleep(0.3)
        assert not upsert.done(), "the upsert should wait for the other transaction"
        await other_tx.commit()
        stored = await asyncio.wait_for(upsert, timeout=10)
        committed = await conn.fetchval(
            "SELECT client_id FROM clients WHERE tenant_id = $1 AND email = $2",
            TENANT, "eva@example.com")

    assert list(stored) == ["eva@example.com"]
    assert stored["eva@example.com"].client_id == committed
    assert stored["eva@example.com"].created is False


async def test_batch_records_are_field_for_field_the_input_types(pool: asyncpg.Pool) -> None:
    """A batch goes to PostgreSQL as records in positional order: swapping two fields of a
    record or of its type would write one column's value into another."""
    async with pool.acquire() as conn:
        for type_name, fields in INPUT_TYPES.items():
            attributes = await conn.fetch(
                "SELECT a.attname FROM pg_type t JOIN pg_attribute a ON a.attrelid = t.typrelid"
                " WHERE t.typname = $1 AND a.attnum > 0 AND NOT a.attisdropped"
                " ORDER BY a.attnum", type_name)
            assert [a["attname"] for a in attributes] == list(fields), type_name
