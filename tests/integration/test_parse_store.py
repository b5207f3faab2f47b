"""Parse's own tables on a real PostgreSQL: its runs, and the projection of known clients
it builds from client.created for the 'skip' policy (instead of reading the matcher's)."""

import uuid
from collections.abc import AsyncIterator, Sequence
from datetime import UTC, datetime

import asyncpg
import pytest

from hotmart_common.events import ClientCreated
from hotmart_common.store import Outgoing, Store
from hotmart_common.store.db import apply_migrations
from hotmart_stack.servers import PostgresServer
from parse_service.handlers import handle_clients_created
from parse_service.repository import MIGRATIONS, KnownClients, ParseRuns
from tests.support.databases import fresh_database

pytestmark = pytest.mark.integration


class NothingPublished:
    async def publish(self, messages: Sequence[Outgoing]) -> None:
        raise AssertionError(f"unexpected events: {messages}")


@pytest.fixture
async def store(postgres: PostgresServer) -> AsyncIterator[Store]:
    url = await fresh_database(postgres, "parse")
    pool = await asyncpg.create_pool(url, min_size=1, max_size=2)
    await apply_migrations(pool, "parse", MIGRATIONS)
    yield Store(pool, NothingPublished())
    await pool.close()


def created(tenant: str, email: str, import_id: uuid.UUID) -> ClientCreated:
    return ClientCreated(event_id=uuid.uuid4(), tenant_id=tenant, client_id=uuid.uuid4(),
                         email=email, import_id=import_id, created_at=datetime.now(UTC))


async def test_known_clients_are_those_created_before_this_import(store: Store) -> None:
    earlier, this, later = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    events = [created("acme", "old@example.com", earlier),
              created("acme", "new@example.com", this),
              created("other", "elsewhere@example.com", earlier)]
    async with store.unit_of_work() as uow:
        await handle_clients_created(uow, events)
    async with store.unit_of_work() as uow:  # redelivered, and a later import's repeat
        await handle_clients_created(uow, [*events, created("acme", "new@example.com", later)])
    emails = ["old@example.com", "new@example.com", "elsewhere@example.com",
              "never@example.com"]
    async with store.pool.acquire() as conn:
        known = KnownClients(conn)
        assert await known.existing_before(this, "acme", emails) == {"old@example.com"}
        assert await known.existing_before(later, "acme", emails) == {
            "old@example.com", "new@example.com"}, "the first creator stays"
        assert await known.existing_before(this, "other", emails) == {"elsewhere@example.com"}
        assert await conn.fetchval("SELECT count(*) FROM parse_known_clients") == 3


async def test_a_run_is_recorded_once_per_attempt(store: Store) -> None:
    import_id = uuid.uuid4()
    at = datetime(2025, 5, 1, tzinfo=UTC)
    async with store.pool.acquire() as conn:
        runs = ParseRuns(conn)
        assert await runs.get(import_id, 0) is None
        await runs.record(import_id, 0, "acme", 10, 1, 2, at)
        await runs.record(import_id, 0, "acme", 99, 9, 9, at)  # a re-parse after a crash
        run = await runs.get(import_id, 0)
        assert run is not None and (run.total_rows, run.rows_published_at) == (10, None)
        await runs.mark_published(import_id, 0, at)
        published = await runs.get(import_id, 0)
        assert published is not None and published.rows_published_at == at
        assert await runs.get(import_id, 1) is None, "a retry publishes again"
