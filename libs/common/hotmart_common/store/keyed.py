"""The idempotency lookup every consumer makes, and how it finds a chunk's rows, written once.

The lookup probes its table one key at a time (a LATERAL subquery with OFFSET 0 cannot be
turned into a join): the planner would otherwise hash or merge the batch's keys against a
scan of the whole import while the table's statistics still describe it as nearly empty,
during the first batches of a big import; that scan grows with the table, so each batch of
an import would cost more than the one before.
For the same reason no other index of these tables leads with import_id: with statistics
older than the import, such an index ties with the key and may be chosen instead.
Purchases need no lookup: the upsert that saves them checks each key in the table's unique
index, whatever the statistics say (see ``hotmart_common.store.purchase_upserts``).
"""

from collections.abc import Sequence
from uuid import UUID

from ..events import ChunkEnded
from .db import Connection

# The rows of one chunk, in a table keyed (import_id, row_number): a range of the key, as a
# chunk is a run of consecutive rows of its import. chunk_no only confirms it, so no index by
# chunk has to be kept up on every row written. A marker without the range (an empty
# chunk) finds its rows, none, by chunk_no over the whole import's rows.
CHUNK_ROWS = "import_id = $1 AND row_number BETWEEN $2 AND $3 AND chunk_no = $4"
_WHOLE_IMPORT = (0, 2**31 - 1)


def chunk_rows(end: ChunkEnded) -> tuple[UUID, int, int, int]:
    """The arguments of ``CHUNK_ROWS`` for the chunk that ``end`` closes."""
    first, last = end.first_row_number, end.last_row_number
    if first is None or last is None:
        first, last = _WHOLE_IMPORT
    return end.import_id, first, last, end.chunk_no


def recorded_rows_sql(*tables: str) -> str:
    """Rows ``$2::int[]`` of import ``$1`` that any of ``tables`` holds, probed one by one."""
    return " UNION ALL ".join(
        "SELECT t.row_number FROM unnest($2::int[]) AS r(row_number)"
        f" CROSS JOIN LATERAL (SELECT row_number FROM {table} t"
        "   WHERE t.import_id = $1 AND t.row_number = r.row_number OFFSET 0) t"
        for table in tables)


async def recorded_rows(conn: Connection, import_id: UUID, row_numbers: Sequence[int],
                        *tables: str) -> set[int]:
    """Which of these rows of the import are already recorded, in any of ``tables`` (each
    keyed import_id, row_number)."""
    rows = await conn.fetch(recorded_rows_sql(*tables), import_id, list(row_numbers))
    return {r["row_number"] for r in rows}
