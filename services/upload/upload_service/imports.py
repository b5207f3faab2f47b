"""Use cases of the upload service: accept an export, confirm it."""

import asyncio
import dataclasses
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, get_args
from uuid import UUID, uuid4
from zoneinfo import ZoneInfo

import polars as pl

from hotmart_common.blobstore import BlobStore, stored_table_key, upload_key
from hotmart_common.events import DuplicatePolicy, ImportConfirmed, stable_event_id
from hotmart_common.hotmart_statuses import STATUS_WHEN_MISSING, StatusCode, status_code
from hotmart_common.money import money_text
from hotmart_common.spreadsheet import (
    HEADER_VARIANTS,
    MAX_FILE_BYTES,
    ColumnMapping,
    Field,
    FileProblem,
    NormalisedRow,
    RowProblem,
    Table,
    detect_columns,
    normalise_rows,
    read_table,
    require_email_column,
)
from hotmart_common.spreadsheet.sniff import looks_like_workbook
from hotmart_common.spreadsheet.stored import (
    STORED_TABLE_CONTENT_TYPE,
    STORED_TABLE_VERSION,
    keeps_stored_table,
    stored_table_bytes,
)
from hotmart_common.store import Store, UnitOfWork
from hotmart_common.topics import IMPORT_CONFIRMED

from .readers import WorkbookReaders
from .repository import ImportOptions, ImportRecord, ImportsRepository, NewImport

CONTENT_TYPES = {
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "xls": "application/vnd.ms-excel",
}
KNOWN_FIELDS: frozenset[str] = frozenset(get_args(Field))
SAO_PAULO = ZoneInfo("America/Sao_Paulo")
# The public status of a confirmed import, from the finalizer's outcome (asked only when
# needed: a first confirm does not wait for it).
StatusOfConfirmed = Callable[[ImportRecord], Awaitable[str]]


class InvalidMapping(ValueError):
    pass


class NotConfirmable(ValueError):
    pass


def safe_file_name(name: str | None) -> str:
    base = re.split(r"[\\/]", name or "")[-1]
    cleaned = re.sub(r"[^\w.\- ()]+", "_", base).strip(" .")
    return cleaned[:200] or "export"


async def accept_upload(store: Store, blobs: BlobStore, readers: WorkbookReaders, tenant_id: str,
                        data: bytes, file_name: str, preview_rows: int) -> UUID:
    if len(data) > MAX_FILE_BYTES:  # the caller reads one byte past the limit, no more
        raise FileProblem("too_large", f"'{file_name}' is larger than 10 MB, the most an "
                                       "import accepts. Split it and import each part.")
    table = await _read(readers, data, file_name)
    mapping = detect_columns(table.headers)
    require_email_column(mapping, table)
    uploaded_at = datetime.now(UTC)
    import_id = uuid4()
    key = upload_key(tenant_id, import_id, file_name)
    table_key = await _store(blobs, key, data, table, tenant_id, import_id)
    async with store.unit_of_work() as uow:
        await ImportsRepository(uow.connection).add(NewImport(
            import_id=import_id, tenant_id=tenant_id, file_name=file_name, object_key=key,
            file_format=table.format, file_bytes=len(data),
            mapping={str(field): column for field, column in mapping.sources().items()},
            preview=build_preview(table, mapping, uploaded_at, preview_rows),
            uploaded_at=uploaded_at, table_key=table_key,
        ))
    return import_id


async def _read(readers: WorkbookReaders, data: bytes, file_name: str) -> Table:
    # Even telling which format a workbook is reads its ZIP directory, so that too is done
    # on a reader. A CSV is read in-process in a fraction of the time a workbook's child
    # process takes, so it never waits for one.
    if looks_like_workbook(data):
        # A workbook's table is kept for the parser, which may be confirmed with any column.
        return await readers.run(read_table, data, file_name)
    # The preview shows every header but the cells of the detected columns only: the parser
    # reads a CSV again with the confirmed mapping.
    return await asyncio.to_thread(read_table, data, file_name, _detected_sources)


def _detected_sources(headers: list[str]) -> list[str]:
    return list(detect_columns(headers).sources().values())


async def _store(blobs: BlobStore, key: str, data: bytes, table: Table, tenant_id: str,
                 import_id: UUID) -> str | None:
    """Puts the export, and beside a workbook the table just read from it, which spares the
    parser reading the workbook again. Returns the table's key, if one was kept."""
    objects = [(key, data, CONTENT_TYPES[table.format])]
    table_key = None
    if keeps_stored_table(table.format):
        table_key = stored_table_key(tenant_id, import_id, STORED_TABLE_VERSION)
        stored = await asyncio.to_thread(stored_table_bytes, table)
        objects.append((table_key, stored, STORED_TABLE_CONTENT_TYPE))
    await asyncio.gather(*(blobs.put(*stored_object) for stored_object in objects))
    return table_key


def build_preview(table: Table, mapping: ColumnMapping, uploaded_at: datetime,
                  rows: int) -> dict[str, Any]:
    head = dataclasses.replace(table, frame=table.frame.head(rows))
    sample = list(normalise_rows(head, mapping.sources(), default_purchased_at=uploaded_at))
    return {
        "format": table.format,
        "headers": table.headers,
        "data_rows": table.frame.height,
        "columns": [
            {"field": column.field, "source": column.source, "variant": column.variant,
             "match": column.match}
            for column in mapping.columns.values()
        ],
        "unused_columns": mapping.unused,
        "rows": [_preview_row(result) for result in sample],
        "warnings": _warnings(table, mapping),
    }


def _preview_row(result: NormalisedRow | RowProblem) -> dict[str, Any]:
    if isinstance(result, RowProblem):
        return {"row_number": result.row_number,
                "problem": {"code": result.code, "column": result.column,
                            "message": result.message}}
    values = result._asdict()
    return {key: _json_value(value) for key, value in values.items()}


def _json_value(value: object) -> object:
    if isinstance(value, Decimal):
        return money_text(value)
    if isinstance(value, datetime):
        return value.isoformat()
    return value


def _warnings(table: Table, mapping: ColumnMapping) -> list[str]:
    warnings = [
        f"the {tie.field} column is ambiguous: {_quoted_or(tie.sources)} match it equally "
        "well and neither exactly, so it is left unmapped; name the one to use at confirm"
        for tie in mapping.ambiguous.values()
    ]
    if "status" not in mapping.columns:
        warnings.append("No status column: purchases will be recorded as pending unless you "
                        "choose a status at confirm (status_when_missing)")
    else:
        unknown = _unknown_statuses(table.frame[mapping.columns["status"].source])
        if unknown:
            count = sum(unknown.values())
            examples = ", ".join(f"'{text}'" for text in sorted(unknown)[:5])
            warnings.append(f"{count} rows have an unknown status ({examples}), not one of "
                            "Hotmart's: they are imported with no status code, as pending")
    blank_emails = table.frame[mapping.columns["email"].source].null_count()
    if blank_emails:
        warnings.append(f"{blank_emails} rows have no e-mail and will be skipped")
    if "amount" not in mapping.columns:
        warnings.append(f"No amount column was found (field 'amount'; looked for headers such "
                        f"as {_variants('amount')}): purchases are recorded without an amount "
                        "and count in no revenue")
    if "purchased_at" not in mapping.columns:
        warnings.append("no date column: purchases are dated at the upload time")
    return warnings


def _quoted_or(names: tuple[str, ...]) -> str:
    quoted = [f"'{name}'" for name in names]
    return ", ".join(quoted[:-1]) + f" and {quoted[-1]}"


def _unknown_statuses(column: pl.Series) -> dict[str, int]:
    counts = column.drop_nulls().value_counts()
    return {text: count for text, count in counts.iter_rows() if status_code(text) is None}


def _variants(field: Field, shown: int = 3) -> str:
    return ", ".join(f"'{variant}'" for variant in HEADER_VARIANTS[field][:shown])


def checked_mapping(override: dict[str, str], headers: list[str]) -> dict[str, str]:
    unknown_fields = sorted(set(override) - KNOWN_FIELDS)
    if unknown_fields:
        raise InvalidMapping(f"unknown fields {unknown_fields}; known: {sorted(KNOWN_FIELDS)}")
    missing = sorted(column for column in override.values() if column not in headers)
    if missing:
        raise InvalidMapping(f"columns not in the file: {missing}; the file has: {headers}")
    if "email" not in override:
        raise InvalidMapping("the mapping needs an email column")
    if len(set(override.values())) != len(override):
        raise InvalidMapping("a column can feed only one field")
    return override


@dataclass(frozen=True)
class Confirmation:
    """What a confirm asks for; None is "not given": the detected mapping, policy 'update',
    the upload time, and, on a repeated confirm, nothing to compare."""

    mapping: dict[str, str] | None = None
    duplicate_policy: DuplicatePolicy | None = None
    default_purchased_at: datetime | None = None
    status_when_missing: StatusCode | None = None


async def confirm_import(store: Store, tenant_id: str, import_id: UUID,
                         confirmation: Confirmation, status_of: StatusOfConfirmed) -> None:
    """Publishes ``import.confirmed`` after the confirm commits.

    Confirming an import that is already processing publishes the same event again (same
    id): that recovers an event lost by a crash between the commit and the publish, and the
    parser ignores what it has already done. Asking for other options than the first
    confirm did is refused (NotConfirmable), never silently ignored, and so is confirming
    an import that has completed or failed.
    """
    async with store.unit_of_work() as uow:
        imports = ImportsRepository(uow.connection)
        record = await _locked_import(imports, tenant_id, import_id)
        if record.status == "uploaded":
            options = ImportOptions(
                mapping=(checked_mapping(confirmation.mapping, _headers(record))
                         if confirmation.mapping else record.mapping),
                duplicate_policy=confirmation.duplicate_policy or "update",
                default_purchased_at=_aware(confirmation.default_purchased_at),
                status_when_missing=confirmation.status_when_missing or STATUS_WHEN_MISSING,
            )
            await imports.confirm(import_id, options, datetime.now(UTC))
        else:
            options = record.options
            _require_same_options(import_id, confirmation, options)
            status = await status_of(record)
            if status != "processing":
                raise NotConfirmable(f"import {import_id} is already {status}")
        _publish_confirmed(uow, record, options)


def _require_same_options(import_id: UUID, asked: Confirmation,
                          confirmed: ImportOptions) -> None:
    differing = [name for name, given, stored in (
        ("mapping", asked.mapping, confirmed.mapping),
        ("duplicate_policy", asked.duplicate_policy, confirmed.duplicate_policy),
        ("default_purchase_date", _aware(asked.default_purchased_at),
         confirmed.default_purchased_at),
        ("status_when_missing", asked.status_when_missing, confirmed.status_when_missing),
    ) if given is not None and given != stored]
    if differing:
        raise NotConfirmable(f"import {import_id} was confirmed with another "
                             f"{', '.join(differing)}: a confirm cannot change it")


async def retry_import(store: Store, tenant_id: str, import_id: UUID,
                       status_of: StatusOfConfirmed) -> None:
    """Resumes a failed import: one more attempt, whose rows go out again; consumers skip
    what they have, and the finalizer moves the import back to processing."""
    async with store.unit_of_work() as uow:
        imports = ImportsRepository(uow.connection)
        record = await _locked_import(imports, tenant_id, import_id)
        status = "uploaded" if record.status == "uploaded" else await status_of(record)
        if status != "failed":
            raise NotConfirmable(f"import {import_id} is {status}: nothing to retry")
        attempt = await imports.next_attempt(import_id)
        _publish_confirmed(uow, dataclasses.replace(record, attempt=attempt), record.options)


async def _locked_import(imports: ImportsRepository, tenant_id: str,
                         import_id: UUID) -> ImportRecord:
    record = await imports.get(tenant_id, import_id, lock=True)
    if record is None:
        raise LookupError(import_id)
    return record


def _publish_confirmed(uow: UnitOfWork, record: ImportRecord, options: ImportOptions) -> None:
    """One event per attempt, with a stable id: a repeated confirm sends the same one."""
    import_id = record.import_id
    assert record.object_key is not None and record.file_name is not None  # a file's import
    uow.publish_after_commit(IMPORT_CONFIRMED, ImportConfirmed(
        event_id=stable_event_id(import_id, "confirmed", record.attempt),
        tenant_id=record.tenant_id,
        import_id=import_id,
        object_key=record.object_key,
        file_name=record.file_name,
        mapping=options.mapping,
        uploaded_at=record.uploaded_at,
        default_purchased_at=options.default_purchased_at,
        duplicate_policy=options.duplicate_policy,
        table_key=record.table_key,
        file_format=record.file_format,
        source=record.source,
        attempt=record.attempt,
        status_when_missing=options.status_when_missing,
    ), key=str(import_id).encode())


def _aware(moment: datetime | None) -> datetime | None:
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=SAO_PAULO)


def _headers(record: ImportRecord) -> list[str]:
    headers: list[str] = record.preview["headers"]
    return headers


__all__ = ["Confirmation", "FileProblem", "InvalidMapping", "NotConfirmable", "accept_upload",
           "confirm_import"]
