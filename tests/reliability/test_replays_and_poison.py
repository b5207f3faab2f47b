"""Replays change nothing; poison never stops the line; the same file twice adds nothing."""

import asyncio
import base64
import json
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import asyncpg
import httpx
import pytest
from aiokafka import AIOKafkaProducer

import journey_service.handlers as journey
import matcher_service.handlers as matcher
import revenue_service.handlers as revenue
from hotmart_common.events import (
    ChunkEnded,
    ChunkProcessed,
    ConsumerService,
    FileRow,
    RowParsed,
    chunk_key,
    stable_event_id,
)
from hotmart_common.kafka_publisher import EventPublisher, make_broker
from hotmart_common.purchase_identity import fingerprint
from hotmart_common.row_consumer import subscribe_to_rows
from hotmart_common.row_views import PurchaseRow, RowView
from hotmart_common.service import ServiceContext
from hotmart_common.settings import ServiceSettings
from hotmart_common.store import Store
from hotmart_stack.stack import EmbeddedStack
from matcher_service.rows import BuyerRow
from tests.support.api import run_import, wait_finished
from tests.support.databases import connected, pooled
from tests.support.exports import expected, portuguese_csv, purchases
from tests.support.kafka import next_offsets, read_topic, wait_committed

pytestmark = pytest.mark.reliability

TABLES = {
    "clients": "SELECT client_id, email, name, phone, document, created_by_import FROM clients",
    "matcher_rows": "SELECT * FROM matcher_rows",
    "client_purchases": "SELECT tenant_id, purchase_key, fingerprint, client_id"
                        " FROM client_purchases",
    "milestones": "SELECT milestone_id, import_id, row_number, kind, amount, status"
                  " FROM milestones",
    "journey_rows": "SELECT * FROM journey_rows",
    "journey_purchases": "SELECT tenant_id, purchase_key, fingerprint, status"
                         " FROM journey_purchases",
    "revenue_ledger": "SELECT import_id, row_number, category, amount, outcome FROM revenue_ledger",
    "revenue_transactions": "SELECT tenant_id, purchase_key, category, amount, last_import_id"
                            " FROM revenue_transactions",
    "chunk_reports": "SELECT import_id, service, chunk_no, report FROM chunk_reports",
    "report_ids": "SELECT * FROM report_ids",
    "report_services": "SELECT * FROM report_services",
    "report_totals": "SELECT * FROM report_totals",
    "import_outcomes": "SELECT import_id, status, total_rows, chunks_done, counts,"
                       " rows_skipped, rows_failed, total_revenue,"
                       " lost_revenue, completed_at FROM import_outcomes",
    "issues": "SELECT * FROM import_row_issues",
}


async def whole_store(database_url: str) -> dict[str, list[str]]:
    conn = await asyncpg.connect(database_url)
    try:
        return {name: sorted(json.dumps(dict(r), default=str) for r in await conn.fetch(sql))
                for name, sql in TABLES.items()}
    finally:
        await conn.close()


ViewApplyAndReport = tuple[type[RowView], Callable[..., Awaitable[None]],
                           Callable[..., Awaitable[Any]]]
SERVICES: dict[ConsumerService, ViewApplyAndReport] = {
    "matcher": (BuyerRow, matcher.apply_rows, matcher.report_chunk),
    "journey": (PurchaseRow, journey.apply_rows, journey.report_chunk),
    "revenue": (PurchaseRow, revenue.apply_rows, revenue.report_chunk),
}


async def test_consuming_the_row_topic_again_with_fresh_groups_changes_nothing(
        api: httpx.Client, stack: EmbeddedStack) -> None:
    done = await asyncio.to_thread(run_import, api, "before-replay.csv", portuguese_csv(
        purchases(9, 300, [f"r{i}.{uuid.uuid4().hex[:6]}@example.com" for i in range(90)],
                  ["Aprovado", "Reembolsado"], f"HPRP{uuid.uuid4().hex[:6]}")))
    assert done["status"] == "completed"
    before = await whole_store(stack.database_url)
    rows = await read_topic(stack.kafka_bootstrap, "import.rows")

    async with pooled(stack.database_url, max_size=4) as pool:
        broker = make_broker(stack.kafka_bootstrap, client_id="replay-test")
        publisher = EventPublisher(stack.kafka_bootstrap)
        await publisher.start()
        context = ServiceContext("replay", ServiceSettings(), Store(pool, publisher), broker,
                                 publisher, None)
        groups = [f"replay-{name}-{uuid.uuid4().hex[:6]}" for name in SERVICES]
        for group, (name, (view, apply_rows, report_chunk)) in zip(groups, SERVICES.items(),
                                                                     strict=True):
            subscribe_to_rows(context, name, view, apply_rows, report_chunk, group_id=group)
        await broker.start()
        try:
            for group in groups:
                await wait_committed(stack.kafka_bootstrap, group, next_offsets(rows), 180)
        finally:
            await broker.stop()
            await publisher.stop()
    reports = await read_topic(stack.kafka_bootstrap, "import.chunk.done")
    await wait_committed(stack.kafka_bootstrap, "finalizer-service", next_offsets(reports))

    assert await whole_store(stack.database_url) == before


async def produce(bootstrap: str, topic: str, messages: list[tuple[bytes, bytes]]) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, enable_idempotence=False)
    await producer.start()
    try:
        for key, value in messages:
            await producer.send_and_wait(topic, value, key=key)
    finally:
        await producer.stop()


async def dead_letters(bootstrap: str) -> list[dict[str, Any]]:
    return [json.loads(r.value) for r in await read_topic(bootstrap, "import.dlq")]


async def test_undecodable_messages_go_to_the_dead_letter_topic(
        api: httpx.Client, stack: EmbeddedStack) -> None:
    pids = stack.pids
    junk = {topic: f"junk for {topic} {uuid.uuid4()}".encode() + b"\xff\x00{"
            for topic in ("import.rows", "import.chunk.done", "import.confirmed")}
    for topic, value in junk.items():
        await produce(stack.kafka_bootstrap, topic, [(b"junk", value)])

    expected_groups = {"import.rows": {"matcher-service", "journey-service", "revenue-service"},
                       "import.chunk.done": {"finalizer-service"},
                       "import.confirmed": {"parse-service", "finalizer-confirmed"}}
    found: dict[str, set[str]] = {}
    for _ in range(100):
        found = {}
        for letter in await dead_letters(stack.kafka_bootstrap):
            for topic, value in junk.items():
                if base64.b64decode(letter["value_base64"]) == value:
                    assert letter["topic"] == topic
                    assert letter["offset"] >= 0 and letter["partition"] >= 0
                    assert "validation error" in letter["error"]
                    found.setdefault(topic, set()).add(letter["consumer_group"])
        if found == expected_groups:
            break
        await asyncio.sleep(0.5)
    assert found == expected_groups

    # The line keeps moving: same processes, and a new import completes.
    done = await asyncio.to_thread(run_import, api, "after-junk.csv", portuguese_csv(
        purchases(4, 20, [f"aj.{uuid.uuid4().hex[:6]}@example.com"], ["Aprovado"],
                  f"HPAJ{uuid.uuid4().hex[:6]}")))
    assert done["status"] == "completed"
    assert stack.pids == pids


def row_event(import_id: uuid.UUID, number: int, email: str, name: str) -> RowParsed:
    return RowParsed(
        event_id=stable_event_id(import_id, "row", number), tenant_id="default",
        import_id=import_id, chunk_no=0, row_number=number, email=email, name=name,
        amount=Decimal("10.00"), currency="BRL", status="Aprovado", status_code="APPROVED",
        source="file", provenance=FileRow(file_name="poison.csv", row_number=number),
        purchased_at=datetime(2025, 1, 2, tzinfo=UTC), transaction_code=f"HPX{number}{email}",
        purchase_key=f"txn:HPX{number}{email}",
        fingerprint=fingerprint("APPROVED", "Aprovado", Decimal("10.00"), "BRL"),
        first_of_buyer=True)


async def test_a_row_that_cannot_be_applied_is_failed_and_the_rest_goes_on(
        api: httpx.Client, stack: EmbeddedStack) -> None:
    tag = uuid.uuid4().hex[:8]
    created = await asyncio.to_thread(api.post, "/v1/imports", files={"file": (
        "poison.csv", portuguese_csv(purchases(1, 2, [f"p.{tag}@example.com"], ["Aprovado"],
                                               f"HPP{tag}")))})
    import_id = uuid.UUID(created.json()["id"])
    conn = await asyncpg.connect(stack.database_url)
    try:  # stands in for the confirm, so the test controls every event of the import
        await conn.execute("UPDATE imports SET status = 'confirmed', confirmed_at = now()"
                           " WHERE import_id = $1", import_id)
        await conn.execute("INSERT INTO import_outcomes (import_id, tenant_id, uploaded_at,"
                           " confirmed_at, last_progress_at) VALUES ($1, 'default', now(),"
                           " now(), now())", import_id)
    finally:
        await conn.close()
    parsed = ChunkProcessed(  # and for the parser's report of the one chunk
        event_id=stable_event_id(import_id, "parse", 0), tenant_id="default",
        import_id=import_id, service="parse", chunk_no=0, chunks_total=1, total_rows=2,
        rows_processed=2)
    await produce(stack.kafka_bootstrap, "import.chunk.done",
                  [(str(import_id).encode(), parsed.model_dump_json().encode())])
    good = row_event(import_id, 2, f"good.{tag}@example.com", "Good")
    poison = row_event(import_id, 3, f"bad.{tag}@example.com", "Nul\x00Name")  # no text for PG
    end = ChunkEnded(event_id=stable_event_id(import_id, "chunk", 0), tenant_id="default",
                     import_id=import_id, chunk_no=0, rows_published=2, last=True,
                     chunks_total=1, total_rows=2)
    key = chunk_key(import_id, 0)
    await produce(stack.kafka_bootstrap, "import.rows",
                  [(key, m.model_dump_json().encode()) for m in (good, poison, end)])

    done = await asyncio.to_thread(wait_finished, api, str(import_id), 120)
    assert done["status"] == "completed"
    assert done["rows_failed"] == 1
    assert done["clients_created"] == 1  # the good row's buyer
    failed = [i for i in done["issues"] if i["status"] == "failed"]
    assert [(i["row_number"], i["code"]) for i in failed] == [(3, "processing_failed")]
    assert "matcher" in failed[0]["message"]
    letters = [letter for letter in await dead_letters(stack.kafka_bootstrap)
               if base64.b64decode(letter["value_base64"]) == poison.model_dump_json().encode()]
    assert [letter["consumer_group"] for letter in letters] == ["matcher-service"]


async def test_importing_the_same_file_again_adds_nothing(api: httpx.Client,
                                                          stack: EmbeddedStack) -> None:
    tag = uuid.uuid4().hex[:8]
    rows = purchases(12, 120, [f"again{i}.{tag}@example.com" for i in range(40)],
                     ["Aprovado", "Reembolsado", "Aguardando pagamento"], f"HPAG{tag}")
    rows[5] = replace(rows[5], email="broken", clean_email=None)
    data, want = portuguese_csv(rows), expected(rows)

    async def ledger() -> tuple[Any, ...]:
        async with connected(stack.database_url) as conn:
            totals = await conn.fetchrow(
                "SELECT count(*), sum(amount) FILTER (WHERE category = 'active'),"
                " sum(amount) FILTER (WHERE category = 'lost'),"
                " (SELECT count(*) FROM milestones WHERE client_email LIKE $1)"
                " FROM revenue_transactions WHERE client_email LIKE $1", f"%.{tag}@%")
        assert totals is not None
        return tuple(totals)

    first = await asyncio.to_thread(run_import, api, "same.csv", data)
    after_first = await ledger()
    second = await asyncio.to_thread(run_import, api, "same.csv", data)
    assert after_first == (want.valid_rows, want.total_revenue, want.lost_revenue,
                           want.valid_rows)
    assert await ledger() == after_first
    assert (first["clients_created"], first["transactions_new"]) == (len(want.emails),
                                                                     want.valid_rows)
    assert (second["clients_created"], second["clients_updated"]) == (0, 0)
    assert (second["transactions_new"], second["transactions_changed"],
            second["transactions_unchanged"]) == (0, 0, want.valid_rows)
    assert Decimal(second["total_revenue"]) == want.total_revenue  # what the file says
