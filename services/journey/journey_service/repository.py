"""All SQL of the journey service."""

from pathlib import Path
from uuid import UUID

from hotmart_common.events import RowParsed, stable_event_id
from hotmart_common.store import Connection

MIGRATIONS = Path(__file__).parent / "migrations"
SOURCE = "hotmart_import"


class MilestoneRepository:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    async def add_purchases(self, rows: list[RowParsed]) -> None:
        await self.conn.execute(
            "INSERT INTO milestones (milestone_id, tenant_id, client_email, import_id,"
            " row_number, chunk_no, kind, occurred_at, amount, currency, product, status,"
            " status_category, transaction_code, source)"
            " SELECT t.id, t.tenant, t.email, t.import_id, t.row_number, t.chunk_no, 'purchase',"
            " t.at, t.amount, t.currency, t.product, t.status, t.category, t.code, $1"
            " FROM unnest($2::uuid[], $3::text[], $4::text[], $5::uuid[], $6::int[], $7::int[],"
            " $8::timestamptz[], $9::numeric[], $10::text[], $11::text[], $12::text[],"
            " $13::text[], $14::text[]) AS t(id, tenant, email, import_id, row_number, chunk_no,"
            " at, amount, currency, product, status, category, code)"
            " ON CONFLICT (import_id, row_number) DO NOTHING",
            SOURCE,
            [stable_event_id(r.import_id, "milestone", r.row_number) for r in rows],
            [r.tenant_id for r in rows], [r.email for r in rows], [r.import_id for r in rows],
            [r.row_number for r in rows], [r.chunk_no for r in rows],
            [r.purchased_at for r in rows], [r.amount for r in rows],
            [r.currency for r in rows], [r.product for r in rows], [r.status for r in rows],
            [r.status_category for r in rows], [r.transaction_code for r in rows],
        )

    async def chunk_count(self, import_id: UUID, chunk_no: int) -> int:
        count: int = await self.conn.fetchval(
            "SELECT count(*) FROM milestones WHERE import_id = $1 AND chunk_no = $2",
            import_id, chunk_no,
        )
        return count
