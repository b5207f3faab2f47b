"""The shape every row-topic consumer shares, so each service writes only its effects.

A service reads each row through its view of the row event (``hotmart_common.row_views``).
One poll of the row topic becomes one transaction: the service applies the batch's rows,
then reports each chunk whose end marker is in the batch, with counts read back from its
store. Events go out after the commit; offsets are committed after that.
"""

from collections.abc import Awaitable, Callable
from typing import TypeVar
from uuid import UUID

from . import registry
from .events import (
    ChunkEnded,
    ChunkProcessed,
    ConsumerService,
    RowIssue,
    RowsFailed,
    stable_event_id,
)
from .kafka_consumer import subscribe
from .row_views import RowView, RowViewDecoder
from .service import ServiceContext
from .store import Outgoing, Publisher, Store, UnitOfWork
from .topics import CHUNK_DONE, IMPORT_ROWS

Row = TypeVar("Row", bound=RowView)
ApplyRows = Callable[[UnitOfWork, list[Row]], Awaitable[None]]
ReportChunk = Callable[[UnitOfWork, ChunkEnded], Awaitable[ChunkProcessed]]


async def handle_row_messages(store: Store, messages: list[Row | ChunkEnded],
                              apply_rows: ApplyRows[Row], report_chunk: ReportChunk) -> None:
    # One poll may hold the same event twice (a re-published import): keep it once, so a
    # statement never has to apply two versions of one row.
    by_row: dict[tuple[UUID, int], Row] = {}
    by_chunk: dict[tuple[UUID, int], ChunkEnded] = {}
    for m in messages:
        if m.kind == "row":
            by_row[(m.import_id, m.row_number)] = m
        else:
            by_chunk[(m.import_id, m.chunk_no)] = m
    rows, ends = list(by_row.values()), list(by_chunk.values())
    async with store.unit_of_work() as uow:
        if rows:
            await apply_rows(uow, rows)
        for end in ends:
            report = await report_chunk(uow, end)
            uow.publish_after_commit(CHUNK_DONE, report, key=str(end.import_id).encode())


async def record_failed_row(publisher: Publisher, service: ConsumerService,
                            message: RowView | ChunkEnded, error: Exception) -> None:
    """A row the service cannot apply is reported failed, with the reason, to the finalizer
    (which owns the import's issues); awaited, so the offset moves on only once the broker
    has the report. The finalizer records it once per (import, row)."""
    if not isinstance(message, RowView):
        return  # a marker that cannot be processed leaves its chunk open: the import stalls
    issue = RowIssue(
        row_number=message.row_number, status="failed", code="processing_failed", column=None,
        message=f"Row {message.row_number}: the {service} service could not apply it "
                f"({type(error).__name__}: {str(error)[:300]})", stage=service)
    await publisher.publish([Outgoing(CHUNK_DONE, RowsFailed(
        event_id=stable_event_id(message.import_id, service, "failed", message.row_number),
        tenant_id=message.tenant_id, import_id=message.import_id, service=service,
        issues=[issue]), key=str(message.import_id).encode())])


def subscribe_to_rows(ctx: ServiceContext, service: ConsumerService, rows: type[Row],
                      apply_rows: ApplyRows[Row], report_chunk: ReportChunk,
                      max_records: int = 2000, group_id: str | None = None) -> None:
    """``rows``: the service's view of a row event, what ``apply_rows`` gets."""
    async def on_rows(messages: list[Row | ChunkEnded]) -> None:
        await handle_row_messages(ctx.store, messages, apply_rows, report_chunk)

    async def on_poison(message: Row | ChunkEnded, _: object, error: Exception) -> None:
        await record_failed_row(ctx.publisher, service, message, error)

    subscribe(ctx.broker, ctx.publisher, IMPORT_ROWS,
              group_id=group_id or registry.group_for(service, IMPORT_ROWS),
              adapter=RowViewDecoder(rows), handle=on_rows, service=service, on_poison=on_poison,
              max_records=max_records,
              fetch_max_wait_ms=ctx.settings.infra.kafka_fetch_max_wait_ms)
