"""Test-side Kafka helpers on the real broker: read a topic, re-deliver, wait for lag 0."""

import asyncio
import json
import uuid
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient


async def read_topic(bootstrap: str, topic: str, *, idle_s: float = 2.0) -> list[Any]:
    """Every record of ``topic`` from offset 0 until nothing new comes for ``idle_s``."""
    consumer = AIOKafkaConsumer(topic, bootstrap_servers=bootstrap, auto_offset_reset="earliest",
                                group_id=f"test-read-{uuid.uuid4()}", enable_auto_commit=False)
    await consumer.start()
    records: list[Any] = []
    try:
        while True:
            batch = await consumer.getmany(timeout_ms=int(idle_s * 1000), max_records=5000)
            if not batch:
                return records
            for partition_records in batch.values():
                records.extend(partition_records)
    finally:
        await consumer.stop()


async def republish(bootstrap: str, topic: str, records: list[Any]) -> dict[TopicPartition, int]:
    """Sends ``records`` again to their partitions; returns the next offset per partition."""
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, enable_idempotence=False)
    await producer.start()
    try:
        sends = [await producer.send(topic, r.value, key=r.key, partition=r.partition)
                 for r in records]
        return next_offsets(await asyncio.gather(*sends))
    finally:
        await producer.stop()


def next_offsets(records: list[Any]) -> dict[TopicPartition, int]:
    """Per partition, the offset a consumer has committed once it has read all of ``records``."""
    ends: dict[TopicPartition, int] = {}
    for r in records:
        tp = TopicPartition(r.topic, r.partition)
        ends[tp] = max(ends.get(tp, 0), r.offset + 1)
    return ends


async def wait_committed(bootstrap: str, group: str, targets: dict[TopicPartition, int],
                         timeout_s: float = 60.0) -> None:
    """Until ``group`` has committed at least ``targets``.

    Compares with offsets we know rather than the broker's end offsets: the local broker
    reports the end of a multi-record batch as its first offset + 1.
    """
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        deadline = asyncio.get_running_loop().time() + timeout_s
        while True:
            committed = await admin.list_consumer_group_offsets(group, partitions=list(targets))
            behind = {tp: end for tp, end in targets.items()
                      if tp not in committed or committed[tp].offset < end}
            if not behind:
                return
            if asyncio.get_running_loop().time() > deadline:
                raise TimeoutError(f"{group} has not committed up to {behind}")
            await asyncio.sleep(0.3)
    finally:
        await admin.close()


def decoded(records: list[Any]) -> list[dict[str, Any]]:
    return [json.loads(r.value) for r in records]
