"""All SQL of the matcher: clients, their purchases and the per-row record of what happened."""

from dataclasses import dataclass
from datetime import datetime
from operator import attrgetter
from pathlib import Path
from typing import Literal, NamedTuple
from uuid import UUID

import asyncpg

from hotmart_common.events import ChunkEnded
from hotmart_common.store import Connection
from hotmart_common.store.keyed import CHUNK_ROWS, chunk_rows, recorded_rows
from hotmart_common.store.purchase_upserts import WRITE_ONLY_CHANGES

MIGRATIONS = Path(__file__).parent / "migrations"

# One row of the import by its key, as a LATERAL subquery: "OFFSET 0" keeps the planner
# from turning it into a join that scans the whole import, which it does while the table's
# statistics still describe it as nearly empty (the first batches of a big first import).
ROW_OF_IMPORT = ("SELECT * FROM matcher_rows m"
                 " WHERE m.import_id = $1 AND m.row_number = r.row_number OFFSET 0")


# A client as upsert_clients returns it ($2: the import asking).
STORED_CLIENT = ("clients.client_id, clients.email,"
                 " clients.created_by_import IS NOT DISTINCT FROM $2, clients.name,"
                 " clients.created_at")


# What the matcher did with a row's client: created it, updated it (a new or changed
# purchase), or neither (a repeat).
Outcome = Literal["created", "updated", "unchanged"]


# The records below that go to PostgreSQL as a batch are, field for field, the matcher_*_input
# types of the migration (INPUT_TYPES; a test holds them to each other).
class ClientFacts(NamedTuple):
    email: str
    name: str | None
    phone: str | None
    document: str | None


class MatchedRow(NamedTuple):
    row_number: int
    chunk_no: int
    client_id: UUID
    first_of_buyer: bool
    outcome: Outcome


class Purchase(NamedTuple):
    purchase_key: str
    fingerprint: str
    client_id: UUID


# Each input type's attributes, in order.
INPUT_TYPES: dict[str, tuple[str, ...]] = {
    "matcher_client_input": ClientFacts._fields,
    "matcher_purchase_input": Purchase._fields,
    "matcher_row_input": MatchedRow._fields,
}


class StoredClient(NamedTuple):
    """A client as the upsert left it."""

    client_id: UUID
    created: bool  # created by this import
    name: str | None
    created_at: datetime


def _by_email(rows: list[asyncpg.Record]) -> dict[str, StoredClient]:
    """Rows selected as STORED_CLIENT, by e-mail."""
    return {email: StoredClient(client_id, created, name, created_at)
            for client_id, email, created, name, created_at in rows}


class Buyer(NamedTuple):
    client_id: UUID
    email: str
    name: str | None
    created_at: datetime
    row_number: int  # the buyer's first row among those asked about


@dataclass(frozen=True)
class ChunkClients:
    rows: int
    created: int  # clients the import created whose first row is in the chunk
    updated: list[UUID]


class MatcherRepository:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    async def recorded_rows(self, import_id: UUID, row_numbers: list[int]) -> set[int]:
        return await recorded_rows(self.conn, import_id, row_numbers, "matcher_rows")

    async def existing_before(self, tenant_id: str, emails: list[str],
                              import_id: UUID) -> set[str]:
        """Which of ``emails`` are clients not created by ``import_id``."""
        rows = await self.conn.fetch(
            "SELECT email FROM clients WHERE tenant_id = $1 AND email = ANY($2::text[])"
            " AND created_by_import IS DISTINCT FROM $3",
            tenant_id, emails, import_id,
        )
        return {row["email"] for row in rows}

    async def upsert_clients(self, tenant_id: str, import_id: UUID,
                             clients: list[ClientFacts]) -> dict[str, StoredClient]:
        """email -> the client as stored now. Newer non-empty facts win; a client they would
        not change is left as it is (locked all the same), since rewriting it costs a new row
        version and index entries: a repeat buyer in a later batch, or a re-uploaded export."""
        clients = sorted(clients, key=lambda c: c.email)  # one lock order: no deadlocks
        rows = await self.conn.fetch(
            "INSERT INTO clients (client_id, tenant_id, email, name, phone, document,"
            " created_by_import)"
            " SELECT gen_random_uuid(), $1, t.email, t.name, t.phone, t.document, $2"
            " FROM unnest($3::matcher_client_input[]) WITH ORDINALITY"
            "   AS t(email, name, phone, document, n) ORDER BY t.n"
            " ON CONFLICT (tenant_id, email) DO UPDATE SET"
            "   name = COALESCE(EXCLUDED.name, clients.name),"
            "   phone = COALESCE(EXCLUDED.phone, clients.phone),"
            "   document = COALESCE(EXCLUDED.document, clients.document),"
            "   updated_at = now()"
            " WHERE (COALESCE(EXCLUDED.name, clients.name),"
            "        COALESCE(EXCLUDED.phone, clients.phone),"
            "        COALESCE(EXCLUDED.document, clients.document))"
            "   IS DISTINCT FROM (clients.name, clients.phone, clients.document)"
            f" RETURNING {STORED_CLIENT}",
            tenant_id, import_id, clients,
        )
        stored = _by_email(rows)
        if len(stored) < len(clients):
            # The ones left as they were: read in a statement of their own, whose snapshot
            # also holds a client another transaction committed during the upsert.
            stored |= _by_email(await self.conn.fetch(
                f"SELECT {STORED_CLIENT} FROM unnest($3::text[]) AS e(email)"
                " CROSS JOIN LATERAL (SELECT * FROM clients WHERE tenant_id = $1"
                "   AND email = e.email OFFSET 0) clients",
                tenant_id, import_id, [c.email for c in clients if c.email not in stored],
            ))
        return stored

    async def save_purchases(self, tenant_id: str, purchases: list[Purchase]) -> set[str]:
        """Writes the new and changed purchases; returns their keys (``WRITE_ONLY_CHANGES``)."""
        # One lock order: no deadlocks.
        purchases = sorted(purchases, key=attrgetter("purchase_key"))
        saved = await self.conn.fetch(
            "INSERT INTO client_purchases AS stored"
            " (tenant_id, purchase_key, fingerprint, client_id)"
            " SELECT $1, t.* FROM unnest($2::matcher_purchase_input[]) AS t"
            " ON CONFLICT (tenant_id, purchase_key) DO UPDATE SET"
            "   fingerprint = EXCLUDED.fingerprint, client_id = EXCLUDED.client_id,"
            f"   updated_at = now() {WRITE_ONLY_CHANGES}"
            " RETURNING stored.purchase_key",
            tenant_id, purchases,
        )
        return {key for key, in saved}

    async def record_rows(self, import_id: UUID, rows: list[MatchedRow]) -> None:
        await self.conn.execute(
            "INSERT INTO matcher_rows"
            " (import_id, row_number, chunk_no, client_id, first_of_buyer, outcome)"
            " SELECT $1, t.* FROM unnest($2::matcher_row_input[]) AS t ON CONFLICT DO NOTHING",
            import_id, rows,
        )

    async def buyers(self, import_id: UUID, row_numbers: list[int], *,
                     outcome: Outcome, first_rows_only: bool) -> list[Buyer]:
        """Distinct clients of ``row_numbers`` whose row had ``outcome``."""
        rows = await self.conn.fetch(
            "SELECT DISTINCT ON (c.email) c.client_id, c.email, c.name, c.created_at,"
            " m.row_number FROM unnest($2::int[]) AS r(row_number)"
            f" CROSS JOIN LATERAL ({ROW_OF_IMPORT}) m"
            " CROSS JOIN LATERAL (SELECT * FROM clients c WHERE c.client_id = m.client_id"
            "   OFFSET 0) c"
            " WHERE m.outcome = $3 AND (m.first_of_buyer OR NOT $4)"
            " ORDER BY c.email, m.row_number",
            import_id, row_numbers, outcome, first_rows_only,
        )
        return [Buyer(r["client_id"], r["email"], r["name"], r["created_at"], r["row_number"])
                for r in rows]

    async def note_updated_clients(self, import_id: UUID, client_ids: set[UUID]) -> int:
        """Records that the import updated these clients; how many it had not updated before."""
        if not client_ids:
            return 0  # a first import updates no client: nothing to ask
        status: str = await self.conn.execute(
            "INSERT INTO matcher_updated_clients (import_id, client_id)"
            " SELECT $1, * FROM unnest($2::uuid[]) ORDER BY 2 ON CONFLICT DO NOTHING",
            import_id, sorted(client_ids),
        )
        return int(status.rsplit(" ", 1)[1])  # "INSERT 0 <rows>"

    async def chunk_clients(self, end: ChunkEnded) -> ChunkClients:
        row = await self.conn.fetchrow(
            "SELECT count(*) AS rows,"
            " count(*) FILTER (WHERE outcome = 'created' AND first_of_buyer) AS created,"
            " coalesce(array_agg(DISTINCT client_id) FILTER (WHERE outcome = 'updated'), '{}')"
            "   AS updated"
            f" FROM matcher_rows WHERE {CHUNK_ROWS}",
            *chunk_rows(end),
        )
        assert row is not None
        return ChunkClients(row["rows"], row["created"], list(row["updated"]))
