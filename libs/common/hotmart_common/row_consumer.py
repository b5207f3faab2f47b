"""The shape every row-topic consumer shares, so each service writes only its effects.

One poll of the row topic becomes one transaction: the service applies the batch's rows,
then reports each chunk whose end marker is in the batch, with counts read back from its
store. Events go out after the commit; offsets are committed after that.
"""

from collections.abc import Awaitable, Callable

from .events import (
    ROW_TOPIC_ADAPTER,
    ChunkEnded,
    ChunkProcessed,
    ConsumerService,
    RowParsed,
)
from .kafka import subscribe
from .service import ServiceContext
from .store import Store, UnitOfWork
from .topics import CHUNK_DONE, IMPORT_ROWS

ApplyRows = Callable[[UnitOfWork, list[RowParsed]], Awaitable[None]]
ReportChunk = Callable[[UnitOfWork, ChunkEnded], Awaitable[ChunkProcessed]]


async def handle_row_messages(store: Store, messages: list[RowParsed | ChunkEnded],
                              apply_rows: ApplyRows, report_chunk: ReportChunk) -> None:
    rows = [m for m in messages if isinstance(m, RowParsed)]
    ends = [m for m in messages if isinstance(m, ChunkEnded)]
    async with store.unit_of_work() as uow:
        if rows:
            await apply_rows(uow, rows)
        for end in ends:
            report = await report_chunk(uow, end)
            uow.publish_after_commit(CHUNK_DONE, report, key=str(end.import_id).encode())


def subscribe_to_rows(ctx: ServiceContext, service: ConsumerService, apply_rows: ApplyRows,
                      report_chunk: ReportChunk, max_records: int = 2000) -> None:
    async def on_rows(messages: list[RowParsed | ChunkEnded]) -> None:
        await handle_row_messages(ctx.store, messages, apply_rows, report_chunk)

    subscribe(ctx.broker, ctx.publisher, IMPORT_ROWS, group_id=f"{service}-service",
              adapter=ROW_TOPIC_ADAPTER, handle=on_rows, max_records=max_records)
