"""Parse handler: a confirmed import in, row events and chunk markers out."""

import asyncio
import logging
from datetime import UTC, datetime

from hotmart_common.blobstore import BlobStore
from hotmart_common.events import ImportConfirmed
from hotmart_common.kafka_publisher import EventPublisher
from hotmart_common.metrics import IMPORTS, ROWS_PROCESSED
from hotmart_common.spreadsheet import (
    FileFormat,
    FileProblem,
    NormalisedRows,
    RowKey,
    Table,
    normalise_table,
    read_table,
)
from hotmart_common.spreadsheet.memory import release_memory
from hotmart_common.spreadsheet.stored import StoredTableUnreadable, read_stored_table
from hotmart_common.store import Store
from hotmart_common.store.imports import ImportsRepository
from hotmart_common.topics import IMPORT_ROWS

from .chunks import ParsedImport, split_into_chunks
from .repository import ClientDirectory
from .screening import screen_keys

log = logging.getLogger(__name__)


async def handle_import_confirmed(event: ImportConfirmed, store: Store, blobs: BlobStore,
                                  publisher: EventPublisher, chunk_size: int) -> None:
    async with store.pool.acquire() as conn:
        record = await ImportsRepository(conn).get(event.tenant_id, event.import_id)
    if record is None or record["status"] in ("completed", "failed"):
        log.info("import needs no parsing", extra={"import_id": str(event.import_id)})
        return
    if record["rows_published_at"] is not None:
        log.info("rows already published", extra={"import_id": str(event.import_id)})
        return
    try:
        await _parse(event, record["file_format"], store, blobs, publisher, chunk_size)
    finally:
        release_memory()


async def _parse(event: ImportConfirmed, file_format: FileFormat, store: Store,
                 blobs: BlobStore, publisher: EventPublisher, chunk_size: int) -> None:
    try:
        table = await _table(event, file_format, blobs)
        rows = await asyncio.to_thread(_normalise, event, table)
    except FileProblem as problem:
        await fail_import(store, event, problem.message)
        IMPORTS.labels("failed").inc()
        return
    del table
    keys = rows.keys()
    existing = await _existing_clients(store, event, keys)
    screened = screen_keys(keys, event.mapping, existing)
    del keys
    parsed = split_into_chunks(event.import_id, event.tenant_id, rows, chunk_size, screened,
                               file_name=event.file_name, problems=rows.problems())
    del rows  # the chunks keep it until the last one is built
    await _record(store, event, parsed)
    await _publish(publisher, parsed)
    async with store.pool.acquire() as conn:
        await ImportsRepository(conn).mark_rows_published(event.import_id, datetime.now(UTC))
    ROWS_PROCESSED.labels("parse", "skipped").inc(parsed.issue_count)
    ROWS_PROCESSED.labels("parse", "recorded").inc(parsed.total_rows - parsed.issue_count)
    log.info("import parsed", extra={
        "import_id": str(event.import_id), "rows": parsed.total_rows,
        "skipped": parsed.issue_count, "chunks": parsed.chunks_total,
    })


async def _table(event: ImportConfirmed, file_format: FileFormat, blobs: BlobStore) -> Table:
    """The table the upload read from a workbook, if it kept a usable one; else the file,
    read again."""
    if event.table_key is not None:
        stored = await blobs.find(event.table_key)
        reason = "missing"
        if stored is not None:
            try:
                table = await asyncio.to_thread(read_stored_table, stored, event.file_name,
                                                file_format)
                return _checked(event, table)
            except StoredTableUnreadable as error:
                reason = str(error)
        log.warning("stored table unusable; reading the export itself",
                    extra={"import_id": str(event.import_id), "reason": reason})
    data = await blobs.get(event.object_key)
    # Only the confirmed columns are cleaned and kept: a wide file costs what its mapped
    # columns do, not what all of them would.
    confirmed = list(event.mapping.values())
    return _checked(event, await asyncio.to_thread(read_table, data, event.file_name,
                                                   lambda _: confirmed))


def _checked(event: ImportConfirmed, table: Table) -> Table:
    missing = sorted(set(event.mapping.values()) - set(table.headers))
    if missing:
        raise FileProblem("corrupt_file",
                          f"{event.file_name}: the confirmed columns {missing} are not in the file")
    return table


def _normalise(event: ImportConfirmed, table: Table) -> NormalisedRows:
    # Rows are built chunk by chunk while publishing: all of them at once, as Python
    # objects, weigh several times the file.
    return normalise_table(
        table, event.mapping,  # type: ignore[arg-type]
        default_purchased_at=event.default_purchased_at or event.uploaded_at,
        status_when_missing=event.status_when_missing,
    )


async def _publish(publisher: EventPublisher, parsed: ParsedImport) -> None:
    """Chunk by chunk: a chunk's batch leaves while the next chunk is built, and a partition
    still waiting on the broker holds up no other. Returns once the broker has them all."""
    async with publisher.sending(IMPORT_ROWS) as sender:
        for messages in parsed.chunks:
            await sender.add(messages)
            await asyncio.sleep(0)
        deliveries = await sender.close()
    await asyncio.gather(*deliveries)


async def _existing_clients(store: Store, event: ImportConfirmed,
                            keys: list[RowKey]) -> set[str]:
    if event.duplicate_policy != "skip":
        return set()
    emails = sorted({email for _, email, _ in keys})
    async with store.pool.acquire() as conn:
        return await ClientDirectory(conn).existing_before(event.import_id, event.tenant_id,
                                                           emails)


async def _record(store: Store, event: ImportConfirmed, parsed: ParsedImport) -> None:
    async with store.unit_of_work() as uow:
        imports = ImportsRepository(uow.connection)
        for issues in parsed.issues:  # a batch at a time, in the one transaction
            await imports.add_issues(event.import_id, issues)
        await imports.record_parse(event.import_id, parsed.total_rows, parsed.chunks_total,
                                   parsed.issue_count, datetime.now(UTC))


async def fail_import(store: Store, event: ImportConfirmed, message: str) -> None:
    log.warning("import failed while parsing",
                extra={"import_id": str(event.import_id), "reason": message})
    async with store.unit_of_work() as uow:
        await ImportsRepository(uow.connection).fail(event.import_id, message)
