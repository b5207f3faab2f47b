"""Floor (c): one message per row, as large as the pipeline's row event, produced and
consumed raw on the same broker (scratch topic, 8 partitions, no consumer group)."""

import asyncio
import contextlib
import json
import time
import uuid
from collections.abc import Sequence
from datetime import UTC
from typing import Final

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic

from bench.exports import Sale
from bench.floor_store import CATEGORIES, SAO_PAULO

PARTITIONS: Final = 8
CONSUME_TIMEOUT_S: Final = 120.0


def row_messages(sales: Sequence[Sale], chunk_rows: int) -> list[tuple[bytes, bytes]]:
    """(key, value) per row: the chunk key and a JSON body with the row event's fields."""
    import_id = uuid.uuid4()
    seen: set[str] = set()
    messages = []
    for number, sale in enumerate(sales, start=2):
        chunk_no = (number - 2) // chunk_rows
        body = {
            "event_id": str(uuid.uuid4()), "schema_version": 1, "tenant_id": "bench",
            "import_id": str(import_id), "kind": "row", "chunk_no": chunk_no,
            "row_number": number, "email": sale.buyer.email, "name": sale.buyer.name,
            "phone": sale.buyer.phone, "document": sale.buyer.document,
            "product": sale.product, "amount": sale.amount, "currency": sale.currency,
            "status": sale.status, "status_category": CATEGORIES.get(sale.status, "pending"),
            "purchased_at": sale.sold_at.replace(tzinfo=SAO_PAULO).astimezone(UTC).isoformat(),
            "transaction_code": sale.code, "first_of_buyer": sale.buyer.email not in seen,
        }
        seen.add(sale.buyer.email)
        messages.append((f"{import_id}:{chunk_no}".encode(), json.dumps(body).encode()))
    return messages


async def produce_consume_seconds(bootstrap: str, messages: list[tuple[bytes, bytes]]) -> float:
    topic = f"bench.floor.{uuid.uuid4().hex[:12]}"
    await _create_topic(bootstrap, topic)
    try:
        produced = await _produce_seconds(bootstrap, topic, messages)
        return produced + await _consume_seconds(bootstrap, topic, len(messages))
    finally:
        await _delete_topic(bootstrap, topic)


async def _produce_seconds(bootstrap: str, topic: str,
                           messages: list[tuple[bytes, bytes]]) -> float:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, enable_idempotence=False,
                                acks="all", linger_ms=2, max_batch_size=1024 * 1024)
    await producer.start()
    try:
        started = time.perf_counter()
        pending = [await producer.send(topic, value, key=key) for key, value in messages]
        await asyncio.gather(*pending)
        return time.perf_counter() - started
    finally:
        await producer.stop()


async def _consume_seconds(bootstrap: str, topic: str, expected: int) -> float:
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False,
                                max_partition_fetch_bytes=4 * 1024 * 1024)
    await consumer.start()
    try:
        consumer.assign([TopicPartition(topic, p) for p in range(PARTITIONS)])
        await consumer.seek_to_beginning()
        started = time.perf_counter()
        received = 0
        while received < expected:
            if time.perf_counter() - started > CONSUME_TIMEOUT_S:
                raise TimeoutError(f"consumed {received} of {expected} messages")
            batch = await consumer.getmany(timeout_ms=1000, max_records=10_000)
            received += sum(len(records) for records in batch.values())
        return time.perf_counter() - started
    finally:
        await consumer.stop()


async def _create_topic(bootstrap: str, topic: str) -> None:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        await admin.create_topics([NewTopic(topic, num_partitions=PARTITIONS,
                                            replication_factor=1)])
    finally:
        await admin.close()


async def _delete_topic(bootstrap: str, topic: str) -> None:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        with contextlib.suppress(Exception):  # a scratch topic left behind harms nothing
            await admin.delete_topics([topic])
    finally:
        await admin.close()
