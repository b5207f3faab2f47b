"""Parse's own table on a real PostgreSQL (its runs), and which buyers are already clients
for the 'skip' policy: asked of the matcher's read API over real HTTP, as parse asks it,
never read from the matcher's table."""

import uuid
from collections.abc import AsyncIterator, Sequence
from datetime import UTC, datetime
from pathlib import Path

import asyncpg
import pytest

from hotmart_common.service import ServiceContext
from hotmart_common.store import Outgoing, Store
from hotmart_common.store.db import apply_migrations
from hotmart_stack.processes import free_port
from hotmart_stack.servers import PostgresServer
from matcher_service.api import router
from matcher_service.repository import MIGRATIONS as MATCHER_MIGRATIONS
from matcher_service.settings import MatcherSettings
from parse_service.clients import BATCH, MatcherClients, MatcherUnavailable
from parse_service.repository import MIGRATIONS, ParseRuns
from tests.support.databases import fresh_database
from tests.support.http import serving

pytestmark = pytest.mark.integration


class NothingPublished:
    async def publish(self, messages: Sequence[Outgoing]) -> None:
        raise AssertionError(f"unexpected events: {messages}")


async def migrated_store(postgres: PostgresServer, owner: str,
                         migrations: Path) -> AsyncIterator[Store]:
    url = await fresh_database(postgres, owner)
    pool = await asyncpg.create_pool(url, min_size=1, max_size=2)
    await apply_migrations(pool, owner, migrations)
    yield Store(pool, NothingPublished())
    await pool.close()


@pytest.fixture
async def store(postgres: PostgresServer) -> AsyncIterator[Store]:
    async for store in migrated_store(postgres, "parse", MIGRATIONS):
        yield store


@pytest.fixture
async def matcher_url(postgres: PostgresServer) -> AsyncIterator[tuple[str, Store]]:
    async for store in migrated_store(postgres, "matcher", MATCHER_MIGRATIONS):
        context = ServiceContext(
            "matcher", MatcherSettings(), store, None, None, None)  # type: ignore[arg-type]
        async with serving(router, context) as url:
            yield url, store


async def test_existing_clients_are_those_another_import_created(
        matcher_url: tuple[str, Store]) -> None:
    url, store = matcher_url
    earlier, this = uuid.uuid4(), uuid.uuid4()
    many = [f"buyer{n}@example.com" for n in range(BATCH + 5)]  # more than one request
    clients = [("acme", "old@example.com", earlier), ("acme", "new@example.com", this),
               ("other", "elsewhere@example.com", earlier),
               *[("acme", email, earlier) for email in many]]
    async with store.pool.acquire() as conn:
        await conn.executemany(
            "INSERT INTO clients (client_id, tenant_id, email, created_by_import)"
            " VALUES (gen_random_uuid(), $1, $2, $3)", clients)
    asked = ["old@example.com", "new@example.com", "elsewhere@example.com",
             "never@example.com"]
    matcher = MatcherClients(url)
    assert await matcher.existing_before("acme", asked, this) == {"old@example.com"}
    assert await matcher.existing_before("acme", asked, uuid.uuid4()) == {
        "old@example.com", "new@example.com"}
    assert await matcher.existing_before("other", asked, this) == {"elsewhere@example.com"}
    assert await matcher.existing_before("acme", [*asked, *many], this) == {
        "old@example.com", *many}
    assert await matcher.existing_before("acme", [], this) == set()


async def test_a_matcher_that_does_not_answer_is_unavailable_so_the_parse_is_retried() -> None:
    matcher = MatcherClients(f"http://127.0.0.1:{free_port()}", timeout_s=2)
    with pytest.raises(MatcherUnavailable):
        await matcher.existing_before("acme", ["a@example.com"], uuid.uuid4())


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
