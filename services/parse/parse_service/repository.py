"""All SQL of the parser: its runs (which buyers are clients it asks the matcher, see
``clients.py``)."""

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from uuid import UUID

from hotmart_common.store import Connection

MIGRATIONS = Path(__file__).parent / "migrations"


@dataclass(frozen=True)
class ParseRun:
    import_id: UUID
    attempt: int
    total_rows: int
    chunks_total: int
    rows_skipped: int
    parsed_at: datetime
    rows_published_at: datetime | None


class ParseRuns:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    async def get(self, import_id: UUID, attempt: int) -> ParseRun | None:
        row = await self.conn.fetchrow(
            "SELECT import_id, attempt, total_rows, chunks_total, rows_skipped, parsed_at,"
            " rows_published_at FROM parse_runs WHERE import_id = $1 AND attempt = $2",
            import_id, attempt,
        )
        return None if row is None else ParseRun(**dict(row))

    async def record(self, import_id: UUID, attempt: int, tenant_id: str, total_rows: int,
                     chunks_total: int, rows_skipped: int, at: datetime) -> None:
        await self.conn.execute(
            "INSERT INTO parse_runs (import_id, attempt, tenant_id, total_rows, chunks_total,"
            " rows_skipped, parsed_at) VALUES ($1, $2, $3, $4, $5, $6, $7)"
            " ON CONFLICT (import_id, attempt) DO NOTHING",
            import_id, attempt, tenant_id, total_rows, chunks_total, rows_skipped, at,
        )

    async def mark_published(self, import_id: UUID, attempt: int, at: datetime) -> None:
        await self.conn.execute(
            "UPDATE parse_runs SET rows_published_at = coalesce(rows_published_at, $3)"
            " WHERE import_id = $1 AND attempt = $2", import_id, attempt, at,
        )
