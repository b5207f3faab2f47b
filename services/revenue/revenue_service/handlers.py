"""Revenue handlers: every purchase lands in the ledger as active, lost or pending
(revenue_service.categories); one without an amount is recorded and summed nowhere."""

from collections import defaultdict
from decimal import Decimal
from functools import partial
from uuid import UUID

from hotmart_common.events import ChunkEnded, ChunkProcessed, stable_event_id
from hotmart_common.metrics import ROWS_PROCESSED
from hotmart_common.row_views import PurchaseRow
from hotmart_common.store import UnitOfWork

from .categories import category
from .metrics import REVENUE
from .repository import LedgerRepository


async def apply_rows(uow: UnitOfWork, rows: list[PurchaseRow]) -> None:
    by_import: dict[UUID, list[PurchaseRow]] = defaultdict(list)
    for row in rows:
        by_import[row.import_id].append(row)
    repo = LedgerRepository(uow.connection)
    for import_id, import_rows in by_import.items():
        already = await repo.recorded_rows(import_id, [r.row_number for r in import_rows])
        fresh = [r for r in import_rows if r.row_number not in already]
        if fresh:
            await repo.record(fresh[0].tenant_id, import_id, fresh)
            uow.after_commit(partial(_count, fresh))


def _count(rows: list[PurchaseRow]) -> None:
    ROWS_PROCESSED.labels("revenue", "recorded").inc(len(rows))
    sums: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    for row in rows:
        if row.amount is not None:
            sums[(category(row.status_code), row.currency)] += row.amount
    for (kind, currency), amount in sums.items():  # metrics are floats; the ledger is exact
        REVENUE.labels(kind, currency).inc(float(amount))


async def report_chunk(uow: UnitOfWork, end: ChunkEnded) -> ChunkProcessed:
    """The chunk's report, from the ledger. Counters: transactions_new, transactions_changed,
    transactions_unchanged (each purchase of the chunk by what it was to the ledger) and
    purchases_without_amount (in no revenue); amounts: the ledger totals named by category
    (active, lost, pending) and currency."""
    revenue = await LedgerRepository(uow.connection).chunk_revenue(end)
    return ChunkProcessed(
        event_id=stable_event_id(end.import_id, "revenue", end.chunk_no),
        tenant_id=end.tenant_id, import_id=end.import_id, service="revenue",
        chunk_no=end.chunk_no, chunks_total=end.chunks_total, total_rows=end.total_rows,
        rows_processed=revenue.rows, amounts=revenue.totals,
        counts={"transactions_new": revenue.outcomes["new"],
                "transactions_changed": revenue.outcomes["changed"],
                "transactions_unchanged": revenue.outcomes["unchanged"],
                "purchases_without_amount": revenue.without_amount},
    )
