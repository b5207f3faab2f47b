"""Journey handlers: a milestone for each new purchase and each change of a known one."""

from collections import defaultdict
from uuid import UUID

from hotmart_common.events import ChunkEnded, ChunkProcessed, stable_event_id
from hotmart_common.metrics import ROWS_PROCESSED
from hotmart_common.purchases import saved_outcome
from hotmart_common.row_views import PurchaseRow
from hotmart_common.spreadsheet.text import fold
from hotmart_common.store import UnitOfWork

from .repository import JourneyRepository, KnownPurchase, Milestone


async def apply_rows(uow: UnitOfWork, rows: list[PurchaseRow]) -> None:
    by_import: dict[UUID, list[PurchaseRow]] = defaultdict(list)
    for row in rows:
        by_import[row.import_id].append(row)
    repo = JourneyRepository(uow.connection)
    recorded = 0
    for import_id, import_rows in by_import.items():
        already = await repo.recorded_rows(import_id, [r.row_number for r in import_rows])
        fresh = [r for r in import_rows if r.row_number not in already]
        if fresh:
            recorded += await _record(repo, import_id, fresh)
    uow.after_commit(lambda: ROWS_PROCESSED.labels("journey", "recorded").inc(recorded))


async def _record(repo: JourneyRepository, import_id: UUID, rows: list[PurchaseRow]) -> int:
    saved = await repo.save_purchases(rows[0].tenant_id, rows)
    outcomes = [(row, saved_outcome(saved, row.purchase_key)) for row in rows]
    milestones = [milestone(row, outcome, saved.get(row.purchase_key))
                  for row, outcome in outcomes if outcome != "unchanged"]
    await repo.add_milestones(rows[0].tenant_id, import_id, milestones)
    await repo.record_unchanged_rows(import_id, [r for r, outcome in outcomes
                                                 if outcome == "unchanged"])
    return len(milestones)


def milestone(row: PurchaseRow, outcome: str, before: KnownPurchase | None) -> Milestone:
    if outcome == "new" or before is None:
        return Milestone(row, "purchase")
    if fold(before.status or "") != fold(row.status or ""):
        return Milestone(row, "status_change", previous_status=before.status)
    return Milestone(row, "purchase_changed", previous_status=before.status)


async def report_chunk(uow: UnitOfWork, end: ChunkEnded) -> ChunkProcessed:
    counts = await JourneyRepository(uow.connection).chunk_counts(end)
    return ChunkProcessed(
        event_id=stable_event_id(end.import_id, "journey", end.chunk_no),
        tenant_id=end.tenant_id, import_id=end.import_id, service="journey",
        chunk_no=end.chunk_no, chunks_total=end.chunks_total, total_rows=end.total_rows,
        rows_processed=counts.rows, milestones_recorded=counts.milestones,
    )
