"""All SQL of the upload service: the intake record of each import (``imports``)."""

import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Literal
from uuid import UUID

import asyncpg

from hotmart_common.events import DuplicatePolicy, ImportSource
from hotmart_common.hotmart_statuses import STATUS_WHEN_MISSING, StatusCode
from hotmart_common.spreadsheet import FileFormat
from hotmart_common.store import Connection

MIGRATIONS = Path(__file__).parent / "migrations"
IntakeStatus = Literal["uploaded", "confirmed"]


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
    source: ImportSource = "file"


@dataclass(frozen=True)
class ImportOptions:
    mapping: dict[str, str]
    duplicate_policy: DuplicatePolicy = "update"
    default_purchased_at: datetime | None = None
    status_when_missing: StatusCode = STATUS_WHEN_MISSING


@dataclass(frozen=True)
class ImportRecord:
    """What was asked: the import's source, file, mapping and options."""

    import_id: UUID
    tenant_id: str
    source: ImportSource
    file_name: str | None
    object_key: str | None
    file_format: FileFormat | None
    file_bytes: int | None
    table_key: str | None
    mapping: dict[str, str]
    preview: dict[str, Any]
    uploaded_at: datetime
    status: IntakeStatus
    confirmed_at: datetime | None
    duplicate_policy: DuplicatePolicy
    default_purchased_at: datetime | None
    status_when_missing: StatusCode
    attempt: int

    @classmethod
    def of(cls, row: asyncpg.Record) -> "ImportRecord":
        fields: dict[str, Any] = dict(row)
        fields["mapping"] = json.loads(row["mapping"])
        fields["preview"] = json.loads(row["preview"])
        return cls(**fields)

    @property
    def options(self) -> ImportOptions:
        return ImportOptions(self.mapping, self.duplicate_policy, self.default_purchased_at,
                             self.status_when_missing)


_COLUMNS = ("import_id, tenant_id, source, file_name, object_key, file_format, file_bytes,"
            " table_key, mapping, preview, uploaded_at, status, confirmed_at, duplicate_policy,"
            " default_purchased_at, status_when_missing, attempt")


class ImportsRepository:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    async def add(self, new: NewImport) -> None:
        await self.conn.execute(
            "INSERT INTO imports (import_id, tenant_id, source, file_name, object_key,"
            " file_format, file_bytes, mapping, preview, uploaded_at, table_key)"
            " VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb, $9::jsonb, $10, $11)",
            new.import_id, new.tenant_id, new.source, new.file_name, new.object_key,
            new.file_format, new.file_bytes, json.dumps(new.mapping),
            json.dumps(new.preview, default=str), new.uploaded_at, new.table_key,
        )

    async def get(self, tenant_id: str, import_id: UUID, *,
                  lock: bool = False) -> ImportRecord | None:
        row = await self.conn.fetchrow(
            f"SELECT {_COLUMNS} FROM imports WHERE tenant_id = $1 AND import_id = $2"
            + (" FOR UPDATE" if lock else ""),
            tenant_id, import_id,
        )
        return None if row is None else ImportRecord.of(row)

    async def history(self, tenant_id: str, limit: int, offset: int) -> list[ImportRecord]:
        rows = await self.conn.fetch(
            f"SELECT {_COLUMNS} FROM imports WHERE tenant_id = $1"
            " ORDER BY uploaded_at DESC, import_id LIMIT $2 OFFSET $3",
            tenant_id, limit, offset,
        )
        return [ImportRecord.of(row) for row in rows]

    async def confirm(self, import_id: UUID, options: ImportOptions, at: datetime) -> bool:
        """Confirms an uploaded import; False when it was not 'uploaded'."""
        status = await self.conn.fetchval(
            "UPDATE imports SET status = 'confirmed', mapping = $2::jsonb, confirmed_at = $3,"
            " duplicate_policy = $4, default_purchased_at = $5, status_when_missing = $6"
            " WHERE import_id = $1 AND status = 'uploaded' RETURNING status",
            import_id, json.dumps(options.mapping), at, options.duplicate_policy,
            options.default_purchased_at, options.status_when_missing,
        )
        return status is not None

    async def next_attempt(self, import_id: UUID) -> int:
        """One more attempt (a retry); returns its number."""
        attempt: int = await self.conn.fetchval(
            "UPDATE imports SET attempt = attempt + 1 WHERE import_id = $1 RETURNING attempt",
            import_id,
        )
        return attempt
