"""Journey handlers: one timeline milestone per purchase row."""

from hotmart_common.events import ChunkEnded, ChunkProcessed, RowParsed, stable_event_id
from hotmart_common.store import UnitOfWork

from .repository import MilestoneRepository


async def apply_rows(uow: UnitOfWork, rows: list[RowParsed]) -> None:
    await MilestoneRepository(uow.connection).add_purchases(rows)


async def report_chunk(uow: UnitOfWork, end: ChunkEnded) -> ChunkProcessed:
    recorded = await MilestoneRepository(uow.connection).chunk_count(end.import_id, end.chunk_no)
    return ChunkProcessed(
        event_id=stable_event_id(end.import_id, "journey", end.chunk_no),
        tenant_id=end.tenant_id, import_id=end.import_id, service="journey",
        chunk_no=end.chunk_no, chunks_total=end.chunks_total, total_rows=end.total_rows,
        rows_processed=recorded, milestones_recorded=recorded,
    )
