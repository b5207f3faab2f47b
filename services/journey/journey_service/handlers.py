"""Journey handlers: a milestone for each new purchase and each change of a known one."""

from collections import defaultdict
from uuid import UUID

from hotmart_common.events import ChunkEnded, ChunkProcessed, stable_event_id
from hotmart_common.metrics import ROWS_PROCESSED
from hotmart_common.row_views import PurchaseRow
from hotmart_common.store import UnitOfWork
from hotmart_common.store.purchase_upserts import PurchaseOutcome, saved_outcome

from .milestones import Status, milestone_kind
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
    milestones = [found for row, outcome in outcomes
                  if (found := milestone(row, outcome, saved.get(row.purchase_key)))]
    await repo.add_milestones(rows[0].tenant_id, import_id, milestones)
    await repo.record_unchanged_rows(import_id, [r for r, outcome in outcomes
                                                 if outcome == "unchanged"])
    return len(milestones)


def milestone(row: PurchaseRow, outcome: PurchaseOutcome,
              before: KnownPurchase | None) -> Milestone | None:
    """The row's milestone (journey_service.milestones), with the status it moved from."""
    previous = None if before is None else before.status
    kind = milestone_kind(outcome, previous, Status(row.status, row.status_code))
    if kind is None:
        return None
    return Milestone(row, kind, previous if kind != "purchase" else None)


async def report_chunk(uow: UnitOfWork, end: ChunkEnded) -> ChunkProcessed:
    """The chunk's report, from the journey's tables. Counter: milestones_recorded."""
    counts = await JourneyRepository(uow.connection).chunk_counts(end)
    return ChunkProcessed(
        event_id=stable_event_id(end.import_id, "journey", end.chunk_no),
        tenant_id=end.tenant_id, import_id=end.import_id, service="journey",
        chunk_no=end.chunk_no, chunks_total=end.chunks_total, total_rows=end.total_rows,
        rows_processed=counts.rows, counts={"milestones_recorded": counts.milestones},
    )
