"""The floor of an import: the same rows read, stored and sent through the broker, raw."""

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass

from bench.exports import Sale
from bench.floor_bus import produce_consume_seconds, row_messages
from bench.floor_read import read_seconds
from bench.floor_store import upsert_seconds


@dataclass(frozen=True)
class Floor:
    read_s: float
    store_s: float
    bus_s: float

    @property
    def seconds(self) -> float:
        return self.read_s + self.store_s + self.bus_s


def measure_floor(data: bytes, file_format: str, sales: Sequence[Sale], database_url: str,
                  kafka_bootstrap: str, chunk_rows: int) -> Floor:
    read_s = read_seconds(data, file_format)
    store_s = asyncio.run(upsert_seconds(database_url, sales, chunk_rows))
    messages = row_messages(sales, chunk_rows)
    bus_s = asyncio.run(produce_consume_seconds(kafka_bootstrap, messages))
    return Floor(read_s, store_s, bus_s)
