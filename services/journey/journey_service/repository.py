"""All SQL of the journey service."""

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple
from uuid import UUID

from hotmart_common.events import ChunkEnded, RowParsed, stable_event_id
from hotmart_common.store import Connection, amounts_as_text
from hotmart_common.store.keyed import CHUNK_ROWS, chunk_rows, lock_purchases, recorded_rows

MIGRATIONS = Path(__file__).parent / "migrations"
SOURCE = "hotmart_import"


class KnownPurchase(NamedTuple):
    fingerprint: str
    status: str | None


class Milestone(NamedTuple):
    row: RowParsed
    kind: str
    previous_status: str | None = None


@dataclass(frozen=True)
class ChunkCounts:
    rows: int
    milestones: int


class JourneyRepository:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    async def recorded_rows(self, import_id: UUID, row_numbers: list[int]) -> set[int]:
        return await recorded_rows(self.conn, "journey_rows", import_id, row_numbers)

    async def known_purchases(self, tenant_id: str, keys: list[str]) -> dict[str, KnownPurchase]:
        rows = await lock_purchases(self.conn, "journey_purchases", "t.fingerprint, t.status",
                                    tenant_id, keys)
        return {r["purchase_key"]: KnownPurchase(r["fingerprint"], r["status"]) for r in rows}

    async def save_purchases(self, tenant_id: str, rows: list[RowParsed]) -> None:
        rows = sorted(rows, key=lambda r: r.purchase_key)
        await self.conn.execute(
            "INSERT INTO journey_purchases (tenant_id, purchase_key, fingerprint, status)"
            " SELECT $1, * FROM unnest($2::text[], $3::text[], $4::text[])"
            " ON CONFLICT (tenant_id, purchase_key) DO UPDATE SET"
            "   fingerprint = EXCLUDED.fingerprint, status = EXCLUDED.status, updated_at = now()",
            tenant_id, [r.purchase_key for r in rows], [r.fingerprint for r in rows],
            [r.status for r in rows],
        )

    async def add_milestones(self, tenant_id: str, import_id: UUID,
                             milestones: list[Milestone]) -> None:
        rows = [m.row for m in milestones]
        await self.conn.execute(
            "INSERT INTO milestones (milestone_id, tenant_id, client_email, import_id,"
            " row_number, chunk_no, kind, occurred_at, amount, currency, product, status,"
            " status_category, transaction_code, source, purchase_key, previous_status)"
            " SELECT t.id, $2, t.email, $3, t.row_number, t.chunk_no, t.kind,"
            " t.at, t.amount, t.currency, t.product, t.status, t.category, t.code, $1,"
            " t.purchase_key, t.previous_status"
            " FROM unnest($4::uuid[], $5::text[], $6::int[], $7::int[], $8::text[],"
            " $9::timestamptz[], $10::text[]::numeric[], $11::text[], $12::text[], $13::text[],"
            " $14::text[], $15::text[], $16::text[], $17::text[])"
            " AS t(id, email, row_number, chunk_no, kind, at, amount, currency, product, status,"
            " category, code, purchase_key, previous_status)"
            " ON CONFLICT (import_id, row_number) DO NOTHING",
            SOURCE, tenant_id, import_id,
            [stable_event_id(import_id, "milestone", r.row_number) for r in rows],
            [r.email for r in rows], [r.row_number for r in rows], [r.chunk_no for r in rows],
            [m.kind for m in milestones], [r.purchased_at for r in rows],
            amounts_as_text(r.amount for r in rows), [r.currency for r in rows],
            [r.product for r in rows],
            [r.status for r in rows], [r.status_category for r in rows],
            [r.transaction_code for r in rows], [r.purchase_key for r in rows],
            [m.previous_status for m in milestones],
        )

    async def record_rows(self, import_id: UUID,
                          outcomes: Sequence[tuple[RowParsed, str]]) -> None:
        await self.conn.execute(
            "INSERT INTO journey_rows (import_id, row_number, chunk_no, outcome)"
            " SELECT $1, * FROM unnest($2::int[], $3::int[], $4::text[]) ON CONFLICT DO NOTHING",
            import_id, [r.row_number for r, _ in outcomes], [r.chunk_no for r, _ in outcomes],
            [outcome for _, outcome in outcomes],
        )

    async def chunk_counts(self, end: ChunkEnded) -> ChunkCounts:
        row = await self.conn.fetchrow(
            # A row has a milestone exactly when its outcome is not 'unchanged'.
            "SELECT count(*) AS rows, count(*) FILTER (WHERE outcome <> 'unchanged')"
            f"   AS milestones FROM journey_rows WHERE {CHUNK_ROWS}",
            *chunk_rows(end),
        )
        assert row is not None
        return ChunkCounts(row["rows"], row["milestones"])
