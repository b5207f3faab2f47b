"""The finalizer owns each import's outcome and row issues: what its handlers record from
confirms and chunk.done messages on a real PostgreSQL, and its read API over real HTTP, as
the upload service's client reads it (tenant-scoped: another tenant's import answers
exactly like one that does not exist)."""

import uuid
from collections.abc import AsyncIterator, Sequence
from datetime import UTC, datetime
from typing import Any

import asyncpg
import httpx
import pytest

from finalizer_service.api import router
from finalizer_service.handlers import handle_confirmed, handle_reports
from finalizer_service.repository import MIGRATIONS, OutcomeRepository
from finalizer_service.settings import FinalizerSettings
from hotmart_common.events import (
    ChunkProcessed,
    ImportConfirmed,
    ImportFailed,
    RowIssue,
    RowsFailed,
)
from hotmart_common.service import ServiceContext
from hotmart_common.store import Outgoing, Store
from hotmart_common.store.db import apply_migrations
from hotmart_stack.processes import free_port
from hotmart_stack.servers import PostgresServer
from tests.support.databases import fresh_database
from tests.support.http import serving
from upload_service.outcomes import FinalizerClient, FinalizerUnavailable

pytestmark = pytest.mark.integration


class NothingPublished:
    """These imports never complete, so nothing may be published."""

    async def publish(self, messages: Sequence[Outgoing]) -> None:
        raise AssertionError(f"unexpected events: {messages}")


@pytest.fixture
async def store(postgres: PostgresServer) -> AsyncIterator[Store]:
    url = await fresh_database(postgres, "outcomes")
    pool = await asyncpg.create_pool(url, min_size=1, max_size=4)
    await apply_migrations(pool, "finalizer", MIGRATIONS)
    yield Store(pool, NothingPublished())
    await pool.close()


def confirmed(import_id: uuid.UUID, tenant: str = "acme", attempt: int = 0) -> ImportConfirmed:
    return ImportConfirmed(
        event_id=uuid.uuid4(), tenant_id=tenant, import_id=import_id, object_key="k",
        file_name="vendas.csv", mapping={"email": "Email"},
        uploaded_at=datetime(2025, 5, 1, tzinfo=UTC), file_format="csv", attempt=attempt)


def issue(row: int, status: str = "skipped", stage: str = "parse") -> RowIssue:
    return RowIssue.model_validate({"row_number": row, "status": status, "code": "invalid_email",
                                    "column": "Email", "message": f"Row {row}", "stage": stage})


def parse_report(import_id: uuid.UUID, chunk: int, rows: list[int], tenant: str = "acme",
                 total: int | None = None) -> ChunkProcessed:
    return ChunkProcessed(
        event_id=uuid.uuid4(), tenant_id=tenant, import_id=import_id, service="parse",
        chunk_no=chunk, chunks_total=total, total_rows=10 if total else None,
        rows_processed=5 - len(rows), rows_skipped=len(rows), issues=[issue(r) for r in rows])


async def outcome_of(store: Store, import_id: uuid.UUID, tenant: str = "acme") -> Any:
    async with store.pool.acquire() as conn:
        return await OutcomeRepository(conn).get(tenant, import_id)


async def test_reports_issues_failures_and_retries_make_the_outcome(store: Store) -> None:
    import_id = uuid.uuid4()
    async with store.unit_of_work() as uow:  # parse's report may come before the confirm
        await handle_reports(uow, [parse_report(import_id, 0, [2, 4])])
    assert await outcome_of(store, import_id) is None
    async with store.unit_of_work() as uow:
        await handle_confirmed(uow, [confirmed(import_id)])
    outcome = await outcome_of(store, import_id)
    assert (outcome.status, outcome.attempt, outcome.rows_skipped) == ("processing", 0, 2)
    assert outcome.uploaded_at == datetime(2025, 5, 1, tzinfo=UTC)

    failed_row = RowsFailed(event_id=uuid.uuid4(), tenant_id="acme", import_id=import_id,
                            service="matcher", issues=[issue(7, "failed", "matcher")])
    async with store.unit_of_work() as uow:  # a replay of the same messages adds nothing
        await handle_reports(uow, [failed_row, parse_report(import_id, 0, [2, 4]), failed_row])
    outcome = await outcome_of(store, import_id)
    assert (outcome.rows_skipped, outcome.rows_failed) == (2, 1)

    failure = ImportFailed(event_id=uuid.uuid4(), tenant_id="acme", import_id=import_id,
                           reason="vendas.csv: unreadable", stage="parse")
    async with store.unit_of_work() as uow:
        await handle_reports(uow, [failure])
    outcome = await outcome_of(store, import_id)
    assert (outcome.status, outcome.error) == ("failed", "vendas.csv: unreadable")
    async with store.unit_of_work() as uow:  # the confirm replayed: still failed
        await handle_confirmed(uow, [confirmed(import_id)])
    assert (await outcome_of(store, import_id)).status == "failed"
    async with store.unit_of_work() as uow:  # a retry reopens it
        await handle_confirmed(uow, [confirmed(import_id, attempt=1)])
    outcome = await outcome_of(store, import_id)
    assert (outcome.status, outcome.attempt, outcome.error) == ("processing", 1, None)
    assert (outcome.rows_skipped, outcome.rows_failed) == (2, 1), "issues stay"


async def test_a_failure_before_the_confirm_is_kept(store: Store) -> None:
    import_id = uuid.uuid4()
    async with store.unit_of_work() as uow:
        await handle_reports(uow, [ImportFailed(
            event_id=uuid.uuid4(), tenant_id="acme", import_id=import_id, reason="gone",
            stage="parse")])
        await handle_confirmed(uow, [confirmed(import_id)])
    outcome = await outcome_of(store, import_id)
    assert (outcome.status, outcome.error, outcome.attempt) == ("failed", "gone", 0)
    assert outcome.uploaded_at is not None


@pytest.fixture
async def finalizer_url(store: Store) -> AsyncIterator[str]:
    """The finalizer's read API on a real port, over the test's database."""
    context = ServiceContext(
        "finalizer", FinalizerSettings(), store, None, None, None)  # type: ignore[arg-type]
    async with serving(router, context) as url:
        yield url


async def test_the_read_api_answers_only_the_tenants_own_outcomes(
        store: Store, finalizer_url: str) -> None:
    mine, theirs, missing = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    async with store.unit_of_work() as uow:
        await handle_confirmed(uow, [confirmed(mine), confirmed(theirs, tenant="other")])
        await handle_reports(uow, [parse_report(mine, 0, [3, 5, 8]),
                                   parse_report(theirs, 0, [2], tenant="other")])

    client = FinalizerClient(finalizer_url)
    try:
        outcome = await client.outcome("acme", mine)
        assert outcome is not None
        assert (outcome.status, outcome.rows_skipped, outcome.attempt) == ("processing", 3, 0)
        assert await client.outcome("acme", theirs) is None
        assert await client.outcome("acme", missing) is None
        assert set(await client.outcomes("acme", [mine, theirs, missing])) == {mine}
        assert await client.outcomes("acme", []) == {}

        assert [i.row_number for i in await client.issues("acme", mine)] == [3, 5, 8]
        page = await client.issues("acme", mine, status="skipped", after_row=3, limit=1)
        assert [(i.row_number, i.code, i.stage) for i in page] == [(5, "invalid_email", "parse")]
        assert await client.issues("acme", mine, status="failed") == []
        assert await client.issues("acme", theirs) == []
        assert await client.issue_row_after("acme", mine, status=None, after_row=0,
                                            skipping=1) == 5
        assert await client.issue_row_after("acme", mine, status=None, after_row=0,
                                            skipping=3) is None
    finally:
        await client.close()

    async with httpx.AsyncClient(base_url=finalizer_url) as http:
        for path in ("", "/issues", "/issue-row-after"):
            other = await http.get(f"/internal/v1/outcomes/{theirs}{path}",
                                   params={"tenant_id": "acme"})
            unknown = await http.get(f"/internal/v1/outcomes/{missing}{path}",
                                     params={"tenant_id": "acme"})
            assert other.status_code == unknown.status_code == 404
            assert other.json()["detail"].replace(str(theirs), "?") == \
                unknown.json()["detail"].replace(str(missing), "?")
        page = (await http.get(f"/internal/v1/outcomes/{mine}/issues",
                               params={"tenant_id": "acme", "limit": 2})).json()
        assert page["next_after_row"] == 5
        assert (await http.get(f"/internal/v1/outcomes/{mine}")).status_code == 422


async def test_a_finalizer_that_does_not_answer_is_unavailable() -> None:
    client = FinalizerClient(f"http://127.0.0.1:{free_port()}", timeout_s=2)
    try:
        with pytest.raises(FinalizerUnavailable):
            await client.outcome("acme", uuid.uuid4())
    finally:
        await client.close()
