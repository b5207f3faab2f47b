"""All SQL of the finalizer: the chunk reports it has received."""

from pathlib import Path
from uuid import UUID

from hotmart_common.events import ChunkProcessed
from hotmart_common.store import Connection

from .progress import ClientCounts

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
        rows = await self.conn.fetch(
            "SELECT outcome, count(*) AS n FROM import_clients WHERE import_id = $1"
            " GROUP BY outcome", import_id,
        )
        counts = {r["outcome"]: r["n"] for r in rows}
        return ClientCounts(counts.get("created", 0), counts.get("updated", 0))

    async def of_import(self, import_id: UUID) -> list[ChunkProcessed]:
        rows = await self.conn.fetch(
            "SELECT report FROM chunk_reports WHERE import_id = $1", import_id
        )
        return [ChunkProcessed.model_validate_json(r["report"]) for r in rows]
