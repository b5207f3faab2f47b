"""Revenue handlers: every amount lands in the ledger as active, lost or pending."""

from hotmart_common.events import ChunkEnded, ChunkProcessed, RowParsed, stable_event_id
from hotmart_common.store import UnitOfWork

from .repository import LedgerRepository


async def apply_rows(uow: UnitOfWork, rows: list[RowParsed]) -> None:
    await LedgerRepository(uow.connection).add_entries(rows)


async def report_chunk(uow: UnitOfWork, end: ChunkEnded) -> ChunkProcessed:
    totals = await LedgerRepository(uow.connection).chunk_totals(end.import_id, end.chunk_no)
    return ChunkProcessed(
        event_id=stable_event_id(end.import_id, "revenue", end.chunk_no),
        tenant_id=end.tenant_id, import_id=end.import_id, service="revenue",
        chunk_no=end.chunk_no, chunks_total=end.chunks_total, total_rows=end.total_rows,
        rows_processed=sum(t.rows for t in totals), revenue=totals,
    )
