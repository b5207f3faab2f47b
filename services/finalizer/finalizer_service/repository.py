"""All SQL of the finalizer: the chunk reports it has received."""

from pathlib import Path
from uuid import UUID

from hotmart_common.events import ChunkProcessed
from hotmart_common.store import Connection

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
            [r.model_dump_json() for r in reports],
        )

    async def of_import(self, import_id: UUID) -> list[ChunkProcessed]:
        rows = await self.conn.fetch(
            "SELECT report FROM chunk_reports WHERE import_id = $1", import_id
        )
        return [ChunkProcessed.model_validate_json(r["report"]) for r in rows]
