"""Consuming from Kafka with explicit acks: the subscriber factory every service uses.

Every subscriber here commits its offsets only after its handler has returned (at-least-once
delivery); handlers make that exactly-once in effect by writing idempotently. A message
that cannot be decoded goes to the dead-letter topic and the consumer moves on; a handler
error (the database is away, say) rewinds the batch and retries it after a pause.
"""

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, TypeVar

from aiokafka import ConsumerRecord, TopicPartition
from faststream import AckPolicy
from faststream.kafka import KafkaBroker, KafkaMessage

from .kafka_decoding import Decoded, Decoder, dead_letter, decode_records
from .kafka_publisher import EventPublisher
from .metrics import BATCH_DURATION, CONSUMER_LAG, ROWS_PROCESSED
from .metrics import DEAD_LETTERS as DLQ_MESSAGES
from .topics import DEAD_LETTERS
from .transient import is_transient

log = logging.getLogger(__name__)

T = TypeVar("T")

OnPoison = Callable[[T, ConsumerRecord[Any, Any], Exception], Awaitable[None]]


class RetryPause:
    """Backoff between redeliveries of a batch whose handler failed (e.g. database away)."""

    def __init__(self, first: float = 0.2, cap: float = 5.0) -> None:
        self.first, self.cap, self.current = first, cap, first

    async def wait(self) -> None:
        await asyncio.sleep(self.current)
        self.current = min(self.current * 2, self.cap)

    def reset(self) -> None:
        self.current = self.first


class FailedOffsets:
    """Remembers records of batches that failed for a data reason, to isolate them next time."""

    def __init__(self) -> None:
        self.offsets: set[tuple[str, int, int]] = set()

    def remember(self, records: Sequence[ConsumerRecord[Any, Any]]) -> None:
        self.offsets.update((r.topic, r.partition, r.offset) for r in records)

    def failed_before(self, records: Sequence[ConsumerRecord[Any, Any]]) -> bool:
        return bool(self.offsets) and any(
            (r.topic, r.partition, r.offset) in self.offsets for r in records)

    def forget(self, records: Sequence[ConsumerRecord[Any, Any]]) -> None:
        if self.offsets:
            self.offsets.difference_update((r.topic, r.partition, r.offset) for r in records)


class OffsetGaps:
    """Offsets a partition's records jumped over, to read them again.

    Our topics have neither transactions nor compaction, so a partition's offsets follow
    one another: a record past the next one expected means records were not delivered (the
    embedded broker can make a batch readable only after a later one, under concurrent
    producers; tools/broker_gap_probe.py shows it). The partition is then read again from
    the gap, its records after it left for that read. A broker that really has a gap would
    be read again forever: after ``max_rereads`` of the same gap it is taken as it is.
    """

    def __init__(self, max_rereads: int = 5) -> None:
        self.max_rereads = max_rereads
        self.expected: dict[tuple[str, int], int] = {}
        self.rereads: dict[tuple[str, int, int], int] = {}

    def split(self, records: Sequence[ConsumerRecord[Any, Any]]
              ) -> tuple[list[ConsumerRecord[Any, Any]], dict[tuple[str, int], int]]:
        """The records to handle now, and where to read each gapped partition again from."""
        by_partition: dict[tuple[str, int], list[ConsumerRecord[Any, Any]]] = {}
        for record in records:
            by_partition.setdefault((record.topic, record.partition), []).append(record)
        kept: list[ConsumerRecord[Any, Any]] = []
        reread: dict[tuple[str, int], int] = {}
        for key, mine in by_partition.items():
            expected = self.expected.get(key)
            for record in sorted(mine, key=lambda r: r.offset):
                if expected is not None and record.offset > expected and self._reread(
                        key, expected, record.offset):
                    reread[key] = expected
                    break
                kept.append(record)
                expected = record.offset + 1
        return kept, reread

    def handled(self, records: Sequence[ConsumerRecord[Any, Any]]) -> None:
        """The records were handled: each partition is expected to go on after them."""
        for record in records:
            self.expected[record.topic, record.partition] = record.offset + 1

    def _reread(self, key: tuple[str, int], expected: int, found: int) -> bool:
        gap = (*key, expected)
        self.rereads[gap] = self.rereads.get(gap, 0) + 1
        if self.rereads[gap] <= self.max_rereads:
            return True
        log.warning("offsets missing from a partition; going on without them", extra={
            "topic": key[0], "partition": key[1], "from_offset": expected, "to_offset": found})
        return False


PACE_BURST = 20  # batches handled at once after a quiet spell


class Pace:
    """A token bucket: a batch takes a token; tokens come back one per ``every`` seconds, up
    to ``burst``. ``wait()`` is how long to wait before the next poll (0 without pacing)."""

    def __init__(self, every: float, burst: int = PACE_BURST,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.every, self.burst, self.clock = every, burst, clock
        self.tokens, self.at = float(burst), clock()

    def wait(self) -> float:
        if self.every <= 0:
            return 0.0
        now = self.clock()
        self.tokens = min(self.burst, self.tokens + (now - self.at) / self.every) - 1
        self.at = now
        if self.tokens >= 0:
            return 0.0
        owed, self.tokens = -self.tokens * self.every, 0.0
        self.at = now + owed
        return owed


def subscribe(
    broker: KafkaBroker,
    publisher: EventPublisher,
    topic: str,
    *,
    group_id: str,
    adapter: Decoder[T],
    handle: Callable[[list[T]], Awaitable[None]],
    service: str,
    on_poison: OnPoison[T] | None = None,
    batch: bool = True,
    max_records: int = 2000,
    fetch_max_wait_ms: int = 500,
    pace_s: float = 0.0,
) -> None:
    """Registers a consumer whose handler receives the decoded messages of one poll.

    With ``pace_s``, the consumer handles about one batch per ``pace_s`` once busy (the client
    keeps fetching meanwhile), after a burst of ``PACE_BURST`` at once from idle: a consumer
    whose every batch costs a few statements whatever its size handles fewer, bigger batches
    when messages trickle in, and still answers the first messages after a quiet spell at once.

    A batch that fails because something is unavailable is redelivered after a pause, for
    as long as it takes. A batch that fails for any other reason is redelivered once, then
    handled message by message: a message that still fails is a poison message, handed to
    ``on_poison`` and dead-lettered, and the rest of the batch goes on.
    """
    pause = RetryPause()
    failed = FailedOffsets()
    gaps = OffsetGaps()
    pace = Pace(pace_s)

    async def poison(item: Decoded[T], error: Exception) -> None:
        record, message = item
        log.error("poison message dead-lettered", exc_info=error, extra={
            "topic": record.topic, "partition": record.partition, "offset": record.offset,
            "group": group_id})
        if on_poison is not None:
            await on_poison(message, record, error)
        await publisher.publish_raw(
            DEAD_LETTERS, [(record.key, dead_letter(record, group_id, repr(error)))])
        DLQ_MESSAGES.labels(service).inc()
        ROWS_PROCESSED.labels(service, "failed").inc()

    async def one_by_one(items: list[Decoded[T]]) -> None:
        for item in items:
            try:
                await handle([item[1]])
            except Exception as error:
                if is_transient(error):
                    raise
                await poison(item, error)

    @broker.subscriber(  # type: ignore[untyped-decorator]
        topic,
        group_id=group_id,
        batch=batch,
        max_records=max_records if batch else None,
        batch_timeout_ms=50,  # an idle poll waits this long: a short wait, fast first progress
        fetch_max_wait_ms=fetch_max_wait_ms,
        auto_offset_reset="earliest",
        ack_policy=AckPolicy.NACK_ON_ERROR,
        title=f"{topic}:{group_id}",
        parser=_headers_of_the_first if batch else None,
        decoder=_left_to_the_handler,
        description=f"The {service} service's consumer group '{group_id}'.",
        max_poll_interval_ms=10 * 60 * 1000,
        # A killed consumer's partitions move to its restarted self (or a peer) once its
        # session lapses: short enough to recover fast, long enough for busy batches.
        session_timeout_ms=6000,
        heartbeat_interval_ms=1500,
    )
    async def consume(msg: KafkaMessage) -> None:
        raw = msg.raw_message
        records = raw if isinstance(raw, tuple) else (raw,)
        started = time.perf_counter()
        if isinstance(raw, tuple):  # a batch (every subscriber but parse's confirms)
            records = _reread_gaps(msg, records, gaps, group_id)
        decoded, dead = decode_records(records, adapter, group_id)
        try:
            if dead:
                log.warning("dead-lettered undecodable messages",
                            extra={"topic": topic, "group": group_id, "count": len(dead)})
                await publisher.publish_raw(DEAD_LETTERS, dead)
                DLQ_MESSAGES.labels(service).inc(len(dead))
            if failed.failed_before(records):
                await one_by_one(decoded)
            elif decoded:
                await handle([message for _, message in decoded])
        except Exception as error:
            if not is_transient(error):
                failed.remember(records)
            log.exception("handler failed; the batch will be redelivered",
                          extra={"topic": topic, "group": group_id, "retry_s": pause.current})
            await pause.wait()
            raise
        failed.forget(records)
        gaps.handled(records)
        pause.reset()
        BATCH_DURATION.labels(service).observe(time.perf_counter() - started)
        record_lag(service, getattr(msg, "consumer", None), records)
        await asyncio.sleep(pace.wait())


def _reread_gaps(msg: KafkaMessage, records: tuple[ConsumerRecord[Any, Any], ...],
                 gaps: OffsetGaps, group_id: str) -> tuple[ConsumerRecord[Any, Any], ...]:
    """The batch's records up to any gap; each gapped partition is read again from its gap.
    The message keeps only those records, so a rewind (nack) cannot pass over the gap, and
    the commit after the handler stops at it (the consumer's position is the gap)."""
    consumer = getattr(msg, "consumer", None)
    if consumer is None:
        return records
    kept, reread = gaps.split(records)
    if not reread:
        return records
    for (topic, partition), offset in reread.items():
        consumer.seek(TopicPartition(topic, partition), offset)
        log.warning("a partition skipped offsets; reading it again from the gap", extra={
            "topic": topic, "partition": partition, "offset": offset, "group": group_id})
    msg.raw_message = tuple(kept)
    return tuple(kept)


async def _headers_of_the_first(
    records: tuple[ConsumerRecord[Any, Any], ...],
    parse: Callable[[tuple[ConsumerRecord[Any, Any], ...]], Awaitable[KafkaMessage]],
) -> KafkaMessage:
    """FastStream decodes the headers of every record of a batch into a dict of its own; the
    handler reads the records themselves. The batch message is built from its first record,
    then given all of them (offsets are committed, or rewound, from ``raw_message``)."""
    message = await parse(records[:1])
    message.raw_message = records
    message.body = [record.value or b"" for record in records]  # the metrics count its size
    message.batch_headers = message.batch_headers * len(records)
    return message


async def _left_to_the_handler(_: Any) -> None:
    """FastStream would JSON-decode every message; the handler validates the raw bytes with
    pydantic in one pass instead, so decoding twice is skipped."""


def record_lag(service: str, consumer: Any, records: Sequence[ConsumerRecord[Any, Any]]) -> None:
    """Behind = partition end (as the last fetch saw it) minus what this poll reached."""
    reached: dict[tuple[str, int], int] = {}
    for record in records:
        key = (record.topic, record.partition)
        reached[key] = max(reached.get(key, 0), record.offset + 1)
    for (topic, partition), offset in reached.items():
        end = _highwater(consumer, topic, partition)
        if end is not None:
            CONSUMER_LAG.labels(service, topic, str(partition)).set(max(0, end - offset))


def _highwater(consumer: Any, topic: str, partition: int) -> int | None:
    try:
        end = consumer.highwater(TopicPartition(topic, partition))
    except Exception:  # not a real consumer, or the partition moved away
        return None
    return end if isinstance(end, int) else None
