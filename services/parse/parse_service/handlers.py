"""Parse handler: a confirmed import in; row events and chunk markers out, then parse's
report of each chunk (with the rows it skipped) to the finalizer, or the import's failure."""

import asyncio
import logging
from datetime import UTC, datetime

from hotmart_common.blobstore import BlobStore
from hotmart_common.events import (
    ChunkProcessed,
    ImportConfirmed,
    ImportFailed,
    event_json,
    stable_event_id,
)
from hotmart_common.kafka_publisher import EventPublisher
from hotmart_common.metrics import IMPORTS, ROWS_PROCESSED
from hotmart_common.spreadsheet import (
    FileProblem,
    NormalisedRows,
    RowKey,
    Table,
    normalise_table,
    read_table,
)
from hotmart_common.spreadsheet.memory import release_memory
from hotmart_common.spreadsheet.stored import StoredTableUnreadable, read_stored_table
from hotmart_common.store import Outgoing, Store
from hotmart_common.topics import CHUNK_DONE, IMPORT_ROWS

from .chunks import ParsedImport, split_into_chunks
from .clients import MatcherClients
from .repository import ParseRuns
from .screening import screen_keys

log = logging.getLogger(__name__)


async def handle_import_confirmed(event: ImportConfirmed, store: Store, blobs: BlobStore,
                                  publisher: EventPublisher, clients: MatcherClients,
                                  chunk_size: int) -> None:
    async with store.pool.acquire() as conn:
        run = await ParseRuns(conn).get(event.import_id, event.attempt)
    if run is not None and run.rows_published_at is not None:
        log.info("rows already published", extra={"import_id": str(event.import_id),
                                                   "attempt": event.attempt})
        return
    try:
        await _parse(event, store, blobs, publisher, clients, chunk_size)
    finally:
        release_memory()


async def _parse(event: ImportConfirmed, store: Store, blobs: BlobStore,
                 publisher: EventPublisher, clients: MatcherClients, chunk_size: int) -> None:
    try:
        table = await _table(event, blobs)
        rows = await asyncio.to_thread(_normalise, event, table)
    except FileProblem as problem:
        await fail_import(publisher, event, problem.message)
        IMPORTS.labels("failed").inc()
        return
    del table
    keys = rows.keys()
    existing = await _existing_clients(clients, event, keys)
    screened = screen_keys(keys, event.mapping, existing)
    del keys
    parsed = split_into_chunks(event.import_id, event.tenant_id, rows, chunk_size, screened,
                               file_name=event.file_name, problems=rows.problems())
    del rows  # the chunks keep it until the last one is built
    async with store.pool.acquire() as conn:
        await ParseRuns(conn).record(event.import_id, event.attempt, event.tenant_id,
                                     parsed.total_rows, parsed.chunks_total,
                                     parsed.issue_count, datetime.now(UTC))
    await _publish(publisher, event, parsed)
    async with store.pool.acquire() as conn:
        await ParseRuns(conn).mark_published(event.import_id, event.attempt, datetime.now(UTC))
    ROWS_PROCESSED.labels("parse", "skipped").inc(parsed.issue_count)
    ROWS_PROCESSED.labels("parse", "recorded").inc(parsed.total_rows - parsed.issue_count)
    log.info("import parsed", extra={
        "import_id": str(event.import_id), "rows": parsed.total_rows,
        "skipped": parsed.issue_count, "chunks": parsed.chunks_total,
    })


async def _table(event: ImportConfirmed, blobs: BlobStore) -> Table:
    """The table the upload read from a workbook, if it kept a usable one; else the file,
    read again."""
    file_format = event.file_format
    if event.table_key is not None and file_format is not None:
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


async def _publish(publisher: EventPublisher, event: ImportConfirmed,
                   parsed: ParsedImport) -> None:
    """Chunk by chunk: a chunk's batch leaves while the next chunk is built, and a partition
    still waiting on the broker holds up no other. Parse's report of each chunk goes out
    with the chunk, not after the last one: the import shows its size and moves from its
    first chunks, and no chunk's skipped rows wait in memory for the others' (a file of a
    million rejected rows holds one chunk's at a time). A report ahead of its rows is
    harmless: the chunk is done only once every consumer has reported it too, which it
    does after the chunk's marker. Returns once the broker has everything."""
    key = str(event.import_id).encode()
    async with (publisher.sending(IMPORT_ROWS) as rows,
                publisher.sending(CHUNK_DONE) as reports):
        for chunk in parsed.chunks:
            await rows.add(chunk.messages)
            # Parse knows the totals from the start: each of its reports carries them.
            # Its counter: rows_skipped (the chunk's rows it did not publish, each an issue).
            await reports.add([(key, event_json(ChunkProcessed(
                event_id=stable_event_id(event.import_id, "parse", chunk.chunk_no),
                tenant_id=event.tenant_id, import_id=event.import_id, service="parse",
                chunk_no=chunk.chunk_no, chunks_total=parsed.chunks_total,
                total_rows=parsed.total_rows,
                rows_processed=chunk.rows_published, issues=chunk.issues,
                counts={"rows_skipped": len(chunk.issues)})))])
            await asyncio.sleep(0)
        deliveries = [*await rows.close(), *await reports.close()]
    await asyncio.gather(*deliveries)


async def _existing_clients(clients: MatcherClients, event: ImportConfirmed,
                            keys: list[RowKey]) -> set[str]:
    if event.duplicate_policy != "skip":
        return set()
    emails = sorted({email for _, email, _ in keys})
    return await clients.existing_before(event.tenant_id, emails, event.import_id)


async def fail_import(publisher: EventPublisher, event: ImportConfirmed, message: str) -> None:
    """The finalizer, which owns the outcome, fails the import; awaited, so the confirm's
    offset moves on only once the broker has it."""
    log.warning("import failed while parsing",
                extra={"import_id": str(event.import_id), "reason": message})
    await publisher.publish([Outgoing(CHUNK_DONE, ImportFailed(
        event_id=stable_event_id(event.import_id, "parse", "failed", event.attempt),
        tenant_id=event.tenant_id, import_id=event.import_id, reason=message, stage="parse",
        attempt=event.attempt), key=str(event.import_id).encode())])
