"""Parse handler: a confirmed import in, row events and chunk markers out."""

import asyncio
import logging
from datetime import UTC, datetime
from typing import Any

from hotmart_common.blobstore import BlobStore
from hotmart_common.events import ImportConfirmed
from hotmart_common.kafka import EventPublisher
from hotmart_common.metrics import IMPORTS, ROWS_PROCESSED
from hotmart_common.spreadsheet import FileProblem, NormalisedRow, normalise_rows, read_table
from hotmart_common.store import Store
from hotmart_common.store.imports import ImportsRepository
from hotmart_common.topics import IMPORT_ROWS

from .chunks import ParsedImport, Result, split_into_chunks
from .repository import ClientDirectory
from .screening import screen_rows

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
        data = await blobs.get(event.object_key)
        results = await asyncio.to_thread(_read, event, data)
    except FileProblem as problem:
        await fail_import(store, event, problem.message)
        IMPORTS.labels("failed").inc()
        return
    existing = await _existing_clients(store, event, results)
    screened = screen_rows([r for r in results if isinstance(r, NormalisedRow)], event.mapping,
                           existing)
    parsed = split_into_chunks(event.import_id, event.tenant_id, results, chunk_size, screened)
    await _record(store, event, parsed)
    await _publish(publisher, parsed)
    async with store.pool.acquire() as conn:
        await ImportsRepository(conn).mark_rows_published(event.import_id, datetime.now(UTC))
    ROWS_PROCESSED.labels("parse", "skipped").inc(len(parsed.issues))
    ROWS_PROCESSED.labels("parse", "recorded").inc(parsed.total_rows - len(parsed.issues))
    log.info("import parsed", extra={
        "import_id": str(event.import_id), "rows": parsed.total_rows,
        "skipped": len(parsed.issues), "chunks": parsed.chunks_total,
    })


def _read(event: ImportConfirmed, data: bytes) -> list[Result]:
    table = read_table(data, event.file_name)
    missing = sorted(set(event.mapping.values()) - set(table.headers))
    if missing:
        raise FileProblem("corrupt_file",
                          f"{event.file_name}: the confirmed columns {missing} are not in the file")
    return list(normalise_rows(
        table, event.mapping,  # type: ignore[arg-type]
        default_purchased_at=event.default_purchased_at or event.uploaded_at,
    ))


async def _publish(publisher: EventPublisher, parsed: ParsedImport) -> None:
    """Chunk by chunk, handing the loop to the producer in between: consumers start on the
    first chunk while the last ones are still being built."""
    deliveries: list[asyncio.Future[Any]] = []
    for messages in parsed.chunks:
        deliveries += await publisher.send_raw(IMPORT_ROWS, messages)
        await asyncio.sleep(0)
    await asyncio.gather(*deliveries)


async def _existing_clients(store: Store, event: ImportConfirmed,
                            results: list[Result]) -> set[str]:
    if event.duplicate_policy != "skip":
        return set()
    emails = sorted({r.email for r in results if isinstance(r, NormalisedRow)})
    async with store.pool.acquire() as conn:
        return await ClientDirectory(conn).existing_before(event.import_id, event.tenant_id,
                                                           emails)


async def _record(store: Store, event: ImportConfirmed, parsed: ParsedImport) -> None:
    async with store.unit_of_work() as uow:
        imports = ImportsRepository(uow.connection)
        await imports.add_issues(event.import_id, parsed.issues)
        await imports.record_parse(event.import_id, parsed.total_rows, parsed.chunks_total,
                                   len(parsed.issues), datetime.now(UTC))


async def fail_import(store: Store, event: ImportConfirmed, message: str) -> None:
    log.warning("import failed while parsing",
                extra={"import_id": str(event.import_id), "reason": message})
    async with store.unit_of_work() as uow:
        await ImportsRepository(uow.connection).fail(event.import_id, message)
