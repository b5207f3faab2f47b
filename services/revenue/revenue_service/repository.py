"""All SQL of the revenue service."""

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from uuid import UUID

from hotmart_common.events import ChunkEnded, RevenueTotal
from hotmart_common.purchases import WRITE_ONLY_CHANGES
from hotmart_common.row_views import PurchaseRow
from hotmart_common.store import Connection
from hotmart_common.store.keyed import CHUNK_ROWS, chunk_rows, recorded_rows

MIGRATIONS = Path(__file__).parent / "migrations"


@dataclass(frozen=True)
class ChunkRevenue:
    totals: list[RevenueTotal]
    outcomes: dict[str, int]


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
            "   transaction_code, client_email, category, status, amount, currency, occurred_at,"
            "   fingerprint, first_import_id, last_import_id)"
            "  SELECT $1, b.purchase_key, b.transaction_code, b.client_email, b.category,"
            "   b.status, b.amount::numeric, b.currency, b.occurred_at, b.fingerprint, $2, $2"
            "  FROM batch b ORDER BY b.purchase_key"
            "  ON CONFLICT (tenant_id, purchase_key) DO UPDATE SET"
            "   category = EXCLUDED.category, status = EXCLUDED.status,"
            "   amount = EXCLUDED.amount, currency = EXCLUDED.currency,"
            "   occurred_at = EXCLUDED.occurred_at, fingerprint = EXCLUDED.fingerprint,"
            "   client_email = EXCLUDED.client_email,"
            f"   last_import_id = EXCLUDED.last_import_id, updated_at = now() {WRITE_ONLY_CHANGES}"
            "  RETURNING new.purchase_key,"
            "   CASE WHEN old.purchase_key IS NULL THEN 'new' ELSE 'changed' END AS outcome)"
            " INSERT INTO revenue_ledger (tenant_id, import_id, row_number, chunk_no,"
            " client_email, transaction_code, category, status, amount, currency, occurred_at,"
            " purchase_key, outcome)"
            " SELECT $1, $2, b.row_number, b.chunk_no, b.client_email, b.transaction_code,"
            " b.category, b.status, b.amount::numeric, b.currency, b.occurred_at,"
            " b.purchase_key, coalesce(s.outcome, 'unchanged')"
            " FROM batch b LEFT JOIN saved s USING (purchase_key)"
            " ON CONFLICT (import_id, row_number) DO NOTHING",
            tenant_id, import_id,
            [(r.row_number, r.chunk_no, r.email, r.transaction_code, r.status_category,
              r.status, str(r.amount), r.currency, r.purchased_at, r.purchase_key,
              r.fingerprint, None)  # the input type's outcome: the statement works it out
             for r in rows],
        )

    async def chunk_revenue(self, end: ChunkEnded) -> ChunkRevenue:
        rows = await self.conn.fetch(
            "SELECT category, currency, outcome, sum(amount) AS amount, count(*) AS rows"
            f" FROM revenue_ledger WHERE {CHUNK_ROWS} GROUP BY category, currency, outcome",
            *chunk_rows(end),
        )
        totals: dict[tuple[str, str], RevenueTotal] = {}
        outcomes = {"new": 0, "changed": 0, "unchanged": 0}
        for r in rows:
            key = (r["category"], r["currency"])
            before = totals.get(key)
            totals[key] = RevenueTotal(
                category=r["category"], currency=r["currency"],
                amount=r["amount"] + (before.amount if before else 0),
                rows=r["rows"] + (before.rows if before else 0),
            )
            outcomes[r["outcome"]] += r["rows"]
        return ChunkRevenue([totals[k] for k in sorted(totals)], outcomes)
