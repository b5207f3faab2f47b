"""The parser's one query: which buyers are already clients (for the 'skip' policy)."""

from uuid import UUID

import asyncpg

from hotmart_common.store import Connection


class ClientDirectory:
    """Reads the matcher's clients table, read-only: skipped rows must never be published."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    async def existing_before(self, import_id: UUID, tenant_id: str,
                              emails: list[str]) -> set[str]:
        """Clients not created by this import: a re-parse after a crash sees the same set."""
        try:
            rows = await self.conn.fetch(
                "SELECT email FROM clients WHERE tenant_id = $1 AND email = ANY($2)"
                " AND created_by_import IS DISTINCT FROM $3",
                tenant_id, emails, import_id,
            )
        except asyncpg.UndefinedTableError:
            return set()  # no client was ever created
        return {r["email"] for r in rows}
