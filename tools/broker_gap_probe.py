"""Does a consumer see every message while several producers append to one partition?

    python tools/broker_gap_probe.py [producers] [batches] [per_batch]

Starts the embedded broker (the one `make run` and the tests use), has ``producers``
producers each send ``batches`` record batches of ``per_batch`` messages to one partition
at once while a consumer group reads it, then prints the offsets the consumer jumped over
and how many messages it never saw; a second group then reads the partition from offset 0.
Each reader gives up after 90 s. On the embedded broker, 8 x 1500 x 6 gave, in three
runs, a live consumer that skipped whole batches (7 offset jumps of exactly one batch, e.g.
4535 -> 4542) that a later read from offset 0 did find; and readers that stopped getting
data at about half of the 72 000 messages. 4 x 400 x 3 loses nothing.
"""

import asyncio
import sys
import tempfile
from pathlib import Path

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic

from hotmart_stack.servers import start_kafka

TOPIC = "gap-probe"


async def produce(bootstrap: str, producer_no: int, batches: int, per_batch: int) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, enable_idempotence=False,
                                acks="all", linger_ms=0)
    await producer.start()
    try:
        for batch_no in range(batches):
            batch = producer.create_batch()
            for n in range(per_batch):
                batch.append(key=b"k", value=f"{producer_no}-{batch_no}-{n}".encode(),
                             timestamp=None)
            batch.close()
            await (await producer.send_batch(batch, TOPIC, partition=0))
    finally:
        await producer.stop()


async def read_all(bootstrap: str, group: str, done: asyncio.Event) -> tuple[set[bytes], list[
        tuple[int, int]]]:
    consumer = AIOKafkaConsumer(TOPIC, bootstrap_servers=bootstrap, group_id=group,
                                auto_offset_reset="earliest", enable_auto_commit=False,
                                fetch_max_wait_ms=5)
    await consumer.start()
    seen: set[bytes] = set()
    jumps: list[tuple[int, int]] = []
    last: int | None = None
    idle, deadline = 0, asyncio.get_running_loop().time() + 90
    try:
        while idle < 30 and asyncio.get_running_loop().time() < deadline:
            got = await consumer.getmany(timeout_ms=100, max_records=500)
            for records in got.values():
                for record in records:
                    if last is not None and record.offset != last + 1:
                        jumps.append((last, record.offset))
                    last = record.offset
                    seen.add(record.value or b"")
            idle = 0 if got or not done.is_set() else idle + 1
    finally:
        await consumer.stop()
    return seen, jumps


async def probe(bootstrap: str, producers: int, batches: int, per_batch: int) -> None:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    await admin.create_topics([NewTopic(TOPIC, num_partitions=1, replication_factor=1)])
    await admin.close()
    done = asyncio.Event()
    live = asyncio.create_task(read_all(bootstrap, "live", done))
    await asyncio.gather(*(produce(bootstrap, p, batches, per_batch) for p in range(producers)))
    done.set()
    print(f"the producers are done: {producers * batches * per_batch} messages", flush=True)
    seen, jumps = await live
    later, _ = await read_all(bootstrap, "later", done)
    sent = producers * batches * per_batch
    print(f"sent {sent}; the live consumer saw {len(seen)}, jumping over {len(jumps)} gaps "
          f"{jumps[:6]}; a later read from offset 0 saw {len(later)}")


def main(argv: list[str]) -> None:
    producers, batches, per_batch = (int(a) for a in (argv + ["8", "1500", "6"][len(argv):]))
    server = start_kafka(Path(tempfile.mkdtemp(prefix="gap-probe-")) / "kafka.log")
    try:
        asyncio.run(probe(server.bootstrap, producers, batches, per_batch))
    finally:
        server.stop()


if __name__ == "__main__":
    main(sys.argv[1:])
