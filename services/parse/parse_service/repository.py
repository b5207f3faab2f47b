"""All SQL of the parser: its runs, and the clients it knows of (for the 'skip' policy).

Which buyers are already clients is a projection the parser builds from ``client.created``
(consumer group ``parse-known-clients``), not a read of the matcher's table: each service
reads only what it owns. The projection trails the matcher by the milliseconds an event
takes, so a buyer that another import still in flight has just created may not be seen
yet, exactly as with the direct read it replaces (that import's rows may not have reached
the matcher either). A client counts as existing unless this very import created it, so a
re-parse after a crash, or a retry, sees the same set.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from uuid import UUID

from hotmart_common.events import ClientCreated
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


class KnownClients:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    async def add(self, events: Sequence[ClientCreated]) -> None:
        """Insert-if-absent: the first import that created a client stays its creator."""
        if not events:
            return
        await self.conn.execute(
            "INSERT INTO parse_known_clients (tenant_id, email, created_by_import)"
            " SELECT * FROM unnest($1::text[], $2::text[], $3::uuid[]) ORDER BY 1, 2"
            " ON CONFLICT DO NOTHING",
            [e.tenant_id for e in events], [e.email for e in events],
            [e.import_id for e in events],
        )

    async def existing_before(self, import_id: UUID, tenant_id: str,
                              emails: list[str]) -> set[str]:
        """Clients not created by this import: a re-parse after a crash sees the same set."""
        rows = await self.conn.fetch(
            "SELECT email FROM parse_known_clients WHERE tenant_id = $1 AND email = ANY($2)"
            " AND created_by_import IS DISTINCT FROM $3",
            tenant_id, emails, import_id,
        )
        return {r["email"] for r in rows}
