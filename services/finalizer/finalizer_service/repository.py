"""All SQL of the finalizer: the chunk reports it has received."""

from pathlib import Path
from uuid import UUID

from hotmart_common.events import ChunkProcessed
from hotmart_common.store import Connection

from .progress import ClientCounts, ReportTotals, RevenueSum, ServiceReports

MIGRATIONS = Path(__file__).parent / "migrations"


class ReportRepository:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    async def add(self, reports: list[ChunkProcessed]) -> None:
        await self.conn.execute(
            "INSERT INTO chunk_reports (import_id, service, chunk_no, chunks_total, report)"
            " SELECT * FROM unnest($1::uuid[], $2::text[], $3::int[], $4::int[], $5::jsonb[])"
            " ON CONFLICT DO NOTHING",
            [r.import_id for r in reports], [r.service for r in reports],
            [r.chunk_no for r in reports], [r.chunks_total for r in reports],
            [r.model_dump_json(exclude={"created_client_ids", "updated_client_ids"})
             for r in reports],
        )

    async def add_clients(self, reports: list[ChunkProcessed]) -> None:
        entries = [(r.import_id, client, outcome) for r in reports
                   for outcome, clients in (("created", r.created_client_ids),
                                            ("updated", r.updated_client_ids))
                   for client in clients]
        if not entries:
            return
        await self.conn.execute(
            "INSERT INTO import_clients (import_id, client_id, outcome)"
            " SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::text[]) ON CONFLICT DO NOTHING",
            [e[0] for e in entries], [e[1] for e in entries], [e[2] for e in entries],
        )

    async def client_counts(self, import_id: UUID) -> ClientCounts:
        row = await self.conn.fetchrow(
            "SELECT created, updated FROM import_client_counts WHERE import_id = $1", import_id
        )
        return ClientCounts(row["created"], row["updated"]) if row else ClientCounts(0, 0)

    async def totals(self, import_id: UUID) -> ReportTotals:
        """The import's reports summed here, so a batch never reads every report back."""
        services = await self.conn.fetch(
            "SELECT service, array_agg(chunk_no) AS chunks, max(chunks_total) AS chunks_total,"
            " coalesce(sum((report->>'transactions_new')::int), 0) AS new,"
            " coalesce(sum((report->>'transactions_changed')::int), 0) AS changed,"
            " coalesce(sum((report->>'transactions_unchanged')::int), 0) AS unchanged,"
            " coalesce(sum((report->>'purchases_without_amount')::int), 0) AS without_amount,"
            " coalesce(sum((report->>'clients_created')::int), 0) AS clients_created"
            " FROM chunk_reports WHERE import_id = $1 GROUP BY service", import_id,
        )
        revenue = await self.conn.fetch(
            "SELECT total->>'currency' AS currency, total->>'category' AS category,"
            " sum((total->>'amount')::numeric) AS amount"
            " FROM chunk_reports, jsonb_array_elements(report->'revenue') AS total"
            " WHERE import_id = $1 GROUP BY 1, 2", import_id,
        )
        return ReportTotals(
            by_service={r["service"]: ServiceReports(
                chunks=frozenset(r["chunks"]), chunks_total=r["chunks_total"],
                transactions_new=r["new"], transactions_changed=r["changed"],
                transactions_unchanged=r["unchanged"], clients_created=r["clients_created"],
                purchases_without_amount=r["without_amount"],
            ) for r in services},
            revenue=[RevenueSum(r["currency"], r["category"], r["amount"]) for r in revenue],
        )
