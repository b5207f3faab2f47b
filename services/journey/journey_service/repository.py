"""All SQL of the journey service."""

from collections.abc import Sequence
from dataclasses import dataclass
from operator import itemgetter
from pathlib import Path
from typing import NamedTuple
from uuid import UUID

from hotmart_common.events import ChunkEnded, stable_event_id
from hotmart_common.purchases import WRITE_ONLY_CHANGES
from hotmart_common.row_views import PurchaseRow
from hotmart_common.store import Connection
from hotmart_common.store.keyed import CHUNK_ROWS, chunk_rows, recorded_rows

MIGRATIONS = Path(__file__).parent / "migrations"
SOURCE = "hotmart_import"
# Where the journey records a row it has applied: its milestone, keyed (import, row), or,
# for a row that records none (its purchase unchanged), a row of journey_rows. (Earlier
# releases wrote every row to journey_rows, with its outcome: the counts below allow it.)
RECORDED_IN = ("milestones", "journey_rows")


class KnownPurchase(NamedTuple):
    """A purchase as the table held it."""

    fingerprint: str
    status: str | None


class Milestone(NamedTuple):
    row: PurchaseRow
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
        return await recorded_rows(self.conn, import_id, row_numbers, *RECORDED_IN)

    async def save_purchases(self, tenant_id: str,
                             rows: list[PurchaseRow]) -> dict[str, KnownPurchase | None]:
        """Writes the new and changed purchases (``WRITE_ONLY_CHANGES``); returns each with
        the purchase it replaced, None for a new one."""
        saved = await self.conn.fetch(
            "INSERT INTO journey_purchases AS stored"
            " (tenant_id, purchase_key, fingerprint, status)"
            " SELECT $1, t.* FROM unnest($2::journey_purchase_input[]) AS t"
            " ON CONFLICT (tenant_id, purchase_key) DO UPDATE SET"
            "   fingerprint = EXCLUDED.fingerprint, status = EXCLUDED.status,"
            f"   updated_at = now() {WRITE_ONLY_CHANGES}"
            " RETURNING new.purchase_key, old.fingerprint, old.status",
            tenant_id, sorted([(r.purchase_key, r.fingerprint, r.status) for r in rows],
                              key=itemgetter(0)),  # one lock order: no deadlocks
        )
        return {key: None if before is None else KnownPurchase(before, status)
                for key, before, status in saved}

    async def add_milestones(self, tenant_id: str, import_id: UUID,
                             milestones: list[Milestone]) -> None:
        import_key = str(import_id)  # the id's text, as stable_event_id joins it, once
        await self.conn.execute(
            "INSERT INTO milestones (milestone_id, tenant_id, client_email, import_id,"
            " row_number, chunk_no, kind, occurred_at, amount, currency, product, status,"
            " status_category, transaction_code, source, purchase_key, previous_status)"
            " SELECT t.milestone_id, $2, t.client_email, $3, t.row_number, t.chunk_no, t.kind,"
            " t.occurred_at, t.amount::numeric, t.currency, t.product, t.status,"
            " t.status_category, t.transaction_code, $1, t.purchase_key, t.previous_status"
            " FROM unnest($4::journey_milestone_input[]) AS t"
            " ON CONFLICT (import_id, row_number) DO NOTHING",
            SOURCE, tenant_id, import_id,
            [(stable_event_id(import_key, "milestone", r.row_number), r.email, r.row_number,
              r.chunk_no, kind, r.purchased_at, str(r.amount), r.currency, r.product, r.status,
              r.status_category, r.transaction_code, r.purchase_key, previous_status)
             for r, kind, previous_status in milestones],
        )

    async def record_unchanged_rows(self, import_id: UUID, rows: Sequence[PurchaseRow]) -> None:
        """The rows that record no milestone: a row with one is recorded by it."""
        if not rows:
            return
        await self.conn.execute(
            "INSERT INTO journey_rows (import_id, row_number, chunk_no, outcome)"
            " SELECT $1, t.* FROM unnest($2::journey_row_input[]) AS t"
            " ON CONFLICT DO NOTHING",
            import_id, [(r.row_number, r.chunk_no, "unchanged") for r in rows],
        )

    async def chunk_counts(self, end: ChunkEnded) -> ChunkCounts:
        row = await self.conn.fetchrow(
            f"SELECT (SELECT count(*) FROM milestones WHERE {CHUNK_ROWS}) AS milestones,"
            f" (SELECT count(*) FROM journey_rows WHERE {CHUNK_ROWS}"
            "   AND outcome = 'unchanged') AS unchanged",  # (a new or changed row: its milestone)
            *chunk_rows(end),
        )
        assert row is not None
        return ChunkCounts(row["milestones"] + row["unchanged"], row["milestones"])
