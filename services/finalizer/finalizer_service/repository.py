"""All SQL of the finalizer: outcomes, row issues and the chunk reports it has received.

The finalizer alone migrates, writes and reads these tables; the upload service reads
outcomes and issues through the read API (``api.py``).
"""

import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal
from uuid import UUID

import asyncpg

from hotmart_common.events import (
    ChunkProcessed,
    ImportConfirmed,
    ImportFailed,
    IssueStatus,
    RowIssue,
)
from hotmart_common.store import Connection

from .progress import (
    SHOWN_OWED,
    AmountSum,
    Owed,
    OwedScan,
    Progress,
    ReportTotals,
    ServiceReports,
)

MIGRATIONS = Path(__file__).parent / "migrations"


@dataclass(frozen=True)
class IssueCounts:
    skipped: int
    failed: int


class ReportRepository:
    """Chunk reports, stored whole (but their ids), the ids they list under each name, and
    the row issues that come with them: a batch is one statement, a settle's read another.

    Nothing here names a service's counter: reports are summed by name in SQL, whatever
    the names, so a new reporting service needs no edit here."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    async def record(self, reports: list[ChunkProcessed],
                     issues: Sequence[tuple[UUID, RowIssue]] = ()) -> None:
        """Stores a batch in one statement, insert-if-absent: each report but its ids and
        issues (kept in tables of their own), the ids each report lists under each name
        (once per import), and the row issues (once per import and row). Triggers add what
        was really inserted to the import's running totals (``report_services``,
        ``report_totals``), so a redelivered report counts once. A name under which a
        report lists ids is stored as a counter of 0, so an import's counts name it even
        when no chunk listed an id."""
        entries = sorted({(r.import_id, name, one) for r in reports
                          for name, ids in r.distinct.items() for one in ids})
        if not reports and not entries and not issues:
            return
        await self.conn.execute(
            "WITH reports AS (INSERT INTO chunk_reports"
            " (import_id, service, chunk_no, chunks_total, report)"
            " SELECT * FROM unnest($1::uuid[], $2::text[], $3::int[], $4::int[], $5::jsonb[])"
            " ON CONFLICT DO NOTHING),"
            " ids AS (INSERT INTO report_ids (import_id, name, id)"
            " SELECT * FROM unnest($6::uuid[], $7::text[], $8::uuid[]) ON CONFLICT DO NOTHING)"
            " INSERT INTO import_row_issues"
            " (import_id, row_number, status, code, column_name, message, stage)"
            " SELECT * FROM unnest($9::uuid[], $10::int[], $11::text[], $12::text[],"
            " $13::text[], $14::text[], $15::text[]) ORDER BY 1, 2 ON CONFLICT DO NOTHING",
            [r.import_id for r in reports], [r.service for r in reports],
            [r.chunk_no for r in reports], [r.chunks_total for r in reports],
            [_stored(r) for r in reports],
            [e[0] for e in entries], [e[1] for e in entries], [e[2] for e in entries],
            [i for i, _ in issues], [x.row_number for _, x in issues],
            [x.status for _, x in issues], [x.code for _, x in issues],
            [x.column for _, x in issues], [x.message for _, x in issues],
            [x.stage for _, x in issues],
        )

    async def totals(self, import_id: UUID) -> ReportTotals:
        return (await self.totals_and_issues(import_id))[0]

    async def totals_and_issues(self, import_id: UUID) -> tuple[ReportTotals, IssueCounts]:
        """The import's running totals (kept by triggers as reports and issues arrive), so
        a settle reads a few rows whatever the import's size: one statement whatever the
        number of reports, services or counters."""
        rows = await self.conn.fetch(_TOTALS, import_id)
        services = [r for r in rows if r["kind"] == "service"]
        totals: dict[str, dict[tuple[str, str], Any]] = {
            "count": {}, "distinct": {}, "amount": {}, "issues": {}}
        for row in rows:
            if row["kind"] != "service":
                totals[row["kind"]][row["name"], row["currency"]] = row["value"]
        issues = {name: int(value) for (name, _), value in totals["issues"].items()}
        return ReportTotals(
            by_service={r["name"]: ServiceReports(
                reported=r["reported"], last_chunk=r["last_chunk"],
                chunks_total=r["chunks_total"], total_rows=r["total_rows"],
            ) for r in services},
            counts={name: int(value) for (name, _), value in totals["count"].items()},
            distinct={name: int(value) for (name, _), value in totals["distinct"].items()},
            amounts=[AmountSum(name, currency, value)
                     for (name, currency), value in totals["amount"].items()],
        ), IssueCounts(skipped=issues.get("skipped", 0), failed=issues.get("failed", 0))

    async def owed(self, import_id: UUID, scans: Sequence[OwedScan]) -> dict[str, list[int]]:
        """The chunks each service owes within its window (``owed_scans``), the first
        ``SHOWN_OWED`` in order: index probes over the window, never the whole import."""
        if not scans:
            return {}
        rows = await self.conn.fetch(
            "SELECT w.service, ARRAY(SELECT chunk FROM generate_series(w.first, w.stop - 1)"
            "   AS chunk WHERE NOT EXISTS (SELECT 1 FROM chunk_reports r"
            "   WHERE r.import_id = $1 AND r.service = w.service AND r.chunk_no = chunk)"
            "   ORDER BY chunk LIMIT $5) AS owed"
            " FROM unnest($2::text[], $3::int[], $4::int[]) AS w(service, first, stop)",
            import_id, [s.service for s in scans], [s.first for s in scans],
            [s.stop for s in scans], SHOWN_OWED,
        )
        return {row["service"]: list(row["owed"]) for row in rows if row["owed"]}


# Per-service chunk counts and every running total, in one round trip.
_TOTALS = (
    "SELECT 'service' AS kind, service AS name, NULL::text AS currency, NULL::numeric AS value,"
    " reported, last_chunk, chunks_total, total_rows"
    " FROM report_services WHERE import_id = $1"
    " UNION ALL SELECT kind, name, currency, value, NULL, NULL, NULL, NULL"
    " FROM report_totals WHERE import_id = $1"
)


def _stored(report: ChunkProcessed) -> str:
    if report.distinct:
        report = report.model_copy(update={"counts": {**dict.fromkeys(report.distinct, 0),
                                                      **report.counts}})
    return report.model_dump_json(exclude={"distinct", "issues"})


OutcomeStatus = Literal["processing", "completed", "failed"]


@dataclass(frozen=True)
class Outcome:
    """What became of one confirmed import: its progress, then its summary or its error."""

    import_id: UUID
    tenant_id: str
    attempt: int
    status: OutcomeStatus
    uploaded_at: datetime | None
    confirmed_at: datetime | None
    completed_at: datetime | None
    total_rows: int | None
    chunks_total: int | None
    chunks_done: int
    rows_skipped: int
    rows_failed: int
    counts: dict[str, int]
    total_revenue: Decimal
    lost_revenue: Decimal
    currency: str | None
    revenue_by_currency: dict[str, dict[str, str]]
    waiting_for: dict[str, Owed] | None
    last_progress_at: datetime | None
    error: str | None

    @classmethod
    def of(cls, row: asyncpg.Record) -> "Outcome":
        fields: dict[str, Any] = dict(row)
        fields["revenue_by_currency"] = json.loads(row["revenue_by_currency"])
        fields["counts"] = json.loads(row["counts"])
        fields["waiting_for"] = (None if row["waiting_for"] is None else {
            service: Owed(**owed) for service, owed in json.loads(row["waiting_for"]).items()})
        return cls(**fields)


_OUTCOME_COLUMNS = (
    "import_id, tenant_id, attempt, status, uploaded_at, confirmed_at, completed_at,"
    " total_rows, chunks_total, chunks_done, rows_skipped, rows_failed, counts,"
    " total_revenue, lost_revenue, currency, revenue_by_currency, waiting_for,"
    " last_progress_at, error")


class OutcomeRepository:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    async def open(self, event: ImportConfirmed) -> None:
        """Records a confirm: a new outcome is processing; a higher attempt (a retry) moves
        a failed one back to processing. A replayed confirm changes nothing."""
        await self.conn.execute(
            "INSERT INTO import_outcomes AS o (import_id, tenant_id, attempt, status,"
            " uploaded_at, confirmed_at, last_progress_at)"
            " VALUES ($1, $2, $3, 'processing', $4, now(), now())"
            " ON CONFLICT (import_id) DO UPDATE SET"
            " uploaded_at = coalesce(o.uploaded_at, EXCLUDED.uploaded_at),"
            " confirmed_at = coalesce(o.confirmed_at, EXCLUDED.confirmed_at),"
            " attempt = greatest(o.attempt, EXCLUDED.attempt),"
            " status = CASE WHEN EXCLUDED.attempt > o.attempt AND o.status = 'failed'"
            "   THEN 'processing' ELSE o.status END,"
            " error = CASE WHEN EXCLUDED.attempt > o.attempt AND o.status = 'failed'"
            "   THEN NULL ELSE o.error END,"
            " last_progress_at = CASE WHEN EXCLUDED.attempt > o.attempt"
            "   THEN now() ELSE o.last_progress_at END"
            " WHERE o.tenant_id = EXCLUDED.tenant_id",
            event.import_id, event.tenant_id, event.attempt, event.uploaded_at,
        )

    async def fail_attempt(self, event: ImportFailed) -> None:
        """Fails the import for the attempt that failed (a later attempt is left alone)."""
        await self.conn.execute(
            "INSERT INTO import_outcomes AS o (import_id, tenant_id, attempt, status, error,"
            " last_progress_at) VALUES ($1, $2, $3, 'failed', $4, now())"
            " ON CONFLICT (import_id) DO UPDATE SET status = 'failed', error = EXCLUDED.error,"
            " attempt = EXCLUDED.attempt"
            " WHERE o.tenant_id = EXCLUDED.tenant_id AND o.status <> 'completed'"
            " AND o.attempt <= EXCLUDED.attempt",
            event.import_id, event.tenant_id, event.attempt, event.reason,
        )

    async def get(self, tenant_id: str, import_id: UUID, *, lock: bool = False) -> Outcome | None:
        row = await self.conn.fetchrow(
            f"SELECT {_OUTCOME_COLUMNS} FROM import_outcomes"
            " WHERE tenant_id = $1 AND import_id = $2" + (" FOR UPDATE" if lock else ""),
            tenant_id, import_id,
        )
        return None if row is None else Outcome.of(row)

    async def get_many(self, tenant_id: str, import_ids: Sequence[UUID]) -> list[Outcome]:
        rows = await self.conn.fetch(
            f"SELECT {_OUTCOME_COLUMNS} FROM import_outcomes"
            " WHERE tenant_id = $1 AND import_id = ANY($2::uuid[]) ORDER BY import_id",
            tenant_id, list(import_ids),
        )
        return [Outcome.of(row) for row in rows]

    async def record_progress(self, import_id: UUID, progress: Progress) -> None:
        await self.conn.execute(
            "UPDATE import_outcomes SET chunks_done = $2, counts = $3::jsonb,"
            " rows_failed = $4, total_revenue = $5, lost_revenue = $6,"
            " currency = $7, revenue_by_currency = $8::jsonb,"
            " waiting_for = $9::jsonb, rows_skipped = $10, total_rows = $11,"
            " chunks_total = $12,"
            " last_progress_at = CASE WHEN chunks_done IS DISTINCT FROM $2"
            "   OR waiting_for IS DISTINCT FROM $9::jsonb THEN now() ELSE last_progress_at END"
            " WHERE import_id = $1",
            import_id, progress.chunks_done, json.dumps(progress.counts),
            progress.rows_failed, progress.total_revenue, progress.lost_revenue,
            progress.currency, json.dumps(progress.revenue_by_currency),
            json.dumps({service: asdict(owed) for service, owed in progress.waiting_for.items()}),
            progress.rows_skipped, progress.total_rows, progress.chunks_total,
        )

    async def complete(self, import_id: UUID, at: datetime) -> bool:
        """Completes a processing import; False otherwise (already done, or failed: retry it)."""
        status = await self.conn.fetchval(
            "UPDATE import_outcomes SET status = 'completed', completed_at = $2, error = NULL,"
            " waiting_for = NULL WHERE import_id = $1 AND status = 'processing'"
            " RETURNING status",
            import_id, at,
        )
        return status is not None

    async def fail(self, import_id: UUID, error: str) -> None:
        await self.conn.execute(
            "UPDATE import_outcomes SET status = 'failed', error = $2"
            " WHERE import_id = $1 AND status <> 'completed'",
            import_id, error,
        )

    async def processing(self, limit: int = 100) -> list[Outcome]:
        """Processing imports no other finalizer is looking at, least recently moved first."""
        rows = await self.conn.fetch(
            f"SELECT {_OUTCOME_COLUMNS} FROM import_outcomes WHERE status = 'processing'"
            " ORDER BY last_progress_at NULLS FIRST LIMIT $1 FOR UPDATE SKIP LOCKED", limit,
        )
        return [Outcome.of(row) for row in rows]

    async def count_stalled(self, quiet_for_s: float) -> int:
        count: int = await self.conn.fetchval(
            "SELECT count(*) FROM import_outcomes WHERE status = 'processing'"
            " AND last_progress_at < now() - make_interval(secs => $1)", quiet_for_s,
        )
        return count


class IssueRepository:
    """The import's row issues, a page at a time (``ReportRepository.record`` stores them,
    once per (import, row) whoever reports them)."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    async def page(self, import_id: UUID, *, status: IssueStatus | None = None,
                   limit: int = 20, after_row: int = 0) -> list[RowIssue]:
        rows = await self.conn.fetch(
            "SELECT row_number, status, code, column_name, message, stage FROM import_row_issues"
            " WHERE import_id = $1 AND ($2::text IS NULL OR status = $2) AND row_number > $3"
            " ORDER BY row_number LIMIT $4",
            import_id, status, after_row, limit,
        )
        return [RowIssue(row_number=r["row_number"], status=r["status"], code=r["code"],
                         column=r["column_name"], message=r["message"], stage=r["stage"])
                for r in rows]

    async def row_after(self, import_id: UUID, *, status: IssueStatus | None,
                        after_row: int, skipping: int) -> int | None:
        """The row of the issue that follows the first ``skipping`` issues after
        ``after_row``: where the next page of that many starts, None when none is left."""
        row_number: int | None = await self.conn.fetchval(
            "SELECT row_number FROM import_row_issues"
            " WHERE import_id = $1 AND ($2::text IS NULL OR status = $2) AND row_number > $3"
            " ORDER BY row_number OFFSET $4 LIMIT 1",
            import_id, status, after_row, skipping,
        )
        return row_number
