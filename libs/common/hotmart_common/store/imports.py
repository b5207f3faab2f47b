"""Repository of the import record and its row issues (shared along the pipeline)."""

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal
from uuid import UUID

import asyncpg

from ..hotmart_statuses import STATUS_WHEN_MISSING, StatusCode
from .db import Connection

MIGRATIONS = Path(__file__).parent / "migrations"
IssueStatus = Literal["skipped", "failed"]


@dataclass(frozen=True)
class NewImport:
    import_id: UUID
    tenant_id: str
    file_name: str
    object_key: str
    file_format: str
    file_bytes: int
    mapping: dict[str, str]
    preview: dict[str, Any]
    uploaded_at: datetime
    table_key: str | None = None  # the table read at upload, for the parser (workbooks)


@dataclass(frozen=True)
class ImportOptions:
    mapping: dict[str, str]
    duplicate_policy: str = "update"
    default_purchased_at: datetime | None = None
    status_when_missing: StatusCode = STATUS_WHEN_MISSING


@dataclass(frozen=True)
class RowIssue:
    row_number: int
    status: IssueStatus
    code: str
    column: str | None
    message: str
    stage: str


@dataclass(frozen=True)
class Progress:
    chunks_done: int
    clients_created: int
    clients_updated: int
    rows_failed: int
    transactions_new: int
    transactions_changed: int
    transactions_unchanged: int
    total_revenue: Decimal
    lost_revenue: Decimal
    currency: str | None
    revenue_by_currency: dict[str, dict[str, str]]
    waiting_for: dict[str, list[int]] = field(default_factory=dict)
    purchases_without_amount: int = 0


class ImportsRepository:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    async def add(self, new: NewImport) -> None:
        await self.conn.execute(
            "INSERT INTO imports (import_id, tenant_id, file_name, object_key, file_format,"
            " file_bytes, mapping, preview, uploaded_at, table_key)"
            " VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, $8::jsonb, $9, $10)",
            new.import_id, new.tenant_id, new.file_name, new.object_key, new.file_format,
            new.file_bytes, json.dumps(new.mapping), json.dumps(new.preview, default=str),
            new.uploaded_at, new.table_key,
        )

    async def get(self, tenant_id: str, import_id: UUID, *,
                  lock: bool = False) -> asyncpg.Record | None:
        return await self.conn.fetchrow(
            "SELECT * FROM imports WHERE tenant_id = $1 AND import_id = $2"
            + (" FOR UPDATE" if lock else ""),
            tenant_id, import_id,
        )

    async def history(self, tenant_id: str, limit: int, offset: int) -> list[asyncpg.Record]:
        return await self.conn.fetch(
            "SELECT * FROM imports WHERE tenant_id = $1"
            " ORDER BY uploaded_at DESC, import_id LIMIT $2 OFFSET $3",
            tenant_id, limit, offset,
        )

    async def confirm(self, import_id: UUID, options: ImportOptions, at: datetime) -> bool:
        """Moves an uploaded import to processing; False when it was not 'uploaded'."""
        status = await self.conn.fetchval(
            "UPDATE imports SET status = 'processing', mapping = $2::jsonb, confirmed_at = $3,"
            " duplicate_policy = $4, default_purchased_at = $5, status_when_missing = $6"
            " WHERE import_id = $1 AND status = 'uploaded' RETURNING status",
            import_id, json.dumps(options.mapping), at, options.duplicate_policy,
            options.default_purchased_at, options.status_when_missing,
        )
        return status is not None

    async def record_parse(self, import_id: UUID, total_rows: int, chunks_total: int,
                           rows_skipped: int, at: datetime) -> None:
        await self.conn.execute(
            "UPDATE imports SET total_rows = $2, chunks_total = $3, rows_skipped = $4,"
            " parsed_at = COALESCE(parsed_at, $5), last_progress_at = $5 WHERE import_id = $1",
            import_id, total_rows, chunks_total, rows_skipped, at,
        )

    async def mark_rows_published(self, import_id: UUID, at: datetime) -> None:
        await self.conn.execute(
            "UPDATE imports SET rows_published_at = COALESCE(rows_published_at, $2)"
            " WHERE import_id = $1", import_id, at,
        )

    async def fail(self, import_id: UUID, error: str) -> None:
        await self.conn.execute(
            "UPDATE imports SET status = 'failed', error = $2"
            " WHERE import_id = $1 AND status <> 'completed'",
            import_id, error,
        )

    async def record_progress(self, import_id: UUID, progress: Progress) -> None:
        await self.conn.execute(
            "UPDATE imports SET chunks_done = $2, clients_created = $3, clients_updated = $4,"
            " rows_failed = $5, total_revenue = $6, lost_revenue = $7, currency = $8,"
            " revenue_by_currency = $9::jsonb, transactions_new = $10,"
            " transactions_changed = $11, transactions_unchanged = $12, waiting_for = $13::jsonb,"
            " purchases_without_amount = $14,"
            " last_progress_at = CASE WHEN chunks_done IS DISTINCT FROM $2"
            "   OR waiting_for IS DISTINCT FROM $13::jsonb THEN now() ELSE last_progress_at END"
            " WHERE import_id = $1",
            import_id, progress.chunks_done, progress.clients_created, progress.clients_updated,
            progress.rows_failed, progress.total_revenue, progress.lost_revenue,
            progress.currency, json.dumps(progress.revenue_by_currency),
            progress.transactions_new, progress.transactions_changed,
            progress.transactions_unchanged, json.dumps(progress.waiting_for),
            progress.purchases_without_amount,
        )

    async def complete(self, import_id: UUID, at: datetime) -> bool:
        """Completes a processing import; False otherwise (already done, or failed: retry it)."""
        status = await self.conn.fetchval(
            "UPDATE imports SET status = 'completed', completed_at = $2, error = NULL,"
            " waiting_for = NULL WHERE import_id = $1 AND status = 'processing' RETURNING status",
            import_id, at,
        )
        return status is not None

    async def processing(self, limit: int = 100) -> list[asyncpg.Record]:
        """Processing imports no other finalizer is looking at, least recently moved first."""
        return await self.conn.fetch(
            "SELECT * FROM imports WHERE status = 'processing' AND rows_published_at IS NOT NULL"
            " ORDER BY last_progress_at NULLS FIRST LIMIT $1 FOR UPDATE SKIP LOCKED", limit,
        )

    async def count_stalled(self, quiet_for_s: float) -> int:
        count: int = await self.conn.fetchval(
            "SELECT count(*) FROM imports WHERE status = 'processing'"
            " AND last_progress_at < now() - make_interval(secs => $1)", quiet_for_s,
        )
        return count

    async def retry(self, import_id: UUID) -> None:
        """Back to processing, and publish the rows again: consumers skip what they have."""
        await self.conn.execute(
            "UPDATE imports SET status = 'processing', error = NULL, rows_published_at = NULL,"
            " last_progress_at = now(), completed_at = NULL WHERE import_id = $1", import_id,
        )

    async def add_issues(self, import_id: UUID, issues: Sequence[RowIssue]) -> None:
        if not issues:
            return
        await self.conn.execute(
            "INSERT INTO import_row_issues"
            " (import_id, row_number, status, code, column_name, message, stage)"
            " SELECT $1, * FROM unnest($2::int[], $3::text[], $4::text[], $5::text[],"
            " $6::text[], $7::text[]) ON CONFLICT DO NOTHING",
            import_id,
            [i.row_number for i in issues], [i.status for i in issues], [i.code for i in issues],
            [i.column for i in issues], [i.message for i in issues], [i.stage for i in issues],
        )

    async def issues(self, import_id: UUID, *, status: IssueStatus | None = None,
                     limit: int = 20, after_row: int = 0) -> list[RowIssue]:
        rows = await self.conn.fetch(
            "SELECT row_number, status, code, column_name, message, stage FROM import_row_issues"
            " WHERE import_id = $1 AND ($2::text IS NULL OR status = $2) AND row_number > $3"
            " ORDER BY row_number LIMIT $4",
            import_id, status, after_row, limit,
        )
        return [
            RowIssue(r["row_number"], r["status"], r["code"], r["column_name"], r["message"],
                     r["stage"])
            for r in rows
        ]

    async def issue_row_after(self, import_id: UUID, *, status: IssueStatus | None,
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

    async def count_issues(self, import_id: UUID, status: IssueStatus) -> int:
        count: int = await self.conn.fetchval(
            "SELECT count(*) FROM import_row_issues WHERE import_id = $1 AND status = $2",
            import_id, status,
        )
        return count
