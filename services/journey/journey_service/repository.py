"""All SQL of the journey service."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from operator import itemgetter
from pathlib import Path
from typing import NamedTuple
from uuid import UUID

from hotmart_common.events import ChunkEnded, stable_event_id
from hotmart_common.hotmart_statuses import StatusCode
from hotmart_common.row_views import PurchaseRow
from hotmart_common.store import Connection
from hotmart_common.store.keyed import CHUNK_ROWS, chunk_rows, recorded_rows
from hotmart_common.store.purchase_upserts import WRITE_ONLY_CHANGES

from .milestones import MilestoneKind, Status

MIGRATIONS = Path(__file__).parent / "migrations"
SOURCE = "hotmart_import"
# Where the journey records a row it has applied: its milestone, keyed (import, row), or,
# for a row that records none (its purchase unchanged), a row of journey_rows.
RECORDED_IN = ("milestones", "journey_rows")


class KnownPurchase(NamedTuple):
    """A purchase as the table held it."""

    fingerprint: str
    status: Status


class Milestone(NamedTuple):
    row: PurchaseRow
    kind: MilestoneKind
    previous: Status | None = None


# The declarations of the batch inputs: each one's fields are its composite type's
# attributes, by name, type and order (migrations/001_journey.sql;
# tests/integration/test_batch_inputs.py). The records themselves are built as plain
# tuples in that order (a named tuple costs several times as much, once per row):
# tests/unit/test_batch_builders.py holds each builder to its declaration, field by field.

class MilestoneInput(NamedTuple):
    milestone_id: UUID
    client_email: str
    row_number: int
    chunk_no: int
    kind: MilestoneKind
    occurred_at: datetime
    amount: str | None  # the Decimal's exact text
    currency: str
    product: str | None
    status: str | None
    status_code: StatusCode | None
    transaction_code: str | None
    purchase_key: str
    previous_status: str | None
    previous_status_code: StatusCode | None


class PurchaseInput(NamedTuple):
    purchase_key: str
    fingerprint: str
    status: str | None
    status_code: StatusCode | None


class RowInput(NamedTuple):
    row_number: int
    chunk_no: int


def milestone_input(import_key: str, milestone: Milestone) -> tuple[object, ...]:
    """A milestone as a ``journey_milestone_input`` record (MilestoneInput's order)."""
    r, kind, previous = milestone
    return (stable_event_id(import_key, "milestone", r.row_number), r.email, r.row_number,
            r.chunk_no, kind, r.purchased_at, None if r.amount is None else str(r.amount),
            r.currency, r.product, r.status, r.status_code, r.transaction_code,
            r.purchase_key, None if previous is None else previous.text,
            None if previous is None else previous.code)


def purchase_input(r: PurchaseRow) -> tuple[object, ...]:
    """A row's purchase as a ``journey_purchase_input`` record (PurchaseInput's order)."""
    return (r.purchase_key, r.fingerprint, r.status, r.status_code)


def row_input(r: PurchaseRow) -> tuple[object, ...]:
    """A row as a ``journey_row_input`` record (RowInput's order)."""
    return (r.row_number, r.chunk_no)


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
        purchases = sorted(map(purchase_input, rows),  # one lock order: no deadlocks
                           key=itemgetter(PurchaseInput._fields.index("purchase_key")))
        saved = await self.conn.fetch(
            "INSERT INTO journey_purchases AS stored"
            " (tenant_id, purchase_key, fingerprint, status, status_code)"
            " SELECT $1, t.* FROM unnest($2::journey_purchase_input[]) AS t"
            " ON CONFLICT (tenant_id, purchase_key) DO UPDATE SET"
            "   fingerprint = EXCLUDED.fingerprint, status = EXCLUDED.status,"
            "   status_code = EXCLUDED.status_code,"
            f"   updated_at = now() {WRITE_ONLY_CHANGES}"
            " RETURNING new.purchase_key, old.fingerprint, old.status, old.status_code",
            tenant_id, purchases,
        )
        return {key: None if before is None else KnownPurchase(before, Status(status, code))
                for key, before, status, code in saved}

    async def add_milestones(self, tenant_id: str, import_id: UUID,
                             milestones: list[Milestone]) -> None:
        import_key = str(import_id)  # the id's text, as stable_event_id joins it, once
        await self.conn.execute(
            "INSERT INTO milestones (milestone_id, tenant_id, client_email, import_id,"
            " row_number, chunk_no, kind, occurred_at, amount, currency, product, status,"
            " status_code, transaction_code, source, purchase_key, previous_status,"
            " previous_status_code)"
            " SELECT t.milestone_id, $2, t.client_email, $3, t.row_number, t.chunk_no, t.kind,"
            " t.occurred_at, t.amount::numeric, t.currency, t.product, t.status,"
            " t.status_code, t.transaction_code, $1, t.purchase_key, t.previous_status,"
            " t.previous_status_code"
            " FROM unnest($4::journey_milestone_input[]) AS t"
            " ON CONFLICT (import_id, row_number) DO NOTHING",
            SOURCE, tenant_id, import_id,
            [milestone_input(import_key, milestone) for milestone in milestones],
        )

    async def record_unchanged_rows(self, import_id: UUID, rows: Sequence[PurchaseRow]) -> None:
        """The rows that record no milestone: a row with one is recorded by it."""
        if not rows:
            return
        await self.conn.execute(
            "INSERT INTO journey_rows (import_id, row_number, chunk_no)"
            " SELECT $1, t.* FROM unnest($2::journey_row_input[]) AS t"
            " ON CONFLICT DO NOTHING",
            import_id, [row_input(r) for r in rows],
        )

    async def chunk_counts(self, end: ChunkEnded) -> ChunkCounts:
        """A row is in exactly one of the two tables: its milestone, or journey_rows."""
        counted = await self.conn.fetchrow(
            f"SELECT (SELECT count(*) FROM milestones WHERE {CHUNK_ROWS}) AS milestones,"
            f" (SELECT count(*) FROM journey_rows WHERE {CHUNK_ROWS}) AS unchanged",
            *chunk_rows(end),
        )
        assert counted is not None
        milestones, unchanged = counted
        return ChunkCounts(rows=milestones + unchanged, milestones=milestones)
