"""All SQL of the revenue service."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import NamedTuple
from uuid import UUID

from hotmart_common.events import AmountTotal, ChunkEnded, StatusCategory
from hotmart_common.hotmart_statuses import StatusCode
from hotmart_common.row_views import PurchaseRow
from hotmart_common.store import Connection
from hotmart_common.store.keyed import CHUNK_ROWS, chunk_rows, recorded_rows
from hotmart_common.store.purchase_upserts import WRITE_ONLY_CHANGES, PurchaseOutcome

from .categories import CATEGORY_OF

MIGRATIONS = Path(__file__).parent / "migrations"


class RevenueRowInput(NamedTuple):
    """The declaration of the composite type ``revenue_row_input``: its attributes, by name,
    type and order (tests/integration/test_batch_inputs.py holds the two together)."""

    row_number: int
    chunk_no: int
    client_email: str
    transaction_code: str | None
    category: StatusCategory
    status: str | None
    status_code: StatusCode | None
    amount: str | None  # the Decimal's exact text
    currency: str
    occurred_at: datetime
    purchase_key: str
    fingerprint: str


def revenue_row_input(row: PurchaseRow) -> tuple[object, ...]:
    """``row`` as a ``revenue_row_input`` record: RevenueRowInput's fields, in its order, in
    a plain tuple (building the named tuple costs several times as much, once per row);
    tests/unit/test_batch_builders.py holds the two together, field by field."""
    return (row.row_number, row.chunk_no, row.email, row.transaction_code,
            CATEGORY_OF[row.status_code], row.status, row.status_code,
            None if row.amount is None else str(row.amount), row.currency, row.purchased_at,
            row.purchase_key, row.fingerprint)


class LedgerGroup(NamedTuple):
    """A chunk's ledger entries of one category, currency and outcome, summed."""

    category: StatusCategory
    currency: str
    outcome: PurchaseOutcome
    amount: Decimal | None  # None: every entry of the group has no amount
    rows: int
    without_amount: int


@dataclass(frozen=True)
class ChunkRevenue:
    totals: list[AmountTotal]  # named by status category
    outcomes: dict[PurchaseOutcome, int]
    rows: int
    without_amount: int


class LedgerRepository:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    async def recorded_rows(self, import_id: UUID, row_numbers: list[int]) -> set[int]:
        return await recorded_rows(self.conn, import_id, row_numbers, "revenue_ledger")

    async def record(self, tenant_id: str, import_id: UUID, rows: Sequence[PurchaseRow]) -> None:
        """A ledger entry per row, with its purchase's outcome, and the new and changed
        purchases written (``WRITE_ONLY_CHANGES``), in one statement. Purchases are written in
        key order, so concurrent batches cannot deadlock."""
        await self.conn.execute(
            "WITH batch AS MATERIALIZED (SELECT * FROM unnest($3::revenue_row_input[])),"
            " saved AS (INSERT INTO revenue_transactions AS stored (tenant_id, purchase_key,"
            "   transaction_code, client_email, category, status, status_code, amount, currency,"
            "   occurred_at, fingerprint, first_import_id, last_import_id)"
            "  SELECT $1, b.purchase_key, b.transaction_code, b.client_email, b.category,"
            "   b.status, b.status_code, b.amount::numeric, b.currency, b.occurred_at,"
            "   b.fingerprint, $2, $2"
            "  FROM batch b ORDER BY b.purchase_key"
            "  ON CONFLICT (tenant_id, purchase_key) DO UPDATE SET"
            "   category = EXCLUDED.category, status = EXCLUDED.status,"
            "   status_code = EXCLUDED.status_code,"
            "   amount = EXCLUDED.amount, currency = EXCLUDED.currency,"
            "   occurred_at = EXCLUDED.occurred_at, fingerprint = EXCLUDED.fingerprint,"
            "   client_email = EXCLUDED.client_email,"
            f"   last_import_id = EXCLUDED.last_import_id, updated_at = now() {WRITE_ONLY_CHANGES}"
            "  RETURNING new.purchase_key,"
            "   CASE WHEN old.purchase_key IS NULL THEN 'new' ELSE 'changed' END AS outcome)"
            " INSERT INTO revenue_ledger (tenant_id, import_id, row_number, chunk_no,"
            " client_email, transaction_code, category, status, status_code, amount, currency,"
            " occurred_at, purchase_key, outcome)"
            " SELECT $1, $2, b.row_number, b.chunk_no, b.client_email, b.transaction_code,"
            " b.category, b.status, b.status_code, b.amount::numeric, b.currency, b.occurred_at,"
            " b.purchase_key, coalesce(s.outcome, 'unchanged')"
            " FROM batch b LEFT JOIN saved s USING (purchase_key)"
            " ON CONFLICT (import_id, row_number) DO NOTHING",
            tenant_id, import_id, [revenue_row_input(r) for r in rows],
        )

    async def chunk_revenue(self, end: ChunkEnded) -> ChunkRevenue:
        groups = [LedgerGroup(*record) for record in await self.conn.fetch(
            "SELECT category, currency, outcome, sum(amount) AS amount, count(*) AS rows,"
            " count(*) FILTER (WHERE amount IS NULL) AS without_amount"
            f" FROM revenue_ledger WHERE {CHUNK_ROWS} GROUP BY category, currency, outcome",
            *chunk_rows(end),
        )]
        return chunk_revenue(groups)


def chunk_revenue(groups: Sequence[LedgerGroup]) -> ChunkRevenue:
    """A chunk's totals: amounts by category and currency, rows without an amount in none."""
    totals: dict[tuple[str, str], AmountTotal] = {}
    outcomes: dict[PurchaseOutcome, int] = {"new": 0, "changed": 0, "unchanged": 0}
    for group in groups:
        outcomes[group.outcome] += group.rows
        summed = group.rows - group.without_amount
        if not summed:
            continue
        key = (group.category, group.currency)
        before = totals.get(key)
        totals[key] = AmountTotal(
            name=group.category, currency=group.currency,
            amount=(group.amount or Decimal(0)) + (before.amount if before else 0),
            rows=summed + (before.rows if before else 0),
        )
    return ChunkRevenue([totals[k] for k in sorted(totals)], outcomes,
                        rows=sum(group.rows for group in groups),
                        without_amount=sum(group.without_amount for group in groups))
