"""All SQL of the revenue service."""

from pathlib import Path
from uuid import UUID

from hotmart_common.events import RevenueTotal, RowParsed
from hotmart_common.store import Connection

MIGRATIONS = Path(__file__).parent / "migrations"


class LedgerRepository:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    async def add_entries(self, rows: list[RowParsed]) -> None:
        await self.conn.execute(
            "INSERT INTO revenue_ledger (tenant_id, import_id, row_number, chunk_no,"
            " client_email, transaction_code, category, status, amount, currency, occurred_at)"
            " SELECT * FROM unnest($1::text[], $2::uuid[], $3::int[], $4::int[], $5::text[],"
            " $6::text[], $7::text[], $8::text[], $9::numeric[], $10::text[],"
            " $11::timestamptz[])"
            " ON CONFLICT (import_id, row_number) DO NOTHING",
            [r.tenant_id for r in rows], [r.import_id for r in rows],
            [r.row_number for r in rows], [r.chunk_no for r in rows], [r.email for r in rows],
            [r.transaction_code for r in rows], [r.status_category for r in rows],
            [r.status for r in rows], [r.amount for r in rows], [r.currency for r in rows],
            [r.purchased_at for r in rows],
        )

    async def chunk_totals(self, import_id: UUID, chunk_no: int) -> list[RevenueTotal]:
        rows = await self.conn.fetch(
            "SELECT category, currency, sum(amount) AS amount, count(*) AS rows"
            " FROM revenue_ledger WHERE import_id = $1 AND chunk_no = $2"
            " GROUP BY category, currency ORDER BY category, currency",
            import_id, chunk_no,
        )
        return [RevenueTotal(category=r["category"], currency=r["currency"], amount=r["amount"],
                             rows=r["rows"]) for r in rows]
