"""The event publisher on a real broker: whole record batches, every message delivered once,
each key's messages in the order they were added, the partition ``send`` would have chosen."""

import asyncio
import uuid
from collections import defaultdict
from collections.abc import AsyncIterator, Iterator

import pytest
from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.errors import MessageSizeTooLargeError
from aiokafka.partitioner import DefaultPartitioner

from hotmart_common.kafka_publisher import EventPublisher, ensure_topics
from hotmart_stack.servers import KafkaServer, start_kafka

pytestmark = pytest.mark.integration
PARTITIONS = 4


@pytest.fixture(scope="module")
def kafka(tmp_path_factory: pytest.TempPathFactory) -> Iterator[KafkaServer]:
    server = start_kafka(tmp_path_factory.mktemp("publisher") / "kafka.log")
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
async def publisher(kafka: KafkaServer) -> AsyncIterator[EventPublisher]:
    publisher = EventPublisher(kafka.bootstrap)
    await publisher.start()
    try:
        yield publisher
    finally:
        await publisher.stop()


async def new_topic(kafka: KafkaServer) -> str:
    topic = f"publisher-{uuid.uuid4().hex[:8]}"
    await ensure_topics(kafka.bootstrap, {topic: PARTITIONS})
    return topic


async def read_all(bootstrap: str, topic: str, expected: int) -> list[tuple[int, bytes, bytes]]:
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, auto_offset_reset="earliest")
    await consumer.start()
    consumer.assign([TopicPartition(topic, p) for p in range(PARTITIONS)])
    seen: list[tuple[int, bytes, bytes]] = []
    try:
        async with asyncio.timeout(30):
            while len(seen) < expected:
                for partition, records in (await consumer.getmany(timeout_ms=500)).items():
                    seen += [(partition.partition, r.key, r.value) for r in records]
    finally:
        await consumer.stop()
    return seen


async def test_many_adds_arrive_once_in_order_per_key(kafka: KafkaServer,
                                                      publisher: EventPublisher) -> None:
    topic = await new_topic(kafka)
    keys = [f"import:{chunk}".encode() for chunk in range(12)]
    # Big enough for several record batches per partition (512 KiB each).
    sent = {key: [f"{key.decode()}:{n}:".encode() + b"x" * 3000 for n in range(400)]
            for key in keys}
    async with publisher.sending(topic) as sender:
        for key in keys:
            await sender.add((key, value) for value in sent[key])
        await asyncio.gather(*await sender.close())

    received = await read_all(kafka.bootstrap, topic, sum(map(len, sent.values())))
    by_key: dict[bytes, list[bytes]] = defaultdict(list)
    for partition, key, value in received:
        assert partition == DefaultPartitioner()(key, list(range(PARTITIONS)),
                                                 list(range(PARTITIONS)))
        by_key[key].append(value)
    assert by_key == sent


async def test_a_message_over_the_batch_size_is_refused(kafka: KafkaServer,
                                                        publisher: EventPublisher) -> None:
    topic = await new_topic(kafka)
    with pytest.raises(MessageSizeTooLargeError):
        await publisher.send_raw(topic, [(b"k", b"small"), (b"k", b"x" * (2 * 1024 * 1024))])


async def test_send_raw_returns_one_future_per_batch_that_all_resolve(
        kafka: KafkaServer, publisher: EventPublisher) -> None:
    topic = await new_topic(kafka)
    futures = await publisher.send_raw(topic, [(None, b"no key"), (b"a", b"1"), (b"b", b"2")])
    assert futures
    await asyncio.gather(*futures)
    values = sorted(value for _, _, value in await read_all(kafka.bootstrap, topic, 3))
    assert values == [b"1", b"2", b"no key"]

