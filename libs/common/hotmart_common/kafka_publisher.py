"""Publishing to Kafka: the FastStream broker, topic creation and the batch event publisher.

Effects are made idempotent in the store rather than by the broker: events are published
after the commit that justifies them, with stable ids, so a redelivered batch may publish
an event twice but never loses one.
"""

import asyncio
import contextlib
from collections.abc import AsyncIterator, Iterable, Sequence
from typing import Any

from aiokafka import AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError
from faststream.kafka import KafkaBroker
from faststream.kafka.prometheus import KafkaPrometheusMiddleware

from .events import event_json
from .kafka_batches import BatchSender, Message
from .metrics import REGISTRY
from .store import Outgoing


def make_broker(bootstrap_servers: str, client_id: str, service: str = "") -> KafkaBroker:
    # Idempotent producers and transactions are not used: effects are made idempotent in the
    # store instead, which also keeps us compatible with brokers that lack them.
    return KafkaBroker(
        bootstrap_servers,
        client_id=client_id,
        enable_idempotence=False,
        acks="all",
        linger_ms=2,
        max_batch_size=1024 * 1024,
        graceful_timeout=10.0,
        logger=None,
        middlewares=[KafkaPrometheusMiddleware(registry=REGISTRY, app_name=service or client_id)],
    )


async def ensure_topics(bootstrap_servers: str, partitions: dict[str, int]) -> None:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap_servers)
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        missing = [
            NewTopic(name, num_partitions=count, replication_factor=1)
            for name, count in partitions.items()
            if name not in existing
        ]
        if missing:
            with contextlib.suppress(TopicAlreadyExistsError):  # another service was first
                await admin.create_topics(missing)
    finally:
        await admin.close()


class EventPublisher:
    """Sends many events without waiting for each; returns once the broker has them all.

    A plain producer rather than the FastStream broker's, fed whole record batches by a
    ``BatchSender`` (no coroutine or future per message), which is what lets a parser put
    tens of thousands of rows on the bus in about a second.
    """

    def __init__(self, bootstrap_servers: str, client_id: str = "hotmart-import") -> None:
        self.bootstrap_servers, self.client_id = bootstrap_servers, client_id
        self._producer: AIOKafkaProducer | None = None

    @property
    def producer(self) -> AIOKafkaProducer:
        assert self._producer is not None, "start() the publisher first"
        return self._producer

    async def start(self) -> None:
        self._producer = AIOKafkaProducer(  # needs the running loop: created here
            bootstrap_servers=self.bootstrap_servers,
            client_id=self.client_id,
            enable_idempotence=False,
            acks="all",
            linger_ms=5,
            max_batch_size=512 * 1024,
            request_timeout_ms=30_000,
        )
        await self._producer.start()

    async def stop(self) -> None:
        if self._producer is not None:
            await self._producer.stop()

    async def publish(self, messages: Sequence[Outgoing]) -> None:
        by_topic: dict[str, list[Message]] = {}
        for message in messages:
            by_topic.setdefault(message.topic, []).append(
                (message.key, event_json(message.event)))
        await asyncio.gather(*[future for topic, values in by_topic.items()
                               for future in await self.send_raw(topic, values)])

    async def publish_raw(self, topic: str, values: Sequence[Message]) -> None:
        await asyncio.gather(*await self.send_raw(topic, values))

    async def send_raw(self, topic: str, values: Iterable[Message]) -> list[asyncio.Future[Any]]:
        """Queues the messages and returns their delivery futures (await them all later)."""
        async with self.sending(topic) as sender:
            await sender.add(values)
            return await sender.close()

    @contextlib.asynccontextmanager
    async def sending(self, topic: str) -> AsyncIterator[BatchSender]:
        """A ``BatchSender`` for many ``add`` calls; ``close`` it inside the block."""
        sender = await BatchSender.open(self.producer, topic)
        try:
            yield sender
        finally:
            sender.cancel()
