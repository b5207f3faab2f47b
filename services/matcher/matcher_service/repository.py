"""All SQL of the matcher: clients and the per-row record of what happened."""

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from uuid import UUID

from hotmart_common.store import Connection

MIGRATIONS = Path(__file__).parent / "migrations"


@dataclass(frozen=True)
class ClientFacts:
    email: str
    name: str | None
    phone: str | None
    document: str | None


@dataclass(frozen=True)
class MatchedRow:
    row_number: int
    chunk_no: int
    client_id: UUID
    first_of_buyer: bool
    outcome: str


@dataclass(frozen=True)
class BuyerOutcome:
    row_number: int
    client_id: UUID
    email: str
    name: str | None
    created_at: datetime
    outcome: str


@dataclass(frozen=True)
class ChunkCounts:
    rows: int
    created: int
    updated: int


class MatcherRepository:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    async def recorded_rows(self, import_id: UUID, row_numbers: list[int]) -> set[int]:
        rows = await self.conn.fetch(
            "SELECT row_number FROM matcher_rows WHERE import_id = $1 AND row_number = ANY($2)",
            import_id, row_numbers,
        )
        return {r["row_number"] for r in rows}

    async def upsert_clients(self, tenant_id: str, import_id: UUID,
                             clients: list[ClientFacts]) -> dict[str, tuple[UUID, bool]]:
        """email -> (client id, created by this import). Newer non-empty facts win."""
        clients = sorted(clients, key=lambda c: c.email)  # one lock order: no deadlocks
        rows = await self.conn.fetch(
            "INSERT INTO clients (client_id, tenant_id, email, name, phone, document,"
            " created_by_import)"
            " SELECT gen_random_uuid(), $1, t.email, t.name, t.phone, t.document, $2"
            " FROM unnest($3::text[], $4::text[], $5::text[], $6::text[])"
            "   WITH ORDINALITY AS t(email, name, phone, document, n) ORDER BY t.n"
            " ON CONFLICT (tenant_id, email) DO UPDATE SET"
            "   name = COALESCE(EXCLUDED.name, clients.name),"
            "   phone = COALESCE(EXCLUDED.phone, clients.phone),"
            "   document = COALESCE(EXCLUDED.document, clients.document),"
            "   updated_at = now()"
            " RETURNING client_id, email, created_by_import",
            tenant_id, import_id,
            [c.email for c in clients], [c.name for c in clients],
            [c.phone for c in clients], [c.document for c in clients],
        )
        return {r["email"]: (r["client_id"], r["created_by_import"] == import_id) for r in rows}

    async def record_rows(self, import_id: UUID, rows: list[MatchedRow]) -> None:
        await self.conn.execute(
            "INSERT INTO matcher_rows"
            " (import_id, row_number, chunk_no, client_id, first_of_buyer, outcome)"
            " SELECT $1, * FROM unnest($2::int[], $3::int[], $4::uuid[], $5::bool[], $6::text[])"
            " ON CONFLICT DO NOTHING",
            import_id, [r.row_number for r in rows], [r.chunk_no for r in rows],
            [r.client_id for r in rows], [r.first_of_buyer for r in rows],
            [r.outcome for r in rows],
        )

    async def buyer_outcomes(self, import_id: UUID, row_numbers: list[int]) -> list[BuyerOutcome]:
        """The outcome of each buyer whose first row is among ``row_numbers``."""
        rows = await self.conn.fetch(
            "SELECT m.row_number, c.client_id, c.email, c.name, c.created_at, m.outcome"
            " FROM matcher_rows m JOIN clients c USING (client_id)"
            " WHERE m.import_id = $1 AND m.row_number = ANY($2) AND m.first_of_buyer"
            " ORDER BY m.row_number",
            import_id, row_numbers,
        )
        return [BuyerOutcome(r["row_number"], r["client_id"], r["email"], r["name"],
                             r["created_at"], r["outcome"]) for r in rows]

    async def chunk_counts(self, import_id: UUID, chunk_no: int) -> ChunkCounts:
        row = await self.conn.fetchrow(
            "SELECT count(*) AS rows,"
            " count(*) FILTER (WHERE first_of_buyer AND outcome = 'created') AS created,"
            " count(*) FILTER (WHERE first_of_buyer AND outcome = 'updated') AS updated"
            " FROM matcher_rows WHERE import_id = $1 AND chunk_no = $2",
            import_id, chunk_no,
        )
        assert row is not None
        return ChunkCounts(row["rows"], row["created"], row["updated"])
